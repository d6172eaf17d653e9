from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.custody.admission import get_facility
from habeas.custody.models import Stay
from habeas.sentencing.recalculation import recalculate


class Command(HabeasCommand):
    help = _(
        "Recalculate every release date and provisional-detention maximum in custody (or at one "
        "facility, or under one jurisdiction) and set each authority's legal end, audited."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", help=_("facility code (default: every facility)"))
        parser.add_argument("--jurisdiction", help=_("jurisdiction code, e.g. SV"))
        parser.add_argument(
            "--reason", default="", help=_("why, for the audit log (default: recalculation)")
        )

    def run(self, *args: Any, **options: Any) -> None:
        facility = get_facility(options["facility"]) if options.get("facility") else None
        open_stays = Stay.objects.filter(ended_at__isnull=True)
        if facility is not None:
            open_stays = open_stays.filter(facility=facility)
        with self.progress(open_stays.count(), _("recalculating")) as bar, transaction.atomic():

            def advance(done: int) -> None:
                bar.update(done - bar.n)

            report = recalculate(
                facility=facility,
                jurisdiction=options.get("jurisdiction") or None,
                actor=self.actor(options),
                at=clock.now(),
                reason=options["reason"] or _("Recalculation."),
                progress=advance,
            )
        if options.get("json"):
            self.print_json(asdict(report))
            return
        self.stdout.write(
            _(
                "%(episodes)d people in custody: %(calculated)d release dates calculated, "
                "%(refused)d refused, %(provisional)d provisional detention maxima; "
                "%(changed)d legal ends changed."
            )
            % {
                "episodes": report.episodes,
                "calculated": report.calculated,
                "refused": report.refused,
                "provisional": report.provisional,
                "changed": report.legal_ends_changed,
            }
        )
        for code, n in sorted(report.refusals.items()):
            self.stdout.write(self.style.WARNING(f"  {code}: {n}"))
