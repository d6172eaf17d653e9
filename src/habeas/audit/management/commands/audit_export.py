from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from habeas.audit import anchor, checkpoints
from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import RuleViolation


class Command(HabeasCommand):
    help = _(
        "Export the audit checkpoints and the public key for an inspector, who keeps the file and "
        "later checks the chain with `habeas audit verify --checkpoints FILE --public-key KEY`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help=_("file to write (JSON)"))
        parser.add_argument(
            "--latest", action="store_true", help=_("only the most recent checkpoint")
        )

    def run(self, *args: Any, **options: Any) -> None:
        found = checkpoints.gather()
        if not found:
            raise RuleViolation(
                code="NO_CHECKPOINT",
                message=_("There is no checkpoint yet: run `habeas audit checkpoint` first."),
            )
        if options["latest"]:
            found = found[-1:]
        public = checkpoints.verification_key()
        document = {
            "exported_at": clock.now().isoformat(),
            "public_key": anchor.public_pem(public) if public is not None else None,
            "key_id": anchor.key_id(public) if public is not None else None,
            "checkpoints": [c.as_dict() for c in found],
        }
        out: Path = options["out"]
        out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(
            _("Exported %(n)d checkpoint(s) up to event #%(seq)d to %(path)s.")
            % {"n": len(found), "seq": found[-1].seq, "path": out}
        )
