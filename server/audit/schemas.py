"""Declarations of the supervisors' audit calls: flags, corrections, proof and exports."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from server.core.schemas import (
    RequestModel,
    ResponseModel,
    forbidden_character,
    refuse_deep_json,
)
from server.domain.custody_chain import canonical_json

#: Largest correction accepted, as canonical JSON: a few fields, not a document.
MAX_CORRECTION_BYTES = 4096


class FlagQuery(RequestModel):
    """Filters of the audit flags."""

    status: Literal["open", "resolved"] | None = "open"
    code: str | None = None
    limit: int = 200


class FlagOut(ResponseModel):
    """An audit flag, the evidence that raised it and, once resolved, who closed it and why."""

    id: int
    code: str
    tracking_number: str
    event_id: str | None
    details: dict[str, Any]
    status: str
    created_at: datetime
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution_note: str | None = None


class PositionOut(ResponseModel):
    """A WGS-84 position."""

    lat: float
    lon: float


class EventProofOut(ResponseModel):
    """The flagged event's proof of delivery: identity checked, images, position, cash."""

    event_id: str
    event_type: str
    event_label: str = Field(description="the event in Vietnamese")
    occurred_at: datetime
    actor: str | None = Field(description="who recorded it, by name")
    position: PositionOut | None
    accuracy_m: float | None
    address_position: PositionOut | None = Field(description="where the address lies")
    distance_m: float | None = Field(description="from the event to the address, in metres")
    id_type: str | None
    id_type_label: str | None
    id_last4: str | None
    recipient_relation: str | None = Field(description="self | proxy")
    cash_collected_vnd: int | None
    images: dict[str, str] = Field(description="evidence field → SHA-256 of the image "
                                               "(read it at /api/v1/media/<sha256>)")


class FlagDetailOut(FlagOut):
    """A flag in words with the proof of the event that raised it."""

    label: str = Field(description="Vietnamese name of the code")
    summary: str = Field(description="the evidence in one Vietnamese line")
    proof: EventProofOut | None


class FlagList(ResponseModel):
    """Flags, newest first."""

    flags: list[FlagOut]


class FlagResolve(RequestModel):
    """How the supervisor closes a flag: a note saying what was checked is required."""

    note: str = Field(min_length=1, max_length=1000)


