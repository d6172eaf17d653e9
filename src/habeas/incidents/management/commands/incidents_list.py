from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import NotFound
from habeas.estate.models import Facility
from habeas.incidents import selectors


class Command(HabeasCommand):
    help = _(
        "What is in force at a facility now (restraints, segregation, sanctions — collective "
        "ones flagged), complaints without an answer, and the incidents and deaths of the last "
        "30 days."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", required=True, help=_("facility code"))

    def run(self, *args: Any, **options: Any) -> None:
        facility = Facility.objects.filter(code=options["facility"]).first()
        if facility is None:
            raise NotFound(
                code="UNKNOWN_FACILITY",
                message=_("No facility %(code)s.") % {"code": options["facility"]},
                field="facility",
            )
        now = clock.now()
        s = selectors.summary(facility, now, now - dt.timedelta(days=30))
        data = {
            "facility": facility.code,
            "at": now,
            "incidents_last_30_days": s.incidents,
            "uses_of_force_last_30_days": s.uses_of_force,
            "restraints": [
                {
                    "custody_number": r.person.custody_number,
                    "kind": r.kind,
                    "since": r.started_at,
                    "prohibited": r.prohibited,
                }
                for r in s.restraints
            ],
            "segregations": [
                {
                    "custody_number": row.segregation.person.custody_number,
                    "kind": row.segregation.kind,
                    "days": row.days,
                    "prolonged": row.prolonged,
                    "reviews": row.reviews,
                }
                for row in s.segregations
            ],
            "sanctions": [
                {
                    "kind": x.kind,
                    "scope": x.scope,
                    "collective": x.collective,
                    "prohibited": x.prohibited,
                    "since": x.started_at,
                    "until": x.ended_at,
                }
                for x in s.sanctions
            ],
            "complaints_unanswered": len(s.complaints_unanswered),
            "deaths": [
                {
                    "custody_number": d.person.custody_number,
                    "died_at": d.died_at,
                    "family_informed_at": d.family_informed_at,
                    "authority_informed_at": d.authority_informed_at,
                }
                for d in s.deaths
            ],
        }
        if options.get("json"):
            self.print_json(data)
            return
        self.stdout.write(
            _(
                "%(f)s: %(i)d incidents and %(u)d uses of force in 30 days; %(r)d restrained, "
                "%(g)d segregated (%(p)d prolonged), %(s)d sanctions in force (%(c)d collective), "
                "%(q)d complaints without an answer, %(d)d deaths."
            )
            % {
                "f": facility.code,
                "i": s.incidents,
                "u": s.uses_of_force,
                "r": len(s.restraints),
                "g": len(s.segregations),
                "p": sum(1 for row in s.segregations if row.prolonged),
                "s": len(s.sanctions),
                "c": sum(1 for x in s.sanctions if x.collective),
                "q": len(s.complaints_unanswered),
                "d": len(s.deaths),
            }
        )
