"""Custody integrity: the digest of each synced event's payload (reused event ids), and the
one hand-over each signature or authorisation image is bound to.

Revision ID: 0009_custody_integrity
Revises: 0014_admin_map_personal_data
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_custody_integrity'
down_revision = '0014_admin_map_personal_data'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload_digest', sa.String(length=64), nullable=True))
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bound_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('bound_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_column('bound_at')
        batch_op.drop_column('bound_key')
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_column('payload_digest')
