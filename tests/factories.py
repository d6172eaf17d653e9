"""Typed factories that build state through the same services a user would (STYLE.md §6)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.db import transaction

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.accounts.services import create_user
from habeas.audit.services import Actor
from habeas.core import clock
from habeas.custody.admission import Admitted, admit
from habeas.custody.inputs import (
    AdmissionIn,
    AffiliationIn,
    ArrivalIn,
    AuthorityIn,
    DocumentIn,
    PersonIn,
)
from habeas.estate import estate_file
from habeas.estate.models import Facility
from habeas.estate.services import import_estate
from habeas.people.models import Person

SYSTEM = Actor(label="system:test")
PASSWORD = "correct-horse-battery-staple-42"
_serial = itertools.count(1)


def cell(
    code: str,
    *,
    area: str = "20",
    bunks: int = 4,
    capacity: int | None = None,
    toilets: int = 1,
    mattresses: int = 4,
    in_service: bool = True,
    kind: str = "shared",
    attributes: list[str] | None = None,
) -> estate_file.CellSpec:
    return estate_file.CellSpec(
        code=code,
        floor_area_m2=Decimal(area),
        bunks=bunks,
        operational_capacity=bunks if capacity is None else capacity,
        kind=kind,
        toilets=toilets,
        mattresses=mattresses,
        in_service=in_service,
        out_of_service_reason="" if in_service else "repairs",
        attributes=attributes or [],
    )


def facility(
    code: str = "north",
    *,
    name: str = "Centro Norte",
    sex: str = "M",
    units: dict[str, list[estate_file.CellSpec]] | None = None,
    kind: str = "adult",
    stated: int | None = None,
) -> Facility:
    units = (
        units
        if units is not None
        else {
            "A": [cell("A-1"), cell("A-2"), cell("A-3", bunks=2)],
            "B": [cell("B-1"), cell("B-2", area="6", bunks=1, kind="single")],
        }
    )
    spec = estate_file.EstateSpec(
        facilities=[
            estate_file.FacilitySpec(
                code=code,
                name=name,
                time_zone="America/El_Salvador",
                jurisdiction="SV",
                holds_sex=sex,
                space_standard="icrc",
                kind=kind,
                stated_capacity=stated,
                units=[
                    estate_file.UnitSpec(code=u, name=f"Unit {u}", cells=cs)
                    for u, cs in units.items()
                ],
            )
        ]
    )
    with transaction.atomic():
        import_estate(spec=spec, actor=SYSTEM, at=clock.now())
    return Facility.objects.select_related("space_standard").get(code=code)


def user(username: str, role: str, *facilities: Facility) -> User:
    with transaction.atomic():
        return create_user(
            username=username,
            role=role,
            facilities=list(facilities),
            password=PASSWORD,
            actor=SYSTEM,
            at=clock.now(),
            first_name=username.title(),
        )


def authority(
    kind: str = "provisional_detention",
    *,
    at: dt.datetime | None = None,
    days: int | None = 365,
    review_days: int | None = None,
) -> AuthorityIn:
    start = (at or clock.now()) - dt.timedelta(days=1)
    n = next(_serial)
    return AuthorityIn(
        kind=kind,
        issuing_authority="Juzgado Especializado de Instrucción A",
        reference=f"REF-{n:05d}",
        issued_on=start.date(),
        valid_from=start,
        valid_until=start + dt.timedelta(days=days) if days is not None else None,
        review_due_by=start + dt.timedelta(days=review_days) if review_days is not None else None,
        offence="Agrupaciones ilícitas",
    )


def person_in(
    given: str = "José",
    family: str | None = None,
    *,
    born: dt.date | None = None,
    sex: str = "M",
    groups: tuple[str, ...] = (),
    document: str | None = None,
) -> PersonIn:
    n = next(_serial)
    return PersonIn(
        given_names=given,
        family_names=family or f"Pérez {n}",
        date_of_birth=born or dt.date(1990, 1, 1) + dt.timedelta(days=n),
        sex=sex,
        nationality="SV",
        documents=(DocumentIn("national_id", document or f"{n:08d}-1", "SV"),),
        affiliations=tuple(AffiliationIn(g, "assessed", "intelligence report") for g in groups),
    )


def admit_person(
    fac: Facility,
    *,
    given: str = "José",
    groups: tuple[str, ...] = (),
    cell: str | None = None,
    kind: str = "provisional_detention",
    auto_place: bool = True,
    actor: Actor = SYSTEM,
    person: PersonIn | None = None,
    review_days: int | None = None,
    at: dt.datetime | None = None,
) -> Admitted:
    if kind in ("arrest", "administrative_detention") and review_days is None:
        review_days = 15
    with transaction.atomic():
        return admit(
            admission=AdmissionIn(
                authority=authority(
                    kind,
                    review_days=review_days,
                    days=None if kind == "conviction" or review_days else 365,
                    at=at,
                ),
                person=person or person_in(given, groups=groups),
                arrival=ArrivalIn(arrest_place="Soyapango", arresting_authority="PNC"),
                cell=cell,
                admitted_at=at,
            ),
            facility=fac,
            actor=actor,
            at=clock.now(),
            auto_place=auto_place,
        )


def person(admitted: Admitted) -> Person:
    return Person.objects.get(pk=admitted.person_id)


ROLES = list(Role)
