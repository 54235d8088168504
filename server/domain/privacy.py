"""Least personal data per role (Law 91/2025/QH15; Decree 356/2025/NĐ-CP, in force 1/1/2026).

Location data is sensitive personal data under Decree 356/2025/NĐ-CP: a citizen's home
position and the positions of the doorstep events are shown at full precision only to
the audit role (the supervisor, kiểm soát viên), who checks proof of delivery; everyone
else sees them rounded to about 100 m, enough to find the street and no more.
"""
from __future__ import annotations

#: Roles that audit custody and so see positions at full precision.
AUDIT_ROLES = frozenset({"supervisor"})
#: Decimal places kept for the other roles: 0.001° ≈ 111 m of latitude (≈ 105 m of
#: longitude at 20°N, Ninh Bình).
ROUNDED_DECIMALS = 3


def position_for(role: str, lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """The position as `role` may see it: unchanged for audit roles, else rounded (~100 m)."""
    if lat is None or lon is None or role in AUDIT_ROLES:
        return lat, lon
    return round(lat, ROUNDED_DECIMALS), round(lon, ROUNDED_DECIMALS)
