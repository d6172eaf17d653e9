from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast


@dataclass
class Wing:
    """People of the north facility placed in unit A a day ago: two in A-1, one in A-2."""

    a1: list[Person]
    a2: Person
    admitted_at: dt.datetime


@pytest.fixture
def wing(cast: Cast) -> Wing:
    from habeas.core import clock

    at = clock.now() - dt.timedelta(days=1)
    a1 = [f.person(f.admit_person(cast.north, cell="A-1", at=at)) for _ in range(2)]
    a2 = f.person(f.admit_person(cast.north, cell="A-2", at=at))
    return Wing(a1=a1, a2=a2, admitted_at=at)
