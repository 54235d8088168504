"""Background custody verifications: one row per job, its progress and its answer.

Revision ID: 0012_supervisor_workspace
Revises: 0010_accounts_tokens
"""
from alembic import op
import sqlalchemy as sa

revision = '0012_supervisor_workspace'
down_revision = '0010_accounts_tokens'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table(
        'verification_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('scope_unit_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('items_total', sa.Integer(), nullable=False),
        sa.Column('items_checked', sa.Integer(), nullable=False),
        sa.Column('events_checked', sa.Integer(), nullable=False),
        sa.Column('days_checked', sa.Integer(), nullable=False),
        sa.Column('media_checked', sa.Integer(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=True),
        sa.Column('first_broken', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('running', 'done', 'failed')",
                           name=op.f('ck_verification_jobs_status_known')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_verification_jobs_requested_by_id_users')),
        sa.ForeignKeyConstraint(['scope_unit_id'], ['units.id'],
                                name=op.f('fk_verification_jobs_scope_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_jobs')),
    )
    op.create_index('ix_verification_jobs_scope_status', 'verification_jobs',
                    ['scope_unit_id', 'status'], unique=False)

def downgrade():
    op.drop_index('ix_verification_jobs_scope_status', table_name='verification_jobs')
    op.drop_table('verification_jobs')
