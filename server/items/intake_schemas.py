"""Declarations of counter intake, home pickup requests and the fee catalogue."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from server.core.schemas import (
    DossierCode,
    Money,
    RequestModel,
    ResponseModel,
    ShortText,
)
from server.domain.service_time import RouteClass
from server.items.schemas import CitizenIn


class PostageTariffOut(ResponseModel):
    """Postage per dossier one way for a route class."""

    route_class: RouteClass
    postage_vnd: int
    service_days: int = Field(description="J+n working days without an appointment slip (TT17 Art.7)")


class FeeReductionOut(ResponseModel):
    """An exemption or reduction (TT22/2017) the clerk may apply."""

    code: str
    name: str
    legal_basis: str
    postage_percent_off: int
    official_fee_percent_off: int


class FeeCatalogueOut(ResponseModel):
    """The postage tariff and the reductions in force."""

    postage: list[PostageTariffOut]
    reductions: list[FeeReductionOut]


class PostageTariffSet(RequestModel):
    """`PUT /fees/postage/<route_class>`: the new postage of a route class."""

    postage_vnd: Money


class QuoteQuery(RequestModel):
    """`GET /intake/quote`: price and deadline of a dossier before it is taken in."""

    procedure_code: ShortText
    route_class: RouteClass | None = Field(
        default=None, description="defaults to the route from the clerk's post office to the agency")
    reduction_code: str | None = Field(default=None, max_length=40)


class QuoteOut(ResponseModel):
    """Fees before and after the reduction, and the service deadline if taken in now."""

    procedure_code: str
    route_class: RouteClass
    postage_base_vnd: int
    postage_discount_vnd: int
    postage_vnd: int
    official_fee_base_vnd: int
    official_fee_discount_vnd: int
    official_fee_vnd: int
    total_vnd: int
    reduction_code: str | None
    reduction_name: str | None
    due_at: datetime


class IntakeDocumentLine(RequestModel):
    """One counted document: a line of the procedure's checklist, original or copy, how many."""

    name: ShortText
    original: bool
    # The range is checked by the service, which says in Vietnamese which line is wrong.
    count: int = Field(le=100)


class CounterIntake(RequestModel):
    """`POST /intake/counter`: a dossier taken at the counter (QĐ45 Art.6; TT17 Art.5(1), 9)."""

    procedure_code: ShortText
    dossier_code: DossierCode | None = None
    citizen: CitizenIn
    documents: list[IntakeDocumentLine] = Field(default_factory=list, max_length=50)
    route_class: RouteClass | None = None
    reduction_code: str | None = Field(default=None, max_length=40)
    citizen_signature_sha256: str | None = Field(
        default=None, max_length=64, description="hex SHA-256 of the uploaded signature image")
    clerk_signature_sha256: str | None = Field(default=None, max_length=64)


class PickupRequest(RequestModel):
    """`POST /pickups`: a citizen asks (by phone) for the dossier to be collected at home."""

    procedure_code: ShortText
    citizen: CitizenIn
    route_class: RouteClass | None = None
    reduction_code: str | None = Field(default=None, max_length=40)
    postman: str | None = Field(default=None, max_length=80,
                                description="username of the postman assigned to the pickup")
    note: str | None = Field(default=None, max_length=300,
                             description="when to come, landmarks (no personal data beyond need)")


class OfficePostmanOut(ResponseModel):
    """A postman of the clerk's post office, to assign a pickup to."""

    username: str
    full_name: str


class OfficePostmanList(ResponseModel):
    """The postmen of the clerk's post office."""

    postmen: list[OfficePostmanOut]


class PickupAssignment(RequestModel):
    """`POST /pickups/<tn>/assign`: the postman who will call at the door."""

    postman: str = Field(min_length=1, max_length=80)
