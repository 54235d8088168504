"""Declarations of result registration in bulk: a CSV upload or an agency system's batch."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from server.core.schemas import DossierCode, RequestModel, ResponseModel, ShortText
from server.items.schemas import CitizenIn, DocumentLine, FeesIn


class ResultRegistration(RequestModel):
    """One result for delivery, as an agency's system sends it (the kind is always `result`)."""

    dossier_code: DossierCode = Field(description="links the result to its dossier where known")
    procedure_code: ShortText
    post_office_unit: ShortText | None = Field(default=None, description="unit code; defaults to the nearest")
    citizen: CitizenIn
    documents: list[DocumentLine] = Field(default_factory=list, max_length=50)
    fees: FeesIn = Field(default_factory=FeesIn)
    with_appointment_slip: bool = False


class ResultBatchDocumented(RequestModel):
    """`POST /results/batch`: up to 1000 results, registered all or none."""

    results: list[ResultRegistration] = Field(min_length=1, max_length=1000)


class ResultBatch(RequestModel):
    """The batch as received: each line is validated on its own, so every bad line is named."""

    results: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class RegisteredResult(ResponseModel):
    """One result registered, and where it came from."""

    line: int = Field(description="CSV: line of the file; batch: position, from 1")
    tracking_number: str
    dossier_code: str | None
    linked_dossier: str | None


class ResultImportOut(ResponseModel):
    """What a batch registered (all of it, or the request was refused)."""

    imported: int
    results: list[RegisteredResult]
