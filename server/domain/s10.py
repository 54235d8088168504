"""UPU S10 tracking numbers: check digit, construction, parsing and QR scans (docs/design.md §9)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from server.domain.errors import DomainError

#: UPU S10 weights applied to the 8 serial digits, left to right.
WEIGHTS: tuple[int, ...] = (8, 6, 4, 2, 3, 5, 9, 7)
#: The largest serial that fits in 8 digits.
MAX_SERIAL = 99_999_999

# re.ASCII: without it `\d` also matches Arabic-Indic and other Unicode digits.
_TRACKING_RE = re.compile(r"[A-Z]{2}\d{8}\d[A-Z]{2}", re.ASCII)
_TWO_LETTERS_RE = re.compile(r"[A-Z]{2}", re.ASCII)
_WHITESPACE_RE = re.compile(r"\s+")
# The QR carries <BASE_URL>/t/<tracking number>; BASE_URL may itself have a path.
_QR_PATH_RE = re.compile(r".*/t/([^/]+)/?")

_EXAMPLE = "RH123456785VN"


def check_digit(serial: int) -> int:
    """Return the S10 check digit of an 8-digit serial."""
    if not 0 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial out of range 0..{MAX_SERIAL}: {serial}")
    total = sum(int(digit) * weight for digit, weight in zip(f"{serial:08d}", WEIGHTS, strict=True))
    digit = 11 - total % 11
    # UPU S10 §5.3: a computed 10 is written 0 and 11 is written 5, so it stays one digit.
    if digit == 10:
        return 0
    if digit == 11:
        return 5
    return digit


def make_tracking_number(prefix: str, serial: int, country: str = "VN") -> str:
    """Return the 13-character S10 number for a service prefix, a serial and a country."""
    if not _TWO_LETTERS_RE.fullmatch(prefix):
        raise DomainError(
            "invalid_prefix",
            f"Tiền tố số hiệu “{prefix}” không hợp lệ: cần đúng 2 chữ cái in hoa (ví dụ RH).",
            {"prefix": prefix},
        )
    if not _TWO_LETTERS_RE.fullmatch(country):
        raise DomainError(
            "invalid_country",
            f"Mã quốc gia “{country}” không hợp lệ: cần đúng 2 chữ cái in hoa (ví dụ VN).",
            {"country": country},
        )
    if serial < 1:
        # Allocation starts at 1; anything lower is a bug in the allocator, not user input.
        raise ValueError(f"serials start at 1, got {serial}")
    if serial > MAX_SERIAL:
        raise DomainError(
            "serials_exhausted",
            f"Đã dùng hết số hiệu của tiền tố {prefix}; quản trị viên cần cấu hình tiền tố mới.",
            {"prefix": prefix, "max_serial": MAX_SERIAL},
        )
    return f"{prefix}{serial:08d}{check_digit(serial)}{country}"


def parse_tracking_number(text: str) -> str:
    """Return the canonical tracking number typed or scanned as text, or raise DomainError."""
    candidate = _WHITESPACE_RE.sub("", text).upper()
    if not _TRACKING_RE.fullmatch(candidate):
        raise DomainError(
            "invalid_tracking_format",
            "Số hiệu bưu gửi phải gồm 2 chữ cái, 9 chữ số và 2 chữ cái "
            f"(ví dụ {_EXAMPLE}).",
            {"value": text},
        )
    expected = check_digit(int(candidate[2:10]))
    got = int(candidate[10])
    # docs/design.md §9: every input path validates the check digit, so a mistyped digit
    # is caught at the door instead of creating an event for a non-existent item.
    if got != expected:
        raise DomainError(
            "wrong_check_digit",
            "Số hiệu bưu gửi không hợp lệ (sai chữ số kiểm tra)",
            {"expected": expected, "got": got},
        )
    return candidate


def tracking_number_from_scan(scanned: str) -> str:
    """Return the tracking number read from a QR URL `<BASE_URL>/t/<tn>` or a bare number."""
    text = scanned.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https"):
        match = _QR_PATH_RE.fullmatch(parts.path)
        if match is None:
            raise DomainError(
                "invalid_tracking_format",
                "Mã QR này không phải mã bưu gửi: hãy quét mã trên nhãn bưu gửi "
                "hoặc nhập số hiệu.",
                {"value": scanned},
            )
        return parse_tracking_number(unquote(match.group(1)))
    return parse_tracking_number(text)
