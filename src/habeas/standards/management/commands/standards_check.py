from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.ledger.options import add_range_arguments, asked_range, day_progress
from habeas.standards import selectors
from habeas.standards.catalogue import DEFAULT_PROFILE
from habeas.standards.models import Status
from habeas.standards.services import check_standards


class Command(HabeasCommand):
    help = _(
        "Judge a facility's custody ledger against every standard (Mandela Rules, ICRC, CPT, "
        "a national profile) for a range of days, and store the verdict with the hash of the "
        "ledger rows judged. The ledger of the range is rebuilt first unless --no-build."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        add_range_arguments(parser)
        parser.add_argument(
            "--profile",
            default=DEFAULT_PROFILE,
            help=_("standards profile: mandela, icrc, cpt or national (default: mandela)"),
        )
        parser.add_argument(
            "--no-build",
            action="store_true",
            help=_("judge the ledger as it stands, without rebuilding the range first"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        facility, first, last = asked_range(options)
        with day_progress(self, facility, first, last) as advance, transaction.atomic():
            run = check_standards(
                facility=facility,
                first=first,
                last=last,
                profile=options["profile"],
                build=not options["no_build"],
                actor=self.actor(options),
                at=clock.now(),
                progress=advance,
            )
        found = selectors.findings(run)
        if options.get("json"):
            self.print_json(selectors.run_as_dict(run, findings_of=found))
            return
        version = run.profile_version
        self.stdout.write(
            _(
                "%(facility)s, %(first)s to %(last)s: %(rows)d person-days of %(people)d people, "
                "judged against %(profile)s (version %(v)d)."
            )
            % {
                "facility": facility.name,
                "first": run.first_day,
                "last": run.last_day,
                "rows": run.ledger_rows,
                "people": run.people,
                "profile": version.profile.name,
                "v": version.number,
            }
        )
        for f in found:
            line = f"  {f.rule.code:<8} {f.get_status_display():<18} "
            if f.status == Status.BREACHED:
                line += _("%(people)d people, %(days)d person-days — %(title)s") % {
                    "people": f.people,
                    "days": f.person_days,
                    "title": f.rule.title,
                }
                style = self.style.ERROR
            else:
                line += str(f.rule.title)
                style = self.style.SUCCESS if f.status == Status.COMPLIANT else self.style.WARNING
            self.stdout.write(style(line))
        self.stdout.write(
            _("%(n)d of %(total)d rules breached. Ledger hash %(hash)s; findings %(f)s.")
            % {
                "n": run.rules_breached,
                "total": len(found),
                "hash": run.ledger_hash,
                "f": run.findings_hash,
            }
        )
