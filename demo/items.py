"""Synthetic citizens and items in every state, their histories replayed through the services.

Every name, phone number, ID number and address here is invented. Histories lie on the working
days of the last month, in working hours (Asia/Ho_Chi_Minh), and every event goes through
`append_event`, so chains, holders and audit flags are those the live paths would make.

Three passes: plan each item as steps on working-day offsets, schedule the steps (batched
handovers share one time, a postman's doorstep stops are spaced along the day), then replay.
"""
from __future__ import annotations

import hashlib
import itertools
import math
import random
import struct
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from pydantic import BaseModel

from demo.seed import DemoWorld
from server.custody.events import Holder, append_event
from server.custody.schemas import AttemptFailedEvent, CollectedEvent, DeliveredEvent
from server.custody.sync import ENVELOPE_FIELDS
from server.domain.fees import quote_fees
from server.domain.geo import Position
from server.domain.identity import digest_id_number, validate_id_number
from server.domain.lifecycle import (
    EventType,
    FailureAction,
    FailureReason,
    ItemKind,
    ItemStatus,
)
from server.domain.service_time import LOCAL_TZ, is_working_day, service_deadline
from server.extensions import db
from server.handovers.service import custody_event_type, start_result_consignment
from server.items.schemas import ItemCreate
from server.items.service import (
    allocate_tracking_number,
    checked_address,
    create_item,
    default_route_class,
    eligible_procedure,
    item_placement,
)
from server.media.service import store_media
from server.media.storage import media_storage
from server.models import (
    AuditFlag,
    HandoverLine,
    HandoverRecord,
    Item,
    Procedure,
    Role,
    Unit,
    User,
)
from server.models.types import utc_now

# ---------------------------------------------------------------------------------------------
# Invented people and places
# ---------------------------------------------------------------------------------------------

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

#: Share of items per post office: the central one carries most.
OFFICE_SHARES = {"BC-TRUNGTAM": 0.60, "BC-NAMDINH": 0.25, "BC-PHULY": 0.15}
#: The office whose clerk also works the post's desk inside the one-stop centre.
DESK_OFFICE = "BC-TRUNGTAM"
#: Agencies whose results that desk registers at the counter (the others register their own).
DESK_AGENCIES = frozenset({"TTHCC", "SO-TP"})
#: One-stop agency ids of the dossier codes (TT 01/2018/TT-VPCP Art.19), invented.
AGENCY_DOSSIER_IDS = {"TTHCC": "000.00.00.H41", "CA-TINH": "000.20.41.H41",
                      "BHXH-TINH": "000.40.41.H41", "SO-TP": "000.30.41.H41"}
PROCEDURE_WEIGHTS = {"CA-CCCD-DOI": 30, "CA-GPLX-DOI": 15, "TP-LLTP": 20, "BHXH-SO-CAPLAI": 8,
                     "BHXH-THE-CAPLAI": 12, "TTHCC-DATDAI": 15}
#: What the envelope of a result holds, per procedure.
RESULT_DOCUMENTS = {
    "CA-CCCD-DOI": "Thẻ căn cước", "CA-GPLX-DOI": "Giấy phép lái xe",
    "BHXH-SO-CAPLAI": "Sổ bảo hiểm xã hội", "BHXH-THE-CAPLAI": "Thẻ bảo hiểm y tế",
    "TP-LLTP": "Phiếu lý lịch tư pháp", "TTHCC-DATDAI": "Giấy chứng nhận quyền sử dụng đất",
}
APPOINTMENT_SLIP = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
#: QĐ45 Art.12: postage within an area and between areas; TT22/2017 exempts or halves it.
POSTAGE_SAME_AREA_VND, POSTAGE_OTHER_VND = 26_000, 30_000
ITEMS_PER_CITIZEN = 1.3
#: Addresses lie within this distance of their post office.
ADDRESS_RADIUS_M = 3_000


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


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    """One key drawn by its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _offset(lat: float, lon: float, distance_m: float, bearing: float) -> tuple[float, float]:
    """The point `distance_m` away on `bearing` (radians); flat-earth is plenty at this scale."""
    dlat = distance_m * math.cos(bearing) / 111_320
    dlon = distance_m * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _unique(rng: random.Random, taken: set[str], make: Callable[[], str]) -> str:
    """A value from `make` not handed out before."""
    value = make()
    while value in taken:
        value = make()
    taken.add(value)
    return value


def _phone(rng: random.Random) -> str:
    """An invented mobile number."""
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def _person_name(rng: random.Random, sex: str, family: str | None = None) -> tuple[str, str]:
    """A full name (family, middle, given) and its family name."""
    family = family or _weighted(rng, FAMILY_NAMES)
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
        name, family = _person_name(rng, sex)
        lat, lon = _offset(office.lat or 0.0, office.lon or 0.0,
                           ADDRESS_RADIUS_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi))
        citizens.append(Citizen(
            name=name, family=family, phone=_unique(rng, phones, lambda: _phone(rng)),
            id_type="can_cuoc" if rng.random() < 0.2 else "cccd",
            id_number=_unique(rng, numbers, lambda: _personal_number(rng, sex)),
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


# ---------------------------------------------------------------------------------------------
# Small generated images: signatures, written authorisations, doorstep photos
# ---------------------------------------------------------------------------------------------

def _png(width: int, height: int, pixels: bytes, colour_type: int) -> bytes:
    """Encode 8-bit rows (grey: colour_type 0, RGB: 2) as a PNG."""
    stride = width * (3 if colour_type == 2 else 1)
    raw = b"".join(b"\x00" + pixels[row * stride:(row + 1) * stride] for row in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def _stroke(canvas: bytearray, width: int, height: int, points: list[tuple[float, float]],
            ink: int = 20) -> None:
    """Draw a 2-pixel pen along the points."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        steps = max(1, int(2 * math.hypot(x1 - x0, y1 - y0)))
        for i in range(steps + 1):
            x, y = int(x0 + (x1 - x0) * i / steps), int(y0 + (y1 - y0) * i / steps)
            for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
                if 0 <= x + dx < width and 0 <= y + dy < height:
                    canvas[(y + dy) * width + x + dx] = ink


def _scribble(rng: random.Random, left: float, right: float, middle: float,
              amplitude: float) -> list[tuple[float, float]]:
    """A handwritten-looking line: two waves of different speed along a baseline."""
    loops, phase = rng.uniform(3, 7), rng.uniform(0, 6.3)
    count = 90
    return [(left + (right - left) * i / count,
             middle + amplitude * math.sin(phase + loops * 6.3 * i / count)
             + amplitude * 0.5 * math.sin(2.7 * phase + 17 * i / count))
            for i in range(count + 1)]


