from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils.formats import localize
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import InvalidInput
from habeas.custody.admission import get_facility
from habeas.estate.models import Facility
from habeas.housing import selectors


def parse_moment(value: str, tz_name: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            code="BAD_DATETIME",
            message=_("%(value)r is not a date and time (e.g. 2026-11-25T08:00).")
            % {"value": value},
            field="at",
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz_name))
    return moment


class Command(HabeasCommand):
    help = _("The roll: people in custody by unit and cell, against capacity, at a moment.")
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", help=_("facility code (default: every facility)"))
        parser.add_argument(
            "--at", help=_("moment, e.g. 2026-11-25T08:00 (facility time; default: now)")
        )

    def run(self, *args: Any, **options: Any) -> None:
        facilities = (
            [get_facility(options["facility"])]
            if options.get("facility")
            else list(Facility.objects.select_related("space_standard"))
        )
        rolls = []
        for f in facilities:
            at = parse_moment(options["at"], f.time_zone) if options.get("at") else clock.now()
            rolls.append(selectors.roll(f, at))
        if options.get("json"):
            data = [selectors.roll_as_dict(r) for r in rolls]
            if options.get("facility"):
                self.print_json(data[0])
                return
            self.print_json(
                {
                    "at": clock.now().isoformat() if not options.get("at") else options["at"],
                    "in_custody": sum(r.in_custody for r in rolls),
                    "without_placement": sum(len(r.unplaced) for r in rolls),
                    "without_lawful_authority": sum(len(r.without_authority) for r in rolls),
                    "standard_capacity": sum(r.standard_capacity for r in rolls),
                    "stated_capacity": sum(r.facility.stated_capacity or 0 for r in rolls),
                    "facilities": data,
                }
            )
            return
        for r in rolls:
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    f"{r.facility.code} — {r.facility.name}  ({r.at:%Y-%m-%d %H:%M %Z})"
                )
            )
            self.stdout.write(
                _("In custody: %(n)d  (placed %(p)d, away %(a)d; untried %(u)d, convicted %(c)d)")
                % {"n": r.in_custody, "p": r.placed, "a": r.away, "u": r.untried, "c": r.convicted}
            )
            self.stdout.write(
                _(
                    "Capacity: operational %(o)d · bed %(b)d · standard %(s)d "
                    "(%(std)s) · stated %(st)s"
                )
                % {
                    "o": r.operational_capacity,
                    "b": r.bed_capacity,
                    "s": r.standard_capacity,
                    "std": r.facility.space_standard.code,
                    "st": r.facility.stated_capacity or "—",
                }
            )
            m2 = localize(r.m2_per_person) if r.m2_per_person is not None else "—"
            self.stdout.write(_("Space: %(m2)s m² per person") % {"m2": m2})
            line = _("Without a cell: %(n)d") % {"n": len(r.unplaced)}
            self.stdout.write(line)
            alarm = _("Held WITHOUT valid lawful authority: %(n)d") % {
                "n": len(r.without_authority)
            }
            self.stdout.write(self.style.ERROR(alarm) if r.without_authority else alarm)
            for p in r.without_authority:
                self.stdout.write(self.style.ERROR(f"  {p.custody_number}  {p.name}"))
            for u in r.units:
                self.stdout.write(
                    f"  {u.code:<6} {u.name:<30} {u.occupancy:>6} / "
                    f"{u.operational_capacity:<6} "
                    + _("standard %(s)d")
                    % {"s": u.standard_capacity}
                )
