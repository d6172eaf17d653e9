from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.accounts.roles import Role
from habeas.accounts.services import create_user
from habeas.audit.services import Actor
from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.registry import app_modules
from habeas.core.errors import InvalidInput
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
        parser.add_argument("--population", type=int, default=12_000)
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
        estate = Path(str(resources.files("habeas.demo").joinpath("cecot.yaml")))
        with transaction.atomic():
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
                    reason=_("Known rivalry; members must never share a cell."),
                )
            facility = Facility.objects.select_related("space_standard").get(code="cecot")
            credentials = []
            for username, role, first, last in STAFF:
                password = secrets.token_urlsafe(12)
                create_user(
                    username=username,
                    role=role,
                    facilities=[facility],
                    password=password,
                    actor=actor,
                    at=now,
                    first_name=first,
                    last_name=last,
                    language="es",
                )
                credentials.append((username, Role(role).label, password))
        n = options["population"]
        import zoneinfo

        tz = zoneinfo.ZoneInfo(facility.time_zone)
        text = intake_file.write(population.rows(n, seed=options["seed"], now=now, tz=tz))
        admissions, problems = intake_file.parse(text, time_zone=facility.time_zone)
        if problems:
            raise InvalidInput(message=_("The generated population is invalid."), problems=problems)
        with self.progress(n, _("Admitting")) as bar, transaction.atomic():
            report = admit_many(
                facility=facility,
                admissions=admissions,
                actor=actor,
                at=now,
                progress=lambda k: bar.update(k - bar.n),
            )
        # Each app adds its own part of the demo: ``habeas.<app>.demo.build(facility=…, now=…,
        # seed=…, report=…)``, in HABEAS_APPS order, each in its own transaction.
        for module in app_modules("demo"):
            with transaction.atomic():
                module.build(facility=facility, now=now, seed=options["seed"],
                             report=lambda line: self.stdout.write(str(line)))
        r = selectors.roll(facility, clock.now())
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo ready: %(n)d people in %(facility)s; standard capacity %(std)d against a "
                    "stated %(stated)d; %(m2)s m² per person."
                )
                % {
                    "n": r.in_custody,
                    "facility": facility.name,
                    "std": r.standard_capacity,
                    "stated": facility.stated_capacity,
                    "m2": r.m2_per_person,
                }
            )
        )
        if report.unplaced:
            self.stdout.write(
                self.style.WARNING(_("%(n)d people without a cell.") % {"n": len(report.unplaced)})
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Sign in at http://%(bind)s/ with one of these accounts (shown once):")
                % {"bind": options["bind"]}
            )
        )
        for username, role, password in credentials:
            self.stdout.write(f"  {username:<10} {password:<20} {role}")
