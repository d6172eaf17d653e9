"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from habeas.core.api import AUTH
from habeas.core.errors import DomainError
from habeas.core.registry import app_modules

api = NinjaAPI(
    title="Habeas",
    version="1",
    description=_(
        "Where each person is held, on what lawful authority, until when, and under what "
        "conditions. Errors carry a stable code, a message and the field at fault."
    ),
    auth=AUTH,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "payload")]
        problems.append(
            {
                "field": ".".join(loc),
                "message": _problem_message(err),
                "code": str(err.get("type", "INVALID")).upper(),
                "line": None,
            }
        )
    body = {
        "code": "INVALID_INPUT",
        "message": _("The request is malformed: %(n)d problem(s).") % {"n": len(problems)},
        "field": problems[0]["field"] if problems else None,
        "details": {"problems": problems},
    }
    return api.create_response(request, body, status=422)


def _problem_message(err: dict[str, object]) -> str:
    """Pydantic's message for a malformed value, in the language of the request when it is one
    of the common kinds (pydantic speaks English only); the ``code`` stays pydantic's type."""
    ctx = err.get("ctx")
    ctx = ctx if isinstance(ctx, dict) else {}
    kind = str(err.get("type", ""))
    simple = {
        "missing": _("This field is required."),
        "int_parsing": _("Give a whole number."),
        "int_type": _("Give a whole number."),
        "int_from_float": _("Give a whole number."),
        "float_parsing": _("Give a number."),
        "float_type": _("Give a number."),
        "decimal_parsing": _("Give a number."),
        "bool_parsing": _("Give true or false."),
        "string_type": _("Give a text."),
        "date_parsing": _("Give a date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Give a date (YYYY-MM-DD)."),
        "datetime_parsing": _("Give a date and time (YYYY-MM-DDTHH:MM:SS±HH:MM)."),
        "datetime_from_date_parsing": _("Give a date and time (YYYY-MM-DDTHH:MM:SS±HH:MM)."),
        "json_invalid": _("The body is not valid JSON."),
        "enum": _("Not one of the allowed values (%(allowed)s).")
        % {"allowed": ctx.get("expected", "")},
        "literal_error": _("Not one of the allowed values (%(allowed)s).")
        % {"allowed": ctx.get("expected", "")},
    }
    if kind in simple:
        return simple[kind]
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("At least %(n)s characters.") % {"n": ctx.get("min_length", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt", ""))}
    return str(err.get("msg", ""))


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A number (or text) the database cannot hold — an id of 30 digits — is a malformed request,
    not a server error (issue #8: found by the API fuzzer on SQLite and PostgreSQL)."""
    body = {
        "code": "OUT_OF_RANGE",
        "message": _("A value in the request is out of range."),
        "field": None,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"code": "UNAUTHENTICATED", "message": _("Sign in or send an API token."), "field": None}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    body = {"code": f"HTTP_{exc.status_code}", "message": str(exc), "field": None}
    return api.create_response(request, body, status=exc.status_code)


# Each app's router declares its own full paths (``/facilities/{code}/roll``, ``/people/{id}``).
for _module in app_modules("api"):
    api.add_router("/", _module.router)
