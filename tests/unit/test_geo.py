"""Positions and distance from the recipient's address."""

import math

import pytest

from server.domain.errors import DomainError
from server.domain.geo import Position, distance_m, far_from_address

# Hồ Gươm (Hoàn Kiếm Lake) and the Hà Nội Opera House, about 730 m apart.
HO_GUOM = (21.0285, 105.8522)
NHA_HAT_LON = (21.0243, 105.8576)


def test_position_accepts_the_poles_and_the_antimeridian() -> None:
    assert Position(-90.0, 180.0, 0.0).lat == -90.0


def test_position_accepts_an_unknown_accuracy() -> None:
    assert Position(21.0, 105.8).accuracy_m is None


@pytest.mark.parametrize(
    ("lat", "lon", "accuracy_m"),
    [
        (90.1, 0.0, 5.0),
        (0.0, -180.1, 5.0),
        (0.0, 0.0, -1.0),
        (math.nan, 0.0, 5.0),
        (0.0, 0.0, math.inf),
    ],
)
def test_position_refuses_impossible_values(lat: float, lon: float, accuracy_m: float) -> None:
    with pytest.raises(DomainError) as caught:
        Position(lat, lon, accuracy_m)
    assert caught.value.code == "invalid_position"


def test_distance_of_one_degree_along_the_equator_is_on_the_wgs84_ellipsoid() -> None:
    # WGS-84 equatorial radius 6,378,137 m × π/180; a sphere of mean radius would give 111,195 m.
    assert distance_m((0.0, 0.0), (0.0, 1.0)) == pytest.approx(111_319.49, abs=0.01)


def test_distance_from_the_equator_to_the_pole_is_the_wgs84_meridian_quadrant() -> None:
    assert distance_m((0.0, 0.0), (90.0, 0.0)) == pytest.approx(10_001_965.73, abs=0.01)


def test_distance_to_the_same_point_is_zero() -> None:
    assert distance_m(HO_GUOM, HO_GUOM) == 0.0


def test_far_from_address_gives_the_evidence() -> None:
    evidence = far_from_address(Position(*HO_GUOM, 20.0), NHA_HAT_LON, 300.0)
    assert evidence == {
        "distance_m": pytest.approx(729, abs=1),
        "threshold_m": 300.0,
        "accuracy_m": 20.0,
    }


def test_far_from_address_rounds_the_distance_to_decimetres() -> None:
    evidence = far_from_address(Position(*HO_GUOM, 20.0), NHA_HAT_LON, 300.0)
    assert evidence["distance_m"] == round(evidence["distance_m"], 1)


def test_a_fix_within_the_threshold_is_not_far() -> None:
    assert far_from_address(Position(*HO_GUOM, 20.0), NHA_HAT_LON, 1000.0) is None


def test_a_poor_fix_whose_accuracy_covers_the_gap_is_not_far() -> None:
    # About 729 m away, but ± 500 m: the postman may well have been within 300 m.
    assert far_from_address(Position(*HO_GUOM, 500.0), NHA_HAT_LON, 300.0) is None


def test_an_address_without_coordinates_is_never_far() -> None:
    assert far_from_address(Position(*HO_GUOM, 20.0), None, 300.0) is None
