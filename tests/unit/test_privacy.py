"""Positions: full precision for the audit role only (Decree 356/2025/NĐ-CP)."""
from __future__ import annotations

import pytest

from server.domain.geo import distance_m
from server.domain.privacy import position_for

HOME = (20.253912, 105.975087)


def test_the_supervisor_sees_the_position_as_recorded():
    assert position_for("supervisor", *HOME) == HOME


@pytest.mark.parametrize("role", ["admin", "clerk", "agency", "postman"])
def test_other_roles_see_it_rounded_to_about_100_m(role):
    lat, lon = position_for(role, *HOME)
    assert (lat, lon) == (20.254, 105.975)
    assert 0 < distance_m(HOME, (lat, lon)) <= 80  # within half a 0.001° cell


def test_no_position_stays_none():
    assert position_for("clerk", None, None) == (None, None)
