"""Properties of every parser and rule in `server/domain`, checked on generated values.

Each test states a law the rule must keep for ANY input of its kind, so hostile or simply
unusual input (a stray space, a `+84`, a Unicode digit, a leap day, a holiday week) cannot
slip between the hand-picked examples of the other unit tests. Bounded (at most 100 examples
each, no deadline) so the whole file runs in seconds.
"""
from __future__ import annotations

import json
import math
import random
import string
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from server.domain.custody_chain import (
    GENESIS_HASH,
    canonical_json,
    chain_hash,
    merkle_root,
)
from server.domain.errors import DomainError
from server.domain.fees import CASH_DUE_STATUSES, cash_due_vnd
from server.domain.flags import Fix, cash_mismatch, impossible_speed, late
from server.domain.geo import Position, distance_m, far_from_address
from server.domain.identity import (
    IdType,
    digest_id_number,
    normalize_phone,
    validate_cccd,
    validate_dossier_code,
    validate_id_number,
)
from server.domain.invitations import FailedAttempt, invitation_status
from server.domain.lifecycle import (
    KIND_STATUSES,
    TERMINAL,
    UNDELIVERABLE_AT_ONCE,
    EventType,
    FailureAction,
    FailureReason,
    ItemKind,
    ItemStatus,
    apply_event,
)
from server.domain.periods import (
    PeriodKind,
    add_months,
    current_period,
    parse_period,
    rate,
)
from server.domain.route import (
    distance_matrix_m,
    nearest_neighbour_order,
    tour_length_m,
)
from server.domain.s10 import (
    MAX_SERIAL,
    check_digit,
    make_tracking_number,
    parse_tracking_number,
    tracking_number_from_scan,
)
from server.domain.service_time import (
    LOCAL_TZ,
    SERVICE_DAYS,
    RouteClass,
    add_working_days,
    is_working_day,
    service_deadline,
)

SOME = settings(max_examples=100, deadline=None)
FEW = settings(max_examples=40, deadline=None)  # for the geodesic ones, a few ms each

prefixes = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2)
serials = st.integers(min_value=1, max_value=MAX_SERIAL)
days = st.dates(min_value=date(2016, 1, 1), max_value=date(2035, 12, 31))
mobiles = st.from_regex(r"\A0[35789][0-9]{8}\Z")
separators = st.sampled_from(["", " ", ".", "-", "  "])
blanks = st.sampled_from(["", " ", "  ", "\t"])
lat = st.floats(min_value=-89.9, max_value=89.9, allow_nan=False)
lon = st.floats(min_value=-179.9, max_value=179.9, allow_nan=False)
#: Points on the mainland's bounding box (lat, lon).
vietnam = st.tuples(st.floats(min_value=8.5, max_value=23.4),
                    st.floats(min_value=102.1, max_value=109.5))
Point = tuple[float, float]
#: JSON values as stored in an event body: no floats that JSON cannot carry.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=6)


def _spaced(text: str, data: st.DataObject, between: st.SearchStrategy[str] = separators) -> str:
    """`text` with random separators between its characters, as people type numbers."""
    return "".join(ch + data.draw(between) for ch in text)


# --- S10 tracking numbers (docs/design.md §9) ---------------------------------------------------

@SOME
@given(prefix=prefixes, serial=serials, data=st.data())
def test_a_tracking_number_survives_spaces_and_lower_case(prefix: str, serial: int,
                                                          data: st.DataObject) -> None:
    number = make_tracking_number(prefix, serial)
    typed = _spaced(number, data, blanks)
    assert parse_tracking_number(typed.lower()) == number
    assert parse_tracking_number(number) == number  # parsing is idempotent


@SOME
@given(prefix=prefixes, serial=serials, wrong=st.integers(min_value=1, max_value=9))
def test_every_other_check_digit_is_refused_by_every_input_path(prefix: str, serial: int,
                                                                wrong: int) -> None:
    number = make_tracking_number(prefix, serial)
    typo = f"{number[:10]}{(int(number[10]) + wrong) % 10}{number[11:]}"
    for read in (parse_tracking_number, tracking_number_from_scan,
                 lambda n: tracking_number_from_scan(f"https://tantay.vn/t/{n}")):
        with pytest.raises(DomainError) as caught:
            read(typo)
        assert caught.value.code == "wrong_check_digit"


@SOME
@given(serial=st.integers(min_value=0, max_value=MAX_SERIAL))
def test_the_check_digit_is_one_digit(serial: int) -> None:
    assert 0 <= check_digit(serial) <= 9


