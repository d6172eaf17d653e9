"""The range of days a command, a page or the API asks for: ``from`` and ``to`` as ISO dates in
the facility's own calendar; by default the 30 days up to yesterday."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.errors import InvalidInput
from habeas.estate.models import Facility

DEFAULT_DAYS = 30


def day_of(value: str | dt.date | None, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            code="BAD_DATE",
            message=_("%(value)r is not a date (e.g. 2026-11-25).") % {"value": value},
            field=field,
        ) from exc


def days_range(
    facility: Facility, first: str | dt.date | None, last: str | dt.date | None
) -> tuple[dt.date, dt.date]:
    """The range asked for, with the defaults: ``to`` yesterday, ``from`` 30 days before it."""
    to = day_of(last, "to") or clock.local_date(clock.now(), facility.time_zone) - dt.timedelta(
        days=1
    )
    start = day_of(first, "from") or to - dt.timedelta(days=DEFAULT_DAYS - 1)
    return start, to
