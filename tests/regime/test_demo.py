"""The demo's 30 days of daily life: CECOT as reported against a facility run closer to the
standards — the difference is visible in the same records the ledger will read."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Max

from habeas.conditions.models import Reading
from habeas.health.models import Examination
from habeas.housing.models import Placement
from habeas.incidents.models import Death, Sanction
from habeas.people.models import Person
from habeas.regime import days
from habeas.regime.models import Unlock, Visit, VisitStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # A small demo keeps everyone lawfully on its roll; ask for the full demo's breaches.
    monkeypatch.setenv("HABEAS_DEMO_BREACHES", "1")
    call_command("demo", population=600, seed=3, no_serve=True)
    capsys.readouterr()


def someone_in(code: str) -> Person:
    pid = (
        Placement.objects.filter(facility__code=code, ended_at__isnull=True)
        .order_by("started_at")
        .values_list("person_id", flat=True)
        .first()
    )
    return Person.objects.get(pk=pid)


def test_the_difference_between_the_two_demo_facilities_is_on_the_record(demo: None) -> None:
    # Open air: none at CECOT (30 minutes in a corridor); every day at the model facility.
    assert not Unlock.objects.filter(facility__code="cecot", location="open_air").exists()
    cecot = days.person_days(someone_in("cecot"))
    modelo = days.person_days(someone_in("modelo"))
    past = slice(0, 29)  # today has only just begun
    assert max(d.minutes_out_of_cell for d in cecot.days[past]) == 30
    assert all(d.minutes_open_air == 0 for d in cecot.days)
    assert all(d.minutes_open_air >= 60 for d in modelo.days[past])
    # Light and heat: never dark and up to 35 °C at CECOT.
    assert not Reading.objects.filter(facility__code="cecot", lights_on=False).exists()
    assert Reading.objects.filter(facility__code="modelo", lights_on=False).exists()
    hottest = {
        code: Reading.objects.filter(facility__code=code).aggregate(t=Max("temperature_c"))["t"]
        for code in ("cecot", "modelo")
    }
    assert hottest["cecot"] >= 34 > hottest["modelo"]
    # Family visits: refused at CECOT, held weekly at the model facility.
    family = Visit.objects.filter(kind="family")
    assert not family.filter(facility__code="cecot", status=VisitStatus.HELD).exists()
    assert family.filter(facility__code="cecot", status=VisitStatus.REFUSED).exists()
    assert family.filter(facility__code="modelo", status=VisitStatus.HELD).count() > 100
    # Collective sanctions and a death no independent authority heard of, only at CECOT.
    assert Sanction.objects.filter(facility__code="cecot").exclude(scope="person").exists()
    assert not Sanction.objects.filter(facility__code="modelo").exclude(scope="person").exists()
    death = Death.objects.get()
    assert death.facility.code == "cecot" and death.authority_informed_at is None
    # The examination after admission: a minority at CECOT, nearly everyone elsewhere.
    held = {
        code: Placement.objects.filter(facility__code=code, ended_at__isnull=True).count()
        for code in ("cecot", "modelo")
    }
    examined = {code: Examination.objects.filter(facility__code=code).count() for code in held}
    assert examined["cecot"] < held["cecot"] / 2
    assert examined["modelo"] >= held["modelo"] * 0.9
