"""Agency side: the sender's signature and each dossier's completeness on handover records,
the dossier's legal filing time, and the notification outbox.

Revision ID: 0005_agency
Revises: 0003_event_type_indexes
Create Date: 2026-11-24

Generated, then read by hand; the names follow the naming convention of server/extensions.py.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_agency'
down_revision = '0004_counter_intake'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=10), nullable=False),
    sa.Column('recipient_unit_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('template', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("recipient IN ('agency', 'citizen')", name=op.f('ck_notifications_recipient_known')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_notifications_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notifications_attempts_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['custody_events.id'], name=op.f('fk_notifications_event_id_custody_events')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_notifications_item_id_items')),
    sa.ForeignKeyConstraint(['recipient_unit_id'], ['units.id'], name=op.f('fk_notifications_recipient_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('event_id', name=op.f('uq_notifications_event_id'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_recipient_unit_id'), ['recipient_unit_id'], unique=False)
        batch_op.create_index('ix_notifications_status_id', ['status', 'id'], unique=False)

    # Plain ADD COLUMN (never a table rebuild): on SQLite, rebuilding `items` or
    # `handover_records` fails once other rows point at them.
    op.add_column('handover_lines', sa.Column('complete', sa.Boolean(), nullable=True))
    op.add_column('handover_lines', sa.Column('missing_documents', sa.String(length=500), nullable=True))
    op.add_column('handover_records', sa.Column('sender_signature_sha256', sa.String(length=64), nullable=True))
    op.add_column('items', sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL), for the same reason as above.
    for table, column in (('items', 'filed_at'), ('handover_records', 'sender_signature_sha256'),
                          ('handover_lines', 'missing_documents'), ('handover_lines', 'complete')):
        with op.batch_alter_table(table, recreate='never') as batch_op:
            batch_op.drop_column(column)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_status_id')
        batch_op.drop_index(batch_op.f('ix_notifications_recipient_unit_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_item_id'))

    op.drop_table('notifications')
