"""The Django side of :mod:`habeas.core.marks`: a pure module's messages in the active language.

The pure file readers (``habeas.housing.instance``, ``habeas.sentencing.files``) report each
problem as a marked English template and its parameters; the commands, the API and the pages
translate them here, when they show them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext

from habeas.core.errors import FieldProblem
from habeas.core.marks import Message, Problem

__all__ = ["field_problems", "translated"]


def translated(message: Message) -> str:
    """``message`` in the active language: its template looked up in the catalogue, then its
    parameters filled in (a parameter that is itself a marked :class:`Message`, such as the
    word "null", translated the same way)."""
    template = gettext(message.template)
    if not message.params:
        return template
    return template % {
        key: translated(value) if isinstance(value, Message) else value
        for key, value in message.params.items()
    }


def field_problems(problems: Iterable[Problem], *, code: str = "INVALID") -> list[FieldProblem]:
    """Each problem of a file as a :class:`FieldProblem` (its JSON path as the field), the
    reason in the active language."""
    return [
        FieldProblem(field=problem.path, message=translated(problem.reason), code=code)
        for problem in problems
    ]
