"""Declarations of the counter: holding a result for pickup and handing it over there."""
from __future__ import annotations

from server.core.schemas import RequestModel
from server.custody.schemas import HandOverEvidence


class CounterHold(RequestModel):
    """Nothing to add: the clerk takes the result in at the counter for the citizen to collect."""


class CounterDelivery(HandOverEvidence):
    """The citizen (or a proxy) collects the result at the counter (TT17 Art.5(2))."""