def signature_png(seed: str) -> bytes:
    """A signature-like grey PNG that depends on `seed` (so each one has its own hash)."""
    rng = random.Random(seed)
    width, height = 180, 60
    canvas = bytearray(b"\xff" * (width * height))
    _stroke(canvas, width, height, _scribble(rng, 12, width - 12, height / 2, rng.uniform(8, 16)))
    return _png(width, height, bytes(canvas), 0)


def document_png(seed: str) -> bytes:
    """A written authorisation: title, lines of text as grey bars, a signature at the foot."""
    rng = random.Random(seed)
    width, height = 120, 160
    canvas = bytearray(b"\xff" * (width * height))
    for top, left, right in [(10, 30, 90)] + [(30 + 9 * k, 10, rng.randint(60, 110))
                                               for k in range(11)]:
        for y in range(top, top + 3):
            canvas[y * width + left:y * width + right] = bytes([150]) * (right - left)
    _stroke(canvas, width, height, _scribble(rng, 60, 112, 145, 5))
    return _png(width, height, bytes(canvas), 0)


def photo_png(seed: str) -> bytes:
    """A doorstep photo stand-in: a wall, a door and the envelope, colours from `seed`."""
    rng = random.Random(seed)
    width, height = 96, 72
    wall = bytes(rng.randint(150, 230) for _ in range(3))
    door = bytes(rng.randint(40, 140) for _ in range(3))
    door_left = rng.randint(20, 60)
    rows = []
    for y in range(height):
        row = bytearray(wall * width)
        if y > 15:
            row[door_left * 3:(door_left + 24) * 3] = door * 24
        if 40 < y < 52:
            row[30 * 3:46 * 3] = b"\xf0\xe6\xc8" * 16
        rows.append(bytes(row))
    return _png(width, height, b"".join(rows), 2)


# ---------------------------------------------------------------------------------------------
# The calendar: working days of the last month, "today" being the last one started
# ---------------------------------------------------------------------------------------------

#: Nominal working day; today's history is squeezed into the part of it already past.
DAY_START, DAY_END = 7 * 3600, 17 * 3600 + 30 * 60
#: Today counts once the office has been open a while; earlier, yesterday is "today".
TODAY_FROM = time(8, 0)
#: Within these hours an item registered "today" goes through create_item with the real clock.
COUNTER_OPEN, COUNTER_CLOSE = time(7, 30), time(17, 0)
HISTORY_DAYS = 30


@dataclass(frozen=True)
class Calendar:
    """Working days, oldest first; the last one is "today" of the demo."""

    days: tuple[date, ...]
    now: datetime

    @classmethod
    def ending_at(cls, now: datetime) -> Calendar:
        """The working days of the last month up to the last one that has begun."""
        local = now.astimezone(LOCAL_TZ)
        last = local.date()
        if not (is_working_day(last) and local.time() >= TODAY_FROM):
            last -= timedelta(days=1)
            while not is_working_day(last):
                last -= timedelta(days=1)
        first = local.date() - timedelta(days=HISTORY_DAYS)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return cls(tuple(d for d in days if is_working_day(d)), now)

    @property
    def today(self) -> int:
        """The index of the demo's today."""
        return len(self.days) - 1

    def is_live(self, day: int) -> bool:
        """Whether `day` is the real current date (intake then goes through create_item)."""
        return self.days[day] == self.now.astimezone(LOCAL_TZ).date()

    def counter_open(self, day: int) -> bool:
        """Whether `day` is today and the counters are open right now."""
        local = self.now.astimezone(LOCAL_TZ).time()
        return self.is_live(day) and COUNTER_OPEN <= local <= COUNTER_CLOSE

    def moment(self, day: int, seconds: int) -> datetime:
        """The UTC time of `seconds` after local midnight on working day `day`, in the past."""
        if self.is_live(day):
            # Scale today's nominal day into what has passed of it, keeping the order.
            local_now = self.now.astimezone(LOCAL_TZ)
            passed = (local_now.hour * 3600 + local_now.minute * 60 + local_now.second
                      - 120 - DAY_START)
            if passed < DAY_END - DAY_START:
                seconds = DAY_START + round((seconds - DAY_START) * passed / (DAY_END - DAY_START))
        local = datetime.combine(self.days[day], time(), tzinfo=LOCAL_TZ) + timedelta(seconds=seconds)
        return local.astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Plans: each item's steps on working-day offsets
# ---------------------------------------------------------------------------------------------

class Action(StrEnum):
    """One thing a person does to an item in the demo's history."""

    intake = "intake"  # counter: collected/registered then at_post (like create_item)
    register = "register"  # the agency officer registers a result
    request = "request"  # the citizen asks for a pickup at home
    cancel = "cancel"
    collect = "collect"  # doorstep: dossier taken from the citizen
    handover = "handover"  # custody moves at the receiver's signature
    sort = "sort"  # clerk scans a dossier the postman brought back: at_post
    transit = "transit"  # the carrier leaves for the agency: in_transit
    out = "out"  # out_for_delivery
    attempt = "attempt"  # doorstep: attempt_failed
    deliver = "deliver"  # doorstep delivery
    deliver_counter = "deliver_counter"  # the citizen collects a held result at the counter
    hold = "hold"  # held_for_pickup
    give_back = "give_back"  # returned (to the agency)


@dataclass(frozen=True)
class Batch:
    """One handover record: its kind and day, who lists, who signs, from whom to whom."""

    day: int
    kind: str
    sender_id: int
    receiver_id: int
    from_user_id: int | None
    from_unit_id: int
    to_user_id: int | None
    to_unit_id: int


@dataclass
class Step:
    """One action of a plan; `seconds` (after local midnight) is set by the scheduler."""

    day: int
    action: Action
    actor: User
    batch: Batch | None = None
    reason: FailureReason | None = None
    then: FailureAction | None = None
    far: bool = False
    seconds: int = 0


@dataclass
class OfficeStaff:
    """The people of one post office: its clerk and postmen (the last one also carries bags)."""

    office: Unit
    clerk: User
    postmen: list[User]

    @property
    def carrier(self) -> User:
        """Who takes the dossiers to the agencies."""
        return self.postmen[-1]


@dataclass
class Plan:
    """Everything about one future item, then the item itself once replayed."""

    kind: ItemKind
    staff: OfficeStaff
    procedure: Procedure
    officer: User
    citizen: Citizen
    postman: User
    slip: bool
    day: int = 0
    steps: list[Step] = field(default_factory=list)
    proxy: bool = False
    linked: Plan | None = None
    dossier_code: str | None = None
    item: Item | None = None

    @property
    def agency(self) -> Unit:
        """The agency the item goes to or comes from."""
        return self.procedure.agency_unit

    @property
    def made(self) -> Item:
        """The item, once its first step has been replayed."""
        if self.item is None:
            raise RuntimeError("the plan's item does not exist yet")
        return self.item


