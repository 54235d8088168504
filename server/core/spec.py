"""One declaration per endpoint: it validates the request and produces the OpenAPI document.

`@operation(...)` wraps a view: it authenticates and checks the role, checks the CSRF
header of cookie sessions, parses the JSON body and the query string with pydantic
models (unknown fields refused), calls the view with the parsed values, commits once on
success and serialises what the view returns. The same declarations, collected in
`OPERATIONS`, build `/api/v1/openapi.json`, so the document cannot drift from what is
enforced.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest

from server.core.access_log import COMMIT_READ, add_logged_accesses, commit_read_log
from server.core.error_handlers import ApiError
from server.core.schemas import JSON_BODY, ErrorEnvelope
from server.core.security import (
    allow_api_tokens,
    authenticated_by_token,
    bearer_refusal,
    csrf_header_valid,
)
from server.domain.image_files import SHA256_HEX
from server.extensions import db

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The largest row id the tables hold (`Integer` keys: 32-bit signed on PostgreSQL). A larger
#: path id names no row, and must not reach the driver: PostgreSQL refuses it as out of
#: range and SQLite overflows past 64 bits, both a 500 instead of the service's 404.
MAX_ROW_ID = 2**31 - 1


@dataclass
class Operation:
    """What one endpoint takes and answers, for validation and for the document."""

    method: str
    rule: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    #: Documents the body instead of `body` where the service validates parts one by one.
    document_body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    roles: Collection[str] | None = None
    public: bool = False
    #: An agency system may call it with a bearer API token (server/core/security.py); no other
    #: operation accepts a token.
    token: bool = False
    raw_body: str | None = None
    produces: str = "application/json"
    errors: tuple[int, ...] = ()
    extra_responses: dict[int, str] = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def _field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Turn pydantic's errors into `[{field, type, message}]` a form can show."""
    return [
        {
            "field": ".".join(str(part) for part in issue["loc"]) or "(body)",
            "type": issue["type"],
            "message": issue["msg"],
        }
        for issue in error.errors(include_url=False, include_context=False)
    ]


def _parse_body(model: type[BaseModel]) -> BaseModel:
    """Parse and validate the JSON body; 400 for bad JSON, 422 for bad values."""
    if not request.is_json:
        raise ApiError(
            415, "json_required", "Dữ liệu phải ở dạng JSON (Content-Type: application/json)."
        )
    try:
        payload = request.get_json()
    except (BadRequest, RecursionError):  # RecursionError: nesting deeper than json can parse
        raise ApiError(400, "malformed_json", "Dữ liệu JSON không đọc được.") from None
    # Well-formed JSON that is not an object (a list, a string, null) is a wrong value, not
    # unreadable: the model refuses it with 422 and the field "(body)".
    try:
        return model.model_validate(payload, context=JSON_BODY)
    except ValidationError as error:
        raise ApiError(
            422, "validation_failed", "Dữ liệu không hợp lệ.", {"fields": _field_errors(error)}
        ) from None


def _parse_query(model: type[BaseModel]) -> BaseModel:
    """Validate the query string; repeated keys become lists only where the model says so."""
    values: dict[str, Any] = {}
    for key in request.args:
        items = request.args.getlist(key)
        values[key] = items if len(items) > 1 else items[0]
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise ApiError(
            422, "validation_failed", "Tham số không hợp lệ.", {"fields": _field_errors(error)}
        ) from None


def _check_access(op: Operation) -> None:
    """Authentication, role and CSRF: 401 when anonymous, 403 otherwise."""
    if op.public:
        return
    if not current_user.is_authenticated:
        refusal = bearer_refusal()
        if refusal is not None:
            raise ApiError(refusal.status, refusal.code, refusal.message)
        raise ApiError(401, "auth_required", "Vui lòng đăng nhập.")
    if op.roles is not None and current_user.role not in op.roles:
        raise ApiError(403, "forbidden", "Vai trò của bạn không được thực hiện thao tác này.")
    if request.method in UNSAFE_METHODS and not authenticated_by_token() and not csrf_header_valid():
        raise ApiError(403, "csrf_failed", "Thiếu hoặc sai mã CSRF (X-CSRF-Token). Hãy tải lại trang.")


def _serialise(result: Any, status: int) -> Response:
    """Turn what a view returned — a response model, `(model, status)` or a `Response` — into
    a response (the convention: server/core/schemas.py)."""
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        result, status = result
    if not isinstance(result, BaseModel):
        raise TypeError(f"a view answers a response model, not {type(result).__name__}")
    response = jsonify(result.model_dump(mode="json"))
    response.status_code = status
    return response


