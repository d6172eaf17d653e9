from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import NotFound
from habeas.estate.models import Facility
from habeas.health import selectors


class Command(HabeasCommand):
    help = _(
        "People in custody at a facility without a medical examination on admission (Mandela "
        "Rule 30), longest waiting first. Dates only: no clinical content."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", required=True, help=_("facility code"))
        parser.add_argument("--hours", type=int, default=24, help=_("waiting at least (hours)"))

    def run(self, *args: Any, **options: Any) -> None:
        facility = Facility.objects.filter(code=options["facility"]).first()
        if facility is None:
            raise NotFound(
                code="UNKNOWN_FACILITY",
                message=_("No facility %(code)s.") % {"code": options["facility"]},
                field="facility",
            )
        now = clock.now()
        rows = [
            {
                "custody_number": e.person.custody_number,
                "admitted_at": e.admitted_at,
                "hours_waiting": int((now - e.admitted_at).total_seconds() // 3600),
            }
            for e in selectors.awaiting_examination(facility, now)
        ]
        rows = [r for r in rows if r["hours_waiting"] >= options["hours"]]
        if options.get("json"):
            self.print_json({"facility": facility.code, "at": now, "people": rows})
            return
        self.stdout.write(
            _("%(f)s: %(n)d people waiting %(h)d hours or more for their examination on admission.")
            % {"f": facility.code, "n": len(rows), "h": options["hours"]}
        )
        for r in rows[:50]:
            self.stdout.write(
                f"  {r['custody_number']}  {r['admitted_at']:%Y-%m-%d %H:%M}  "
                f"{r['hours_waiting']} h"
            )
