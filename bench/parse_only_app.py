"""The real app plus two bench-only routes, for baselines served by the same gunicorn.

    gunicorn bench.parse_only_app:app

- `POST /bench/parse-only`: reads the JSON body of a sync batch and validates it exactly as
  `POST /api/v1/sync` does (the batch model, then every event with the service's own event
  model), touches no database and answers one result per event. It is the ceiling of HTTP,
  JSON and validation on this machine: what sync costs beyond it is the database and custody.
- `GET /bench/hello`: a bare Flask JSON endpoint, the baseline of public tracking.

Never imported by the production app (`wsgi.py`): these routes exist only in the benchmarks.
"""
from __future__ import annotations

import sys
from pathlib import Path

from flask import Response, jsonify, request

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from server import create_app  # noqa: E402
from server.custody.schemas import SyncRequest  # noqa: E402
from server.custody.sync import _parse  # noqa: E402

app = create_app()


@app.post("/bench/parse-only")
def parse_only() -> Response:
    """Validate a sync batch like the real endpoint, write nothing."""
    batch = SyncRequest.model_validate(request.get_json())
    results = []
    for raw in batch.events:
        model, rejection = _parse(raw)
        results.append(rejection if model is None else {"id": str(model.id), "status": "accepted"})
    return jsonify({"results": results})


@app.get("/bench/hello")
def hello() -> Response:
    """The smallest JSON answer Flask gives."""
    return jsonify({"status": "ok"})
