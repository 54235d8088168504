"""The field app's limits are the server's: `pwa/src/limits.json` is generated from the sync schemas."""
from __future__ import annotations

import json
from pathlib import Path

from server.custody.field_limits import field_limits

LIMITS_FILE = Path(__file__).resolve().parents[2] / "pwa" / "src" / "limits.json"


def test_the_phone_applies_the_limits_of_the_sync_schemas():
    assert json.loads(LIMITS_FILE.read_text(encoding="utf-8")) == field_limits(), (
        "pwa/src/limits.json drifted from server/custody/schemas.py: run `make pwa`")


def test_the_recipient_name_limit_is_the_servers():
    assert field_limits()["recipient.name"]["maxLength"] == 200
