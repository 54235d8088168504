"""Who may do what: every endpoint × every role × own unit / other unit, against one table.

`MATRIX` below states, for each operation declared with `operation()` (`OPERATIONS`), which
roles may call it, how it is scoped, and how to make a real request for a given caller.
`test_every_operation_has_a_row` fails as soon as an endpoint is added without a row here.

For each operation, each role is tried as a user of the unit that owns the objects (own) and
as the same role in another unit (other), plus an anonymous caller:

- anonymous: 401 `auth_required` unless the operation is public;
- a role the operation is not for: 403 `forbidden`;
- own unit: the success status (2xx), and for lists the own object is in the answer;
- other unit: by the row's scope — an object outside one's units is 404 (never 403: its
  existence is not revealed), a list does not hold it, a registration for another unit is
  403 `other_unit`, and unscoped operations succeed.

The objects (items of the central post office `BC-TRUNGTAM` and the police agency `CA-TINH`)
are made fresh for every call that changes them. Callers are signed in with a session cookie
and send the CSRF header (its absence is tested in test_security.py).

API tokens have a table of their own, `TOKEN_OPERATIONS`: the agency-system endpoints, the
only ones an agency's token may call; everywhere else it is refused with 403
`token_not_allowed` (`test_an_agency_token_reaches_only_the_agency_system_endpoints`).
"""
from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from server.accounts.service import create_user
from server.audit.corrections import request_correction
from server.core.security import issue_api_token
from server.core.spec import OPERATIONS
from server.custody.flags import raise_flag
from server.custody.proof import last_closed_day, seal_day
from server.extensions import db
from server.models import CustodyEvent, Item, Unit, User, VerificationJob
from server.transparency.log import integrate
from tests.api.checks import UNKNOWN_NUMBER
from tests.api.scenario import result_body
from tests.conftest import png_bytes

ROLES = ("admin", "supervisor", "clerk", "agency", "postman")
#: The user of each role in the objects' units, and one of the same role elsewhere.
OWN = {"admin": "admin", "supervisor": "supervisor", "clerk": "clerk", "agency": "agency",
       "postman": "postman"}
#: The admin works for the whole province: there is no "other unit" admin.
OTHER = {"supervisor": "supervisor_nd", "clerk": "clerk_nd", "agency": "agency_bhxh",
         "postman": "postman_nd"}
EVERYONE = frozenset(ROLES)
AUDITORS = frozenset({"supervisor", "admin"})
PARTIES = frozenset({"clerk", "agency", "postman"})
REPORTERS = frozenset({"supervisor", "admin", "agency"})


@dataclass
class Call:
    """One request: method, URL, JSON body or raw bytes."""

    method: str
    url: str
    json: Any = None
    data: bytes | None = None
    content_type: str | None = None


