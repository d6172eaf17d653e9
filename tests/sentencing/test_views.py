"""The sentencing pages: security, validation and the happy path, asserting on the template and
its context (STYLE.md §10-12)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from habeas.accounts.models import User
from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.custody.models import MovementKind
from habeas.people.models import Person
from habeas.sentencing import law
from habeas.sentencing.models import JurisdictionProfile, ProvisionalDetention, Sentence
from tests import factories as f
from tests.conftest import Cast
from tests.sentencing.conftest import authority_of, record

pytestmark = pytest.mark.django_db
TZ = "America/El_Salvador"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def templates(response: Any) -> list[str]:
    return [t.name for t in response.templates if t.name]


def sentence_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "record",
        "offence": "Extorsión (art. 214 CP)",
        "court": "Tribunal Especializado de Sentencia B",
        "case_reference": "TES-B-7-2026",
        "imposed_on": (clock.local_date(clock.now(), TZ) - dt.timedelta(days=1)).isoformat(),
        "years": "12",
        "months": "0",
        "days": "0",
        "seriousness": "serious",
        "remand_credit_days": "0",
    }
    data.update(overrides)
    return data


class TestDeadlinesPage:
    def test_sends_an_anonymous_visitor_to_sign_in(self, cast: Cast) -> None:
        r = Client().get("/facilities/north/deadlines/")
        assert r.status_code == 302
        assert "login" in r["Location"]

    def test_is_forbidden_to_health_staff(self, cast: Cast) -> None:
        assert signed_in(cast.health).get("/facilities/north/deadlines/").status_code == 403

    def test_hides_a_facility_the_user_is_not_assigned_to(self, cast: Cast) -> None:
        assert signed_in(cast.records).get("/facilities/south/deadlines/").status_code == 404

    def test_says_so_when_the_moment_is_not_a_date(self, cast: Cast) -> None:
        r = signed_in(cast.records).get("/facilities/north/deadlines/?at=yesterday")
        assert r.status_code == 422
        assert r.context["bad_moment"] is True

    def test_shows_the_queue_at_a_chosen_moment(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, kind="administrative_detention", review_days=3)
        later = (clock.now() + dt.timedelta(days=6)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
        r = signed_in(cast.governor).get(f"/facilities/north/deadlines/?at={later}Z")
        assert r.status_code == 200
        assert "sentencing/deadlines.html" in templates(r)
        queue = r.context["queue"]
        assert [i.custody_number for i in queue.overdue] == [done.custody_number]
        assert done.custody_number in r.content.decode()

    def test_is_in_the_navigation_of_a_records_officer(self, cast: Cast) -> None:
        r = signed_in(cast.records).get("/facilities/north/deadlines/")
        assert any(item["url"] == "/facilities/north/deadlines/" for item in r.context["nav"])


class TestPersonPage:
    def test_hides_a_person_of_another_facility(self, cast: Cast, convicted: Person) -> None:
        r = signed_in(cast.south_officer).get(f"/people/{convicted.pk}/sentences/")
        assert r.status_code == 404

    def test_shows_the_release_date_and_its_explanation(
        self, cast: Cast, convicted: Person
    ) -> None:
        record(convicted)
        r = signed_in(cast.inspector).get(f"/people/{convicted.pk}/sentences/")
        assert r.status_code == 200
        assert "sentencing/person.html" in templates(r)
        rec = r.context["record"]
        assert rec.calculation.release_date is not None
        assert any("TES-A-1-2026" in step for step in rec.explanation)
        assert r.context["can_record"] is False

    def test_an_inspector_cannot_record_a_sentence(self, cast: Cast, convicted: Person) -> None:
        r = signed_in(cast.inspector).post(f"/people/{convicted.pk}/sentences/", sentence_post())
        assert r.status_code == 403
        assert Sentence.objects.count() == 0

    def test_an_unknown_action_is_a_404(self, cast: Cast, convicted: Person) -> None:
        r = signed_in(cast.records).post(f"/people/{convicted.pk}/sentences/", {"action": "x"})
        assert r.status_code == 404

    def test_shows_a_refusal_on_the_form(self, cast: Cast, convicted: Person) -> None:
        r = signed_in(cast.records).post(
            f"/people/{convicted.pk}/sentences/", sentence_post(starts_on="2020-01-01")
        )
        assert r.status_code == 422
        form = r.context["forms"]["record"]
        assert "starts_on" in form.errors
        assert Sentence.objects.count() == 0

    def test_shows_every_malformed_field(self, cast: Cast, convicted: Person) -> None:
        r = signed_in(cast.records).post(
            f"/people/{convicted.pk}/sentences/", sentence_post(years="-1", imposed_on="")
        )
        assert r.status_code == 422
        assert set(r.context["forms"]["record"].errors) >= {"years", "imposed_on"}

    def test_records_a_sentence(self, cast: Cast, convicted: Person) -> None:
        r = signed_in(cast.records).post(f"/people/{convicted.pk}/sentences/", sentence_post())
        assert r.status_code == 302
        s = Sentence.objects.get()
        assert (s.case_reference, s.term_years, s.authority_id) == (
            "TES-B-7-2026",
            12,
            authority_of(convicted).pk,
        )
        assert authority_of(convicted).legal_end is not None

    def test_quashes_a_sentence(self, cast: Cast, convicted: Person) -> None:
        s = record(convicted)
        r = signed_in(cast.governor).post(
            f"/people/{convicted.pk}/sentences/",
            {"action": "quash", "sentence": s.pk, "reason": "recorded in error"},
        )
        assert r.status_code == 302
        s.refresh_from_db()
        assert s.quashed_reason == "recorded in error"

    def test_records_the_terms_of_a_provisional_detention(
        self, cast: Cast, untried: Person
    ) -> None:
        order = authority_of(untried)
        r = signed_in(cast.records).post(
            f"/people/{untried.pk}/sentences/",
            {
                "action": "terms",
                "authority": order.pk,
                "seriousness": "serious",
                "conditions": ["group_trial"],
            },
        )
        assert r.status_code == 302
        assert ProvisionalDetention.objects.get().conditions == ["group_trial"]
        page = signed_in(cast.records).get(f"/people/{untried.pk}/sentences/")
        ((view, _form),) = page.context["provisional"]
        assert view.last_day is not None

    def test_refuses_a_release_at_sentence_end_before_the_date(
        self, cast: Cast, convicted: Person
    ) -> None:
        record(convicted)
        r = signed_in(cast.records).post(
            f"/people/{convicted.pk}/sentences/", {"action": "release_end"}
        )
        assert r.status_code == 409
        assert r.context["forms"]["release_end"].non_field_errors()

    def test_releases_when_the_release_date_has_come(self, cast: Cast, convicted: Person) -> None:
        record(convicted, years=0, days=2)
        with time_machine.travel(clock.now() + dt.timedelta(days=2), tick=False):
            client = signed_in(cast.records)  # sessions last 30 minutes
            page = client.get(f"/people/{convicted.pk}/sentences/")
            assert page.context["record"].release_due is True
            r = client.post(f"/people/{convicted.pk}/sentences/", {"action": "release_end"})
        assert r.status_code == 302
        assert convicted.movements.filter(kind=MovementKind.RELEASE).count() == 1

    def test_releases_on_a_court_order(self, cast: Cast, untried: Person) -> None:
        r = signed_in(cast.records).post(
            f"/people/{untried.pk}/sentences/",
            {
                "action": "release_order",
                "order_reference": "ORD-77",
                "ordered_by": "Juzgado Especializado A",
                "reason": "Sobreseimiento",
            },
        )
        assert r.status_code == 302
        movement = untried.movements.get(kind=MovementKind.RELEASE)
        assert movement.order_reference == "ORD-77"

    def test_a_custody_officer_cannot_release(self, cast: Cast, untried: Person) -> None:
        r = signed_in(cast.custody).post(
            f"/people/{untried.pk}/sentences/",
            {"action": "release_order", "order_reference": "x", "ordered_by": "x", "reason": "x"},
        )
        assert r.status_code == 403


class TestProfilePages:
    def test_anyone_signed_in_reads_the_law(self, cast: Cast) -> None:
        r = signed_in(cast.custody).get("/law/SV/")
        assert r.status_code == 200
        assert "sentencing/profile.html" in templates(r)
        assert r.context["can_edit"] is False
        assert "judicial_review_window" in dict(r.context["rules"])

    def test_an_unknown_jurisdiction_is_a_404(self, cast: Cast) -> None:
        assert signed_in(cast.admin).get("/law/XX/").status_code == 404

    def test_a_governor_cannot_change_the_law(self, cast: Cast) -> None:
        r = signed_in(cast.governor).post("/law/SV/", {"action": "period"})
        assert r.status_code == 403

    def test_shows_an_invalid_value_on_the_form(self, cast: Cast) -> None:
        r = signed_in(cast.admin).post(
            "/law/SV/",
            {
                "action": "period",
                "rule": "max_aggregate_term",
                "valid_from": "2030-01-01",
                "value": '{"years": -5}',
                "source": "x",
                "reason": "x",
                "confirmed": "on",
            },
        )
        assert r.status_code == 422
        assert r.context["period_form"].non_field_errors()
        assert JurisdictionProfile.objects.count() == 0

    def test_an_administrator_puts_a_new_value_in_force(self, cast: Cast) -> None:
        r = signed_in(cast.admin).post(
            "/law/SV/",
            {
                "action": "period",
                "rule": "max_aggregate_term",
                "valid_from": "2030-01-01",
                "value": '{"years": 50}',
                "source": "Reform",
                "reason": "New code",
                "confirmed": "on",
            },
        )
        assert r.status_code == 302
        assert law.profile_for("SV").version == 1
        assert AuditEvent.objects.filter(action="sentencing.change_profile").exists()

    def test_an_administrator_replaces_the_whole_profile(self, cast: Cast) -> None:
        document = copy.deepcopy(law.profile_for("SV").document)
        document["name"] = "El Salvador (reviewed)"
        r = signed_in(cast.admin).post(
            "/law/SV/",
            {"action": "document", "document": json.dumps(document), "reason": "legal review"},
        )
        assert r.status_code == 302
        assert law.profile_for("SV").document["name"] == "El Salvador (reviewed)"

    def test_lists_the_jurisdictions(self, cast: Cast) -> None:
        r = signed_in(cast.admin).get("/law/")
        assert [p.jurisdiction for p in r.context["profiles"]] == ["SV"]


class TestWhatIfPage:
    def test_sends_an_anonymous_visitor_to_sign_in(self, cast: Cast) -> None:
        assert Client().get("/what-if/").status_code == 302

    def test_shows_the_problems_of_a_file(self, cast: Cast) -> None:
        r = signed_in(cast.records).post("/what-if/", {"document": '{"schema": "x"}'})
        assert r.status_code == 422
        errors = " ".join(r.context["form"].non_field_errors())
        assert "$.sentences" in errors

    def test_refuses_json_nested_too_deeply(self, cast: Cast) -> None:
        r = signed_in(cast.records).post("/what-if/", {"document": "[" * 100_000 + "]" * 100_000})
        assert r.status_code == 422
        assert r.context["form"].errors["document"]

    def test_calculates_a_file(self, cast: Cast) -> None:
        r = signed_in(cast.records).get("/what-if/")
        example = r.context["form"].initial["document"]
        r = signed_in(cast.records).post("/what-if/", {"document": example})
        assert r.status_code == 200
        assert r.context["result"]["release_date"] == "2057-09-28"
