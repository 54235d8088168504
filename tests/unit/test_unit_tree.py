"""The unit tree's paths: a unit's province, its subtree, two units in one province."""
from __future__ import annotations

from server.domain.unit_tree import province_root, same_province, within


def test_the_province_is_the_first_step_of_a_path() -> None:
    assert province_root("/3/17/42/") == "/3/"
    assert province_root("/3/") == "/3/"


def test_a_unit_lies_within_itself_and_its_ancestors_only() -> None:
    assert within("/3/17/42/", "/3/17/")
    assert within("/3/17/", "/3/17/")
    assert not within("/3/17/", "/3/17/42/")
    # Path steps end with "/": unit 1 is no ancestor of unit 17, province 3 none of 31's.
    assert not within("/3/17/", "/3/1/")
    assert not within("/31/5/", "/3/")


def test_units_of_one_province_share_its_root_and_no_other_does() -> None:
    assert same_province("/3/17/", "/3/42/")
    assert not same_province("/3/17/", "/31/17/")
