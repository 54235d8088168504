"""The supervisors' dashboard: flags to review, postmen's day, overdue items, 30 days, map.

Everything is counted by the database in grouped queries scoped to the caller's units
(DESIGN §1); Python only shapes the few rows each section shows, so the cost does not grow
with the number of items in the province.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, func, select, true
from sqlalchemy.orm import aliased

from server.domain.lifecycle import EVENT_LABELS_VI, STATUS_LABELS_VI, EventType, ItemStatus
from server.domain.service_time import END_OF_WORKING_DAY, LOCAL_TZ, add_working_days
from server.extensions import db
from server.models import AuditFlag, CustodyEvent, Item, Role, Unit, UnitKind, User
from server.models.types import utc_now
from server.services.scope import unit_subtree, visible_items

#: What a supervisor reads for each audit flag code (DESIGN §5, §8).
FLAG_LABELS_VI: dict[str, str] = {
    "far_from_address": "Xa địa chỉ người nhận",
    "poor_accuracy": "Vị trí kém chính xác",
    "impossible_speed": "Tốc độ di chuyển bất thường",
    "at_post_office": "Ghi nhận tại bưu cục, không tại địa chỉ",
    "clock_skew": "Giờ thiết bị lệch giờ máy chủ",
    "after_hours": "Ngoài giờ làm việc",
    "cash_mismatch": "Tiền thu không khớp số phải thu",
    "late": "Phát quá hạn",
    "state_conflict": "Xung đột trạng thái sau đồng bộ",
    "handover_discrepancy": "Chênh lệch khi bàn giao",
    "early_return": "Chuyển hoàn khi chưa đủ 2 giấy mời",
}
#: Words for the keys of a flag's `details`; unknown keys are shown as they are.
DETAIL_LABELS_VI: dict[str, str] = {
    "distance_m": "Khoảng cách",
    "threshold_m": "Ngưỡng",
    "accuracy_m": "Độ chính xác",
    "max_accuracy_m": "Ngưỡng độ chính xác",
    "speed_kmh": "Tốc độ",
    "max_speed_kmh": "Ngưỡng tốc độ",
    "skew_s": "Độ lệch",
    "skew_seconds": "Độ lệch",
    "due_vnd": "Phải thu",
    "expected_vnd": "Phải thu",
    "collected_vnd": "Đã thu",
    "cash_collected_vnd": "Đã thu",
    "due_at": "Thời hạn",
    "status_before": "Trạng thái trước",
    "event_type": "Sự kiện",
    "reason": "Lý do",
    "missing": "Thiếu",
    "unexpected": "Thừa",
    "invitations": "Số giấy mời",
}
#: Statuses that need nothing more from the post (the brief of issue 5: `returned` included).
TERMINAL_STATUSES = (ItemStatus.delivered, ItemStatus.filed, ItemStatus.cancelled,
                     ItemStatus.returned)
#: The events the volume chart counts per day.
VOLUME_EVENTS = (EventType.delivered, EventType.filed, EventType.registered, EventType.collected)
#: Events that complete an item's service: the on-time rate is measured on them.
COMPLETION_EVENTS = (EventType.delivered, EventType.filed)
#: A postman's doorstep events, counted for the day and placed on the map.
DOORSTEP_EVENTS = (EventType.delivered, EventType.attempt_failed, EventType.collected)
CHART_DAYS = 30
#: Rows the tables show at most; the counts always cover everything.
FLAG_ROWS, OVERDUE_ROWS, MAP_POINTS = 200, 50, 500
SUMMARY_LENGTH = 160


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
    """Items past their deadline (oldest first), due today and due within a working day."""

    count: int
    due_today: int
    at_risk: int
    rows: list[OverdueRow]


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
class TodayCounts:
    """Today's events of the whole scope, and results waiting in postmen's bags."""

    delivered: int
    attempt_failed: int
    collected: int
    filed: int
    registered: int
    waiting: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the supervisors' dashboard shows."""

    generated_at: datetime
    day: date
    timezone: str
    unit_code: str
    unit_name: str
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
        day = now.astimezone(LOCAL_TZ).date()
        return cls(now=now, day=day, start=_local_midnight(day),
                   end=_local_midnight(day + timedelta(days=1)))


def _local_midnight(day: date) -> datetime:
    """00:00 of a local day, in UTC."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def _local_day(column: Any) -> ColumnElement[date]:
    """The local (Asia/Ho_Chi_Minh) calendar date of a UTC timestamp column, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(LOCAL_TZ.key, column), type_=Date)
    # SQLite keeps naive UTC text; Vietnam has kept one offset since 1975, no summer time.
    offset = LOCAL_TZ.utcoffset(datetime(2000, 1, 1))
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
        unit_code=user.unit.code, unit_name=user.unit.name,
        today=_today(scope, window, waiting=sum(p.waiting for p in postmen)),
        flags=_flags(scope, window), postmen=postmen, overdue=_overdue(scope, window),
        daily=_daily(scope, window), map=_map(user, scope, window),
    )


