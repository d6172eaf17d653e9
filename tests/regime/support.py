"""Helpers shared by the daily-life tests (regime, conditions, incidents, health)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.test import Client

from habeas.accounts.models import User
from habeas.accounts.services import issue_token
from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast


def api(user: User | None) -> Client:
    """An API client authenticated with a fresh token of ``user`` (anonymous for None)."""
    if user is None:
        return Client()
    with transaction.atomic():
        _t, raw = issue_token(user=user, name="tests", actor=f.SYSTEM, at=clock.now())
    return Client(headers={"Authorization": f"Bearer {raw}"})


def page(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def put(client: Client, url: str, body: Any) -> Any:
    return client.put(url, body, content_type="application/json")


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def ago(**kw: float) -> dt.datetime:
    return clock.now() - dt.timedelta(**kw)


TZ = ZoneInfo("America/El_Salvador")


def past_slot(minutes: int = 30) -> dt.datetime:
    """A start about two hours ago (El Salvador time) whose period of ``minutes`` stays within
    one local day, so per-day figures do not depend on the hour the tests run."""
    start = (clock.now() - dt.timedelta(hours=2, minutes=minutes)).astimezone(TZ)
    start = start.replace(second=0, microsecond=0)
    if (start + dt.timedelta(minutes=minutes)).date() != start.date():
        start -= dt.timedelta(minutes=minutes + 1)
    return start


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TZ).date()


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def codes(response: Any) -> list[str]:
    body = response.json()
    problems = (body.get("details") or {}).get("problems") or []
    return [p["code"] for p in problems] or [body["code"]]


@dataclass
class Wing:
    """People of the north facility placed in unit A a day ago: two in A-1, one in A-2."""

    a1: list[Person]
    a2: Person
    admitted_at: dt.datetime


def make_wing(cast: Cast) -> Wing:
    at = clock.now() - dt.timedelta(days=1)
    born = dt.date(1985, 5, 5)
    a1 = [
        f.person(f.admit_person(cast.north, cell="A-1", at=at, person=f.person_in(born=born)))
        for _ in range(2)
    ]
    a2 = f.person(f.admit_person(cast.north, cell="A-2", at=at, person=f.person_in(born=born)))
    return Wing(a1=a1, a2=a2, admitted_at=at)
