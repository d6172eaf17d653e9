from __future__ import annotations

import secrets
import sys
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.accounts.roles import Role
from habeas.accounts.services import create_user
from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import FieldProblem, InvalidInput
from habeas.estate.models import Facility


class Command(HabeasCommand):
    help = _("Create a staff or inspector account with one role and the facilities it may see.")
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--facility",
            action="append",
            required=True,
            dest="facilities",
            help=_("facility code; repeat for several"),
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--language", default="", choices=["", "en", "es"])
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help=_("read the password from standard input instead of generating one"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        codes = options["facilities"]
        facilities = list(Facility.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {f.code for f in facilities})
        if unknown:
            raise InvalidInput(
                code="UNKNOWN_FACILITY",
                message=_("Unknown facility: %(codes)s.") % {"codes": ", ".join(unknown)},
                problems=[
                    FieldProblem(
                        "facility", _("no facility %(code)s") % {"code": c}, "UNKNOWN_FACILITY"
                    )
                    for c in unknown
                ],
            )
        generated = not options["password_stdin"]
        password = secrets.token_urlsafe(12) if generated else sys.stdin.readline().rstrip("\n")
        with transaction.atomic():
            user = create_user(
                username=options["username"],
                role=options["role"],
                facilities=facilities,
                password=password,
                actor=self.actor(options),
                at=clock.now(),
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                language=options["language"],
            )
        if options.get("json"):
            self.print_json(
                {
                    "username": user.username,
                    "role": user.role,
                    "facilities": sorted(codes),
                    "password": password if generated else None,
                }
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(user)s (%(role)s) for %(facilities)s.")
                % {
                    "user": user.username,
                    "role": Role(user.role).label,
                    "facilities": ", ".join(sorted(codes)),
                }
            )
        )
        if generated:
            self.stdout.write(_("Password (shown once): %(password)s") % {"password": password})
