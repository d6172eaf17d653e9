from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from habeas.core import backup, clock
from habeas.core.command import HabeasCommand


class Command(HabeasCommand):
    help = _(
        "Back up the database (pg_dump, or SQLite's backup API) with a manifest of row counts "
        "and the audit chain's head; then restore it into a scratch database and check it "
        "against the manifest. See docs/backups.md."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            default=Path(os.environ.get("HABEAS_BACKUP_DIR", "") or settings.VAR_DIR / "backups"),
            help=_("directory for the backup (default: HABEAS_BACKUP_DIR or var/backups)"),
        )
        parser.add_argument(
            "--no-verify",
            action="store_true",
            help=_("skip the trial restore (not recommended)"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        copy, manifest = backup.backup(out_dir=options["out"], at=clock.now())
        problems = [] if options["no_verify"] else backup.verify_copy(copy)
        snap = manifest.snapshot
        if options.get("json"):
            self.print_json(
                {
                    "file": str(copy),
                    "manifest": str(backup.manifest_path(copy)),
                    "engine": manifest.engine,
                    "tables": len(snap.tables),
                    "rows": sum(snap.tables.values()),
                    "audit_head_seq": snap.audit_head_seq,
                    "audit_head_hash": snap.audit_head_hash,
                    "verified": not options["no_verify"] and not problems,
                    "problems": problems,
                }
            )
        else:
            self.stdout.write(
                _("Backed up %(tables)d tables, %(rows)d rows, audit head #%(seq)d to %(file)s.")
                % {
                    "tables": len(snap.tables),
                    "rows": sum(snap.tables.values()),
                    "seq": snap.audit_head_seq,
                    "file": copy,
                }
            )
        if problems:
            for p in problems:
                self.stderr.write(f"  {p}")
            raise CommandError(
                _("The backup does not restore to what was copied: %(n)d difference(s).")
                % {"n": len(problems)},
                returncode=2,
            )
        if not options["no_verify"] and not options.get("json"):
            self.stdout.write(
                self.style.SUCCESS(
                    _("Verified: a trial restore holds the same rows and audit head.")
                )
            )