def _holds_nul_anywhere(value: Any) -> bool:
    """True when a text anywhere inside value (keys included) contains NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul_anywhere(k) or _holds_nul_anywhere(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul_anywhere(element) for element in value)
    return False


class CorrectionCreate(RequestModel):
    """A supervisor's request to correct an event; another supervisor must countersign it."""

    event_id: str = Field(min_length=1, max_length=36)
    reason: str = Field(min_length=1, max_length=1000)
    #: The fields being corrected and their right values (free JSON, at most 4 KB).
    correction: dict[str, Any]

    @field_validator("correction")
    @classmethod
    def _small_json_object(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Non-empty, JSON that hashes (no NaN), no NUL, at most MAX_JSON_DEPTH deep and
        MAX_CORRECTION_BYTES long."""
        if not value:
            raise PydanticCustomError("correction_empty", "Cần nêu ít nhất một trường được điều chỉnh.")
        if _holds_nul_anywhere(value):
            raise PydanticCustomError("nul_character", "Dữ liệu không được chứa ký tự NUL (\\x00).")
        refuse_deep_json(value)  # stored, then shown and hashed: a 255-deep one broke the item
        if (found := forbidden_character(value, deep=True)) is not None:
            raise PydanticCustomError(
                "forbidden_character", "Không được chứa ký tự điều khiển, xuống dòng hay ký tự "
                "đảo chiều/ẩn (mã {code_point}).", {"code_point": f"U+{ord(found):04X}"})
        try:
            size = len(canonical_json(value))
        except (TypeError, ValueError):
            raise PydanticCustomError(
                "correction_not_json",
                "Nội dung điều chỉnh phải là JSON hợp lệ (không có NaN, vô cực).") from None
        if size > MAX_CORRECTION_BYTES:
            raise PydanticCustomError("correction_too_large",
                                      "Nội dung điều chỉnh quá lớn (tối đa 4 KB).")
        return value


class CountersignIn(RequestModel):
    """The countersignature; it may also close the flag the correction answers."""

    flag_id: int | None = None


class CorrectionQuery(RequestModel):
    """Filters of the corrections."""

    status: Literal["pending", "applied"] | None = "pending"
    limit: int = 200


class CorrectionOut(ResponseModel):
    """A correction and, once countersigned, the `corrected` event that applied it."""

    id: int
    tracking_number: str
    event_id: str
    reason: str
    correction: dict[str, Any]
    status: str
    requested_by: str
    requested_at: datetime
    countersigned_by: str | None
    countersigned_at: datetime | None
    corrected_event_id: str | None


class CorrectionList(ResponseModel):
    """Corrections, newest first."""

    corrections: list[CorrectionOut]


#: Keys of a broken link that are always present, null or not (docs/design.md §4).
_ALWAYS_PRESENT = frozenset({"tracking_number", "event_id", "reason"})


class BrokenLinkOut(ResponseModel):
    """The first thing that does not verify: a chain link, a sealed day or an image."""

    tracking_number: str | None
    event_id: str | None
    #: A chain reason, or `day_root_mismatch`, `media_missing`, `media_hash_mismatch`.
    reason: str
    day: date | None = None
    stored_root: str | None = None
    recomputed_root: str | None = None
    stored_event_count: int | None = None
    recomputed_event_count: int | None = None
    media_sha256: str | None = None
    #: Where the image is named: an evidence field of the event, or a handover record.
    field: str | None = None
    handover_id: int | None = None
    #: The custody log: a checkpoint's or a sealed day's tree size, an entry's index, the
    #: log's size, the witness that refused or whose cosignature fails, and why.
    tree_size: int | None = None
    log_index: int | None = None
    log_size: int | None = None
    witness: str | None = None
    detail: str | None = None

    @model_serializer(mode="wrap")
    def _only_what_applies(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        """Leave out the keys of other kinds of break, so each answer names only its own."""
        # No return annotation on purpose: pydantic then documents the fields above in the
        # OpenAPI document; with one it would document a free-form object.
        return {key: value for key, value in handler(self).items()
                if value is not None or key in _ALWAYS_PRESENT}


class VerifyOut(ResponseModel):
    """The result of checking every chain, every sealed day and every referenced image."""

    ok: bool
    items_checked: int
    events_checked: int
    days_checked: int
    media_checked: int
    first_broken: BrokenLinkOut | None
    #: Entries of the custody log checked against their events, and kept checkpoints.
    log_entries_checked: int = 0
    checkpoints_checked: int = 0


class VerifyJobOut(ResponseModel):
    """A custody verification running in the background for the caller's scope."""

    id: int
    status: Literal["running", "done", "failed"]
    scope: str = Field(description="the unit whose items are checked, by name; or the country")
    items_total: int
    items_checked: int
    events_checked: int
    days_checked: int
    media_checked: int
    ok: bool | None = Field(description="null until done")
    first_broken: BrokenLinkOut | None
    message: str = Field(description="the answer in Vietnamese, naming the first broken link")
    created_at: datetime
    finished_at: datetime | None


class DayRootOut(ResponseModel):
    """A sealed day, and whether its events still give the stored root."""

    day: date
    root: str
    event_count: int
    computed_at: datetime
    verified: bool
    #: The custody log's last checkpoint of the day (None for a day sealed before the log).
    log_size: int | None = None
    log_root: str | None = None


class ExportSignature(ResponseModel):
    """A detached Ed25519 signature over the canonical JSON of the export's body."""

    algorithm: Literal["Ed25519"]
    #: SHA-256 of the raw public key, to tell keys apart.
    key_id: str
    #: Base64 of the 64-byte signature.
    value: str


class CustodyExportOut(ResponseModel):
    """An item's whole custody, every event body exactly as hashed, and its signature."""

    body: dict[str, Any]
    signature: ExportSignature
