"""The summary report (TT17 Art.13): volumes, deadlines, failures, returns and cash of a period.

Every figure is aggregated in SQL from the custody events (never from the cached item status),
so it can be reproduced from the chains themselves. An item counts once per kind of event: at
its first event of that type (a late offline replay of the same step does not count twice).
Events are placed in the period by `occurred_at`, the time in the field: the filing time is
the officer's signature (QĐ45 Art.7).

The figures of closed days come from their daily roll-ups (server/reporting/rollups.py,
filled nightly by `flask reports roll-up`), the rest from the events themselves; the answer is
the same as the raw computation (`summarize(..., rollups=False)`), figure for figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import aliased

from server.core.errors import Invalid, NotFound
from server.core.scope import in_subtree, unit_subtree
from server.domain.lifecycle import (
    EventType,
    ItemKind,
)
from server.domain.periods import Period
from server.extensions import db
from server.models import CustodyEvent, Item, Procedure, Unit, User
from server.models.types import utc_now
from server.reporting import rollups as report_rollups
from server.reporting.statements import (
    COUNTED_TYPES,
    CashTally,
    CountRow,
    FailureRow,
    cash_statement,
    count_statement,
    failure_statement,
    first_of_its_type,
    occurred_between,
)

#: The figures the system has no records for yet; reported as null, never invented.
NOT_RECORDED = ["losses", "complaints"]

#: The events that end the post's service of an item, judged against its deadline (TT17 Art.7).
COMPLETING_EVENTS = {(ItemKind.dossier, EventType.filed): "dossiers_filed",
                     (ItemKind.result, EventType.delivered): "results_delivered"}

#: Lĩnh vực of the procedure catalogue, as the one-stop desks name them.
FIELD_LABELS_VI = {
    "social_insurance": "Bảo hiểm xã hội",
    "police": "Công an",
    "justice": "Tư pháp",
    "land": "Đất đai",
    "transport": "Giao thông vận tải",
    "health": "Y tế",
    "education": "Giáo dục và đào tạo",
    "labour": "Lao động, thương binh và xã hội",
    "business": "Đăng ký kinh doanh",
    "construction": "Xây dựng",
}

COUNT_LABELS_VI = {
    "dossiers.accepted": "Hồ sơ đã nhận (thu gom tại nhà / tiếp nhận tại bưu cục)",
    "dossiers.filed": "Hồ sơ đã nộp cho cơ quan",
    "dossiers.cancelled": "Hồ sơ đã hủy",
    "results.registered": "Kết quả cơ quan đăng ký chuyển phát",
    "results.delivered": "Kết quả phát thành công",
    "results.returned": "Kết quả chuyển hoàn về cơ quan",
    "results.cancelled": "Kết quả đã hủy",
}
ON_TIME_GROUP_LABELS_VI = {
    "all": "Tổng (hồ sơ đã nộp và kết quả đã phát)",
    "dossiers_filed": "Hồ sơ đã nộp cho cơ quan",
    "results_delivered": "Kết quả phát thành công",
}
ON_TIME_LABELS_VI = {
    "total": "số bưu gửi",
    "on_time": "đúng hạn",
    "late": "quá hạn",
    "rate": "tỷ lệ đúng hạn",
}
INCIDENT_LABELS_VI = {
    "returned": "Kết quả chuyển hoàn về cơ quan",
    "losses": "Bưu gửi mất, thất lạc, hư hỏng (chưa ghi nhận trong hệ thống)",
    "complaints": "Khiếu nại (chưa ghi nhận trong hệ thống)",
}
CASH_LABELS_VI = {
    "events": "Số lần thu tiền khi nhận hồ sơ và phát kết quả",
    "collected_vnd": "Tiền đã thu (VND)",
    "due_vnd": "Tiền phải thu: cước phí và phí, lệ phí thu hộ (VND)",
    "difference_vnd": "Chênh lệch: đã thu trừ phải thu (VND)",
    "events_without_cash_record": "Lần nhận không ghi số tiền (tiếp nhận tại quầy)",
    "due_without_cash_record_vnd": "Phải thu của các lần đó, đã thu tại quầy (VND)",
}
#: Column headers of the CSV and XLSX exports.
EXPORT_HEADERS_VI = ("Phần", "Mã chỉ tiêu", "Giá trị", "Chỉ tiêu")


def report_unit(actor: User, code: str | None) -> Unit:
    """The unit the report covers: the caller's own by default, else one of its subtree."""
    if code is None:
        return actor.unit
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None:
        raise Invalid("unknown_unit", f"Không có đơn vị mã “{code}”.", {"unit": code})
    if not in_subtree(unit, actor.unit):
        # An agency officer sees only their own agency; others see their unit's subtree.
        raise NotFound("unit_out_of_scope",
                       f"Đơn vị “{code}” nằm ngoài phạm vi bạn được xem báo cáo.",
                       {"unit": code})
    return unit


