"""Declarations of the counter: holding a result for pickup and handing it over there."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from server.schemas.common import Money, RequestModel, Sha256
from server.schemas.sync import RecipientIn


class CounterHold(RequestModel):
    """Nothing to add: the clerk takes the result in at the counter for the citizen to collect."""


class CounterDelivery(RequestModel):
    """The citizen (or a proxy) collects the result at the counter (TT17 Art.5(2))."""

    recipient: RecipientIn
    #: The recipient's signature, uploaded first (`PUT /media/<sha256>`).
    signature_sha256: Sha256
    photo_sha256: Sha256 | None = None
    #: The written authorisation: required for a proxy.
    authorization_sha256: Sha256 | None = None
    cash_collected_vnd: Money = 0
    papers_collected: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _proxy_needs_authorisation(self) -> CounterDelivery:
        if self.recipient.relation == "proxy":
            if not self.authorization_sha256:
                raise ValueError("người nhận thay phải có ảnh giấy ủy quyền (authorization_sha256)")
            if not self.recipient.relationship:
                raise ValueError("người nhận thay phải ghi rõ quan hệ với người nhận (relationship)")
        return self