# --- today ------------------------------------------------------------------------------

def _today(scope: ColumnElement[bool], window: _Window, waiting: int) -> TodayCounts:
    """Today's events by type, one grouped query."""
    rows = db.session.execute(
        select(CustodyEvent.type, func.count())
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(scope, CustodyEvent.occurred_at >= window.start,
               CustodyEvent.occurred_at < window.end,
               CustodyEvent.type.in_(set(DOORSTEP_EVENTS) | set(VOLUME_EVENTS)))
        .group_by(CustodyEvent.type)
    ).tuples().all()
    counts = dict(rows)
    return TodayCounts(
        delivered=counts.get(EventType.delivered, 0),
        attempt_failed=counts.get(EventType.attempt_failed, 0),
        collected=counts.get(EventType.collected, 0), filed=counts.get(EventType.filed, 0),
        registered=counts.get(EventType.registered, 0), waiting=waiting,
    )


# --- flags ------------------------------------------------------------------------------

def _open_flags(scope: ColumnElement[bool]):  # type: ignore[no-untyped-def]
    """Open flags on items the caller may see."""
    return (select(AuditFlag).join(Item, Item.id == AuditFlag.item_id)
            .where(AuditFlag.status == "open", scope))


def _flags(scope: ColumnElement[bool], window: _Window) -> FlagsSection:
    """Open flags per code, how many were raised today, and the newest rows."""
    per_code = db.session.execute(
        select(AuditFlag.code, func.count(),
               func.sum(case((AuditFlag.created_at >= window.start, 1), else_=0)))
        .join(Item, Item.id == AuditFlag.item_id)
        .where(AuditFlag.status == "open", scope)
        .group_by(AuditFlag.code)
    ).tuples().all()
    by_code = sorted((FlagCount(code=code, label=FLAG_LABELS_VI.get(code, code), count=count)
                      for code, count, _today in per_code), key=lambda c: (-c.count, c.code))
    actor = aliased(User)
    rows = db.session.execute(
        _open_flags(scope)
        .add_columns(Item.tracking_number, CustodyEvent.type, CustodyEvent.occurred_at,
                     actor.full_name)
        .outerjoin(CustodyEvent, CustodyEvent.id == AuditFlag.event_id)
        .outerjoin(actor, actor.id == CustodyEvent.actor_user_id)
        .order_by(AuditFlag.created_at.desc(), AuditFlag.id.desc())
        .limit(FLAG_ROWS)
    ).tuples().all()
    return FlagsSection(
        open_count=sum(c.count for c in by_code),
        raised_today=sum(_count(today) for _code, _count_, today in per_code),
        by_code=by_code,
        rows=[FlagRow(id=flag.id, code=flag.code, label=FLAG_LABELS_VI.get(flag.code, flag.code),
                      tracking_number=number, event_id=flag.event_id, event_type=event_type,
                      raised_at=flag.created_at, occurred_at=occurred_at, postman=postman,
                      summary=flag_summary(flag.details or {}), details=flag.details or {})
              for flag, number, event_type, occurred_at, postman in rows],
    )


def _detail_value(key: str, value: Any) -> str:
    """One detail value in Vietnamese, with its unit taken from the key's suffix."""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float)):
        number = f"{value:,.0f}".replace(",", ".")
        if key.endswith("_vnd"):
            return f"{number} đ"
        if key.startswith("accuracy") or key.endswith("accuracy_m"):
            return f"±{number} m"
        if key.endswith("_m"):
            return f"{number} m"
        if key.endswith("_kmh"):
            return f"{number} km/h"
        if key.endswith(("_s", "_seconds")):
            return f"{number} giây"
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return ", ".join(_detail_value(key, element) for element in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_detail_value(k, v)}" for k, v in value.items())
    text = str(value)
    # StrEnum members hash as their values, so the label tables answer plain strings.
    if key in {"status_before", "status", "status_after"}:
        return STATUS_LABELS_VI.get(text, text)  # type: ignore[call-overload]
    if key == "event_type":
        return EVENT_LABELS_VI.get(text, text)  # type: ignore[call-overload]
    return text


def flag_summary(details: dict[str, Any]) -> str:
    """A one-line Vietnamese summary of a flag's evidence, e.g. "Khoảng cách: 1.925 m · …"."""
    parts = [f"{DETAIL_LABELS_VI.get(key, key)}: {_detail_value(key, value)}"
             for key, value in details.items()]
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
    bags = {holder: (held, waiting) for holder, held, waiting in db.session.execute(
        select(Item.holder_user_id, func.count(),
               func.sum(case((Item.status == ItemStatus.out_for_delivery, 1), else_=0)))
        .where(Item.holder_user_id.in_(ids))
        .group_by(Item.holder_user_id)
    ).tuples()}
    done: dict[int, dict[str, int]] = defaultdict(dict)
    for actor_id, event_type, count in db.session.execute(
        select(CustodyEvent.actor_user_id, CustodyEvent.type, func.count())
        .where(CustodyEvent.actor_user_id.in_(ids), CustodyEvent.type.in_(DOORSTEP_EVENTS),
               CustodyEvent.occurred_at >= window.start, CustodyEvent.occurred_at < window.end)
        .group_by(CustodyEvent.actor_user_id, CustodyEvent.type)
    ).tuples():
        done[actor_id][event_type] = count
    return [
        PostmanDay(username=username, full_name=full_name or username, unit=unit_name,
                   held=bags.get(user_id, (0, 0))[0], waiting=_count(bags.get(user_id, (0, 0))[1]),
                   delivered_today=done[user_id].get(EventType.delivered, 0),
                   failed_today=done[user_id].get(EventType.attempt_failed, 0),
                   collected_today=done[user_id].get(EventType.collected, 0))
        for user_id, username, full_name, unit_name in staff
    ]


