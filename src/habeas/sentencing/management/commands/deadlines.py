from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import InvalidInput
from habeas.custody.admission import get_facility
from habeas.estate.models import Facility
from habeas.sentencing.selectors import DeadlineQueue, deadlines_queue, queue_as_dict


def moment(value: str, tz_name: str) -> dt.datetime:
    """A moment typed on the command line; without an offset it is the facility's local time."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            code="BAD_DATETIME",
            message=_("%(value)r is not a date and time (e.g. 2026-11-25T08:00).")
            % {"value": value},
            field="at",
        ) from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=ZoneInfo(tz_name))


class Command(HabeasCommand):
    help = _(
        "The legal deadlines work queue: people held past a deadline (judicial review, maximum "
        "of provisional detention, release date, expired or revoked authority), deadlines due "
        "soon, and legal ends no one can know yet."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", help=_("facility code (default: every facility)"))
        parser.add_argument(
            "--at", help=_("moment, e.g. 2026-11-25T08:00 (facility time; default: now)")
        )
        parser.add_argument(
            "--within",
            type=int,
            default=7,
            help=_("list deadlines due within this many days (default 7)"),
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=100,
            help=_("people listed per section in the text output (default 100; 0: all)"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["within"] <= 366:
            raise InvalidInput(
                code="OUT_OF_RANGE",
                message=_("Give a number of days from 0 to 366."),
                field="within",
            )
        facilities = (
            [get_facility(options["facility"])]
            if options.get("facility")
            else list(Facility.objects.order_by("code"))
        )
        queues = [
            deadlines_queue(
                f,
                moment(options["at"], f.time_zone) if options.get("at") else clock.now(),
                within_days=options["within"],
            )
            for f in facilities
        ]
        if options.get("json"):
            data = [queue_as_dict(q) for q in queues]
            if options.get("facility"):
                self.print_json(data[0])
                return
            self.print_json(
                {
                    "held_without_valid_authority": sum(len(q.overdue) for q in queues),
                    "facilities": data,
                }
            )
            return
        for queue in queues:
            self.show(queue, options["limit"])

    def show(self, queue: DeadlineQueue, limit: int) -> None:
        tz = ZoneInfo(queue.facility.time_zone)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"{queue.facility.code} — {queue.facility.name}  "
                f"({queue.at.astimezone(tz):%Y-%m-%d %H:%M %Z})"
            )
        )
        line = _("Held WITHOUT valid lawful authority: %(n)d") % {"n": len(queue.overdue)}
        self.stdout.write(self.style.ERROR(line) if queue.overdue else line)
        for kind, n in sorted(queue.counts().items(), key=lambda kv: -kv[1]):
            label = next(i.label for i in queue.overdue if i.kind == kind)
            self.stdout.write(f"  {n:>7}  {label}")
        shown = queue.overdue if not limit else queue.overdue[:limit]
        for i in shown:
            self.stdout.write(
                self.style.ERROR(
                    _("  %(days)6d days overdue  %(number)s  %(name)s — %(what)s %(ref)s")
                    % {
                        "days": i.days_overdue,
                        "number": i.custody_number,
                        "name": i.name,
                        "what": i.label,
                        "ref": i.authority_reference,
                    }
                )
            )
        if len(shown) < len(queue.overdue):
            self.stdout.write(_("  … and %(n)d more") % {"n": len(queue.overdue) - len(shown)})
        self.stdout.write(
            _("Due within %(days)d days: %(n)d")
            % {"days": queue.within_days, "n": len(queue.upcoming)}
        )
        shown = queue.upcoming if not limit else queue.upcoming[:limit]
        for i in shown:
            deadline = i.deadline.astimezone(tz) if i.deadline else None
            self.stdout.write(
                f"  {deadline:%Y-%m-%d %H:%M}  {i.custody_number}  {i.name} — {i.label} "
                f"{i.authority_reference}"
            )
        if len(shown) < len(queue.upcoming):
            self.stdout.write(_("  … and %(n)d more") % {"n": len(queue.upcoming) - len(shown)})
        self.stdout.write(_("Legal end unknown: %(n)d") % {"n": len(queue.unknown)})
        shown = queue.unknown if not limit else queue.unknown[:limit]
        for i in shown:
            self.stdout.write(
                f"  {i.custody_number}  {i.name} — {i.label} {i.authority_reference}: {i.detail}"
            )
        if len(shown) < len(queue.unknown):
            self.stdout.write(_("  … and %(n)d more") % {"n": len(queue.unknown) - len(shown)})