class End(StrEnum):
    """Where a plan's last step lies."""

    today = "today"
    recent = "recent"  # today or yesterday
    yesterday = "yesterday"
    hold = "hold"  # one to four working days ago
    past = "past"  # within the month, before today


#: (scenario, share of an office's items). Every (kind, status) pair has its scenario.
SCENARIOS: tuple[tuple[str, float], ...] = (
    ("requested", 0.03), ("dossier_cancelled", 0.015), ("collected", 0.03),
    ("dossier_at_post", 0.05), ("in_transit", 0.03), ("filed", 0.20),
    ("registered", 0.05), ("result_cancelled", 0.015), ("result_at_post", 0.05),
    ("out_for_delivery", 0.08), ("attempt_failed", 0.05), ("held_for_pickup", 0.03),
    ("delivered", 0.33), ("returned", 0.04),
)
FIRST_ATTEMPT_REASONS = {
    FailureReason.absent: 60, FailureReason.not_found: 10, FailureReason.id_missing: 10,
    FailureReason.papers_missing: 8, FailureReason.proxy_invalid: 7,
    FailureReason.force_majeure: 5,
}
#: TT17 Art.5(2)(h): these make a result undeliverable at once.
UNDELIVERABLE = [FailureReason.refused, FailureReason.address_wrong, FailureReason.moved]