def _scope(unit: Unit) -> ColumnElement[bool]:
    """Items posted at, or handled by an agency of, the unit's subtree."""
    subtree = unit_subtree(unit)
    return or_(Item.post_office_unit_id.in_(subtree), Item.agency_unit_id.in_(subtree))


def _in_period(period: Period) -> ColumnElement[bool]:
    """Events that happened in the period (half-open, UTC instants of local midnights)."""
    return occurred_between(period.starts_at, period.ends_before)


def _earlier_of_its_type_received_since(mark: datetime) -> ColumnElement[bool]:
    """The item has an earlier event of the same type that the server received at or after
    `mark` (a late offline replay of an earlier step)."""
    earlier = aliased(CustodyEvent)
    return exists().where(
        earlier.item_id == CustodyEvent.item_id,
        earlier.type == CustodyEvent.type,
        earlier.received_at >= mark,
        or_(earlier.occurred_at < CustodyEvent.occurred_at,
            and_(earlier.occurred_at == CustodyEvent.occurred_at, earlier.seq < CustodyEvent.seq)),
    )


def _count_rows(unit: Unit, where: ColumnElement[bool], sign: int = 1,
                first: ColumnElement[bool] | None = None) -> list[CountRow]:
    """Items per (kind, field, event type) whose first such event is among those `where`."""
    statement = count_statement(and_(where, _scope(unit)),
                                 first_of_its_type() if first is None else first)
    return [CountRow(ItemKind(kind), field, EventType(event_type), sign * items,
                      sign * int(on_time or 0))
            for kind, field, event_type, items, on_time in db.session.execute(statement)]


def _net_count_rows(rows: list[CountRow]) -> list[CountRow]:
    """Rows of the same group added up; groups that net to no item dropped (as raw has none)."""
    net: dict[tuple[ItemKind, str, EventType], list[int]] = {}
    for row in rows:
        tally = net.setdefault((row.kind, row.field, row.event_type), [0, 0])
        tally[0] += row.items
        tally[1] += row.on_time
    return [CountRow(kind, field, event_type, items, on_time)
            for (kind, field, event_type), (items, on_time) in net.items() if items]


def _fields_of(unit: Unit) -> set[str]:
    """The fields of the procedures of the agencies in the unit's subtree (shown even at 0)."""
    return set(db.session.scalars(
        select(Procedure.field).where(Procedure.agency_unit_id.in_(unit_subtree(unit))).distinct()))










def _failure_rows(unit: Unit, where: ColumnElement[bool]) -> list[FailureRow]:
    """Failed attempts `where` in the unit's scope, per reason and action."""
    return [(reason, action, count) for reason, action, count
            in db.session.execute(failure_statement(and_(where, _scope(unit))))]





def _cash_tally(unit: Unit, where: ColumnElement[bool]) -> CashTally:
    """Cash recorded at the collections and deliveries `where` in the unit's scope."""
    row = db.session.execute(cash_statement(and_(where, _scope(unit)))).one()
    return CashTally(*(int(value) for value in row))





@dataclass
class _Figures:
    """The additive parts of the report, before they become the answer."""

    counts: list[CountRow]
    failures: list[FailureRow]
    cash: CashTally


def _raw_figures(unit: Unit, where: ColumnElement[bool]) -> _Figures:
    """Every figure straight from the custody events `where`."""
    return _Figures(_count_rows(unit, where), _failure_rows(unit, where),
                    _cash_tally(unit, where))


#: Up to this many late events are fetched by id (cheap on every engine); more are rare.
LATE_EVENTS_BY_ID = 2000


