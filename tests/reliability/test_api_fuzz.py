"""The API fuzzed against its own OpenAPI schema (schemathesis), authenticated with a token:

* every operation, with generated valid and invalid requests: no 500, every response is one the
  schema declares, with the declared content type and body;
* as a governor of facility B (south) against a database where facility A (north) holds people:
  no request may read or change A's data — a 2xx body never names A or one of A's people, and A's
  audit trail never grows;
* every operation whose path names a facility, a person, a cell, a unit or an authority, called
  with A's real ones: never a 2xx.

Bounded: ``HABEAS_FUZZ_EXAMPLES`` examples per operation (default 10), no deadline.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from habeas.accounts.roles import Role
from habeas.accounts.services import issue_token
from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.custody.models import LawfulAuthority
from tests import factories as f
from tests.conftest import Cast

EXAMPLES = int(os.environ.get("HABEAS_FUZZ_EXAMPLES", "10"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a red CI is reproducible
    database=None,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

APP = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


class World:
    """Facility A (north) with people in it; a governor of facility B (south) with a token."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        admitted = [f.admit_person(cast.north, given=g) for g in ("Mario", "Óscar", "José")]
        self.a_people = [a.person_id for a in admitted]
        self.a_numbers = [a.custody_number for a in admitted]
        self.a_authorities = list(
            LawfulAuthority.objects.filter(episode__person_id__in=self.a_people).values_list(
                "pk", flat=True
            )
        )
        self.b_person = f.admit_person(
            cast.south, person=f.person_in("Ana", sex="F"), cell="S-1"
        ).person_id
        self.governor_b = f.user("gobernadora", Role.GOVERNOR, cast.south)
        with transaction.atomic():
            _t, raw = issue_token(user=self.governor_b, name="fuzz", actor=f.SYSTEM, at=clock.now())
        self.headers = {"Authorization": f"Bearer {raw}"}
        self.a_events = self.events_of_a()

    def events_of_a(self) -> int:
        return AuditEvent.objects.filter(facility_id=self.cast.north.pk).count() + (
            AuditEvent.objects.filter(person_id__in=self.a_people).count()
        )

    def leaks(self, response: Any) -> list[str]:
        """What of A's a successful response shows."""
        if not 200 <= response.status_code < 300:
            return []
        text = response.text or ""
        found = [n for n in self.a_numbers if n in text]
        if re.search(r'"(facility|code|to)"\s*:\s*"north"', text):
            found.append("facility north")
        return found


@pytest.fixture
def world(cast: Cast) -> World:
    return World(cast)


STATUSES: Counter[tuple[str, int]] = Counter()  # (operation, status): how deep the fuzz went


@pytest.fixture(scope="module", autouse=True)
def _report_statuses() -> Iterator[None]:
    yield
    if os.environ.get("HABEAS_FUZZ_REPORT"):
        by_status = Counter(status for (_op, status), n in STATUSES.items() for _ in range(n))
        reached = sorted({op for (op, status) in STATUSES if status < 300})
        print(f"\nfuzz statuses: {dict(sorted(by_status.items()))}")  # noqa: T201
        print(f"operations answered 2xx: {len(reached)} of {len(OPERATIONS)}")  # noqa: T201


def _assert_safe(world: World, case: Any, response: Any) -> None:
    STATUSES[(case.operation.label, response.status_code)] += 1
    label = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{label}: {response.status_code}\n{response.text[:2000]}"
    assert world.leaks(response) == [], f"{label} showed facility A's data to B"
    assert world.events_of_a() == world.a_events, f"{label} changed facility A's data"


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_fuzzed_requests_conform_and_stay_inside_the_callers_facility(
    label: str, world: World
) -> None:
    operation = OPERATIONS[label]

    own = {"code": "south", "person_id": world.b_person, "cell": "S-1", "unit": "S"}

    @SETTINGS
    @given(case=operation.as_strategy(), data=st.data())
    def run(case: Any, data: Any) -> None:
        # Mostly B's own facility, person, cell or unit: past the 404 into the handler.
        for name in list(case.path_parameters or {}):
            if name in own and data.draw(st.integers(0, 3), label=f"own {name}"):
                case.path_parameters[name] = own[name]
        response = case.call(headers=world.headers)
        _assert_safe(world, case, response)
        case.validate_response(response, checks=CHECKS, headers=world.headers)

    run()


def _a_values(world: World) -> dict[str, Any]:
    return {
        "code": "north",
        "person_id": world.a_people[0],
        "cell": "A-1",
        "unit": "A",
        "authority_id": world.a_authorities[0],
    }


TARGETED = sorted(
    label
    for label, op in OPERATIONS.items()
    if {p.name for p in op.path_parameters} & {"code", "person_id", "cell", "unit", "authority_id"}
)


@pytest.mark.django_db
@pytest.mark.parametrize("label", TARGETED)
def test_facility_b_gets_nothing_of_facility_a_by_its_real_ids(label: str, world: World) -> None:
    operation = OPERATIONS[label]
    values = _a_values(world)

    @settings(SETTINGS, max_examples=max(3, EXAMPLES // 3))
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE), data=st.data())
    def run(case: Any, data: Any) -> None:
        for name in list(case.path_parameters or {}):
            if name in values:
                case.path_parameters[name] = values[name]
        response = case.call(headers=world.headers)
        _assert_safe(world, case, response)
        assert not 200 <= response.status_code < 300, (
            f"{case.method} {case.formatted_path} answered {response.status_code} to facility B"
        )

    run()


def test_every_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) >= 10
    assert "GET /api/v1/people/{person_id}" in OPERATIONS


@pytest.fixture(autouse=True)
def _in_the_tests_transaction(settings: Any) -> Iterator[None]:
    """Requests go straight to the WSGI application: keep Django from closing the test's database
    connection at the end of each (as its test client does), and run jobs inline."""
    settings.HABEAS_JOBS_INLINE = True
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
