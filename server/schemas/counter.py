"""Declarations of the counter: holding a result for pickup and handing it over there."""
from __future__ import annotations

from server.schemas.common import RequestModel
from server.schemas.sync import HandOverEvidence


class CounterHold(RequestModel):
    """Nothing to add: the clerk takes the result in at the counter for the citizen to collect."""


class CounterDelivery(HandOverEvidence):
    """The citizen (or a proxy) collects the result at the counter (TT17 Art.5(2))."""
