"""Replay: the scheduled plans become items, handovers and custody events through the services.

Every step goes through the function the API calls for it — counter intake, pickup request,
item registration, the handover's listing and signature, the field app's sync, the counter's
hold and delivery — with the step's past time given as `at` (or `received_at`). Steps are
played in time order across all items, so a handover record lists every item of its batch
at once, as a clerk's screen does.
"""
from __future__ import annotations

import hashlib
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from demo.images import document_png, photo_png, signature_png
from demo.people import PROXY_RELATIONSHIPS, offset, person_name
from demo.plans import Batch, Calendar, Plan, Step
from server.custody.events import append_event
from server.custody.sync import sync_events
from server.domain.lifecycle import EventType, ItemKind
from server.domain.service_time import LOCAL_TZ
from server.handovers.service import accept_handover, create_handover
from server.items.counter import deliver_at_counter, hold_for_pickup
from server.items.counter_schemas import CounterDelivery
from server.items.intake import request_pickup, take_in_at_counter
from server.items.intake_schemas import CounterIntake, PickupRequest
from server.items.schemas import ItemCreate
from server.items.service import create_item
from server.media.service import store_media
from server.media.storage import media_storage
from server.models import Unit, User

#: One-stop agency ids of the dossier codes (TT 01/2018/TT-VPCP Art.19), invented.
AGENCY_DOSSIER_IDS = {"TTHCC": "000.00.00.H41", "CA-TINH": "000.20.41.H41",
                      "BHXH-TINH": "000.40.41.H41", "SO-TP": "000.30.41.H41"}
#: What the envelope of a result holds, per procedure.
RESULT_DOCUMENTS = {
    "CA-CCCD-DOI": "Thẻ căn cước", "CA-GPLX-DOI": "Giấy phép lái xe",
    "BHXH-SO-CAPLAI": "Sổ bảo hiểm xã hội", "BHXH-THE-CAPLAI": "Thẻ bảo hiểm y tế",
    "TP-LLTP": "Phiếu lý lịch tư pháp", "TTHCC-DATDAI": "Giấy chứng nhận quyền sử dụng đất",
}
APPOINTMENT_SLIP = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
#: QĐ45 Art.12: a result's postage within an area and between areas (TT22/2017 exempts or
#: halves it); a dossier's is quoted by the counter from the fee catalogue.
POSTAGE_SAME_AREA_VND, POSTAGE_OTHER_VND = 26_000, 30_000
#: The catalogue's reductions (demo.seed.DEMO_REDUCTIONS) a few dossiers are taken in with.
EXEMPT, HALVED = "KHUYET_TAT", "HO_NGHEO"
#: Handovers that file dossiers with an agency: the sender signs too (QĐ45 Art.7).
FILING_BATCHES = frozenset({"filing", "transit_filing"})


