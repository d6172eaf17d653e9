from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from habeas.audit import anchor
from habeas.core.command import HabeasCommand


class Command(HabeasCommand):
    help = _(
        "Create the Ed25519 key that signs audit checkpoints, and its public key for inspectors. "
        "Keep the private key off the database server's disks and backups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("where to write the private key (PEM)"))

    def run(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            private = anchor.generate_key(path)
        except FileExistsError as exc:
            raise CommandError(
                _("%(path)s exists: a key that signed checkpoints is never overwritten.")
                % {"path": path}
            ) from exc
        public = private.public_key()
        public_path = path.with_name(path.name + ".pub")
        public_path.write_text(anchor.public_pem(public), encoding="ascii")
        self.stdout.write(
            _("Private key %(path)s (set HABEAS_AUDIT_KEY to it); public key %(pub)s; key %(id)s.")
            % {"path": path, "pub": public_path, "id": anchor.key_id(public)}
        )