class Planner:
    """Draws the plans of one seed: which items, for whom, and their steps."""

    def __init__(self, rng: random.Random, calendar: Calendar, offices: dict[str, OfficeStaff],
                 officers: dict[int, User], procedures: list[Procedure],
                 citizens: list[Citizen]) -> None:
        self.rng, self.calendar, self.offices = rng, calendar, offices
        self.officers = officers
        self.procedures = procedures
        self.citizens: dict[str, list[Citizen]] = defaultdict(list)
        for citizen in citizens:
            self.citizens[citizen.office_code].append(citizen)
        self.far_left = 2  # the first deliveries made far from the door, so flags exist
        # The first postman of an office walks the longer round: two items in three.
        self.rotas: dict[tuple[str, str], Iterator[User]] = {
            (code, scenario): itertools.cycle([staff.postmen[0], *staff.postmen])
            for code, staff in offices.items() for scenario, _share in SCENARIOS
        }

    def plans(self, item_count: int) -> list[Plan]:
        """All plans, in every scenario, for every office with citizens."""
        plans: list[Plan] = []
        shares = {code: OFFICE_SHARES.get(code, 0.1) for code in self.offices if self.citizens[code]}
        total = sum(shares.values())
        for index, (code, share) in enumerate(shares.items()):
            for scenario, fraction in SCENARIOS:
                count = round(fraction * item_count * share / total)
                # The main office shows every state even in a tiny seed.
                for _ in range(max(count, 1) if index == 0 else count):
                    plans.append(self._plan(scenario, self.offices[code]))
        self._link_results(plans)
        return plans

    def _plan(self, scenario: str, staff: OfficeStaff) -> Plan:
        """One plan of a scenario, its steps anchored in the calendar."""
        kind = ItemKind.dossier if scenario in {
            "requested", "dossier_cancelled", "collected", "dossier_at_post", "in_transit",
            "filed"} else ItemKind.result
        procedure = self.rng.choices(
            self.procedures, weights=[PROCEDURE_WEIGHTS.get(p.code, 5) for p in self.procedures])[0]
        postman = next(self.rotas[(staff.office.code, scenario)])
        plan = Plan(kind=kind, staff=staff, procedure=procedure,
                    officer=self.officers[procedure.agency_unit_id],
                    citizen=self.rng.choice(self.citizens[staff.office.code]), postman=postman,
                    slip=kind is ItemKind.result and self.rng.random() < 0.6)
        end = getattr(self, f"_{scenario}")(plan)
        self._anchor(plan, end)
        return plan

    # -- anchoring and linking ----------------------------------------------------------------

    def _anchor(self, plan: Plan, end: End) -> None:
        """Shift the plan's days so its last step falls where the scenario says."""
        today = self.calendar.today
        target = {
            End.today: today, End.recent: today - self.rng.randint(0, 1),
            End.yesterday: today - 1, End.hold: today - self.rng.randint(1, 4),
            End.past: today - self.rng.randint(1, min(18, today)),
        }[end]
        shift = max(target - plan.steps[-1].day, 0)
        if plan.steps[-1].day + shift > today:
            raise RuntimeError("demo history longer than the calendar; raise HISTORY_DAYS")
        for step in plan.steps:
            step.day += shift
            if step.batch is not None:
                step.batch = replace(step.batch, day=step.day)

    def _link_results(self, plans: list[Plan]) -> None:
        """Let about half the results answer a dossier filed earlier by the same citizen."""
        filed = [p for p in plans if p.kind is ItemKind.dossier
                 and p.steps[-1].action is Action.handover and p.steps[-1].batch
                 and p.steps[-1].batch.kind in {"filing", "transit_filing"}]
        for result in (p for p in plans if p.kind is ItemKind.result):
            if self.rng.random() >= 0.5:
                continue
            start = result.steps[0].day
            candidates = [d for d in filed if d.staff is result.staff
                          and d.procedure.agency_unit_id == result.procedure.agency_unit_id
                          and d.steps[-1].day + 2 <= start]
            if candidates:
                dossier = self.rng.choice(candidates)
                filed.remove(dossier)
                result.linked, result.citizen, result.procedure = dossier, dossier.citizen, dossier.procedure

    # -- building blocks ----------------------------------------------------------------------

    def _add(self, plan: Plan, action: Action, actor: User, **details: Any) -> None:
        """Append a step on the plan's current day."""
        plan.steps.append(Step(plan.day, action, actor, **details))

    def _wait(self, plan: Plan, low: int, high: int) -> None:
        """Move the plan on by some working days."""
        plan.day += self.rng.randint(low, high)

    def _wait_usually_next_day(self, plan: Plan) -> None:
        """The next working day, as the service times expect (TT17 Art.7); now and then a day
        more, so the demo has some late items to show."""
        plan.day += 1 if self.rng.random() < 0.9 else 2

    def _handover(self, plan: Plan, kind: str, sender: User, receiver: User, *,
                  from_user: User | None, from_unit: Unit, to_user: User | None,
                  to_unit: Unit) -> None:
        """A handover step, signed by the receiver, batched with the day's others alike."""
        batch = Batch(plan.day, kind, sender.id, receiver.id, from_user.id if from_user else None,
                      from_unit.id, to_user.id if to_user else None, to_unit.id)
        self._add(plan, Action.handover, receiver, batch=batch)

    def _morning(self, plan: Plan, postman: User) -> None:
        """The morning load check: the clerk lists, the postman scans and signs."""
        office = plan.staff.office
        self._handover(plan, "morning", plan.staff.clerk, postman, from_user=None,
                       from_unit=office, to_user=postman, to_unit=office)

    def _evening(self, plan: Plan, postman: User) -> None:
        """The evening return: the postman brings back what he still holds."""
        office = plan.staff.office
        self._handover(plan, "evening", postman, plan.staff.clerk, from_user=postman,
                       from_unit=office, to_user=None, to_unit=office)

    def _home_pickup(self, plan: Plan) -> None:
        """A pickup asked for, then the postman collects at the door."""
        self._add(plan, Action.request, plan.staff.clerk)
        self._wait(plan, 1, 2)
        self._add(plan, Action.collect, plan.postman)

    def _dossier_intake(self, plan: Plan) -> None:
        """At the counter, or collected at home and brought back that evening."""
        if self.rng.random() < 0.55:
            self._add(plan, Action.intake, plan.staff.clerk)
            return
        self._home_pickup(plan)
        self._evening(plan, plan.postman)
        self._add(plan, Action.sort, plan.staff.clerk)

    def _file(self, plan: Plan) -> None:
        """Filing with the agency (QĐ45 Art.7): from the desk, or carried there by a postman."""
        staff, agency = plan.staff, plan.agency
        self._wait_usually_next_day(plan)
        if staff.office.code == DESK_OFFICE and self.rng.random() < 0.5:
            self._handover(plan, "filing", staff.clerk, plan.officer, from_user=None,
                           from_unit=staff.office, to_user=None, to_unit=agency)
            return
        self._morning(plan, staff.carrier)
        self._add(plan, Action.transit, staff.carrier)
        self._handover(plan, "transit_filing", staff.carrier, plan.officer,
                       from_user=staff.carrier, from_unit=staff.office, to_user=None,
                       to_unit=agency)

    def _result_intake(self, plan: Plan) -> None:
        """Registered at the desk's counter, or by the agency and picked up by the post."""
        staff = plan.staff
        if (staff.office.code == DESK_OFFICE and plan.agency.code in DESK_AGENCIES
                and self.rng.random() < 0.6):
            self._add(plan, Action.intake, staff.clerk)
            return
        self._add(plan, Action.register, plan.officer)
        self._wait(plan, 1, 2)
        self._handover(plan, "pickup", plan.officer, staff.clerk, from_user=None,
                       from_unit=plan.agency, to_user=None, to_unit=staff.office)

    def _go_out(self, plan: Plan, low: int | None = None, high: int | None = None) -> None:
        """Some working days later: loaded in the morning and out for delivery."""
        if low is None or high is None:
            self._wait_usually_next_day(plan)
        else:
            self._wait(plan, low, high)
        self._morning(plan, plan.postman)
        self._add(plan, Action.out, plan.postman)

    def _failed(self, plan: Plan, reason: FailureReason, then: FailureAction,
                back: bool = True) -> None:
        """A failed attempt, and the evening return of the envelope."""
        self._add(plan, Action.attempt, plan.postman, reason=reason, then=then)
        if back:
            self._evening(plan, plan.postman)

    def _far(self, plan: Plan) -> bool:
        """Whether this delivery is recorded far from the door (an audit flag to look at)."""
        if self.far_left > 0 and plan.staff.office.code == DESK_OFFICE:
            self.far_left -= 1
            return True
        return self.rng.random() < 0.03

    def _first_reason(self) -> FailureReason:
        """Why a first attempt failed."""
        return FailureReason(_weighted(self.rng, FIRST_ATTEMPT_REASONS))

    # -- dossier scenarios ----------------------------------------------------------------------

    def _requested(self, plan: Plan) -> End:
        """A pickup asked for in the last day or two, not yet made."""
        self._add(plan, Action.request, plan.staff.clerk)
        return End.recent

    def _dossier_cancelled(self, plan: Plan) -> End:
        """A pickup the citizen called off before the postman came."""
        self._add(plan, Action.request, plan.staff.clerk)
        self._wait(plan, 1, 3)
        self._add(plan, Action.cancel, plan.staff.clerk)
        return End.past

    def _collected(self, plan: Plan) -> End:
        """Collected at the door today; the postman still has it."""
        self._home_pickup(plan)
        return End.today

    def _dossier_at_post(self, plan: Plan) -> End:
        """Taken at the counter lately, or collected and brought back yesterday."""
        if self.rng.random() < 0.6:
            self._add(plan, Action.intake, plan.staff.clerk)
            return End.recent
        self._home_pickup(plan)
        self._evening(plan, plan.postman)
        self._add(plan, Action.sort, plan.staff.clerk)
        return End.yesterday

    def _in_transit(self, plan: Plan) -> End:
        """On its way to the agency with the carrier today."""
        self._dossier_intake(plan)
        self._wait(plan, 1, 2)
        self._morning(plan, plan.staff.carrier)
        self._add(plan, Action.transit, plan.staff.carrier)
        return End.today

    def _filed(self, plan: Plan) -> End:
        """Filed with the agency, legally at the officer's signature (QĐ45 Art.7)."""
        self._dossier_intake(plan)
        self._file(plan)
        return End.past

    # -- result scenarios -----------------------------------------------------------------------

    def _registered(self, plan: Plan) -> End:
        """Registered by the agency lately, not yet picked up."""
        self._add(plan, Action.register, plan.officer)
        return End.recent

    def _result_cancelled(self, plan: Plan) -> End:
        """Registered, then recalled by the agency before pickup."""
        self._add(plan, Action.register, plan.officer)
        self._wait(plan, 1, 2)
        self._add(plan, Action.cancel, plan.officer)
        return End.past

    def _result_at_post(self, plan: Plan) -> End:
        """At the post office, waiting for tomorrow's morning load."""
        self._result_intake(plan)
        return End.today

    def _out_for_delivery(self, plan: Plan) -> End:
        """Out with the postman today, sometimes on the second invitation."""
        self._result_intake(plan)
        if self.rng.random() < 0.25:
            # The second invitation, two working days after the first (TT17 Art.5(2)(h)).
            self._go_out(plan)
            self._failed(plan, self._first_reason(), FailureAction.notice_left)
            self._go_out(plan, 2, 2)
        else:
            self._go_out(plan)
        return End.today

    def _attempt_failed(self, plan: Plan) -> End:
        """Not delivered: still with the postman today, or back since yesterday."""
        self._result_intake(plan)
        self._go_out(plan)
        still_out = self.rng.random() < 0.5
        action = FailureAction.notice_left if self.rng.random() < 0.8 else FailureAction.retry
        self._failed(plan, self._first_reason(), action, back=not still_out)
        return End.today if still_out else End.yesterday

    def _held_for_pickup(self, plan: Plan) -> End:
        """After an invitation, waiting at the counter for the citizen."""
        self._result_intake(plan)
        self._go_out(plan)
        self._failed(plan, FailureReason.absent, FailureAction.notice_left)
        self._add(plan, Action.hold, plan.staff.clerk)
        return End.hold

    def _delivered(self, plan: Plan) -> End:
        """Delivered at the door (or at the counter), sometimes after an invitation."""
        self._result_intake(plan)
        self._go_out(plan)
        roll = self.rng.random()
        if roll < 0.12:
            self._failed(plan, FailureReason.absent, FailureAction.notice_left)
            self._add(plan, Action.hold, plan.staff.clerk)
            self._wait(plan, 1, 3)
            self._add(plan, Action.deliver_counter, plan.staff.clerk)
            return End.past
        if roll < 0.30:
            self._failed(plan, self._first_reason(), FailureAction.notice_left)
            self._go_out(plan, 2, 2)
        plan.proxy = self.rng.random() < 0.15
        self._add(plan, Action.deliver, plan.postman, far=self._far(plan))
        return End.today if self.rng.random() < 0.1 else End.past

    def _returned(self, plan: Plan) -> End:
        """Back to the agency: after two invitations, or undeliverable at once."""
        self._result_intake(plan)
        self._go_out(plan)
        if self.rng.random() < 0.6:
            # Two invitations two working days apart; unclaimed at the counter, it goes back
            # (TT17 Art.5(2)(h)).
            self._failed(plan, FailureReason.absent, FailureAction.notice_left)
            self._go_out(plan, 2, 2)
            self._failed(plan, self.rng.choice([FailureReason.absent, FailureReason.not_found]),
                         FailureAction.notice_left)
            self._add(plan, Action.hold, plan.staff.clerk)
            self._wait(plan, 2, 3)
        else:
            self._failed(plan, self.rng.choice(UNDELIVERABLE), FailureAction.return_to_agency)
        self._add(plan, Action.give_back, plan.staff.clerk)
        if self.rng.random() < 0.5:
            self._wait(plan, 1, 2)
            self._handover(plan, "return_agency", plan.staff.clerk, plan.officer, from_user=None,
                           from_unit=plan.staff.office, to_user=None, to_unit=plan.agency)
        return End.past


