"""Turning models into the documented answers (kept apart from the models)."""
from __future__ import annotations

from flask_login import current_user

from server.domain.fees import cash_due_vnd
from server.domain.invitations import InvitationStatus
from server.domain.lifecycle import (
    EVENT_LABELS_VI,
    STATUS_LABELS_VI,
    EventType,
    ItemStatus,
    upu_code,
)
from server.domain.privacy import position_for
from server.domain.tracking_notice import AfterFailure
from server.items.schemas import (
    AddressOut,
    CitizenOut,
    EventOut,
    HolderOut,
    InvitationsOut,
    ItemOut,
    PositionOut,
)
from server.items.tracking_schemas import TrackEvent, TrackNotice, TrackOut
from server.models import (
    CustodyEvent,
    Item,
)
from server.transparency.log import log_indexes


def _viewer_role() -> str:
    """The signed-in caller's role: how precise a position it may see (domain.privacy)."""
    return current_user.role if current_user.is_authenticated else ""


#: Evidence keys that name or identify a person: left out where personal data is withheld.
PERSONAL_EVIDENCE_KEYS = frozenset({"recipient"})


def event_out(event: CustodyEvent, log_index: int | None = None,
              personal: bool = True) -> EventOut:
    """One custody event with its chain hashes (and its index in the custody log, once
    logged); its position as the caller may see it; without whom it was handed to, unless
    `personal`."""
    position = None
    if event.lat is not None and event.lon is not None:
        lat, lon = position_for(_viewer_role(), event.lat, event.lon)
        if lat is not None and lon is not None:
            position = PositionOut(lat=lat, lon=lon, accuracy_m=event.accuracy_m)
    return EventOut(
        id=event.id, seq=event.seq, type=event.type, upu_code=upu_code(EventType(event.type)),
        occurred_at=event.occurred_at, received_at=event.received_at,
        actor=event.actor.username, unit=event.actor_unit.code,
        position=position,
        evidence=(event.evidence if personal else
                  {k: v for k, v in event.evidence.items() if k not in PERSONAL_EVIDENCE_KEYS}),
        status_after=event.status_after,
        previous_hash=event.previous_hash, hash=event.hash, log_index=log_index,
    )


#: Giấy tiếp nhận hồ sơ và hẹn trả kết quả: taken back when the result is handed over.
APPOINTMENT_SLIP = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"


def papers_to_collect(item: Item) -> list[str]:
    """What the postman takes back on delivery (TT17 Art.5(2))."""
    return [APPOINTMENT_SLIP] if item.kind == "result" and item.with_appointment_slip else []


def item_out(item: Item, events: list[CustodyEvent] | None = None,
             invitations: InvitationStatus | None = None, personal: bool = True) -> ItemOut:
    """An item as the post's and agency's staff see it; without the citizen's name, phone,
    ID, street line and the recipient unless `personal` (`shows_personal_data`); the home
    position as precise as the caller's role may see it."""
    home_lat, home_lon = position_for(_viewer_role(), item.address_lat, item.address_lon)
    return ItemOut(
        tracking_number=item.tracking_number, kind=item.kind, status=item.status,
        procedure_code=item.procedure.code, procedure_name=item.procedure.name,
        field=item.procedure.field, dossier_code=item.dossier_code,
        agency_unit=item.agency_unit.code,
        post_office_unit=item.post_office_unit.code if item.post_office_unit else None,
        linked_dossier=item.linked_dossier.tracking_number if item.linked_dossier else None,
        citizen=CitizenOut(
            name=item.citizen_name if personal else None,
            phone=item.citizen_phone if personal else None,
            id_type=item.id_type if personal else None,
            id_last4=item.id_last4 if personal else None,
            address=AddressOut(province=item.address_province, commune=item.address_commune,
                               province_code=item.address_province_code,
                               commune_code=item.address_commune_code,
                               district=item.address_district,
                               line=item.address_line if personal else None,
                               legacy=item.address_legacy if personal else None,
                               lat=home_lat if personal else None,
                               lon=home_lon if personal else None),
        ),
        documents=item.documents,
        fees={"postage_vnd": item.postage_vnd, "official_fee_vnd": item.official_fee_vnd},
        route_class=item.route_class, consigned_at=item.consigned_at, due_at=item.due_at,
        filed_at=item.filed_at,
        holder=HolderOut(
            user=item.holder_user.username if item.holder_user else None,
            unit=item.holder_unit.code if item.holder_unit else None,
            unit_name=item.holder_unit.name if item.holder_unit else None,
        ),
        created_at=item.created_at,
        cash_due_vnd=cash_due_vnd(item.kind, item.status, item.postage_vnd,
                                  item.official_fee_vnd),
        papers_to_collect=papers_to_collect(item),
        procedure_documents=item.procedure.documents,
        invitations=InvitationsOut.model_validate(invitations) if invitations else None,
        events=_events_out(events, personal) if events is not None else None,
        personal_data_withheld=not personal,
    )


def _events_out(events: list[CustodyEvent], personal: bool = True) -> list[EventOut]:
    """The events, each with its log index when the custody log holds it (one query)."""
    indexes = log_indexes(event.id for event in events)
    return [event_out(event, indexes.get(event.id), personal) for event in events]


def track_out(item: Item, events: list[CustodyEvent], unit_names: dict[int, str],
              notice: AfterFailure | None = None) -> TrackOut:
    """Public tracking: status and steps with the unit's name, nothing personal."""
    return TrackOut(
        notice=TrackNotice(what_happened=notice.what_happened, what_next=notice.what_next,
                           held_at=notice.held_at) if notice else None,
        tracking_number=item.tracking_number, kind=item.kind, status=item.status,
        status_label=STATUS_LABELS_VI[ItemStatus(item.status)], due_at=item.due_at,
        events=[TrackEvent(type=e.type, label=EVENT_LABELS_VI[EventType(e.type)],
                           at=e.occurred_at, place=unit_names.get(e.actor_unit_id))
                for e in events],
    )
