"""Domain errors: a stable machine-readable code, a message for a person, and the field at fault.

The API maps them to HTTP: ``NotFound`` → 404, ``RuleViolation`` → 409, ``InvalidInput`` → 422,
``PermissionDenied`` → 403. Pages show the same message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """A refusal by a rule of the domain. Nothing is saved when one is raised inside a use case."""

    status = 409

    def __init__(
        self,
        *,
        code: str,
        message: str,
        field: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        self.details = dict(details or {})

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.details:
            body["details"] = self.details
        return body

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" + (f" ({self.field})" if self.field else "")


class RuleViolation(DomainError):
    """The request is well-formed but a rule or the current state forbids it (HTTP 409)."""

    status = 409


class NotFound(DomainError):
    """The thing asked for does not exist, or is not visible to the person asking (HTTP 404)."""

    status = 404


class PermissionDenied(DomainError):
    """The person asking is signed in but their role does not allow this (HTTP 403)."""

    status = 403


@dataclass(frozen=True)
class FieldProblem:
    """One problem in an input: where (field, and line when the input is a file) and why."""

    field: str
    message: str
    code: str = "INVALID"
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "code": self.code, "line": self.line}


@dataclass
class InvalidInputDetails:
    problems: list[FieldProblem] = field(default_factory=list)


class InvalidInput(DomainError):
    """The input is malformed: wrong type, out of range, missing (HTTP 422).

    Carries every problem found, not just the first, so a file with many bad lines is reported
    whole.
    """

    status = 422

    def __init__(
        self,
        *,
        code: str = "INVALID_INPUT",
        message: str,
        field: str | None = None,
        problems: Iterable[FieldProblem] = (),
    ) -> None:
        self.problems = list(problems)
        if field is None and len(self.problems) == 1:
            field = self.problems[0].field
        super().__init__(
            code=code,
            message=message,
            field=field,
            details={"problems": [p.as_dict() for p in self.problems]} if self.problems else None,
        )
