from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand, ticker
from habeas.core.errors import InvalidInput, NotFound
from habeas.custody import intake_file
from habeas.custody.admission import admit_many, get_facility


class Command(HabeasCommand):
    help = _("Admit and place many people from a CSV file, all or nothing.")
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--facility", required=True, help=_("facility code"))
        parser.add_argument(
            "--no-placement",
            action="store_true",
            help=_("admit to reception without choosing cells"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        self.file_label = str(path)
        facility = get_facility(options["facility"])
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
        admissions, problems = intake_file.parse(text, time_zone=facility.time_zone)
        if problems:
            raise InvalidInput(
                code="INVALID_INTAKE_FILE",
                message=_("%(path)s has %(n)d problem(s); no one was admitted.")
                % {"path": path, "n": len(problems)},
                problems=problems,
            )
        with self.progress(len(admissions), _("Admitting")) as bar, transaction.atomic():
            report = admit_many(
                facility=facility,
                admissions=admissions,
                actor=self.actor(options),
                at=clock.now(),
                auto_place=not options["no_placement"],
                progress=ticker(bar),
            )
        if options.get("json"):
            self.print_json(
                {
                    "admitted": report.count,
                    "without_cell": len(report.unplaced),
                    "people": [a.__dict__ for a in report.admitted],
                }
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Admitted %(n)d people to %(facility)s.")
                % {"n": report.count, "facility": facility.code}
            )
        )
        if report.unplaced:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "%(n)d people are in reception without a cell: no cell had room within its "
                        "operational capacity. A governor may authorise placements above it."
                    )
                    % {"n": len(report.unplaced)}
                )
            )
