"""Helpers shared by the daily-life tests (regime, conditions, incidents, health)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.test import Client

from habeas.accounts.models import User
from habeas.accounts.services import issue_token
from habeas.audit.models import AuditEvent
from habeas.core import clock
from tests import factories as f


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


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def codes(response: Any) -> list[str]:
    body = response.json()
    problems = (body.get("details") or {}).get("problems") or []
    return [p["code"] for p in problems] or [body["code"]]
