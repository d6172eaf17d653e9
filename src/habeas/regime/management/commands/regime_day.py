from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from habeas.core.command import HabeasCommand
from habeas.core.errors import InvalidInput, NotFound
from habeas.estate.models import Facility
from habeas.regime import selectors


class Command(HabeasCommand):
    help = _(
        "A facility's regime on a day: planned and actual time out of the cells, meals and "
        "contact with the outside."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", required=True, help=_("facility code"))
        parser.add_argument("--date", help=_("YYYY-MM-DD (default: today)"))

    def run(self, *args: Any, **options: Any) -> None:
        facility = Facility.objects.filter(code=options["facility"]).first()
        if facility is None:
            raise NotFound(
                code="UNKNOWN_FACILITY",
                message=_("No facility %(code)s.") % {"code": options["facility"]},
                field="facility",
            )
        try:
            day = (
                dt.date.fromisoformat(options["date"])
                if options.get("date")
                else selectors.today(facility)
            )
        except ValueError as exc:
            raise InvalidInput(
                message=_("%(v)r is not a date.") % {"v": options["date"]}, field="date"
            ) from exc
        start, end = selectors.day_bounds(facility, day)
        plan = selectors.timetable(facility, day)
        unlocks = selectors.unlocks(facility, start, end)
        meals = selectors.meals(facility, start, end)
        contact = selectors.contact(facility, start, end)
        data = {
            "facility": facility.code,
            "date": day,
            "timetable": [
                {
                    "unit": t.unit.code,
                    "minutes_out_of_cell": t.minutes_out,
                    "minutes_open_air": t.minutes_open_air,
                }
                for t in plan
            ],
            "unlocks": [
                {
                    "id": u.id,
                    "cells": u.cells,
                    "from": u.started_at,
                    "until": u.ended_at,
                    "location": u.location,
                    "purpose": u.purpose,
                    "people": u.people,
                    "took_part": u.took_part,
                    "exceptions": len(u.exceptions),
                }
                for u in unlocks
            ],
            "meals": len(meals),
            "visits_held": sum(1 for v in contact.visits if v.status == "held"),
            "visits_refused": sum(1 for v in contact.visits if v.status == "refused"),
            "visits_waiting": len(contact.pending_visits),
            "hearings": len(contact.hearings),
            "calls": contact.calls,
            "letters": contact.letters,
        }
        if options.get("json"):
            self.print_json(data)
            return
        self.stdout.write(_("%(f)s on %(d)s") % {"f": facility.name, "d": day.isoformat()})
        for t in plan:
            self.stdout.write(
                _("  unit %(u)s planned: %(out)d min out of cell, %(air)d min in the open air")
                % {"u": t.unit.code, "out": t.minutes_out, "air": t.minutes_open_air}
            )
        if not unlocks:
            self.stdout.write(self.style.WARNING(_("  No unlock recorded.")))
        for u in unlocks:
            self.stdout.write(
                _("  %(cells)s: %(m)d min, %(where)s; %(k)d of %(n)d took part")
                % {
                    "cells": u.cells_label,
                    "m": u.minutes,
                    "where": u.location_label,
                    "k": u.took_part,
                    "n": u.people,
                }
            )
        self.stdout.write(
            _(
                "  %(meals)d meals; visits: %(held)d held, %(refused)d refused, %(wait)d "
                "waiting; %(hearings)d hearings; %(calls)d calls; %(letters)d letters"
            )
            % {
                "meals": data["meals"],
                "held": data["visits_held"],
                "refused": data["visits_refused"],
                "wait": data["visits_waiting"],
                "hearings": data["hearings"],
                "calls": data["calls"],
                "letters": data["letters"],
            }
        )