# --- overdue ----------------------------------------------------------------------------

def _overdue(scope: ColumnElement[bool], window: _Window) -> OverdueSection:
    """Unfinished items past their deadline, and those falling due soon (TT17 Art.7)."""
    unfinished = and_(scope, Item.status.not_in(TERMINAL_STATUSES))
    # At risk: due by the close of the next working day (deadlines fall at 17:00 local).
    next_close = datetime.combine(add_working_days(window.day, 1), END_OF_WORKING_DAY,
                                  tzinfo=LOCAL_TZ).astimezone(UTC)
    overdue, due_today, at_risk = db.session.execute(
        select(func.sum(case((Item.due_at < window.now, 1), else_=0)),
               func.sum(case((and_(Item.due_at >= window.now, Item.due_at < window.end), 1),
                             else_=0)),
               func.sum(case((and_(Item.due_at >= window.now, Item.due_at <= next_close), 1),
                             else_=0)))
        .where(unfinished)
    ).one()
    office, holder_unit, holder_user = aliased(Unit), aliased(Unit), aliased(User)
    rows = db.session.execute(
        select(Item.tracking_number, Item.kind, Item.status, Item.due_at, office.name,
               holder_user.full_name, holder_unit.name)
        .outerjoin(office, office.id == Item.post_office_unit_id)
        .outerjoin(holder_user, holder_user.id == Item.holder_user_id)
        .outerjoin(holder_unit, holder_unit.id == Item.holder_unit_id)
        .where(unfinished, Item.due_at < window.now)
        .order_by(Item.due_at, Item.id)
        .limit(OVERDUE_ROWS)
    ).tuples().all()
    return OverdueSection(
        count=_count(overdue), due_today=_count(due_today), at_risk=_count(at_risk),
        rows=[OverdueRow(tracking_number=number, kind=kind, status=status,
                         status_label=STATUS_LABELS_VI.get(status, status),  # type: ignore[call-overload]
                         due_at=due_at, post_office=office_name,
                         holder=person or unit_name)
              for number, kind, status, due_at, office_name, person, unit_name in rows],
    )


# --- the last 30 days -------------------------------------------------------------------

def _daily(scope: ColumnElement[bool], window: _Window) -> list[DayVolumes]:
    """Per local day: volumes by event type, and the share of completions made on time."""
    first = window.day - timedelta(days=CHART_DAYS - 1)
    since = _local_midnight(first)
    day = _local_day(CustodyEvent.occurred_at)
    in_range = and_(scope, CustodyEvent.occurred_at >= since, CustodyEvent.occurred_at < window.end)
    volumes: dict[date, dict[str, int]] = defaultdict(dict)
    for local_day, event_type, count in db.session.execute(
        select(day, CustodyEvent.type, func.count())
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(in_range, CustodyEvent.type.in_(VOLUME_EVENTS))
        .group_by(day, CustodyEvent.type)
    ).tuples():
        volumes[local_day][event_type] = count
    punctuality = {local_day: (completed, _count(on_time)) for local_day, completed, on_time in
                   db.session.execute(
        select(day, func.count(),
               func.sum(case((CustodyEvent.occurred_at <= Item.due_at, 1), else_=0)))
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(in_range, CustodyEvent.type.in_(COMPLETION_EVENTS))
        .group_by(day)
    ).tuples()}
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

    def base():  # type: ignore[no-untyped-def]
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
        .where(positioned, AuditFlag.status == "open")
        .order_by(CustodyEvent.occurred_at, AuditFlag.id).limit(MAP_POINTS)
    ).tuples().all()
    points: dict[str, dict[str, Any]] = {}
    for row in [*today_rows, *(r[:-1] for r in flagged_rows)]:
        event_id, event_type, number, at, lat, lon, accuracy, postman, commune = row
        points.setdefault(event_id, dict(
            event_id=event_id, type=event_type,
            label=EVENT_LABELS_VI.get(event_type, event_type),  # type: ignore[call-overload]
            tracking_number=number, at=at, lat=lat, lon=lon, accuracy_m=accuracy,
            postman=postman, commune=commune, today=window.start <= at < window.end, flags=[]))
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
        offices=[MapOffice(code=c, name=n, lat=la, lon=lo) for c, n, la, lo in offices],
    )
