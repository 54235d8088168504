"""Covering indexes for the reports' scans of custody events.

The summary report counts the quarter's events by (type, occurred_at) and, for each, probes
whether the item had an earlier event of the same type. With `item_id, seq` in the first
index and `seq` in the second, both are answered from the indexes alone, without reading
the wide event rows (evidence JSON) at random. They replace the narrower indexes of 0003,
which are their prefixes, so every query those served is served as before.

Revision ID: 0007_covering_event_indexes
Revises: 0003_event_type_indexes
"""
from alembic import op

revision = '0007_covering_event_indexes'
down_revision = '0006_cash_remittances'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index('ix_custody_events_type_occurred_item',
                              ['type', 'occurred_at', 'item_id', 'seq'], unique=False)
        batch_op.create_index('ix_custody_events_item_type_occurred_seq',
                              ['item_id', 'type', 'occurred_at', 'seq'], unique=False)
        batch_op.drop_index('ix_custody_events_type_occurred')
        batch_op.drop_index('ix_custody_events_item_type_occurred')


def downgrade():
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index('ix_custody_events_type_occurred', ['type', 'occurred_at'],
                              unique=False)
        batch_op.create_index('ix_custody_events_item_type_occurred',
                              ['item_id', 'type', 'occurred_at'], unique=False)
        batch_op.drop_index('ix_custody_events_item_type_occurred_seq')
        batch_op.drop_index('ix_custody_events_type_occurred_item')
