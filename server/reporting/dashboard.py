"""The supervisors' dashboard: flags to review, postmen's day, overdue items, 30 days, map.

Everything is counted by the database in grouped queries scoped to the caller's units
(docs/design.md §2); Python only shapes the few rows each section shows, so the cost does not grow
with the number of items in the province.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, and_, case, func, select, true
from sqlalchemy.orm import aliased

from server.core.scope import unit_subtree, visible_items
from server.domain.cash import format_vnd, group_thousands
from server.domain.deadlines import DeadlineClass
from server.domain.flags import DOORSTEP_EVENTS, FLAG_LABELS_VI
from server.domain.lifecycle import (
    EVENT_LABELS_VI,
    FAILURE_ACTION_LABELS_VI,
    FAILURE_REASON_LABELS_VI,
    STATUS_LABELS_VI,
    EventType,
    ItemStatus,
)
from server.domain.local_time import (
    day_bounds,
    day_text,
    local_day,
    local_midnight,
    local_time_text,
)
from server.domain.service_time import LOCAL_TZ
from server.domain.state_machines import FlagStatus
from server.extensions import db
from server.models import AuditFlag, CustodyEvent, Item, Role, Unit, UnitKind, User
from server.models.types import utc_now
from server.reporting.deadlines import bounds_now, class_conditions, class_counts

#: Words for the keys of a flag's `details` (server/domain/flags.py); others show as they are.
DETAIL_LABELS_VI: dict[str, str] = {
    "distance_m": "Khoảng cách",
    "office_distance_m": "Cách bưu cục",
    "address_office_distance_m": "Địa chỉ cách bưu cục",
    "margin_m": "Sai số vị trí",
    "threshold_m": "Ngưỡng",
    "accuracy_m": "Độ chính xác",
    "speed_kmh": "Tốc độ",
    "threshold_kmh": "Ngưỡng",
    "seconds": "Thời gian",
    "skew_s": "Độ lệch",
    "threshold_s": "Ngưỡng",
    "tolerance_s": "Dung sai",
    "sent_at": "Giờ máy gửi",
    "received_at": "Giờ máy chủ nhận",
    "occurred_at": "Thời điểm",
    "local_time": "Giờ địa phương",
    "working_hours": "Giờ làm việc",
    "cash_due_vnd": "Phải thu",
    "cash_collected_vnd": "Đã thu",
    "difference_vnd": "Chênh lệch",
    "due_at": "Thời hạn",
    "working_days_late": "Trễ (ngày làm việc)",
    "invitations": "Số giấy mời",
    "required": "Cần",
    "last_on": "Lần mời cuối",
    "next_allowed_on": "Được chuyển hoàn từ",
    "status_before": "Trạng thái trước",
    "event_type": "Sự kiện",
    "reason": "Lý do",
    "action": "Cách xử lý",
    "missing": "Thiếu",
    "unexpected": "Thừa",
    "holder_user": "Người đang giữ",
    "holder_unit": "Đơn vị đang giữ",
    "item_finished": "Bưu gửi đã kết thúc",
    "previous_at": "Sự kiện trước lúc",
    "received_by_actor_at": "Nhận bàn giao lúc",
}
#: Keys left out of the one-line summary: identifiers mean nothing to a reader, and the
#: local time repeats `occurred_at`, which the summary already shows in local time.
DETAIL_KEYS_HIDDEN = ("event_id", "previous_event_id", "local_time", "holder_user_id",
                      "holder_unit_id")
#: Words for coded detail values: failure reasons and actions, domain error codes.
DETAIL_VALUES_VI: dict[str, str] = {
    **FAILURE_REASON_LABELS_VI,
    **FAILURE_ACTION_LABELS_VI,
    "transition_not_allowed": "sự kiện không hợp với trạng thái",
    "no_position": "không có vị trí",
    "no_accuracy": "không có độ chính xác",
    "poor_accuracy": "độ chính xác kém",
    "device_clock": "đồng hồ máy lệch",
    "event_in_future": "thời điểm ở tương lai",
    "outside_hours": "ngoài giờ làm việc",
    "non_working_day": "ngày nghỉ",
}
#: The events the volume chart counts per day.
VOLUME_EVENTS = (EventType.delivered, EventType.filed, EventType.registered, EventType.collected)
#: Events that complete an item's service: the on-time rate is measured on them.
COMPLETION_EVENTS = (EventType.delivered, EventType.filed)
#: The dashboard's words for the doorstep events (docs/design.md §11); tracking says "Đã nhận hồ sơ".
DOORSTEP_LABELS_VI: dict[str, str] = {
    EventType.delivered: "Phát thành công",
    EventType.attempt_failed: "Phát không thành công",
    EventType.collected: "Nhận hồ sơ tại nhà",
}
CHART_DAYS = 30
#: Rows the tables show at most; the counts always cover everything.
#: The deadline lists are what the overdue, due-today and at-risk cards open: up to 500 rows
#: each, so the count on a card is the rows of its list (the overdue panel shows the first 50).
FLAG_ROWS, OVERDUE_ROWS, MAP_POINTS = 200, 500, 500
#: Rows a card's list of today's events shows at most (its count covers everything).
CARD_ROWS = 500
SUMMARY_LENGTH = 200


@dataclass(frozen=True)
class FlagCount:
    """How many open flags carry one code."""

    code: str
    label: str
    count: int


@dataclass(frozen=True)
class FlagRow:
    """One open flag as the review table shows it."""

    id: int
    code: str
    label: str
    tracking_number: str
    event_id: str | None
    event_type: str | None
    raised_at: datetime
    occurred_at: datetime | None
    postman: str | None
    summary: str
    details: dict[str, Any]


@dataclass(frozen=True)
class FlagsSection:
    """Open flags: the total, those raised today, per code, and the newest rows."""

    open_count: int
    raised_today: int
    by_code: list[FlagCount]
    rows: list[FlagRow]


@dataclass(frozen=True)
class PostmanDay:
    """One postman's bag and doorstep events today."""

    username: str
    full_name: str
    unit: str
    held: int
    delivered_today: int
    failed_today: int
    collected_today: int
    waiting: int