@SOME
@given(prefix=prefixes, serial=serials,
       base=st.sampled_from(["https://tantay.vn", "http://127.0.0.1:8000", "https://x.vn/app/"]))
def test_the_qr_url_of_a_number_scans_back_to_it(prefix: str, serial: int, base: str) -> None:
    number = make_tracking_number(prefix, serial)
    assert tracking_number_from_scan(f"{base.rstrip('/')}/t/{number}") == number


@SOME
@given(text=st.text(max_size=30))
def test_any_text_is_a_valid_number_or_a_domain_error(text: str) -> None:
    try:
        number = parse_tracking_number(text)
    except DomainError as error:
        assert error.code in {"invalid_tracking_format", "wrong_check_digit"}
    else:
        assert len(number) == 13 and number.isascii()
        assert int(number[10]) == check_digit(int(number[2:10]))


# --- phone numbers -------------------------------------------------------------------------

@SOME
@given(number=mobiles, data=st.data())
def test_every_way_of_writing_a_mobile_gives_the_same_number(number: str,
                                                             data: st.DataObject) -> None:
    national = number[1:]
    for written in (number, "+84" + national, "84" + national, "+84 " + number,
                    _spaced(number, data), "+84" + _spaced(national, data)):
        assert normalize_phone(written) == number


@SOME
@given(text=st.text(alphabet=string.digits + " +.-", max_size=16))
def test_normalising_a_phone_is_idempotent(text: str) -> None:
    try:
        once = normalize_phone(text)
    except DomainError as error:
        assert error.code == "invalid_phone" and error.details == {}  # never echoes the number
        return
    assert normalize_phone(once) == once and len(once) == 10 and once[0] == "0"


# --- identity documents --------------------------------------------------------------------

twelve_digits = st.from_regex(r"\A[0-9]{12}\Z")


@SOME
@given(number=twelve_digits, data=st.data())
def test_a_cccd_keeps_its_twelve_digits_whatever_the_spacing(number: str,
                                                             data: st.DataObject) -> None:
    assert validate_cccd(_spaced(number, data, blanks)) == number


@SOME
@given(number=st.from_regex(r"\A[0-9]{1,20}\Z"))
def test_a_cccd_of_any_other_length_is_refused(number: str) -> None:
    assume(len(number) != 12)
    with pytest.raises(DomainError) as caught:
        validate_cccd(number)
    assert caught.value.details == {}  # a refused number is not echoed back
    assert len(number) < 3 or number not in caught.value.message


@SOME
@given(number=twelve_digits, id_type=st.sampled_from([IdType.cccd, IdType.can_cuoc, IdType.vneid]),
       key=st.binary(min_size=1, max_size=32))
def test_what_is_kept_of_an_id_is_its_type_last_four_and_a_keyed_hash(number: str, id_type: IdType,
                                                                      key: bytes) -> None:
    digest = digest_id_number(id_type, number, key)
    assert digest.last4 == number[-4:] and digest.id_type is id_type
    assert len(digest.keyed_hash) == 64 and number not in digest.keyed_hash
    assert digest_id_number(id_type, number, key) == digest  # the same document matches
    assert digest_id_number(id_type, number, key + b"x").keyed_hash != digest.keyed_hash


@SOME
@given(id_type=st.sampled_from(list(IdType)), text=st.text(max_size=16))
def test_an_id_number_is_canonical_or_refused_without_being_echoed(id_type: IdType,
                                                                   text: str) -> None:
    try:
        number = validate_id_number(id_type, text)
    except DomainError as error:
        assert error.code == "invalid_id_number" and set(error.details) == {"id_type"}
    else:
        assert validate_id_number(id_type, number) == number and number.isascii()


# --- dossier codes (TT 01/2018/TT-VPCP Art.19) -----------------------------------------

@SOME
@given(agency=st.from_regex(r"\A[0-9A-Z]{1,3}(\.[0-9A-Z]{1,3}){0,3}\Z"),
       day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       serial=st.integers(min_value=0, max_value=9999),
       padding=st.sampled_from(["", " ", "\t"]))
def test_a_well_formed_dossier_code_is_kept_as_given(agency: str, day: date, serial: int,
                                                     padding: str) -> None:
    code = f"{agency}-{day:%y%m%d}-{serial:04d}"
    assert validate_dossier_code(padding + code + padding) == code


