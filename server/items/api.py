"""Items: register, list, read, and print their QR labels."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app
from flask_login import current_user
from sqlalchemy import select

from server.core.access_log import log_access
from server.core.scope import find_visible_item, shows_personal_data
from server.core.spec import operation
from server.custody.invitations import invitations_for
from server.extensions import db
from server.items.labels import label_png, label_svg, tracking_url
from server.items.schemas import ItemCreate, ItemList, ItemListQuery, ItemOut
from server.items.serializers import item_out
from server.items.service import create_item, list_items
from server.models import CustodyEvent, Role

bp = Blueprint("items", __name__, url_prefix="/api/v1/items")

LABEL_ROLES = {Role.clerk, Role.agency, Role.supervisor, Role.admin}


@operation(bp, "", "POST", summary="Register an item (dossier at the counter, or a result)",
           tag="items", body=ItemCreate, response=ItemOut, status=201,
           roles={Role.clerk, Role.agency}, errors=(404,), token=True)
def register_item(body: ItemCreate) -> ItemOut:
    """Create the item, its S10 number, its deadline and its first custody events."""
    item = create_item(current_user, body)
    return item_out(item)


@operation(bp, "", "GET", summary="Items within the caller's scope", tag="items",
           query=ItemListQuery, response=ItemList, token=True)
def browse_items(query: ItemListQuery) -> ItemList:
    """A page of items the caller may see."""
    items, total = list_items(current_user, query)
    invitations = invitations_for(items)
    reader = current_user._get_current_object()
    return ItemList(items=[item_out(i, invitations=invitations.get(i.id),
                                    personal=shows_personal_data(reader, i)) for i in items],
                    total=total, limit=query.limit,
                    offset=query.offset)


@operation(bp, "/<tn>", "GET", summary="One item with its custody events", tag="items",
           response=ItemOut, errors=(404,), token=True)
def read_item(tn: str) -> ItemOut:
    """The item and its whole chain."""
    item = find_visible_item(current_user, tn)
    log_access(current_user, item, "item_details")
    events = db.session.execute(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq)
    ).scalars().all()
    reader = current_user._get_current_object()
    return item_out(item, list(events), invitations_for([item]).get(item.id),
                    personal=shows_personal_data(reader, item))


def _label(tn: str, render: Callable[[str, str], bytes | str], mimetype: str) -> Response:
    """The item's QR label, drawn by `render` from its tracking URL and number."""
    item = find_visible_item(current_user, tn)
    url = tracking_url(current_app.config["BASE_URL"], item.tracking_number)
    return Response(render(url, item.tracking_number), mimetype=mimetype)


@operation(bp, "/<tn>/label.png", "GET", summary="QR label (PNG)", tag="items",
           roles=LABEL_ROLES, produces="image/png", errors=(404,))
def label_as_png(tn: str) -> Response:
    """The printable label as PNG."""
    return _label(tn, label_png, "image/png")


@operation(bp, "/<tn>/label.svg", "GET", summary="QR label (SVG)", tag="items",
           roles=LABEL_ROLES, produces="image/svg+xml", errors=(404,))
def label_as_svg(tn: str) -> Response:
    """The printable label as SVG."""
    return _label(tn, label_svg, "image/svg+xml")
