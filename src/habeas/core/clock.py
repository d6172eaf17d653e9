"""The one place services read the current time from, so tests can freeze it.

Times are timezone-aware and stored in UTC; a *day* is a day in the facility's own time zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

UTC = dt.UTC


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC)."""
    return timezone.now()


def local_date(moment: dt.datetime, tz_name: str) -> dt.date:
    """The calendar date of ``moment`` in the time zone ``tz_name``."""
    return moment.astimezone(ZoneInfo(tz_name)).date()


def start_of_day(day: dt.date, tz_name: str) -> dt.datetime:
    """The first moment of ``day`` in ``tz_name``, as an aware datetime in UTC."""
    local = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(tz_name))
    return local.astimezone(UTC)


def end_of_day(day: dt.date, tz_name: str) -> dt.datetime:
    """The first moment of the day after ``day`` in ``tz_name`` (an exclusive end), in UTC."""
    return start_of_day(day + dt.timedelta(days=1), tz_name)


def age_on(born: dt.date, day: dt.date) -> int:
    """Completed years of age on ``day`` (a person born on 29 February turns a year older on
    1 March in common years)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years
