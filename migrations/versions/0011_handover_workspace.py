"""Handover workspace: a pending record cancelled by its sender, or expired, and why.

Revision ID: 0011_handover_workspace
Revises: 0008_report_rollups
"""
from alembic import op
import sqlalchemy as sa

revision = '0011_handover_workspace'
down_revision = '0008_report_rollups'
branch_labels = None
depends_on = None

#: The columns added to `handover_records`, in order.
COLUMNS = ('cancelled_at', 'cancelled_by_id', 'cancel_reason')


def upgrade():
    # Plain ADD COLUMN (never a table rebuild): on SQLite, rebuilding `handover_records`
    # fails once handover lines point at it. `cancelled_by_id` has no foreign key for the
    # same reason; the service only writes the id of the signed-in sender.
    op.add_column('handover_records', sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('handover_records', sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
    op.add_column('handover_records', sa.Column('cancel_reason', sa.String(length=500), nullable=True))


def downgrade():
    for column in reversed(COLUMNS):
        with op.batch_alter_table('handover_records', recreate='never') as batch_op:
            batch_op.drop_column(column)
