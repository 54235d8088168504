"""Accounts and tokens: failed sign-ins counted in the database (shared by every worker).

Revision ID: 0010_accounts_tokens
Revises: 0008_report_rollups
"""
from alembic import op
import sqlalchemy as sa

revision = '0010_accounts_tokens'
down_revision = '0008_report_rollups'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_digest', sa.String(length=64), nullable=False),
        sa.Column('address_digest', sa.String(length=64), nullable=False),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_account_failed_at',
                              ['account_digest', 'failed_at'], unique=False)
        batch_op.create_index('ix_login_failures_address_failed_at',
                              ['address_digest', 'failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_failed_at'), ['failed_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_failed_at'))
        batch_op.drop_index('ix_login_failures_address_failed_at')
        batch_op.drop_index('ix_login_failures_account_failed_at')
    op.drop_table('login_failures')
