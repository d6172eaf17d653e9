"""Issue #6 acceptance: one entry records the unlock of a 32-cell unit of about 5,000 people, and
the per-person view shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from habeas.accounts.roles import Role
from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.custody.admission import admit_many
from habeas.custody.inputs import AdmissionIn, ArrivalIn, AuthorityIn, DocumentIn, PersonIn
from habeas.estate.models import Facility
from habeas.housing.models import Placement
from habeas.regime.models import Unlock, UnlockCell
from tests import factories as f
from tests.conftest import Cast
from tests.regime.support import api, local_day, page, past_slot, post

pytestmark = pytest.mark.django_db

PEOPLE = 5_000


@pytest.fixture
def module(cast: Cast) -> Facility:
    """Módulo 3: 32 cells of 100 m² with room for 160 each, and 5,000 people in it."""
    facility = f.facility(
        "mega",
        name="Mega",
        units={"3": [f.cell(f"3-{n:02d}", area="100", bunks=160) for n in range(1, 33)]},
        stated=5_120,
    )
    at = clock.now() - dt.timedelta(days=2)
    # Built here rather than with the factories, so as not to use up their serial numbers.
    admissions = [
        AdmissionIn(
            authority=AuthorityIn(
                kind="provisional_detention",
                issuing_authority="Juzgado Especializado de Instrucción A",
                reference=f"MEGA-{i:05d}",
                issued_on=(at - dt.timedelta(days=1)).date(),
                valid_from=at - dt.timedelta(days=1),
                valid_until=at + dt.timedelta(days=365),
            ),
            person=PersonIn(
                given_names=f"Persona {i}",
                family_names="Módulo Tres",
                date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=i),
                sex="M",
                nationality="SV",
                documents=(DocumentIn("national_id", f"9{i:07d}-1", "SV"),),
            ),
            arrival=ArrivalIn(arrest_place="Soyapango"),
            admitted_at=at,
        )
        for i in range(PEOPLE)
    ]
    with transaction.atomic():
        report = admit_many(
            facility=facility, admissions=admissions, actor=f.SYSTEM, at=clock.now()
        )
    assert report.count == PEOPLE and not report.unplaced
    return facility


def test_one_entry_unlocks_a_unit_of_5000_and_each_person_sees_it(module: Facility) -> None:
    officer = f.user("mega_officer", Role.CUSTODY_OFFICER, module)
    start = past_slot()
    body = {
        "unit": "3",
        "started_at": start.isoformat(),
        "ended_at": (start + dt.timedelta(minutes=30)).isoformat(),
        "location": "covered",
        "purpose": "exercise",
    }
    client = api(officer)
    with CaptureQueriesContext(connection) as queries:
        r = post(client, "/api/v1/facilities/mega/unlocks", body)
    assert r.status_code == 201, r.content
    assert (r.json()["people"], r.json()["took_part"], len(r.json()["cells"])) == (
        PEOPLE,
        PEOPLE,
        32,
    )
    assert len(queries) < 40  # set-based: the same few statements whatever the population
    assert Unlock.objects.count() == 1 and UnlockCell.objects.count() == 32
    assert AuditEvent.objects.filter(action="regime.record_unlock").count() == 1

    someone = Placement.objects.filter(cell__code="3-17").values_list("person_id", flat=True)[0]
    days = client.get(
        f"/api/v1/people/{someone}/daily-life?from={local_day(start)}&to={local_day(start)}"
    ).json()["days"]
    assert days[0]["minutes_out_of_cell"] == 30 and days[0]["minutes_open_air"] == 0
    assert days[0]["unlocks"][0]["cell"] == "3-17"
    r = page(officer).get(f"/people/{someone}/daily-life/")
    assert r.status_code == 200
    assert r.context["pd"].total_out_of_cell == 30
