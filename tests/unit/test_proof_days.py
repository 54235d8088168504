"""Which events belong to a day: the local day in Asia/Ho_Chi_Minh (UTC+7) by server time."""

from datetime import UTC, date, datetime

from server.custody.proof import last_closed_day
from server.domain.evidence_images import media_fields
from server.domain.local_time import day_bounds, local_day


def test_a_local_day_runs_from_17_00_utc_the_day_before() -> None:
    start, end = day_bounds(date(2026, 1, 5))
    assert start == datetime(2026, 1, 4, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 1, 5, 17, 0, tzinfo=UTC)


def test_late_evening_utc_is_already_the_next_local_day() -> None:
    assert local_day(datetime(2026, 1, 5, 16, 59, 59, tzinfo=UTC)) == date(2026, 1, 5)
    assert local_day(datetime(2026, 1, 5, 17, 0, tzinfo=UTC)) == date(2026, 1, 6)


def test_the_day_to_seal_by_default_is_the_local_yesterday() -> None:
    # 18:00 UTC on 5 January is 01:00 on 6 January in Hà Nội: yesterday there is the 5th.
    assert last_closed_day(datetime(2026, 1, 5, 18, 0, tzinfo=UTC)) == date(2026, 1, 5)


def test_every_field_ending_in_sha256_names_an_image_however_deep() -> None:
    evidence = {"signature_sha256": "a" * 64, "photo_sha256": None, "cash_collected_vnd": 0,
                "correction": {"authorization_sha256": "b" * 64},
                "pages": [{"scan_sha256": "c" * 64}]}
    assert sorted(media_fields(evidence)) == [
        ("correction.authorization_sha256", "b" * 64), ("pages.0.scan_sha256", "c" * 64),
        ("signature_sha256", "a" * 64)]
