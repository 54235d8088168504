"""The minimum password policy of every account (set at creation and at every change).

TCVN 11930:2017 (the basic security requirements of an information system by level) asks
for a password policy on every account of a system that carries personal data; the rules
themselves follow NIST SP 800-63B §5.1.1.2, which favours length and a list of refused
passwords over composition rules (one capital, one digit…) that people defeat predictably:

- at least `MIN_LENGTH` characters: 10, above NIST's floor of 8 because these accounts read
  citizens' names, phones and addresses (Law 91/2025/QH15) and a postman's phone is easily
  looked over; pass phrases ("ba con mèo đen") are welcome;
- at most `MAX_LENGTH` characters: what sign-in accepts, so a password that is set can be
  typed in;
- not the username, nor containing it;
- not a common password, nor one of them padded with digits or symbols ("matkhau@2024"),
  nor made of fewer than `MIN_DISTINCT` different characters ("aaaaaaaaaa").
"""

from __future__ import annotations

import string
import unicodedata
from functools import cache
from pathlib import Path

from server.domain.errors import DomainError

MIN_LENGTH = 10
#: The sign-in form's own limit (LoginRequest.password).
MAX_LENGTH = 200
MIN_DISTINCT = 4
#: A username shorter than this is not looked for inside the password ("an" is in many words).
MIN_USERNAME_INSIDE = 3
COMMON_PASSWORDS_FILE = Path(__file__).with_name("data") / "common_passwords.txt"
_PADDING = string.digits + string.punctuation + " "

_MESSAGES = {
    "too_short": f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự; có thể dùng một cụm từ dễ nhớ.",
    "too_long": f"Mật khẩu dài quá {MAX_LENGTH} ký tự.",
    "contains_username": "Mật khẩu không được là hoặc chứa tên đăng nhập.",
    "common": "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác.",
}


@cache
def common_passwords() -> frozenset[str]:
    """The refused passwords and stems, read once from the list shipped with the code."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _folded(text: str) -> str:
    """Case- and form-insensitive text, so "MatKhau" and a composed "mật" compare equal."""
    return unicodedata.normalize("NFKC", text).casefold()


def _is_common(folded: str) -> bool:
    """In the list as it is, or once the digits and symbols padding it are taken off."""
    stem = folded.strip(_PADDING)
    return (folded in common_passwords() or (stem != "" and stem in common_passwords())
            or len(set(folded)) < MIN_DISTINCT)


def password_problem(username: str, password: str) -> str | None:
    """The first rule `password` breaks for the account `username`, or None when it passes."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    folded, name = _folded(password), _folded(username.strip())
    if name and (folded == name or (len(name) >= MIN_USERNAME_INSIDE and name in folded)):
        return "contains_username"
    if _is_common(folded):
        return "common"
    return None


def check_password(username: str, password: str) -> None:
    """Refuse a password that breaks the policy: DomainError `weak_password`, with the rule."""
    problem = password_problem(username, password)
    if problem is not None:
        raise DomainError("weak_password", _MESSAGES[problem],
                          {"rule": problem, "min_length": MIN_LENGTH})
