"""Who may receive an item on a handover record (biên bản giao nhận).

QĐ45/2016 Art.7 makes the handover record the moment custody — and, for a dossier filed with an
agency, legal responsibility — passes. The same limits registration enforces hold here (docs/design.md
§2, Law 91/2025/QH15 on personal data: the citizen's data reaches only the units that need it):

- a unit signs through its own staff: a post office through its clerks, an agency's one-stop
  desk through its officers; a person is named only when he is a postman;
- an item goes to an agency only when it is that agency's item (a dossier it will decide, a
  result it issued coming back); never to another agency;
- an item stays in the province of the post office it belongs to, where its agency chose the
  post (registration refuses a post office of another province the same way).

Pure rules: no Flask, no database. Units are described by the few facts the rules need.
"""
from __future__ import annotations

from dataclasses import dataclass

#: The role that signs a handover for each kind of unit.
UNIT_SIGNER_ROLE = {"post_office": "clerk", "agency": "agency"}
#: The one role that may be named personally as a receiver.
PERSONAL_RECEIVER_ROLE = "postman"


@dataclass(frozen=True)
class UnitFacts:
    """What the rules need of a unit: its id, kind and the path of its province."""

    id: int
    kind: str
    province_path: str


@dataclass(frozen=True)
class ItemFacts:
    """What the rules need of an item: its agency and its post office's province."""

    agency_unit_id: int
    post_office_province_path: str


def unit_may_sign(unit_kind: str, signer_roles: set[str]) -> bool:
    """A unit can accept a record when someone of the signing role is active there."""
    role = UNIT_SIGNER_ROLE.get(unit_kind)
    return role is not None and role in signer_roles


def person_may_receive(role: str, unit_kind: str) -> bool:
    """Only a postman of a post office is named as a person (the morning load, a pickup)."""
    return role == PERSONAL_RECEIVER_ROLE and unit_kind == "post_office"


def item_may_go_to(item: ItemFacts, receiver: UnitFacts) -> bool:
    """The item's own agency, or a post office (or its postman) of the item's province."""
    if receiver.kind == "agency":
        return receiver.id == item.agency_unit_id
    return receiver.kind == "post_office" and receiver.province_path == item.post_office_province_path


def citizen_initials(full_name: str) -> str:
    """The initials a receiver checks against the paper: "Nguyễn Thị Mẫu" → "N.T.M.".

    Law 91/2025/QH15: the least personal data that does the job — enough to match the cover
    sheet of the dossier in hand, not enough to identify the citizen.
    """
    return "".join(f"{word[0].upper()}." for word in full_name.split() if word[:1].isalpha())
