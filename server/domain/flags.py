"""The audit flags raised when a custody event comes in, as pure checks (docs/design.md §4).

Each check takes plain values and answers the evidence that raises its flag, or None. A flag
is for a supervisor to look at; it never refuses the event (docs/design.md §3: the field is the truth).
Where a measurement has an error margin (a GPS fix's accuracy), the margin goes to the
postman: only what lies beyond it is evidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from server.domain.geo import Position, certainly_beyond, certainly_within, distance_m
from server.domain.invitations import InvitationStatus
from server.domain.lifecycle import MIN_INVITATIONS_BEFORE_RETURN, EventType
from server.domain.service_time import LOCAL_TZ, is_working_day, working_days_between


class FlagCode(StrEnum):
    """What a supervisor is asked to look at (docs/design.md §4)."""

    #: a doorstep event recorded farther from the address than the threshold plus the accuracy
    far_from_address = "far_from_address"
    #: a doorstep event with a weak fix, or with none at all
    poor_accuracy = "poor_accuracy"
    #: the same person would have had to travel faster than possible between two events
    impossible_speed = "impossible_speed"
    #: a delivery or collection recorded at the post office rather than at the address
    at_post_office = "at_post_office"
    #: the phone's clock is far from the server's
    clock_skew = "clock_skew"
    #: a field event outside working hours or on a day off
    after_hours = "after_hours"
    #: cash collected differs from what was due
    cash_mismatch = "cash_mismatch"
    #: delivered or filed after the service deadline (TT17 Art.7)
    late = "late"
    #: an event that no longer fits the item's state, recorded anyway after offline sync
    state_conflict = "state_conflict"
    #: a handover whose scans do not match its list
    handover_discrepancy = "handover_discrepancy"
    #: a result sent back before the two invitations (TT17 Art.5(2)(h))
    early_return = "early_return"
    #: an event recorded by someone who did not hold the item (docs/design.md §4)
    not_holder = "not_holder"
    #: an event dated before the item reached its actor, or before the item's previous event
    backdated = "backdated"


#: What a supervisor reads for each flag code (docs/design.md §4), on the dashboard and in reviews.
FLAG_LABELS_VI: dict[str, str] = {
    FlagCode.far_from_address: "Xa địa chỉ người nhận",
    FlagCode.poor_accuracy: "Vị trí kém chính xác",
    FlagCode.impossible_speed: "Tốc độ di chuyển bất thường",
    FlagCode.at_post_office: "Ghi nhận tại bưu cục, không tại địa chỉ",
    FlagCode.clock_skew: "Giờ thiết bị lệch giờ máy chủ",
    FlagCode.after_hours: "Ngoài giờ làm việc",
    FlagCode.cash_mismatch: "Tiền thu không khớp số phải thu",
    FlagCode.late: "Phát quá hạn",
    FlagCode.state_conflict: "Xung đột trạng thái sau đồng bộ",
    FlagCode.handover_discrepancy: "Chênh lệch khi bàn giao",
    FlagCode.early_return: "Chuyển hoàn khi chưa đủ 2 giấy mời",
    FlagCode.not_holder: "Người ghi nhận không giữ bưu gửi",
    FlagCode.backdated: "Sự kiện ghi lùi ngày",
}


#: Events at the citizen's door: their position is checked against the address.
DOORSTEP_EVENTS = frozenset({EventType.collected, EventType.attempt_failed, EventType.delivered})
#: Events of the day's field work, checked against working hours.
FIELD_EVENTS = frozenset({EventType.collected, EventType.out_for_delivery,
                          EventType.attempt_failed, EventType.delivered})
#: Events where the citizen pays and the post takes the item out of its hands.
HAND_TO_HAND_EVENTS = frozenset({EventType.collected, EventType.delivered})


def _iso_utc(moment: datetime) -> str:
    """An instant as ISO 8601 in UTC, for evidence that a person reads."""
    return moment.astimezone(UTC).isoformat()


def poor_accuracy(position: Position | None, threshold_m: float) -> dict[str, Any] | None:
    """Return the evidence of a doorstep event whose fix cannot vouch for the place."""
    if position is None:
        # docs/design.md §4: proof of delivery carries a position; without one nothing places the event.
        return {"reason": "no_position", "accuracy_m": None, "threshold_m": threshold_m}
    if position.accuracy_m is None:
        return {"reason": "no_accuracy", "accuracy_m": None, "threshold_m": threshold_m}
    if position.accuracy_m <= threshold_m:
        return None
    return {"reason": "poor_accuracy", "accuracy_m": position.accuracy_m,
            "threshold_m": threshold_m}


@dataclass(frozen=True)
class Fix:
    """Where and when one event of a person was recorded."""

    event_id: str
    position: Position
    at: datetime


def impossible_speed(previous: Fix, current: Fix, max_speed_kmh: float) -> dict[str, Any] | None:
    """Return the evidence when nobody could have gone from `previous` to `current` in time.

    Either fix may be off by its accuracy, so both radii come off the distance first: only
    what certainly separates the two places counts.
    """
    margin = (previous.position.accuracy_m or 0) + (current.position.accuracy_m or 0)
    seconds = abs((current.at - previous.at).total_seconds())
    # Within this distance the move is possible (distance − margin ≤ 0, or slow enough):
    # most consecutive fixes are, and the cheap bound spares them the geodesic.
    possible_m = margin + (max_speed_kmh * seconds / 3.6 if seconds else 0)
    if certainly_within((previous.position.lat, previous.position.lon),
                        (current.position.lat, current.position.lon), possible_m):
        return None
    distance = distance_m((previous.position.lat, previous.position.lon),
                          (current.position.lat, current.position.lon))
    certain_m = distance - margin
    if certain_m <= 0:
        return None
    speed_kmh = certain_m / seconds * 3.6 if seconds else None
    if speed_kmh is not None and speed_kmh <= max_speed_kmh:
        return None
    return {
        "previous_event_id": previous.event_id, "event_id": current.event_id,
        "distance_m": round(distance, 1), "margin_m": round(margin, 1),
        "seconds": round(seconds, 1),
        # None: two places at the same instant, faster than any speed.
        "speed_kmh": round(speed_kmh, 1) if speed_kmh is not None else None,
        "threshold_kmh": max_speed_kmh,
    }


def at_post_office(position: Position, office: tuple[float, float] | None,
                   address: tuple[float, float] | None, threshold_m: float) -> dict[str, Any] | None:
    """Return the evidence of a hand-to-hand event recorded at the post office.

    TT17 Art.5(2): a result is handed over at the recipient's address; a fix at the office
    suggests the proof was made up there. The whole accuracy circle must lie within the
    threshold, and a citizen who lives next to the office is no evidence at all.
    """
    if office is None:
        return None
    if certainly_beyond((position.lat, position.lon), office, threshold_m - (position.accuracy_m or 0)):
        return None
    distance = distance_m((position.lat, position.lon), office)
    if distance + (position.accuracy_m or 0) > threshold_m:
        return None
    address_distance = distance_m(address, office) if address is not None else None
    if address_distance is not None and address_distance <= threshold_m:
        return None
    return {
        "office_distance_m": round(distance, 1), "accuracy_m": position.accuracy_m,
        "address_office_distance_m": (round(address_distance, 1)
                                      if address_distance is not None else None),
        "threshold_m": threshold_m,
    }


def clock_skew(occurred_at: datetime, received_at: datetime, sent_at: datetime | None,
               threshold_s: float) -> dict[str, Any] | None:
    """Return the evidence that the phone's clock cannot be trusted for this event.

    `sent_at` is the phone's clock when it sent the batch, `received_at` the server's when
    the event arrived: they differ by the network's delay only. An event the phone dates
    later than its arrival was dated by a clock that runs ahead.
    """
    if sent_at is not None:
        # Aware subtraction never leaves the datetime range, whatever offset the phone used.
        skew = (sent_at - received_at).total_seconds()
        if abs(skew) > threshold_s:
            return {"reason": "device_clock", "sent_at": sent_at.isoformat(),
                    "received_at": _iso_utc(received_at), "skew_s": round(skew, 1),
                    "threshold_s": threshold_s}
    ahead = (occurred_at - received_at).total_seconds()
    if ahead > threshold_s:
        return {"reason": "event_in_future", "occurred_at": _iso_utc(occurred_at),
                "received_at": _iso_utc(received_at), "skew_s": round(ahead, 1),
                "threshold_s": threshold_s}
    return None


@dataclass(frozen=True)
class WorkingHours:
    """The local hours of the field's working day, both ends included."""

    start: time
    end: time

    def __str__(self) -> str:
        """The form the setting is written in, e.g. `07:00-19:00`."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def working_hours(text: str) -> WorkingHours:
    """Parse `HH:MM-HH:MM`; raise ValueError when it is not a daytime span."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as error:
        raise ValueError(f"working hours must read HH:MM-HH:MM, got {text!r}") from error
    if start >= end:
        raise ValueError(f"working hours must start before they end, got {text!r}")
    return WorkingHours(start, end)


