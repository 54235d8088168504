"""One serialisation convention (server/core/schemas.py): no service builds a response model.

A service answers plain values; only the views (`api.py`, `*_api.py`, `views.py`, the health
check, the command line) and the `serializers.py` modules make a `ResponseModel`, by calling
it or its `model_validate`. This walks every other module for such a call.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import server  # noqa: F401  (the app factory imports every feature, so every model is defined)
from server.core.schemas import ResponseModel

ROOT = Path(__file__).resolve().parents[2]
#: The modules that turn values into answers.
CONVERTERS = re.compile(r"(^|_)api\.py$|^(serializers|views|health|cli|pages)\.py$|schemas\.py$")
def _response_models() -> set[str]:
    """The names of every response model (subclasses of subclasses included)."""
    found: set[str] = set()
    pending = [ResponseModel]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.add(subclass.__name__)
            pending.append(subclass)
    return found


def _built(tree: ast.AST, models: set[str]) -> Iterator[tuple[int, str]]:
    """(line, model) of every `Model(...)` and `Model.model_validate(...)` call."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr.startswith("model_validate"):
            func = func.value
        if isinstance(func, ast.Name) and func.id in models:
            yield node.lineno, func.id


def _services_building_models() -> dict[str, list[str]]:
    models = _response_models()
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "server").rglob("*.py")):
        if CONVERTERS.search(path.name):
            continue
        calls = list(_built(ast.parse(path.read_text(encoding="utf-8")), models))
        if calls:
            found[str(path.relative_to(ROOT))] = [f"{line}: {name}" for line, name in calls]
    return found


def test_the_walk_sees_response_models_by_their_names():
    models = _response_models()
    assert {"ItemOut", "WitnessAlertOut", "ReportSummary", "FieldCounts"} <= models
    calls = list(_built(ast.parse("ItemOut(a=1)\nWitnessAlertOut.model_validate(x)\nlen(y)"),
                        models))
    assert calls == [(1, "ItemOut"), (2, "WitnessAlertOut")]


def test_no_service_builds_a_response_model():
    assert _services_building_models() == {}
