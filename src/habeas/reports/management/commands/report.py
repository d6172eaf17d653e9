from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import InvalidInput
from habeas.ledger.options import add_range_arguments, asked_range, day_progress
from habeas.reports import inspection
from habeas.standards.catalogue import DEFAULT_PROFILE
from habeas.standards.services import check_standards


class Command(HabeasCommand):
    help = _(
        "Write the inspection report of a facility for a range of days (HTML or PDF): the "
        "ledger is rebuilt and every standard judged, then the verdict is written up with its "
        "method, sources, profile and ledger hash."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        add_range_arguments(parser)
        parser.add_argument("--format", choices=["html", "pdf"], default="html")
        parser.add_argument("--profile", default=DEFAULT_PROFILE, help=_("standards profile"))
        parser.add_argument(
            "--output", help=_("file to write (default: inspection-CODE-FROM-TO.html|pdf)")
        )

    def run(self, *args: Any, **options: Any) -> None:
        facility, first, last = asked_range(options)
        fmt = options["format"]
        out = Path(
            options.get("output")
            or f"inspection-{facility.code}-{first:%Y%m%d}-{last:%Y%m%d}.{fmt}"
        )
        if not out.parent.exists():
            raise InvalidInput(
                code="NO_DIRECTORY",
                message=_("No directory %(dir)s.") % {"dir": out.parent},
                field="output",
            )
        actor = self.actor(options)
        now = clock.now()
        with day_progress(self, facility, first, last) as advance, transaction.atomic():
            run = check_standards(
                facility=facility,
                first=first,
                last=last,
                profile=options["profile"],
                actor=actor,
                at=now,
                progress=advance,
            )
            inspection.record_issued(run=run, fmt=fmt, actor=actor, at=now)
        html = inspection.render_html(run, generated_at=now, language=get_language() or "en")
        if fmt == "pdf":
            out.write_bytes(inspection.render_pdf(html))
        else:
            out.write_text(html, encoding="utf-8")
        if options.get("json"):
            self.print_json(
                {
                    "file": str(out),
                    "format": fmt,
                    "run": run.pk,
                    "ledger_hash": run.ledger_hash,
                    "findings_hash": run.findings_hash,
                    "rules_breached": run.rules_breached,
                }
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(file)s: %(n)d rules breached; ledger hash %(hash)s.")
                % {"file": out, "n": run.rules_breached, "hash": run.ledger_hash}
            )
        )
