"""Phone numbers, identity documents and dossier codes, keeping the least personal data."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from server.domain.errors import DomainError

# re.ASCII everywhere: `\d` would otherwise accept Arabic-Indic and other Unicode digits.
_MOBILE_RE = re.compile(r"0(3|5|7|8|9)\d{8}", re.ASCII)
_PHONE_SEPARATORS_RE = re.compile(r"[\s.\-]+")
_TWELVE_DIGITS_RE = re.compile(r"\d{12}", re.ASCII)
_CMND_RE = re.compile(r"\d{9}|\d{12}", re.ASCII)
_PASSPORT_RE = re.compile(r"[A-Z]\d{7,8}", re.ASCII)
#: The last four characters of an identity number as recorded (also read by the field app).
LAST4_PATTERN = r"[0-9A-Z]{4}"
_LAST4_RE = re.compile(LAST4_PATTERN, re.ASCII)
_WHITESPACE_RE = re.compile(r"\s+")
# TT 01/2018/TT-VPCP Art.19: <unit code per QCVN 102:2016/BTTTT>-YYMMDD-NNNN.
_DOSSIER_CODE_RE = re.compile(
    r"[0-9A-Z.]+-(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})-\d{4}", re.ASCII | re.IGNORECASE
)


class IdType(StrEnum):
    """Identity documents a recipient may show (TT17 Art.5(2))."""

    #: căn cước công dân (chip card, 12 digits)
    cccd = "cccd"
    #: thẻ căn cước (since 1 July 2024, same 12-digit personal number)
    can_cuoc = "can_cuoc"
    #: hộ chiếu
    passport = "passport"
    #: chứng minh nhân dân (old, 9 or 12 digits)
    cmnd = "cmnd"
    #: tài khoản định danh điện tử VNeID mức độ 2, checked in the app (the 12-digit personal
    #: number): it has the value of the paper documents (Luật Căn cước 2023, Điều 31)
    vneid = "vneid"


#: Luật Căn cước 2023, Điều 46 khoản 3: an old ID card (CMND) is valid until 31/12/2024 at most.
CMND_LAST_VALID_DAY = date(2024, 12, 31)
CMND_NO_LONGER_VALID_VI = (
    "Chứng minh nhân dân (CMND) hết giá trị sử dụng từ ngày 01/01/2025 (Luật Căn cước 2023, "
    "Điều 46). Hãy kiểm tra thẻ căn cước / CCCD gắn chip, hộ chiếu hoặc tài khoản VNeID mức 2."
)


#: What a reader calls each identity document (TT17 Art.5(2)).
ID_TYPE_LABELS_VI: dict[str, str] = {
    IdType.cccd: "Căn cước công dân", IdType.can_cuoc: "Thẻ căn cước", IdType.passport: "Hộ chiếu",
    IdType.cmnd: "Chứng minh nhân dân", IdType.vneid: "Định danh điện tử VNeID",
}


_ID_RULES: dict[IdType, tuple[re.Pattern[str], str]] = {
    IdType.cccd: (_TWELVE_DIGITS_RE, "Số CCCD phải gồm đúng 12 chữ số."),
    IdType.can_cuoc: (_TWELVE_DIGITS_RE, "Số thẻ căn cước phải gồm đúng 12 chữ số."),
    IdType.vneid: (_TWELVE_DIGITS_RE, "Số định danh VNeID phải gồm đúng 12 chữ số."),
    IdType.cmnd: (_CMND_RE, "Số CMND phải gồm 9 hoặc 12 chữ số."),
    IdType.passport: (
        _PASSPORT_RE,
        "Số hộ chiếu phải gồm 1 chữ cái và 7 hoặc 8 chữ số (ví dụ C1234567).",
    ),
}


@dataclass(frozen=True)
class IdDigest:
    """What is kept of an identity number: its type, last four characters and a keyed hash."""

    id_type: IdType
    last4: str
    keyed_hash: str


def normalize_phone(text: str) -> str:
    """Return a Vietnamese mobile number as 0XXXXXXXXX, accepting +84/84 and separators."""
    digits = _PHONE_SEPARATORS_RE.sub("", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:].removeprefix("0")  # "+84 0912…" is a common way to write it
    elif digits.startswith("84") and len(digits) == 11:
        # Length decides: a local number starts with 0, so 11 digits from 84 is the country code.
        digits = "0" + digits[2:]
    if not _MOBILE_RE.fullmatch(digits):
        raise DomainError(
            "invalid_phone",
            "Số điện thoại không hợp lệ: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
            "(ví dụ 0912345678).",
        )
    return digits


def validate_cccd(text: str) -> str:
    """Return a CCCD number (12 digits) without spaces, or raise DomainError `invalid_cccd`."""
    number = _WHITESPACE_RE.sub("", text)
    if not _TWELVE_DIGITS_RE.fullmatch(number):
        raise DomainError("invalid_cccd", "Số CCCD phải gồm đúng 12 chữ số.")
    return number


def _id_type(id_type: IdType | str) -> IdType:
    """Return id_type as an IdType, or raise DomainError `invalid_id_type`."""
    try:
        return IdType(id_type)
    except ValueError:
        raise DomainError(
            "invalid_id_type",
            "Loại giấy tờ tùy thân không hợp lệ: chọn CCCD, thẻ căn cước, hộ chiếu, CMND "
            "hoặc VNeID.",
            {"id_type": str(id_type)},
        ) from None


def validate_id_number(id_type: IdType | str, text: str) -> str:
    """Return an identity number in canonical form for its type, or raise DomainError."""
    kind = _id_type(id_type)
    number = _WHITESPACE_RE.sub("", text).upper()
    pattern, message = _ID_RULES[kind]
    if not pattern.fullmatch(number):
        # No number in the details: error payloads get logged, the number must not be.
        raise DomainError("invalid_id_number", message, {"id_type": str(kind)})
    return number


def digest_id_number(id_type: IdType | str, number: str, key: bytes) -> IdDigest:
    """Return what may be kept of an identity number: type, last four and an HMAC-SHA256."""
    # Law 91/2025/QH15 and Decree 356/2025/NĐ-CP: keep the least. The full number is
    # never stored; the keyed hash still lets a later check match the same document.
    if not key:
        # Without a secret, 10^12 CCCD numbers are few enough to hash them all.
        raise ValueError("an HMAC key is required")
    kind = _id_type(id_type)
    canonical = validate_id_number(kind, number)
    keyed_hash = hmac.new(key, f"{kind}:{canonical}".encode("ascii"), hashlib.sha256).hexdigest()
    return IdDigest(id_type=kind, last4=canonical[-4:], keyed_hash=keyed_hash)


def check_id_document_in_force(id_type: IdType | str, on: date) -> None:
    """Refuse an identity document no longer valid on the day of the act: CMND after 2024.

    Raises DomainError `cmnd_no_longer_valid` (Luật Căn cước 2023, Điều 46 khoản 3).
    """
    if _id_type(id_type) is IdType.cmnd and on > CMND_LAST_VALID_DAY:
        raise DomainError("cmnd_no_longer_valid", CMND_NO_LONGER_VALID_VI,
                          {"id_type": "cmnd", "last_valid_day": CMND_LAST_VALID_DAY.isoformat()})


def fold_name(name: str) -> str:
    """A name without accents, case or extra spaces, to compare "Nguyễn Văn Ánh" with "NGUYEN VAN ANH"."""
    # đ/Đ is a letter of its own, not d with a mark: NFD does not split it.
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(bare.casefold().split())


def same_person_name(first: str, second: str) -> bool:
    """Whether two written names are the same name, ignoring accents, case and spacing."""
    return fold_name(first) == fold_name(second)


def validate_last4(text: str) -> str:
    """Return the last four characters of an identity number, or raise `invalid_id_last4`."""
    last4 = text.strip().upper()
    if not _LAST4_RE.fullmatch(last4):
        raise DomainError(
            "invalid_id_last4",
            "Nhập đúng 4 ký tự cuối của số giấy tờ tùy thân "
            "(chữ số, hoặc chữ và số với hộ chiếu).",
            {"value": text},
        )
    return last4


def validate_dossier_code(text: str) -> str:
    """Return a dossier code stripped but otherwise as given, after a loose format check."""
    code = text.strip()
    # TT 01/2018/TT-VPCP Art.19: <agency id>-YYMMDD-NNNN, YYMMDD the day of receipt.
    # Loose on purpose: agency ids vary between systems, and the code is stored as given.
    match = _DOSSIER_CODE_RE.fullmatch(code)
    if match is not None:
        try:
            date(2000 + int(match["yy"]), int(match["mm"]), int(match["dd"]))
        except ValueError:
            match = None
    if match is None:
        raise DomainError(
            "invalid_dossier_code",
            "Mã hồ sơ không hợp lệ: cần dạng <mã cơ quan>-YYMMDD-NNNN, "
            "ví dụ 000.00.04.H51-200221-0001.",
            {"value": text},
        )
    return code
