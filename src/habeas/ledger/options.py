"""The range of days a command, a page or the API asks for: ``from`` and ``to`` as ISO dates in
the facility's own calendar; by default the 30 days up to yesterday."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.errors import InvalidInput
from habeas.custody.admission import get_facility
from habeas.estate.models import Facility

if TYPE_CHECKING:
    from habeas.core.command import HabeasCommand

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


def add_range_arguments(parser: CommandParser) -> None:
    """``--facility`` and the range of days, for every command that reads the ledger."""
    parser.add_argument("--facility", required=True, help=_("facility code"))
    parser.add_argument("--from", dest="first", help=_("first day (default: 30 days ago)"))
    parser.add_argument("--to", dest="last", help=_("last day (default: yesterday)"))


def asked_range(options: Mapping[str, Any]) -> tuple[Facility, dt.date, dt.date]:
    """The facility and the range of days a command's options ask for."""
    facility = get_facility(options["facility"])
    first, last = days_range(facility, options.get("first"), options.get("last"))
    return facility, first, last


@contextmanager
def day_progress(
    command: HabeasCommand, facility: Facility, first: dt.date, last: dt.date
) -> Iterator[Callable[[dt.date, int], None]]:
    """A progress bar over the days of a ledger build, and the callback that moves it on."""
    total = max((last - first).days + 1, 0)
    with command.progress(total, _("ledger %(code)s") % {"code": facility.code}) as bar:

        def advance(day: dt.date, _rows: int) -> None:
            bar.update((day - first).days + 1 - bar.n)

        yield advance
