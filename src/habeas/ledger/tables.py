"""What the ledger's derivation shares: the operational tables it reads, its temporary tables,
the ledger's columns in order, the constants of its definitions (``docs/ledger.md``) and the
chunk of days it works on."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from habeas.conditions.models import Reading, WaterDelivery
from habeas.custody.models import Absence, Episode, LawfulAuthority, Stay
from habeas.estate.models import Cell
from habeas.health.models import Examination
from habeas.housing.models import Placement
from habeas.incidents.models import (
    Death,
    Restraint,
    Sanction,
    Segregation,
)
from habeas.ledger.models import CustodyDay
from habeas.people.models import Person
from habeas.regime.models import (
    Call,
    ContactKind,
    ExceptionReason,
    FamilyNotification,
    Hearing,
    Letter,
    Unlock,
    UnlockCell,
    UnlockException,
    Visit,
)

log = logging.getLogger("habeas.ledger")

# A day counts as solitary confinement when the person spends at least this long alone without
# meaningful human contact (Mandela Rule 44: 22 hours or more a day).
SOLITARY_MINUTES = 22 * 60
# A reading stands for the time until the next one of its series that day, at most this long
# (as on the conditions page: ``habeas.conditions.selectors``).
SAMPLE_CAP_MINUTES = 60
# An examination recorded shortly before the formal admission time still counts as the
# examination on admission.
EXAMINATION_LEEWAY_MINUTES = 60
ADULT_AGE = 18
# Reasons for missing an unlock that still mean the time out was offered.
OFFERED = (
    ExceptionReason.REFUSED,
    ExceptionReason.SICK,
    ExceptionReason.IN_COURT,
    ExceptionReason.VISIT,
)
LEGAL_KINDS = (ContactKind.LEGAL, ContactKind.CONSULAR)

T = {
    m.__name__: m._meta.db_table
    for m in (
        Absence,
        Call,
        Cell,
        CustodyDay,
        Death,
        Episode,
        Examination,
        FamilyNotification,
        Hearing,
        LawfulAuthority,
        Letter,
        Person,
        Placement,
        Reading,
        Restraint,
        Sanction,
        Segregation,
        Stay,
        Unlock,
        UnlockCell,
        UnlockException,
        Visit,
        WaterDelivery,
    )
}

TEMP_TABLES = (
    "hb_cal",
    "hb_held",
    "hb_place",
    "hb_auth",
    "hb_gap",
    "hb_flag",
    "hb_episode",
    "hb_day",
    "hb_cellday",
    "hb_ucell",
    "hb_unlock",
    "hb_contact",
    "hb_prior",
    "hb_span",
    "hb_series",
    "hb_water",
    "hb_rpiece",
    "hb_restraint",
    "hb_sanction",
    "hb_seg",
    "hb_absent",
    "hb_events",
    "hb_base",
)

# The ledger's columns in the order the final stage writes them (and the row hash reads them).
COLUMNS = (
    "facility_id",
    "day",
    "person_id",
    "episode_id",
    "unit_id",
    "cell_id",
    "cell_kind",
    "held_minutes",
    "whole_day",
    "absent_minutes",
    "arrived_at",
    "legal_status",
    "covered",
    "sex",
    "minor",
    "occupancy",
    "m2_per_person",
    "toilets",
    "people_per_toilet",
    "bunks",
    "mattresses",
    "mixed_sex",
    "mixed_status",
    "mixed_age",
    "out_of_cell_minutes",
    "open_air_minutes",
    "open_air_offered_minutes",
    "visit_minutes",
    "segregated_minutes",
    "solitary",
    "solitary_run",
    "lights_off_minutes",
    "max_temperature_c",
    "minutes_hot",
    "water_litres_per_person",
    "family_contact",
    "days_since_family_contact",
    "legal_contact",
    "days_since_legal_contact",
    "restraint_minutes",
    "prohibited_restraint",
    "sanctions",
    "cellular_confinement",
    "collective_sanction",
    "prohibited_sanction",
    "minutes_to_examination",
    "minutes_to_family_notified",
    "died",
    "minutes_to_death_reported",
    "minutes_to_family_told_of_death",
)


def _in(values: Iterable[str]) -> str:
    """A literal IN list of our own closed vocabularies (never user input)."""
    items = sorted(str(v) for v in values)
    for v in items:
        assert v.replace("_", "").isalnum(), v
    return "(" + ", ".join(f"'{v}'" for v in items) + ")"


@dataclass(frozen=True)
class Chunk:
    """The days ``first``..``last`` (inclusive) of one facility, with each day's bounds."""

    facility_id: int
    holds_sex: str
    tz_name: str
    first: dt.date
    last: dt.date
    bounds: list[tuple[dt.date, dt.datetime, dt.datetime]]
    heat_threshold_c: Decimal