# ---------------------------------------------------------------------------------------------
# Scheduling: the time of day of every step
# ---------------------------------------------------------------------------------------------

def _hm(hours: int, minutes: int = 0) -> int:
    """Seconds after midnight."""
    return hours * 3600 + minutes * 60


#: Handover batches: first one of the kind on a day, then one every gap seconds.
BATCH_TIMES = {"morning": (_hm(7, 30), 120), "pickup": (_hm(9, 30), 300),
               "transit_filing": (_hm(10, 30), 300), "filing": (_hm(14), 300),
               "return_agency": (_hm(15), 300), "evening": (_hm(16, 15), 180)}
#: Counter and desk hours.
OFFICE_HOURS = ((_hm(7, 40), _hm(11, 30)), (_hm(13, 30), _hm(16, 20)))
#: A postman's doorstep round, lunch excluded.
ROUND_HOURS = ((_hm(8, 20), _hm(11, 30)), (_hm(13, 30), _hm(16)))
OUT_START, OUT_GAP = _hm(7, 50), 40
AFTER_RETURN_START, AFTER_RETURN_GAP = _hm(16, 35), 20
RANDOM_TIME_ACTIONS = frozenset({Action.intake, Action.register, Action.request, Action.cancel,
                                 Action.deliver_counter})
ROUND_ACTIONS = frozenset({Action.collect, Action.attempt, Action.deliver})
AFTER_RETURN_ACTIONS = frozenset({Action.sort, Action.hold, Action.give_back})


def _along(hours: tuple[tuple[int, int], ...], offset: float) -> int:
    """The time `offset` seconds into a set of opening hours."""
    for start, end in hours:
        if offset <= end - start:
            return int(start + offset)
        offset -= end - start
    return hours[-1][1]


def _opening_length(hours: tuple[tuple[int, int], ...]) -> int:
    """How many seconds the opening hours last."""
    return sum(end - start for start, end in hours)


def schedule(plans: list[Plan], rng: random.Random) -> None:
    """Give every step its time of day, in an order that keeps each item's history sorted."""
    batches: dict[Batch, int] = {}
    batches_per_day: dict[tuple[int, str], int] = defaultdict(int)
    sequence: dict[tuple[str, int, int], int] = defaultdict(int)
    rounds: dict[tuple[int, int], list[Step]] = defaultdict(list)
    for step in (s for plan in plans for s in plan.steps):
        if step.batch is not None:
            if step.batch not in batches:
                start, gap = BATCH_TIMES[step.batch.kind]
                key = (step.day, step.batch.kind)
                batches[step.batch] = start + gap * batches_per_day[key]
                batches_per_day[key] += 1
            step.seconds = batches[step.batch]
        elif step.action in RANDOM_TIME_ACTIONS:
            step.seconds = _along(OFFICE_HOURS, rng.uniform(0, _opening_length(OFFICE_HOURS)))
        elif step.action in ROUND_ACTIONS:
            rounds[(step.actor.id, step.day)].append(step)
        else:
            late = step.action in AFTER_RETURN_ACTIONS
            key = ("after" if late else "out", step.actor.id, step.day)
            start, gap = (AFTER_RETURN_START, AFTER_RETURN_GAP) if late else (OUT_START, OUT_GAP)
            step.seconds = start + gap * sequence[key]
            sequence[key] += 1
    for stops in rounds.values():
        _space_round(stops, rng)


def _space_round(stops: list[Step], rng: random.Random) -> None:
    """Spread a postman's doorstep stops of a day evenly over the round, in a random order."""
    rng.shuffle(stops)
    length = _opening_length(ROUND_HOURS) / len(stops)
    for index, stop in enumerate(stops):
        stop.seconds = _along(ROUND_HOURS, length * (index + 0.2 + 0.6 * rng.random()))


# ---------------------------------------------------------------------------------------------
# Replay: the plans become items and events through the services
# ---------------------------------------------------------------------------------------------

