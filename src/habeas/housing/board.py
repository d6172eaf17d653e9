"""The roll board a shift watches (issue #8): its roll and its drawn page, computed once and
shared for ``HABEAS_ROLL_BOARD_SECONDS`` by every worker process of the server.

At 40,000 people a roll costs ~0.1 s of CPU and drawing its 256 tiles about as much again, and a
shift of officers looks at the board several times a second. Computed for each request, the board
took a third of two cores; reused within each worker process, four workers still computed and drew
it four times every few seconds. Here it is computed once per facility, drawn once per language,
and kept in the shared cache (``CACHES["shared"]``); the pages say when it was computed. The cell
page, the API and ``habeas roll`` always compute the roll (docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from habeas.estate.models import Facility
from habeas.housing.selectors import Roll, roll


def _fresh(at: dt.datetime, now: dt.datetime) -> bool:
    return 0 <= (now - at).total_seconds() < settings.HABEAS_ROLL_BOARD_SECONDS


def _key(facility: Facility, what: str) -> str:
    return f"habeas:roll-board:{facility.pk}:{what}"


def board_roll(facility: Facility, now: dt.datetime) -> Roll:
    """The roll the board's pages show (the board, a unit, the people it flags): the one computed
    less than ``HABEAS_ROLL_BOARD_SECONDS`` ago by any worker, or a new one."""
    max_age = settings.HABEAS_ROLL_BOARD_SECONDS
    if max_age <= 0:
        return roll(facility, now)
    kept = caches["shared"].get(_key(facility, "roll"))
    if isinstance(kept, Roll) and _fresh(kept.at, now):
        return kept
    fresh = roll(facility, now)
    caches["shared"].set(_key(facility, "roll"), fresh, timeout=max_age)
    return fresh


@dataclass(frozen=True)
class Drawn:
    """The board as drawn: when its roll was computed, its HTML, and the roll itself when it was
    drawn for this request (``None`` when the drawing was reused)."""

    at: dt.datetime
    html: str
    roll: Roll | None


def drawn_board(
    facility: Facility, now: dt.datetime, language: str, draw: Callable[[Roll], str]
) -> Drawn:
    """The board of ``facility`` in ``language``, drawn by ``draw`` at most once per roll: the
    tiles are the same for everyone who may see the board."""
    max_age = settings.HABEAS_ROLL_BOARD_SECONDS
    if max_age <= 0:
        r = roll(facility, now)
        return Drawn(r.at, draw(r), r)
    key = _key(facility, f"page:{language}")
    kept = caches["shared"].get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and _fresh(kept[0], now):
        return Drawn(kept[0], kept[1], None)
    r = board_roll(facility, now)
    html = draw(r)
    caches["shared"].set(key, (r.at, html), timeout=max_age)
    return Drawn(r.at, html, r)


def forget() -> None:
    """Drop every kept roll and drawing (tests)."""
    caches["shared"].clear()
