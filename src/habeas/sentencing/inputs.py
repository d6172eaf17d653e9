"""Plain, typed inputs of the sentencing use cases, shared by the forms and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SentenceIn:
    """A sentence as the court imposed it. ``authority_id`` is the conviction warrant it belongs
    to (default: the person's latest); ``consecutive_to_id`` another sentence of the same
    custody, or ``None`` for a concurrent sentence."""

    offence: str
    court: str
    case_reference: str
    imposed_on: dt.date | None
    years: int = 0
    months: int = 0
    days: int = 0
    seriousness: str = "serious"
    starts_on: dt.date | None = None
    consecutive_to_id: int | None = None
    remand_credit_days: int = 0
    authority_id: int | None = None


@dataclass(frozen=True)
class ProvisionalTermsIn:
    """What the maximum of a provisional detention turns on. ``detained_on`` defaults to the day
    detention began (the arrest, when recorded); ``conditions`` name the conditions of the
    profile's extensions that hold (e.g. ``group_trial``)."""

    seriousness: str
    detained_on: dt.date | None = None
    conditions: tuple[str, ...] = field(default_factory=tuple)