@dataclass(frozen=True)
class OverdueRow:
    """An item past its service deadline and not finished."""

    tracking_number: str
    kind: str
    status: str
    status_label: str
    due_at: datetime
    post_office: str | None
    holder: str | None


@dataclass(frozen=True)
class OverdueSection:
    """Items past their deadline (oldest first), due today and due within a working day;
    each count with the rows of its card's list (at most OVERDUE_ROWS, earliest due first)."""

    count: int
    due_today: int
    at_risk: int
    rows: list[OverdueRow]
    due_today_rows: list[OverdueRow] = field(default_factory=list)
    at_risk_rows: list[OverdueRow] = field(default_factory=list)


@dataclass(frozen=True)
class DayVolumes:
    """One local day of the charts; `on_time_rate` is None when nothing was completed."""

    day: date
    delivered: int = 0
    filed: int = 0
    registered: int = 0
    collected: int = 0
    completed: int = 0
    on_time: int = 0
    on_time_rate: float | None = None


@dataclass(frozen=True)
class MapPoint:
    """A positioned event: today's doorstep event or a flagged one."""

    event_id: str
    type: str
    label: str
    tracking_number: str
    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None
    postman: str | None
    commune: str
    today: bool
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MapOffice:
    """A post office drawn on the sketch map as a landmark."""

    code: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class DashboardMap:
    """Points and landmarks of the sketch map."""

    points: list[MapPoint]
    offices: list[MapOffice]


@dataclass(frozen=True)
class TodayEventRow:
    """One of today's events that a card counts: which card, which item, when, who, where."""

    card: str
    event_id: str
    type: str
    tracking_number: str
    at: datetime
    actor: str | None
    unit: str | None
    at_counter: bool


@dataclass(frozen=True)
class TodayCounts:
    """Today's events of the whole scope, and results waiting in postmen's bags.

    Each card's count and its list (`events`, by `card`) come from one condition
    (`_card_conditions`), so the number on a card is the number of rows it opens (the list
    stops at CARD_ROWS per card and says so). `collected` counts home pickups only; a dossier
    taken in at the counter is `collected_at_counter`.
    """

    delivered: int
    attempt_failed: int
    collected: int
    filed: int
    registered: int
    waiting: int
    collected_at_counter: int = 0
    events: list[TodayEventRow] = field(default_factory=list)


@dataclass(frozen=True)
class DashboardScope:
    """The unit whose subtree the figures cover."""

    code: str
    name: str


@dataclass(frozen=True)
class Dashboard:
    """Everything the supervisors' dashboard shows."""

    generated_at: datetime
    day: date
    timezone: str
    scope: DashboardScope
    today: TodayCounts
    flags: FlagsSection
    postmen: list[PostmanDay]
    overdue: OverdueSection
    daily: list[DayVolumes]
    map: DashboardMap


