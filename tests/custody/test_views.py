"""Pages of custody: the person record, search, intake (one and many), moves, releases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from habeas.accounts.models import User
from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.custody import intake_file
from habeas.housing.models import Placement
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline_jobs(settings: Any) -> None:
    settings.HABEAS_JOBS_INLINE = True


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def intake_data(**overrides: str) -> dict[str, Any]:
    start = clock.now() - dt.timedelta(hours=6)
    data: dict[str, Any] = {
        "given_names": "Mario",
        "family_names": "Rivera Ayala",
        "date_of_birth": "1994-07-12",
        "sex": "M",
        "nationality": "SV",
        "document_kind": "national_id",
        "document_number": "04567890-1",
        "document_country": "SV",
        "authority_kind": "administrative_detention",
        "issuing_authority": "PNC",
        "reference": "PNC-RE-7",
        "issued_on": start.date().isoformat(),
        "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
        "review_due_by": (start + dt.timedelta(days=15)).strftime("%Y-%m-%dT%H:%M"),
        "arrest_place": "Soyapango",
        "cell": "A-1",
        "affiliation_status": "assessed",
    }
    data.update(overrides)
    return data


class TestPersonRecord:
    def test_another_facility_cannot_open_the_person(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        assert signed_in(cast.south_officer).get(f"/people/{done.person_id}/").status_code == 404

    def test_an_unknown_person_is_404(self, cast: Cast) -> None:
        assert signed_in(cast.custody).get("/people/987654/").status_code == 404

    def test_shows_authority_placement_and_audit_trail(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1", groups=("ms13",))
        r = signed_in(cast.governor).get(f"/people/{done.person_id}/")
        assert r.status_code == 200
        record = r.context["record"]
        assert record.whereabouts.cell_code == "A-1"
        assert [s.code for _e, states in record.episodes for s in states] == ["valid"]
        assert [e.action for e in r.context["events"]] == ["custody.admit"]
        assert "Mara" in r.content.decode() or "MS-13" in r.content.decode()

    def test_links_to_the_tabs_other_apps_add_for_the_role(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        records = signed_in(cast.records).get(f"/people/{done.person_id}/")
        urls = [link["url"] for link in records.context["person_links"]]
        assert f"/people/{done.person_id}/sentences/" in urls
        health = signed_in(cast.health).get(f"/people/{done.person_id}/")
        assert f"/people/{done.person_id}/sentences/" not in [
            link["url"] for link in health.context["person_links"]
        ]

    def test_fields_outside_a_role_are_not_shown(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1", groups=("ms13",))
        r = signed_in(cast.health).get(f"/people/{done.person_id}/")
        assert "affiliations" not in r.context  # security intelligence: not for health staff
        assert "events" not in r.context  # the audit trail: not for health staff
        assert "MS-13" not in r.content.decode()


class TestIntakeForm:
    def test_an_inspector_cannot_reach_it(self, cast: Cast) -> None:
        assert signed_in(cast.inspector).get("/facilities/north/intake/").status_code == 403

    def test_refuses_an_admission_without_authority_with_the_reason(self, cast: Cast) -> None:
        data = intake_data(authority_kind="")
        r = signed_in(cast.custody).post("/facilities/north/intake/", data)
        assert r.status_code == 422
        assert "authority_kind" in r.context["form"].errors
        assert Person.objects.count() == 0

    def test_admits_and_shows_the_record(self, cast: Cast) -> None:
        r = signed_in(cast.custody).post("/facilities/north/intake/", intake_data())
        person = Person.objects.get()
        assert r.status_code == 302
        assert r["Location"] == f"/people/{person.pk}/"
        assert Placement.objects.get(person=person).cell.code == "A-1"

    def test_shows_a_refused_cell_with_its_reason(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-1", groups=("b18s",))
        r = signed_in(cast.custody).post("/facilities/north/intake/", intake_data(groups=["ms13"]))
        assert r.status_code == 422
        assert any("rival" in e for e in r.context["form"].errors["cell"])

    def test_flags_a_possible_duplicate_then_admits_on_confirmation(self, cast: Cast) -> None:
        client = signed_in(cast.custody)
        client.post("/facilities/north/intake/", intake_data())
        first = Person.objects.get()
        r = client.post("/facilities/north/intake/", intake_data(cell="A-2"))
        assert r.status_code == 422
        assert r.context["duplicates"][0]["custody_number"] == first.custody_number
        assert first.custody_number in r.content.decode()
        r = client.post(
            "/facilities/north/intake/",
            intake_data(cell="A-2", distinct_from=str(first.pk), confirm_distinct="on"),
        )
        assert r.status_code == 302
        assert Person.objects.count() == 2

    def test_the_inline_check_names_the_known_person(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, person=f.person_in("Ana", "Díaz", document="777-1"))
        r = signed_in(cast.custody).get(
            "/facilities/north/intake/check/", {"document_number": "7771"}
        )
        assert done.custody_number in r.content.decode()

    def test_the_cell_list_excludes_cells_that_would_refuse(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-1", groups=("b18s",))
        r = signed_in(cast.custody).get(
            "/facilities/north/intake/cells/",
            {
                "sex": "M",
                "date_of_birth": "1990-01-01",
                "groups": "ms13",
                "authority_kind": "arrest",
            },
        )
        options = {o["code"]: o for o in r.context["options"]}
        assert options["A-1"]["rank"] is None
        assert any("rival" in reason for reason in options["A-1"]["reasons"])
        assert options["A-2"]["rank"] is not None


class TestBulkIntakePage:
    def _csv(self, rows: list[dict[str, str]]) -> SimpleUploadedFile:
        return SimpleUploadedFile("intake.csv", intake_file.write(rows).encode(), "text/csv")

    def _row(self, n: int, **kw: str) -> dict[str, str]:
        start = clock.now() - dt.timedelta(days=1)
        row = dict.fromkeys(intake_file.COLUMNS, "")
        row.update(
            {
                "given_names": f"P{n}",
                "family_names": "Q",
                "date_of_birth": "1990-01-01",
                "sex": "M",
                "nationality": "SV",
                "authority_kind": "conviction",
                "authority_issuer": "Tribunal",
                "authority_reference": f"S-{n}",
                "authority_issued_on": start.date().isoformat(),
                "authority_valid_from": start.isoformat(),
                "document_number": f"9{n:07d}",
            }
        )
        row.update(kw)
        return row

    def test_lists_every_bad_row(self, cast: Cast) -> None:
        r = signed_in(cast.custody).post(
            "/facilities/north/intake/file/",
            {"file": self._csv([self._row(1), self._row(2, date_of_birth="yesterday")])},
        )
        assert r.status_code == 422
        assert [(p.line, p.field) for p in r.context["problems"]] == [(3, "date_of_birth")]
        assert Person.objects.count() == 0

    def test_admits_and_shows_the_summary(self, cast: Cast) -> None:
        client = signed_in(cast.custody)
        r = client.post(
            "/facilities/north/intake/file/",
            {"file": self._csv([self._row(i) for i in range(1, 4)])},
        )
        assert r.status_code == 302
        job = client.get(r["Location"])
        assert job.context["job"].status == "done"
        assert job.context["job"].result["admitted"] == 3
        assert Person.objects.count() == 3

    def test_a_rule_refusal_lists_the_rows_and_admits_no_one(self, cast: Cast) -> None:
        client = signed_in(cast.custody)
        r = client.post(
            "/facilities/north/intake/file/",
            {
                "file": self._csv(
                    [self._row(1), self._row(2, authority_kind="", authority_issuer="")]
                )
            },
        )
        # a missing kind is a rule (no lawful authority), found when the admissions are checked
        job = client.get(r["Location"])
        assert job.context["job"].status == "failed"
        assert job.context["job"].error["code"] == "INVALID_BATCH"
        assert Person.objects.count() == 0


class TestMoveAndRelease:
    def test_a_refused_move_is_explained(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-2", kind="conviction")
        done = f.admit_person(cast.north, cell="A-1")
        r = signed_in(cast.custody).post(
            f"/people/{done.person_id}/move/", {"cell": "A-2", "reason": "repairs"}
        )
        assert r.status_code == 409
        assert "Mandela Rule 11" in r.content.decode()

    def test_moves(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = signed_in(cast.custody).post(
            f"/people/{done.person_id}/move/", {"cell": "A-2", "reason": "repairs"}
        )
        assert r.status_code == 302
        assert Placement.objects.get(person_id=done.person_id, ended_at=None).cell.code == "A-2"

    def test_a_custody_officer_cannot_release(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        assert signed_in(cast.custody).get(f"/people/{done.person_id}/release/").status_code == 403

    def test_a_release_needs_its_order(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = signed_in(cast.records).post(
            f"/people/{done.person_id}/release/", {"ordered_by": "Juzgado", "reason": "acquitted"}
        )
        assert r.status_code == 422
        assert "order_reference" in r.context["form"].errors

    def test_releases_and_audits(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = signed_in(cast.records).post(
            f"/people/{done.person_id}/release/",
            {"order_reference": "ORD-5", "ordered_by": "Juzgado A", "reason": "acquitted"},
        )
        assert r.status_code == 302
        assert (
            AuditEvent.objects.filter(action="custody.release", person_id=done.person_id).count()
            == 1
        )
        assert not Placement.objects.filter(person_id=done.person_id, ended_at=None).exists()
