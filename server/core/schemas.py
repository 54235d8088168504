"""Field types shared by the declarations, backed by the pure domain rules; the bases of
every request and response model.

One way from a service to an answer (the serialisation convention):

1. A service answers plain values: ORM rows, frozen dataclasses, numbers, lists, and
   dicts only where the data is a document of its own (a sync result, a citizen's export).
   It never builds a response model (tests/unit/test_serialisation_convention.py).
2. The feature's view (`api.py`, `*_api.py`) or its `serializers.py` turns that value into
   the operation's declared response model, a `ResponseModel`, which reads attributes
   (`model_config = ConfigDict(from_attributes=True)`): `XOut.model_validate(value)` where
   the value's names are the answer's (server/transparency/alerts.py's dataclass read by
   `WitnessAlertOut`); a serializer function where the answer reshapes the value or
   withholds part of it for the caller (`server.items.serializers.item_out`).
3. The view returns that model — or `(model, status)`, or a `Response` for a file — and
   `@operation` (server/core/spec.py) dumps it with `model_dump(mode="json")`. A view that
   returns anything else (a bare dict) is a programming error, refused there.
"""
from __future__ import annotations

import re
import types
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from server.domain.errors import DomainError
from server.domain.identity import (
    normalize_phone,
    validate_dossier_code,
    validate_last4,
)
from server.domain.image_files import SHA256_HEX
from server.domain.s10 import parse_tracking_number


def domain_rule(rule: Callable[[str], str]) -> AfterValidator:
    """Run a domain validator inside pydantic, keeping its code and Vietnamese message."""

    def validate(value: str) -> str:
        try:
            return rule(value)
        except DomainError as error:
            raise PydanticCustomError(error.code, error.message) from None

    return AfterValidator(validate)


def _holds_nul(value: Any) -> bool:
    """True when a text, or a list of texts, contains the NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(element) for element in value)
    return False


#: Characters refused in every text a person reads: C0 and C1 controls (CR, LF, TAB, ESC…),
#: DEL, the bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069,
#: the marks U+200E/200F/061C), and the invisible ones (zero-width space, joiners, word
#: joiner, BOM, Mongolian vowel separator). They reverse or hide text on printed notes and
#: screens (Trojan Source, CVE-2021-42574) and have no place in a name, an address or a note.
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]")


def forbidden_character(value: Any, deep: bool = False) -> str | None:
    """The first forbidden character in a text, or in any text within lists and objects
    (`deep`: within objects in lists too, for free JSON no model checks field by field)."""
    if isinstance(value, str):
        match = FORBIDDEN_CHARACTERS.search(value)
        return match.group() if match else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict) and not deep:
            return None  # objects in a list are checked each by its own model
        for element in value:
            if (found := forbidden_character(element, deep)) is not None:
                return found
    return None


#: How deep a free JSON value that is stored may nest (objects and lists): enough for any
#: real correction, far below what makes encoders or pages fail (RecursionError → 500).
MAX_JSON_DEPTH = 32


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep `value` nests, counted up to `limit + 1` at most (iterative: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, depth + 1) for child in children)
    return deepest


def refuse_deep_json(value: Any) -> Any:
    """A validator of stored free JSON: refuse nesting beyond `MAX_JSON_DEPTH`."""
    if json_depth(value) > MAX_JSON_DEPTH:
        raise PydanticCustomError(
            "too_deeply_nested",
            f"Dữ liệu lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} cấp).")
    return value


#: Validation context of a JSON body: numbers and booleans must be JSON's own.
JSON_BODY = {"json_body": True}


def _scalar_kinds(annotation: Any) -> set[type]:
    """The plain scalar types (int, float, bool) a field's annotation admits."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return set().union(*(_scalar_kinds(arg) for arg in get_args(annotation)))
    if origin is Annotated:
        return _scalar_kinds(get_args(annotation)[0])
    return {annotation} & {int, float, bool}


