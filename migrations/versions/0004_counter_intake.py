"""Fee catalogue for counter intake: postage by route class and the exemptions and
reductions of TT22/2017.

Revision ID: 0004_counter_intake
Revises: 0003_event_type_indexes
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_counter_intake'
down_revision = '0003_event_type_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('postage_tariffs',
    sa.Column('route_class', sa.String(length=20), nullable=False),
    sa.Column('postage_vnd', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('postage_vnd >= 0', name=op.f('ck_postage_tariffs_postage_not_negative')),
    sa.CheckConstraint("route_class IN ('same_area', 'intra_province', 'major_cities', 'inter_province')", name=op.f('ck_postage_tariffs_route_class_known')),
    sa.PrimaryKeyConstraint('route_class', name=op.f('pk_postage_tariffs'))
    )
    op.create_table('fee_reductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('legal_basis', sa.String(length=200), nullable=False),
    sa.Column('postage_percent_off', sa.Integer(), nullable=False),
    sa.Column('official_fee_percent_off', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('official_fee_percent_off BETWEEN 0 AND 100', name=op.f('ck_fee_reductions_official_fee_percent_range')),
    sa.CheckConstraint('postage_percent_off BETWEEN 0 AND 100', name=op.f('ck_fee_reductions_postage_percent_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_reductions')),
    sa.UniqueConstraint('code', name=op.f('uq_fee_reductions_code'))
    )


def downgrade():
    op.drop_table('fee_reductions')
    op.drop_table('postage_tariffs')