@dataclass(frozen=True)
class _Window:
    """The local day being reported, as UTC bounds."""

    now: datetime
    day: date
    start: datetime
    end: datetime

    @classmethod
    def at(cls, now: datetime) -> _Window:
        """The local calendar day containing `now`."""
        day = local_day(now)
        start, end = day_bounds(day)
        return cls(now=now, day=day, start=start, end=end)


def _local_day(column: Any) -> ColumnElement[date]:
    """The local (Asia/Ho_Chi_Minh) calendar date of a UTC timestamp column, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(LOCAL_TZ.key, column), type_=Date)
    # SQLite keeps naive UTC text; Vietnam has kept one offset since 1975, no summer time.
    offset = datetime(2000, 1, 1, tzinfo=LOCAL_TZ).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes", type_=Date)


def _units_in_scope(user: User) -> ColumnElement[bool]:
    """The filter on `Unit.id`-valued columns: the caller's subtree (all for an admin)."""
    return true() if user.role == Role.admin else Unit.id.in_(unit_subtree(user.unit))


def _count(value: Any) -> int:
    """A SUM over no rows is NULL: read it as zero."""
    return int(value or 0)


def build_dashboard(user: User, now: datetime | None = None) -> Dashboard:
    """The dashboard of `user`'s units as of `now` (default: the current time)."""
    window = _Window.at(now or utc_now())
    scope = visible_items(user)
    postmen = _postmen(user, window)
    return Dashboard(
        generated_at=window.now, day=window.day, timezone=LOCAL_TZ.key,
        scope=DashboardScope(code=user.unit.code, name=user.unit.name),
        today=_today(scope, window, waiting=sum(p.waiting for p in postmen)),
        flags=_flags(scope, window), postmen=postmen, overdue=_overdue(scope, window),
        daily=_daily(scope, window), map=_map(user, scope, window),
    )


# --- today ------------------------------------------------------------------------------

def _at_counter() -> ColumnElement[bool]:
    """An event recorded at the post-office counter (evidence `channel` "counter")."""
    return func.coalesce(CustodyEvent.evidence["channel"].as_string(), "") == "counter"


def _card_conditions() -> dict[str, ColumnElement[bool]]:
    """What each card of today's events counts; its list shows the same rows."""
    return {
        "delivered": CustodyEvent.type == EventType.delivered,
        "attempt_failed": CustodyEvent.type == EventType.attempt_failed,
        # The home-pickup card: a dossier taken at the citizen's door, not at the counter.
        "collected": and_(CustodyEvent.type == EventType.collected, ~_at_counter()),
        "collected_at_counter": and_(CustodyEvent.type == EventType.collected, _at_counter()),
    }


def _today(scope: ColumnElement[bool], window: _Window, waiting: int) -> TodayCounts:
    """Today's events per card and by type, and each card's rows (newest first)."""
    today = and_(scope, CustodyEvent.occurred_at >= window.start,
                 CustodyEvent.occurred_at < window.end)
    cards = _card_conditions()
    totals = db.session.execute(
        select(*(func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
                 for condition in cards.values()),
               func.coalesce(func.sum(case((CustodyEvent.type == EventType.filed, 1), else_=0)), 0),
               func.coalesce(func.sum(case((CustodyEvent.type == EventType.registered, 1), else_=0)), 0))
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(today, CustodyEvent.type.in_(set(DOORSTEP_EVENTS) | set(VOLUME_EVENTS)))
    ).one()
    counts = dict(zip([*cards, "filed", "registered"], (int(t) for t in totals), strict=True))
    actor, unit = aliased(User), aliased(Unit)
    events: list[TodayEventRow] = []
    for card, condition in cards.items():
        rows = db.session.execute(
            select(CustodyEvent.id, CustodyEvent.type, Item.tracking_number,
                   CustodyEvent.occurred_at, actor.full_name, actor.username, unit.name,
                   _at_counter())
            .join(Item, Item.id == CustodyEvent.item_id)
            .outerjoin(actor, actor.id == CustodyEvent.actor_user_id)
            .outerjoin(unit, unit.id == CustodyEvent.actor_unit_id)
            .where(today, condition)
            .order_by(CustodyEvent.occurred_at.desc(), CustodyEvent.id)
            .limit(CARD_ROWS)
        ).tuples().all()
        events.extend(TodayEventRow(card=card, event_id=event_id, type=event_type,
                                    tracking_number=number, at=at, actor=full_name or username,
                                    unit=unit_name, at_counter=bool(counter))
                      for event_id, event_type, number, at, full_name, username, unit_name, counter
                      in rows)
    return TodayCounts(
        delivered=counts["delivered"], attempt_failed=counts["attempt_failed"],
        collected=counts["collected"], collected_at_counter=counts["collected_at_counter"],
        filed=counts["filed"], registered=counts["registered"], waiting=waiting, events=events,
    )


