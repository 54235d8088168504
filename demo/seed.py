"""Synthetic demo data: a province, its units, procedures, users, citizens and items.

Every name, phone number and ID number here is invented.
"""
from __future__ import annotations

import hashlib
import os
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from demo.images import signature_png
from demo.items import seed_items
from demo.world import DemoWorld
from server.accounts.service import create_user
from server.cash.service import (
    cash_days,
    local_today,
    record_remittance,
    sign_remittance,
)
from server.domain.service_time import is_working_day
from server.extensions import db
from server.handovers.service import accept_handover, create_handover
from server.media.service import store_media
from server.models import (
    FeeReduction,
    Item,
    PostageTariff,
    Procedure,
    Unit,
    UnitKind,
    User,
)
from server.reporting.rollups import roll_up

#: (code, name, kind, parent code, commune, lat, lon)
DEMO_UNITS = [
    ("TINH", "Tỉnh Ninh Bình", UnitKind.province, None, "", 20.2506, 105.9745),
    ("BC-TRUNGTAM", "Bưu cục Trung tâm Ninh Bình", UnitKind.post_office, "TINH", "Phường Hoa Lư",
     20.2539, 105.9750),
    ("BC-NAMDINH", "Bưu cục Nam Định", UnitKind.post_office, "TINH", "Phường Nam Định", 20.4338, 106.1770),
    ("BC-PHULY", "Bưu cục Phủ Lý", UnitKind.post_office, "TINH", "Phường Phủ Lý", 20.5411, 105.9139),
    ("TTHCC", "Trung tâm Phục vụ hành chính công tỉnh", UnitKind.agency, "TINH", "Phường Hoa Lư",
     20.2560, 105.9790),
    ("CA-TINH", "Công an tỉnh Ninh Bình", UnitKind.agency, "TINH", "Phường Hoa Lư", 20.2580, 105.9700),
    ("BHXH-TINH", "Bảo hiểm xã hội tỉnh Ninh Bình", UnitKind.agency, "TINH", "Phường Hoa Lư",
     20.2520, 105.9800),
    ("SO-TP", "Sở Tư pháp tỉnh Ninh Bình", UnitKind.agency, "TINH", "Phường Hoa Lư", 20.2490, 105.9720),
]

#: (code, name, field, agency code, eligible, fee, documents)
DEMO_PROCEDURES = [
    ("CA-CCCD-DOI", "Cấp đổi thẻ căn cước", "police", "CA-TINH", True, 50_000,
     [("Tờ khai căn cước (mẫu CC01)", True, 1), ("Thẻ căn cước cũ", True, 1)]),
    ("CA-GPLX-DOI", "Đổi giấy phép lái xe", "police", "CA-TINH", True, 135_000,
     [("Đơn đề nghị đổi giấy phép lái xe", True, 1), ("Giấy khám sức khỏe", True, 1),
      ("Bản sao giấy phép lái xe", False, 1)]),
    ("CA-HOCHIEU", "Cấp hộ chiếu phổ thông lần đầu", "police", "CA-TINH", False, 200_000,
     [("Tờ khai đề nghị cấp hộ chiếu (mẫu TK01)", True, 1)]),
    ("BHXH-SO-CAPLAI", "Cấp lại sổ bảo hiểm xã hội", "social_insurance", "BHXH-TINH", True, 0,
     [("Tờ khai tham gia BHXH (mẫu TK1-TS)", True, 1)]),
    ("BHXH-THE-CAPLAI", "Cấp lại thẻ bảo hiểm y tế", "social_insurance", "BHXH-TINH", True, 0,
     [("Tờ khai tham gia BHXH, BHYT (mẫu TK1-TS)", True, 1)]),
    ("TP-LLTP", "Cấp phiếu lý lịch tư pháp", "justice", "SO-TP", True, 200_000,
     [("Tờ khai yêu cầu cấp phiếu lý lịch tư pháp", True, 1),
      ("Bản chụp giấy tờ tùy thân", False, 1)]),
    ("TP-KETHON", "Đăng ký kết hôn có yếu tố nước ngoài", "justice", "SO-TP", False, 1_500_000,
     [("Tờ khai đăng ký kết hôn", True, 2)]),
    ("TTHCC-DATDAI", "Cấp đổi giấy chứng nhận quyền sử dụng đất", "land", "TTHCC", True, 100_000,
     [("Đơn đề nghị cấp đổi giấy chứng nhận", True, 1), ("Giấy chứng nhận đã cấp", True, 1)]),
]

