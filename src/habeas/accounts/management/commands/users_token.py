from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.accounts.models import User
from habeas.accounts.services import issue_token
from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import NotFound


class Command(HabeasCommand):
    help = _("Issue an API token for a user (printed once; only its hash is stored).")
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help=_("what the token is for"))

    def run(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise NotFound(
                code="UNKNOWN_USER",
                message=_("No user %(name)s.") % {"name": options["username"]},
                field="username",
            )
        with transaction.atomic():
            token, raw = issue_token(
                user=user, name=options["name"], actor=self.actor(options), at=clock.now()
            )
        if options.get("json"):
            self.print_json({"username": user.username, "name": token.name, "token": raw})
            return
        self.stdout.write(
            _("Token for %(user)s (shown once): %(token)s") % {"user": user.username, "token": raw}
        )
