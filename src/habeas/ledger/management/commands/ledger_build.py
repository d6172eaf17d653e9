from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.ledger.options import add_range_arguments, asked_range, day_progress
from habeas.ledger.services import build_ledger


class Command(HabeasCommand):
    help = _(
        "Build the custody ledger of a facility for a range of days: one row per person and "
        "day, derived from the operational records; run again, it gives the same rows."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        add_range_arguments(parser)

    def run(self, *args: Any, **options: Any) -> None:
        facility, first, last = asked_range(options)
        with day_progress(self, facility, first, last) as advance, transaction.atomic():
            build = build_ledger(
                facility=facility,
                first=first,
                last=last,
                actor=self.actor(options),
                at=clock.now(),
                progress=advance,
            )
        if options.get("json"):
            self.print_json(
                {
                    "facility": facility.code,
                    "from": build.first_day,
                    "to": build.last_day,
                    "person_days": build.rows,
                    "people": build.people,
                    "ledger_hash": build.ledger_hash,
                    "seconds": build.seconds,
                }
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(facility)s: %(rows)d person-days of %(people)d people from %(first)s to "
                    "%(last)s in %(s).1f s."
                )
                % {
                    "facility": facility.code,
                    "rows": build.rows,
                    "people": build.people,
                    "first": build.first_day,
                    "last": build.last_day,
                    "s": build.seconds,
                }
            )
        )
        self.stdout.write(_("Ledger hash: %(hash)s") % {"hash": build.ledger_hash})
