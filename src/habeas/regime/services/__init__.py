"""Recording the regime: timetables, unlocks and meals (one entry for many cells), and contact
with the outside world.

Every use case runs in the caller's transaction, validates the whole batch before writing
anything (a bad batch names every problem and stores none), writes set-based (a bounded number of
statements whatever the number of entries or people) and appends one audit event per entry.

One module per concept: ``timetables``, ``unlocks``, ``meals``, ``visits`` and ``contact``
(hearings, calls, letters, family notifications); ``problems`` holds what they share.
"""

from __future__ import annotations

from habeas.regime.services.contact import (
    CallIn,
    HearingIn,
    LetterIn,
    NotificationIn,
    notify_family,
    record_calls,
    record_hearings,
    record_letters,
)
from habeas.regime.services.meals import MealIn, record_meals
from habeas.regime.services.problems import LONGEST_UNLOCK
from habeas.regime.services.timetables import PeriodIn, set_timetable
from habeas.regime.services.unlocks import ExceptionIn, RecordedUnlock, UnlockIn, record_unlocks
from habeas.regime.services.visits import (
    VisitIn,
    decide_visit,
    hold_visit,
    record_visits,
    request_visit,
)

__all__ = [
    "LONGEST_UNLOCK",
    "CallIn",
    "ExceptionIn",
    "HearingIn",
    "LetterIn",
    "MealIn",
    "NotificationIn",
    "PeriodIn",
    "RecordedUnlock",
    "UnlockIn",
    "VisitIn",
    "decide_visit",
    "hold_visit",
    "notify_family",
    "record_calls",
    "record_hearings",
    "record_letters",
    "record_meals",
    "record_unlocks",
    "record_visits",
    "request_visit",
    "set_timetable",
]
