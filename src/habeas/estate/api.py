from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from habeas.accounts.roles import Capability
from habeas.core.api import require, user_of, visible_facility
from habeas.estate.models import Facility
from habeas.housing.api import ErrorOut

router = Router(tags=["estate"])


class FacilityOut(Schema):
    code: str
    name: str
    time_zone: str
    jurisdiction: str
    holds_sex: str
    kind: str
    stated_capacity: int | None
    space_standard: str
    units: int
    cells: int


def _out(f: Facility) -> FacilityOut:
    return FacilityOut(
        code=f.code,
        name=f.name,
        time_zone=f.time_zone,
        jurisdiction=f.jurisdiction,
        holds_sex=f.holds_sex,
        kind=f.kind,
        stated_capacity=f.stated_capacity,
        space_standard=f.space_standard.code,
        units=f.units.count(),
        cells=f.cells.count(),
    )


# 403/404 declared (issue #8: the API fuzzer found them answered but undocumented).
@router.get(
    "/facilities",
    response={200: list[FacilityOut], 403: ErrorOut},
    summary="Facilities you are assigned to",
)
def list_facilities(request: HttpRequest) -> list[FacilityOut]:
    require(request, Capability.VIEW_ROLL)
    user = user_of(request)
    qs = Facility.objects.filter(pk__in=user.facility_ids()).select_related("space_standard")
    return [_out(f) for f in qs]


@router.get(
    "/facilities/{code}",
    response={200: FacilityOut, 403: ErrorOut, 404: ErrorOut},
    summary="One facility",
)
def get_facility(request: HttpRequest, code: str) -> FacilityOut:
    require(request, Capability.VIEW_ROLL)
    return _out(visible_facility(request, code))
