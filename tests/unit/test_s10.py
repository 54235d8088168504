"""UPU S10 tracking numbers."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.errors import DomainError
from server.domain.s10 import (
    MAX_SERIAL,
    check_digit,
    make_tracking_number,
    parse_tracking_number,
    tracking_number_from_scan,
)

serials = st.integers(min_value=1, max_value=MAX_SERIAL)
prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)


def test_check_digit_of_the_upu_example_rr473124829gb_is_9() -> None:
    # 4·8+7·6+3·4+1·2+2·3+4·5+8·9+2·7 = 200; 200 mod 11 = 2; 11 − 2 = 9.
    assert check_digit(47312482) == 9


def test_check_digit_10_becomes_0() -> None:
    # 0·8+2·6+0·… = 12; 12 mod 11 = 1; 11 − 1 = 10 → 0.
    assert check_digit(2_000_000) == 0


def test_check_digit_11_becomes_5() -> None:
    # 1·8+0+0+0+1·3+0+0+0 = 11; 11 mod 11 = 0; 11 − 0 = 11 → 5.
    assert check_digit(10_001_000) == 5


def test_check_digit_rejects_a_serial_over_eight_digits() -> None:
    with pytest.raises(ValueError):
        check_digit(MAX_SERIAL + 1)


def test_make_tracking_number_pads_the_serial_and_appends_digit_and_country() -> None:
    assert make_tracking_number("RR", 2_000_000) == "RR020000000VN"


def test_make_tracking_number_uses_the_given_country() -> None:
    assert make_tracking_number("RR", 47312482, "GB") == "RR473124829GB"


@pytest.mark.parametrize("prefix", ["rr", "R", "RRR", "R1", "Ră"])
def test_make_tracking_number_refuses_a_prefix_not_two_capital_letters(prefix: str) -> None:
    with pytest.raises(DomainError) as caught:
        make_tracking_number(prefix, 1)
    assert caught.value.code == "invalid_prefix"


def test_make_tracking_number_refuses_a_serial_past_the_last() -> None:
    with pytest.raises(DomainError) as caught:
        make_tracking_number("RH", MAX_SERIAL + 1)
    assert caught.value.code == "serials_exhausted"


def test_make_tracking_number_accepts_the_last_serial() -> None:
    assert make_tracking_number("RH", MAX_SERIAL).startswith("RH99999999")


def test_make_tracking_number_refuses_serial_zero() -> None:
    with pytest.raises(ValueError):
        make_tracking_number("RH", 0)


def test_parse_accepts_a_valid_number() -> None:
    assert parse_tracking_number("RR473124829GB") == "RR473124829GB"


def test_parse_strips_spaces_and_uppercases() -> None:
    assert parse_tracking_number("  rh 123 456 785 vn ") == "RH123456785VN"


@pytest.mark.parametrize(
    "text",
    ["", "RH12345678VN", "RH1234567855VN", "1H123456785VN", "RH123456785V1", "RH-123456785VN"],
)
def test_parse_refuses_a_malformed_number(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_tracking_number(text)
    assert caught.value.code == "invalid_tracking_format"


def test_parse_refuses_non_ascii_digits() -> None:
    # Arabic-Indic digits match `\d` in Python unless the pattern is ASCII-only.
    with pytest.raises(DomainError) as caught:
        parse_tracking_number("RH١٢٣٤٥٦٧٨٥VN")  # noqa: RUF001
    assert caught.value.code == "invalid_tracking_format"


def test_parse_refuses_a_wrong_check_digit_saying_so() -> None:
    with pytest.raises(DomainError) as caught:
        parse_tracking_number("RR473124828GB")
    assert caught.value.code == "wrong_check_digit"
    assert caught.value.message == "Số hiệu bưu gửi không hợp lệ (sai chữ số kiểm tra)"
    assert caught.value.details == {"expected": 9, "got": 8}


def test_scan_reads_the_number_out_of_the_qr_url() -> None:
    assert tracking_number_from_scan("https://tantay.vn/t/RH123456785VN") == "RH123456785VN"


def test_scan_reads_a_qr_url_under_a_base_path_with_trailing_slash() -> None:
    scanned = "http://localhost:5000/app/t/rh123456785vn/"
    assert tracking_number_from_scan(scanned) == "RH123456785VN"


def test_scan_ignores_the_query_of_the_qr_url() -> None:
    assert tracking_number_from_scan("https://tantay.vn/t/RH123456785VN?src=qr") == "RH123456785VN"


def test_scan_accepts_a_bare_number() -> None:
    assert tracking_number_from_scan(" RH123456785VN\n") == "RH123456785VN"


def test_scan_refuses_a_url_that_is_not_a_tracking_url() -> None:
    with pytest.raises(DomainError) as caught:
        tracking_number_from_scan("https://example.com/pay?RH123456785VN")
    assert caught.value.code == "invalid_tracking_format"


def test_scan_checks_the_digit_of_a_number_in_a_url() -> None:
    with pytest.raises(DomainError) as caught:
        tracking_number_from_scan("https://tantay.vn/t/RH123456784VN")
    assert caught.value.code == "wrong_check_digit"


@settings(max_examples=200)
@given(prefix=prefixes, serial=serials)
def test_made_numbers_parse_back_unchanged(prefix: str, serial: int) -> None:
    number = make_tracking_number(prefix, serial)
    assert parse_tracking_number(number.lower()) == number


@settings(max_examples=200)
@given(serial=serials, wrong=st.integers(min_value=1, max_value=9))
def test_any_other_check_digit_is_refused(serial: int, wrong: int) -> None:
    number = make_tracking_number("RH", serial)
    bad_digit = (int(number[10]) + wrong) % 10
    with pytest.raises(DomainError) as caught:
        parse_tracking_number(f"{number[:10]}{bad_digit}{number[11:]}")
    assert caught.value.code == "wrong_check_digit"


def test_the_example_number_shown_in_the_scan_fields_is_itself_valid() -> None:
    """A placeholder that fails its own check digit misleads whoever copies it."""
    for shown_in in ("pwa/src/scan-box.js", "server/web/templates/tracking.html",
                     "server/web/templates/access_log.html"):
        text = (Path(__file__).resolve().parents[2] / shown_in).read_text()
        for example in re.findall(r"\bKQ\d{9}VN\b", text):
            assert parse_tracking_number(example) == example, (shown_in, example)