class RequestModel(BaseModel):
    """Base of every request body and query: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _json_numbers_are_numbers(cls, data: Any, info: ValidationInfo) -> Any:
        """In a JSON body, a number is a JSON number and a yes/no a JSON boolean: `"100"`
        and `true` are no cash (a query string, all text, is read as text)."""
        if not isinstance(data, dict) or not (info.context or {}).get("json_body"):
            return data
        for name, value in data.items():
            if value is None or name not in cls.model_fields:
                continue
            kinds, only_scalars = _field_scalars(cls, name)
            if kinds and ((isinstance(value, bool) and bool not in kinds)
                          or (isinstance(value, str) and only_scalars)
                          or (type(value) in (int, float) and not kinds & {int, float})):
                raise PydanticCustomError(
                    "json_type", "Trường {field} phải là số (hoặc true/false) của JSON, không "
                    "phải chuỗi hay kiểu khác.", {"field": name})
        return data

    @field_validator("*")
    @classmethod
    def _no_nul_character(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse NUL in any text: PostgreSQL cannot store or compare it (it would be a 500);
        refuse control, bidirectional and invisible characters in any text but a password."""
        if _holds_nul(value):
            raise PydanticCustomError("nul_character", "Dữ liệu không được chứa ký tự NUL (\\x00).")
        if info.field_name is not None and "password" in info.field_name:
            return value
        found = forbidden_character(value)
        if found is not None:
            raise PydanticCustomError(
                "forbidden_character",
                "Không được chứa ký tự điều khiển, xuống dòng hay ký tự đảo chiều/ẩn "
                "(mã {code_point}); hãy gõ lại nội dung.", {"code_point": f"U+{ord(found):04X}"})
        return value


_FIELD_SCALARS: dict[tuple[type, str], tuple[set[type], bool]] = {}


def _field_scalars(model: type[BaseModel], name: str) -> tuple[set[type], bool]:
    """The scalar types a field admits, and whether it admits nothing else (cached)."""
    key = (model, name)
    if key not in _FIELD_SCALARS:
        annotation = model.model_fields[name].annotation
        _FIELD_SCALARS[key] = (_scalar_kinds(annotation), _only_scalars(annotation))
    return _FIELD_SCALARS[key]


def _only_scalars(annotation: Any) -> bool:
    """True when every non-None type the annotation admits is int, float or bool."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return all(_only_scalars(arg) for arg in get_args(annotation))
    if origin is Annotated:
        return _only_scalars(get_args(annotation)[0])
    return annotation in (int, float, bool, type(None))


class ResponseModel(BaseModel):
    """Base of every documented answer: reads a service's value by attribute (see the module
    docstring), so `Model.model_validate(value)` needs no `from_attributes=True`."""

    model_config = ConfigDict(from_attributes=True)


TrackingNumber = Annotated[
    str,
    Field(min_length=13, max_length=20, examples=["KQ000000017VN"],
          description="UPU S10 number; the check digit is verified"),
    domain_rule(parse_tracking_number),
]
Phone = Annotated[str, Field(max_length=20, examples=["0912345678"]), domain_rule(normalize_phone)]
DossierCode = Annotated[
    str, Field(max_length=60, examples=["000.00.04.H51-200221-0001"]),
    domain_rule(validate_dossier_code),
]
IdLast4 = Annotated[str, Field(min_length=4, max_length=4), domain_rule(validate_last4)]
Sha256 = Annotated[str, Field(pattern=f"^{SHA256_HEX}$", description="hex SHA-256 of an uploaded image")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Money = Annotated[int, Field(ge=0, le=1_000_000_000, description="VND")]
#: A local date asked for in a request: bounded, so the day's instants always exist (a year
#: 1 or 9999 would overflow the conversion to UTC and answer 500).
FIRST_RECORD_DATE, LAST_RECORD_DATE = date(2000, 1, 1), date(2100, 12, 31)
RecordDate = Annotated[date, Field(ge=FIRST_RECORD_DATE, le=LAST_RECORD_DATE)]
#: The span of instants a client may send (an event's time, the phone's clock): a year 1
#: or 9999 would overflow conversions and break every page that shows it.
EARLIEST_CLIENT_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_CLIENT_TIME = datetime(2100, 1, 1, tzinfo=UTC)


def _bounded_time(value: datetime) -> datetime:
    if not EARLIEST_CLIENT_TIME <= value <= LATEST_CLIENT_TIME:
        raise PydanticCustomError(
            "time_out_of_range",
            "Ngày giờ phải nằm trong khoảng năm 2000 đến năm 2100; kiểm tra lại đồng hồ "
            "của máy.")
    return value


ClientTime = Annotated[AwareDatetime, AfterValidator(_bounded_time)]


class ErrorDetail(ResponseModel):
    """The inside of the error envelope."""

    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorEnvelope(ResponseModel):
    """Every error answer: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail
