"""The counter: hold a result for pickup, hand it over to the citizen who comes for it."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from server.core.spec import operation
from server.custody.invitations import invitations_for
from server.items.counter import deliver_at_counter, hold_for_pickup
from server.items.counter_schemas import CounterDelivery, CounterHold
from server.items.schemas import ItemOut
from server.items.serializers import item_out
from server.models import Role

bp = Blueprint("counter", __name__, url_prefix="/api/v1/counter")


@operation(bp, "/items/<tn>/hold", "POST", summary="Hold a result for pickup at the counter",
           tag="counter", body=CounterHold, response=ItemOut, roles={Role.clerk},
           errors=(404, 409))
def hold_at_counter(tn: str, body: CounterHold) -> ItemOut:  # noqa: ARG001 (validated, says nothing more)
    """`held_for_pickup`: the result waits at the clerk's post office for the citizen."""
    event = hold_for_pickup(current_user, tn)
    return item_out(event.item, invitations=invitations_for([event.item]).get(event.item_id))


@operation(bp, "/items/<tn>/deliver", "POST", summary="Hand a held result over at the counter",
           tag="counter", body=CounterDelivery, response=ItemOut, roles={Role.clerk},
           errors=(404, 409))
def deliver_over_counter(tn: str, body: CounterDelivery) -> ItemOut:
    """`delivered` by the clerk, with the identity check, signature and cash collected."""
    event = deliver_at_counter(current_user, tn, body)
    return item_out(event.item)
