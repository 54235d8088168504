"""`/api/v1/openapi.json`: an OpenAPI 3.1 document built from what the API enforces.

No OpenAPI validator is installed, so the structure OpenAPI 3.1 requires is checked here:
every route documented with its method, every `$ref` resolving, path parameters declared,
unique operation ids, and request bodies that are the very models used for validation.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import TypeAdapter

from server.catalogue.schemas import SignedOut
from server.core.schemas import RequestModel
from server.core.spec import OPERATIONS, _serialise
from server.custody.schemas import SyncEvent
from tests.api.checks import field_names, signed_in
from tests.api.scenario import result_body

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PATH_ITEM_FIELDS = HTTP_METHODS | {"summary", "description", "servers", "parameters", "$ref"}
REF = "#/components/schemas/{model}"


@pytest.fixture
def document(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _operations(document: dict[str, Any]):  # type: ignore[no-untyped-def]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def _refs(node: Any):  # type: ignore[no-untyped-def]
    """Every `$ref` value anywhere in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for escaped in ref[2:].split("/"):
        part = escaped.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, ref
        node = node[part]
    return node


def _request_schema(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    ref = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return _resolve(document, ref)


def _component(model: type, mode: str = "validation") -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[attr-defined]
    schema.pop("$defs", None)
    return schema


def test_the_document_is_openapi_3_1(document):
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    assert set(document) <= {"openapi", "info", "jsonSchemaDialect", "servers", "paths",
                             "webhooks", "components", "security", "tags", "externalDocs"}


def test_every_path_item_holds_only_openapi_fields(document):
    for path, item in document["paths"].items():
        assert path.startswith("/") and set(item) <= PATH_ITEM_FIELDS, path


def test_every_operation_answers_with_described_responses(document):
    for path, method, operation in _operations(document):
        assert operation["responses"], (path, method)
        for status, response in operation["responses"].items():
            assert re.fullmatch(r"[1-5]\d\d|default", status), (path, method, status)
            assert response["description"], (path, method, status)


def test_operation_ids_are_unique(document):
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(ids) == len(set(ids))


def test_every_reference_resolves(document):
    refs = set(_refs(document))
    assert "#/components/schemas/ItemCreate" in refs
    for ref in refs:
        _resolve(document, ref)


def test_path_parameters_match_the_path_template(document):
    for path, method, operation in _operations(document):
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)
        for parameter in operation["parameters"]:
            assert parameter["in"] in {"path", "query", "header", "cookie"}
            assert "schema" in parameter
            if parameter["in"] == "path":
                assert parameter["required"] is True


def test_security_names_declared_schemes(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}
    assert schemes["session"]["type"] == "apiKey" and schemes["session"]["in"] == "cookie"
    for requirement in document["security"]:
        assert set(requirement) <= set(schemes)


def test_every_api_route_is_documented_with_its_method(app, document):
    routes = set()
    for rule in app.url_map.iter_rules():
        api_route = rule.rule.startswith("/api/v1/") or rule.rule == "/healthz"
        if not api_route or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:  # type: ignore[operator]
            routes.add((path, method.lower()))
    documented = {(path, method) for path, method, _ in _operations(document)}
    assert routes == documented
    assert ("/api/v1/items", "post") in routes and ("/api/v1/media/{sha256}", "put") in routes


def test_request_bodies_are_the_models_that_validate_them(document):
    with_body = [op for op in OPERATIONS if op.body is not None]
    assert {op.rule for op in with_body} >= {"/api/v1/items", "/api/v1/sync", "/api/v1/auth/login",
                                             "/api/v1/handovers"}
    for op in with_body:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        documented = _request_schema(document, path, op.method.lower())
        assert documented == _component(op.document_body or op.body), op.rule


def test_the_item_schema_names_the_citizen_and_refuses_unknown_fields(document):
    item = _request_schema(document, "/api/v1/items", "post")
    assert item["additionalProperties"] is False
    assert {"kind", "procedure_code", "citizen"} <= set(item["required"])
    citizen = _resolve(document, item["properties"]["citizen"]["$ref"])
    assert citizen["additionalProperties"] is False
    assert {"name", "phone", "address"} <= set(citizen["properties"])


def test_every_request_model_refuses_unknown_fields_in_the_document(document):
    request_models = {cls.__name__ for cls in _subclasses(RequestModel)}
    schemas = document["components"]["schemas"]
    documented_requests = request_models & set(schemas)
    assert {"ItemCreate", "CitizenIn", "AddressIn", "DeliveredEvent", "RecipientIn"} <= documented_requests
    for name in documented_requests:
        assert schemas[name].get("additionalProperties") is False, name


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_the_documented_sync_events_are_the_ones_sync_validates(document):
    batch = _request_schema(document, "/api/v1/sync", "post")
    events = batch["properties"]["events"]["items"]
    validated = TypeAdapter(SyncEvent).json_schema(ref_template=REF)
    validated.pop("$defs", None)
    assert events == validated
    assert set(events["discriminator"]["mapping"]) == {
        "collected", "out_for_delivery", "attempt_failed", "delivered", "held_for_pickup", "returned"}


def test_query_parameters_are_the_query_models_fields(document):
    listed = {p["name"] for p in document["paths"]["/api/v1/items"]["get"]["parameters"]}
    assert listed == {"status", "kind", "holder", "q", "limit", "offset"}


def test_errors_are_documented_with_the_envelope(document):
    for path, method, operation in _operations(document):
        public = operation.get("security") == []
        if not public:
            assert {"401", "403"} <= set(operation["responses"]), (path, method)
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorEnvelope"}, (path, method, status)
    assert "429" in document["paths"]["/api/v1/auth/login"]["post"]["responses"]


@pytest.mark.parametrize(("caller", "path", "body"), [
    (None, "/api/v1/auth/login", {"username": "clerk", "password": "x"}),
    ("clerk", "/api/v1/items", result_body()),
    ("clerk", "/api/v1/handovers", {"to_user": "postman", "items": ["KQ000000014VN"]}),
    ("postman", "/api/v1/sync", {"events": [{}]}),
])
def test_every_documented_required_field_is_enforced(app, world, document, new_api, caller,
                                                     path, body):
    client = signed_in(new_api(), caller) if caller else new_api()
    required = _request_schema(document, path, "post").get("required", [])
    assert required
    for field in required:
        response = client.post(path, json={k: v for k, v in body.items() if k != field})
        assert response.status_code == 422, (field, response.get_json())
        assert field in field_names(response.get_json()["error"])


def test_a_view_answers_its_response_model_never_a_bare_dict(app):
    """One serialisation convention (server/core/schemas.py): what a view returns is dumped
    from a response model; a dict would bypass the documented schema, so it is refused."""
    with app.test_request_context():
        assert _serialise(SignedOut(), 200).get_json() == {"ok": True}
        assert _serialise((SignedOut(), 201), 200).status_code == 201
        with pytest.raises(TypeError):
            _serialise({"ok": True}, 200)
