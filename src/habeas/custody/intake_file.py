"""The bulk intake file: CSV, one admission per row, UTF-8, a header row naming the columns.

Dates are ISO 8601 (``2026-11-25``); times are ISO 8601 with an offset (``2026-11-25T08:30-06:00``)
or without one, in which case they are read in the facility's time zone. Lists (aliases, groups)
are separated by ``;``; a group may carry its status after a colon (``ms13:claimed``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from habeas.core.errors import FieldProblem
from habeas.custody.inputs import (
    AdmissionIn,
    AffiliationIn,
    ArrivalIn,
    AuthorityIn,
    DocumentIn,
    PersonIn,
)

COLUMNS = [
    "given_names",
    "family_names",
    "date_of_birth",
    "sex",
    "nationality",
    "gender_identity",
    "aliases",
    "document_kind",
    "document_number",
    "document_country",
    "groups",
    "authority_kind",
    "authority_issuer",
    "authority_reference",
    "authority_issued_on",
    "authority_valid_from",
    "authority_valid_until",
    "authority_review_due_by",
    "offence",
    "arrested_at",
    "arrest_place",
    "arresting_authority",
    "visible_injuries",
    "ill_treatment_reported",
    "property_inventory",
    "family",
    "emergency_contact",
    "cell",
    "admitted_at",
    "distinct_from",
]
REQUIRED_COLUMNS = {
    "given_names",
    "family_names",
    "date_of_birth",
    "sex",
    "nationality",
    "authority_kind",
    "authority_issuer",
    "authority_reference",
    "authority_issued_on",
    "authority_valid_from",
}
MAX_ROWS = 200_000
MAX_FIELD = 5000


class _Line:
    def __init__(
        self, line: int, row: dict[str, str], tz: ZoneInfo, problems: list[FieldProblem]
    ) -> None:
        self.line, self.row, self.tz, self.problems = line, row, tz, problems

    def text(self, key: str) -> str:
        value = (self.row.get(key) or "").strip()
        if len(value) > MAX_FIELD:
            self.fail(key, _("is longer than %(n)d characters") % {"n": MAX_FIELD})
            return value[:MAX_FIELD]
        return value

    def fail(self, key: str, message: str, code: str = "INVALID") -> None:
        self.problems.append(FieldProblem(field=key, message=message, code=code, line=self.line))

    def date(self, key: str) -> dt.date | None:
        value = self.text(key)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(key, _("%(value)r is not a date (YYYY-MM-DD)") % {"value": value})
            return None

    def moment(self, key: str) -> dt.datetime | None:
        value = self.text(key)
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(
                key, _("%(value)r is not a date and time (YYYY-MM-DDTHH:MM)") % {"value": value}
            )
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.tz)
        return parsed


def parse(text: str, *, time_zone: str) -> tuple[list[AdmissionIn], list[FieldProblem]]:
    """Every admission of the file, and every problem (line, column, reason)."""
    problems: list[FieldProblem] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = sorted(REQUIRED_COLUMNS - set(header))
    unknown = sorted(set(header) - set(COLUMNS))
    if missing:
        problems.append(
            FieldProblem(
                field="header",
                line=1,
                code="MISSING_COLUMN",
                message=_("missing column(s): %(cols)s") % {"cols": ", ".join(missing)},
            )
        )
    if unknown:
        problems.append(
            FieldProblem(
                field="header",
                line=1,
                code="UNKNOWN_COLUMN",
                message=_("unknown column(s): %(cols)s") % {"cols": ", ".join(unknown)},
            )
        )
    if problems:
        return [], problems
    tz = ZoneInfo(time_zone)
    admissions: list[AdmissionIn] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(admissions) >= MAX_ROWS:
                problems.append(
                    FieldProblem(
                        field="file",
                        line=line,
                        code="TOO_MANY_ROWS",
                        message=_("more than %(n)d rows; split the file") % {"n": MAX_ROWS},
                    )
                )
                break
            if None in row:
                problems.append(
                    FieldProblem(
                        field="row",
                        line=line,
                        code="EXTRA_FIELDS",
                        message=_("more fields than columns"),
                    )
                )
                continue
            admissions.append(_admission(_Line(line, row, tz, problems)))
    except csv.Error as exc:
        problems.append(
            FieldProblem(field="file", line=reader.line_num, code="CSV_SYNTAX", message=str(exc))
        )
    if not admissions and not problems:
        problems.append(
            FieldProblem(
                field="file", line=1, code="EMPTY", message=_("the file has no admissions")
            )
        )
    return admissions, problems


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _admission(r: _Line) -> AdmissionIn:
    documents: tuple[DocumentIn, ...] = ()
    if r.text("document_number"):
        documents = (
            DocumentIn(
                kind=r.text("document_kind") or "national_id",
                number=r.text("document_number"),
                issuing_country=r.text("document_country") or r.text("nationality"),
            ),
        )
    affiliations = []
    for item in _split(r.text("groups")):
        code, _sep, status = item.partition(":")
        affiliations.append(
            AffiliationIn(
                group=code.strip(), status=status.strip() or "assessed", source=_("intake file")
            )
        )
    distinct: list[int] = []
    for item in _split(r.text("distinct_from")):
        if item.isdigit():
            distinct.append(int(item))
        else:
            r.fail("distinct_from", _("must list person ids separated by ;"))
    person = PersonIn(
        given_names=r.text("given_names"),
        family_names=r.text("family_names"),
        date_of_birth=r.date("date_of_birth"),
        sex=r.text("sex").upper(),
        nationality=r.text("nationality"),
        gender_identity=r.text("gender_identity"),
        aliases=tuple(_split(r.text("aliases"))),
        documents=documents,
        affiliations=tuple(affiliations),
    )
    authority = None
    if r.text("authority_kind"):
        authority = AuthorityIn(
            kind=r.text("authority_kind"),
            issuing_authority=r.text("authority_issuer"),
            reference=r.text("authority_reference"),
            issued_on=r.date("authority_issued_on"),
            valid_from=r.moment("authority_valid_from"),
            valid_until=r.moment("authority_valid_until"),
            review_due_by=r.moment("authority_review_due_by"),
            offence=r.text("offence"),
        )
    arrival = ArrivalIn(
        arrested_at=r.moment("arrested_at"),
        arrest_place=r.text("arrest_place"),
        arresting_authority=r.text("arresting_authority"),
        visible_injuries=r.text("visible_injuries"),
        ill_treatment_reported=r.text("ill_treatment_reported"),
        property_inventory=r.text("property_inventory"),
        family=r.text("family"),
        emergency_contact=r.text("emergency_contact"),
    )
    return AdmissionIn(
        authority=authority,
        person=person,
        arrival=arrival,
        cell=r.text("cell") or None,
        admitted_at=r.moment("admitted_at"),
        distinct_from=tuple(distinct),
        line=r.line,
    )


def write(admissions: Iterable[dict[str, str]]) -> str:
    """A CSV of admissions, for the demo and the benchmarks."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for row in admissions:
        writer.writerow(row)
    return out.getvalue()