class Replayer:
    """Turns scheduled plans into items, handover records, images and custody events."""

    def __init__(self, rng: random.Random, calendar: Calendar, users: Iterable[User]) -> None:
        self.rng, self.calendar = rng, calendar
        self.users = {user.id: user for user in users}
        self.records: dict[Batch, HandoverRecord] = {}
        self.last_at: dict[int, datetime] = {}
        self.codes: dict[tuple[str, str], int] = {}
        self.media = media_storage()
        self.max_bytes = current_app.config["MEDIA_MAX_BYTES"]

    def replay(self, plan: Plan) -> None:
        """Every step of one plan, in order."""
        for step in plan.steps:
            at = self.calendar.moment(step.day, step.seconds)
            getattr(self, f"_do_{step.action.value}")(plan, step, at)

    # -- items ------------------------------------------------------------------------------

    def _body(self, plan: Plan) -> ItemCreate:
        """The registration as the API would receive it (validated the same way)."""
        citizen, procedure = plan.citizen, plan.procedure
        if plan.kind is ItemKind.dossier:
            documents = procedure.documents
        else:
            documents = [{"name": RESULT_DOCUMENTS.get(procedure.code, procedure.name),
                          "original": True, "count": 1}]
        return ItemCreate.model_validate({
            "kind": plan.kind.value, "procedure_code": procedure.code,
            "dossier_code": plan.dossier_code, "agency_unit": plan.agency.code,
            "post_office_unit": plan.staff.office.code,
            "linked_dossier": plan.linked.made.tracking_number if plan.linked else None,
            "citizen": {"name": citizen.name, "phone": citizen.phone, "id_type": citizen.id_type,
                        "id_number": citizen.id_number,
                        "address": {"province": plan.staff.office.province,
                                    "commune": citizen.commune, "line": citizen.line,
                                    "legacy": citizen.legacy,
                                    "lat": citizen.lat, "lon": citizen.lon}},
            "documents": documents, "fees": self._fees(plan),
            "with_appointment_slip": plan.slip,
        })

    def _fees(self, plan: Plan) -> dict[str, int | None]:
        """Postage (TT22/2017: some pay nothing or half) and, for results, a fee due or not."""
        same_area = plan.citizen.commune.casefold() == plan.staff.office.commune.casefold()
        postage = POSTAGE_SAME_AREA_VND if same_area else POSTAGE_OTHER_VND
        roll = self.rng.random()
        postage = 0 if roll < 0.05 else postage // 2 if roll < 0.10 else postage
        # A dossier's official fee defaults to the procedure's; a result's is usually paid.
        fee = None if plan.kind is ItemKind.dossier or self.rng.random() < 0.3 else 0
        return {"postage_vnd": postage, "official_fee_vnd": fee}

    def _dossier_code(self, plan: Plan, at: datetime) -> str | None:
        """A result carries the one-stop code of the dossier it answers (TT 01/2018 Art.19)."""
        if plan.kind is ItemKind.dossier:
            return None  # the one-stop desk gives the code on receipt
        received = (plan.linked.steps[-1].day if plan.linked else None)
        day = (self.calendar.days[received] if received is not None
               else at.astimezone(LOCAL_TZ).date() - timedelta(days=self.rng.randint(7, 25)))
        stamp = day.strftime("%y%m%d")
        agency_id = AGENCY_DOSSIER_IDS.get(plan.agency.code, "000.00.99.H41")
        number = self.codes.get((agency_id, stamp), self.rng.randint(1, 40)) + 1
        self.codes[(agency_id, stamp)] = number
        return f"{agency_id}-{stamp}-{number:04d}"

    def _create(self, plan: Plan, step: Step, at: datetime) -> Item | None:
        """The item as create_item makes it; answers None when create_item itself recorded it."""
        plan.dossier_code = self._dossier_code(plan, at)
        body = self._body(plan)
        if len(plan.steps) == 1 and step.action in {Action.intake, Action.register} \
                and self.calendar.counter_open(step.day):
            # Registered just now, nothing after: the real service with the real clock.
            plan.item = create_item(step.actor, body)
            self.last_at[id(plan)] = plan.item.consigned_at
            return None
        plan.item = self._create_backdated(step.actor, body, at, plan)
        return plan.item

    def _create_backdated(self, actor: User, body: ItemCreate, at: datetime, plan: Plan) -> Item:
        """create_item's rules and fields, with J (consigned_at) in the past."""
        procedure = eligible_procedure(body.procedure_code)
        placement = item_placement(actor, body, procedure)
        citizen, address = body.citizen, body.citizen.address
        on_map = checked_address(address.province, address.commune)
        number = validate_id_number(citizen.id_type, citizen.id_number or "")
        digest = digest_id_number(citizen.id_type, number, current_app.config["ID_HASH_KEY"].encode())
        route_class = default_route_class(placement.post_office, body)
        prefix_key = ("TRACKING_PREFIX_DOSSIER" if body.kind is ItemKind.dossier
                      else "TRACKING_PREFIX_RESULT")
        item = Item(
            tracking_number=allocate_tracking_number(current_app.config[prefix_key]),
            kind=body.kind.value, status="", procedure_id=procedure.id,
            dossier_code=body.dossier_code, agency_unit_id=placement.agency.id,
            post_office_unit_id=placement.post_office.id,
            linked_dossier_id=plan.linked.made.id if plan.linked else None,
            citizen_name=citizen.name, citizen_phone=citizen.phone,
            id_type=digest.id_type.value, id_last4=digest.last4, id_keyed_hash=digest.keyed_hash,
            address_province=on_map.province.name, address_commune=on_map.commune.name,
            address_province_code=on_map.province.code, address_commune_code=on_map.commune.code,
            address_district=address.district, address_line=address.line,
            address_legacy=address.legacy, address_lat=address.lat, address_lon=address.lon,
            documents=[line.model_dump() for line in body.documents],
            postage_vnd=body.fees.postage_vnd,
            official_fee_vnd=(body.fees.official_fee_vnd if body.fees.official_fee_vnd is not None
                              else procedure.official_fee_vnd),
            route_class=route_class.value, with_appointment_slip=body.with_appointment_slip,
            consigned_at=at, due_at=service_deadline(at, route_class, body.with_appointment_slip),
            created_by_id=actor.id, created_at=at,
        )
        db.session.add(item)
        db.session.flush()
        return item

    # -- events -----------------------------------------------------------------------------

    def _event(self, plan: Plan, event_type: EventType, actor: User, at: datetime, *,
               position: Position | None = None, evidence: dict[str, Any] | None = None,
               holder: Holder | None = None, event_id: str | None = None) -> None:
        """Append one event at `at` (device and server time alike), flags dated with it."""
        if at <= self.last_at.get(id(plan), datetime.min.replace(tzinfo=UTC)) \
                or at >= self.calendar.now:
            # A planning bug, not data: every history must be sorted and in the past.
            raise RuntimeError(f"demo history out of order at {at.isoformat()}: "
                               f"{[(s.day, s.action.value, s.seconds) for s in plan.steps]}")
        self.last_at[id(plan)] = at
        append_event(plan.made, event_type, actor, occurred_at=at, received_at=at,
                     position=position, evidence=evidence, holder=holder,
                     event_id=event_id or self._uuid())
        for pending in db.session.new:
            if isinstance(pending, AuditFlag) and pending.created_at is None:
                pending.created_at = at  # the flag was raised when the event came in

    def _uuid(self) -> str:
        """An event id as a phone would make it, but from the seed (same ids every run)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _field(self, model: type[BaseModel], plan: Plan, at: datetime, event_id: str,
               **fields: Any) -> dict[str, Any]:
        """The evidence of a field event exactly as sync stores it, validated by its model."""
        event = model.model_validate({"id": event_id, "occurred_at": at,
                                      "tracking_number": plan.made.tracking_number, **fields})
        return event.model_dump(mode="json", exclude=ENVELOPE_FIELDS)

    def _image(self, actor: User, body: bytes, at: datetime) -> str:
        """Upload an image the way the phone does; answers its SHA-256."""
        sha256 = hashlib.sha256(body).hexdigest()
        stored = store_media(actor, sha256, body, "image/png", self.media, self.max_bytes)
        if stored.created:
            stored.media.uploaded_at = at
        return sha256

    def _doorstep(self, plan: Plan, far: bool = False) -> Position:
        """A fix at the citizen's door, or (rarely, on purpose) far from it."""
        citizen = plan.citizen
        if far:
            lat, lon = _offset(citizen.lat, citizen.lon, self.rng.uniform(800, 2000),
                               self.rng.uniform(0, 2 * math.pi))
            return Position(lat, lon, round(self.rng.uniform(8, 25), 1))
        lat, lon = _offset(citizen.lat, citizen.lon, self.rng.uniform(3, 60),
                           self.rng.uniform(0, 2 * math.pi))
        poor = self.rng.random() < 0.03  # a weak fix under trees or between tall houses
        return Position(lat, lon, round(self.rng.uniform(120, 250) if poor
                                        else self.rng.uniform(4, 30), 1))

    def _cash_due(self, plan: Plan) -> int:
        """What the citizen pays the postman: postage and any official fee collected."""
        return plan.made.postage_vnd + plan.made.official_fee_vnd

    # -- one handler per action --------------------------------------------------------------

    def _do_intake(self, plan: Plan, step: Step, at: datetime) -> None:
        """Counter intake, as create_item records it: taken in, then at the post office."""
        if self._create(plan, step, at) is None:
            return
        unit = Holder(None, step.actor.unit_id)
        first = EventType.collected if plan.kind is ItemKind.dossier else EventType.registered
        evidence = (self._counter_intake(plan, step, at) if plan.kind is ItemKind.dossier
                    else {"channel": "counter"})
        self._event(plan, first, step.actor, at, evidence=evidence, holder=unit)
        self._event(plan, EventType.at_post, step.actor, at + timedelta(seconds=self.rng.randint(20, 90)),
                    holder=unit)

    def _counter_intake(self, plan: Plan, step: Step, at: datetime) -> dict[str, Any]:
        """What take_in_at_counter records: both signatures, the fees and the cash paid, so
        the consignment note of a demo dossier prints as a real one (no random draw: the
        rest of the demo stays the same)."""
        made = plan.made
        quote = quote_fees(made.postage_vnd, made.official_fee_vnd)
        return {
            "channel": "counter",
            "signature_sha256": self._image(step.actor, signature_png(f"counter-{made.tracking_number}"), at),
            "clerk_signature_sha256": self._image(step.actor, signature_png(f"clerk-{step.actor.id}"), at),
            "documents": made.documents, "fees": quote.as_evidence(), "reduction_code": None,
            "cash_collected_vnd": quote.total_vnd,
        }

    def _do_register(self, plan: Plan, step: Step, at: datetime) -> None:
        """The agency registers a result for delivery; it keeps the envelope until pickup."""
        if self._create(plan, step, at) is None:
            return
        self._event(plan, EventType.registered, step.actor, at,
                    holder=Holder(None, step.actor.unit_id))

    def _do_request(self, plan: Plan, step: Step, at: datetime) -> None:
        """A pickup at home asked for by phone or online; the post office owes the visit."""
        self._create(plan, step, at)
        channel = "phone" if self.rng.random() < 0.6 else "online"
        self._event(plan, EventType.requested, step.actor, at,
                    evidence={"channel": "home_pickup", "requested_via": channel},
                    holder=Holder(None, plan.staff.office.id))

    def _do_cancel(self, plan: Plan, step: Step, at: datetime) -> None:
        """Cancelled before collection: the citizen withdrew, or the agency recalled it."""
        reason = "citizen_withdrew" if plan.kind is ItemKind.dossier else "agency_recalled"
        self._event(plan, EventType.cancelled, step.actor, at, evidence={"reason": reason})

    def _do_collect(self, plan: Plan, step: Step, at: datetime) -> None:
        """The postman takes the dossier at the door; both sign; the fees are paid."""
        event_id = self._uuid()
        signature = self._image(step.actor, signature_png(f"collect-{event_id}"), at)
        own = self._image(step.actor, signature_png(f"postman-{step.actor.id}"), at)
        evidence = self._field(CollectedEvent, plan, at, event_id, type="collected",
                               signature_sha256=signature, postman_signature_sha256=own,
                               documents=plan.made.documents,
                               cash_collected_vnd=self._cash_due(plan))
        self._event(plan, EventType.collected, step.actor, at, position=self._doorstep(plan),
                    evidence=evidence, holder=Holder(step.actor.id, step.actor.unit_id),
                    event_id=event_id)

    def _do_handover(self, plan: Plan, step: Step, at: datetime) -> None:
        """One line of a batch handover; the event the handover service would append."""
        assert step.batch is not None  # every handover step is planned with its batch
        record, item = self._record(step.batch, at), plan.made
        db.session.add(HandoverLine(handover_id=record.id, item_id=item.id,
                                    tracking_number=item.tracking_number, outcome="received"))
        event_type = custody_event_type(item, record.to_unit,
                                        record.to_user.role if record.to_user else None)
        if event_type is EventType.at_post and item.kind == ItemKind.result:
            start_result_consignment(item, at)
        evidence = {"handover_id": record.id, "from_user_id": record.from_user_id,
                    "from_unit_id": record.from_unit_id, "to_user_id": record.to_user_id,
                    "to_unit_id": record.to_unit_id,
                    "signature_sha256": record.receiver_signature_sha256}
        self._event(plan, event_type, step.actor, at, evidence=evidence,
                    holder=Holder(record.to_user_id, record.to_unit_id))

    def _record(self, batch: Batch, at: datetime) -> HandoverRecord:
        """The handover record of a batch, signed by its receiver at `at`."""
        record = self.records.get(batch)
        if record is not None:
            return record
        receiver = self.users[batch.receiver_id]
        signature = self._image(receiver, signature_png(f"handover-{batch}"), at)
        record = HandoverRecord(
            from_user_id=batch.from_user_id, from_unit_id=batch.from_unit_id,
            to_user_id=batch.to_user_id, to_unit_id=batch.to_unit_id, status="accepted",
            created_by_id=batch.sender_id,
            created_at=at - timedelta(minutes=self.rng.randint(3, 15)),
            accepted_by_id=receiver.id, accepted_at=at, receiver_signature_sha256=signature)
        db.session.add(record)
        db.session.flush()
        self.records[batch] = record
        return record

    def _do_sort(self, plan: Plan, step: Step, at: datetime) -> None:
        """The clerk scans in a dossier the postman brought back: it is at the post office."""
        if plan.made.status == ItemStatus.collected:
            self._event(plan, EventType.at_post, step.actor, at,
                        holder=Holder(None, plan.staff.office.id))

    def _do_transit(self, plan: Plan, step: Step, at: datetime) -> None:
        """The carrier leaves the office with the dossiers: the morning handover to the carrier
        already recorded `in_transit` (the handover service does so), so only check it."""
        assert plan.made.status == "in_transit", plan.made.status

    def _do_out(self, plan: Plan, step: Step, at: datetime) -> None:
        """The postman sets out, the fix taken at the office's door."""
        office = plan.staff.office
        lat, lon = _offset(office.lat or 0.0, office.lon or 0.0, self.rng.uniform(2, 25),
                           self.rng.uniform(0, 2 * math.pi))
        self._event(plan, EventType.out_for_delivery, step.actor, at,
                    position=Position(lat, lon, round(self.rng.uniform(5, 20), 1)))

    def _do_attempt(self, plan: Plan, step: Step, at: datetime) -> None:
        """A failed attempt at the door, why, and what the postman did."""
        event_id = self._uuid()
        evidence = self._field(AttemptFailedEvent, plan, at, event_id, type="attempt_failed",
                               reason=step.reason, action=step.then)
        self._event(plan, EventType.attempt_failed, step.actor, at, event_id=event_id,
                    position=self._doorstep(plan), evidence=evidence)

    def _do_deliver(self, plan: Plan, step: Step, at: datetime) -> None:
        """Delivered at the door with the proof TT17 Art.5(2) asks for."""
        self._delivered(plan, step, at, position=self._doorstep(plan, far=step.far))

    def _do_deliver_counter(self, plan: Plan, step: Step, at: datetime) -> None:
        """The citizen came for the held result at the counter."""
        self._delivered(plan, step, at, position=None)

    def _delivered(self, plan: Plan, step: Step, at: datetime, position: Position | None) -> None:
        """The delivered event: recipient, ID check, images, cash, papers collected back."""
        event_id, actor = self._uuid(), step.actor
        fields: dict[str, Any] = {
            "type": "delivered", "recipient": self._recipient(plan),
            "signature_sha256": self._image(actor, signature_png(f"deliver-{event_id}"), at),
            "cash_collected_vnd": self._cash_due(plan),
            "papers_collected": [APPOINTMENT_SLIP] if plan.slip else [],
        }
        if plan.proxy:
            fields["authorization_sha256"] = self._image(actor, document_png(event_id), at)
        if position is not None and self.rng.random() < 0.25:
            fields["photo_sha256"] = self._image(actor, photo_png(event_id), at)
        evidence = self._field(DeliveredEvent, plan, at, event_id, **fields)
        self._event(plan, EventType.delivered, actor, at, position=position, evidence=evidence,
                    holder=Holder(None, None), event_id=event_id)

    def _recipient(self, plan: Plan) -> dict[str, Any]:
        """The citizen with their own card, or a relative holding a written authorisation."""
        citizen = plan.citizen
        if not plan.proxy:
            return {"name": citizen.name, "relation": "self", "id_type": citizen.id_type,
                    "id_last4": citizen.id_number[-4:]}
        sex = self.rng.choice("mf")
        name, _ = _person_name(self.rng, sex, family=citizen.family)
        return {"name": name, "relation": "proxy",
                "relationship": self.rng.choice(PROXY_RELATIONSHIPS), "id_type": "cccd",
                "id_last4": f"{self.rng.randrange(10**4):04d}"}

    def _do_hold(self, plan: Plan, step: Step, at: datetime) -> None:
        """After the invitation, the result waits at the counter."""
        self._event(plan, EventType.held_for_pickup, step.actor, at)

    def _do_give_back(self, plan: Plan, step: Step, at: datetime) -> None:
        """Undeliverable, or two invitations left: the result goes back to the agency."""
        self._event(plan, EventType.returned, step.actor, at)


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------

