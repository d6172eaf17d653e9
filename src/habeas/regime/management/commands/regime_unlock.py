from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import FieldProblem, InvalidInput, NotFound
from habeas.estate.models import Facility
from habeas.regime import selectors, services
from habeas.regime.models import ExceptionReason, Location, Purpose


class Command(HabeasCommand):
    help = _(
        "Record one unlock of a whole unit or some cells (local times of the facility), with "
        "the people who did not take part."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", required=True, help=_("facility code"))
        parser.add_argument("--unit", help=_("a whole unit"))
        parser.add_argument("--cells", default="", help=_("or cells, separated by commas"))
        parser.add_argument("--date", help=_("YYYY-MM-DD (default: today)"))
        parser.add_argument("--from", dest="start", required=True, help=_("HH:MM"))
        parser.add_argument("--to", dest="end", required=True, help=_("HH:MM"))
        parser.add_argument("--location", required=True, choices=Location.values)
        parser.add_argument("--purpose", default=Purpose.EXERCISE, choices=Purpose.values)
        parser.add_argument(
            "--except",
            dest="exceptions",
            action="append",
            default=[],
            metavar="NUMBER:REASON",
            help=_("someone who did not take part (reasons: %(r)s); repeat as needed")
            % {"r": ", ".join(ExceptionReason.values)},
        )
        parser.add_argument("--note", default="")

    def run(self, *args: Any, **options: Any) -> None:
        facility = Facility.objects.filter(code=options["facility"]).first()
        if facility is None:
            raise NotFound(
                code="UNKNOWN_FACILITY",
                message=_("No facility %(code)s.") % {"code": options["facility"]},
                field="facility",
            )
        problems: list[FieldProblem] = []

        def parse(value: str, fmt: str, field: str) -> Any:
            try:
                return dt.datetime.strptime(value, fmt)  # noqa: DTZ007 (a local date or time)
            except ValueError:
                problems.append(
                    FieldProblem(field=field, message=_("%(v)r is not valid.") % {"v": value})
                )
                return None

        day = (
            parse(options["date"], "%Y-%m-%d", "date")
            if options.get("date")
            else dt.datetime.combine(selectors.today(facility), dt.time())
        )
        start = parse(options["start"], "%H:%M", "from")
        end = parse(options["end"], "%H:%M", "to")
        exceptions = []
        for i, item in enumerate(options["exceptions"]):
            number, _sep, reason = item.partition(":")
            if not number or not reason:
                problems.append(
                    FieldProblem(
                        field=f"except[{i}]",
                        message=_("Write NUMBER:REASON, e.g. 2026-000123-4:sick."),
                    )
                )
            exceptions.append(services.ExceptionIn(reason=reason, custody_number=number))
        if problems:
            raise InvalidInput(message=problems[0].message, problems=problems)
        tz = ZoneInfo(facility.time_zone)
        item = services.UnlockIn(
            started_at=dt.datetime.combine(day.date(), start.time(), tzinfo=tz),
            ended_at=dt.datetime.combine(day.date(), end.time(), tzinfo=tz),
            location=options["location"],
            purpose=options["purpose"],
            unit=options.get("unit"),
            cells=tuple(c.strip() for c in options["cells"].split(",") if c.strip()),
            exceptions=tuple(exceptions),
            note=options["note"],
        )
        with transaction.atomic():
            (done,) = services.record_unlocks(
                facility=facility, unlocks=[item], actor=self.actor(options), at=clock.now()
            )
        (row,) = selectors.unlocks(facility, done.started_at, done.ended_at, ids=[done.id])
        if options.get("json"):
            self.print_json(
                {
                    "id": row.id,
                    "cells": row.cells,
                    "from": row.started_at,
                    "until": row.ended_at,
                    "location": row.location,
                    "people": row.people,
                    "took_part": row.took_part,
                    "exceptions": [
                        {"custody_number": e.custody_number, "reason": e.reason}
                        for e in row.exceptions
                    ],
                }
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Unlock recorded: %(cells)s, %(from)s–%(to)s (%(where)s); %(n)d people in the "
                    "cells, %(k)d took part."
                )
                % {
                    "cells": row.cells_label,
                    "from": f"{row.started_at.astimezone(tz):%H:%M}",
                    "to": f"{row.ended_at.astimezone(tz):%H:%M}",
                    "where": row.location_label,
                    "n": row.people,
                    "k": row.took_part,
                }
            )
        )
