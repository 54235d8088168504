"""What the custody page shows: an export document turned into a timeline a person reads.

Each event becomes a step: what happened, who did it for which unit (by name), when in local
time, where, and its evidence in words (recipient and relation, identity document type and
last four digits, cash, documents, failure reason, handover parties, a correction's two
supervisors). The hashes, event ids and the evidence as recorded are kept for the technical
disclosure. Least personal data per role: the signature and photo images, the coordinates
and the evidence as recorded are given only to the roles that audit (IMAGE_ROLES); an agency
officer reads the steps in words and that a signature exists.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.custody.record import CustodyNames
from server.domain.cash import format_vnd
from server.domain.fees import cash_due_vnd
from server.domain.geo import distance_m
from server.domain.identity import ID_TYPE_LABELS_VI
from server.domain.lifecycle import (
    EVENT_LABELS_VI,
    FAILURE_ACTION_LABELS_VI,
    FAILURE_REASON_LABELS_VI,
    STATUS_LABELS_VI,
    EventType,
)
from server.domain.local_time import local_time_text
from server.models import Role

#: Who sees the proof images, the raw coordinates and the evidence as recorded.
IMAGE_ROLES = frozenset({Role.supervisor, Role.admin})

ROLE_LABELS_VI: dict[str, str] = {
    Role.admin: "quản trị", Role.supervisor: "kiểm soát viên", Role.clerk: "giao dịch viên",
    Role.agency: "cán bộ một cửa", Role.postman: "bưu tá",
}
#: Evidence fields naming an image, in the order shown (as the supervisor's flag proof).
IMAGE_LABELS_VI = {
    "signature_sha256": "Chữ ký người nhận",
    "photo_sha256": "Ảnh chụp khi giao",
    "authorization_sha256": "Giấy ủy quyền",
    "postman_signature_sha256": "Chữ ký bưu tá",
    "clerk_signature_sha256": "Chữ ký giao dịch viên",
    "sender_signature_sha256": "Chữ ký bên giao",
}
#: A handover's receiver signs in `signature_sha256`: named so on those events.
HANDOVER_EVENTS = frozenset({EventType.handed_over, EventType.at_post, EventType.in_transit,
                             EventType.filed, EventType.supplement_requested})
#: Events recorded at the citizen's door: their position is compared with the address.
DOORSTEP_EVENTS = frozenset({EventType.delivered, EventType.attempt_failed, EventType.collected})
CHANNEL_LABELS_VI = {"counter": "tại quầy bưu cục", "home_pickup": "thu gom tại nhà",
                     "api": "hệ thống của cơ quan", "csv": "tệp CSV của cơ quan"}
REQUESTED_VIA_LABELS_VI = {"phone": "điện thoại", "online": "trực tuyến", "web": "trang web",
                           "counter": "tại quầy", "app": "ứng dụng"}
CANCEL_REASON_LABELS_VI = {"citizen_withdrew": "Người dân rút yêu cầu",
                           "agency_recalled": "Cơ quan thu hồi kết quả"}
RELATION_LABELS_VI = {"self": "chính chủ", "proxy": "người nhận thay"}
CORRECTION_FIELD_LABELS_VI = {"cash_collected_vnd": "Số tiền đã thu",
                              "recipient.id_last4": "4 số cuối giấy tờ", "note": "Ghi chú"}
#: Evidence keys read into words below (any other key is still shown, as it is).
_KNOWN_KEYS = frozenset({
    *IMAGE_LABELS_VI, "handover_id", "from_user_id", "from_unit_id", "to_user_id", "to_unit_id",
    "missing", "recipient", "cash_collected_vnd", "papers_collected", "deviation_note",
    "channel", "requested_via", "assigned_to", "documents", "fees", "reduction_code", "reason",
    "action", "correction_id", "corrects_event_id", "correction", "requested_by_user_id",
    "requested_at", "countersigned_by_user_id", "position_fix",
})


def local_seconds(iso: str) -> str:
    """An ISO UTC time of an event body, as local time with seconds (evidence is exact)."""
    try:
        return local_time_text(datetime.fromisoformat(iso), seconds=True)
    except (OverflowError, ValueError, TypeError):  # at the calendar's edge: shown as recorded
        return str(iso)


@dataclass(frozen=True)
class Fact:
    """One piece of evidence in words."""

    label: str
    value: str


@dataclass(frozen=True)
class ProofImage:
    """An image an event names, to be shown (by hash, through /api/v1/media)."""

    field: str
    label: str
    sha256: str


@dataclass
class CustodyStep:
    """One event as a person reads it; the technical part goes under a disclosure."""

    seq: int
    event_id: str
    event_type: str
    label: str
    when: str
    received_at: str
    who: str
    #: Where, when the event carries a position: its distance to the address at the door.
    where: str
    status_after: str
    facts: list[Fact] = field(default_factory=list)
    images: list[ProofImage] = field(default_factory=list)
    withheld_images: list[str] = field(default_factory=list)
    sketch: str | None = None
    #: Steps that correct this one (countersigned), by their number.
    corrected_in: list[int] = field(default_factory=list)
    coordinates: str | None = None
    evidence_json: str | None = None
    previous_hash: str = ""
    hash: str = ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Reader:
    """Reads an export's events into steps for one viewer."""

    def __init__(self, names: CustodyNames, shows_proof: bool, body: dict[str, Any]) -> None:
        self.names, self.shows_proof = names, shows_proof
        events = [entry["body"] for entry in body["events"]]
        self.seq_of = {event["id"]: event["seq"] for event in events}
        self.label_of = {event["id"]: EVENT_LABELS_VI.get(event["type"], event["type"])
                         for event in events}
        #: The steps a later countersigned correction puts right, by the event corrected.
        self.corrected_in: dict[str, list[int]] = {}
        for event in events:
            evidence = event["evidence"] if isinstance(event["evidence"], dict) else {}
            if event["type"] == EventType.corrected and isinstance(evidence.get("corrects_event_id"), str):
                self.corrected_in.setdefault(evidence["corrects_event_id"], []).append(event["seq"])

    def person(self, user_id: Any, unit_id: Any = None) -> str:
        """"Name (role)", or "Name (role, unit)" when the unit is given."""
        person = self.names.people.get(user_id) if _int(user_id) is not None else None
        if person is None:
            return "—" if user_id is None else f"người dùng #{user_id}"
        about = [ROLE_LABELS_VI.get(person.role, ""), self.unit(unit_id) if unit_id else ""]
        about = [part for part in about if part]
        return f"{person.name} ({', '.join(about)})" if about else person.name

    def unit(self, unit_id: Any) -> str:
        return self.names.units.get(unit_id, "—" if unit_id is None else f"đơn vị #{unit_id}")

    def party(self, evidence: dict[str, Any], side: str) -> str:
        """A handover's sender or receiver: the person and the unit, or the unit (its desk)."""
        user_id, unit_id = evidence.get(f"{side}_user_id"), evidence.get(f"{side}_unit_id")
        return self.person(user_id, unit_id) if user_id is not None else self.unit(unit_id)

    def facts(self, event_type: str, evidence: dict[str, Any], status_before: str | None) -> list[Fact]:
        """The evidence in words, in the order a reader checks it."""
        facts: list[Fact] = []

        def add(label: str, value: str) -> None:
            facts.append(Fact(label, value))

        if "handover_id" in evidence:
            add("Biên bản giao nhận", f"số {evidence['handover_id']}: "
                f"{self.party(evidence, 'from')} giao cho {self.party(evidence, 'to')}")
        if isinstance(missing := evidence.get("missing"), str):
            add("Hồ sơ còn thiếu", missing)
        if isinstance(channel := evidence.get("channel"), str):
            add("Hình thức", CHANNEL_LABELS_VI.get(channel, channel))
        if isinstance(via := evidence.get("requested_via"), str):
            add("Yêu cầu qua", REQUESTED_VIA_LABELS_VI.get(via, via))
        if isinstance(assigned := evidence.get("assigned_to"), str):
            add("Giao cho bưu tá", assigned)
        recipient = evidence.get("recipient")
        if isinstance(recipient, dict):
            relation = RELATION_LABELS_VI.get(str(recipient.get("relation")), "—")
            if isinstance(recipient.get("relationship"), str) and recipient["relationship"]:
                relation += f" ({recipient['relationship']})"
            add("Người nhận", f"{recipient.get('name') or '—'} · {relation}")
            id_type = recipient.get("id_type")
            label = ID_TYPE_LABELS_VI.get(id_type, id_type) if isinstance(id_type, str) else None
            if label:
                add("Giấy tờ đã kiểm tra", f"{label} · 4 số cuối {recipient.get('id_last4') or '—'}")
        if event_type == EventType.attempt_failed:
            reason, action = evidence.get("reason"), evidence.get("action")
            add("Lý do", FAILURE_REASON_LABELS_VI.get(str(reason), str(reason)))
            add("Xử lý", FAILURE_ACTION_LABELS_VI.get(str(action), str(action)))
        elif event_type == EventType.cancelled and "reason" in evidence:
            add("Lý do hủy", CANCEL_REASON_LABELS_VI.get(evidence["reason"], str(evidence["reason"])))
        documents = evidence.get("documents")
        if isinstance(documents, list) and documents:
            add("Giấy tờ nhận", "; ".join(
                f"{d.get('name')} ({'bản chính' if d.get('original') else 'bản sao'} × {d.get('count')})"
                for d in documents if isinstance(d, dict)))
        fees = evidence.get("fees")
        if isinstance(fees, dict) and _int(fees.get("total_vnd")) is not None:
            due = format_vnd(fees["total_vnd"])
            if fees.get("reduction_code"):
                due += f" (giảm theo {fees['reduction_code']})"
            add("Phải thu", due)
        if (cash := _int(evidence.get("cash_collected_vnd"))) is not None:
            if not isinstance(fees, dict):  # QĐ45 Art.11-12: what the citizen owed then
                add("Phải thu", format_vnd(cash_due_vnd(self.names.kind, status_before,
                                                   self.names.postage_vnd,
                                                   self.names.official_fee_vnd)))
            add("Tiền đã thu", format_vnd(cash))
        papers = evidence.get("papers_collected")
        if isinstance(papers, list) and papers:
            add("Giấy tờ thu hồi", "; ".join(str(p) for p in papers))
        if isinstance(note := evidence.get("deviation_note"), str) and note:
            add("Ghi chú của bưu tá", note)
        if event_type == EventType.corrected:
            facts.extend(self.correction(evidence))
        if isinstance(fix := evidence.get("position_fix"), dict) and fix.get("fixed_at"):
            add("Vị trí lấy lúc", local_seconds(fix["fixed_at"]))
        for key in sorted(set(evidence) - _KNOWN_KEYS):  # nothing recorded is hidden
            add(key, json.dumps(evidence[key], ensure_ascii=False))
        return facts

    def correction(self, evidence: dict[str, Any]) -> list[Fact]:
        """A countersigned correction: what it changes, why, and the two supervisors."""
        corrected = evidence.get("corrects_event_id")
        target = self.seq_of.get(corrected) if isinstance(corrected, str) else None
        changes = asked if isinstance(asked := evidence.get("correction"), dict) else {}
        label = self.label_of.get(corrected, "") if isinstance(corrected, str) else ""
        out = [Fact("Bước được điều chỉnh", f"bước {target} · {label}" if target else str(corrected))]
        for key, value in changes.items():
            money = key == "cash_collected_vnd" and _int(value) is not None
            shown = format_vnd(value) if money else str(value)
            out.append(Fact(CORRECTION_FIELD_LABELS_VI.get(key, str(key)), f"thành {shown}"))
        if isinstance(evidence.get("reason"), str):
            out.append(Fact("Lý do", evidence["reason"]))
        proposed = self.person(evidence.get("requested_by_user_id"))
        if isinstance(evidence.get("requested_at"), str):
            proposed += f", lúc {local_seconds(evidence['requested_at'])}"
        out.append(Fact("Đề nghị bởi", proposed))
        out.append(Fact("Đồng ký bởi", self.person(evidence.get("countersigned_by_user_id"))))
        return out

    def images(self, event_type: str, evidence: dict[str, Any]) -> list[ProofImage]:
        labels = dict(IMAGE_LABELS_VI)
        if event_type in HANDOVER_EVENTS:
            labels["signature_sha256"] = "Chữ ký bên nhận"
        elif event_type == EventType.collected:
            labels["signature_sha256"] = "Chữ ký người gửi"
        return [ProofImage(name, label, evidence[name]) for name, label in labels.items()
                if isinstance(evidence.get(name), str)]

    def step(self, entry: dict[str, Any], status_before: str | None) -> CustodyStep:
        event = entry["body"]
        evidence: dict[str, Any] = event["evidence"] if isinstance(event["evidence"], dict) else {}
        position = event["position"] or {}
        located = position.get("lat") is not None and position.get("lon") is not None
        accuracy = f" (±{position['accuracy_m']:.0f} m)" if position.get("accuracy_m") is not None else ""
        where = ""
        sketch = None
        if located and event["type"] in DOORSTEP_EVENTS and self.names.address_position:
            metres = distance_m((position["lat"], position["lon"]), self.names.address_position)
            where = f"cách địa chỉ {metres:,.0f} m{accuracy}".replace(",", ".")
            if self.shows_proof:
                lat, lon = self.names.address_position
                sketch = json.dumps({
                    "position": {"lat": position["lat"], "lon": position["lon"]},
                    "address_position": {"lat": lat, "lon": lon},
                    "distance_m": metres, "accuracy_m": position.get("accuracy_m")})
        elif located:
            where = f"có toạ độ GPS{accuracy}"
        images = self.images(event["type"], evidence)
        return CustodyStep(
            seq=event["seq"], event_id=event["id"], event_type=event["type"],
            # StrEnum keys: the stored text finds its label; an unknown one shows as it is.
            label=EVENT_LABELS_VI.get(event["type"], event["type"]),
            when=local_seconds(event["occurred_at"]), received_at=local_seconds(event["received_at"]),
            who=self.person(event["actor_user_id"], event["actor_unit_id"]),
            where=where,
            status_after=STATUS_LABELS_VI.get(event["status_after"], event["status_after"]),
            facts=self.facts(event["type"], evidence, status_before),
            images=images if self.shows_proof else [],
            withheld_images=[] if self.shows_proof else [image.label for image in images],
            sketch=sketch, corrected_in=self.corrected_in.get(event["id"], []),
            coordinates=(f'{position["lat"]:.6f}, {position["lon"]:.6f}{accuracy}'
                         if located and self.shows_proof else None),
            evidence_json=(json.dumps(evidence, ensure_ascii=False, indent=1, sort_keys=True)
                           if self.shows_proof else None),
            previous_hash=entry["previous_hash"], hash=entry["hash"],
        )


def custody_steps(body: dict[str, Any], names: CustodyNames, viewer_role: str) -> list[CustodyStep]:
    """The export's events, in chain order, as a timeline for a viewer of `viewer_role`."""
    reader = _Reader(names, viewer_role in IMAGE_ROLES, body)
    before: list[str | None] = [None, *(entry["body"]["status_after"] for entry in body["events"])]
    return [reader.step(entry, status) for entry, status in zip(body["events"], before[:-1], strict=True)]