# --- flags ------------------------------------------------------------------------------

def _flags(scope: ColumnElement[bool], window: _Window) -> FlagsSection:
    """Open flags per code, how many were raised today, and the newest rows."""
    open_in_scope = and_(AuditFlag.status == FlagStatus.open, scope)
    per_code = db.session.execute(
        select(AuditFlag.code, func.count(),
               func.sum(case((AuditFlag.created_at >= window.start, 1), else_=0)))
        .join(Item, Item.id == AuditFlag.item_id)
        .where(open_in_scope)
        .group_by(AuditFlag.code)
    ).tuples().all()
    by_code = sorted((FlagCount(code=code, label=FLAG_LABELS_VI.get(code, code), count=count)
                      for code, count, _raised_today in per_code),
                     key=lambda c: (-c.count, c.code))
    actor = aliased(User)
    rows = db.session.execute(
        select(AuditFlag, Item.tracking_number, CustodyEvent.type, CustodyEvent.occurred_at,
               actor.full_name)
        .join(Item, Item.id == AuditFlag.item_id)
        .outerjoin(CustodyEvent, CustodyEvent.id == AuditFlag.event_id)
        .outerjoin(actor, actor.id == CustodyEvent.actor_user_id)
        .where(open_in_scope)
        .order_by(AuditFlag.created_at.desc(), AuditFlag.id.desc())
        .limit(FLAG_ROWS)
    ).tuples().all()
    return FlagsSection(
        open_count=sum(c.count for c in by_code),
        raised_today=sum(_count(raised_today) for _code, _count_all, raised_today in per_code),
        by_code=by_code,
        rows=[FlagRow(id=flag.id, code=flag.code, label=FLAG_LABELS_VI.get(flag.code, flag.code),
                      tracking_number=number, event_id=flag.event_id, event_type=event_type,
                      raised_at=flag.created_at, occurred_at=occurred_at, postman=postman,
                      summary=flag_summary(flag.details or {}), details=flag.details or {})
              for flag, number, event_type, occurred_at, postman in rows],
    )


def _detail_value(key: str, value: Any) -> str:
    """One detail value in Vietnamese, with its unit taken from the key's suffix."""
    if value is None:
        return "không có"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float)):
        number = group_thousands(value)
        if key.endswith("_vnd"):
            return format_vnd(round(value))
        if key.startswith("accuracy"):
            return f"±{number} m"
        if key.endswith("_m"):
            return f"{number} m"
        if key.endswith("_kmh"):
            return f"{number} km/h"
        if key.endswith(("_s", "seconds")):
            return f"{number} giây"
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return ", ".join(_detail_value(key, element) for element in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_detail_value(k, v)}" for k, v in value.items())
    text = str(value)
    # StrEnum members hash as their values, so the label tables answer plain strings.
    if key in {"status_before", "status", "status_after"}:
        return STATUS_LABELS_VI.get(text, text)
    if key == "event_type":
        return EVENT_LABELS_VI.get(text, text)
    return DETAIL_VALUES_VI.get(text) or _local_moment(text)


def _local_moment(text: str) -> str:
    """An ISO instant as local "HH:MM dd/mm/yyyy", an ISO date as "dd/mm/yyyy"; else as is."""
    if len(text) == 10:
        try:
            return day_text(date.fromisoformat(text))
        except ValueError:
            return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    try:
        return local_time_text(moment)
    except (OverflowError, ValueError):  # year 9999 or 0001 sent by a phone: shown as sent
        return text


def flag_summary(details: dict[str, Any]) -> str:
    """A one-line Vietnamese summary of a flag's evidence, e.g. "Khoảng cách: 1.925 m · …"."""
    parts = [f"{DETAIL_LABELS_VI.get(key, key)}: {_detail_value(key, value)}"
             for key, value in details.items() if key not in DETAIL_KEYS_HIDDEN]
    summary = " · ".join(parts)
    return summary if len(summary) <= SUMMARY_LENGTH else summary[: SUMMARY_LENGTH - 1] + "…"


