"""The custody log: entries, hash tiles, signed checkpoints, cosignatures, witness state;
each sealed day names the log's checkpoint at its seal.

Days sealed before this revision keep their home-made root and event count (log_size and
log_root stay NULL): `custody verify` still recomputes those roots, so already sealed
history stays checked. The first `custody checkpoint` logs every existing event, in the
order the days were sealed in: (received_at, id).

Revision ID: 0015_transparency_log
Revises: 0011_handover_workspace
"""
from alembic import op
import sqlalchemy as sa

revision = '0015_transparency_log'
down_revision = '0011_handover_workspace'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'log_entries',
        sa.Column('log_index', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('entry', sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint('log_index >= 0', name=op.f('ck_log_entries_log_index_not_negative')),
        sa.PrimaryKeyConstraint('log_index', name=op.f('pk_log_entries')),
        sa.UniqueConstraint('event_id', name=op.f('uq_log_entries_event_id')),
    )
    op.create_table(
        'log_tiles',
        sa.Column('level', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('tile_index', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('hashes', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('level', 'tile_index', name=op.f('pk_log_tiles')),
    )
    op.create_table(
        'log_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tree_size', sa.BigInteger(), nullable=False),
        sa.Column('root', sa.LargeBinary(length=32), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('tree_size >= 0', name=op.f('ck_log_checkpoints_tree_size_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_log_checkpoints')),
        sa.UniqueConstraint('tree_size', name=op.f('uq_log_checkpoints_tree_size')),
    )
    op.create_table(
        'log_cosignatures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checkpoint_id', sa.Integer(), nullable=False),
        sa.Column('witness_name', sa.String(length=200), nullable=False),
        sa.Column('signature_line', sa.Text(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['checkpoint_id'], ['log_checkpoints.id'],
                                name=op.f('fk_log_cosignatures_checkpoint_id_log_checkpoints')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_log_cosignatures')),
        sa.UniqueConstraint('checkpoint_id', 'witness_name',
                            name=op.f('uq_log_cosignatures_checkpoint_id_witness_name')),
    )
    with op.batch_alter_table('log_cosignatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_cosignatures_checkpoint_id'), ['checkpoint_id'],
                              unique=False)
    op.create_table(
        'witnessed_logs',
        sa.Column('origin', sa.String(length=200), nullable=False),
        sa.Column('tree_size', sa.BigInteger(), nullable=False),
        sa.Column('root', sa.LargeBinary(length=32), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('origin', name=op.f('pk_witnessed_logs')),
    )
    op.create_table(
        'witness_refusals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('side', sa.String(length=10), nullable=False),
        sa.Column('origin', sa.String(length=200), nullable=False),
        sa.Column('peer', sa.String(length=300), nullable=False),
        sa.Column('status', sa.SmallInteger(), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('tree_size', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_witness_refusals')),
    )
    with op.batch_alter_table('daily_roots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_size', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('log_root', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('daily_roots', schema=None) as batch_op:
        batch_op.drop_column('log_root')
        batch_op.drop_column('log_size')
    op.drop_table('witness_refusals')
    op.drop_table('witnessed_logs')
    with op.batch_alter_table('log_cosignatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_cosignatures_checkpoint_id'))
    op.drop_table('log_cosignatures')
    op.drop_table('log_checkpoints')
    op.drop_table('log_tiles')
    op.drop_table('log_entries')
