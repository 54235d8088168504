"""The audit checks run on every incoming event, and the cash still due on an item."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from server.domain.fees import cash_due_vnd
from server.domain.flags import (
    Fix,
    WorkingHours,
    after_hours,
    at_post_office,
    cash_mismatch,
    clock_skew,
    early_return,
    impossible_speed,
    late,
    poor_accuracy,
    working_hours,
)
from server.domain.geo import Position, distance_m
from server.domain.invitations import InvitationStatus
from server.domain.service_time import LOCAL_TZ

#: Bưu cục Trung tâm Ninh Bình, the demo's central post office.
OFFICE = (20.2539, 105.9750)
#: Metres per degree of latitude at 20° N.
METRES_PER_DEGREE = 110_750
DAY_HOURS = WorkingHours(time(7, 0), time(19, 0))


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    """A point about `metres` due north of `point`."""
    return (point[0] + metres / METRES_PER_DEGREE, point[1])


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment on the Vietnamese wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


# -- poor_accuracy -------------------------------------------------------------------------------

def test_a_fix_within_the_accuracy_threshold_is_not_poor() -> None:
    assert poor_accuracy(Position(*OFFICE, 100.0), 100.0) is None


def test_a_fix_beyond_the_accuracy_threshold_is_poor() -> None:
    assert poor_accuracy(Position(*OFFICE, 100.5), 100.0) == {
        "reason": "poor_accuracy", "accuracy_m": 100.5, "threshold_m": 100.0}


def test_a_doorstep_event_without_a_position_is_poor() -> None:
    assert poor_accuracy(None, 100.0) == {
        "reason": "no_position", "accuracy_m": None, "threshold_m": 100.0}


def test_a_fix_without_an_accuracy_is_poor() -> None:
    assert poor_accuracy(Position(*OFFICE), 100.0)["reason"] == "no_accuracy"  # type: ignore[index]


# -- impossible_speed ----------------------------------------------------------------------------

START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def two_fixes(metres: float, seconds: float, accuracy_m: float = 10.0) -> tuple[Fix, Fix]:
    """A fix at the office and one `metres` north of it, `seconds` later."""
    return (Fix("a", Position(*OFFICE, accuracy_m), START),
            Fix("b", Position(*north_of(OFFICE, metres), accuracy_m),
                START + timedelta(seconds=seconds)))


def test_a_pace_under_the_limit_is_possible() -> None:
    # 1 km less 2 × 10 m of accuracy in 60 s: 58.8 km/h.
    assert impossible_speed(*two_fixes(1000, 60), max_speed_kmh=80) is None


def test_a_pace_over_the_limit_is_impossible_with_its_evidence() -> None:
    previous, current = two_fixes(1000, 30)
    evidence = impossible_speed(previous, current, max_speed_kmh=80)
    assert evidence is not None
    distance = distance_m((previous.position.lat, previous.position.lon),
                          (current.position.lat, current.position.lon))
    assert evidence == {
        "previous_event_id": "a", "event_id": "b", "distance_m": round(distance, 1),
        "margin_m": 20.0, "seconds": 30.0,
        "speed_kmh": pytest.approx((distance - 20) / 30 * 3.6, abs=0.1), "threshold_kmh": 80,
    }
    assert evidence["speed_kmh"] > 80


def test_a_pace_exactly_at_the_limit_is_possible() -> None:
    previous, current = two_fixes(1000, 30)
    distance = distance_m((previous.position.lat, previous.position.lon),
                          (current.position.lat, current.position.lon))
    pace = (distance - 20) / 30 * 3.6
    assert impossible_speed(previous, current, max_speed_kmh=pace) is None
    assert impossible_speed(previous, current, max_speed_kmh=pace - 0.01) is not None


def test_both_accuracies_come_off_the_distance() -> None:
    # 1 km in 30 s is 120 km/h, but each fix may be 400 m off: 200 m certain is 24 km/h.
    assert impossible_speed(*two_fixes(1000, 30, accuracy_m=400), max_speed_kmh=80) is None


def test_fixes_whose_circles_overlap_never_make_a_speed() -> None:
    assert impossible_speed(*two_fixes(50, 0, accuracy_m=30), max_speed_kmh=80) is None


def test_two_places_at_the_same_instant_are_impossible() -> None:
    evidence = impossible_speed(*two_fixes(500, 0), max_speed_kmh=80)
    assert evidence is not None and evidence["seconds"] == 0 and evidence["speed_kmh"] is None


def test_the_order_of_the_two_fixes_does_not_matter() -> None:
    previous, current = two_fixes(1000, 30)
    assert impossible_speed(current, previous, max_speed_kmh=80) is not None


# -- at_post_office ------------------------------------------------------------------------------

FAR_HOME = north_of(OFFICE, 900)


def test_a_delivery_fixed_at_the_office_is_flagged() -> None:
    evidence = at_post_office(Position(*north_of(OFFICE, 20), 10.0), OFFICE, FAR_HOME, 150.0)
    assert evidence == {"office_distance_m": pytest.approx(20, abs=0.5), "accuracy_m": 10.0,
                        "address_office_distance_m": pytest.approx(900, abs=5),
                        "threshold_m": 150.0}


def test_a_delivery_fixed_beyond_the_office_radius_is_not_flagged() -> None:
    assert at_post_office(Position(*north_of(OFFICE, 170), 10.0), OFFICE, FAR_HOME, 150.0) is None


def test_the_whole_accuracy_circle_must_lie_at_the_office() -> None:
    # 120 m away: inside 150 m, but a ± 40 m fix may have been taken 160 m away.
    position = north_of(OFFICE, 120)
    assert at_post_office(Position(*position, 40.0), OFFICE, FAR_HOME, 150.0) is None
    assert at_post_office(Position(*position, 20.0), OFFICE, FAR_HOME, 150.0) is not None


def test_a_citizen_living_next_to_the_office_is_no_evidence() -> None:
    home = north_of(OFFICE, 100)
    assert at_post_office(Position(*OFFICE, 5.0), OFFICE, home, 150.0) is None


def test_an_address_without_coordinates_does_not_excuse_a_fix_at_the_office() -> None:
    evidence = at_post_office(Position(*OFFICE, 5.0), OFFICE, None, 150.0)
    assert evidence is not None and evidence["address_office_distance_m"] is None


def test_an_office_without_coordinates_cannot_be_checked() -> None:
    assert at_post_office(Position(*OFFICE, 5.0), None, FAR_HOME, 150.0) is None


# -- clock_skew ----------------------------------------------------------------------------------

RECEIVED = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def test_a_phone_clock_within_the_threshold_is_trusted() -> None:
    sent = RECEIVED - timedelta(seconds=300)
    assert clock_skew(RECEIVED - timedelta(hours=1), RECEIVED, sent, 300) is None


def test_a_phone_clock_behind_beyond_the_threshold_is_skewed() -> None:
    sent = RECEIVED - timedelta(seconds=301)
    assert clock_skew(RECEIVED, RECEIVED, sent, 300) == {
        "reason": "device_clock", "sent_at": sent.isoformat(),
        "received_at": RECEIVED.isoformat(), "skew_s": -301.0, "threshold_s": 300}


def test_a_phone_clock_ahead_beyond_the_threshold_is_skewed() -> None:
    sent = RECEIVED + timedelta(minutes=20)
    evidence = clock_skew(RECEIVED, RECEIVED, sent, 300)
    assert evidence is not None and evidence["skew_s"] == 1200.0


def test_an_absurd_phone_clock_is_measured_without_overflow() -> None:
    # Year 1 at +05:00 cannot be turned into UTC; it is kept as the phone said it.
    sent = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    evidence = clock_skew(RECEIVED, RECEIVED, sent, 300)
    assert evidence is not None and evidence["sent_at"] == "0001-01-01T00:00:00+05:00"


def test_an_event_dated_in_the_future_is_skewed() -> None:
    occurred = RECEIVED + timedelta(seconds=301)
    assert clock_skew(occurred, RECEIVED, None, 300) == {
        "reason": "event_in_future", "occurred_at": occurred.isoformat(),
        "received_at": RECEIVED.isoformat(), "skew_s": 301.0, "threshold_s": 300}


def test_an_event_dated_just_ahead_within_the_threshold_is_not_skewed() -> None:
    assert clock_skew(RECEIVED + timedelta(seconds=300), RECEIVED, None, 300) is None


def test_an_event_recorded_offline_long_ago_is_not_skewed() -> None:
    assert clock_skew(RECEIVED - timedelta(days=2), RECEIVED, RECEIVED, 300) is None


# -- after_hours ---------------------------------------------------------------------------------

def test_working_hours_are_read_from_the_setting() -> None:
    assert working_hours("07:00-19:00") == DAY_HOURS
    assert str(working_hours(" 06:30 - 18:00 ")) == "06:30-18:00"


@pytest.mark.parametrize("text", ["7-19", "19:00-07:00", "07:00", "07:00-12:00-19:00", ""])
def test_working_hours_refuse_what_is_not_a_daytime_span(text: str) -> None:
    with pytest.raises(ValueError):
        working_hours(text)


@pytest.mark.parametrize(("hour", "minute"), [(7, 0), (12, 30), (19, 0)])
def test_a_weekday_event_within_working_hours_is_on_time(hour: int, minute: int) -> None:
    # Tuesday 24 November 2026.
    assert after_hours(local(2026, 11, 24, hour, minute), DAY_HOURS) is None


@pytest.mark.parametrize(("hour", "minute"), [(6, 59), (19, 1), (22, 0)])
def test_a_weekday_event_outside_working_hours_is_flagged(hour: int, minute: int) -> None:
    evidence = after_hours(local(2026, 11, 24, hour, minute), DAY_HOURS)
    assert evidence is not None and evidence["reason"] == "outside_hours"
    assert evidence["local_time"] == f"2026-11-24 {hour:02d}:{minute:02d}"
    assert evidence["working_hours"] == "07:00-19:00"


def test_hours_are_read_on_the_vietnamese_clock() -> None:
    # 01:00 UTC is 08:00 in Hà Nội: on time; 13:00 UTC is 20:00: after hours.
    assert after_hours(datetime(2026, 11, 24, 1, 0, tzinfo=UTC), DAY_HOURS) is None
    assert after_hours(datetime(2026, 11, 24, 13, 0, tzinfo=UTC), DAY_HOURS) is not None


def test_a_saturday_event_is_flagged_as_a_day_off() -> None:
    evidence = after_hours(local(2026, 11, 28, 10), DAY_HOURS)
    assert evidence is not None and evidence["reason"] == "non_working_day"


def test_a_public_holiday_is_a_day_off() -> None:
    # 2 September 2026, National Day, is a Wednesday.
    evidence = after_hours(local(2026, 9, 2, 10), DAY_HOURS)
    assert evidence is not None and evidence["reason"] == "non_working_day"


# -- cash ----------------------------------------------------------------------------------------

def test_a_result_owes_postage_and_fee_until_delivered() -> None:
    for status in ("registered", "at_post", "out_for_delivery", "attempt_failed",
                   "held_for_pickup"):
        assert cash_due_vnd("result", status, 26_000, 50_000) == 76_000
    assert cash_due_vnd("result", "delivered", 26_000, 50_000) == 0
    assert cash_due_vnd("result", "returned", 26_000, 50_000) == 0


def test_a_dossier_owes_only_until_it_is_taken_in() -> None:
    assert cash_due_vnd("dossier", "requested", 26_000, 0) == 26_000
    assert cash_due_vnd("dossier", "at_post", 26_000, 0) == 0
    # Taken in at the counter: the first event is judged before the item has a status, and
    # the cash paid at the counter must match the fees.
    assert cash_due_vnd("dossier", None, 26_000, 0) == 26_000


def test_the_right_cash_is_no_mismatch() -> None:
    assert cash_mismatch(76_000, 76_000) is None


@pytest.mark.parametrize(("collected", "difference"), [(75_000, -1_000), (77_000, 1_000), (0, -76_000)])
def test_more_or_less_cash_than_due_is_a_mismatch(collected: int, difference: int) -> None:
    assert cash_mismatch(collected, 76_000) == {
        "cash_collected_vnd": collected, "cash_due_vnd": 76_000, "difference_vnd": difference}


# -- late ----------------------------------------------------------------------------------------

DUE = local(2026, 11, 24, 17)  # Tuesday, 17:00: the close of the working day J+n


def test_a_delivery_at_the_deadline_is_on_time() -> None:
    assert late(DUE, DUE) is None


def test_a_delivery_after_the_deadline_is_late_by_working_days() -> None:
    # Monday 30 November: Wed, Thu, Fri and Mon are four working days after Tuesday.
    delivered = local(2026, 11, 30, 9)
    assert late(delivered, DUE) == {
        "due_at": DUE.astimezone(UTC).isoformat(), "occurred_at": delivered.astimezone(UTC).isoformat(),
        "working_days_late": 4}


def test_a_delivery_the_same_evening_is_late_by_no_full_day() -> None:
    evidence = late(DUE + timedelta(minutes=1), DUE)
    assert evidence is not None and evidence["working_days_late"] == 0


# -- early_return --------------------------------------------------------------------------------

def test_a_return_allowed_by_the_invitations_is_not_early() -> None:
    assert early_return(InvitationStatus(2, date(2026, 11, 24), None, True)) is None


def test_a_return_after_one_invitation_is_early() -> None:
    status = InvitationStatus(1, date(2026, 11, 20), date(2026, 11, 24), False)
    assert early_return(status) == {"invitations": 1, "required": 2, "last_on": "2026-11-20",
                                    "next_allowed_on": "2026-11-24"}


def test_a_return_without_any_invitation_is_early() -> None:
    evidence = early_return(InvitationStatus(0, None, None, False))
    assert evidence == {"invitations": 0, "required": 2, "last_on": None, "next_allowed_on": None}
