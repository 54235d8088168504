"""The fast canonical encoder (orjson) writes exactly the bytes of the reference encoder
(`json`), or does what the reference does (raise) for what it refuses: the stored hashes
were computed over those bytes."""

import enum
import json
import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.custody.events import stored_body
from server.domain.custody_chain import (
    GENESIS_HASH,
    _reference_json,
    canonical_json,
    canonical_json_with_plain,
    chain_hash,
    chain_hash_of_decoded,
    loads_plain,
)

VIETNAMESE = "Nguyễn Thị Ánh Tuyết ĐƯỜNG Lê Lợi, phường Bến Nghé — giấy tờ “gốc” ỹ ự ổ"
texts = st.text(max_size=16) | st.sampled_from(VIETNAMESE.split()) | st.text(
    alphabet=VIETNAMESE + "\x00\x1f\x7f\"\\\n\t\u2028\U0001f600", max_size=16)
any_floats = st.floats(allow_nan=True, allow_infinity=True)
small_floats = st.floats(min_value=-1e-3, max_value=1e-3)
ints = st.integers() | st.integers(min_value=-(2**64), max_value=2**64)
json_like = st.recursive(
    st.none() | st.booleans() | ints | any_floats | small_floats | texts,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(texts, inner, max_size=4),
    max_leaves=16,
)


def _outcome(encode, value):  # type: ignore[no-untyped-def]
    """The bytes, or the kind of refusal."""
    try:
        return encode(value)
    except (TypeError, ValueError) as refusal:
        return type(refusal)


@settings(max_examples=500)
@given(value=json_like)
def test_canonical_json_writes_the_reference_bytes_or_refuses_alike(value) -> None:
    assert _outcome(canonical_json, value) == _outcome(_reference_json, value)


@settings(max_examples=1000)
@given(number=st.floats() | st.floats(min_value=-1e-3, max_value=1e-3)
       | st.floats(min_value=1e15, max_value=1e17) | st.floats(min_value=1e-10, max_value=1e-8))
def test_every_float_is_written_as_the_reference_writes_it(number: float) -> None:
    assert _outcome(canonical_json, [number, {"x": number}]) == _outcome(
        _reference_json, [number, {"x": number}])


@pytest.mark.parametrize("value", [
    float("nan"), float("inf"), -float("inf"), 1e-5, -9.999999999999999e-05, 2**64, -(2**63) - 1,
    {1: "a"}, {"a": {(1, 2): 3}}, "\ud800", uuid.UUID(int=7), datetime(2025, 1, 2, tzinfo=UTC),
    enum.Enum("Colour", "red").red, [1, {"b": [float("nan")]}],
])
def test_what_orjson_would_write_differently_goes_to_the_reference(value) -> None:  # type: ignore[no-untyped-def]
    assert _outcome(canonical_json, value) == _outcome(_reference_json, value)


def test_enum_subclasses_of_str_and_int_are_written_as_their_value() -> None:
    class Kind(enum.StrEnum):
        dossier = "dossier"

    class Level(enum.IntEnum):
        high = 3

    value = {"kind": Kind.dossier, "level": Level.high}
    assert canonical_json(value) == _reference_json(value) == b'{"kind":"dossier","level":3}'


bodies = st.builds(
    stored_body,
    event_id=st.uuids().map(str), tracking_number=st.from_regex(r"[A-Z]{2}[0-9]{9}VN", fullmatch=True),
    seq=st.integers(1, 500), event_type=st.sampled_from(["collected", "delivered", "at_post"]),
    actor_user_id=st.integers(1, 2**31), actor_unit_id=st.integers(1, 2**31),
    occurred_at=st.datetimes(timezones=st.just(UTC)),
    received_at=st.datetimes(timezones=st.just(UTC)) .map(lambda d: d + timedelta(0)),
    lat=st.none() | st.floats(-90, 90), lon=st.none() | st.floats(-180, 180),
    accuracy_m=st.none() | st.floats(0, 5000) | st.just(0.00005),
    evidence=st.dictionaries(texts, json_like, max_size=6),
    status_after=st.sampled_from(["delivered", "in_transit"]),
)


@settings(max_examples=300)
@given(body=bodies)
def test_an_event_body_is_written_as_the_reference_writes_it(body) -> None:  # type: ignore[no-untyped-def]
    assert _outcome(canonical_json, body) == _outcome(_reference_json, body)


@settings(max_examples=300)
@given(body=bodies)
def test_a_stored_body_with_its_evidence_decoded_by_loads_plain_hashes_alike(body) -> None:  # type: ignore[no-untyped-def]
    try:
        text = json.dumps(body["evidence"], allow_nan=False)
    except ValueError:
        return  # NaN and infinities are never stored: canonical_json refused them
    try:
        decoded = loads_plain(text)
    except ValueError:
        decoded = None  # the verifier then decodes with json and hashes without the shortcut
    if decoded is None:
        return
    fast = _outcome(lambda b: canonical_json_with_plain(b, "evidence"), {**body, "evidence": decoded})
    if fast is None:
        return  # it cannot vouch: the verifier decodes with json and uses canonical_json
    # When it answers, those are the bytes of the evidence as json decodes it.
    assert fast == _outcome(_reference_json, {**body, "evidence": json.loads(text)})


@pytest.mark.parametrize("evidence", [
    {"big": 2**64}, {"big": -(2**63) - 1}, {"n": [2**70, 1]}, {"tiny": 1e-05},
    {"tiny": [-9.9e-05]}, {"tiny": 5.960464477539063e-08}, {"huge": 1e300},
])
def test_a_body_orjson_may_decode_or_write_otherwise_is_not_vouched_for(evidence) -> None:  # type: ignore[no-untyped-def]
    decoded = loads_plain(json.dumps(evidence))
    assert canonical_json_with_plain({"id": "e1", "evidence": decoded}, "evidence") is None


def test_a_plain_body_is_vouched_for_with_the_reference_bytes() -> None:
    body = {"id": "e1", "when": "2025-01-02T03:04:50.000000Z", "position": {"lat": 20.5},
            "evidence": loads_plain('{"tên": "Lê Thị Hồng", "cash_collected_vnd": 26000}')}
    assert canonical_json_with_plain(body, "evidence") == _reference_json(body)
    assert chain_hash_of_decoded(body, GENESIS_HASH) == chain_hash(body, GENESIS_HASH)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", "1e400", '"\\ud800"'])
def test_loads_plain_refuses_what_json_accepts_beyond_json(text: str) -> None:
    with pytest.raises(ValueError):
        loads_plain(text)


def test_loads_plain_decodes_vietnamese_evidence_like_json() -> None:
    text = json.dumps({"recipient": {"name": "Trần Văn Bình"}, "cash_collected_vnd": 26000,
                       "ratio": 1e-05, "big": 10**17}, ensure_ascii=False)
    assert loads_plain(text) == json.loads(text)
    assert loads_plain(text.encode()) == json.loads(text)
    assert not math.isnan(loads_plain("[0.5]")[0])


@settings(max_examples=1000)
@given(number=st.floats(allow_nan=False, allow_infinity=False)
       | st.floats(min_value=-1e-3, max_value=1e-3) | st.floats(min_value=1e-12, max_value=1e-6))
def test_a_decoded_float_is_written_as_the_reference_writes_it_or_not_vouched_for(
        number: float) -> None:
    text = json.dumps({"x": [number]})
    body = {"id": "0190b7c2-13e-4", "evidence": loads_plain(text)}
    fast = canonical_json_with_plain(body, "evidence")
    assert fast is None or fast == _reference_json({**body, "evidence": json.loads(text)})
