"""Daily roll-ups of the summary report: per-day partial figures and the runs that made them.

Revision ID: 0008_report_rollups
Revises: 0007_covering_event_indexes
"""
from alembic import op
import sqlalchemy as sa

revision = '0008_report_rollups'
down_revision = '0007_covering_event_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_day_partials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('figure', sa.String(length=10), nullable=False),
        sa.Column('post_office_unit_id', sa.Integer(), nullable=True),
        sa.Column('agency_unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=True),
        sa.Column('field', sa.String(length=40), nullable=True),
        sa.Column('event_type', sa.String(length=30), nullable=True),
        sa.Column('reason', sa.String(length=60), nullable=True),
        sa.Column('action', sa.String(length=60), nullable=True),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.Column('with_cash', sa.Integer(), nullable=False),
        sa.Column('collected_vnd', sa.BigInteger(), nullable=False),
        sa.Column('due_vnd', sa.BigInteger(), nullable=False),
        sa.Column('due_unrecorded_vnd', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_day_partials')),
    )
    with op.batch_alter_table('report_day_partials', schema=None) as batch_op:
        batch_op.create_index('ix_report_day_partials_figure_day', ['figure', 'day'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_report_day_partials_day'), ['day'], unique=False)
    op.create_table(
        'report_rollups',
        sa.Column('through_day', sa.Date(), nullable=False),
        sa.Column('days_rolled', sa.Integer(), nullable=False),
        sa.Column('rolled_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('through_day', name=op.f('pk_report_rollups')),
    )


def downgrade():
    op.drop_table('report_rollups')
    with op.batch_alter_table('report_day_partials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_day_partials_day'))
        batch_op.drop_index('ix_report_day_partials_figure_day')
    op.drop_table('report_day_partials')
