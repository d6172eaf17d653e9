"""Fixtures for the Django side of sentencing: people admitted on each kind of authority, and
sentences recorded through the service (STYLE.md §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from habeas.core import clock
from habeas.custody.models import LawfulAuthority
from habeas.people.models import Person
from habeas.sentencing import services
from habeas.sentencing.inputs import ProvisionalTermsIn, SentenceIn
from habeas.sentencing.models import Sentence
from tests import factories as f
from tests.conftest import Cast


def sentence_in(**overrides: Any) -> SentenceIn:
    values: dict[str, Any] = {
        "offence": "Agrupaciones ilícitas (art. 345 CP)",
        "court": "Tribunal Especializado de Sentencia A",
        "case_reference": "TES-A-1-2026",
        "imposed_on": clock.local_date(clock.now(), "America/El_Salvador") - dt.timedelta(days=1),
        "years": 20,
    }
    values.update(overrides)
    return SentenceIn(**values)


def record(person: Person, **overrides: Any) -> Sentence:
    with transaction.atomic():
        return services.record_sentence(
            person=person, sentence=sentence_in(**overrides), actor=f.SYSTEM, at=clock.now()
        )


def terms(authority: LawfulAuthority, seriousness: str = "serious", **kw: Any) -> None:
    with transaction.atomic():
        services.record_provisional_terms(
            authority=authority,
            terms=ProvisionalTermsIn(seriousness=seriousness, **kw),
            actor=f.SYSTEM,
            at=clock.now(),
        )


def authority_of(person: Person) -> LawfulAuthority:
    return LawfulAuthority.objects.filter(episode__person=person).latest("valid_from", "id")


@pytest.fixture
def convicted(cast: Cast) -> Person:
    """A man admitted yesterday on a conviction warrant, no sentence recorded yet."""
    return f.person(f.admit_person(cast.north, kind="conviction", given="Mario"))


@pytest.fixture
def untried(cast: Cast) -> Person:
    """A man admitted yesterday on a provisional detention order."""
    return f.person(f.admit_person(cast.north, given="Carlos"))