class Stage:
    """The demo province, its staff signed in, and makers of fresh objects through the API."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        with app.app_context():
            nd = db.session.execute(select(Unit).where(Unit.code == "BC-NAMDINH")).scalar_one()
            create_user("supervisor_nd", "tantay-demo", "supervisor", nd.id)
            agency = db.session.execute(select(User).where(User.username == "agency")).scalar_one()
            self.agency_token = issue_api_token(agency, "matrix")
            db.session.commit()
        self.sessions: dict[str, tuple[Any, str]] = {}
        self.signature = self.upload("postman", "matrix-signature")

    def _session(self, username: str) -> tuple[Any, str]:
        """A test client signed in as `username`, and its CSRF token (signed in once)."""
        if username not in self.sessions:
            client = self.app.test_client()
            answer = client.post("/api/v1/auth/login",
                                 json={"username": username, "password": "tantay-demo"})
            assert answer.status_code == 200, answer.get_json()
            self.sessions[username] = (client, answer.get_json()["csrf_token"])
        return self.sessions[username]

    def send(self, username: str | None, call: Call) -> Any:
        """Make the call as `username` (None: anonymous, on a client of its own)."""
        if username is None:
            client, headers = self.app.test_client(), {}
        else:
            client, csrf = self._session(username)
            headers = {"X-CSRF-Token": csrf}
        # A body made for its sender (what only the sender may cite, e.g. its own images).
        body = call.json(username) if callable(call.json) else call.json
        response = client.open(call.url, method=call.method, json=body, data=call.data,
                               content_type=call.content_type, headers=headers)
        if username is not None and call.url == "/api/v1/auth/login" and response.status_code == 200:
            # A sign-in starts a new session: keep its CSRF token for the next calls.
            self.sessions[username] = (client, response.get_json()["csrf_token"])
        return response

    def send_with_token(self, call: Call) -> Any:
        """Make the call with the agency's API token (no cookie, no CSRF header)."""
        body = call.json("agency") if callable(call.json) else call.json
        return self.app.test_client().open(
            call.url, method=call.method, json=body, data=call.data,
            content_type=call.content_type,
            headers={"Authorization": f"Bearer {self.agency_token}"})

    def ok(self, username: str, call: Call, status: int = 200) -> Any:
        """Make a setup call that must succeed; answer its JSON."""
        response = self.send(username, call)
        assert response.status_code == status, (call, response.get_json())
        return response.get_json()

    def upload(self, username: str, seed: str) -> str:
        """A fresh PNG uploaded by `username`; answer its hash."""
        body = png_bytes(seed)
        sha = hashlib.sha256(body).hexdigest()
        response = self.send(username, Call("PUT", f"/api/v1/media/{sha}", data=body,
                                            content_type="image/png"))
        assert response.status_code in (200, 201), response.get_json()
        return sha

    # --- objects of the own units -----------------------------------------------------

    def counter_item(self) -> str:
        """A result registered at the central post office's counter (held by the office)."""
        return self.ok("clerk", Call("POST", "/api/v1/items", json=result_body()), 201)[
            "tracking_number"]

    def agency_item(self) -> str:
        """A result registered by the police agency (held by the agency)."""
        return self.ok("agency", Call("POST", "/api/v1/items", json=result_body()), 201)[
            "tracking_number"]

    def handover(self, sender: str, number: str, **receiver: str) -> int:
        """A pending handover record of one item."""
        return self.ok(sender, Call("POST", "/api/v1/handovers",
                                    json={"items": [number], **receiver}), 201)["id"]

    def accept(self, receiver: str, record: int, number: str) -> None:
        """The receiver scans and signs."""
        # Signed on the receiver's own screen: an image is its uploader's alone (issue #13).
        signature = self.upload(receiver, f"accept-{record}-{receiver}")
        self.ok(receiver, Call("POST", f"/api/v1/handovers/{record}/accept",
                               json={"scanned": [number], "signature_sha256": signature}))

    def postman_item(self) -> str:
        """A result the postman holds (the morning load check signed)."""
        number = self.counter_item()
        self.accept("postman", self.handover("clerk", number, to_user="postman"), number)
        return number

    def first_event(self, number: str) -> str:
        """The id of an item's first custody event."""
        with self.app.app_context():
            return db.session.execute(
                select(CustodyEvent.id).join(Item).where(Item.tracking_number == number)
                .order_by(CustodyEvent.seq)).scalars().first()  # type: ignore[return-value]

    def flag(self) -> int:
        """An open audit flag on a fresh own item."""
        number = self.counter_item()
        with self.app.app_context():
            item = db.session.execute(
                select(Item).where(Item.tracking_number == number)).scalar_one()
            flag = raise_flag(item, "handover_discrepancy", None, {"kind": "missing"})
            db.session.commit()
            return flag.id

    def verification_job(self, username: str) -> int:
        """A running verification job of `username`'s scope (its thread never started)."""
        with self.app.app_context():
            user = db.session.execute(select(User).where(User.username == username)).scalar_one()
            job = VerificationJob(requested_by_id=user.id, status="running",
                                  scope_unit_id=None if user.role == "admin" else user.unit_id)
            db.session.add(job)
            db.session.commit()
            return job.id

    def correction(self, author: str) -> int:
        """A pending correction of a fresh own item's first event, asked by `author`."""
        number = self.counter_item()
        event_id = self.first_event(number)
        with self.app.app_context():
            actor = db.session.execute(select(User).where(User.username == author)).scalar_one()
            correction = request_correction(actor, event_id, "Ghi sai địa chỉ.",
                                            {"address_line": "Số 14"})
            db.session.commit()
            return correction.id

    def sealed_day(self) -> str:
        """Yesterday, sealed (once)."""
        with self.app.app_context():
            day = last_closed_day()
            if not hasattr(self, "_sealed"):
                seal_day(day)
                db.session.commit()
                self._sealed = True
            return day.isoformat()


def _event(number: str, event_type: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": event_type, "tracking_number": number,
            "occurred_at": datetime.now(UTC).isoformat()}


#: A check of a 2xx answer: True when the own object is in it (for list-scoped rows).
Holds = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Row:
    """Who may call an operation, how it is scoped, and how to build a call for a caller.

    `prepare(stage, username)` builds the request for the own-unit user of a role; the other
    unit's user is sent the same request (same object ids). `scope`:
    - "none": the answer does not depend on the unit (both sides succeed);
    - "object": names an own object; another unit's user gets 404;
    - "list": both succeed; `holds(answer, marker)` is True only for the own side;
    - "create": another unit's user gets 403 `other_unit`;
    - "conflict": another unit's user gets the same 409 as for a number nobody holds;
    - "lines": a batch of registrations: another unit's user gets 422 `import_rejected`,
      every line refused as `other_unit` (nothing registered).
    """

    roles: frozenset[str] | None  # None: public
    prepare: Callable[[Stage, str | None], tuple[Call, Any]]
    status: int = 200
    scope: str = "none"
    holds: Holds | None = None


