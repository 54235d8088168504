"""Declarations of items and their custody events."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from server.core.schemas import (
    DossierCode,
    Money,
    Phone,
    RequestModel,
    ResponseModel,
    ShortText,
)
from server.domain.identity import IdType
from server.domain.lifecycle import ItemKind, ItemStatus
from server.domain.service_time import RouteClass


class AddressIn(RequestModel):
    """A two-level address (since 1 July 2025): province → commune, a street line, coordinates."""

    province: ShortText
    commune: ShortText
    district: str | None = Field(default=None, max_length=100,
                                 description="legacy quận/huyện of older records")
    line: str = Field(min_length=1, max_length=300)
    legacy: str | None = Field(default=None, max_length=300,
                               description="the pre-2025 three-level address as written on old "
                                           "papers, kept verbatim beside the 2025 one")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates_or_none(self) -> AddressIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat và lon phải đi cùng nhau")
        return self


class CitizenIn(RequestModel):
    """The citizen the item belongs to; the ID number is reduced to type, last 4 and a hash."""

    name: ShortText
    phone: Phone
    id_type: IdType = IdType.cccd
    id_number: str | None = Field(default=None, max_length=20,
                                  description="kept only as last four digits + keyed hash")
    address: AddressIn


class DocumentLine(RequestModel):
    """One line of the document checklist: original or copy, and how many."""

    name: ShortText
    original: bool
    count: int = Field(ge=1, le=100)


class FeesIn(RequestModel):
    """Postage paid by the citizen and the official fee collected for the agency."""

    postage_vnd: Money = 0
    official_fee_vnd: Money | None = Field(
        default=None, description="defaults to the procedure's official fee")


class ItemCreate(RequestModel):
    """`POST /items`: a dossier taken at the counter or a result registered for delivery."""

    kind: ItemKind
    procedure_code: ShortText
    dossier_code: DossierCode | None = None
    agency_unit: ShortText | None = Field(default=None,
                                          description="unit code; defaults to the procedure's agency")
    post_office_unit: ShortText | None = Field(default=None, description="unit code")
    linked_dossier: str | None = Field(default=None, max_length=20,
                                       description="tracking number of the dossier a result answers")
    citizen: CitizenIn
    documents: list[DocumentLine] = Field(default_factory=list, max_length=50)
    fees: FeesIn = Field(default_factory=FeesIn)
    route_class: RouteClass | None = None
    with_appointment_slip: bool = False

    @model_validator(mode="after")
    def _kind_rules(self) -> ItemCreate:
        if self.kind is ItemKind.dossier and not self.documents:
            raise ValueError("hồ sơ phải có ít nhất một giấy tờ trong danh mục")
        if self.kind is ItemKind.dossier and self.linked_dossier:
            raise ValueError("chỉ kết quả mới liên kết với hồ sơ")
        return self


class ItemListQuery(RequestModel):
    """Filters of `GET /items`."""

    status: ItemStatus | None = None
    kind: ItemKind | None = None
    holder: Literal["me"] | None = None
    q: str | None = Field(default=None, max_length=60,
                          description="tracking number or dossier code prefix")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class AddressOut(ResponseModel):
    """An address as stored; the street line is None where it is withheld."""

    province: str
    commune: str
    province_code: str | None = None
    commune_code: str | None = None
    district: str | None
    line: str | None
    legacy: str | None = None
    lat: float | None
    lon: float | None


class CitizenOut(ResponseModel):
    """The citizen, as the post's own staff may see it (never the full ID number); name,
    phone, ID and street line are None where they are withheld (`personal_data_withheld`)."""

    name: str | None
    phone: str | None
    id_type: str | None
    id_last4: str | None
    address: AddressOut


class HolderOut(ResponseModel):
    """Who holds the item now: a person (and unit), a unit, or nobody after delivery."""

    user: str | None
    unit: str | None
    unit_name: str | None


class PositionOut(ResponseModel):
    """A GPS fix and its accuracy in metres."""

    lat: float
    lon: float
    accuracy_m: float | None


class EventOut(ResponseModel):
    """One link of the custody chain."""

    id: str
    seq: int
    type: str
    upu_code: str | None
    occurred_at: datetime
    received_at: datetime
    actor: str
    unit: str
    position: PositionOut | None
    evidence: dict[str, Any]
    status_after: str
    previous_hash: str
    hash: str
    #: Its index in the public custody log (/log/), once the log has integrated it.
    log_index: int | None = None


class InvitationsOut(ResponseModel):
    """The two-invitation rule for a result (TT17 Art.5(2)(h))."""

    count: int
    last_on: date | None
    next_allowed_on: date | None
    may_return: bool
    #: `two_invitations`, `undeliverable` or `invitations_missing`
    return_rule: str
    #: The rule in words: why the result may, or may not yet, go back to the agency.
    return_rule_vi: str


class ItemOut(ResponseModel):
    """An item as its staff see it; `events` only on the single-item read."""

    tracking_number: str
    kind: str
    status: str
    procedure_code: str
    procedure_name: str
    field: str
    dossier_code: str | None
    agency_unit: str
    post_office_unit: str | None
    linked_dossier: str | None
    citizen: CitizenOut
    documents: list[dict[str, Any]]
    fees: dict[str, int]
    route_class: str
    consigned_at: datetime
    due_at: datetime
    #: A dossier's legal filing time: the officer's signature on the handover record
    #: (QĐ45 Art.7); None until filed, and again while a supplement is requested (Art.7(4)).
    filed_at: datetime | None = None
    holder: HolderOut
    created_at: datetime
    #: What the postman collects at the door: postage and official fee (thu hộ).
    cash_due_vnd: int
    #: Papers to take back on delivery, e.g. the appointment slip (giấy hẹn).
    papers_to_collect: list[str]
    #: The procedure's document checklist, for a collection at the door.
    procedure_documents: list[dict[str, Any]]
    invitations: InvitationsOut | None = None
    events: list[EventOut] | None = None
    #: The citizen's and recipient's personal data are left out for this reader (a postman
    #: reading an item whose life is over: Law 91/2025/QH15, the least personal data).
    personal_data_withheld: bool = False


class ItemList(ResponseModel):
    """A page of items."""

    items: list[ItemOut]
    total: int
    limit: int
    offset: int
