"""The streaming chain check used by `custody verify`: same verdicts as `first_broken_link`,
and the fast hash of stored bodies equal to `chain_hash`."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from server.custody.events import iso_utc
from server.domain.custody_chain import (
    GENESIS_HASH,
    ChainLink,
    ChainWalk,
    chain_hash,
    chain_hash_of_decoded,
    first_broken_link,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)
bodies = st.dictionaries(st.text(max_size=10), json_values, max_size=6)


def _chain(count: int) -> list[ChainLink]:
    """A valid chain of `count` events e0, e1, …"""
    links, previous = [], GENESIS_HASH
    for index in range(count):
        body = {"seq": index + 1, "type": "at_post", "evidence": {"tên": "Nguyễn", "n": index}}
        stored = chain_hash(body, previous)
        links.append(ChainLink(f"e{index}", body, previous, stored))
        previous = stored
    return links


def _walk(links: list[ChainLink], head: str | None, count: int | None = None,
          seqs: list[int] | None = None):  # type: ignore[no-untyped-def]
    """The verdict of ChainWalk over the links (sequence numbers 1, 2, … unless given)."""
    walk = ChainWalk(head, count)
    for index, link in enumerate(links):
        seq = seqs[index] if seqs else index + 1
        broken = walk.add(link.event_id, seq, link.body, link.previous_hash, link.stored_hash)
        if broken is not None:
            return broken
    return walk.finish()


@settings(max_examples=200)
@given(body=bodies)
def test_the_fast_hash_of_a_decoded_body_is_the_chain_hash(body: dict) -> None:
    decoded = json.loads(json.dumps(body))
    assert chain_hash_of_decoded(decoded, GENESIS_HASH) == chain_hash(decoded, GENESIS_HASH)


def test_an_intact_chain_walks_clean() -> None:
    links = _chain(4)
    assert _walk(links, links[-1].stored_hash, 4) is None


def test_the_walk_names_a_changed_event_like_first_broken_link() -> None:
    links = _chain(4)
    links[2] = replace(links[2], body={**links[2].body, "type": "delivered"})
    expected = first_broken_link(links, links[-1].stored_hash)
    assert _walk(links, links[-1].stored_hash, 4) == expected
    assert (expected.event_id, expected.reason) == ("e2", "hash_mismatch")


def test_the_walk_names_the_event_after_a_deleted_one() -> None:
    links = _chain(4)
    head = links[-1].stored_hash
    del links[1]
    broken = _walk(links, head, 4, seqs=[1, 3, 4])
    assert broken == first_broken_link(links, head)
    assert (broken.event_id, broken.reason) == ("e2", "previous_hash_mismatch")


def test_the_walk_names_a_deleted_last_event_as_a_head_mismatch() -> None:
    links = _chain(4)
    broken = _walk(links[:-1], links[-1].stored_hash, 4)
    assert (broken.event_id, broken.reason) == ("e2", "head_mismatch")


def test_the_walk_names_a_numbering_gap_after_the_links_hold() -> None:
    links = _chain(3)
    broken = _walk(links, links[-1].stored_hash, 3, seqs=[1, 3, 4])
    assert (broken.event_id, broken.reason) == ("e1", "sequence_gap")


def test_the_walk_names_a_count_that_differs_from_the_items() -> None:
    links = _chain(3)
    broken = _walk(links, links[-1].stored_hash, 5)
    assert (broken.event_id, broken.reason) == ("e2", "event_count_mismatch")


def test_an_item_without_events_needs_the_genesis_head() -> None:
    assert _walk([], GENESIS_HASH, 0) is None
    assert _walk([], _chain(1)[0].stored_hash, 0).reason == "head_mismatch"


@settings(max_examples=300)
@given(moment=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30),
                           timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)),
                                                      timezone(timedelta(hours=-5, minutes=-30))])))
def test_iso_utc_writes_what_strftime_wrote(moment: datetime) -> None:
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return
    assert iso_utc(moment) == utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