# --- postmen ----------------------------------------------------------------------------

def _postmen(user: User, window: _Window) -> list[PostmanDay]:
    """Each active postman of the scope: bag, waiting results and today's doorstep events."""
    staff = db.session.execute(
        select(User.id, User.username, User.full_name, Unit.name)
        .join(Unit, Unit.id == User.unit_id)
        .where(User.role == Role.postman, User.active, _units_in_scope(user))
        .order_by(Unit.name, User.full_name, User.username)
    ).tuples().all()
    ids = [row[0] for row in staff]
    if not ids:
        return []
    bags: dict[int, tuple[int, int]] = {}
    for holder, held, waiting in db.session.execute(
        select(Item.holder_user_id, func.count(),
               func.sum(case((Item.status == ItemStatus.out_for_delivery, 1), else_=0)))
        .where(Item.holder_user_id.in_(ids))
        .group_by(Item.holder_user_id)
    ).tuples():
        bags[holder] = (held, _count(waiting))
    done: dict[int, dict[str, int]] = defaultdict(dict)
    for actor_id, event_type, count in db.session.execute(
        select(CustodyEvent.actor_user_id, CustodyEvent.type, func.count())
        .where(CustodyEvent.actor_user_id.in_(ids), CustodyEvent.type.in_(DOORSTEP_EVENTS),
               CustodyEvent.occurred_at >= window.start, CustodyEvent.occurred_at < window.end)
        .group_by(CustodyEvent.actor_user_id, CustodyEvent.type)
    ).tuples():
        done[actor_id][event_type] = count
    postmen = []
    for user_id, username, full_name, unit_name in staff:
        held, waiting = bags.get(user_id, (0, 0))
        postmen.append(PostmanDay(
            username=username, full_name=full_name or username, unit=unit_name, held=held,
            waiting=waiting, delivered_today=done[user_id].get(EventType.delivered, 0),
            failed_today=done[user_id].get(EventType.attempt_failed, 0),
            collected_today=done[user_id].get(EventType.collected, 0)))
    return postmen


# --- overdue ----------------------------------------------------------------------------

def _overdue(scope: ColumnElement[bool], window: _Window) -> OverdueSection:
    """Unfinished items past their deadline, and those falling due soon (TT17 Art.7).

    The classes are the deadline lists' own (`server.domain.deadlines`): one definition.
    """
    bounds = bounds_now(window.now)
    counts = class_counts(scope, bounds)
    overdue, due_today, at_risk = (counts[DeadlineClass.overdue], counts[DeadlineClass.due_today],
                                   counts[DeadlineClass.at_risk])
    conditions = class_conditions(bounds)
    return OverdueSection(
        count=overdue, due_today=due_today, at_risk=at_risk,
        rows=_deadline_rows(scope, conditions[DeadlineClass.overdue]),
        due_today_rows=_deadline_rows(scope, conditions[DeadlineClass.due_today]),
        at_risk_rows=_deadline_rows(scope, conditions[DeadlineClass.at_risk]),
    )


def _deadline_rows(scope: ColumnElement[bool], condition: ColumnElement[bool]) -> list[OverdueRow]:
    """Unfinished items of one deadline class, earliest deadline first."""
    office, holder_unit, holder_user = aliased(Unit), aliased(Unit), aliased(User)
    rows = db.session.execute(
        select(Item.tracking_number, Item.kind, Item.status, Item.due_at, office.name,
               holder_user.full_name, holder_unit.name)
        .outerjoin(office, office.id == Item.post_office_unit_id)
        .outerjoin(holder_user, holder_user.id == Item.holder_user_id)
        .outerjoin(holder_unit, holder_unit.id == Item.holder_unit_id)
        .where(scope, condition)
        .order_by(Item.due_at, Item.id)
        .limit(OVERDUE_ROWS)
    ).tuples().all()
    return [OverdueRow(tracking_number=number, kind=kind, status=status,
                       status_label=STATUS_LABELS_VI.get(status, status),
                       due_at=due_at, post_office=office_name, holder=person or unit_name)
            for number, kind, status, due_at, office_name, person, unit_name in rows]


# --- the last 30 days -------------------------------------------------------------------

