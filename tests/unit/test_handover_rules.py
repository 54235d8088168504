"""Who may receive an item on a handover, and what a citizen reads after a failed attempt."""
from __future__ import annotations

from datetime import date

from server.domain.handover_rules import (
    ItemFacts,
    UnitFacts,
    citizen_initials,
    item_may_go_to,
    person_may_receive,
    unit_may_sign,
)
from server.domain.invitations import FailedAttempt, invitation_status
from server.domain.lifecycle import FailureAction, FailureReason
from server.domain.tracking_notice import after_failure

ITEM = ItemFacts(agency_unit_id=7, post_office_province_path="/1/")


def test_an_item_goes_only_to_its_own_agency():
    assert item_may_go_to(ITEM, UnitFacts(7, "agency", "/2/"))  # even in another province
    assert not item_may_go_to(ITEM, UnitFacts(8, "agency", "/1/"))


def test_an_item_stays_with_the_post_of_its_province():
    assert item_may_go_to(ITEM, UnitFacts(3, "post_office", "/1/"))
    assert not item_may_go_to(ITEM, UnitFacts(4, "post_office", "/2/"))
    assert not item_may_go_to(ITEM, UnitFacts(1, "province", "/1/"))


def test_a_unit_signs_through_its_desk_and_only_a_postman_is_named():
    assert unit_may_sign("post_office", {"clerk", "postman"})
    assert not unit_may_sign("post_office", {"postman"})
    assert unit_may_sign("agency", {"agency"}) and not unit_may_sign("province", {"admin"})
    assert person_may_receive("postman", "post_office")
    assert not person_may_receive("clerk", "post_office") and not person_may_receive("agency", "agency")


def test_initials_only():
    assert citizen_initials("Nguyễn Thị Mẫu") == "N.T.M."
    assert citizen_initials("  đỗ   văn  một ") == "Đ.V.M."
    assert citizen_initials("") == ""


def test_a_retry_says_the_postman_comes_back_the_same_day():
    attempt = FailedAttempt(on=date(2026, 12, 3), reason=FailureReason.absent, action=FailureAction.retry)
    notice = after_failure("attempt_failed", attempt, invitation_status([attempt]), "Bưu cục A", None)
    assert notice.what_next.startswith("Bưu tá sẽ quay lại phát trong ngày")
    assert notice.held_at == "Bưu cục A"


def test_a_second_invitation_says_the_result_goes_back():
    absent, notice_left = FailureReason.absent, FailureAction.notice_left
    first = FailedAttempt(on=date(2026, 12, 1), reason=absent, action=notice_left)
    second = FailedAttempt(on=date(2026, 12, 3), reason=absent, action=notice_left)
    notice = after_failure("attempt_failed", second, invitation_status([first, second]), None, None)
    assert "chuyển hoàn" in notice.what_next and "bưu cục phát" in notice.what_next