@SOME
@given(month=st.integers(min_value=13, max_value=99), day=st.integers(min_value=1, max_value=28))
def test_a_dossier_code_with_an_impossible_date_is_refused(month: int, day: int) -> None:
    with pytest.raises(DomainError):
        validate_dossier_code(f"000.00.04.H51-26{month:02d}{day:02d}-0001")


# --- canonical JSON and the hash chain (docs/design.md §4) ------------------------------------------

@SOME
@given(body=json_objects, seed=st.randoms(use_true_random=False))
def test_canonical_json_does_not_depend_on_key_order(body: dict, seed: random.Random) -> None:
    keys = list(body)
    seed.shuffle(keys)
    shuffled = {key: body[key] for key in keys}
    assert canonical_json(shuffled) == canonical_json(body)
    assert chain_hash(shuffled, GENESIS_HASH) == chain_hash(body, GENESIS_HASH)


@SOME
@given(body=json_objects)
def test_canonical_json_round_trips_through_json_loads(body: dict) -> None:
    encoded = canonical_json(body)
    assert json.loads(encoded.decode("utf-8")) == body
    assert canonical_json(json.loads(encoded)) == encoded  # stable after a round trip


@SOME
@given(body=json_objects, bad=st.sampled_from([math.nan, math.inf, -math.inf]),
       key=st.text(max_size=8))
def test_canonical_json_refuses_nan_and_infinity_anywhere(body: dict, bad: float,
                                                          key: str) -> None:
    with pytest.raises(ValueError):
        canonical_json({**body, key: [{"nested": bad}]})


@SOME
@given(body=json_objects, key=st.text(max_size=8), value=json_values)
def test_any_change_to_a_body_changes_its_hash(body: dict, key: str, value: object) -> None:
    assume(body.get(key, object()) != value)
    changed = {**body, key: value}
    assume(canonical_json(changed) != canonical_json(body))
    assert chain_hash(changed, GENESIS_HASH) != chain_hash(body, GENESIS_HASH)


hashes = st.binary(min_size=32, max_size=32).map(bytes.hex)


@SOME
@given(leaves=st.lists(hashes, min_size=1, max_size=9), data=st.data())
def test_the_merkle_root_changes_when_any_leaf_changes(leaves: list[str],
                                                       data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(leaves) - 1))
    other = data.draw(hashes)
    assume(other != leaves[index])
    changed = [*leaves[:index], other, *leaves[index + 1:]]
    assert merkle_root(changed) != merkle_root(leaves)
    assert merkle_root(leaves) == merkle_root(list(leaves))  # deterministic


# --- working days and service deadlines (TT17 Art.7) -------------------------------------

@SOME
@given(start=days, n=st.integers(min_value=0, max_value=25))
def test_j_plus_n_is_monotonic_in_n(start: date, n: int) -> None:
    assert add_working_days(start, n) < add_working_days(start, n + 1)
    assert is_working_day(add_working_days(start, n + 1))
    assert add_working_days(add_working_days(start, n), 1) == add_working_days(start, n + 1)


@SOME
@given(day=days, hour=st.integers(min_value=0, max_value=23),
       route=st.sampled_from(list(RouteClass)))
def test_a_deadline_is_17h_local_on_a_working_day_and_a_slip_never_shortens_it(
        day: date, hour: int, route: RouteClass) -> None:
    consigned = datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)
    without = service_deadline(consigned, route, False)
    with_slip = service_deadline(consigned, route, True)
    for deadline in (without, with_slip):
        local = deadline.astimezone(LOCAL_TZ)
        assert deadline.tzinfo is not None and local.time() == time(17, 0)
        assert is_working_day(local.date()) and local.date() > day
    assert without <= with_slip
    assert without.astimezone(LOCAL_TZ).date() == add_working_days(day, SERVICE_DAYS[route][0])


# --- invitations (TT17 Art.5(2)(h)) ------------------------------------------------------

attempts = st.builds(FailedAttempt, on=days, reason=st.sampled_from(list(FailureReason)),
                     action=st.sampled_from(list(FailureAction)))


@SOME
@given(found=st.lists(attempts, max_size=6), seed=st.randoms(use_true_random=False))
def test_the_two_invitation_rule_counts_notices_in_any_order(found: list[FailedAttempt],
                                                             seed: random.Random) -> None:
    status = invitation_status(found)
    notices = sorted(a.on for a in found
                     if a.action in (FailureAction.notice_left, FailureAction.return_to_agency))
    undeliverable = any(a.reason in UNDELIVERABLE_AT_ONCE for a in found)
    assert status.count <= len(notices) and (status.count > 0) == bool(notices)
    assert status.may_return == (status.count >= 2 or undeliverable)
    if notices:
        assert status.last_on in notices
    if status.next_allowed_on is not None:
        assert status.last_on is not None and is_working_day(status.next_allowed_on)
        assert status.next_allowed_on == add_working_days(status.last_on, 2)
    shuffled = list(found)
    seed.shuffle(shuffled)
    assert invitation_status(shuffled) == status


