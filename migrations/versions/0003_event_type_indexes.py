"""Indexes for the reports and the dashboard: custody events by type and time, and by item
and type (the first event of a type per item).

Revision ID: 0003_event_type_indexes
Revises: 0002_audit_proof
"""
from alembic import op

revision = '0003_event_type_indexes'
down_revision = '0002_audit_proof'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index('ix_custody_events_type_occurred', ['type', 'occurred_at'], unique=False)
        batch_op.create_index('ix_custody_events_item_type_occurred', ['item_id', 'type', 'occurred_at'], unique=False)


def downgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_index('ix_custody_events_item_type_occurred')
        batch_op.drop_index('ix_custody_events_type_occurred')