def operation(
    blueprint: Blueprint, rule: str, method: str, *, summary: str, tag: str, **options: Any
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Declare, validate and register one endpoint of the API (see module docstring)."""
    op = Operation(method=method, rule=(blueprint.url_prefix or "") + rule, summary=summary,
                   tag=tag, **options)
    OPERATIONS.append(op)

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @wraps(view)
        def handle(**path_values: Any) -> Response:
            _check_access(op)
            for name, value in path_values.items():
                if isinstance(value, int) and value > MAX_ROW_ID:
                    # No row has such an id, nor id 0: the service answers its own 404.
                    path_values[name] = 0
            if op.body is not None:
                path_values["body"] = _parse_body(op.body)
            if op.query is not None:
                path_values["query"] = _parse_query(op.query)
            response = _serialise(view(**path_values), op.status)
            # A read commits only what it was asked to keep: the personal-data access log.
            if request.method in UNSAFE_METHODS:
                add_logged_accesses()
                db.session.commit()
            elif g.get(COMMIT_READ):
                commit_read_log()
            return response

        blueprint.add_url_rule(rule, view.__name__, handle, methods=[method])
        if op.token:
            allow_api_tokens(f"{blueprint.name}.{view.__name__}")
        return handle

    return decorate


# --- the OpenAPI document ---------------------------------------------------------------

_PATH_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
#: Path parameters whose form is fixed (anything else is answered 422 by the service).
_PATH_PATTERNS = {"sha256": f"^{SHA256_HEX}$"}


def _schema_ref(model: type[BaseModel], components: dict[str, Any], mode: str) -> dict[str, str]:
    """Add a model (and the models it uses) to components; answer a $ref to it."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)  # type: ignore[arg-type]
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault(model.__name__, schema)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _parameters(op: Operation, components: dict[str, Any]) -> list[dict[str, Any]]:
    """Path parameters from the Flask rule, query parameters from the query model."""
    parameters = []
    for converter, name in _PATH_PARAMETER.findall(op.rule):
        value: dict[str, Any] = {"type": "string"}
        if name in _PATH_PATTERNS:
            value["pattern"] = _PATH_PATTERNS[name]
        if converter == "int":  # Werkzeug's int converter takes digits only: no sign
            value = {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID}
        parameters.append({"name": name, "in": "path", "required": True, "schema": value})
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            components.setdefault(name, definition)  # enums the parameters refer to
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            parameters.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    return parameters


def _responses(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    """The success answer and every error status the endpoint may give."""
    if op.response is not None:
        content = {op.produces: {"schema": _schema_ref(op.response, components, "serialization")}}
    elif op.produces == "application/json":
        content = {"application/json": {"schema": {"type": "object"}}}
    else:  # files: one entry per type the endpoint may answer ("image/png,image/jpeg")
        content = {kind: {"schema": {"type": "string", "format": "binary"}}
                   for kind in op.produces.split(",")}
    responses: dict[str, Any] = {str(op.status): {"description": "OK", "content": content}}
    for status, description in op.extra_responses.items():
        responses[str(status)] = {"description": description, "content": content}
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    statuses = set(op.errors)
    if _PATH_PARAMETER.search(op.rule):
        statuses.add(404)  # a path that names nothing (or matches no route: `/handovers/abc`)
    if "<tn>" in op.rule:
        statuses.add(422)  # the tracking number is parsed: its format and check digit
    if not op.public:
        statuses |= {401, 403}
    if op.body is not None or op.query is not None:
        statuses |= {400, 422}
    if op.body is not None or op.raw_body:
        statuses |= {413, 415}
    for status in sorted(statuses):
        responses[str(status)] = {"description": "Error", "content": error_ref}
    return responses


def openapi_document(title: str, version: str) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document from every declared operation."""
    components: dict[str, Any] = {}
    _schema_ref(ErrorEnvelope, components, "serialization")
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        path = _PATH_PARAMETER.sub(r"{\2}", op.rule)
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": f"{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
            "parameters": _parameters(op, components),
            "responses": _responses(op, components),
        }
        if op.body is not None:
            documented = op.document_body or op.body
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {
                    "schema": _schema_ref(documented, components, "validation")}},
            }
        elif op.raw_body:
            entry["requestBody"] = {
                "required": True,
                "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                            for kind in op.raw_body.split(",")},
            }
        if op.public:
            entry["security"] = []
        elif not op.token:
            entry["security"] = [{"session": []}]  # a bearer token is refused here (403)
        description = []
        if op.roles is not None:
            description.append("Roles: " + ", ".join(sorted(op.roles)))
        if op.token:
            description.append("Agency systems may call it with a bearer API token.")
        if description:
            entry["description"] = ". ".join(description)
        paths.setdefault(path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"session": []}, {"bearer": []}],
    }
