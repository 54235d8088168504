"""Declarations of the route of the day (`GET /api/v1/route`)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from server.core.schemas import RequestModel, ResponseModel


class RouteQuery(RequestModel):
    """Where the tour sets out from (default: the post office) and whether it comes back."""

    start_lat: float | None = Field(default=None, ge=-90, le=90,
                                    description="the phone's latitude; with start_lon")
    start_lon: float | None = Field(default=None, ge=-180, le=180,
                                    description="the phone's longitude; with start_lat")
    return_to_office: bool = Field(default=True,
                                   description="end the tour at the post office")

    @model_validator(mode="after")
    def _start_is_a_pair(self) -> RouteQuery:
        """A start position needs both coordinates."""
        if (self.start_lat is None) != (self.start_lon is None):
            raise PydanticCustomError(
                "start_incomplete",
                "Vị trí xuất phát cần cả vĩ độ (start_lat) và kinh độ (start_lon).",
            )
        return self


class PointOut(ResponseModel):
    """A position in degrees (WGS-84)."""

    lat: float
    lon: float


class StopAddressOut(ResponseModel):
    """Enough of the address to find the door; the name and phone stay out of the route."""

    commune: str
    line: str


class RouteStopOut(ResponseModel):
    """One stop of the tour."""

    tracking_number: str
    kind: Literal["dossier", "result"] = Field(
        description="result: deliver to the door; dossier: collect at the door")
    status: str
    lat: float
    lon: float
    order: int = Field(ge=1, description="1-based position in the tour")
    address: StopAddressOut
    leg_m: int = Field(ge=0, description="metres from the previous point (the start for the first)")


class RouteOut(ResponseModel):
    """The stops in tour order, and the tour's length in metres."""

    stops: list[RouteStopOut]
    distance_m: int = Field(ge=0, description="whole tour, the way back to the office included")
    solver: Literal["vroom", "nearest_neighbour", "trivial"] = Field(
        description="vroom: VROOM's tour polished by 2-opt and Or-opt; "
                    "nearest_neighbour: fallback when VROOM failed; trivial: zero or one stop")
    start: PointOut
    end: PointOut | None = Field(description="the office when the tour returns to it, else null")
    unplaced: list[str] = Field(description="tracking numbers whose address has no coordinates")
