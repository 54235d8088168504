"""CMND after 2024 and name comparison (issue 16)."""
from datetime import date

import pytest

from server.domain.errors import DomainError
from server.domain.identity import (
    check_id_document_in_force,
    fold_name,
    same_person_name,
)


def test_a_cmnd_is_refused_from_1_january_2025():
    check_id_document_in_force("cmnd", date(2024, 12, 31))
    with pytest.raises(DomainError) as refused:
        check_id_document_in_force("cmnd", date(2025, 1, 1))
    assert refused.value.code == "cmnd_no_longer_valid"
    assert "Luật Căn cước 2023" in refused.value.message


@pytest.mark.parametrize("id_type", ["cccd", "can_cuoc", "passport", "vneid"])
def test_other_documents_stay_valid(id_type):
    check_id_document_in_force(id_type, date(2026, 12, 3))


def test_names_compare_without_accents_case_or_spacing():
    assert same_person_name("Nguyễn Văn Ánh", "NGUYEN  VAN ANH")
    assert same_person_name("Đặng Thị Đào", "dang thi dao")
    assert not same_person_name("Nguyễn Văn Ánh", "Nguyễn Văn Anh Tuấn")
    assert fold_name(" Trần   Thị Mẫu ") == "tran thi mau"