def _fixed(call: Call) -> Callable[[Stage, str | None], tuple[Call, Any]]:
    return lambda stage, username: (call, None)


def _item_call(suffix: str = "") -> Callable[[Stage, str | None], tuple[Call, Any]]:
    def prepare(stage: Stage, username: str | None) -> tuple[Call, Any]:
        # A postman reads what he holds, not his office's counter (issue #13).
        number = stage.postman_item() if username == "postman" else stage.counter_item()
        return Call("GET", f"/api/v1/items/{number}{suffix}"), number
    return prepare


def _register_for_own_units(stage: Stage, username: str | None) -> tuple[Call, Any]:
    body = result_body(post_office_unit="BC-TRUNGTAM") if username and username.startswith(
        "clerk") else result_body()
    return Call("POST", "/api/v1/items", json=body), None


def _list_items(stage: Stage, username: str | None) -> tuple[Call, Any]:
    # A postman reads what he holds, not his office's counter (issue #13).
    number = stage.postman_item() if username == "postman" else stage.counter_item()
    return Call("GET", f"/api/v1/items?q={number}"), number


def _open_handover(stage: Stage, username: str | None) -> tuple[Call, Any]:
    if username == "agency":
        number = stage.agency_item()
        return Call("POST", "/api/v1/handovers",
                    json={"to_unit": "BC-TRUNGTAM", "items": [number]}), number
    if username == "postman":
        number = stage.postman_item()
        return Call("POST", "/api/v1/handovers",
                    json={"to_unit": "BC-TRUNGTAM", "items": [number]}), number
    number = stage.counter_item()
    return Call("POST", "/api/v1/handovers",
                json={"to_user": "postman2", "items": [number]}), number


def _a_record_of(stage: Stage, username: str | None) -> int:
    """A pending record the own user of this role is a party to (any record for auditors)."""
    if username == "agency":
        return stage.handover("agency", stage.agency_item(), to_unit="BC-TRUNGTAM")
    return stage.handover("clerk", stage.counter_item(), to_user="postman")