def _office_staff(world: DemoWorld) -> dict[str, OfficeStaff]:
    """Each post office that has a clerk and a postman, main office first."""
    staff = {}
    ordered = sorted(world.units.values(), key=lambda u: (-OFFICE_SHARES.get(u.code, 0), u.id))
    for unit in (u for u in ordered if u.kind == "post_office"):
        people = sorted((u for u in world.users.values() if u.unit_id == unit.id and u.active),
                        key=lambda u: u.username)
        clerks = [u for u in people if u.role == Role.clerk]
        postmen = [u for u in people if u.role == Role.postman]
        if clerks and postmen:
            staff[unit.code] = OfficeStaff(unit, clerks[0], postmen)
    return staff


def _officers(world: DemoWorld) -> dict[int, User]:
    """One agency officer per agency unit id, by username order."""
    officers: dict[int, User] = {}
    for user in sorted(world.users.values(), key=lambda u: u.username):
        if user.role == Role.agency:
            officers.setdefault(user.unit_id, user)
    return officers


def seed_items(world: DemoWorld, citizen_count: int, seed: int) -> None:
    """Synthetic citizens and items in every state with coherent histories; flushes only."""
    rng = random.Random(seed)
    offices = _office_staff(world)
    officers = _officers(world)
    procedures = [p for p in world.procedures.values()
                  if p.postal_eligible and p.agency_unit_id in officers]
    if not offices or not procedures or citizen_count < 1:
        return
    citizens = make_citizens(rng, citizen_count, {c: s.office for c, s in offices.items()})
    calendar = Calendar.ending_at(utc_now())
    plans = Planner(rng, calendar, offices, officers, procedures, citizens).plans(
        max(1, round(citizen_count * ITEMS_PER_CITIZEN)))
    schedule(plans, rng)
    # Oldest first, so serials follow time and a linked dossier exists before its result.
    plans.sort(key=lambda p: (p.steps[0].day, p.steps[0].seconds))
    replayer = Replayer(rng, calendar, world.users.values())
    for plan in plans:
        replayer.replay(plan)
    db.session.flush()
