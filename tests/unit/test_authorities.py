"""The receiving authority of the TT17 Art.13 report after the 2025 merger (issue 16)."""
from server.domain.authorities import report_recipient


def test_the_provincial_department_of_science_and_technology_receives_the_report():
    assert report_recipient("Ninh Bình").name == "Sở Khoa học và Công nghệ Ninh Bình"
    assert report_recipient("Tỉnh Ninh Bình").name == "Sở Khoa học và Công nghệ Ninh Bình"
    assert report_recipient("Thành phố Hà Nội").name == "Sở Khoa học và Công nghệ Hà Nội"
    assert "Nghị định 55/2025/NĐ-CP" in report_recipient("Huế").legal_basis


def test_an_unknown_province_still_names_the_right_kind_of_authority():
    assert report_recipient("  ").name == "Sở Khoa học và Công nghệ"
