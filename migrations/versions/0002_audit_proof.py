"""Audit proof: sealed daily Merkle roots and four-eyes corrections of custody events.

Revises: 0001_custody_core
Create Date: 2026-11-26

Written by hand; the names follow the naming convention of server/extensions.py.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_audit_proof'
down_revision = '0001_custody_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'daily_roots',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('root', sa.String(length=64), nullable=False),
        sa.Column('event_count', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('event_count >= 0',
                           name=op.f('ck_daily_roots_event_count_not_negative')),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_roots')),
    )
    op.create_table(
        'corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.Column('correction', sa.JSON(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('countersigned_by_id', sa.Integer(), nullable=True),
        sa.Column('countersigned_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('corrected_event_id', sa.String(length=36), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'applied')",
                           name=op.f('ck_corrections_status_known')),
        sa.CheckConstraint(
            'countersigned_by_id IS NULL OR countersigned_by_id <> requested_by_id',
            name=op.f('ck_corrections_four_eyes')),
        sa.CheckConstraint(
            "status = 'pending' OR (countersigned_by_id IS NOT NULL "
            "AND countersigned_at IS NOT NULL AND corrected_event_id IS NOT NULL)",
            name=op.f('ck_corrections_applied_is_countersigned')),
        sa.ForeignKeyConstraint(['event_id'], ['custody_events.id'],
                                name=op.f('fk_corrections_event_id_custody_events')),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'],
                                name=op.f('fk_corrections_item_id_items')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_corrections_requested_by_id_users')),
        sa.ForeignKeyConstraint(['countersigned_by_id'], ['users.id'],
                                name=op.f('fk_corrections_countersigned_by_id_users')),
        sa.ForeignKeyConstraint(['corrected_event_id'], ['custody_events.id'],
                                name=op.f('fk_corrections_corrected_event_id_custody_events')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections')),
    )
    op.create_index(op.f('ix_corrections_event_id'), 'corrections', ['event_id'], unique=False)
    op.create_index(op.f('ix_corrections_item_id'), 'corrections', ['item_id'], unique=False)
    op.create_index('ix_corrections_status_requested', 'corrections',
                    ['status', 'requested_at'], unique=False)


def downgrade():
    op.drop_index('ix_corrections_status_requested', table_name='corrections')
    op.drop_index(op.f('ix_corrections_item_id'), table_name='corrections')
    op.drop_index(op.f('ix_corrections_event_id'), table_name='corrections')
    op.drop_table('corrections')
    op.drop_table('daily_roots')
