"""The limits the field app applies before saving an event, read from the sync schemas.

One source: the pydantic models of `POST /sync` (which also make the OpenAPI document).
`make pwa` writes them to `pwa/src/limits.json` before bundling, and
`tests/api/test_field_limits.py` fails when the committed copy drifts from the models, so
the phone never saves as "recorded" what the server would refuse.

    python -m server.custody.field_limits > pwa/src/limits.json
"""
from __future__ import annotations

import json
import sys
from typing import Any

from server.custody.schemas import DeliveredEvent, RecipientIn
from server.domain.identity import LAST4_PATTERN


def _bounds(model: type, name: str) -> dict[str, Any]:
    """The JSON-schema bounds of one field (`maxLength`, `maximum`, …) of a pydantic model."""
    schema = model.model_json_schema()  # type: ignore[attr-defined]
    found = schema["properties"][name]
    options = found.get("anyOf", [found])
    merged: dict[str, Any] = {}
    for option in options:
        merged.update({key: value for key, value in option.items()
                       if key in {"minLength", "maxLength", "minimum", "maximum", "maxItems", "pattern"}})
        if "items" in option:
            merged["itemMaxLength"] = option["items"].get("maxLength")
    return merged


def field_limits() -> dict[str, Any]:
    """The limits of the fields a postman types at the door, keyed by evidence path."""
    return {
        "recipient.name": _bounds(RecipientIn, "name"),
        "recipient.relationship": _bounds(RecipientIn, "relationship"),
        "recipient.id_last4": {**_bounds(RecipientIn, "id_last4"), "pattern": f"^{LAST4_PATTERN}$"},
        "cash_collected_vnd": _bounds(DeliveredEvent, "cash_collected_vnd"),
        "papers_collected": _bounds(DeliveredEvent, "papers_collected"),
        "deviation_note": _bounds(DeliveredEvent, "deviation_note"),
    }


if __name__ == "__main__":
    json.dump(field_limits(), sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
    sys.stdout.write("\n")
