"""Field types shared by the declarations, backed by the pure domain rules."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from server.domain.errors import DomainError
from server.domain.identity import normalize_phone, validate_dossier_code, validate_last4
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


class RequestModel(BaseModel):
    """Base of every request body and query: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_nul_character(cls, value: Any) -> Any:
        """Refuse NUL in any text: PostgreSQL cannot store or compare it (it would be a 500)."""
        if _holds_nul(value):
            raise PydanticCustomError("nul_character", "Dữ liệu không được chứa ký tự NUL (\\x00).")
        return value


class ResponseModel(BaseModel):
    """Base of every documented answer."""

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
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of an uploaded image")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Money = Annotated[int, Field(ge=0, le=1_000_000_000, description="VND")]
#: A local date asked for in a request: bounded, so the day's instants always exist (a year
#: 1 or 9999 would overflow the conversion to UTC and answer 500).
FIRST_RECORD_DATE, LAST_RECORD_DATE = date(2000, 1, 1), date(2100, 12, 31)
RecordDate = Annotated[date, Field(ge=FIRST_RECORD_DATE, le=LAST_RECORD_DATE)]


class ErrorDetail(ResponseModel):
    """The inside of the error envelope."""

    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorEnvelope(ResponseModel):
    """Every error answer: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail
