from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from habeas.core import backup
from habeas.core.command import HabeasCommand


class Command(HabeasCommand):
    help = _(
        "Restore a backup into a database (by default the configured one, which must be empty) "
        "and check that it holds what the manifest says: row counts of every table and the audit "
        "chain's head."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("the backup file (its manifest beside it)"))
        parser.add_argument(
            "--database-url",
            default="",
            help=_("where to restore (default: DATABASE_URL); created when missing"),
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("drop and replace a target database that already holds tables"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        url = options["database_url"]
        if url:
            target = backup.Target.of_url(url)
        elif os.environ.get("DATABASE_URL"):
            target = backup.Target.of_url(os.environ["DATABASE_URL"])
        else:
            target = backup.Target.of_django()
        if target.engine == "postgresql" and not url:
            # Restoring over the database this process is connected to: let go of it first.
            from django.db import connection

            connection.close()
        manifest, found = backup.restore(
            copy=options["file"], target=target, replace=options["replace"]
        )
        problems = backup.verify(manifest, found)
        if options.get("json"):
            self.print_json(
                {
                    "restored_into": target.name,
                    "engine": target.engine,
                    "tables": len(found.tables),
                    "rows": sum(found.tables.values()),
                    "audit_head_seq": found.audit_head_seq,
                    "audit_head_hash": found.audit_head_hash,
                    "verified": not problems,
                    "problems": problems,
                }
            )
        if problems:
            for p in problems:
                self.stderr.write(f"  {p}")
            raise CommandError(
                _("The restored database differs from the backup's manifest: %(n)d difference(s).")
                % {"n": len(problems)},
                returncode=2,
            )
        if not options.get("json"):
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Restored %(rows)d rows in %(tables)d tables into %(name)s; counts and "
                        "audit head #%(seq)d match the manifest. Run `habeas audit verify` on it."
                    )
                    % {
                        "rows": sum(found.tables.values()),
                        "tables": len(found.tables),
                        "name": target.name,
                        "seq": found.audit_head_seq,
                    }
                )
            )
