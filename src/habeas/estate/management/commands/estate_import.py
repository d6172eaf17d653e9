from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.estate.services import import_estate_file


class Command(HabeasCommand):
    help = _("Load an estate (facilities, units, cells) from a YAML file, all or nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def run(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        self.file_label = str(path)
        with transaction.atomic():
            counts = import_estate_file(path=path, actor=self.actor(options), at=clock.now())
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(facilities)d facilities, %(units)d units; %(cells_created)d cells "
                    "created, %(cells_updated)d updated."
                )
                % counts
            )
        )
