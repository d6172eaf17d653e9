from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from habeas.core.command import HabeasCommand


class Command(HabeasCommand):
    help = _("Serve the site with a production server (gunicorn), static files included.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("HABEAS_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("HABEAS_WORKERS", "3"))
        )
        parser.add_argument("--demo", action="store_true", help=argparse.SUPPRESS)

    def run(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.wsgiapp import WSGIApplication

        call_command("collectstatic", interactive=False, verbosity=0)
        if options["demo"]:
            # The demo is served over plain HTTP on this machine: cookies cannot be Secure there.
            settings.SESSION_COOKIE_SECURE = False
            settings.CSRF_COOKIE_SECURE = False
        self.stdout.write(
            _("Serving Habeas on http://%(bind)s/ (Ctrl+C to stop); database: %(db)s")
            % {"bind": options["bind"], "db": settings.DATABASES["default"]["NAME"]}
        )
        argv = [
            "gunicorn",
            "habeas.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