def _list_handovers(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", "/api/v1/handovers"), _a_record_of(stage, username)


def _read_handover(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", f"/api/v1/handovers/{_a_record_of(stage, username)}"), None


def _accept_handover(stage: Stage, username: str | None) -> tuple[Call, Any]:
    if username == "postman":
        number = stage.counter_item()
        record = stage.handover("clerk", number, to_user="postman")
    elif username == "agency":  # the post hands a result back to the agency
        number = stage.counter_item()
        record = stage.handover("clerk", number, to_unit="CA-TINH")
    else:  # the agency hands a result to the post office's counter
        number = stage.agency_item()
        record = stage.handover("agency", number, to_unit="BC-TRUNGTAM")
    # Signed on the receiver's own screen: an image is its uploader's alone (issue #13).
    signature = stage.upload(username, f"accept-{record}") if username else stage.signature
    return Call("POST", f"/api/v1/handovers/{record}/accept",
                json={"scanned": [number], "signature_sha256": signature}), None


def _a_record_sent_by(stage: Stage, username: str | None) -> int:
    """A pending record the own user of this role sent (and so may withdraw)."""
    if username == "agency":
        return stage.handover("agency", stage.agency_item(), to_unit="BC-TRUNGTAM")
    if username == "postman":
        return stage.handover("postman", stage.postman_item(), to_unit="BC-TRUNGTAM")
    return stage.handover("clerk", stage.counter_item(), to_user="postman")


def _cancel_handover(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("POST", f"/api/v1/handovers/{_a_record_sent_by(stage, username)}/cancel",
                json={"reason": "Lập nhầm bảng kê"}), None


def _handover_candidates(stage: Stage, username: str | None) -> tuple[Call, Any]:
    number = {"agency": stage.agency_item, "postman": stage.postman_item}.get(
        username or "", stage.counter_item)()
    return Call("GET", "/api/v1/handovers/candidates?source=held"), number


_DOSSIER_SERIALS = itertools.count(1)


def _fresh_dossier_code() -> str:
    """A dossier code no other call of the run has used (a result is registered once)."""
    return f"000.00.04.H51-260105-{next(_DOSSIER_SERIALS):04d}"


def _csv_import(stage: Stage, username: str | None) -> tuple[Call, Any]:
    citizen = result_body()["citizen"]
    rows = ["dossier_code,procedure_code,citizen_name,citizen_phone,province,commune,address_line",
            (f"{_fresh_dossier_code()},CA-CCCD-DOI,{citizen['name']},{citizen['phone']},"
             f"{citizen['address']['province']},{citizen['address']['commune']},Số 12")]
    return Call("POST", "/api/v1/results/import", data="\n".join(rows).encode(),
                content_type="text/csv"), None


def _batch(stage: Stage, username: str | None) -> tuple[Call, Any]:
    body = result_body(dossier_code=_fresh_dossier_code())
    del body["kind"]
    return Call("POST", "/api/v1/results/batch", json={"results": [body]}), None


def _upload(stage: Stage, username: str | None) -> tuple[Call, Any]:
    body = png_bytes(str(uuid.uuid4()))
    sha = hashlib.sha256(body).hexdigest()
    return Call("PUT", f"/api/v1/media/{sha}", data=body, content_type="image/png"), None


def _read_media(stage: Stage, username: str | None) -> tuple[Call, Any]:
    _delivered_with_cash(stage)  # its delivery, by the uploader, names `stage.signature`
    return Call("GET", f"/api/v1/media/{stage.signature}"), None


def _sync(stage: Stage, username: str | None) -> tuple[Call, Any]:
    if username == "clerk":  # the citizen will come to the counter for it
        number = stage.counter_item()
        events = [_event(number, "held_for_pickup")]
    else:
        number = stage.postman_item()
        events = [_event(number, "out_for_delivery")]
    return Call("POST", "/api/v1/sync", json={"events": events}), number


def _route(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", "/api/v1/route"), stage.postman_item()


def _track(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", f"/api/v1/track/{stage.counter_item()}"), None


def _list_flags(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", "/api/v1/audit/flags?status=open"), stage.flag()


def _read_flag(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", f"/api/v1/audit/flags/{stage.flag()}"), None


def _poll_verification(stage: Stage, username: str | None) -> tuple[Call, Any]:
    owner = username if username in AUDITORS else "supervisor"
    return Call("GET", f"/api/v1/audit/verify/{stage.verification_job(owner)}"), None


def _resolve_flag(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("POST", f"/api/v1/audit/flags/{stage.flag()}/resolve",
                json={"note": "Đã kiểm tra."}), None


def _list_corrections(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", "/api/v1/audit/corrections"), stage.correction("supervisor")


def _ask_correction(stage: Stage, username: str | None) -> tuple[Call, Any]:
    event_id = stage.first_event(stage.counter_item())
    return Call("POST", "/api/v1/audit/corrections",
                json={"event_id": event_id, "reason": "Sai địa chỉ.",
                      "correction": {"address_line": "Số 14"}}), None


def _countersign(stage: Stage, username: str | None) -> tuple[Call, Any]:
    # Four eyes: the correction is asked by another auditor than the one who signs.
    author = "admin" if username in ("supervisor", "supervisor_nd") else "supervisor"
    return Call("POST", f"/api/v1/audit/corrections/{stage.correction(author)}/countersign",
                json={}), None


def _day(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", f"/api/v1/audit/days/{stage.sealed_day()}"), None


def _inclusion(stage: Stage, username: str | None) -> tuple[Call, Any]:
    """An event of a counter item, logged: its inclusion proof is public."""
    number = stage.counter_item()
    with stage.app.app_context():
        event_id = db.session.execute(select(CustodyEvent.id).join(Item).where(
            Item.tracking_number == number)).scalars().first()
        size = integrate().checkpoint.tree_size
        db.session.commit()
    return Call("GET", f"/api/v1/log/inclusion?event_id={event_id}&size={size}"), None


def _report(suffix: str) -> Callable[[Stage, str | None], tuple[Call, Any]]:
    def prepare(stage: Stage, username: str | None) -> tuple[Call, Any]:
        unit = "CA-TINH" if username == "agency" else "BC-TRUNGTAM"
        return Call("GET", f"/api/v1/reports/summary{suffix}?period=month&unit={unit}"), None
    return prepare


def _holds_item(answer: Any, number: str) -> bool:
    return number in {item["tracking_number"] for item in answer["items"]}


def _holds_record(answer: Any, record: int) -> bool:
    return record in {handover["id"] for handover in answer["handovers"]}


def _accepted(answer: Any, number: str) -> bool:
    # Sync answers 200 either way; outside one's scope the event is `unknown_item`.
    result = answer["results"][0]
    if result["status"] != "accepted":
        assert result["error"]["code"] == "unknown_item", result
    return result["status"] == "accepted"


def _holds_stop(answer: Any, number: str) -> bool:
    return number in {stop["tracking_number"] for stop in answer["stops"]}


def _holds_flag(answer: Any, flag_id: int) -> bool:
    return flag_id in {flag["id"] for flag in answer["flags"]}


def _holds_correction(answer: Any, correction_id: int) -> bool:
    return correction_id in {c["id"] for c in answer["corrections"]}


def _counter_intake(stage: Stage, username: str | None) -> tuple[Call, Any]:
    checklist = [{"name": "Tờ khai căn cước (mẫu CC01)", "original": True, "count": 1},
                 {"name": "Thẻ căn cước cũ", "original": True, "count": 1}]

    def signed_by(sender: str | None) -> dict[str, Any]:
        # Both sign on the sender's own screen: an image is its uploader's alone (issue #13).
        signature = (stage.upload(sender, f"intake-{uuid.uuid4()}") if sender
                     else stage.signature)
        body = {**result_body(), "documents": checklist, "citizen_signature_sha256": signature,
                "clerk_signature_sha256": signature}
        for key in ("kind", "dossier_code", "fees"):
            body.pop(key)
        return body

    return Call("POST", "/api/v1/intake/counter", json=signed_by), None


def _pickup(stage: Stage, username: str | None) -> tuple[Call, Any]:
    body = {"procedure_code": "CA-CCCD-DOI", "citizen": result_body()["citizen"]}
    return Call("POST", "/api/v1/pickups", json=body), None


def _assign_pickup(stage: Stage, username: str | None) -> tuple[Call, Any]:
    number = stage.ok("clerk", _pickup(stage, "clerk")[0], 201)["tracking_number"]
    return Call("POST", f"/api/v1/pickups/{number}/assign", json={"postman": "postman2"}), None
# --- deadlines, counter and cash (issue 4) ---------------------------------------------------

def _make_overdue(stage: Stage, number: str) -> str:
    """Move an item's deadline into the past (set-up only: the clock cannot be moved)."""
    with stage.app.app_context():
        db.session.execute(update(Item).where(Item.tracking_number == number)
                           .values(due_at=datetime.now(UTC) - timedelta(hours=2)))
        db.session.commit()
    return number


def _deadlines(stage: Stage, username: str | None) -> tuple[Call, Any]:
    number = stage.postman_item() if username == "postman" else stage.counter_item()
    return Call("GET", "/api/v1/deadlines"), _make_overdue(stage, number)


def _hold(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("POST", f"/api/v1/counter/items/{stage.counter_item()}/hold", json={}), None


def _deliver_at_counter(stage: Stage, username: str | None) -> tuple[Call, Any]:
    number = stage.counter_item()
    stage.ok("clerk", Call("POST", f"/api/v1/counter/items/{number}/hold", json={}))
    return Call("POST", f"/api/v1/counter/items/{number}/deliver", json={
        "recipient": {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd",
                      "id_last4": "7890"},
        "signature_sha256": stage.upload("clerk", f"counter-{number}"),
        "cash_collected_vnd": 1000}), None


def _delivered_with_cash(stage: Stage) -> str:
    """A result the postman delivered today, taking 1,000 đ."""
    number = stage.postman_item()
    delivered = {**_event(number, "delivered"), "signature_sha256": stage.signature,
                 "cash_collected_vnd": 1000,
                 "recipient": {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd",
                               "id_last4": "7890"}}
    answer = stage.ok("postman", Call("POST", "/api/v1/sync", json={
        "events": [_event(number, "out_for_delivery"), delivered]}))
    assert [r["status"] for r in answer["results"]] == ["accepted", "accepted"], answer
    return number


def _cash_days(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", "/api/v1/cash/days"), "postman"


def _holds_postman(answer: Any, username: str) -> bool:
    return username in {day["postman"] for day in answer["postmen"]}


def _remittance_body(stage: Stage) -> dict[str, Any]:
    _delivered_with_cash(stage)
    return {"postman": "postman", "amount_vnd": 1000, "postman_signature_sha256": stage.signature}


def _open_remittance(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("POST", "/api/v1/cash/remittances", json=_remittance_body(stage)), None


def _sign_remittance(stage: Stage, username: str | None) -> tuple[Call, Any]:
    remittance = stage.ok("clerk", Call("POST", "/api/v1/cash/remittances",
                                        json=_remittance_body(stage)), 201)
    return Call("POST", f"/api/v1/cash/remittances/{remittance['id']}/sign",
                json={"clerk_signature_sha256": stage.signature}), None


def _statement(stage: Stage, username: str | None) -> tuple[Call, Any]:
    return Call("GET", "/api/v1/cash/agencies/CA-TINH/statement"), _delivered_with_cash(stage)


def _holds_line(answer: Any, number: str) -> bool:
    return number in {line["tracking_number"] for line in answer["lines"]}


def _accesses_of_item(stage: Stage, username: str | None) -> tuple[Call, Any]:
    number = stage.counter_item()
    stage.ok("clerk", Call("GET", f"/api/v1/items/{number}"))  # one logged opening
    return Call("GET", f"/api/v1/personal-data/accesses?item={number}"), number


def _citizen_export(stage: Stage, username: str | None) -> tuple[Call, Any]:
    number = stage.counter_item()
    return Call("GET", f"/api/v1/personal-data/export?item={number}"), number


#: (method, rule) of every operation → who may call it and how.
MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/auth/login"): Row(None, lambda stage, username: (Call(
        "POST", "/api/v1/auth/login", json={"username": username or "clerk",
                                            "password": "tantay-demo"}), None)),
    ("POST", "/api/v1/auth/logout"): Row(EVERYONE, _fixed(Call("POST", "/api/v1/auth/logout"))),
    ("GET", "/api/v1/auth/me"): Row(EVERYONE, _fixed(Call("GET", "/api/v1/auth/me"))),
    ("GET", "/api/v1/units"): Row(EVERYONE, _fixed(Call("GET", "/api/v1/units"))),
    ("GET", "/api/v1/procedures"): Row(EVERYONE, _fixed(Call("GET", "/api/v1/procedures"))),
    ("POST", "/api/v1/items"): Row(frozenset({"clerk", "agency"}), _register_for_own_units, 201,
                                   "create"),
    ("GET", "/api/v1/items"): Row(EVERYONE, _list_items, scope="list", holds=_holds_item),
    ("GET", "/api/v1/items/<tn>"): Row(EVERYONE, _item_call(), scope="object"),
    ("GET", "/api/v1/items/<tn>/label.png"): Row(
        frozenset({"clerk", "agency", "supervisor", "admin"}), _item_call("/label.png"),
        scope="object"),
    ("GET", "/api/v1/items/<tn>/label.svg"): Row(
        frozenset({"clerk", "agency", "supervisor", "admin"}), _item_call("/label.svg"),
        scope="object"),
    ("GET", "/api/v1/items/<tn>/custody-export.json"): Row(REPORTERS, _item_call(
        "/custody-export.json"), scope="object"),
    ("POST", "/api/v1/handovers"): Row(PARTIES, _open_handover, 201, "conflict"),
    ("GET", "/api/v1/handovers"): Row(PARTIES, _list_handovers, scope="list",
                                      holds=_holds_record),
    ("GET", "/api/v1/handovers/<int:handover_id>"): Row(EVERYONE, _read_handover,
                                                        scope="object"),
    ("POST", "/api/v1/handovers/<int:handover_id>/accept"): Row(PARTIES, _accept_handover,
                                                                scope="object"),
    ("POST", "/api/v1/handovers/<int:handover_id>/cancel"): Row(PARTIES, _cancel_handover,
                                                                scope="object"),
    # Every party has receivers in the province; who they are is tested in test_handovers.py.
    ("GET", "/api/v1/handovers/receivers"): Row(PARTIES, _fixed(Call(
        "GET", "/api/v1/handovers/receivers"))),
    ("GET", "/api/v1/handovers/candidates"): Row(PARTIES, _handover_candidates, scope="list",
                                                 holds=_holds_item),
    ("POST", "/api/v1/results/import"): Row(frozenset({"agency"}), _csv_import, 201, "lines"),
    ("POST", "/api/v1/results/batch"): Row(frozenset({"agency"}), _batch, 201, "lines"),
    ("PUT", "/api/v1/media/<sha256>"): Row(EVERYONE, _upload, 201),
    ("GET", "/api/v1/media/<sha256>"): Row(EVERYONE, _read_media, scope="object"),
    ("POST", "/api/v1/sync"): Row(frozenset({"postman", "clerk"}), _sync, scope="list",
                                  holds=_accepted),
    ("GET", "/api/v1/route"): Row(frozenset({"postman"}), _route, scope="list",
                                  holds=_holds_stop),
    ("GET", "/api/v1/track/<tn>"): Row(None, _track),
    ("GET", "/api/v1/audit/flags"): Row(AUDITORS, _list_flags, scope="list", holds=_holds_flag),
    ("GET", "/api/v1/audit/flags/<int:flag_id>"): Row(AUDITORS, _read_flag, scope="object"),
    ("POST", "/api/v1/audit/flags/<int:flag_id>/resolve"): Row(AUDITORS, _resolve_flag,
                                                               scope="object"),
    ("GET", "/api/v1/audit/corrections"): Row(AUDITORS, _list_corrections, scope="list",
                                              holds=_holds_correction),
    ("POST", "/api/v1/audit/corrections"): Row(AUDITORS, _ask_correction, 201, "object"),
    ("POST", "/api/v1/audit/corrections/<int:correction_id>/countersign"): Row(
        AUDITORS, _countersign, scope="object"),
    ("POST", "/api/v1/audit/verify"): Row(AUDITORS, _fixed(Call("POST", "/api/v1/audit/verify")),
                                          202),
    ("GET", "/api/v1/audit/verify/<int:job_id>"): Row(AUDITORS, _poll_verification,
                                                      scope="object"),
    ("GET", "/api/v1/audit/days/<day>"): Row(AUDITORS, _day),
    ("GET", "/api/v1/audit/export-key"): Row(None, _fixed(Call("GET", "/api/v1/audit/export-key"))),
    ("GET", "/healthz"): Row(None, _fixed(Call("GET", "/healthz"))),
    # The custody log's proofs: public, like its tiles (hashes only, nothing personal).
    ("GET", "/api/v1/log/inclusion"): Row(None, _inclusion),
    ("GET", "/api/v1/log/consistency"): Row(None, _fixed(Call(
        "GET", "/api/v1/log/consistency?from=0&to=0"))),
    ("GET", "/api/v1/reports/summary"): Row(REPORTERS, _report(""), scope="object"),
    ("GET", "/api/v1/reports/summary.csv"): Row(REPORTERS, _report(".csv"), scope="object"),
    ("GET", "/api/v1/reports/summary.xlsx"): Row(REPORTERS, _report(".xlsx"), scope="object"),
    ("GET", "/api/v1/dashboard"): Row(AUDITORS, _fixed(Call("GET", "/api/v1/dashboard"))),
    ("GET", "/api/v1/log/witness-alerts"): Row(AUDITORS, _fixed(Call("GET", "/api/v1/log/witness-alerts"))),
    ("GET", "/api/v1/fees"): Row(EVERYONE, _fixed(Call("GET", "/api/v1/fees"))),
    ("PUT", "/api/v1/fees/postage/<route_class>"): Row(frozenset({"admin"}), _fixed(Call(
        "PUT", "/api/v1/fees/postage/same_area", json={"postage_vnd": 26000}))),
    ("GET", "/api/v1/intake/quote"): Row(frozenset({"clerk"}), _fixed(Call(
        "GET", "/api/v1/intake/quote?procedure_code=CA-CCCD-DOI"))),
    # The dossier is taken in for the clerk's own post office: any clerk may, for their own.
    ("POST", "/api/v1/intake/counter"): Row(frozenset({"clerk"}), _counter_intake, 201),
    ("POST", "/api/v1/pickups"): Row(frozenset({"clerk"}), _pickup, 201),
    ("POST", "/api/v1/pickups/<tn>/assign"): Row(frozenset({"clerk"}), _assign_pickup,
                                                 scope="object"),
    ("GET", "/api/v1/intake/postmen"): Row(frozenset({"clerk"}), _fixed(Call(
        "GET", "/api/v1/intake/postmen"))),
    ("GET", "/api/v1/calendar"): Row(EVERYONE, _fixed(Call(
        "GET", "/api/v1/calendar?from=2026-08-01&to=2026-09-30"))),
    ("PUT", "/api/v1/calendar/<day>"): Row(frozenset({"admin"}), _fixed(Call(
        "PUT", "/api/v1/calendar/2026-08-31", json={
            "working": False, "reason": "Nghỉ hoán đổi dịp Quốc khánh",
            "legal_basis": "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"}))),
    ("GET", "/api/v1/deadlines"): Row(frozenset({"clerk", "supervisor", "postman", "admin"}),
                                      _deadlines, scope="list", holds=_holds_item),
    ("POST", "/api/v1/counter/items/<tn>/hold"): Row(frozenset({"clerk"}), _hold,
                                                     scope="object"),
    ("POST", "/api/v1/counter/items/<tn>/deliver"): Row(frozenset({"clerk"}), _deliver_at_counter,
                                                        scope="object"),
    ("GET", "/api/v1/cash/days"): Row(frozenset({"postman", "clerk", "supervisor", "admin"}),
                                      _cash_days, scope="list", holds=_holds_postman),
    ("POST", "/api/v1/cash/remittances"): Row(frozenset({"clerk"}), _open_remittance, 201,
                                              "object"),
    ("POST", "/api/v1/cash/remittances/<int:remittance_id>/sign"): Row(
        frozenset({"clerk"}), _sign_remittance, scope="object"),
    ("GET", "/api/v1/places/provinces"): Row(EVERYONE, _fixed(Call(
        "GET", "/api/v1/places/provinces?q=ninh%20binh"))),
    ("GET", "/api/v1/places/communes"): Row(EVERYONE, _fixed(Call(
        "GET", "/api/v1/places/communes?province=37&q=hoa%20lu"))),
    # A supervisor reads the log of his own units' items: another's gets 404 for the item.
    ("GET", "/api/v1/personal-data/accesses"): Row(frozenset({"supervisor"}), _accesses_of_item,
                                                   scope="object"),
    ("GET", "/api/v1/personal-data/export"): Row(frozenset({"clerk", "supervisor"}),
                                                 _citizen_export, scope="object"),
    ("GET", "/api/v1/cash/agencies/<code>/statement"): Row(
        frozenset({"clerk", "supervisor", "admin", "agency"}), _statement, scope="list",
        holds=_holds_line),
}


def test_every_operation_has_a_row(app):
    """A new endpoint fails here until the table says who may call it."""
    declared = {(op.method, op.rule) for op in OPERATIONS}
    assert declared - set(MATRIX) == set(), "add these to MATRIX"
    assert set(MATRIX) - declared == set(), "these rows name no declared operation"


def test_the_table_agrees_with_the_declared_roles(app):
    """The declarations' own `roles`/`public` say the same as the table."""
    for op in OPERATIONS:
        row = MATRIX.get((op.method, op.rule))
        if row is None:
            continue  # reported by test_every_operation_has_a_row
        assert (row.roles is None) == op.public, op.rule
        if op.roles is not None:
            assert row.roles == {str(role) for role in op.roles}, op.rule


def _expect_error(response: Any, status: int, code: str, context: Any) -> None:
    assert response.status_code == status, (context, response.status_code, response.get_json())
    assert response.get_json()["error"]["code"] == code, (context, response.get_json())


@pytest.mark.parametrize("key", list(MATRIX), ids=[f"{m} {r}" for m, r in MATRIX])
def test_the_operation_answers_each_role_as_the_table_says(app, world, key):
    row = MATRIX[key]
    stage = Stage(app)

    call, _marker = row.prepare(stage, None)
    anonymous = stage.send(None, call)
    if row.roles is None:
        assert anonymous.status_code == row.status, (key, anonymous.get_json())
    else:
        _expect_error(anonymous, 401, "auth_required", (key, "anonymous"))

    for role in ROLES:
        allowed = row.roles is None or role in row.roles
        sides = [("own", OWN[role])] + ([("other", OTHER[role])] if role in OTHER else [])
        for side, username in sides:
            call, marker = row.prepare(stage, OWN[role])
            response = stage.send(username, call)
            context = (key, role, side)
            if not allowed:
                _expect_error(response, 403, "forbidden", context)
            elif side == "own" or row.scope in ("none", "list"):
                assert response.status_code == row.status, (context, response.get_json()
                                                            if response.is_json else None)
                if row.holds is not None:
                    assert row.holds(response.get_json(), marker) == (side == "own"), context
            elif row.scope == "object":
                assert response.status_code == 404, (context, response.get_json())
            elif row.scope == "create":
                _expect_error(response, 403, "other_unit", context)
            elif row.scope == "lines":
                _expect_error(response, 422, "import_rejected", context)
                lines = response.get_json()["error"]["details"]["errors"]
                assert {line["code"] for line in lines} == {"other_unit"}, context
            elif row.scope == "conflict":
                unknown = stage.send(username, Call(call.method, call.url, json={
                    **call.json, "items": [UNKNOWN_NUMBER]}))
                _expect_error(response, 409, "not_holder", context)
                assert unknown.status_code == 409, context  # the same as for an unknown item
            else:
                pytest.fail(f"unknown scope {row.scope}")


#: The agency-system endpoints: the only ones an API token may call (agency accounts only).
TOKEN_OPERATIONS = {
    ("POST", "/api/v1/items"),
    ("GET", "/api/v1/items"),
    ("GET", "/api/v1/items/<tn>"),
    ("POST", "/api/v1/results/import"),
    ("POST", "/api/v1/results/batch"),
}


def test_the_token_table_agrees_with_the_declarations(app):
    assert {(op.method, op.rule) for op in OPERATIONS if op.token} == TOKEN_OPERATIONS


@pytest.mark.parametrize("key", list(MATRIX), ids=[f"{m} {r}" for m, r in MATRIX])
def test_an_agency_token_reaches_only_the_agency_system_endpoints(app, world, key):
    row = MATRIX[key]
    stage = Stage(app)
    call, _marker = row.prepare(stage, "agency")
    response = stage.send_with_token(call)
    if row.roles is None:  # public: the token is simply not needed
        assert response.status_code == row.status, (key, response.get_json())
    elif key in TOKEN_OPERATIONS:
        assert "agency" in row.roles
        assert response.status_code == row.status, (key, response.get_json())
    else:
        _expect_error(response, 403, "token_not_allowed", key)
