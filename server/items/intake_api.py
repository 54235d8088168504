"""Counter intake, home pickup requests and the fee catalogue."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from server.core.spec import operation
from server.domain.service_time import SERVICE_DAYS, RouteClass
from server.items.intake import (
    active_reductions,
    assign_pickup,
    office_postmen,
    postage_tariffs,
    quote_dossier,
    request_pickup,
    set_postage,
    take_in_at_counter,
)
from server.items.intake_schemas import (
    CounterIntake,
    FeeCatalogueOut,
    FeeReductionOut,
    OfficePostmanList,
    OfficePostmanOut,
    PickupAssignment,
    PickupRequest,
    PostageTariffOut,
    PostageTariffSet,
    QuoteOut,
    QuoteQuery,
)
from server.items.schemas import ItemOut
from server.items.serializers import item_out
from server.models import FeeReduction, PostageTariff, Role

bp = Blueprint("intake", __name__, url_prefix="/api/v1")


def _tariff_out(row: PostageTariff) -> PostageTariffOut:
    route = RouteClass(row.route_class)
    return PostageTariffOut(route_class=route, postage_vnd=row.postage_vnd,
                            service_days=SERVICE_DAYS[route][0])


def _reduction_out(row: FeeReduction) -> FeeReductionOut:
    return FeeReductionOut.model_validate(row)


@operation(bp, "/fees", "GET", summary="Postage by route class and the fee reductions",
           tag="intake", response=FeeCatalogueOut)
def fee_catalogue() -> FeeCatalogueOut:
    """The tariff and the exemptions and reductions in force (TT22/2017)."""
    return FeeCatalogueOut(postage=[_tariff_out(row) for row in postage_tariffs()],
                           reductions=[_reduction_out(row) for row in active_reductions()])


@operation(bp, "/fees/postage/<route_class>", "PUT", summary="Set the postage of a route class",
           tag="intake", body=PostageTariffSet, response=PostageTariffOut, roles={Role.admin})
def put_postage(route_class: str, body: PostageTariffSet) -> PostageTariffOut:
    """Change the catalogue's postage for one route class."""
    return _tariff_out(set_postage(route_class, body.postage_vnd))


@operation(bp, "/intake/quote", "GET", summary="Fees and service deadline of a dossier",
           tag="intake", query=QuoteQuery, response=QuoteOut, roles={Role.clerk})
def intake_quote(query: QuoteQuery) -> QuoteOut:
    """What the citizen pays and when the dossier is due, if taken in now."""
    quote = quote_dossier(current_user, query.procedure_code, query.route_class,
                          query.reduction_code)
    fees = quote.fees
    return QuoteOut(
        procedure_code=quote.procedure.code, route_class=quote.route_class,
        postage_base_vnd=fees.postage_base_vnd, postage_discount_vnd=fees.postage_discount_vnd,
        postage_vnd=fees.postage_vnd, official_fee_base_vnd=fees.official_fee_base_vnd,
        official_fee_discount_vnd=fees.official_fee_discount_vnd,
        official_fee_vnd=fees.official_fee_vnd, total_vnd=fees.total_vnd,
        reduction_code=fees.reduction_code,
        reduction_name=quote.reduction.name if quote.reduction else None, due_at=quote.due_at)


@operation(bp, "/intake/counter", "POST", summary="Take a dossier in at the counter",
           tag="intake", body=CounterIntake, response=ItemOut, status=201, roles={Role.clerk})
def counter_intake(body: CounterIntake) -> ItemOut:
    """Count, price, both sign: the dossier is created at the post with the cash paid."""
    return item_out(take_in_at_counter(current_user, body))


@operation(bp, "/pickups", "POST", summary="Register a request for a pickup at home",
           tag="intake", body=PickupRequest, response=ItemOut, status=201, roles={Role.clerk})
def pickup_request(body: PickupRequest) -> ItemOut:
    """The citizen phoned: a dossier in `requested`, for a postman to collect."""
    return item_out(request_pickup(current_user, body))


@operation(bp, "/intake/postmen", "GET", summary="Postmen of the clerk's post office",
           tag="intake", response=OfficePostmanList, roles={Role.clerk})
def intake_postmen() -> OfficePostmanList:
    """Whom a pickup at home can be assigned to."""
    return OfficePostmanList(postmen=[OfficePostmanOut(username=u.username, full_name=u.full_name)
                                for u in office_postmen(current_user)])


@operation(bp, "/pickups/<tn>/assign", "POST", summary="Assign a pickup at home to a postman",
           tag="intake", body=PickupAssignment, response=ItemOut, roles={Role.clerk},
           errors=(409,))
def pickup_assign(tn: str, body: PickupAssignment) -> ItemOut:
    """The requested dossier moves to the postman's pickups."""
    return item_out(assign_pickup(current_user, tn, body.postman))