@SOME
@given(first=days, gap=st.integers(min_value=2, max_value=20))
def test_two_notices_two_working_days_apart_allow_the_return(first: date, gap: int) -> None:
    second = add_working_days(first, gap)
    notices = [FailedAttempt(day, FailureReason.absent, FailureAction.notice_left)
               for day in (second, first)]
    status = invitation_status(notices)
    assert status.count == 2 and status.may_return and status.last_on == second


# --- the lifecycle table (docs/design.md §3) -------------------------------------------------------

@SOME
@given(kind=st.sampled_from(list(ItemKind)),
       status=st.none() | st.sampled_from(list(ItemStatus)),
       event_type=st.sampled_from(list(EventType)))
def test_an_event_gives_a_status_of_the_kind_or_a_named_refusal(
        kind: ItemKind, status: ItemStatus | None, event_type: EventType) -> None:
    try:
        after = apply_event(kind, status, event_type)
    except DomainError as error:
        assert error.code == "transition_not_allowed"
    else:
        assert after in KIND_STATUSES[kind]
        if status in TERMINAL:
            assert after == status  # nothing moves an item out of the end of its life


# --- positions and distances ----------------------------------------------------------------

@FEW
@given(a=st.tuples(lat, lon), b=st.tuples(lat, lon))
def test_distance_is_symmetric_non_negative_and_zero_to_itself(a: tuple[float, float],
                                                               b: tuple[float, float]) -> None:
    assert distance_m(a, b) == pytest.approx(distance_m(b, a), abs=1e-6)
    assert distance_m(a, b) >= 0 and distance_m(a, a) == 0


@FEW
@given(a=vietnam, b=vietnam, c=vietnam)
def test_distance_keeps_the_triangle_inequality(a: Point, b: Point, c: Point) -> None:
    assert distance_m(a, c) <= distance_m(a, b) + distance_m(b, c) + 1e-6


@FEW
@given(fix=vietnam, home=vietnam, threshold=st.floats(min_value=0, max_value=5000),
       more=st.floats(min_value=0, max_value=5000),
       accuracy=st.none() | st.floats(min_value=0, max_value=500))
def test_a_larger_threshold_never_makes_a_fix_far(fix: Point, home: Point, threshold: float,
                                                  more: float, accuracy: float | None) -> None:
    position = Position(fix[0], fix[1], accuracy)
    if far_from_address(position, home, threshold + more) is not None:
        assert far_from_address(position, home, threshold) is not None


@SOME
@given(latitude=st.floats(allow_nan=True), longitude=st.floats(allow_nan=True),
       accuracy=st.none() | st.floats(allow_nan=True))
def test_a_position_is_in_range_or_refused(latitude: float, longitude: float,
                                           accuracy: float | None) -> None:
    try:
        Position(latitude, longitude, accuracy)
    except DomainError as error:
        assert error.code == "invalid_position"
    else:
        assert -90 <= latitude <= 90 and -180 <= longitude <= 180
        assert accuracy is None or (accuracy >= 0 and math.isfinite(accuracy))


# --- the route matrix ------------------------------------------------------------------------

@FEW
@given(points=st.lists(vietnam, min_size=0, max_size=6))
def test_the_distance_matrix_is_square_symmetric_with_zero_diagonal(points: list[Point]) -> None:
    matrix = distance_matrix_m(points)
    assert len(matrix) == len(points) and all(len(row) == len(points) for row in matrix)
    for i, row in enumerate(matrix):
        assert row[i] == 0
        for j, metres in enumerate(row):
            assert metres == matrix[j][i] and metres >= 0


@SOME
@given(size=st.integers(min_value=1, max_value=7), data=st.data())
def test_nearest_neighbour_visits_every_point_once_and_a_closed_tour_is_longer(
        size: int, data: st.DataObject) -> None:
    cells = st.integers(min_value=0, max_value=50_000)
    upper = {(i, j): data.draw(cells) for i in range(size) for j in range(i + 1, size)}
    matrix = [[0 if i == j else upper[min(i, j), max(i, j)] for j in range(size)]
              for i in range(size)]
    order = nearest_neighbour_order(matrix)
    assert sorted(order) == list(range(size)) and order[0] == 0
    assert tour_length_m(order, matrix, closed=True) >= tour_length_m(order, matrix, closed=False)


