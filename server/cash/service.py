"""Cash: each postman's day (expected, collected, remitted, difference), remittances at the
counter signed by both, and the official fees owed to each agency for a period.

The arithmetic is the domain's (`server.domain.cash`, `server.domain.fees`); this module reads
the events and remittances it works on, always within the caller's scope.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from server.core.errors import Invalid, NotFound
from server.core.scope import unit_subtree, visible_items
from server.domain.cash import (
    CashDay,
    CashLine,
    cash_day,
    check_remittance,
    official_fee_share,
)
from server.domain.fees import cash_due_vnd
from server.domain.lifecycle import EventType
from server.domain.local_time import day_bounds, local_day, local_time_text
from server.domain.state_machines import REMITTANCES, RemittanceAction, RemittanceStatus
from server.extensions import db
from server.media.service import require_uploaded
from server.models import (
    CashRemittance,
    CustodyEvent,
    Item,
    Role,
    Unit,
    UnitKind,
    User,
)
from server.models.types import utc_now

#: The events on which a postman takes the citizen's money (QĐ45 Art.11-12).
CASH_EVENTS = (EventType.delivered.value, EventType.collected.value)
#: The longest period one agency statement covers.
MAX_STATEMENT_DAYS = 366


def local_today() -> date:
    """Today in Asia/Ho_Chi_Minh."""
    return local_day(utc_now())


@dataclass(frozen=True)
class CashEventLine:
    """One delivery or collection of the day, as the cash screens list it."""

    tracking_number: str
    type: str
    occurred_at: datetime
    due_vnd: int
    collected_vnd: int


@dataclass
class PostmanCash:
    """One postman's day: the totals, the lines behind them and the remittances made."""

    postman: User
    day: date
    totals: CashDay
    lines: list[CashEventLine] = field(default_factory=list)
    remittances: list[CashRemittance] = field(default_factory=list)


def _postmen_in_scope(user: User, username: str | None = None) -> list[User]:
    """The postmen whose cash `user` may see: himself, the clerk's office, the supervisor's tree."""
    query = select(User).where(User.role == Role.postman, User.active)
    match user.role:
        case Role.postman:
            query = query.where(User.id == user.id)
        case Role.clerk:
            query = query.where(User.unit_id == user.unit_id)
        case Role.supervisor:
            query = query.where(User.unit_id.in_(unit_subtree(user.unit)))
        case Role.admin:
            pass
        case _:
            return []
    if username is not None:
        query = query.where(User.username == username)
    return list(db.session.execute(query.order_by(User.full_name, User.username)).scalars())


def _event_lines(postman_ids: list[int], day: date) -> dict[int, list[CashEventLine]]:
    """Each postman's deliveries and collections of the day with what was due on each.

    What was due is judged on the item's status before the event (`cash_due_vnd`), as the
    `cash_mismatch` flag judges it.
    """
    start, end = day_bounds(day)
    before = aliased(CustodyEvent)
    rows = db.session.execute(
        select(CustodyEvent.actor_user_id, CustodyEvent.type, CustodyEvent.occurred_at,
               CustodyEvent.evidence, Item.tracking_number, Item.kind, Item.postage_vnd,
               Item.official_fee_vnd, before.status_after)
        .join(Item, Item.id == CustodyEvent.item_id)
        .outerjoin(before, and_(before.item_id == CustodyEvent.item_id,
                                before.seq == CustodyEvent.seq - 1))
        .where(CustodyEvent.actor_user_id.in_(postman_ids), CustodyEvent.type.in_(CASH_EVENTS),
               CustodyEvent.occurred_at >= start, CustodyEvent.occurred_at < end)
        .order_by(CustodyEvent.occurred_at, CustodyEvent.id)
    ).tuples()
    lines: dict[int, list[CashEventLine]] = defaultdict(list)
    for actor_id, event_type, occurred_at, evidence, number, kind, postage, fee, status in rows:
        lines[actor_id].append(CashEventLine(
            tracking_number=number, type=event_type, occurred_at=occurred_at,
            due_vnd=cash_due_vnd(kind, status, postage, fee),
            collected_vnd=int(evidence.get("cash_collected_vnd") or 0)))
    return lines


def _remittances(postman_ids: list[int], day: date) -> dict[int, list[CashRemittance]]:
    """The remittances of each postman for the day, oldest first."""
    found: dict[int, list[CashRemittance]] = defaultdict(list)
    for remittance in db.session.execute(
        select(CashRemittance).where(CashRemittance.postman_user_id.in_(postman_ids),
                                     CashRemittance.business_day == day)
        .order_by(CashRemittance.id)
    ).scalars():
        found[remittance.postman_user_id].append(remittance)
    return found


def _totals(lines: list[CashEventLine], remittances: list[CashRemittance]) -> CashDay:
    return cash_day(
        (CashLine(line.due_vnd, line.collected_vnd) for line in lines),
        remitted_vnd=sum(r.amount_vnd for r in remittances
                         if r.status == RemittanceStatus.closed),
        pending_vnd=sum(r.amount_vnd for r in remittances if r.status == RemittanceStatus.open))


def cash_days(user: User, day: date, username: str | None = None) -> list[PostmanCash]:
    """The day of every postman in `user`'s scope (a postman: his own)."""
    postmen = _postmen_in_scope(user, username)
    ids = [postman.id for postman in postmen]
    if not ids:
        return []
    lines, remittances = _event_lines(ids, day), _remittances(ids, day)
    return [PostmanCash(postman=p, day=day, totals=_totals(lines[p.id], remittances[p.id]),
                        lines=lines[p.id], remittances=remittances[p.id]) for p in postmen]


