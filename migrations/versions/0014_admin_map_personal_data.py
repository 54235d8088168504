"""The 2025 administrative map on item addresses; the log of accesses to personal data.

Revision ID: 0014_admin_map_personal_data
Revises: 0013_working_calendar
"""
from alembic import op
import sqlalchemy as sa

revision = '0014_admin_map_personal_data'
down_revision = '0013_working_calendar'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('items') as batch:
        batch.add_column(sa.Column('address_province_code', sa.String(length=2), nullable=True))
        batch.add_column(sa.Column('address_commune_code', sa.String(length=5), nullable=True))
        batch.add_column(sa.Column('address_legacy', sa.String(length=300), nullable=True))
    op.create_table(
        'personal_data_accesses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('accessed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('detail', sa.String(length=80), nullable=True),
        sa.CheckConstraint("kind IN ('item_details', 'custody_record', 'export', 'proof_image', "
                           "'citizen_export')", name=op.f('ck_personal_data_accesses_kind_known')),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'],
                                name=op.f('fk_personal_data_accesses_item_id_items')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_personal_data_accesses_unit_id_units')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_personal_data_accesses_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_accesses')),
    )
    op.create_index('ix_personal_data_accesses_item_at', 'personal_data_accesses',
                    ['item_id', 'accessed_at'], unique=False)
    op.create_index('ix_personal_data_accesses_user_at', 'personal_data_accesses',
                    ['user_id', 'accessed_at'], unique=False)


def downgrade():
    op.drop_index('ix_personal_data_accesses_user_at', table_name='personal_data_accesses')
    op.drop_index('ix_personal_data_accesses_item_at', table_name='personal_data_accesses')
    op.drop_table('personal_data_accesses')
    with op.batch_alter_table('items') as batch:
        batch.drop_column('address_legacy')
        batch.drop_column('address_commune_code')
        batch.drop_column('address_province_code')
