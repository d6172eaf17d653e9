"""One small named facility (two units, a handful of cells), a second facility for scoping, the
three groups and their rivalries, and staff in every role (STYLE.md §10)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.core import clock
from habeas.estate.models import Facility
from habeas.people.models import Scope
from habeas.people.services import declare_rivalry, register_group
from tests import factories as f


@pytest.fixture(scope="session", autouse=True)
def _translation_catalogues() -> None:
    """The catalogues compiled when run without ``make test`` (``*.mo`` are not committed; see
    docs/adr/0006-one-translation-catalogue.md), and Django's cache of them emptied."""
    from django.conf import settings
    from django.utils.translation import trans_real

    msgfmt = shutil.which("msgfmt")
    stale = False
    for locale in settings.LOCALE_PATHS:
        for po in Path(locale).glob("*/LC_MESSAGES/django.po"):
            mo = po.with_suffix(".mo")
            if msgfmt and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
                subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)
                stale = True
    if stale:
        trans_real._translations.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@dataclass
class Cast:
    north: Facility
    south: Facility
    custody: User
    records: User
    health: User
    governor: User
    inspector: User
    admin: User
    south_officer: User


@pytest.fixture
def groups(db: None) -> None:
    now = clock.now()
    with transaction.atomic():
        g = {
            code: register_group(code=code, name=name, actor=f.SYSTEM, at=now)
            for code, name in [
                ("ms13", "MS-13"),
                ("b18s", "Barrio 18 Sureños"),
                ("b18r", "Barrio 18 Revolucionarios"),
            ]
        }
        for a, b in (("ms13", "b18s"), ("ms13", "b18r"), ("b18s", "b18r")):
            declare_rivalry(
                group=g[a],
                rival=g[b],
                scope=Scope.CELL,
                actor=f.SYSTEM,
                at=now,
                reason="known rivalry",
            )


@pytest.fixture
def cast(db: None, groups: None) -> Cast:
    north = f.facility("north")
    south = f.facility(
        "south", name="Centro Sur", sex="F", units={"S": [f.cell("S-1"), f.cell("S-2")]}
    )
    return Cast(
        north=north,
        south=south,
        custody=f.user("ana", Role.CUSTODY_OFFICER, north),
        records=f.user("luis", Role.RECORDS_OFFICER, north),
        health=f.user("carmen", Role.HEALTH, north),
        governor=f.user("roberto", Role.GOVERNOR, north),
        inspector=f.user("elena", Role.INSPECTOR, north),
        admin=f.user("admin", Role.ADMINISTRATOR, north, south),
        south_officer=f.user("sofia", Role.CUSTODY_OFFICER, south),
    )
