"""Fees of an item (QĐ45 Art.11-12; TT22/2017) and the intake's document count (QĐ45 Art.6)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.errors import DomainError
from server.domain.fees import (
    CountedDocument,
    Reduction,
    cash_due_vnd,
    check_counted_documents,
    quote_fees,
)
from server.domain.service_time import RouteClass, route_class_between

HALF = Reduction("NGUOI_CO_CONG", "Người có công", 50, 50)
CHECKLIST = [{"name": "Tờ khai", "original": True, "count": 1},
             {"name": "Ảnh 3x4", "original": True, "count": 2},
             {"name": "Bản sao hộ khẩu", "original": False, "count": 1, "required": False}]

amounts = st.integers(min_value=0, max_value=10_000_000)
percents = st.integers(min_value=0, max_value=100)


def test_a_fifty_percent_reduction_halves_postage_and_fee():
    quote = quote_fees(26_000, 135_000, HALF)
    assert (quote.postage_vnd, quote.official_fee_vnd, quote.total_vnd) == (13_000, 67_500, 80_500)
    assert quote.reduction_code == "NGUOI_CO_CONG"


def test_without_a_reduction_the_citizen_pays_both_in_full():
    assert quote_fees(30_000, 50_000).total_vnd == 80_000


def test_an_odd_amount_is_rounded_in_whole_dong_against_the_discount():
    assert quote_fees(25_001, 0, HALF).postage_vnd == 12_501


def test_a_reduction_outside_0_to_100_percent_is_not_a_reduction():
    with pytest.raises(ValueError):
        Reduction("X", "x", 120, 0)


@given(amounts, amounts, percents, percents)
def test_the_total_is_what_is_left_of_each_fee(postage, fee, off_postage, off_fee):
    quote = quote_fees(postage, fee, Reduction("R", "r", off_postage, off_fee))
    assert 0 <= quote.postage_vnd <= postage and 0 <= quote.official_fee_vnd <= fee
    assert quote.total_vnd == quote.postage_vnd + quote.official_fee_vnd
    assert quote.as_evidence()["total_vnd"] == quote.total_vnd


@given(amounts, amounts)
def test_an_exemption_makes_everything_free(postage, fee):
    assert quote_fees(postage, fee, Reduction("MIEN", "miễn", 100, 100)).total_vnd == 0


@given(amounts, percents, percents)
def test_a_larger_reduction_never_costs_more(postage, low, high):
    low, high = min(low, high), max(low, high)
    assert (quote_fees(postage, 0, Reduction("H", "h", high, 0)).total_vnd
            <= quote_fees(postage, 0, Reduction("L", "l", low, 0)).total_vnd)


def test_a_dossier_being_taken_in_owes_its_fees_and_nothing_once_at_post():
    assert cash_due_vnd("dossier", None, 26_000, 50_000) == 76_000
    assert cash_due_vnd("dossier", "requested", 26_000, 50_000) == 76_000
    assert cash_due_vnd("dossier", "at_post", 26_000, 50_000) == 0
    assert cash_due_vnd("result", "at_post", 26_000, 50_000) == 76_000
    assert cash_due_vnd("result", "delivered", 26_000, 50_000) == 0


def test_a_complete_count_is_accepted_and_optional_lines_may_be_left_out():
    check_counted_documents(CHECKLIST, [CountedDocument("Tờ khai", True, 1),
                                        CountedDocument("Ảnh 3x4", True, 2)])


@pytest.mark.parametrize(("lines", "code"), [
    ([CountedDocument("Tờ khai", True, 1)], "documents_missing"),
    ([CountedDocument("Tờ khai", True, 1), CountedDocument("Ảnh 3x4", True, 0)],
     "document_count_invalid"),
    ([CountedDocument("Tờ khai", True, 1), CountedDocument("Ảnh 3x4", True, 1),
      CountedDocument("Sổ đỏ", True, 1)], "document_not_in_checklist"),
    ([CountedDocument("Tờ khai", True, 1), CountedDocument("Tờ khai", False, 1)],
     "document_listed_twice"),
])
def test_a_count_that_does_not_match_the_checklist_is_refused(lines, code):
    with pytest.raises(DomainError) as refused:
        check_counted_documents(CHECKLIST, lines)
    assert refused.value.code == code


def test_the_missing_documents_are_named():
    with pytest.raises(DomainError) as refused:
        check_counted_documents(CHECKLIST, [CountedDocument("Tờ khai", True, 1)])
    assert "Ảnh 3x4" in refused.value.message


@pytest.mark.parametrize(("where", "expected"), [
    (("Ninh Bình", "Phường Hoa Lư", "Ninh Bình", "phường hoa lư"), RouteClass.same_area),
    (("Ninh Bình", "Phường Hoa Lư", "Ninh Bình", "Phường Nam Định"), RouteClass.intra_province),
    (("Ninh Bình", "Phường Hoa Lư", "Hà Nội", "Phường Hoàn Kiếm"), RouteClass.inter_province),
])
def test_the_default_route_class_follows_the_two_addresses(where, expected):
    assert route_class_between(*where) is expected
