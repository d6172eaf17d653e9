from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from habeas.core.command import HabeasCommand
from habeas.core.errors import InvalidInput
from habeas.core.translated import field_problems
from habeas.sentencing import explain
from habeas.sentencing.calculator import CalculationRefused, calculate
from habeas.sentencing.files import (
    CalculationFileError,
    calculation_to_dict,
    loads_what_if,
    refusal_to_dict,
)


class Command(HabeasCommand):
    help = _(
        "Calculate a what-if file (sentences, remand, profile; schema in docs/sentencing.md) "
        "without touching the database: the release date, the conditional-release date and "
        "every step of the calculation."
    )
    json_option = True
    # A what-if tool: no database, so no checks that might open one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("what-if file (JSON), or - for standard input"))

    def run(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        self.file_label = name
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(why)s") % {"file": name, "why": exc.strerror}
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": name}) from exc
        try:
            what = loads_what_if(text)
        except CalculationFileError as exc:
            problems = field_problems(exc.marked_problems)
            raise InvalidInput(
                code="INVALID_WHAT_IF",
                message=_("The file has %(n)d problem(s).") % {"n": len(problems)},
                problems=problems,
            ) from exc
        try:
            result = calculate(what.sentences, what.profile, remand_days=what.remand_days)
        except CalculationRefused as refused:
            if options.get("json"):
                body = refusal_to_dict(refused)
                body["refused"]["message"] = explain.refusal_message(refused)
                self.print_json(body)
                raise CommandError(
                    _("%(code)s — the calculator refused.") % {"code": refused.code},
                    returncode=1,
                ) from refused
            raise explain.as_domain_error(refused) from refused
        steps = explain.explain(result.steps)
        if options.get("json"):
            body = calculation_to_dict(result)
            body["explanation"] = steps
            self.print_json(body)
            return
        rows = [
            (_("Sentence start"), result.sentence_start.isoformat()),
            (_("Custody counted from"), result.deemed_start.isoformat()),
            (_("Nominal term"), explain.term_text(str(result.nominal_term))),
            (
                _("Enforceable term"),
                explain.term_text(str(result.enforceable_term))
                + (f"  ({_('capped')})" if result.capped else ""),
            ),
            (_("Last day served"), result.last_day.isoformat()),
            (_("Release date"), result.release_date.isoformat()),
            (
                _("Conditional release"),
                result.conditional_release_date.isoformat()
                if result.conditional_release_date
                else _("not reachable before release"),
            ),
        ]
        width = max(len(str(label)) for label, _value in rows)
        for label, value in rows:
            self.stdout.write(f"{label!s:<{width}}  {value}")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("How it was calculated")))
        for n, step in enumerate(steps, 1):
            self.stdout.write(f"{n:>3}. {step}")
