"""The two-level administrative map in force since 1 July 2025: 34 provinces, 3,321 communes.

Resolution 202/2025/QH15 merged the provinces and Law 72/2025/QH15 (Local Government
Organisation) removed the district level; Decision 19/2025/QĐ-TTg gives every province
(2 digits) and commune — xã, phường, đặc khu — (5 digits) its official code. The table
ships as data (`server/data/admin_units_2025.csv`, from the General Statistics Office's
list of administrative units, danhmuchanhchinh.gso.gov.vn, as of 2 August 2025).

Pure rules: names are matched without accents, case or the unit's type word ("Tỉnh",
"Thành phố", "Xã", "Phường", "Đặc khu"), so "ninh binh" finds "Ninh Bình".
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from server.domain.errors import DomainError

TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "admin_units_2025.csv"
#: The source named wherever the table is shown.
SOURCE = ("Quyết định 19/2025/QĐ-TTg; danh mục đơn vị hành chính của Tổng cục Thống kê "
          "(bản 02/08/2025)")

_PROVINCE_WORDS = ("thanh pho ", "tinh ", "tp. ", "tp ")
_COMMUNE_WORDS = ("phuong ", "xa ", "dac khu ")


def fold(text: str) -> str:
    """Lower case without accents or extra spaces: what a search compares ("Đ" → "d")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _without_type_word(folded: str, words: tuple[str, ...]) -> str:
    """The folded name without its leading type word ("xa gia vien" → "gia vien")."""
    for word in words:
        if folded.startswith(word):
            return folded[len(word):]
    return folded


@dataclass(frozen=True)
class Province:
    """A provincial unit: tỉnh or thành phố trực thuộc trung ương."""

    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Commune:
    """A commune-level unit (xã, phường, đặc khu) and the province it belongs to."""

    code: str
    name: str
    kind: str
    province_code: str


@dataclass(frozen=True)
class AdminMap:
    """The table, indexed by province code."""

    provinces: tuple[Province, ...]
    communes: tuple[Commune, ...]
    province_by_code: dict[str, Province]
    communes_by_province: dict[str, tuple[Commune, ...]]

    def communes_of(self, province_code: str) -> tuple[Commune, ...]:
        """The communes of one province, in code order."""
        return self.communes_by_province.get(province_code, ())


@cache
def admin_map() -> AdminMap:
    """The 2025 table, read once."""
    provinces: dict[str, Province] = {}
    by_province: dict[str, list[Commune]] = {}
    with TABLE_PATH.open(encoding="utf-8", newline="") as table:
        for row in csv.DictReader(table):
            code = row["province_code"]
            provinces.setdefault(code, Province(code, row["province_name"], row["province_type"]))
            by_province.setdefault(code, []).append(
                Commune(row["commune_code"], row["commune_name"], row["commune_type"], code))
    return AdminMap(
        provinces=tuple(provinces.values()),
        communes=tuple(c for code in provinces for c in by_province[code]),
        province_by_code=provinces,
        communes_by_province={code: tuple(found) for code, found in by_province.items()},
    )


def _province_key(name: str) -> str:
    return _without_type_word(fold(name), _PROVINCE_WORDS)


def _commune_key(name: str) -> str:
    return _without_type_word(fold(name), _COMMUNE_WORDS)


def find_province(name_or_code: str) -> Province | None:
    """The province named (with or without accents or "Tỉnh"), or by its 2-digit code."""
    table = admin_map()
    if name_or_code.strip().isdigit():
        return table.province_by_code.get(name_or_code.strip().zfill(2))
    key = _province_key(name_or_code)
    return next((p for p in table.provinces if _province_key(p.name) == key), None)


def find_commune(province: Province, name_or_code: str) -> Commune | None:
    """The commune of `province` named exactly (accents and case aside) or by its code.

    "Xã Gia Viễn" and "gia vien" both match; a bare name shared by a xã and a phường of the
    same province matches only when written with its type word.
    """
    candidates = admin_map().communes_of(province.code)
    if name_or_code.strip().isdigit():
        code = name_or_code.strip().zfill(5)
        return next((c for c in candidates if c.code == code), None)
    folded = fold(name_or_code)
    exact = [c for c in candidates if fold(c.name) == folded]
    if exact:
        return exact[0]
    bare = [c for c in candidates if _commune_key(c.name) == _commune_key(folded)]
    return bare[0] if len(bare) == 1 else None


def provinces_with_commune(name: str) -> list[Province]:
    """The provinces that have a commune of that name (to tell the user where it is)."""
    key = _commune_key(name)
    table = admin_map()
    codes = sorted({c.province_code for c in table.communes if _commune_key(c.name) == key})
    return [table.province_by_code[code] for code in codes]


@dataclass(frozen=True)
class CheckedAddress:
    """A two-level address matched against the table."""

    province: Province
    commune: Commune


def check_address(province_name: str, commune_name: str) -> CheckedAddress:
    """The province and commune of an address, or a refusal saying what is wrong.

    Codes: `unknown_province`, `unknown_commune`, `commune_not_in_province` (the commune
    exists, in another province: the usual mistake with a pre-2025 or merged address).
    """
    province = find_province(province_name)
    if province is None:
        raise DomainError("unknown_province",
                          f"Không có tỉnh/thành phố “{province_name}” trong danh mục 34 đơn vị "
                          "cấp tỉnh từ 01/7/2025. Chọn tỉnh trong danh sách gợi ý.",
                          {"field": "citizen.address.province"})
    commune = find_commune(province, commune_name)
    if commune is not None:
        return CheckedAddress(province, commune)
    elsewhere = [p for p in provinces_with_commune(commune_name) if p.code != province.code]
    if elsewhere:
        names = ", ".join(p.name for p in elsewhere)
        raise DomainError("commune_not_in_province",
                          f"“{commune_name}” không thuộc {province.name} (có ở: {names}). "
                          "Kiểm tra lại tỉnh hoặc xã/phường theo địa giới từ 01/7/2025.",
                          {"field": "citizen.address.commune", "province": province.name})
    raise DomainError("unknown_commune",
                      f"{province.name} không có xã/phường “{commune_name}” trong danh mục từ "
                      "01/7/2025 (không còn cấp huyện). Chọn xã/phường trong danh sách gợi ý; "
                      "địa chỉ cũ ghi vào ô “Địa chỉ cũ”.",
                      {"field": "citizen.address.commune", "province": province.name})


def search_provinces(query: str, limit: int = 10) -> list[Province]:
    """Provinces whose name contains the query, accents and case aside; prefix matches first."""
    key = _province_key(query) if query.strip() else ""
    found = [p for p in admin_map().provinces if key in _province_key(p.name)]
    return sorted(found, key=lambda p: (not _province_key(p.name).startswith(key), p.code))[:limit]


def search_communes(query: str, province: Province | None = None, limit: int = 10) -> list[Commune]:
    """Communes (of `province`, or anywhere) whose name contains the query, accents aside."""
    key = _commune_key(query) if query.strip() else ""
    pool = admin_map().communes_of(province.code) if province else admin_map().communes
    found = [c for c in pool if key in _commune_key(c.name)]
    return sorted(found, key=lambda c: (not _commune_key(c.name).startswith(key), c.code))[:limit]
