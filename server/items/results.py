"""Registering many results at once, from an agency's CSV file or its own system's JSON batch.

All or nothing (one transaction): every line is checked and tried; if any line is refused,
the whole batch is refused with each bad line's number and reason, and nothing is kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from server.core.errors import Invalid, ServiceError
from server.core.schemas import JSON_BODY
from server.domain.errors import DomainError
from server.domain.lifecycle import ItemKind, ItemStatus
from server.domain.result_csv import (
    FIELD_COLUMNS,
    read_result_csv,
    registration_from_row,
)
from server.extensions import db
from server.items.results_schemas import ResultRegistration
from server.items.schemas import ItemCreate
from server.items.service import create_item
from server.models import Item, User

#: Screen words for pydantic's own error types (the domain's carry their Vietnamese message).
_VALUE_MESSAGES = {
    "missing": "Thiếu giá trị bắt buộc.",
    "string_too_short": "Không được để trống.",
    "string_too_long": "Quá dài.",
    "int_parsing": "Phải là số nguyên (đồng).",
    "greater_than_equal": "Không được âm.",
    "less_than_equal": "Quá lớn.",
    "bool_parsing": "Phải là có/không (1/0).",
    "enum": "Giá trị không có trong danh mục.",
    "extra_forbidden": "Trường không có trong mẫu.",
}


@dataclass(frozen=True)
class LineError:
    """Why one line of a batch was refused."""

    line: int
    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The form the error envelope's details carry."""
        return {"line": self.line, "code": self.code, "message": self.message, "field": self.field}


@dataclass(frozen=True)
class ImportedResult:
    """One registered result and the line it came from."""

    line: int
    item: Item


def _validation_error(line: int, error: ValidationError,
                      columns: dict[str, str] | None) -> LineError:
    """The first problem pydantic found on a line, in words the officer can act on: for a
    file, the column's name as in its header; for a batch, the field's path."""
    issue = error.errors(include_url=False, include_context=False)[0]
    field = ".".join(str(part) for part in issue["loc"]) or None
    message = _VALUE_MESSAGES.get(issue["type"], issue["msg"])
    if field and columns is not None:
        field = columns.get(field, field)
        return LineError(line, issue["type"], f"Cột {field}: {message}", field)
    return LineError(line, issue["type"], f"{field}: {message}" if field else message, field)


def _existing_dossier_codes(codes: list[str]) -> set[str]:
    """Dossier codes that already have a live result registered (not cancelled)."""
    if not codes:
        return set()
    found = db.session.execute(
        select(Item.dossier_code).where(Item.kind == ItemKind.result, Item.dossier_code.in_(codes),
                                        Item.status != ItemStatus.cancelled)).scalars()
    return {code for code in found if code is not None}


def _dossier_by_code(actor: User, code: str) -> Item | None:
    """The dossier of this agency that a result answers, found by its dossier code."""
    return db.session.execute(
        select(Item).where(Item.kind == ItemKind.dossier, Item.dossier_code == code,
                           Item.agency_unit_id == actor.unit_id).order_by(Item.id.desc()).limit(1)
    ).scalar_one_or_none()


def register_results(actor: User, lines: list[tuple[int, dict[str, Any]]],
                     problems: list[LineError] | None = None,
                     columns: dict[str, str] | None = None) -> list[ImportedResult]:
    """Register every line as a result for delivery, or refuse them all (`import_rejected`)."""
    errors = list(problems or [])
    bodies: list[tuple[int, ItemCreate]] = []
    for line, values in lines:
        try:
            # The documented line first: an agency may not set what the post decides (the
            # route class, another agency, a link to a dossier it cannot see).
            # A JSON batch's numbers must be JSON numbers; a CSV's cells are all text.
            registration = ResultRegistration.model_validate(
                values, context=JSON_BODY if columns is None else None)
            bodies.append((line, ItemCreate.model_validate(
                {**registration.model_dump(exclude_unset=True), "kind": ItemKind.result})))
        except ValidationError as error:
            errors.append(_validation_error(line, error, columns))
    errors += _duplicates(bodies)
    refused = {error.line for error in errors}
    imported = []
    for line, body in bodies:
        if line in refused:
            continue
        try:
            with db.session.begin_nested():  # a refused line leaves nothing of itself behind
                imported.append(ImportedResult(line, _register_one(actor, body)))
        except (ServiceError, DomainError) as refusal:
            errors.append(LineError(line, refusal.code, refusal.message,
                                    refusal.details.get("field")))
    if errors:
        errors.sort(key=lambda error: error.line)
        raise Invalid("import_rejected",
                      f"Có {len(errors)} dòng lỗi nên chưa nhập dòng nào. Sửa các dòng dưới đây "
                      "rồi gửi lại cả tệp.",
                      {"errors": [error.as_dict() for error in errors], "imported": 0})
    return imported


def _duplicates(bodies: list[tuple[int, ItemCreate]]) -> list[LineError]:
    """A dossier code twice in the batch, or already registered as a result."""
    errors: list[LineError] = []
    first_line: dict[str, int] = {}
    existing = _existing_dossier_codes([b.dossier_code for _, b in bodies if b.dossier_code])
    for line, body in bodies:
        code = body.dossier_code
        if not code:
            errors.append(LineError(line, "dossier_code_required",
                                    "Thiếu mã hồ sơ: kết quả phải gắn với mã hồ sơ.", "dossier_code"))
            continue
        if code in first_line:
            errors.append(LineError(line, "duplicate_dossier_code",
                                    f"Mã hồ sơ {code} trùng với dòng {first_line[code]}.",
                                    "dossier_code"))
        elif code in existing:
            errors.append(LineError(line, "dossier_code_registered",
                                    f"Mã hồ sơ {code} đã được đăng ký kết quả trước đây.",
                                    "dossier_code"))
        first_line.setdefault(code, line)
    return errors


def _register_one(actor: User, body: ItemCreate) -> Item:
    """Create one result, linked to its dossier where this agency filed one with that code."""
    dossier = _dossier_by_code(actor, body.dossier_code) if body.dossier_code else None
    if dossier is not None and not body.linked_dossier:
        body = body.model_copy(update={"linked_dossier": dossier.tracking_number})
    return create_item(actor, body)


def import_results_csv(actor: User, raw: bytes) -> list[ImportedResult]:
    """Read the agency's CSV and register every row, or none (`import_rejected`)."""
    rows, unreadable = read_result_csv(raw)
    problems = [LineError(p.line, p.code, p.message) for p in unreadable]
    return register_results(actor, [(row.line, registration_from_row(row.values)) for row in rows],
                            problems, FIELD_COLUMNS)
