"""Units and the procedure catalogue."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import select

from server.catalogue.schemas import ProcedureList, ProcedureQuery, UnitList
from server.catalogue.serializers import procedure_out, unit_out
from server.core.scope import path_under, province_root_path
from server.core.spec import operation
from server.extensions import db
from server.models import Procedure, Unit

bp = Blueprint("catalogue", __name__, url_prefix="/api/v1")


@operation(bp, "/units", "GET", summary="Units of the caller's province", tag="catalogue",
           response=UnitList)
def list_units() -> UnitList:
    """Every post office and agency of the caller's province tree."""
    root = province_root_path(current_user.unit)
    units = db.session.execute(
        select(Unit).where(path_under(root)).order_by(Unit.path)
    ).scalars()
    return UnitList(units=[unit_out(unit) for unit in units])


@operation(bp, "/procedures", "GET", summary="The procedure catalogue", tag="catalogue",
           query=ProcedureQuery, response=ProcedureList)
def list_procedures(query: ProcedureQuery) -> ProcedureList:
    """Procedures with their documents, fees and postal eligibility."""
    statement = select(Procedure).order_by(Procedure.field, Procedure.code)
    if query.postal_eligible is not None:
        statement = statement.where(Procedure.postal_eligible.is_(query.postal_eligible))
    if query.field:
        statement = statement.where(Procedure.field == query.field)
    return ProcedureList(procedures=[procedure_out(p) for p in db.session.execute(statement).scalars()])
