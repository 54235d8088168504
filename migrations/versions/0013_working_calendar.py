"""The working calendar: the State's yearly decisions, seeded with 2025 and 2026, and the
deadlines a decision moved.

Revision ID: 0013_working_calendar
Revises: 0015_transparency_log
"""
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = '0013_working_calendar'
down_revision = '0015_transparency_log'
branch_labels = None
depends_on = None

# The published decisions as of this revision (server/domain/official_calendar.py); frozen
# here so that the migration seeds the same rows whatever the code becomes later.
OFFICIAL_2025_2026 = [
    ('2025-01-01', False, 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112'),
    ('2025-01-27', False, 'Tết Ất Tỵ (nghỉ 25/1-2/2/2025)', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2025-01-28', False, 'Tết Ất Tỵ (nghỉ 25/1-2/2/2025)', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2025-01-29', False, 'Tết Ất Tỵ (nghỉ 25/1-2/2/2025)', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2025-01-30', False, 'Tết Ất Tỵ (nghỉ 25/1-2/2/2025)', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2025-01-31', False, 'Tết Ất Tỵ (nghỉ 25/1-2/2/2025)', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2025-04-07', False, 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'Bộ luật Lao động 2019, Điều 112'),
    ('2025-04-26', True, 'Làm bù cho thứ Sáu 2/5/2025', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2025-04-30', False, 'Ngày Chiến thắng 30/4', 'Bộ luật Lao động 2019, Điều 112'),
    ('2025-05-01', False, 'Ngày Quốc tế Lao động 1/5', 'Bộ luật Lao động 2019, Điều 112'),
    ('2025-05-02', False, 'Nghỉ hoán đổi dịp 30/4-1/5 (làm bù thứ Bảy 26/4/2025)', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2025-09-01', False, 'Quốc khánh 2/9', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2025-09-02', False, 'Quốc khánh 2/9', 'Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)'),
    ('2026-01-01', False, 'Tết Dương lịch', 'Bộ luật Lao động 2019, Điều 112'),
    ('2026-01-02', False, 'Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/1/2026)', 'Công văn 12729/VPCP-KGVX ngày 25/12/2025 (ý kiến Phó Thủ tướng Chính phủ)'),
    ('2026-01-10', True, 'Làm bù cho thứ Sáu 2/1/2026', 'Công văn 12729/VPCP-KGVX ngày 25/12/2025 (ý kiến Phó Thủ tướng Chính phủ)'),
    ('2026-02-16', False, 'Tết Bính Ngọ (nghỉ 14/2-22/2/2026)', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
    ('2026-02-17', False, 'Tết Bính Ngọ (nghỉ 14/2-22/2/2026)', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
    ('2026-02-18', False, 'Tết Bính Ngọ (nghỉ 14/2-22/2/2026)', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
    ('2026-02-19', False, 'Tết Bính Ngọ (nghỉ 14/2-22/2/2026)', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
    ('2026-02-20', False, 'Tết Bính Ngọ (nghỉ 14/2-22/2/2026)', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
    ('2026-04-27', False, 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch là Chủ nhật 26/4/2026)', 'Bộ luật Lao động 2019, Điều 111 khoản 3 và Điều 112'),
    ('2026-04-30', False, 'Ngày Chiến thắng 30/4', 'Bộ luật Lao động 2019, Điều 112'),
    ('2026-05-01', False, 'Ngày Quốc tế Lao động 1/5', 'Bộ luật Lao động 2019, Điều 112'),
    ('2026-08-22', True, 'Làm bù cho thứ Hai 31/8/2026', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
    ('2026-08-31', False, 'Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8/2026)', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
    ('2026-09-01', False, 'Quốc khánh 2/9', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
    ('2026-09-02', False, 'Quốc khánh 2/9', 'Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ'),
]


def upgrade():
    decisions = op.create_table(
        'calendar_decisions',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('working', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('legal_basis', sa.String(length=200), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_calendar_decisions_updated_by_id_users')),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_decisions')),
    )
    op.create_table(
        'due_date_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('calendar_day', sa.Date(), nullable=False),
        sa.Column('previous_due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('new_due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('legal_basis', sa.String(length=200), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'],
                                name=op.f('fk_due_date_changes_item_id_items')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'],
                                name=op.f('fk_due_date_changes_changed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_due_date_changes')),
    )
    with op.batch_alter_table('due_date_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_due_date_changes_item_id'), ['item_id'],
                              unique=False)
    op.bulk_insert(decisions, [
        dict(day=date.fromisoformat(day), working=working, reason=reason,
             legal_basis=basis, updated_by_id=None, updated_at=_now())
        for day, working, reason, basis in OFFICIAL_2025_2026
    ])


def _now():
    return datetime.now(timezone.utc)


def downgrade():
    with op.batch_alter_table('due_date_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_date_changes_item_id'))
    op.drop_table('due_date_changes')
    op.drop_table('calendar_decisions')
