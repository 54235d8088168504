"""Phone numbers, identity documents and dossier codes."""

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.errors import DomainError
from server.domain.identity import (
    IdDigest,
    IdType,
    digest_id_number,
    normalize_phone,
    validate_cccd,
    validate_dossier_code,
    validate_id_number,
    validate_last4,
)

KEY = b"test-key"
mobiles = st.from_regex(r"\A0[35789][0-9]{8}\Z")


@pytest.mark.parametrize(
    "text",
    ["0912345678", "091 234 5678", "091.234.5678", "091-234-5678", "+84912345678",
     "+84 91 234 5678", "84912345678", "+84 0912 345 678"],
)
def test_normalize_phone_accepts_the_usual_ways_of_writing_a_mobile(text: str) -> None:
    assert normalize_phone(text) == "0912345678"


@pytest.mark.parametrize(
    "text",
    ["0212345678", "091234567", "09123456789", "0612345678", "phone", "", "+85512345678"],
)
def test_normalize_phone_refuses_what_is_not_a_vietnamese_mobile(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalize_phone(text)
    assert caught.value.code == "invalid_phone"


def test_normalize_phone_refuses_non_ascii_digits() -> None:
    with pytest.raises(DomainError):
        normalize_phone("٠٩١٢٣٤٥٦٧٨")


@settings(max_examples=200)
@given(number=mobiles)
def test_international_form_normalises_back_to_the_local_number(number: str) -> None:
    assert normalize_phone("+84" + number[1:]) == number


@settings(max_examples=200)
@given(number=mobiles)
def test_normalize_phone_keeps_a_local_mobile_unchanged(number: str) -> None:
    assert normalize_phone(number) == number


def test_validate_cccd_accepts_twelve_digits_and_drops_spaces() -> None:
    assert validate_cccd(" 001 099 012345 ") == "001099012345"


@pytest.mark.parametrize("text", ["00109901234", "0010990123456", "00109901234A"])
def test_validate_cccd_refuses_anything_but_twelve_digits(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_cccd(text)
    assert caught.value.code == "invalid_cccd"


@pytest.mark.parametrize(
    ("id_type", "text", "expected"),
    [
        (IdType.cccd, "001099012345", "001099012345"),
        (IdType.can_cuoc, "001099012345", "001099012345"),
        (IdType.vneid, "001099012345", "001099012345"),
        (IdType.cmnd, "123456789", "123456789"),
        (IdType.cmnd, "001099012345", "001099012345"),
        (IdType.passport, "c1234567", "C1234567"),
        (IdType.passport, "B12345678", "B12345678"),
    ],
)
def test_validate_id_number_accepts_each_document_format(
    id_type: IdType, text: str, expected: str
) -> None:
    assert validate_id_number(id_type, text) == expected


@pytest.mark.parametrize(
    ("id_type", "text"),
    [
        (IdType.cccd, "123456789"),
        (IdType.vneid, "12345678901"),
        (IdType.cmnd, "1234567890"),
        (IdType.passport, "1234567"),
        (IdType.passport, "C123456"),
        (IdType.passport, "CC1234567"),
    ],
)
def test_validate_id_number_refuses_a_number_of_the_wrong_format(
    id_type: IdType, text: str
) -> None:
    with pytest.raises(DomainError) as caught:
        validate_id_number(id_type, text)
    assert caught.value.code == "invalid_id_number"


def test_validate_id_number_error_does_not_echo_the_number() -> None:
    with pytest.raises(DomainError) as caught:
        validate_id_number(IdType.cccd, "12345678901")
    assert "12345678901" not in repr(caught.value)


def test_validate_id_number_refuses_an_unknown_document_type() -> None:
    with pytest.raises(DomainError) as caught:
        validate_id_number("driving_licence", "123456789")
    assert caught.value.code == "invalid_id_type"


def test_digest_keeps_type_last_four_and_hmac_of_type_and_number() -> None:
    expected_hash = hmac.new(KEY, b"cccd:001099012345", hashlib.sha256).hexdigest()
    digest = digest_id_number("cccd", "001 099 012345", KEY)
    assert digest == IdDigest(IdType.cccd, "2345", expected_hash)


def test_digest_does_not_contain_the_full_number() -> None:
    assert "001099012345" not in repr(digest_id_number(IdType.cccd, "001099012345", KEY))


def test_digest_of_the_same_number_differs_between_document_types() -> None:
    cccd = digest_id_number(IdType.cccd, "001099012345", KEY)
    can_cuoc = digest_id_number(IdType.can_cuoc, "001099012345", KEY)
    assert cccd.keyed_hash != can_cuoc.keyed_hash


def test_digest_depends_on_the_key() -> None:
    first = digest_id_number(IdType.cccd, "001099012345", KEY)
    second = digest_id_number(IdType.cccd, "001099012345", b"other-key")
    assert first.keyed_hash != second.keyed_hash


def test_digest_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError):
        digest_id_number(IdType.cccd, "001099012345", b"")


def test_digest_validates_the_number_first() -> None:
    with pytest.raises(DomainError):
        digest_id_number(IdType.cccd, "12345", KEY)


def test_passport_digest_keeps_the_last_four_characters_uppercase() -> None:
    assert digest_id_number(IdType.passport, "c1234567", KEY).last4 == "4567"


@pytest.mark.parametrize(("text", "expected"), [("2345", "2345"), (" a123 ", "A123")])
def test_validate_last4_accepts_four_letters_or_digits(text: str, expected: str) -> None:
    assert validate_last4(text) == expected


@pytest.mark.parametrize("text", ["234", "23456", "23-4", "2ă45"])
def test_validate_last4_refuses_anything_else(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_last4(text)
    assert caught.value.code == "invalid_id_last4"


def test_dossier_code_from_the_circular_is_accepted_as_given() -> None:
    assert validate_dossier_code(" 000.00.04.H51-200221-0001 ") == "000.00.04.H51-200221-0001"


def test_dossier_code_is_not_uppercased() -> None:
    assert validate_dossier_code("000.00.04.h51-200221-0001") == "000.00.04.h51-200221-0001"


def test_dossier_code_accepts_29_february_of_a_leap_year() -> None:
    assert validate_dossier_code("H51-240229-0001") == "H51-240229-0001"


@pytest.mark.parametrize(
    "text",
    [
        "000.00.04.H51-230229-0001",  # 29 Feb 2023 did not exist
        "000.00.04.H51-201321-0001",  # month 13
        "000.00.04.H51-20022-0001",  # five-digit date
        "000.00.04.H51-200221-001",  # three-digit sequence
        "000/00/04-200221-0001",  # slashes in the agency id
        "-200221-0001",  # no agency id
    ],
)
def test_dossier_code_refuses_a_malformed_code(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_dossier_code(text)
    assert caught.value.code == "invalid_dossier_code"
