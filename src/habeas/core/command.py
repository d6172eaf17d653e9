"""What every ``habeas`` command shares: the language, the actor, domain errors printed with
their field and line, JSON output, and progress bars on long work."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from habeas.audit.services import Actor
from habeas.core.errors import DomainError


class HabeasCommand(BaseCommand):
    """Subclasses implement ``run(**options)``; a ``DomainError`` becomes a clear message on
    stderr (every problem, with file line and field) and exit status 1."""

    json_option = False
    file_label = ""  # the input file, named in front of each problem's line

    def run_from_argv(self, argv: list[str]) -> None:
        # The language is chosen before the parser is built, so that --help and argument errors
        # speak it too (``execute`` below covers call_command).
        try:
            lang = language_of(_lang_in(argv[2:]))
        except CommandError as exc:
            self.stderr.write(self.style.ERROR(str(exc)))
            sys.exit(1)
        with translation.override(lang):
            super().run_from_argv(argv)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.help:
            # ``help`` was translated when the module was imported, before --lang was read: the
            # English text is the message id, so look it up again in the language now active.
            parser.description = _(str(self.help))
        parser.add_argument(
            "--lang",
            default=os.environ.get("HABEAS_LANG", ""),
            help=_("language of the output: en or es (default: HABEAS_LANG)"),
        )
        parser.add_argument(
            "--actor",
            default=os.environ.get("HABEAS_ACTOR", ""),
            help=_("user name recorded in the audit log (default: system)"),
        )
        if self.json_option:
            parser.add_argument(
                "--json",
                action="store_true",
                help=_("print the answer as JSON for a program to read"),
            )
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        with translation.override(language_of(options.get("lang") or "")):
            return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.run(*args, **options)
        except DomainError as exc:
            self.stderr.write(self.style.ERROR(f"{exc.message}"))
            for p in exc.details.get("problems", []):
                where = []
                if getattr(self, "file_label", ""):
                    where.append(str(self.file_label))
                if p.get("line"):
                    where.append(_("line %(n)s") % {"n": p["line"]})
                if p.get("field"):
                    where.append(str(p["field"]))
                self.stderr.write(f"  {': '.join(where)}: {p['message']} [{p['code']}]")
            if options.get("json"):
                self.stdout.write(json.dumps(exc.as_dict(), cls=DjangoJSONEncoder, indent=2))
            raise CommandError(
                _("%(code)s — nothing was changed.") % {"code": exc.code}, returncode=1
            ) from exc

    def run(self, *args: Any, **options: Any) -> None:
        raise NotImplementedError

    def actor(self, options: dict[str, Any]) -> Actor:
        name = options.get("actor") or ""
        if not name:
            return Actor(label=f"system:{self.__module__.rsplit('.', 1)[-1]}")
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(_("No user %(name)s.") % {"name": name})
        return Actor.of(user)

    def print_json(self, value: Any) -> None:
        self.stdout.write(json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[tqdm[Any]]:
        bar = tqdm(
            total=total,
            desc=label,
            unit="",
            file=sys.stderr,
            disable=not sys.stderr.isatty() and not os.environ.get("HABEAS_PROGRESS"),
            dynamic_ncols=True,
        )
        try:
            yield bar
        finally:
            bar.close()


def language_of(lang: str) -> str:
    """The supported language for ``--lang``/``HABEAS_LANG`` (``es``, ``es-SV``, ``es_SV`` …);
    English when none is given; a clear error for a language Habeas does not speak."""
    lang = (lang or os.environ.get("HABEAS_LANG", "") or "en").strip().replace("_", "-")
    try:
        return translation.get_supported_language_variant(lang)
    except LookupError:
        raise CommandError(
            _("Unknown language %(lang)s: Habeas speaks %(known)s.")
            % {"lang": lang, "known": ", ".join(code for code, _name in settings.LANGUAGES)}
        ) from None


def _lang_in(args: list[str]) -> str:
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return ""


def ticker(bar: tqdm[Any]) -> Callable[[int], None]:
    """A progress callback (``done`` so far) that moves ``bar`` forward."""

    def tick(done: int) -> None:
        bar.update(done - bar.n)

    return tick
