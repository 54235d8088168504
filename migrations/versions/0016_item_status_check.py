"""The item's status is one of the lifecycle's, checked by the database like the other tables'.

Revision ID: 0016_item_status_check
Revises: 0012_supervisor_workspace
"""
from contextlib import contextmanager

from alembic import op

revision = '0016_item_status_check'
down_revision = '0012_supervisor_workspace'
branch_labels = None
depends_on = None

# The lifecycle's statuses as of this revision (server/domain/lifecycle.py), with '' for an
# item between its insert and its first event in the transaction that registers it; frozen
# here so that the migration makes the same constraint whatever the code becomes later.
CONDITION = (
    "status IN ('', 'requested', 'collected', 'at_post', 'in_transit', 'filed', "
    "'supplement_requested', 'registered', 'out_for_delivery', 'attempt_failed', "
    "'held_for_pickup', 'delivered', 'returned', 'cancelled')"
)


@contextmanager
def _items_rebuilt_on_sqlite():
    """Let SQLite rebuild `items` (the only way it adds a CHECK) although rows point at it.

    SQLite's procedure for such a change (lang_altertable.html, "other kinds of table schema
    changes"): foreign keys off — a pragma SQLite ignores inside a transaction, hence the
    commit around it — rebuild, check that every foreign key still holds, then commit. The
    foreign keys are turned on again before the migration's own transaction goes on.
    """
    bind = op.get_bind()
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
    bind.exec_driver_sql('BEGIN IMMEDIATE')
    yield
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise RuntimeError(f'rebuilding items broke foreign keys: {broken[:5]}')
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys=ON')
    bind.exec_driver_sql('BEGIN IMMEDIATE')


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.create_check_constraint(op.f('ck_items_status_known'), 'items', CONDITION)
        return
    with _items_rebuilt_on_sqlite(), op.batch_alter_table('items', recreate='always') as batch:
        batch.create_check_constraint(op.f('ck_items_status_known'), CONDITION)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_items_status_known'), 'items', type_='check')
        return
    with _items_rebuilt_on_sqlite(), op.batch_alter_table('items', recreate='always') as batch:
        batch.drop_constraint(op.f('ck_items_status_known'), type_='check')
