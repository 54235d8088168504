"""Positions of field events and their distance from the recipient's address (docs/design.md §4)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from geopy.distance import geodesic

from server.domain.errors import DomainError


@dataclass(frozen=True)
class Position:
    """A phone's position fix: latitude, longitude (degrees) and accuracy radius in metres."""

    lat: float
    lon: float
    accuracy_m: float | None = None

    def __post_init__(self) -> None:
        """Raise DomainError `invalid_position` when a coordinate or the accuracy is impossible."""
        # Range comparisons are false for NaN, so a NaN coordinate is rejected as well.
        valid = (
            -90 <= self.lat <= 90
            and -180 <= self.lon <= 180
            and (
                self.accuracy_m is None
                or (self.accuracy_m >= 0 and math.isfinite(self.accuracy_m))
            )
        )
        if not valid:
            raise DomainError(
                "invalid_position",
                "Vị trí không hợp lệ: vĩ độ phải trong [-90, 90], kinh độ trong [-180, 180], "
                "độ chính xác (± m) không âm. Hãy bật định vị và thử lại.",
                {"lat": self.lat, "lon": self.lon, "accuracy_m": self.accuracy_m},
            )


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the geodesic (WGS-84) distance in metres between two (lat, lon) points."""
    return float(geodesic(a, b).meters)


#: The mean Earth radius (IUGG) of the cheap spherical distance.
_MEAN_RADIUS_M = 6_371_008.8
#: How far the spherical distance may stray from the WGS-84 geodesic: the ellipsoid's radii of
#: curvature lie within 0.6 % of the mean radius; 1 % (and a centimetre) leaves room to spare.
_SPHERE_TOLERANCE = 0.01
_SPHERE_SLACK_M = 0.01


def _sphere_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance on the mean sphere: a few microseconds, within 1 % of the geodesic."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def certainly_within(a: tuple[float, float], b: tuple[float, float], limit_m: float) -> bool:
    """True when the cheap bound alone proves `distance_m(a, b) <= limit_m`.

    False means "not proven", never "beyond": the caller then measures the geodesic. Checks
    run on every event at ingest and the geodesic costs ~100 µs, the bound ~2 µs.
    """
    return _sphere_m(a, b) * (1 + _SPHERE_TOLERANCE) + _SPHERE_SLACK_M < limit_m


def certainly_beyond(a: tuple[float, float], b: tuple[float, float], limit_m: float) -> bool:
    """True when the cheap bound alone proves `distance_m(a, b) > limit_m` (see `certainly_within`)."""
    return _sphere_m(a, b) * (1 - _SPHERE_TOLERANCE) - _SPHERE_SLACK_M > limit_m


def far_from_address(
    position: Position, address: tuple[float, float] | None, threshold_m: float
) -> dict[str, Any] | None:
    """Return the evidence of a `far_from_address` flag, or None when the fix is close enough."""
    if address is None:
        # An address without coordinates cannot be checked; that is not the postman's fault.
        return None
    limit_m = threshold_m + (position.accuracy_m or 0)
    if certainly_within((position.lat, position.lon), address, limit_m):
        return None
    distance = distance_m((position.lat, position.lon), address)
    # The fix may be off by its accuracy, so only what lies beyond that margin is evidence.
    if distance <= threshold_m + (position.accuracy_m or 0):
        return None
    return {
        "distance_m": round(distance, 1),
        "threshold_m": threshold_m,
        "accuracy_m": position.accuracy_m,
    }
