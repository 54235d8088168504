"""Cash remittances: a postman's day of cash handed to the counter, both signatures.

Revises: 0003_event_type_indexes
Create Date: 2026-11-24

Written by hand; the names follow the naming convention of server/extensions.py.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_cash_remittances'
down_revision = '0005_agency'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cash_remittances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('postman_user_id', sa.Integer(), nullable=False),
        sa.Column('clerk_user_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('business_day', sa.Date(), nullable=False),
        sa.Column('amount_vnd', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('postman_signature_sha256', sa.String(length=64), nullable=False),
        sa.Column('clerk_signature_sha256', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('amount_vnd > 0', name=op.f('ck_cash_remittances_amount_positive')),
        sa.CheckConstraint("status IN ('open', 'closed')",
                           name=op.f('ck_cash_remittances_status_known')),
        sa.CheckConstraint("status = 'open' OR clerk_signature_sha256 IS NOT NULL",
                           name=op.f('ck_cash_remittances_closed_is_signed')),
        sa.ForeignKeyConstraint(['postman_user_id'], ['users.id'],
                                name=op.f('fk_cash_remittances_postman_user_id_users')),
        sa.ForeignKeyConstraint(['clerk_user_id'], ['users.id'],
                                name=op.f('fk_cash_remittances_clerk_user_id_users')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_cash_remittances_unit_id_units')),
        sa.ForeignKeyConstraint(['postman_signature_sha256'], ['media.sha256'],
                                name=op.f('fk_cash_remittances_postman_signature_sha256_media')),
        sa.ForeignKeyConstraint(['clerk_signature_sha256'], ['media.sha256'],
                                name=op.f('fk_cash_remittances_clerk_signature_sha256_media')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_remittances')),
    )
    op.create_index(op.f('ix_cash_remittances_unit_id'), 'cash_remittances', ['unit_id'],
                    unique=False)
    op.create_index('ix_cash_remittances_postman_day', 'cash_remittances',
                    ['postman_user_id', 'business_day'], unique=False)


def downgrade():
    op.drop_index('ix_cash_remittances_postman_day', table_name='cash_remittances')
    op.drop_index(op.f('ix_cash_remittances_unit_id'), table_name='cash_remittances')
    op.drop_table('cash_remittances')
