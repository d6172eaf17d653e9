"""What every recording use case shares: the longest unlock, and refusing a batch with every
problem named."""

from __future__ import annotations

import datetime as dt

from habeas.core.errors import FieldProblem, InvalidInput
from habeas.regime.presence import problem_summary

LONGEST_UNLOCK = dt.timedelta(hours=24)


def _fail(problems: list[FieldProblem], what: str) -> None:
    if problems:
        raise InvalidInput(message=problem_summary(problems, what), problems=problems)


def _prefix(i: int, n: int, name: str) -> str:
    return f"[{i}].{name}" if n > 1 else name
