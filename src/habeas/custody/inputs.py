"""Plain, typed inputs of the custody use cases, shared by the form, the API and the CSV import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentIn:
    kind: str
    number: str
    issuing_country: str


@dataclass(frozen=True)
class AffiliationIn:
    group: str  # group code
    status: str = "assessed"
    source: str = ""
    recorded_on: dt.date | None = None


@dataclass(frozen=True)
class PersonIn:
    given_names: str
    family_names: str
    date_of_birth: dt.date | None
    sex: str
    nationality: str
    gender_identity: str = ""
    aliases: tuple[str, ...] = ()
    documents: tuple[DocumentIn, ...] = ()
    affiliations: tuple[AffiliationIn, ...] = ()


@dataclass(frozen=True)
class AuthorityIn:
    kind: str
    issuing_authority: str
    reference: str
    issued_on: dt.date | None
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None = None
    review_due_by: dt.datetime | None = None
    offence: str = ""


@dataclass(frozen=True)
class ArrivalIn:
    """What Mandela Rule 7 requires to be recorded at admission, besides identity and authority."""

    arrested_at: dt.datetime | None = None
    arrest_place: str = ""
    arresting_authority: str = ""
    visible_injuries: str = ""
    ill_treatment_reported: str = ""
    property_inventory: str = ""
    family: str = ""
    emergency_contact: str = ""


@dataclass(frozen=True)
class AdmissionIn:
    """One admission. Either ``person`` (a new person) or ``person_id`` (someone known,
    re-admitted).

    ``distinct_from`` lists people the officer has confirmed this is *not*, after the duplicate
    check pointed at them. ``cell`` is a cell code; without it the allocation engine chooses.
    ``line`` is the line of the input file, for error reports.
    """

    authority: AuthorityIn | None
    person: PersonIn | None = None
    person_id: int | None = None
    arrival: ArrivalIn = field(default_factory=ArrivalIn)
    cell: str | None = None
    admitted_at: dt.datetime | None = None
    distinct_from: tuple[int, ...] = ()
    line: int | None = None