# --- remittances ---------------------------------------------------------------------------

def record_remittance(clerk: User, postman_username: str, day: date, amount_vnd: int,
                      postman_signature_sha256: str) -> CashRemittance:
    """The postman hands cash to the clerk and signs; the record waits for the clerk's signature.

    Refused when it is more than the postman collected that day and has not yet remitted.
    """
    if day > local_today():
        raise Invalid("day_in_future", "Không thể nộp tiền cho một ngày chưa đến.",
                      {"day": day.isoformat()})
    postmen = _postmen_in_scope(clerk, postman_username)
    if not postmen:
        raise NotFound("unknown_postman",
                       f"Không tìm thấy bưu tá {postman_username} của bưu cục bạn.")
    postman = postmen[0]
    # One remittance at a time per postman: two clerks cannot both take the same cash.
    db.session.execute(select(User.id).where(User.id == postman.id).with_for_update()).all()
    require_uploaded({"postman_signature_sha256": postman_signature_sha256})
    [today] = cash_days(clerk, day, postman.username)
    check_remittance(amount_vnd, today.totals)
    remittance = CashRemittance(postman_user_id=postman.id, clerk_user_id=clerk.id,
                                unit_id=clerk.unit_id, business_day=day, amount_vnd=amount_vnd,
                                status=REMITTANCES.next_status(None, RemittanceAction.postman_signs),
                                postman_signature_sha256=postman_signature_sha256)
    db.session.add(remittance)
    db.session.flush()
    return remittance


def sign_remittance(clerk: User, remittance_id: int, clerk_signature_sha256: str) -> CashRemittance:
    """The clerk counts the cash and signs: the remittance is closed and never signed again."""
    remittance = db.session.execute(
        select(CashRemittance).where(CashRemittance.id == remittance_id,
                                     CashRemittance.unit_id == clerk.unit_id)
        .with_for_update()
    ).scalar_one_or_none()
    if remittance is None:
        raise NotFound("unknown_remittance", f"Không tìm thấy phiếu nộp tiền số {remittance_id} "
                       "của bưu cục bạn.")
    closed_at = remittance.closed_at
    closed = REMITTANCES.next_status(remittance.status, RemittanceAction.clerk_signs, words={
        "id": str(remittance.id),
        "closed_at": local_time_text(closed_at) if closed_at else "…",
    }, details={"id": remittance.id})
    require_uploaded({"clerk_signature_sha256": clerk_signature_sha256})
    remittance.clerk_user_id = clerk.id
    remittance.clerk_signature_sha256 = clerk_signature_sha256
    remittance.status = closed
    remittance.closed_at = utc_now()
    db.session.flush()
    return remittance


# --- official fees owed to an agency -----------------------------------------------------------

@dataclass(frozen=True)
class StatementLine:
    """One item whose official fee the post collected in the period."""

    occurred_at: datetime
    tracking_number: str
    dossier_code: str | None
    procedure_name: str
    kind: str
    collected_vnd: int
    official_fee_vnd: int


@dataclass
class AgencyStatement:
    """The official fees collected on an agency's items in a period (TT17 Art.5(2)(g))."""

    agency: Unit
    first_day: date
    last_day: date
    lines: list[StatementLine]

    @property
    def total_official_fee_vnd(self) -> int:
        """What the post owes the agency for the period."""
        return sum(line.official_fee_vnd for line in self.lines)

    @property
    def total_collected_vnd(self) -> int:
        """Everything taken on these items, postage included."""
        return sum(line.collected_vnd for line in self.lines)


def agency_statement(user: User, agency_code: str, first_day: date, last_day: date) -> AgencyStatement:
    """The fees collected on the agency's items that `user` may see, by item, oldest first."""
    if last_day < first_day:
        raise Invalid("period_reversed", "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
    if (last_day - first_day).days >= MAX_STATEMENT_DAYS:
        raise Invalid("period_too_long", f"Mỗi bảng kê tối đa {MAX_STATEMENT_DAYS} ngày.")
    agency = db.session.execute(
        select(Unit).where(Unit.code == agency_code, Unit.kind == UnitKind.agency)
    ).scalar_one_or_none()
    if agency is None:
        raise NotFound("unknown_agency", f"Không tìm thấy cơ quan có mã {agency_code}.")
    start, end = day_bounds(first_day, last_day)
    rows = db.session.execute(
        select(CustodyEvent.occurred_at, CustodyEvent.evidence, Item)
        .join(Item, Item.id == CustodyEvent.item_id)
        .where(Item.agency_unit_id == agency.id, visible_items(user),
               CustodyEvent.type.in_(CASH_EVENTS), Item.official_fee_vnd > 0,
               CustodyEvent.occurred_at >= start, CustodyEvent.occurred_at < end)
        .order_by(CustodyEvent.occurred_at, CustodyEvent.id)
    ).tuples()
    lines = []
    for occurred_at, evidence, item in rows:
        collected = int(evidence.get("cash_collected_vnd") or 0)
        share = official_fee_share(collected, item.official_fee_vnd)
        if share:
            lines.append(StatementLine(
                occurred_at=occurred_at, tracking_number=item.tracking_number,
                dossier_code=item.dossier_code, procedure_name=item.procedure.name,
                kind=item.kind, collected_vnd=collected, official_fee_vnd=share))
    return AgencyStatement(agency=agency, first_day=first_day, last_day=last_day, lines=lines)


def month_so_far() -> tuple[date, date]:
    """The default statement period: the first of this month to today."""
    today = local_today()
    return today.replace(day=1), today


