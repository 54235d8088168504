"""Invented citizens: names, phones, personal numbers and addresses in the demo's wards.

Every name, phone number, ID number and address here is invented.
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

from server.models import Unit

K = TypeVar("K")

#: Share of items per post office: the central one carries most.
OFFICE_SHARES = {"BC-TRUNGTAM": 0.60, "BC-NAMDINH": 0.25, "BC-PHULY": 0.15}
#: Addresses lie within this distance of their post office.
ADDRESS_RADIUS_M = 3_000

#: Family names with rough frequencies, so a list of citizens looks like a real one.
FAMILY_NAMES = {
    "Nguyễn": 31, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Vũ": 5, "Đỗ": 4, "Bùi": 4,
    "Đặng": 3, "Ngô": 3, "Đinh": 3, "Phan": 3, "Dương": 2, "Lương": 2, "Trịnh": 2, "Mai": 2,
    "Tạ": 1, "Đoàn": 1,
}
MIDDLE_NAMES = {
    "m": ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thành", "Xuân", "Mạnh"],
    "f": ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Phương", "Hồng", "Minh", "Kim"],
}
GIVEN_NAMES = {
    "m": ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Long",
          "Minh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Tùng", "Việt"],
    "f": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Huyền", "Hương", "Lan",
          "Linh", "Loan", "Mai", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang",
          "Tuyết", "Vân", "Yến"],
}
STREETS = [
    "đường Trần Hưng Đạo", "đường Lê Hồng Phong", "đường Lê Thái Tổ", "đường Đinh Tiên Hoàng",
    "đường Nguyễn Huệ", "đường Tràng An", "đường Quang Trung", "đường Trần Phú",
    "đường Lý Thường Kiệt", "đường Ngô Quyền", "phố Lương Văn Tụy", "phố Hải Thượng Lãn Ông",
    "phố Kim Đồng", "phố Lê Lợi", "phố Phạm Hồng Thái", "phố Nguyễn Trãi", "phố Hoàng Diệu",
    "phố Bà Triệu",
]
#: Mobile prefixes in use, so every number matches ^0(3|5|7|8|9)\d{8}$.
PHONE_PREFIXES = ["032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "070",
                  "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088",
                  "089", "090", "091", "093", "094", "096", "097", "098"]
#: First three digits of a 12-digit personal number: the place of birth (invented numbers).
ID_PLACE_CODES = ["037", "037", "036", "035"]
PROXY_RELATIONSHIPS = ["Vợ", "Chồng", "Con", "Bố", "Mẹ", "Anh trai", "Chị gái", "Em trai"]


@dataclass(frozen=True)
class Citizen:
    """An invented citizen living in the ward of one post office."""

    name: str
    family: str
    phone: str
    id_type: str
    id_number: str
    office_code: str
    commune: str
    line: str
    lat: float
    lon: float
    #: The pre-2025 three-level address on the citizen's older papers, as written.
    legacy: str | None = None


def weighted(rng: random.Random, weights: Mapping[K, int]) -> K:
    """One key drawn by its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def offset(lat: float, lon: float, distance_m: float, bearing: float) -> tuple[float, float]:
    """The point `distance_m` away on `bearing` (radians); flat-earth is plenty at this scale."""
    dlat = distance_m * math.cos(bearing) / 111_320
    dlon = distance_m * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _unique(taken: set[str], make: Callable[[], str]) -> str:
    """A value from `make` not handed out before."""
    value = make()
    while value in taken:
        value = make()
    taken.add(value)
    return value


def _phone(rng: random.Random) -> str:
    """An invented mobile number."""
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def person_name(rng: random.Random, sex: str, family: str | None = None) -> tuple[str, str]:
    """A full name (family, middle, given) and its family name."""
    family = family or weighted(rng, FAMILY_NAMES)
    return f"{family} {rng.choice(MIDDLE_NAMES[sex])} {rng.choice(GIVEN_NAMES[sex])}", family


def _personal_number(rng: random.Random, sex: str) -> str:
    """An invented 12-digit personal number: place, sex and century, birth year, serial."""
    born = rng.randint(1950, 2006)
    century_sex = (0 if born < 2000 else 2) + (1 if sex == "f" else 0)
    return (f"{rng.choice(ID_PLACE_CODES)}{century_sex}{born % 100:02d}"
            f"{rng.randrange(10**6):06d}")


def _street_line(rng: random.Random) -> str:
    """A street line of a two-level address."""
    street, number = rng.choice(STREETS), rng.randint(1, 220)
    if rng.random() < 0.3:
        return f"Số {number}, ngõ {rng.randint(2, 80)} {street}"
    return f"Số {number} {street}"


def make_citizens(rng: random.Random, count: int, offices: dict[str, Unit]) -> list[Citizen]:
    """`count` invented citizens spread over the wards of the post offices by their share."""
    codes = list(offices)
    weights = [OFFICE_SHARES.get(code, 0.1) for code in codes]
    # Every office gets someone first, so each has citizens to serve even in a tiny seed.
    homes = codes[:count] + rng.choices(codes, weights=weights, k=max(0, count - len(codes)))
    phones: set[str] = set()
    numbers: set[str] = set()
    citizens = []
    for code in homes:
        office, sex = offices[code], rng.choice("mf")
        name, family = person_name(rng, sex)
        lat, lon = offset(office.lat or 0.0, office.lon or 0.0,
                           ADDRESS_RADIUS_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi))
        citizens.append(Citizen(
            name=name, family=family, phone=_unique(phones, lambda: _phone(rng)),
            id_type="can_cuoc" if rng.random() < 0.2 else "cccd",
            id_number=_unique(numbers, partial(_personal_number, rng, sex)),
            office_code=code, commune=office.commune, line=_street_line(rng), lat=lat, lon=lon))
    return [_with_legacy_address(citizen) for citizen in citizens]


#: The town and province (before the 2025 merger and the end of districts) around each
#: demo office's ward: older papers still carry these three-level addresses.
LEGACY_AREAS = {
    "Phường Hoa Lư": "thành phố Hoa Lư, tỉnh Ninh Bình",
    "Phường Nam Định": "thành phố Nam Định, tỉnh Nam Định",
    "Phường Phủ Lý": "thành phố Phủ Lý, tỉnh Hà Nam",
}


def _with_legacy_address(citizen: Citizen) -> Citizen:
    """About three citizens in ten also give the address of their older papers.

    Chosen from the phone number's last digit, so the random draws (and the demo) stay as
    they were.
    """
    area = LEGACY_AREAS.get(citizen.commune)
    if area is None or int(citizen.phone[-1]) >= 3:
        return citizen
    return replace(citizen, legacy=f"{citizen.line}, {area}")
