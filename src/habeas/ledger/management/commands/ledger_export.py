from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import InvalidInput
from habeas.ledger.export import export_ledger
from habeas.ledger.options import add_range_arguments, asked_range
from habeas.standards import selectors
from habeas.standards.export import export_findings


class Command(HabeasCommand):
    help = _(
        "Export a facility's custody ledger (and, with --findings, the latest evaluation's "
        "findings) to Parquet, with the schema documented in docs/ledger.md."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        add_range_arguments(parser)
        parser.add_argument(
            "--output", help=_("Parquet file to write (default: ledger-CODE-FROM-TO.parquet)")
        )
        parser.add_argument(
            "--findings",
            action="store_true",
            help=_("also write the latest evaluation's findings (findings-CODE-RUN.parquet)"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        facility, first, last = asked_range(options)
        out = Path(
            options.get("output") or f"ledger-{facility.code}-{first:%Y%m%d}-{last:%Y%m%d}.parquet"
        )
        if not out.parent.exists():
            raise InvalidInput(
                code="NO_DIRECTORY",
                message=_("No directory %(dir)s.") % {"dir": out.parent},
                field="output",
            )
        actor = self.actor(options)
        now = clock.now()
        answer: dict[str, Any] = {}
        with transaction.atomic():
            done = export_ledger(
                facility=facility, first=first, last=last, path=out, actor=actor, at=now
            )
            answer["ledger"] = {
                "file": str(out),
                "rows": done.rows,
                "ledger_hash": done.ledger_hash,
            }
            if options["findings"]:
                run = selectors.latest_run(facility)
                if run is None:
                    raise InvalidInput(
                        code="NO_RUN",
                        message=_("No evaluation has been run for this facility yet."),
                        field="findings",
                    )
                path = out.parent / f"findings-{facility.code}-{run.pk}.parquet"
                n = export_findings(run=run, path=path, actor=actor, at=now)
                answer["findings"] = {"file": str(path), "rows": n, "run": run.pk}
        if options.get("json"):
            self.print_json(answer)
            return
        for part in answer.values():
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(file)s: %(rows)d rows.") % {"file": part["file"], "rows": part["rows"]}
                )
            )
