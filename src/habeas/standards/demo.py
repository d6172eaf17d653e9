"""The demo's custody ledger and its verdict: after the other apps have recorded 30 days of
daily life, the ledger of those days is built and every standard judged, so the dashboard, the
drill-down and the inspection report have something to show from the first sign-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext as _

from habeas.audit.services import Actor
from habeas.estate.models import Facility
from habeas.ledger.options import days_range
from habeas.standards.services import check_standards

ACTOR = Actor(label="system:demo")


def build(
    *,
    facility: Facility,
    style: str,
    now: dt.datetime,
    seed: int,
    report: Callable[[str], None],
) -> None:
    first, last = days_range(facility, None, None)
    run = check_standards(facility=facility, first=first, last=last, actor=ACTOR, at=now)
    breached = [f.rule.code for f in run.findings.select_related("rule") if f.person_days]
    report(
        _(
            "%(facility)s: ledger of %(rows)d person-days (%(first)s to %(last)s), hash "
            "%(hash)s…; %(n)d of %(of)d standards breached: %(codes)s."
        )
        % {
            "facility": facility.code,
            "rows": run.ledger_rows,
            "first": first,
            "last": last,
            "hash": run.ledger_hash[:12],
            "n": len(breached),
            "of": run.findings.count(),
            "codes": ", ".join(breached) or _("none"),
        }
    )