def after_hours(occurred_at: datetime, hours: WorkingHours) -> dict[str, Any] | None:
    """Return the evidence of a field event outside working hours or on a day off.

    Days off are the weekends and public holidays of the Vietnamese calendar (Labour Code
    2019 Art.111-112), the same working days that count the service time (TT17 Art.7); the
    hours are the post's own setting, read on the local clock of Asia/Ho_Chi_Minh.
    """
    local = occurred_at.astimezone(LOCAL_TZ)
    on_time = hours.start <= local.time() <= hours.end
    working_day = is_working_day(local.date())
    if on_time and working_day:
        return None
    return {"reason": "outside_hours" if working_day else "non_working_day",
            "occurred_at": _iso_utc(occurred_at), "local_time": f"{local:%Y-%m-%d %H:%M}",
            "working_hours": str(hours)}


def cash_mismatch(collected_vnd: int, due_vnd: int) -> dict[str, Any] | None:
    """Return the evidence when the cash taken differs from what was due.

    QĐ45 Art.11-12: the postage and the official fee are collected in full and remitted in
    full; more is an overcharge, less a shortfall the post owes the agency.
    """
    if collected_vnd == due_vnd:
        return None
    return {"cash_collected_vnd": collected_vnd, "cash_due_vnd": due_vnd,
            "difference_vnd": collected_vnd - due_vnd}