#: Postage per dossier one way by route class (QĐ45 Art.11: e.g. 26,000 VND within an area).
DEMO_POSTAGE = {"same_area": 26_000, "intra_province": 30_000, "major_cities": 32_000,
                "inter_province": 35_000}
#: Exemptions and reductions (TT22/2017): (code, name, legal basis, % off postage, % off fee).
DEMO_REDUCTIONS = [
    ("NGUOI_CO_CONG", "Người có công với cách mạng", "TT22/2017 — người có công", 50, 50),
    ("HO_NGHEO", "Hộ nghèo, hộ cận nghèo", "TT22/2017 — hộ nghèo", 50, 0),
    ("KHUYET_TAT", "Người khuyết tật đặc biệt nặng và nặng", "TT22/2017 — người khuyết tật", 100, 0),
]

#: (username, role, unit code) — the demo logins the README lists.
DEMO_USERS = [
    ("admin", "admin", "TINH"),
    ("supervisor", "supervisor", "TINH"),
    ("clerk", "clerk", "BC-TRUNGTAM"),
    ("agency", "agency", "CA-TINH"),
    ("postman", "postman", "BC-TRUNGTAM"),
    ("postman2", "postman", "BC-TRUNGTAM"),
]
#: Colleagues in other units, so scoping can be tried in the demo and the tests.
OTHER_UNIT_USERS = [
    ("clerk_nd", "clerk", "BC-NAMDINH"),
    ("postman_nd", "postman", "BC-NAMDINH"),
    ("agency_bhxh", "agency", "BHXH-TINH"),
    ("clerk_pl", "clerk", "BC-PHULY"),
    ("postman_pl", "postman", "BC-PHULY"),
    ("agency_tthcc", "agency", "TTHCC"),
    ("agency_tp", "agency", "SO-TP"),
]
#: Invented full names shown on screens and printed records.
STAFF_NAMES = {
    "admin": "Quản trị hệ thống", "supervisor": "Lê Thị Kiểm", "clerk": "Phạm Thu Giao",
    "agency": "Đỗ Văn Một", "postman": "Nguyễn Văn Phát", "postman2": "Trần Văn Tâm",
    "clerk_nd": "Vũ Thị Hằng", "postman_nd": "Hoàng Văn Nam", "agency_bhxh": "Bùi Thị Hiền",
    "clerk_pl": "Ngô Thị Lan", "postman_pl": "Đặng Văn Hùng", "agency_tthcc": "Lê Văn Thành",
    "agency_tp": "Phan Thị Thu",
}


def demo_password() -> str:
    """The demo users' password."""
    return os.environ.get("DEMO_PASSWORD", "tantay-demo")


def seed_structure(password: str | None = None) -> DemoWorld:
    """Units (as a tree), the procedure catalogue and the staff; flushes, never commits."""
    units: dict[str, Unit] = {}
    for code, name, kind, parent, commune, lat, lon in DEMO_UNITS:
        unit = Unit(code=code, name=name, kind=kind.value, parent=units.get(parent or ""),
                    province="Ninh Bình", commune=commune, address_line="", lat=lat, lon=lon)
        db.session.add(unit)
        db.session.flush()
        units[code] = unit
        unit.path = (unit.parent.path if unit.parent else "/") + f"{unit.id}/"
    procedures: dict[str, Procedure] = {}
    for code, name, field, agency, eligible, fee, documents in DEMO_PROCEDURES:
        procedures[code] = Procedure(
            code=code, name=name, field=field, agency_unit_id=units[agency].id,
            postal_eligible=eligible, official_fee_vnd=fee,
            documents=[{"name": n, "original": o, "count": c} for n, o, c in documents])
        db.session.add(procedures[code])
    seed_fee_catalogue()
    secret = password or demo_password()
    users = {
        username: create_user(username, secret, role, units[unit].id, STAFF_NAMES[username])
        for username, role, unit in DEMO_USERS + OTHER_UNIT_USERS
    }
    db.session.flush()
    return DemoWorld(units=units, procedures=procedures, users=users)


