"""Signed custody exports: the JSON document, its public key, and the printable page."""
from __future__ import annotations

import copy
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.audit.export import KEY_FILE_NAME, signing_key, verify_export
from server.domain.custody_chain import chain_hash
from tests.api.audit_world import Round, custody_round, events_of
from tests.api.checks import assert_error, signed_in


@pytest.fixture(autouse=True)
def instance_folder(app, tmp_path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """A private instance folder, so a generated signing key never lands in the project's."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "EXPORT_SIGNING_KEY", "")
    return tmp_path


@pytest.fixture
def round_(app, world, new_api) -> Round:  # type: ignore[no-untyped-def]
    """Two results at the postman's, and a countersigned correction on the delivered one."""
    round_ = custody_round(app, new_api)
    target = next(e for e in events_of(round_.supervisor, round_.delivered)
                  if e["type"] == "handed_over")
    asked = round_.supervisor.post("/api/v1/audit/corrections", json={
        "event_id": target["id"], "reason": "Sai đơn vị nhận", "correction": {"to_unit_id": 2},
    }).get_json()
    signed = round_.supervisor2.post(f"/api/v1/audit/corrections/{asked['id']}/countersign",
                                     json={})
    assert signed.status_code == 200, signed.get_json()
    return round_


def _export(client, number: str) -> Any:  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/items/{number}/custody-export.json")


def _public_key(app) -> str:  # type: ignore[no-untyped-def]
    """The served public key, as anyone (no account) gets it."""
    response = app.test_client().get("/api/v1/audit/export-key")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_an_export_verifies_with_the_served_public_key(app, round_):
    response = _export(round_.supervisor, round_.delivered)
    assert response.status_code == 200, response.get_json()
    assert "attachment" in response.headers["Content-Disposition"]
    document = response.get_json()
    assert verify_export(document, _public_key(app)) is True


def test_an_export_holds_every_event_body_exactly_as_hashed(app, round_):
    document = _export(round_.supervisor, round_.delivered).get_json()
    body = document["body"]
    stored = events_of(round_.supervisor, round_.delivered)
    assert [entry["hash"] for entry in body["events"]] == [e["hash"] for e in stored]
    for entry in body["events"]:
        assert chain_hash(entry["body"], entry["previous_hash"]) == entry["hash"]
    assert body["item"]["head_hash"] == stored[-1]["hash"] and body["chain_intact"] is True
    assert [entry["body"]["type"] for entry in body["events"]][-1] == "corrected"
    signature = next(e for e in stored if e["type"] == "handed_over")["evidence"]["signature_sha256"]
    assert {"event_id": next(e for e in stored if e["type"] == "handed_over")["id"],
            "field": "signature_sha256", "sha256": signature, "content_type": "image/png",
            "size_bytes": body["media"][0]["size_bytes"]} in body["media"]


def _tamperings() -> list[tuple[str, Any]]:
    """Ways to change a signed export after the fact."""
    def evidence(doc: dict[str, Any]) -> None:
        doc["body"]["events"][2]["body"]["evidence"]["to_user_id"] = 999

    def drop_last(doc: dict[str, Any]) -> None:
        doc["body"]["events"].pop()

    def exporter(doc: dict[str, Any]) -> None:
        doc["body"]["exported_by"]["username"] = "someone_else"

    def flip_signature(doc: dict[str, Any]) -> None:
        value = doc["signature"]["value"]
        doc["signature"]["value"] = ("B" if value[0] == "A" else "A") + value[1:]

    def status(doc: dict[str, Any]) -> None:
        doc["body"]["item"]["status"] = "delivered"

    def no_signature(doc: dict[str, Any]) -> None:
        del doc["signature"]

    return [("evidence", evidence), ("drop_last", drop_last), ("exporter", exporter),
            ("flip_signature", flip_signature), ("status", status),
            ("no_signature", no_signature)]


@pytest.mark.parametrize(("name", "tamper"), _tamperings(), ids=[n for n, _ in _tamperings()])
def test_a_modified_export_fails_verification(app, round_, name, tamper):
    document = _export(round_.supervisor, round_.delivered).get_json()
    key = _public_key(app)
    changed = copy.deepcopy(document)
    tamper(changed)
    assert verify_export(document, key) is True
    assert verify_export(changed, key) is False


def test_an_export_does_not_verify_with_another_key(app, round_):
    document = _export(round_.supervisor, round_.delivered).get_json()
    other = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert verify_export(document, other) is False
    assert verify_export(document, "not a key") is False


def test_the_agency_of_the_item_may_export_it(app, round_):
    assert _export(round_.agency, round_.delivered).status_code == 200


@pytest.mark.parametrize(("username", "status", "code"), [
    ("supervisor_lc", 404, "unknown_item"),  # supervisor of another province
    ("agency_bhxh", 404, "unknown_item"),  # another agency
    ("clerk", 403, "forbidden"),
    ("postman", 403, "forbidden"),
])
def test_an_export_outside_ones_scope_or_role_is_refused(app, round_, new_api, username,
                                                         status, code):
    assert_error(_export(signed_in(new_api(), username), round_.delivered), status, code)


def test_an_anonymous_export_is_refused(app, round_, new_api):
    assert_error(_export(new_api(), round_.delivered), 401, "auth_required")


# --- the printable page -----------------------------------------------------------------------

def test_the_custody_page_prints_every_event_the_hashes_and_the_signature(app, round_):
    export = _export(round_.supervisor, round_.delivered).get_json()
    response = round_.supervisor.get(f"/items/{round_.delivered}/custody")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page and round_.delivered in page
    assert "Điều chỉnh (có kiểm soát)" in page and "Bàn giao" in page
    for entry in export["body"]["events"]:
        assert entry["hash"] in page and entry["body"]["id"] in page
    assert export["signature"]["key_id"] in page
    assert _public_key(app).strip().splitlines()[1] in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None  # no inline script
    assert "<style" not in page and " style=" not in page  # no inline style
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_custody_page_has_a_print_stylesheet(app):
    css = app.test_client().get("/static/custody.css")
    assert css.status_code == 200 and "@media print" in css.get_data(as_text=True)


def test_the_custody_page_sends_strangers_to_sign_in_and_refuses_others(app, round_, new_api):
    anonymous = new_api().get(f"/items/{round_.delivered}/custody")
    assert anonymous.status_code == 302
    assert signed_in(new_api(), "clerk").get(f"/items/{round_.delivered}/custody").status_code == 403
    outsider = round_.outsider.get(f"/items/{round_.delivered}/custody")
    assert outsider.status_code == 404 and round_.delivered in outsider.get_data(as_text=True)
    assert "Nguyễn Thị Mẫu" not in outsider.get_data(as_text=True)


# --- the key ------------------------------------------------------------------------------

def test_the_key_is_generated_once_into_the_instance_folder(app, round_, instance_folder):
    first = _public_key(app)
    key_file = instance_folder / KEY_FILE_NAME
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _public_key(app) == first


def test_the_configured_key_signs_when_set(app, round_, monkeypatch, instance_folder):
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    monkeypatch.setitem(app.config, "EXPORT_SIGNING_KEY", pem.replace("\n", "\\n"))
    expected = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert _public_key(app) == expected
    assert verify_export(_export(round_.supervisor, round_.delivered).get_json(), expected)
    assert not (instance_folder / KEY_FILE_NAME).exists()


def test_a_key_that_is_not_ed25519_is_refused(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    with pytest.raises(ValueError):
        signing_key(pem, str(tmp_path))