def late(occurred_at: datetime, due_at: datetime) -> dict[str, Any] | None:
    """Return the evidence of a delivery or filing after the service deadline (TT17 Art.7)."""
    if occurred_at <= due_at:
        return None
    due_day: date = due_at.astimezone(LOCAL_TZ).date()
    done_day: date = occurred_at.astimezone(LOCAL_TZ).date()
    return {"due_at": _iso_utc(due_at), "occurred_at": _iso_utc(occurred_at),
            "working_days_late": working_days_between(due_day, done_day)}


def early_return(invitations: InvitationStatus) -> dict[str, Any] | None:
    """Return the evidence of a result sent back before the two-invitation rule allows it.

    TT17 Art.5(2)(h); Postal Law 49/2010 Art.17: two invitations two working days apart, unless
    the result is undeliverable at once (refusal, wrong or vacated address).
    """
    if invitations.may_return:
        return None
    return {
        "invitations": invitations.count, "required": MIN_INVITATIONS_BEFORE_RETURN,
        "last_on": invitations.last_on.isoformat() if invitations.last_on else None,
        "next_allowed_on": (invitations.next_allowed_on.isoformat()
                            if invitations.next_allowed_on else None),
    }


@dataclass(frozen=True)
class Custodian:
    """Who held an item when an event came in: a person of a unit, a unit, or nobody."""

    user_id: int | None
    unit_id: int | None
    #: The person's username and the unit's code, as a supervisor reads them.
    username: str | None = None
    unit_code: str | None = None


def not_holder(actor_user_id: int, actor_unit_id: int, at_the_counter: bool, status: str | None,
               holder: Custodian) -> dict[str, Any] | None:
    """Return the evidence of an event recorded by someone who did not hold the item.

    Custody passes from hand to hand only by a handover record both sign (QĐ45 Art.7, 9;
    TT17 Art.5), so the holder is the one who may report what happened to the item. The
    field is the truth (docs/design.md §3): the event is recorded, and the holder at the time named.
    The counter (`at_the_counter`: a clerk) acts for its unit when the unit itself holds
    the item; a home pickup not yet given to anyone (`requested`, held by the office) is for
    any postman of the office to collect. Nobody holds a delivered result: nothing to name.
    """
    if holder.user_id is None and holder.unit_id is None:
        return None
    if holder.user_id == actor_user_id:
        return None
    unit_holds = holder.user_id is None and holder.unit_id == actor_unit_id
    if unit_holds and (at_the_counter or status == "requested"):
        return None
    return {"holder_user": holder.username, "holder_unit": holder.unit_code,
            "holder_user_id": holder.user_id, "holder_unit_id": holder.unit_id}


def backdated(occurred_at: datetime, previous_at: datetime | None,
              received_at: datetime | None, tolerance_s: float) -> dict[str, Any] | None:
    """Return the evidence of an event dated before what must have come first.

    An event cannot happen before the item's previous event, nor before the handover that
    put the item in its actor's hands (QĐ45 Art.7, 9: custody passes at the signature of the
    handover record). A phone's clock may be off by `tolerance_s` (the clock-skew threshold)
    without being evidence.
    """
    found: dict[str, Any] = {}
    if previous_at is not None and (previous_at - occurred_at).total_seconds() > tolerance_s:
        found["previous_at"] = _iso_utc(previous_at)
    if received_at is not None and (received_at - occurred_at).total_seconds() > tolerance_s:
        found["received_by_actor_at"] = _iso_utc(received_at)
    if not found:
        return None
    return {"occurred_at": _iso_utc(occurred_at), **found, "tolerance_s": tolerance_s}


def before_item_existed(occurred_at: datetime, created_at: datetime, tolerance_s: float) -> bool:
    """Whether an event is dated before its item was registered, beyond the clock tolerance.

    Nothing can happen to an item that does not exist yet: such a date is not a skewed
    clock of the field but a forged or broken one, and is refused (docs/design.md §3: structurally
    invalid input), not recorded.
    """
    return (created_at - occurred_at).total_seconds() > tolerance_s