# --- reporting periods (TT17 Art.13) ---------------------------------------------------------

today = date(2026, 6, 15)
report_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2027, 6, 15))


@SOME
@given(day=report_days,
       kind=st.sampled_from([PeriodKind.month, PeriodKind.quarter, PeriodKind.half_year,
                             PeriodKind.year]))
def test_the_period_starting_on_its_first_day_parses_to_itself(day: date,
                                                               kind: PeriodKind) -> None:
    expected = current_period(kind, day)
    assume(expected.start >= date(2000, 1, 1))
    parsed = parse_period(kind.value, expected.start.isoformat(), None, today)
    assert parsed == expected and parsed.start <= day < parsed.end
    assert parsed.starts_at < parsed.ends_before and parsed.label


@SOME
@given(first=report_days, length=st.integers(min_value=0, max_value=400))
def test_a_custom_range_includes_both_days(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    assume(last <= date(2027, 6, 15))
    period = parse_period(None, first.isoformat(), last.isoformat(), today)
    assert period.start == first and period.last_day == last
    assert (period.end - period.start).days == length + 1


@SOME
@given(text=st.text(max_size=12), other=st.none() | st.text(max_size=12))
def test_any_query_is_a_period_or_a_named_refusal(text: str, other: str | None) -> None:
    try:
        period = parse_period("custom", text, other, today)
    except DomainError as error:
        assert error.code and error.message
    else:
        assert period.start < period.end


@SOME
@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
       months=st.integers(min_value=0, max_value=120))
def test_adding_months_lands_on_a_first_and_adds_up(day: date, months: int) -> None:
    first = day.replace(day=1)
    assert add_months(first, months).day == 1
    assert add_months(add_months(first, months), 1) == add_months(first, months + 1)


@SOME
@given(whole=st.integers(min_value=1, max_value=10**6), data=st.data())
def test_a_rate_lies_between_zero_and_one(whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(min_value=0, max_value=whole))
    assert 0.0 <= rate(part, whole) <= 1.0  # type: ignore[operator]


# --- fees and cash (QĐ45 Art.11-12) ------------------------------------------------------

money = st.integers(min_value=0, max_value=10**9)


@SOME
@given(kind=st.sampled_from(list(ItemKind)), status=st.none() | st.sampled_from(list(ItemStatus)),
       postage=money, fee=money)
def test_cash_due_is_all_or_nothing_and_nothing_once_closed(kind: ItemKind,
                                                            status: ItemStatus | None,
                                                            postage: int, fee: int) -> None:
    due = cash_due_vnd(kind, status, postage, fee)
    assert due in (0, postage + fee)
    not_yet_taken_in = kind == ItemKind.dossier and status is None  # paid at the counter
    if status in TERMINAL or (status not in CASH_DUE_STATUSES and not not_yet_taken_in):
        assert due == 0
    if kind == ItemKind.result and status in CASH_DUE_STATUSES:
        assert due == postage + fee


@SOME
@given(collected=money, due=money)
def test_a_cash_flag_is_raised_exactly_when_the_amounts_differ(collected: int, due: int) -> None:
    evidence = cash_mismatch(collected, due)
    assert (evidence is None) == (collected == due)
    if evidence is not None:
        assert evidence["difference_vnd"] == collected - due


# --- flags that compare two moments -------------------------------------------------------

moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                       timezones=st.just(UTC))


@FEW
@given(a=vietnam, b=vietnam, first=moments, second=moments,
       accuracy=st.floats(min_value=0, max_value=200))
def test_impossible_speed_does_not_depend_on_which_fix_came_first(
        a: Point, b: Point, first: datetime, second: datetime, accuracy: float) -> None:
    one = Fix("one", Position(a[0], a[1], accuracy), first)
    two = Fix("two", Position(b[0], b[1], accuracy), second)
    forward, backward = impossible_speed(one, two, 80.0), impossible_speed(two, one, 80.0)
    assert (forward is None) == (backward is None)


@SOME
@given(done=moments, due=moments)
def test_late_exactly_when_done_after_the_deadline(done: datetime, due: datetime) -> None:
    evidence = late(done, due)
    assert (evidence is None) == (done <= due)
    if evidence is not None:
        assert evidence["working_days_late"] >= 0
