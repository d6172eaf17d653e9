"""What every ``habeas`` command shares: the language, the actor, domain errors printed with
their field and line, JSON output, and progress bars on long work."""

from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
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

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> ArgumentParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
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
        lang = options.get("lang") or "en"
        with translation.override(lang):
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
        return Actor.of(user)  # type: ignore[arg-type]

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