def _late_event_ids(start: datetime, end: datetime, mark: datetime) -> list[str] | None:
    """Ids of the events that happened in [start, end) but arrived at or after the mark; None
    when there are more than LATE_EVENTS_BY_ID. Only the index on `received_at` serves this
    query, so it reads the late events alone, not the period's millions."""
    ids = list(db.session.scalars(
        select(CustodyEvent.id)
        .where(CustodyEvent.received_at >= mark, occurred_between(start, end))
        .limit(LATE_EVENTS_BY_ID + 1)))
    return None if len(ids) > LATE_EVENTS_BY_ID else ids


def _late_items(before: datetime, mark: datetime) -> list[int] | None:
    """Items with a counted event that happened before `before` but arrived at or after the
    mark; None when there are too many to list. (No condition on the type in SQL: it would
    tempt the planner to the (type, occurred_at) index and a scan of all the history.)"""
    rows = db.session.execute(
        select(CustodyEvent.item_id, CustodyEvent.type)
        .where(CustodyEvent.received_at >= mark, CustodyEvent.occurred_at < before)
        .limit(LATE_EVENTS_BY_ID + 1)).all()
    if len(rows) > LATE_EVENTS_BY_ID:
        return None
    return sorted({item_id for item_id, event_type in rows if event_type in COUNTED_TYPES})


def _figures(unit: Unit, period: Period, rollups: bool) -> _Figures:
    """The figures of the period: the days' roll-ups plus the events they do not hold."""
    mark_day = report_rollups.rolled_through() if rollups else None
    if mark_day is None or mark_day < period.start:
        return _raw_figures(unit, _in_period(period))
    mark = report_rollups.mark_of(mark_day)
    rolled = report_rollups.rolled_figures(unit, period.start, min(period.last_day, mark_day))
    figures = _Figures(list(rolled.counts), list(rolled.failures), rolled.cash)
    rolled_end = min(period.ends_before, mark)
    late_ids = _late_event_ids(period.starts_at, rolled_end, mark)
    parts = []
    if late_ids is None:  # too many to list: let the database find them
        parts.append(and_(occurred_between(period.starts_at, rolled_end),
                          CustodyEvent.received_at >= mark))
    elif late_ids:
        parts.append(CustodyEvent.id.in_(late_ids))
    if period.ends_before > mark:
        parts.append(occurred_between(mark, period.ends_before))  # days not rolled up yet
    for where in parts:
        more = _raw_figures(unit, where)
        figures.counts += more.counts
        figures.failures += more.failures
        figures.cash = figures.cash + more.cash
    # A rolled-up first event that a late replay of an earlier one has since outranked: the
    # replay may lie before the period, so every late event before `rolled_end` is looked at.
    outranking = _late_items(rolled_end, mark)
    if outranking == []:
        figures.counts = _net_count_rows(figures.counts)
        return figures
    late = aliased(CustodyEvent)
    late_items = (CustodyEvent.item_id.in_(outranking) if outranking is not None else
                  CustodyEvent.item_id.in_(select(late.item_id).where(
                      late.received_at >= mark, late.occurred_at < rolled_end,
                      late.type.in_(COUNTED_TYPES))))
    outranked = and_(
        occurred_between(period.starts_at, rolled_end),
        CustodyEvent.received_at < mark,
        late_items,
        _earlier_of_its_type_received_since(mark),
    )
    figures.counts += _count_rows(unit, outranked, sign=-1,
                                  first=first_of_its_type(received_before=mark))
    figures.counts = _net_count_rows(figures.counts)
    return figures


@dataclass(frozen=True)
class ReportFigures:
    """What the summary report is made of, before it becomes the answer (reporting/serializers.py)."""

    unit: Unit
    period: Period
    counts: list[CountRow]
    failures: list[FailureRow]
    cash: CashTally
    #: the fields of the unit's procedures, listed even at zero
    fields: set[str]
    generated_at: datetime


def summarize(actor: User, period: Period, unit_code: str | None,
              rollups: bool = True) -> ReportFigures:
    """The figures of the summary report of the unit's subtree over the period (TT17 Art.13).

    `rollups=False` computes every figure from the raw events (tests, benchmark); the figures
    are the same either way.
    """
    unit = report_unit(actor, unit_code)
    figures = _figures(unit, period, rollups)
    return ReportFigures(unit=unit, period=period, counts=figures.counts,
                         failures=figures.failures, cash=figures.cash, fields=_fields_of(unit),
                         generated_at=utc_now())
