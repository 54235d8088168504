"""Reading images back (`GET /api/v1/media/<sha256>`) and their retention (`media prune`).

Signatures, photos and ID papers are personal data: an image is shown only to the admin, its
uploader, and those who may see an item whose custody names it (a supervisor over the item's
units, the staff of its post office or agency). Everyone else gets the 404 an unknown hash
gets, so not even the image's existence leaks.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from server.accounts.service import create_user
from server.extensions import db
from server.media.retention import prune_media
from server.media.service import media_path
from server.models import CustodyEvent, Media, Unit
from server.models.types import utc_now
from tests.api.checks import assert_error, signed_in
from tests.api.scenario import (
    HOME,
    event,
    hand_over,
    register_result,
    sync,
    upload_image,
)
from tests.conftest import ApiClient, jpeg_bytes, png_bytes


@dataclass
class Delivered:
    """A result delivered by `postman` with a signature image, and who took part."""

    number: str
    signature: str
    clerk: ApiClient
    postman: ApiClient


def _deliver(new_api: Any) -> Delivered:  # type: ignore[no-untyped-def]
    """Clerk registers, hands to postman, postman delivers with an uploaded signature."""
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = register_result(clerk)["tracking_number"]
    hand_over(clerk, postman, "postman", [number])
    signature = upload_image(postman, "signature-of-the-citizen")
    near = {"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 10}
    results = sync(postman, event(number, "out_for_delivery"),
                   event(number, "delivered", position=near, signature_sha256=signature,
                         recipient={"name": "Nguyễn Thị Mẫu", "relation": "self",
                                    "id_type": "cccd", "id_last4": "7890"},
                         cash_collected_vnd=26000, papers_collected=[]))
    assert [r["status"] for r in results] == ["accepted", "accepted"], results
    return Delivered(number, signature, clerk, postman)


@pytest.fixture
def delivered(app, world, new_api) -> Delivered:  # type: ignore[no-untyped-def]
    """A delivered result whose delivery event names a signature image."""
    return _deliver(new_api)


def _add_user(app: Flask, username: str, role: str, unit_code: str) -> None:
    """One more staff member (password tantay-demo), committed."""
    with app.app_context():
        unit = db.session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one()
        create_user(username, "tantay-demo", role, unit.id)
        db.session.commit()


def _read(client: ApiClient, sha: str) -> Any:
    return client.get(f"/api/v1/media/{sha}")


# --- who may see it --------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "supervisor", "clerk", "postman", "agency"])
def test_the_image_is_shown_to_those_who_may_see_its_item(app, delivered, new_api, username):
    response = _read(signed_in(new_api(), username), delivered.signature)
    assert response.status_code == 200, response.get_json()
    assert response.data == png_bytes("signature-of-the-citizen")
    assert response.mimetype == "image/png"


@pytest.mark.parametrize("username", ["clerk_nd", "postman_nd", "agency_bhxh", "agency_tp",
                                      "postman2"])  # postman2: never handled the item
def test_the_image_is_hidden_from_staff_of_other_units(app, delivered, new_api, username):
    response = _read(signed_in(new_api(), username), delivered.signature)
    unknown = _read(signed_in(new_api(), username), "f" * 64)
    assert assert_error(response, 404, "unknown_media") == assert_error(unknown, 404,
                                                                        "unknown_media")


def test_a_supervisor_sees_images_of_items_in_their_subtree_only(app, delivered, new_api):
    _add_user(app, "supervisor_ht", "supervisor", "BC-TRUNGTAM")
    _add_user(app, "supervisor_nd", "supervisor", "BC-NAMDINH")
    assert _read(signed_in(new_api(), "supervisor_ht"), delivered.signature).status_code == 200
    assert_error(_read(signed_in(new_api(), "supervisor_nd"), delivered.signature), 404,
                 "unknown_media")


def test_the_uploader_sees_an_image_no_event_names_yet(app, world, new_api):
    postman = signed_in(new_api(), "postman")
    sha = upload_image(postman, "not-yet-used")
    assert _read(postman, sha).status_code == 200
    # The admin sees every image; a colleague of the same office does not see an unused one.
    assert _read(signed_in(new_api(), "admin"), sha).status_code == 200
    assert_error(_read(signed_in(new_api(), "postman2"), sha), 404, "unknown_media")
    assert_error(_read(signed_in(new_api(), "clerk"), sha), 404, "unknown_media")


def test_an_anonymous_caller_must_sign_in(app, delivered, new_api):
    assert_error(_read(new_api(), delivered.signature), 401, "auth_required")


def test_a_handover_signature_is_shown_to_the_parties_units(app, world, new_api):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = register_result(clerk)["tracking_number"]
    hand_over(clerk, postman, "postman", [number])
    with app.app_context():
        sha = db.session.execute(
            select(CustodyEvent.evidence).where(CustodyEvent.type == "handed_over")
        ).scalar_one()["signature_sha256"]
    assert _read(clerk, sha).status_code == 200
    assert_error(_read(signed_in(new_api(), "clerk_nd"), sha), 404, "unknown_media")


# --- what the answer looks like --------------------------------------------------------

def test_the_image_comes_with_its_stored_type_and_safe_headers(app, delivered, new_api):
    response = _read(delivered.clerk, delivered.signature)
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["Cache-Control"] == "private"


def test_a_jpeg_is_answered_as_a_jpeg(app, world, new_api):
    postman = signed_in(new_api(), "postman")
    body = jpeg_bytes("a photo of the door")
    sha = hashlib.sha256(body).hexdigest()
    assert postman.put(f"/api/v1/media/{sha}", data=body,
                       content_type="image/jpeg").status_code == 201
    response = _read(postman, sha)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data == body


# --- hostile addresses ------------------------------------------------------------------

#: Addresses with an (encoded) slash match no route at all: 404. The others reach the view,
#: which refuses anything but 64 lower-case hex digits before building a path: 422.
@pytest.mark.parametrize(("address", "status"), [
    ("..%2F..%2F..%2F..%2Fetc%2Fpasswd", 404),
    ("..%2F..%2Fsecret_key", 404),
    ("%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", 404),
    ("....%2F%2F....%2F%2Fetc%2Fpasswd", 404),
    ("%2Fetc%2Fpasswd", 404),
    ("ab%2F..%2F..%2F..%2Fetc%2Fpasswd", 404),
    ("..", 422),
    ("%2E%2E", 422),
    ("..%5C..%5Cetc%5Cpasswd", 422),
    ("A" * 64, 422),  # upper-case hex is not how hashes are named
    ("0" * 63, 422),
    ("0" * 65, 422),
    ("0" * 64 + "%00.png", 422),
])
def test_an_address_that_is_not_a_hash_never_reads_a_file(app, world, new_api, address, status):
    admin = signed_in(new_api(), "admin")
    response = admin.get(f"/api/v1/media/{address}")
    assert_error(response, status, "invalid_hash" if status == 422 else "not_found")
    assert b"root:" not in response.data


def test_a_planted_file_outside_the_media_folder_is_not_served(app, world, new_api):
    secret = Path(app.config["MEDIA_DIR"]).parent / "planted.png"
    secret.write_bytes(png_bytes("planted"))
    admin = signed_in(new_api(), "admin")
    for address in ("..%2Fplanted.png", "..%2F..%2F..%2Fplanted.png"):
        response = admin.get(f"/api/v1/media/{address}")
        assert response.status_code in (404, 422) and response.data != png_bytes("planted")


# --- retention (TT17 Art.14) ------------------------------------------------------------

def _age(app: Flask, days: int) -> None:
    """Pretend every image and event is `days` old."""
    past = utc_now() - timedelta(days=days)
    with app.app_context():
        db.session.execute(update(Media).values(uploaded_at=past))
        db.session.execute(update(CustodyEvent).values(received_at=past))
        db.session.commit()


def _prune(app: Flask, **options: Any):  # type: ignore[no-untyped-def]
    with app.app_context():
        return prune_media(app.config["MEDIA_DIR"], app.config["MEDIA_RETENTION_DAYS"], **options)


def test_retention_defaults_to_five_years(app):
    assert app.config["MEDIA_RETENTION_DAYS"] == 1826


def test_prune_deletes_old_images_of_closed_items_and_keeps_their_rows(app, delivered, new_api,
                                                                      caplog):
    open_number = register_result(delivered.clerk)["tracking_number"]
    open_signature = upload_image(delivered.postman, "still-needed")
    hand = delivered.clerk.post("/api/v1/handovers", json={"to_user": "postman",
                                                           "items": [open_number]})
    accepted = delivered.postman.post(f"/api/v1/handovers/{hand.get_json()['id']}/accept",
                                      json={"scanned": [open_number],
                                            "signature_sha256": open_signature})
    assert accepted.status_code == 200
    _age(app, 1900)
    path = media_path(app.config["MEDIA_DIR"], delivered.signature)
    # The migrations' logging.config.fileConfig disabled the loggers that existed then.
    logging.getLogger("server.media.retention").disabled = False
    with caplog.at_level(logging.INFO, logger="server.media.retention"):
        report = _prune(app)
    assert not path.exists()
    assert media_path(app.config["MEDIA_DIR"], open_signature).exists()
    assert report.deleted >= 1 and report.kept >= 1 and not report.dry_run
    with app.app_context():
        assert db.session.get(Media, delivered.signature) is not None  # the record stays
    assert "files deleted" in caplog.text
    assert_error(_read(signed_in(new_api(), "admin"), delivered.signature), 404, "media_purged")


def test_prune_keeps_images_younger_than_the_retention(app, delivered):
    _age(app, 30)
    assert _prune(app).deleted == 0
    assert media_path(app.config["MEDIA_DIR"], delivered.signature).exists()


def test_prune_keeps_an_old_image_of_an_item_closed_recently(app, delivered):
    _age(app, 1900)
    with app.app_context():
        db.session.execute(update(CustodyEvent).where(CustodyEvent.type == "delivered")
                           .values(received_at=utc_now()))
        db.session.commit()
    _prune(app)
    assert media_path(app.config["MEDIA_DIR"], delivered.signature).exists()


def test_a_dry_run_deletes_nothing(app, delivered):
    _age(app, 1900)
    report = _prune(app, dry_run=True)
    assert report.dry_run and report.deleted >= 1
    assert media_path(app.config["MEDIA_DIR"], delivered.signature).exists()


def test_the_prune_command_reports_counts(app, delivered):
    _age(app, 1900)
    dry = app.test_cli_runner().invoke(args=["media", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert '"dry_run": true' in dry.output and '"deleted": ' in dry.output
    assert media_path(app.config["MEDIA_DIR"], delivered.signature).exists()
    real = app.test_cli_runner().invoke(args=["media", "prune"])
    assert real.exit_code == 0, real.output
    assert not media_path(app.config["MEDIA_DIR"], delivered.signature).exists()


def test_the_retention_comes_from_the_environment(monkeypatch):
    from server.config import settings_from_environment

    monkeypatch.setenv("SECRET_KEY", "test-secret")
    monkeypatch.setenv("MEDIA_RETENTION_DAYS", "3650")
    assert settings_from_environment()["MEDIA_RETENTION_DAYS"] == 3650