def seed_fee_catalogue() -> None:
    """The postage tariff and the reductions of the counter (settable by the admin later)."""
    for route_class, postage in DEMO_POSTAGE.items():
        db.session.add(PostageTariff(route_class=route_class, postage_vnd=postage))
    for code, name, basis, postage_off, fee_off in DEMO_REDUCTIONS:
        db.session.add(FeeReduction(code=code, name=name, legal_basis=basis,
                                    postage_percent_off=postage_off,
                                    official_fee_percent_off=fee_off))


def seed_demo(citizen_count: int = 300, seed: int = 2026) -> DemoWorld:
    """The whole demo: structure, then citizens and items in every state."""
    world = seed_structure()
    seed_items(world, citizen_count=citizen_count, seed=seed)
    list_morning_load(world)
    file_with_a_supplement_request(world)
    settle_yesterdays_cash(world)
    roll_up()  # the closed days of the report, as the nightly `flask reports roll-up` does
    return world


def settle_yesterdays_cash(world: DemoWorld) -> None:
    """The central office's postmen hand the last working day's cash to the clerk, both sign
    (`postman2` hands over only half, so the cash screens show what is still owed)."""
    clerk = world.users["clerk"]
    day = local_today() - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)

    def signed(person: str) -> str:
        body = signature_png(f"remittance-{person}-{day.isoformat()}")
        sha256 = hashlib.sha256(body).hexdigest()
        store_media(world.users[person], sha256, body, "image/png", current_app.config["MEDIA_DIR"],
                    current_app.config["MEDIA_MAX_BYTES"])
        return sha256

    for found in cash_days(clerk, day):
        username = found.postman.username
        amount = found.totals.unremitted_vnd // (2 if username == "postman2" else 1)
        if username not in world.users or amount <= 0:
            continue
        remittance = record_remittance(clerk, username, day, amount, signed(username))
        sign_remittance(clerk, remittance.id, signed("clerk"))


def list_morning_load(world: DemoWorld) -> None:
    """The clerk lists the central office's results waiting at the post for `postman`, so a
    newcomer can try the morning load check (Nhận hàng đầu ngày) right away."""
    clerk, office = world.users["clerk"], world.units["BC-TRUNGTAM"]
    waiting = db.session.execute(
        select(Item.tracking_number).where(
            Item.kind == "result", Item.status == "at_post", Item.holder_unit_id == office.id,
            Item.holder_user_id.is_(None)).order_by(Item.id).limit(8)
    ).scalars().all()
    if waiting:
        create_handover(clerk, "postman", None, list(waiting))


def file_with_a_supplement_request(world: DemoWorld) -> None:
    """The clerk files two dossiers waiting at the central office with the police agency; its
    officer signs, finding one incomplete (QĐ45 Art.7(4)), so the printable record
    /handovers/<id>/record shows both outcomes and both signatures."""
    clerk, officer = world.users["clerk"], world.users["agency"]
    office, police = world.units["BC-TRUNGTAM"], world.units["CA-TINH"]
    waiting = db.session.execute(
        select(Item.tracking_number).where(
            Item.kind == "dossier", Item.status == "at_post", Item.holder_unit_id == office.id,
            Item.holder_user_id.is_(None), Item.agency_unit_id == police.id)
        .order_by(Item.id).limit(2)).scalars().all()
    if len(waiting) < 2:
        return

    def signature(user: User) -> str:
        body = signature_png(f"filing-{user.username}")
        sha256 = hashlib.sha256(body).hexdigest()
        store_media(user, sha256, body, "image/png", current_app.config["MEDIA_DIR"],
                    current_app.config["MEDIA_MAX_BYTES"])
        return sha256

    record = create_handover(clerk, None, police.code, list(waiting),
                             sender_signature=signature(clerk))
    accept_handover(officer, record.id, list(waiting), signature(officer),
                    {waiting[1]: "Giấy khám sức khỏe của người lái xe (bản chính)"})
