from __future__ import annotations

import secrets
import zoneinfo
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from habeas.accounts.roles import Role
from habeas.accounts.services import create_user
from habeas.audit.services import Actor
from habeas.core import clock
from habeas.core.command import HabeasCommand, ticker
from habeas.core.errors import InvalidInput
from habeas.core.registry import app_modules
from habeas.custody import intake_file
from habeas.custody.admission import admit_many
from habeas.demo import population
from habeas.estate.models import Facility
from habeas.estate.services import import_estate_file
from habeas.housing import selectors
from habeas.people.models import Scope
from habeas.people.services import declare_rivalry, register_group

GROUPS = [
    ("ms13", "Mara Salvatrucha (MS-13)"),
    ("b18s", "Barrio 18 Sureños"),
    ("b18r", "Barrio 18 Revolucionarios"),
]


@dataclass(frozen=True)
class DemoFacility:
    code: str
    estate_file: str
    style: str  # how daily life is run: "cecot" (as reported) or "standards"
    share: float  # of --population; 0 for the main facility, which takes the rest
    minimum: int = 0

    def population(self, n: int) -> int:
        return min(n, max(self.minimum, round(n * self.share)))


def populations(n: int) -> dict[str, int]:
    """Split ``--population`` (the total) between the demo facilities."""
    others = {f.code: f.population(n) for f in DEMO_FACILITIES if f.share}
    main = max(0, n - sum(others.values()))
    return {DEMO_FACILITIES[0].code: main, **others}


DEMO_FACILITIES = [
    DemoFacility("cecot", "cecot.yaml", "cecot", 0),
    DemoFacility("modelo", "modelo.yaml", "standards", 0.02, minimum=60),
]

STAFF = [
    ("custodia", Role.CUSTODY_OFFICER, "Ana", "Martínez"),
    ("registro", Role.RECORDS_OFFICER, "Luis", "Hernández"),
    ("salud", Role.HEALTH, "Dra. Carmen", "López"),
    ("director", Role.GOVERNOR, "Roberto", "Castillo"),
    ("inspector", Role.INSPECTOR, "Elena", "Ramos"),
    ("admin", Role.ADMINISTRATOR, "Admin", "Habeas"),
]


class Command(HabeasCommand):
    help = _("Build the demo facility and population, then serve the site.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--population",
            type=int,
            default=12_000,
            help=_("people in custody across the demo facilities"),
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-serve", action="store_true", help=_("build only; do not serve"))
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("erase the database first (the demo database only!)"),
        )
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def run(self, *args: Any, **options: Any) -> None:
        if options["population"] < 0:
            raise InvalidInput(message=_("The population cannot be negative."), field="population")
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)
        if Facility.objects.filter(code="cecot").exists():
            self.stdout.write(
                _(
                    "The demo is already generated (run with --reset to rebuild it, "
                    "which prints new passwords)."
                )
            )
        else:
            self.build(options)
        if not options["no_serve"]:
            call_command("serve", bind=options["bind"], demo=True)

    def build(self, options: dict[str, Any]) -> None:
        actor = Actor(label="system:demo")
        now = clock.now()
        seed = options["seed"]
        with transaction.atomic():
            for spec in DEMO_FACILITIES:
                estate = Path(str(resources.files("habeas.demo").joinpath(spec.estate_file)))
                import_estate_file(path=estate, actor=actor, at=now)
            groups = {
                code: register_group(code=code, name=name, actor=actor, at=now)
                for code, name in GROUPS
            }
            for a, b in (("ms13", "b18s"), ("ms13", "b18r"), ("b18s", "b18r")):
                declare_rivalry(
                    group=groups[a],
                    rival=groups[b],
                    scope=Scope.CELL,
                    actor=actor,
                    at=now,
                    # Data, recorded as the facility records it: in Spanish, whatever --lang.
                    reason="Rivalidad conocida; sus miembros nunca deben compartir celda.",
                )
            facilities = list(
                Facility.objects.select_related("space_standard").filter(
                    code__in=[f.code for f in DEMO_FACILITIES]
                )
            )
            credentials: list[tuple[str, str, str]] = []
            for username, role, first, last in STAFF:
                password = secrets.token_urlsafe(12)
                create_user(
                    username=username,
                    role=role,
                    facilities=facilities,
                    password=password,
                    actor=actor,
                    at=now,
                    first_name=first,
                    last_name=last,
                    language="es",
                )
                credentials.append((username, str(Role(role).label), password))
        n = options["population"]
        counts = populations(n)
        rows = population.rows(n, seed=seed, now=now, tz=zoneinfo.ZoneInfo("America/El_Salvador"))
        start = 0
        for spec in DEMO_FACILITIES:
            facility = next(f for f in facilities if f.code == spec.code)
            count = counts[spec.code]
            batch = rows[start : start + count]
            start += count
            text = intake_file.write(batch)
            admissions, problems = intake_file.parse(text, time_zone=facility.time_zone)
            if problems:
                raise InvalidInput(
                    message=_("The generated population is invalid."), problems=problems
                )
            with self.progress(count, facility.code) as bar, transaction.atomic():
                report = admit_many(
                    facility=facility,
                    admissions=admissions,
                    actor=actor,
                    at=now,
                    progress=ticker(bar),
                )
            if report.unplaced:
                self.stdout.write(
                    self.style.WARNING(
                        _("%(facility)s: %(n)d people without a cell.")
                        % {"facility": facility.code, "n": len(report.unplaced)}
                    )
                )
            # Each app adds its own part of the demo: ``habeas.<app>.demo.build(facility=…,
            # style=…, now=…, seed=…, report=…)``, in HABEAS_APPS order, each in its own
            # transaction. ``style`` is "cecot" (as reported in the press) or "standards".
            for module in app_modules("demo"):
                with transaction.atomic():
                    module.build(
                        facility=facility,
                        style=spec.style,
                        now=now,
                        seed=seed,
                        report=lambda line: self.stdout.write(str(line)),
                    )
            r = selectors.roll(facility, clock.now())
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "%(facility)s: %(n)d people; standard capacity %(std)d against a stated "
                        "%(stated)d; %(m2)s m² per person."
                    )
                    % {
                        "n": r.in_custody,
                        "facility": facility.name,
                        "std": r.standard_capacity,
                        "stated": facility.stated_capacity,
                        "m2": number_format(r.m2_per_person) if r.m2_per_person else "—",
                    }
                )
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Sign in at http://%(bind)s/ with one of these accounts (shown once):")
                % {"bind": options["bind"]}
            )
        )
        for username, role_label, password in credentials:
            self.stdout.write(f"  {username:<10} {password:<20} {role_label}")
