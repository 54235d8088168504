"""The custody hash chain and the daily Merkle root."""

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.custody_chain import (
    GENESIS_HASH,
    ChainLink,
    canonical_json,
    chain_hash,
    first_broken_link,
    merkle_root,
)

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
bodies = st.dictionaries(st.text(max_size=10), json_scalars, max_size=6)


def _chain(bodies_in_order: list[dict]) -> list[ChainLink]:
    """Build a valid chain the way the recorder does."""
    links = []
    previous = GENESIS_HASH
    for index, body in enumerate(bodies_in_order):
        stored = chain_hash(body, previous)
        links.append(ChainLink(f"e{index}", body, previous, stored))
        previous = stored
    return links


EVENTS = [
    {"type": "registered", "tracking_number": "RH123456785VN", "at": "2026-03-02T08:00:00+07:00"},
    {"type": "at_post", "tracking_number": "RH123456785VN", "at": "2026-03-02T10:00:00+07:00"},
    {
        "type": "out_for_delivery",
        "tracking_number": "RH123456785VN",
        "at": "2026-03-03T08:00:00+07:00",
    },
    {"type": "delivered", "tracking_number": "RH123456785VN", "at": "2026-03-03T09:12:00+07:00"},
]


def test_canonical_json_sorts_keys_without_spaces() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == b'{"a":[1,2],"b":1}'


def test_canonical_json_keeps_vietnamese_as_utf8() -> None:
    assert canonical_json({"tên": "Nguyễn"}) == '{"tên":"Nguyễn"}'.encode()


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"lat": float("nan")})


def test_canonical_json_refuses_infinity() -> None:
    with pytest.raises(ValueError):
        canonical_json({"accuracy_m": float("inf")})


def test_canonical_json_refuses_datetimes() -> None:
    with pytest.raises(TypeError):
        canonical_json({"at": datetime(2026, 3, 2, tzinfo=UTC)})


def test_canonical_json_refuses_non_string_keys() -> None:
    # {1: …} and {"1": …} would otherwise encode, and hash, the same.
    with pytest.raises(TypeError):
        canonical_json({"nested": {1: "a"}})


@settings(max_examples=200)
@given(body=bodies)
def test_canonical_json_ignores_key_insertion_order(body: dict) -> None:
    reversed_body = dict(reversed(list(body.items())))
    assert canonical_json(reversed_body) == canonical_json(body)


def test_chain_hash_is_sha256_of_canonical_body_then_previous_hash() -> None:
    expected = hashlib.sha256(b'{"a":1}' + b"0" * 64).hexdigest()
    assert chain_hash({"a": 1}, GENESIS_HASH) == expected


def test_chain_hash_depends_on_the_previous_hash() -> None:
    assert chain_hash({"a": 1}, GENESIS_HASH) != chain_hash({"a": 1}, "1" * 64)


def test_chain_hash_refuses_a_previous_hash_that_is_not_hex_sha256() -> None:
    with pytest.raises(ValueError):
        chain_hash({"a": 1}, "abc")


def test_intact_chain_has_no_broken_link() -> None:
    links = _chain(EVENTS)
    assert first_broken_link(links, links[-1].stored_hash) is None


def test_empty_chain_with_genesis_head_is_intact() -> None:
    assert first_broken_link([], GENESIS_HASH) is None


def test_changed_event_is_a_hash_mismatch_at_that_event() -> None:
    links = _chain(EVENTS)
    links[1] = replace(links[1], body={**links[1].body, "at": "2026-03-01T10:00:00+07:00"})
    broken = first_broken_link(links, links[-1].stored_hash)
    assert (broken.event_id, broken.reason) == ("e1", "hash_mismatch")


def test_deleted_event_is_a_previous_hash_mismatch_at_the_next_event() -> None:
    links = _chain(EVENTS)
    del links[1]
    broken = first_broken_link(links, links[-1].stored_hash)
    assert (broken.event_id, broken.reason) == ("e2", "previous_hash_mismatch")


def test_reordered_events_are_a_previous_hash_mismatch() -> None:
    links = _chain(EVENTS)
    links[1], links[2] = links[2], links[1]
    broken = first_broken_link(links, None)
    assert (broken.event_id, broken.reason) == ("e2", "previous_hash_mismatch")


def test_rehashed_changed_event_still_breaks_the_next_link() -> None:
    # Someone who edits an event and recomputes its hash is caught by the event after it.
    links = _chain(EVENTS)
    body = {**links[1].body, "type": "returned"}
    links[1] = replace(links[1], body=body, stored_hash=chain_hash(body, links[1].previous_hash))
    broken = first_broken_link(links, None)
    assert (broken.event_id, broken.reason) == ("e2", "previous_hash_mismatch")


def test_deleted_last_event_is_a_head_mismatch_naming_the_new_last() -> None:
    links = _chain(EVENTS)
    head = links[-1].stored_hash
    broken = first_broken_link(links[:-1], head)
    assert (broken.event_id, broken.reason) == ("e2", "head_mismatch")


def test_all_events_deleted_is_a_head_mismatch_without_event() -> None:
    head = _chain(EVENTS)[-1].stored_hash
    broken = first_broken_link([], head)
    assert (broken.event_id, broken.reason) == (None, "head_mismatch")


def test_without_expected_head_a_truncated_chain_passes() -> None:
    assert first_broken_link(_chain(EVENTS)[:-1], None) is None


@settings(max_examples=200)
@given(chain_bodies=st.lists(bodies, min_size=1, max_size=6), data=st.data())
def test_any_changed_body_is_found_at_its_own_link(
    chain_bodies: list[dict], data: st.DataObject
) -> None:
    links = _chain(chain_bodies)
    index = data.draw(st.integers(min_value=0, max_value=len(links) - 1))
    # Keys drawn are at most 10 characters, so this one is always a real change.
    tampered = {**links[index].body, "added_after_the_fact": True}
    links[index] = replace(links[index], body=tampered)
    broken = first_broken_link(links, None)
    assert (broken.event_id, broken.reason) == (f"e{index}", "hash_mismatch")


def _pair(left: str, right: str) -> str:
    """Hash two hex hashes the way the root is specified."""
    return hashlib.sha256((left + right).encode("ascii")).hexdigest()


A, B, C = "a" * 64, "b" * 64, "c" * 64


def test_merkle_root_of_no_hashes_is_genesis() -> None:
    assert merkle_root([]) == GENESIS_HASH


def test_merkle_root_of_one_hash_is_that_hash() -> None:
    assert merkle_root([A]) == A


def test_merkle_root_of_two_hashes_hashes_their_concatenation() -> None:
    assert merkle_root([A, B]) == _pair(A, B)


def test_merkle_root_duplicates_the_odd_hash() -> None:
    assert merkle_root([A, B, C]) == _pair(_pair(A, B), _pair(C, C))


def test_merkle_root_depends_on_order() -> None:
    assert merkle_root([A, B]) != merkle_root([B, A])


def test_merkle_root_refuses_a_value_that_is_not_a_hex_hash() -> None:
    with pytest.raises(ValueError):
        merkle_root(["not-a-hash"])
