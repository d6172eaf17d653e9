"""The regime and contact API: security, validation and happy path for every endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.regime import services
from habeas.regime.models import (
    Call,
    FamilyNotification,
    Hearing,
    Letter,
    Meal,
    TimetablePeriod,
    Unlock,
    Visit,
)
from tests import factories as f
from tests.conftest import Cast
from tests.regime.support import Wing, api, codes, local_day, past_slot, post, put

pytestmark = pytest.mark.django_db


def unlock_body(**overrides: Any) -> dict[str, Any]:
    start = past_slot()
    body: dict[str, Any] = {
        "unit": "A",
        "started_at": start.isoformat(),
        "ended_at": (start + dt.timedelta(minutes=45)).isoformat(),
        "location": "open_air",
        "purpose": "exercise",
    }
    body.update(overrides)
    return body


def hour_ago() -> str:
    return (clock.now() - dt.timedelta(hours=1)).isoformat()


def a_visit(wing: Wing, *, approved: bool = False) -> Visit:
    with transaction.atomic():
        visit = services.request_visit(
            person=wing.a2,
            facility=wing.a2.stays.get().facility,
            kind="family",
            visitor="María",
            actor=f.SYSTEM,
            at=clock.now(),
        )
        if approved:
            services.decide_visit(visit=visit, approve=True, actor=f.SYSTEM, at=clock.now())
    return visit


# Every endpoint, with a body that would be accepted, for the security group.
WRITES = [
    ("put", "/api/v1/facilities/north/units/A/timetable", "timetable"),
    ("post", "/api/v1/facilities/north/unlocks", "unlock"),
    ("post", "/api/v1/facilities/north/meals", "meals"),
    ("post", "/api/v1/facilities/north/hearings", "hearings"),
    ("post", "/api/v1/facilities/north/calls", "calls"),
    ("post", "/api/v1/facilities/north/letters", "letters"),
    ("post", "/api/v1/facilities/north/family-notifications", "notifications"),
]
READS = [
    "/api/v1/facilities/north/timetable",
    "/api/v1/facilities/north/unlocks",
    "/api/v1/facilities/north/visits",
    "/api/v1/facilities/north/contact",
]


def bodies(wing: Wing) -> dict[str, Any]:
    n = wing.a2.custody_number
    return {
        "timetable": {
            "weekdays": [0, 1, 2, 3, 4],
            "valid_from": "2026-01-01",
            "periods": [
                {"purpose": "exercise", "location": "open_air", "starts": "10:00", "ends": "11:00"}
            ],
        },
        "unlock": unlock_body(),
        "meals": [{"kind": "lunch", "served_at": hour_ago(), "unit": "A"}],
        "hearings": [
            {
                "custody_number": n,
                "court": "Juzgado 1",
                "started_at": hour_ago(),
                "ended_at": (clock.now() - dt.timedelta(minutes=30)).isoformat(),
            }
        ],
        "calls": [{"custody_number": n, "kind": "family", "started_at": hour_ago(), "minutes": 10}],
        "letters": [
            {"custody_number": n, "kind": "legal", "direction": "in", "handled_at": hour_ago()}
        ],
        "notifications": [
            {
                "custody_number": n,
                "event": "admission",
                "event_at": wing.admitted_at.isoformat(),
                "notified_at": hour_ago(),
                "notified": "Madre",
                "method": "call",
            }
        ],
    }


def send(client: Client, method: str, url: str, body: Any) -> Any:
    return put(client, url, body) if method == "put" else post(client, url, body)


class TestSecurity:
    @pytest.mark.parametrize(("method", "url", "key"), WRITES)
    def test_writes_require_authentication(
        self, cast: Cast, wing: Wing, method: str, url: str, key: str
    ) -> None:
        r = send(api(None), method, url, bodies(wing)[key])
        assert r.status_code == 401 and r.json()["code"] == "UNAUTHENTICATED"

    @pytest.mark.parametrize(("method", "url", "key"), WRITES)
    def test_an_inspector_cannot_write(
        self, cast: Cast, wing: Wing, method: str, url: str, key: str
    ) -> None:
        client = api(cast.inspector)
        before = AuditEvent.objects.count()
        r = send(client, method, url, bodies(wing)[key])
        assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"
        assert AuditEvent.objects.count() == before

    @pytest.mark.parametrize(("method", "url", "key"), WRITES)
    def test_an_officer_of_another_facility_gets_404(
        self, cast: Cast, wing: Wing, method: str, url: str, key: str
    ) -> None:
        r = send(api(cast.south_officer), method, url, bodies(wing)[key])
        assert r.status_code == 404 and r.json()["code"] == "UNKNOWN_FACILITY"

    @pytest.mark.parametrize("url", READS)
    def test_reads_require_authentication_and_the_facility(self, cast: Cast, url: str) -> None:
        assert api(None).get(url).status_code == 401
        assert api(cast.south_officer).get(url).status_code == 404
        assert api(cast.inspector).get(url).status_code == 200

    def test_a_custody_officer_cannot_decide_a_visit(self, cast: Cast, wing: Wing) -> None:
        visit = a_visit(wing)
        r = post(api(cast.custody), f"/api/v1/visits/{visit.pk}/decision", {"approve": True})
        assert r.status_code == 403
        visit.refresh_from_db()
        assert visit.status == "requested"

    def test_visits_of_another_facility_are_not_found(self, cast: Cast, wing: Wing) -> None:
        visit = a_visit(wing, approved=True)
        gov = f.user("gov_south", "governor", cast.south)
        r = post(api(gov), f"/api/v1/visits/{visit.pk}/decision", {"approve": True})
        assert r.status_code == 404 and r.json()["code"] == "UNKNOWN_VISIT"

    def test_people_of_another_facility_are_not_found(self, cast: Cast, wing: Wing) -> None:
        r = api(cast.south_officer).get(f"/api/v1/people/{wing.a2.pk}/daily-life")
        assert r.status_code == 404
        r = post(
            api(cast.south_officer),
            f"/api/v1/people/{wing.a2.pk}/visits",
            {"kind": "family", "visitor": "X"},
        )
        assert r.status_code == 404


class TestTimetable:
    def test_refuses_overlapping_periods_and_an_unknown_unit(self, cast: Cast, wing: Wing) -> None:
        body = bodies(wing)["timetable"]
        body["periods"].append(
            {"purpose": "activity", "location": "covered", "starts": "10:30", "ends": "12:00"}
        )
        r = put(api(cast.custody), "/api/v1/facilities/north/units/A/timetable", body)
        assert r.status_code == 422 and "OVERLAP" in codes(r)
        r = put(api(cast.custody), "/api/v1/facilities/north/units/Z/timetable", body)
        assert r.status_code == 404 and r.json()["code"] == "UNKNOWN_UNIT"

    def test_a_new_timetable_closes_the_old_one(self, cast: Cast, wing: Wing) -> None:
        client = api(cast.custody)
        put(client, "/api/v1/facilities/north/units/A/timetable", bodies(wing)["timetable"])
        later = {**bodies(wing)["timetable"], "valid_from": "2026-02-02"}
        later["periods"] = [
            {"purpose": "exercise", "location": "covered", "starts": "06:00", "ends": "06:30"}
        ]
        r = put(client, "/api/v1/facilities/north/units/A/timetable", later)
        assert r.status_code == 200
        assert r.json()[0]["minutes_open_air"] == 0 and r.json()[0]["minutes_out_of_cell"] == 30
        old = TimetablePeriod.objects.filter(starts=dt.time(10)).first()
        assert old is not None and old.valid_until == dt.date(2026, 2, 2)
        got = client.get("/api/v1/facilities/north/timetable?date=2026-01-05").json()
        assert got[0]["minutes_open_air"] == 60


class TestUnlocks:
    def test_refuses_a_moment_without_offset(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.custody),
            "/api/v1/facilities/north/unlocks",
            unlock_body(started_at="2026-01-01T08:00:00"),
        )
        assert r.status_code == 422 and "NAIVE_DATETIME" in codes(r)

    def test_refuses_unknown_cells_and_locations_naming_each(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.custody),
            "/api/v1/facilities/north/unlocks",
            unlock_body(unit=None, cells=["A-1", "Q-7"], location="beach"),
        )
        assert r.status_code == 422
        fields = {p["field"]: p["code"] for p in r.json()["details"]["problems"]}
        assert fields == {"cells[1]": "UNKNOWN_CELL", "location": "INVALID_CHOICE"}
        assert Unlock.objects.count() == 0

    def test_refuses_an_overlap_with_409(self, cast: Cast, wing: Wing) -> None:
        client = api(cast.custody)
        assert post(client, "/api/v1/facilities/north/unlocks", unlock_body()).status_code == 201
        r = post(client, "/api/v1/facilities/north/unlocks", unlock_body())
        assert r.status_code == 409 and r.json()["code"] == "ALREADY_UNLOCKED"

    def test_records_an_unlock_with_an_exception(self, cast: Cast, wing: Wing) -> None:
        body = unlock_body(
            exceptions=[{"custody_number": wing.a1[0].custody_number, "reason": "in_court"}]
        )
        r = post(api(cast.custody), "/api/v1/facilities/north/unlocks", body)
        assert r.status_code == 201, r.content
        out = r.json()
        assert (out["people"], out["took_part"], out["minutes"]) == (3, 2, 45)
        assert out["exceptions"][0]["reason"] == "in_court"
        listed = (
            api(cast.inspector)
            .get(f"/api/v1/facilities/north/unlocks?date={local_day(past_slot())}")
            .json()
        )
        assert [u["id"] for u in listed] == [out["id"]]


class TestMeals:
    def test_refuses_an_empty_batch_and_an_unknown_kind(self, cast: Cast, wing: Wing) -> None:
        client = api(cast.custody)
        assert post(client, "/api/v1/facilities/north/meals", []).status_code == 422
        r = post(
            client,
            "/api/v1/facilities/north/meals",
            [{"kind": "brunch", "served_at": hour_ago(), "unit": "A"}],
        )
        assert r.status_code == 422 and codes(r) == ["INVALID_CHOICE"]

    def test_records_meals_for_a_unit(self, cast: Cast, wing: Wing) -> None:
        r = post(api(cast.custody), "/api/v1/facilities/north/meals", bodies(wing)["meals"])
        assert r.status_code == 201
        assert Meal.objects.get().cells.count() == 3


class TestVisits:
    def test_refuses_a_visit_without_a_visitor(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.custody),
            f"/api/v1/people/{wing.a2.pk}/visits",
            {"kind": "family", "visitor": " "},
        )
        assert r.status_code == 422 and r.json()["field"] == "visitor"

    def test_a_refusal_needs_its_reason(self, cast: Cast, wing: Wing) -> None:
        visit = a_visit(wing)
        r = post(api(cast.governor), f"/api/v1/visits/{visit.pk}/decision", {"approve": False})
        assert r.status_code == 422 and r.json()["field"] == "reason"

    def test_only_an_approved_visit_is_held(self, cast: Cast, wing: Wing) -> None:
        visit = a_visit(wing)
        start = past_slot()
        body = {
            "started_at": start.isoformat(),
            "ended_at": (start + dt.timedelta(hours=1)).isoformat(),
            "mode": "open",
            "sight_not_hearing": True,
        }
        r = post(api(cast.custody), f"/api/v1/visits/{visit.pk}/held", body)
        assert r.status_code == 409 and r.json()["code"] == "VISIT_NOT_APPROVED"

    def test_requested_approved_then_held(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.custody),
            f"/api/v1/people/{wing.a2.pk}/visits",
            {"kind": "legal", "visitor": "Lic. Ramírez", "relationship": "defensor"},
        )
        assert r.status_code == 201 and r.json()["status"] == "requested"
        vid = r.json()["id"]
        r = post(api(cast.governor), f"/api/v1/visits/{vid}/decision", {"approve": True})
        assert r.json()["status"] == "approved"
        start = past_slot()
        r = post(
            api(cast.custody),
            f"/api/v1/visits/{vid}/held",
            {
                "started_at": start.isoformat(),
                "ended_at": (start + dt.timedelta(minutes=50)).isoformat(),
                "mode": "open",
                "sight_not_hearing": True,
            },
        )
        assert r.status_code == 200
        assert (r.json()["status"], r.json()["minutes"], r.json()["sight_not_hearing"]) == (
            "held",
            50,
            True,
        )
        actions = [e.action for e in AuditEvent.objects.filter(object_type="regime.Visit")]
        assert actions == ["regime.request_visit", "regime.decide_visit", "regime.hold_visit"]
        day = (
            api(cast.inspector)
            .get(
                f"/api/v1/people/{wing.a2.pk}/daily-life?from={local_day(start)}&to={local_day(start)}"
            )
            .json()["days"][0]
        )
        assert day["legal_contact"] and day["legal_visits"] == 1
        assert api(cast.inspector).get("/api/v1/facilities/north/visits?status=held").json()


class TestContactBatches:
    def test_a_bad_batch_names_every_bad_item_and_stores_none(self, cast: Cast, wing: Wing) -> None:
        calls = [
            {
                "custody_number": wing.a2.custody_number,
                "kind": "family",
                "started_at": hour_ago(),
                "minutes": 10,
            },
            {"custody_number": "NOBODY", "kind": "family", "started_at": hour_ago(), "minutes": 10},
            {
                "custody_number": wing.a2.custody_number,
                "kind": "family",
                "started_at": (clock.now() + dt.timedelta(days=1)).isoformat(),
                "minutes": 0,
            },
        ]
        r = post(api(cast.custody), "/api/v1/facilities/north/calls", calls)
        assert r.status_code == 422
        fields = sorted((p["field"], p["code"]) for p in r.json()["details"]["problems"])
        assert fields == [
            ("[1].person", "UNKNOWN_PERSON"),
            ("[2].minutes", "OUT_OF_RANGE"),
            ("[2].started_at", "IN_FUTURE"),
        ]
        assert Call.objects.count() == 0

    def test_someone_not_held_here_at_the_time_is_refused(self, cast: Cast, wing: Wing) -> None:
        long_ago = (wing.admitted_at - dt.timedelta(days=3)).isoformat()
        r = post(
            api(cast.custody),
            "/api/v1/facilities/north/letters",
            [
                {
                    "custody_number": wing.a2.custody_number,
                    "kind": "family",
                    "direction": "out",
                    "handled_at": long_ago,
                }
            ],
        )
        assert r.status_code == 422 and codes(r) == ["NOT_HELD_HERE"]

    def test_a_withheld_letter_needs_its_reason(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.custody),
            "/api/v1/facilities/north/letters",
            [
                {
                    "custody_number": wing.a2.custody_number,
                    "kind": "family",
                    "direction": "in",
                    "handled_at": hour_ago(),
                    "withheld": True,
                }
            ],
        )
        assert r.status_code == 422 and r.json()["field"] == "withheld_reason"

    def test_records_each_kind_of_contact_with_one_audit_event_each(
        self, cast: Cast, wing: Wing
    ) -> None:
        client = api(cast.custody)
        b = bodies(wing)
        for url, key in (
            ("hearings", "hearings"),
            ("calls", "calls"),
            ("letters", "letters"),
            ("family-notifications", "notifications"),
        ):
            r = post(client, f"/api/v1/facilities/north/{url}", b[key])
            assert r.status_code == 201, (url, r.content)
        assert (
            Hearing.objects.count(),
            Call.objects.count(),
            Letter.objects.count(),
            FamilyNotification.objects.count(),
        ) == (1, 1, 1, 1)
        for action in ("record_hearing", "record_call", "record_letter", "notify_family"):
            event = AuditEvent.objects.get(action=f"regime.{action}")
            assert event.person_id == wing.a2.pk and event.actor == cast.custody
        day = local_day(clock.now() - dt.timedelta(hours=1))  # the day of the records
        summary = api(cast.inspector).get(f"/api/v1/facilities/north/contact?date={day}").json()
        assert (summary["calls"], summary["letters"], summary["family_notifications"]) == (1, 1, 1)


class TestPersonDays:
    def test_refuses_a_range_ending_before_it_starts(self, cast: Cast, wing: Wing) -> None:
        r = api(cast.custody).get(
            f"/api/v1/people/{wing.a2.pk}/daily-life?from=2026-03-02&to=2026-03-01"
        )
        assert r.status_code == 422 and r.json()["code"] == "BAD_RANGE"

    def test_refuses_a_malformed_date(self, cast: Cast, wing: Wing) -> None:
        r = api(cast.custody).get(f"/api/v1/people/{wing.a2.pk}/daily-life?from=yesterday")
        assert r.status_code == 422

    def test_gives_thirty_days_by_default(self, cast: Cast, wing: Wing) -> None:
        r = api(cast.inspector).get(f"/api/v1/people/{wing.a2.pk}/daily-life")
        assert r.status_code == 200
        assert len(r.json()["days"]) == 30 and r.json()["days"][-1]["cells"] == ["A-2"]
