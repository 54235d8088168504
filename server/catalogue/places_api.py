"""The 2025 administrative map: suggestions for every address field (accents optional)."""
from __future__ import annotations

from flask import Blueprint

from server.catalogue.places_schemas import (
    CommuneList,
    CommuneOut,
    CommuneQuery,
    ProvinceList,
    ProvinceOut,
    ProvinceQuery,
)
from server.core.errors import Invalid
from server.core.spec import operation
from server.domain.admin_map import (
    SOURCE,
    admin_map,
    find_province,
    search_communes,
    search_provinces,
)

bp = Blueprint("places", __name__, url_prefix="/api/v1/places")


@operation(bp, "/provinces", "GET", summary="Provinces of the 2025 map matching a name",
           tag="places", query=ProvinceQuery, response=ProvinceList)
def suggest_provinces(query: ProvinceQuery) -> ProvinceList:
    """The 34 provincial units whose name contains `q`, accents and case aside."""
    found = search_provinces(query.q, query.limit)
    return ProvinceList(provinces=[ProvinceOut.model_validate(p) for p in found],
                        source=SOURCE)


@operation(bp, "/communes", "GET", summary="Communes of the 2025 map matching a name",
           tag="places", query=CommuneQuery, response=CommuneList, errors=(422,))
def suggest_communes(query: CommuneQuery) -> CommuneList:
    """Communes (of `province`, if named) whose name contains `q`, accents and case aside."""
    province = None
    if query.province:
        province = find_province(query.province)
        if province is None:
            raise Invalid("unknown_province",
                          f"Không có tỉnh/thành phố “{query.province}” trong danh mục từ 01/7/2025.",
                          {"field": "province"})
    names = admin_map().province_by_code
    return CommuneList(communes=[
        CommuneOut(code=c.code, name=c.name, kind=c.kind, province_code=c.province_code,
                   province_name=names[c.province_code].name)
        for c in search_communes(query.q, province, query.limit)
    ], source=SOURCE)
