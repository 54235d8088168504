"""The 2025 two-level administrative map (Decision 19/2025/QĐ-TTg): table, matching, checks."""
from __future__ import annotations

import pytest

from server.domain.admin_map import (
    admin_map,
    check_address,
    find_commune,
    find_province,
    fold,
    search_communes,
    search_provinces,
)
from server.domain.errors import DomainError


def test_the_table_has_34_provinces_and_3321_communes_with_unique_codes():
    table = admin_map()
    assert len(table.provinces) == 34
    assert len(table.communes) == 3321
    assert len({c.code for c in table.communes}) == 3321
    assert all(len(p.code) == 2 for p in table.provinces)
    assert all(len(c.code) == 5 for c in table.communes)


def test_the_demo_province_is_ninh_binh_after_the_merger_with_ha_nam_and_nam_dinh():
    ninh_binh = find_province("Ninh Bình")
    assert ninh_binh is not None and ninh_binh.code == "37"
    communes = {c.name for c in admin_map().communes_of("37")}
    # The old provincial capitals of Hà Nam and Nam Định are wards of Ninh Bình now.
    assert {"Phường Hoa Lư", "Phường Phủ Lý", "Phường Nam Định"} <= communes
    assert find_province("Hà Nam") is None and find_province("Nam Định") is None


def test_names_match_without_accents_case_or_type_word():
    assert fold("Đông Hoa Lư") == "dong hoa lu"
    assert find_province("ninh binh") == find_province("Tỉnh Ninh Bình") == find_province("37")
    assert find_province("ha noi").name == "Thành phố Hà Nội"
    ninh_binh = find_province("Ninh Bình")
    assert find_commune(ninh_binh, "phuong hoa lu").name == "Phường Hoa Lư"
    assert find_commune(ninh_binh, "Gia Viễn").name == "Xã Gia Viễn"


def test_search_ignores_accents_and_puts_prefix_matches_first():
    assert [p.name for p in search_provinces("ninh binh")] == ["Ninh Bình"]
    assert "Ninh Bình" in [p.name for p in search_provinces("NINH")]
    found = [c.name for c in search_communes("hoa lu", find_province("ninh binh"))]
    assert found[0] == "Phường Hoa Lư" and "Phường Đông Hoa Lư" in found
    # Without a province, a commune is found anywhere.
    assert any(c.province_code == "01" for c in search_communes("ba dinh"))


@pytest.mark.parametrize(("province", "commune", "code"), [
    ("Ninh Bình", "Phường Ba Đình", "commune_not_in_province"),  # a Hà Nội ward
    ("Ninh Bình", "Phường Không Có", "unknown_commune"),
    ("Hà Nam", "Phường Phủ Lý", "unknown_province"),  # merged into Ninh Bình on 1/7/2025
])
def test_an_address_off_the_map_is_refused_with_a_stable_code(province, commune, code):
    with pytest.raises(DomainError) as refused:
        check_address(province, commune)
    assert refused.value.code == code
    assert refused.value.details["field"].startswith("citizen.address.")


def test_a_commune_in_another_province_names_where_it_is():
    with pytest.raises(DomainError) as refused:
        check_address("Ninh Bình", "Phường Việt Trì")
    assert "Phú Thọ" in refused.value.message and "không thuộc Ninh Bình" in refused.value.message
