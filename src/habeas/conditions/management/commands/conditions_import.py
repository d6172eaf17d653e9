from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.conditions import feed
from habeas.conditions.services import import_readings
from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import InvalidInput, NotFound
from habeas.estate.models import Facility


class Command(HabeasCommand):
    help = _(
        "Store environmental readings (temperature, light, humidity, CO₂) from a CSV or JSON-lines "
        "file: all of them or none; readings already stored are ignored, so a file can be sent "
        "again."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--facility", required=True, help=_("facility code"))
        parser.add_argument(
            "--format",
            choices=["csv", "jsonl"],
            default=None,
            help=_("csv or jsonl (default: guessed from the content)"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        self.file_label = str(path)
        facility = Facility.objects.filter(code=options["facility"]).first()
        if facility is None:
            raise NotFound(
                code="UNKNOWN_FACILITY",
                message=_("No facility %(code)s.") % {"code": options["facility"]},
                field="facility",
            )
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise NotFound(
                code="FILE_NOT_FOUND",
                message=_("No such file: %(path)s") % {"path": path},
                field="file",
            ) from exc
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                code="BAD_ENCODING",
                message=_("%(path)s is not UTF-8 text.") % {"path": path},
                field="file",
            ) from exc
        with self.progress(3, _("Readings")) as bar:
            readings, problems = feed.parse(text, fmt=options.get("format"))
            bar.update(1)
            lines = len(readings) + len({p.line for p in problems})
            with transaction.atomic():
                bar.update(1)
                report = import_readings(
                    facility=facility,
                    readings=readings,
                    source=path.name,
                    actor=self.actor(options),
                    at=clock.now(),
                    parse_problems=problems,
                    lines=lines,
                )
            bar.update(1)
        if options.get("json"):
            self.print_json(report.__dict__)
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(facility)s: %(stored)d readings stored, %(dup)d already known, from "
                    "%(lines)d lines."
                )
                % {
                    "facility": facility.code,
                    "stored": report.stored,
                    "dup": report.duplicates,
                    "lines": report.lines,
                }
            )
        )
