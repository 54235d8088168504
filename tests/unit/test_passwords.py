"""The minimum password policy (server/domain/passwords.py)."""
from __future__ import annotations

import pytest

from demo.seed import DEMO_USERS, OTHER_UNIT_USERS, demo_password
from server.domain.errors import DomainError
from server.domain.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    check_password,
    common_passwords,
    password_problem,
)


@pytest.mark.parametrize("password", [
    "tantay-demo", "ba con mèo đen trèo cây", "Xe máy đỏ 29", "correct horse battery",
    "bench-password", "a" * 3 + "bcd" + "1234",
])
def test_passwords_that_pass(password):
    assert password_problem("nguyenvana", password) is None
    check_password("nguyenvana", password)  # raises nothing


def test_the_demo_password_passes_for_every_demo_user():
    for username, _role, _unit in DEMO_USERS + OTHER_UNIT_USERS:
        assert password_problem(username, demo_password()) is None, username


@pytest.mark.parametrize(("password", "rule"), [
    ("", "too_short"),
    ("x" * (MIN_LENGTH - 1), "too_short"),
    ("short pw", "too_short"),
    ("y" * (MAX_LENGTH + 1), "too_long"),
    ("postman_nd", "contains_username"),
    ("POSTMAN_ND", "contains_username"),
    ("my postman_nd pass", "contains_username"),
    ("1234567890", "common"),
    ("qwertyuiop", "common"),
    ("Password123", "common"),
    ("PASSWORD!!2024", "common"),
    ("matkhau@123", "common"),
    ("MatKhau123456", "common"),
    ("tantay2026!", "common"),
    ("  anhyeuem  ", "common"),
    ("aaaaaaaaaa", "common"),
    ("abababababab", "common"),
])
def test_passwords_that_are_refused(password, rule):
    assert password_problem("postman_nd", password) == rule
    with pytest.raises(DomainError) as refused:
        check_password("postman_nd", password)
    assert refused.value.code == "weak_password"
    assert refused.value.details["rule"] == rule
    assert refused.value.message  # a Vietnamese sentence a person can act on


def test_the_longest_password_sign_in_accepts_is_allowed():
    longest = ("ba con mèo đen " * 20)[:MAX_LENGTH]
    assert len(longest) == MAX_LENGTH and password_problem("clerk", longest) is None


def test_a_short_username_is_only_refused_as_the_whole_password():
    assert password_problem("an", "an toàn giao thông") is None


def test_the_list_is_shipped_as_data_and_lower_case():
    listed = common_passwords()
    assert {"password", "123456789", "matkhau", "qwertyuiop"} <= listed
    assert all(entry == entry.lower() and not entry.startswith("#") for entry in listed)
