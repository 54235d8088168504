"""Response models of the catalogue: users, units, procedures."""
from __future__ import annotations

from server.catalogue.schemas import ProcedureOut, UnitOut, UnitRef, UserOut
from server.models import (
    Procedure,
    Unit,
    User,
)


def user_out(user: User) -> UserOut:
    """The signed-in user with their unit."""
    return UserOut(username=user.username, full_name=user.full_name, role=user.role,
                   unit=UnitRef(code=user.unit.code, name=user.unit.name, kind=user.unit.kind))


def unit_out(unit: Unit) -> UnitOut:
    """One unit."""
    return UnitOut(code=unit.code, name=unit.name, kind=unit.kind,
                   parent=unit.parent.code if unit.parent else None, province=unit.province,
                   commune=unit.commune, address_line=unit.address_line, lat=unit.lat, lon=unit.lon)


def procedure_out(procedure: Procedure) -> ProcedureOut:
    """One procedure of the catalogue."""
    return ProcedureOut(code=procedure.code, name=procedure.name, field=procedure.field,
                        agency_unit=procedure.agency_unit.code,
                        postal_eligible=procedure.postal_eligible,
                        documents=procedure.documents, official_fee_vnd=procedure.official_fee_vnd)
