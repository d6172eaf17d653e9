"""Building the custody ledger: one use case, ``build_ledger``, that replaces a facility's rows for
a range of days with rows derived afresh from the operational records — in one transaction, so
the range is never seen half-built, and identically every time for the same records."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.conditions.selectors import HEAT_THRESHOLD_C
from habeas.core import clock
from habeas.core.errors import InvalidInput
from habeas.estate.models import Facility
from habeas.ledger import partitions
from habeas.ledger.derivation import Chunk, Deriver
from habeas.ledger.dialect import Dialect
from habeas.ledger.models import CustodyDay, LedgerBuild
from habeas.ledger.selectors import ledger_digest

# One build covers at most this many days (a rebuild of several years is several builds).
MOST_DAYS = 3 * 366


def chunks(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """``first``..``last`` cut at month boundaries (the partitions on PostgreSQL)."""
    out = []
    start = first
    while start <= last:
        next_month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(last, next_month - dt.timedelta(days=1))
        out.append((start, end))
        start = end + dt.timedelta(days=1)
    return out


def check_range(
    facility: Facility, first: dt.date | None, last: dt.date | None, *, at: dt.datetime
) -> tuple[dt.date, dt.date]:
    """A range of whole days up to today (the facility's), of at most ``MOST_DAYS``."""
    if first is None or last is None:
        raise InvalidInput(
            code="REQUIRED",
            message=_("Give the first and the last day."),
            field="from" if first is None else "to",
        )
    if last < first:
        raise InvalidInput(
            code="RANGE_REVERSED", message=_("The last day is before the first."), field="to"
        )
    if last > clock.local_date(at, facility.time_zone):
        raise InvalidInput(
            code="IN_FUTURE", message=_("The ledger cannot be built for future days."), field="to"
        )
    if (last - first).days + 1 > MOST_DAYS:
        raise InvalidInput(
            code="RANGE_TOO_LONG",
            message=_("At most %(n)d days at a time.") % {"n": MOST_DAYS},
            field="from",
        )
    return first, last


def build_ledger(
    *,
    facility: Facility,
    first: dt.date | None,
    last: dt.date | None,
    actor: Actor,
    at: dt.datetime,
    progress: Callable[[dt.date, int], None] | None = None,
    heat_threshold_c: Decimal = HEAT_THRESHOLD_C,
) -> LedgerBuild:
    """Replace the ledger of ``facility`` from ``first`` to ``last`` (local days, inclusive) with
    rows derived from the operational records (``docs/ledger.md``). Set-based: a few statements
    per month whatever the population. ``progress(day, rows)`` is called after each month.

    Runs inside the caller's transaction; one audit event for the whole build."""
    first, last = check_range(facility, first, last, at=at)
    started = time.perf_counter()
    dialect = Dialect.current()
    if dialect.pg:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtext('habeas.ledger.build'), %s)", [facility.pk]
            )
            cur.execute("SET LOCAL work_mem = '256MB'")
            # Keeps the build's temporary tables in memory. PostgreSQL refuses the change once a
            # session has used a temporary table: then the session keeps the buffers it has.
            try:
                with transaction.atomic():
                    cur.execute("SET LOCAL temp_buffers = '512MB'")
            except DatabaseError:
                pass
    partitions.ensure(first, last)
    deriver = Deriver(dialect)
    tz = facility.time_zone
    for a, b in chunks(first, last):
        bounds = []
        day = a
        while day <= b:
            bounds.append((day, clock.start_of_day(day, tz), clock.end_of_day(day, tz)))
            day += dt.timedelta(days=1)
        CustodyDay.objects.filter(facility=facility, day__gte=a, day__lte=b).delete()
        n = deriver.derive(
            Chunk(
                facility_id=facility.pk,
                holds_sex=facility.holds_sex,
                tz_name=tz,
                first=a,
                last=b,
                bounds=bounds,
                heat_threshold_c=heat_threshold_c,
            )
        )
        if progress is not None:
            progress(b, n)
    digest = ledger_digest(facility, first, last)
    build = LedgerBuild.objects.create(
        facility=facility,
        first_day=first,
        last_day=last,
        rows=digest.rows,
        people=digest.people,
        ledger_hash=digest.hash,
        heat_threshold_c=heat_threshold_c,
        built_at=at,
        seconds=round(time.perf_counter() - started, 3),
        actor_label=actor.label,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="ledger.build",
            object_type="ledger.LedgerBuild",
            object_id=build.pk,
            facility_id=facility.pk,
            after={
                "from": first,
                "to": last,
                "rows": digest.rows,
                "people": digest.people,
                "ledger_hash": digest.hash,
            },
        ),
    )
    return build