def _daily(scope: ColumnElement[bool], window: _Window) -> list[DayVolumes]:
    """Per local day: volumes by event type, and the share of completions made on time."""
    first = window.day - timedelta(days=CHART_DAYS - 1)
    since = local_midnight(first)
    day = _local_day(CustodyEvent.occurred_at)
    in_range = and_(scope, CustodyEvent.occurred_at >= since, CustodyEvent.occurred_at < window.end)
    volumes: dict[date, dict[str, int]] = defaultdict(dict)
    for on_day, event_type, count in db.session.execute(
        select(day, CustodyEvent.type, func.count())
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(in_range, CustodyEvent.type.in_(VOLUME_EVENTS))
        .group_by(day, CustodyEvent.type)
    ).tuples():
        volumes[on_day][event_type] = count
    punctuality: dict[date, tuple[int, int]] = {}
    for on_day, completed, on_time in db.session.execute(
        select(day, func.count(),
               func.sum(case((CustodyEvent.occurred_at <= Item.due_at, 1), else_=0)))
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(in_range, CustodyEvent.type.in_(COMPLETION_EVENTS))
        .group_by(day)
    ).tuples():
        punctuality[on_day] = (completed, _count(on_time))
    series = []
    for offset in range(CHART_DAYS):
        current = first + timedelta(days=offset)
        counts = volumes.get(current, {})
        completed, on_time = punctuality.get(current, (0, 0))
        series.append(DayVolumes(
            day=current, delivered=counts.get(EventType.delivered, 0),
            filed=counts.get(EventType.filed, 0), registered=counts.get(EventType.registered, 0),
            collected=counts.get(EventType.collected, 0), completed=completed, on_time=on_time,
            on_time_rate=round(on_time / completed, 4) if completed else None,
        ))
    return series


# --- the map ----------------------------------------------------------------------------

def _map(user: User, scope: ColumnElement[bool], window: _Window) -> DashboardMap:
    """Today's positioned doorstep events and every positioned event with an open flag."""
    actor = aliased(User)
    columns = (CustodyEvent.id, CustodyEvent.type, Item.tracking_number, CustodyEvent.occurred_at,
               CustodyEvent.lat, CustodyEvent.lon, CustodyEvent.accuracy_m, actor.full_name,
               Item.address_commune)
    positioned = and_(scope, CustodyEvent.lat.is_not(None), CustodyEvent.lon.is_not(None))

    def base() -> Select[Any]:
        return (select(*columns).join(Item, Item.id == CustodyEvent.item_id)
                .outerjoin(actor, actor.id == CustodyEvent.actor_user_id))

    today_rows = db.session.execute(
        base().where(positioned, CustodyEvent.type.in_(DOORSTEP_EVENTS),
                     CustodyEvent.occurred_at >= window.start,
                     CustodyEvent.occurred_at < window.end)
        .order_by(CustodyEvent.occurred_at).limit(MAP_POINTS)
    ).tuples().all()
    flagged_rows = db.session.execute(
        base().add_columns(AuditFlag.code)
        .join(AuditFlag, AuditFlag.event_id == CustodyEvent.id)
        .where(positioned, AuditFlag.status == FlagStatus.open)
        .order_by(CustodyEvent.occurred_at, AuditFlag.id).limit(MAP_POINTS)
    ).tuples().all()
    points: dict[str, dict[str, Any]] = {}
    for row in [*today_rows, *(r[:-1] for r in flagged_rows)]:
        event_id, event_type, number, at, lat, lon, accuracy, postman, commune = row
        points.setdefault(event_id, {
            "event_id": event_id, "type": event_type,
            "label": DOORSTEP_LABELS_VI.get(event_type)
            or EVENT_LABELS_VI.get(event_type, event_type),
            "tracking_number": number, "at": at, "lat": lat, "lon": lon, "accuracy_m": accuracy,
            "postman": postman, "commune": commune, "flags": [],
            "today": event_type in DOORSTEP_EVENTS and window.start <= at < window.end})
    for *row, code in flagged_rows:
        if code not in points[row[0]]["flags"]:
            points[row[0]]["flags"].append(code)
    offices = db.session.execute(
        select(Unit.code, Unit.name, Unit.lat, Unit.lon)
        .where(Unit.kind == UnitKind.post_office, Unit.lat.is_not(None), Unit.lon.is_not(None),
               _units_in_scope(user))
        .order_by(Unit.name)
    ).tuples().all()
    return DashboardMap(
        points=sorted((MapPoint(**p) for p in points.values()), key=lambda p: (p.at, p.event_id)),
        offices=[MapOffice(code=c, name=n, lat=la, lon=lo) for c, n, la, lo in offices
                 if la is not None and lo is not None],
    )