class Replayer:
    """Plays scheduled plans through the services, in time order."""

    def __init__(self, rng: random.Random, calendar: Calendar, users: Iterable[User],
                 units: Iterable[Unit]) -> None:
        self.rng, self.calendar = rng, calendar
        self.users = {user.id: user for user in users}
        self.units = {unit.id: unit for unit in units}
        self.codes: dict[tuple[str, str], int] = {}
        self.media = media_storage()
        self.max_bytes = current_app.config["MEDIA_MAX_BYTES"]
        self.uploaded: set[str] = set()

    def replay(self, plans: list[Plan]) -> None:
        """Every step of every plan in time order; a handover batch's items together."""
        batches: dict[Batch, list[Plan]] = defaultdict(list)
        timeline: list[tuple[datetime, int, int, Plan, Step]] = []
        for order, plan in enumerate(plans):
            times = [self.calendar.moment(step.day, step.seconds) for step in plan.steps]
            self._check_order(plan, times)
            for index, (step, at) in enumerate(zip(plan.steps, times, strict=True)):
                if step.batch is not None:
                    batches[step.batch].append(plan)
                timeline.append((at, order, index, plan, step))
        timeline.sort(key=lambda entry: entry[:3])
        played: set[Batch] = set()
        for at, _order, _index, plan, step in timeline:
            if step.batch is None:
                getattr(self, f"_do_{step.action.value}")(plan, step, at)
            elif step.batch not in played:
                played.add(step.batch)
                self._handover(step.batch, batches[step.batch], at)

    def _check_order(self, plan: Plan, times: list[datetime]) -> None:
        """Every history must be sorted and in the past: otherwise a planning bug, not data."""
        if times != sorted(set(times)) or times[-1] >= self.calendar.now:
            raise RuntimeError(f"demo history out of order: "
                               f"{[(s.day, s.action.value, s.seconds) for s in plan.steps]}")

    def _uuid(self) -> str:
        """An event id as a phone would make it, but from the seed (same ids every run)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _image(self, actor: User, body: bytes, at: datetime) -> str:
        """Upload an image the way the phone does, once (a staff member's own signature is
        reused); answers its SHA-256."""
        sha256 = hashlib.sha256(body).hexdigest()
        if sha256 not in self.uploaded:
            store_media(actor, sha256, body, "image/png", self.media, self.max_bytes, at=at)
            self.uploaded.add(sha256)
        return sha256

    # -- registering items ------------------------------------------------------------------

    def _citizen(self, plan: Plan) -> dict[str, Any]:
        """The citizen as the counter's form sends them."""
        citizen = plan.citizen
        return {"name": citizen.name, "phone": citizen.phone, "id_type": citizen.id_type,
                "id_number": citizen.id_number,
                "address": {"province": plan.staff.office.province, "commune": citizen.commune,
                            "line": citizen.line, "legacy": citizen.legacy,
                            "lat": citizen.lat, "lon": citizen.lon}}

    def _reduction(self) -> str | None:
        """Now and then a citizen exempted from postage or paying half (TT22/2017)."""
        roll = self.rng.random()
        return EXEMPT if roll < 0.05 else HALVED if roll < 0.10 else None

    def _counter_intake(self, plan: Plan, step: Step, at: datetime) -> CounterIntake:
        """A dossier counted, priced and signed by both at the counter."""
        clerk = step.actor
        return CounterIntake.model_validate({
            "procedure_code": plan.procedure.code, "citizen": self._citizen(plan),
            "documents": plan.procedure.documents, "reduction_code": self._reduction(),
            "citizen_signature_sha256": self._image(
                clerk, signature_png(f"counter-{plan.citizen.id_number}-{at.isoformat()}"), at),
            "clerk_signature_sha256": self._image(clerk, signature_png(f"clerk-{clerk.id}"), at),
        })

    def _result(self, plan: Plan, at: datetime) -> ItemCreate:
        """A result's registration as the API receives it."""
        procedure = plan.procedure
        return ItemCreate.model_validate({
            "kind": ItemKind.result.value, "procedure_code": procedure.code,
            "dossier_code": self._dossier_code(plan, at), "agency_unit": plan.agency.code,
            "post_office_unit": plan.staff.office.code,
            "linked_dossier": plan.linked.made.tracking_number if plan.linked else None,
            "citizen": self._citizen(plan),
            "documents": [{"name": RESULT_DOCUMENTS.get(procedure.code, procedure.name),
                           "original": True, "count": 1}],
            "fees": self._fees(plan), "with_appointment_slip": plan.slip,
        })

    def _fees(self, plan: Plan) -> dict[str, int | None]:
        """Postage (TT22/2017: some pay nothing or half) and an official fee due or not."""
        same_area = plan.citizen.commune.casefold() == plan.staff.office.commune.casefold()
        postage = POSTAGE_SAME_AREA_VND if same_area else POSTAGE_OTHER_VND
        roll = self.rng.random()
        postage = 0 if roll < 0.05 else postage // 2 if roll < 0.10 else postage
        # The fee is usually collected on delivery; None: the procedure's fee.
        return {"postage_vnd": postage, "official_fee_vnd": None if self.rng.random() < 0.3 else 0}

    def _dossier_code(self, plan: Plan, at: datetime) -> str:
        """A result carries the one-stop code of the dossier it answers (TT 01/2018 Art.19)."""
        received = plan.linked.steps[-1].day if plan.linked else None
        day = (self.calendar.days[received] if received is not None
               else at.astimezone(LOCAL_TZ).date() - timedelta(days=self.rng.randint(7, 25)))
        stamp = day.strftime("%y%m%d")
        agency_id = AGENCY_DOSSIER_IDS.get(plan.agency.code, "000.00.99.H41")
        number = self.codes.get((agency_id, stamp), self.rng.randint(1, 40)) + 1
        self.codes[(agency_id, stamp)] = number
        return f"{agency_id}-{stamp}-{number:04d}"

    def _do_intake(self, plan: Plan, step: Step, at: datetime) -> None:
        """At the counter: a dossier taken in (`POST /intake/counter`), or a result
        registered at the desk (`POST /items`)."""
        if plan.kind is ItemKind.dossier:
            plan.item = take_in_at_counter(step.actor, self._counter_intake(plan, step, at), at=at)
        else:
            plan.item = create_item(step.actor, self._result(plan, at), at=at)

    def _do_register(self, plan: Plan, step: Step, at: datetime) -> None:
        """The agency registers a result for delivery; it keeps the envelope until pickup."""
        plan.item = create_item(step.actor, self._result(plan, at), at=at)

    def _do_request(self, plan: Plan, step: Step, at: datetime) -> None:
        """A pickup at home asked for by phone (`POST /pickups`); the post office owes the visit."""
        body = PickupRequest.model_validate({
            "procedure_code": plan.procedure.code, "citizen": self._citizen(plan),
            "reduction_code": self._reduction()})
        plan.item = request_pickup(step.actor, body, at=at)

    def _do_cancel(self, plan: Plan, step: Step, at: datetime) -> None:
        """Cancelled before collection: the citizen withdrew, or the agency recalled it (no
        screen records this yet, so the custody writer is called directly)."""
        reason = "citizen_withdrew" if plan.kind is ItemKind.dossier else "agency_recalled"
        append_event(plan.made, EventType.cancelled, step.actor, occurred_at=at, received_at=at,
                     evidence={"reason": reason}, event_id=self._uuid())

    # -- handovers --------------------------------------------------------------------------

    def _handover(self, batch: Batch, plans: list[Plan], at: datetime) -> None:
        """The sender lists the batch's items; the receiver scans them all and signs at `at`."""
        sender, receiver = self.users[batch.sender_id], self.users[batch.receiver_id]
        numbers = [plan.made.tracking_number for plan in plans]
        listed_at = at - timedelta(minutes=self.rng.randint(3, 15))
        sender_signature = (self._image(sender, signature_png(f"sender-{batch}"), listed_at)
                            if batch.kind in FILING_BATCHES else None)
        to_user = self.users[batch.to_user_id].username if batch.to_user_id else None
        to_unit = None if to_user else self.units[batch.to_unit_id].code
        record = create_handover(sender, to_user, to_unit, numbers,
                                 sender_signature=sender_signature, at=listed_at)
        signature = self._image(receiver, signature_png(f"handover-{batch}"), at)
        outcome = accept_handover(receiver, record.id, numbers, signature, at=at)
        if outcome.missing or outcome.unexpected:
            raise RuntimeError(f"demo handover {batch} did not match: {outcome}")

    # -- the field app: events synced with the time they happened -----------------------------

    def _sync(self, actor: User, plan: Plan, at: datetime, event: dict[str, Any],
              event_id: str | None = None) -> None:
        """Send one event as the phone's outbox does (`POST /sync`), received when it happened."""
        raw = {"id": event_id or self._uuid(), "tracking_number": plan.made.tracking_number,
               "occurred_at": at.isoformat(), **event}
        result = sync_events(actor, [raw], max_events=1, received_at=at)[0]
        if result["status"] != "accepted":
            raise RuntimeError(f"demo event refused: {raw} → {result}")

    def _doorstep(self, plan: Plan, far: bool = False) -> dict[str, float]:
        """A fix at the citizen's door, or (rarely, on purpose) far from it."""
        citizen = plan.citizen
        if far:
            lat, lon = offset(citizen.lat, citizen.lon, self.rng.uniform(800, 2000),
                               self.rng.uniform(0, 2 * math.pi))
            return {"lat": lat, "lon": lon, "accuracy_m": round(self.rng.uniform(8, 25), 1)}
        lat, lon = offset(citizen.lat, citizen.lon, self.rng.uniform(3, 60),
                           self.rng.uniform(0, 2 * math.pi))
        poor = self.rng.random() < 0.03  # a weak fix under trees or between tall houses
        return {"lat": lat, "lon": lon, "accuracy_m": round(
            self.rng.uniform(120, 250) if poor else self.rng.uniform(4, 30), 1)}

    def _cash_due(self, plan: Plan) -> int:
        """What the citizen pays the postman: postage and any official fee collected."""
        return plan.made.postage_vnd + plan.made.official_fee_vnd

    def _do_collect(self, plan: Plan, step: Step, at: datetime) -> None:
        """The postman takes the dossier at the door; both sign; the fees are paid."""
        event_id, postman = self._uuid(), step.actor
        self._sync(postman, plan, at, {
            "type": "collected", "position": self._doorstep(plan),
            "signature_sha256": self._image(postman, signature_png(f"collect-{event_id}"), at),
            "postman_signature_sha256": self._image(
                postman, signature_png(f"postman-{postman.id}"), at),
            "documents": plan.made.documents, "cash_collected_vnd": self._cash_due(plan),
        }, event_id)

    def _do_out(self, plan: Plan, step: Step, at: datetime) -> None:
        """The postman sets out, the fix taken at the office's door."""
        office = plan.staff.office
        lat, lon = offset(office.lat or 0.0, office.lon or 0.0, self.rng.uniform(2, 25),
                           self.rng.uniform(0, 2 * math.pi))
        self._sync(step.actor, plan, at, {"type": "out_for_delivery", "position": {
            "lat": lat, "lon": lon, "accuracy_m": round(self.rng.uniform(5, 20), 1)}})

    def _do_attempt(self, plan: Plan, step: Step, at: datetime) -> None:
        """A failed attempt at the door, why, and what the postman did."""
        event_id = self._uuid()
        self._sync(step.actor, plan, at, {"type": "attempt_failed", "reason": step.reason,
                                          "action": step.then,
                                          "position": self._doorstep(plan)}, event_id)

    def _do_deliver(self, plan: Plan, step: Step, at: datetime) -> None:
        """Delivered at the door with the proof TT17 Art.5(2) asks for."""
        event_id, postman = self._uuid(), step.actor
        position = self._doorstep(plan, far=step.far)
        evidence = self._handing_over(plan, postman, at, event_id)
        if self.rng.random() < 0.25:
            evidence["photo_sha256"] = self._image(postman, photo_png(event_id), at)
        self._sync(postman, plan, at, {"type": "delivered", "position": position, **evidence},
                   event_id)

    def _do_give_back(self, plan: Plan, step: Step, at: datetime) -> None:
        """Undeliverable, or two invitations left: the clerk records its return to the agency."""
        self._sync(step.actor, plan, at, {"type": "returned"})

    # -- the counter --------------------------------------------------------------------------

    def _do_hold(self, plan: Plan, step: Step, at: datetime) -> None:
        """After the invitation, the result waits at the counter."""
        hold_for_pickup(step.actor, plan.made.tracking_number, at=at)

    def _do_deliver_counter(self, plan: Plan, step: Step, at: datetime) -> None:
        """The citizen came for the held result at the counter."""
        evidence = self._handing_over(plan, step.actor, at, self._uuid())
        deliver_at_counter(step.actor, plan.made.tracking_number,
                           CounterDelivery.model_validate(evidence), at=at)

    def _handing_over(self, plan: Plan, actor: User, at: datetime, seed: str) -> dict[str, Any]:
        """What handing a result over records: recipient, signature, authorisation, cash, papers."""
        evidence: dict[str, Any] = {
            "recipient": self._recipient(plan),
            "signature_sha256": self._image(actor, signature_png(f"deliver-{seed}"), at),
            "cash_collected_vnd": self._cash_due(plan),
            "papers_collected": [APPOINTMENT_SLIP] if plan.slip else [],
        }
        if plan.proxy:
            evidence["authorization_sha256"] = self._image(actor, document_png(seed), at)
        return evidence

    def _recipient(self, plan: Plan) -> dict[str, Any]:
        """The citizen with their own card, or a relative holding a written authorisation."""
        citizen = plan.citizen
        if not plan.proxy:
            return {"name": citizen.name, "relation": "self", "id_type": citizen.id_type,
                    "id_last4": citizen.id_number[-4:]}
        sex = self.rng.choice("mf")
        name, _ = person_name(self.rng, sex, family=citizen.family)
        return {"name": name, "relation": "proxy",
                "relationship": self.rng.choice(PROXY_RELATIONSHIPS), "id_type": "cccd",
                "id_last4": f"{self.rng.randrange(10**4):04d}"}
