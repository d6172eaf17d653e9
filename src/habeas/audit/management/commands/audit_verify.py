from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habeas.audit import checkpoints
from habeas.audit.models import AuditEvent
from habeas.audit.selectors import verify
from habeas.core.command import HabeasCommand

PROBLEMS = {
    "EDITED": gettext_lazy("event #%(seq)s was edited after it was written"),
    "BROKEN_LINK": gettext_lazy(
        "event #%(seq)s does not follow the event before it: an event was removed "
        "or the events were reordered"
    ),
    "MISSING": gettext_lazy("event #%(seq)s is missing: events were removed"),
    "HEAD_MISMATCH": gettext_lazy(
        "the chain ends before the recorded head: events were removed from the "
        "end, or the head was altered (after event #%(last)s)"
    ),
}
# Checked against signed checkpoints (audit.checkpoints.check).
CHECKPOINT_PROBLEMS = {
    "BAD_SIGNATURE": gettext_lazy(
        "the checkpoint at event #%(seq)s (%(at)s) is not signed by the audit key: it was forged "
        "or altered"
    ),
    "BEYOND_END": gettext_lazy(
        "the chain no longer reaches event #%(seq)s, signed at %(at)s: its tail was removed"
    ),
    "HASH_MISMATCH": gettext_lazy(
        "event #%(seq)s no longer has the hash signed at %(at)s: the chain was rewritten"
    ),
}


class Command(HabeasCommand):
    help = _(
        "Check the audit chain: reports OK, or the first event edited, removed or reordered; "
        "then every signed checkpoint (in the database, in HABEAS_AUDIT_CHECKPOINTS and in the "
        "files given), so a truncated or wholly rewritten chain is found too."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            action="append",
            type=Path,
            default=[],
            metavar="FILE",
            help=_("checkpoints held outside the database (an inspector's export); repeatable"),
        )
        parser.add_argument(
            "--public-key",
            type=Path,
            default=None,
            help=_("the public key to check signatures with (default: from the settings)"),
        )

    def run(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        with self.progress(total, _("Verifying")) as bar:

            def advance(n: int) -> None:
                bar.update(n - bar.n)

            result = verify(progress=advance)
        found = checkpoints.gather(options["checkpoints"])
        public = checkpoints.verification_key(options["public_key"]) if found else None
        cp_problems = checkpoints.check(found, public) if public is not None else []
        messages: list[str] = []
        if not result.ok:
            messages.append(
                str(PROBLEMS[result.problem]) % {"seq": result.seq, "last": result.checked}
            )
        if found and public is None:
            messages.append(
                _(
                    "%(n)d checkpoint(s) cannot be checked: no public key (HABEAS_AUDIT_PUBLIC_KEY "
                    "or --public-key)"
                )
                % {"n": len(found)}
            )
        messages += [
            str(CHECKPOINT_PROBLEMS[p.problem]) % {"seq": p.seq, "at": p.at} for p in cp_problems
        ]
        ok = not messages
        if options.get("json"):
            self.print_json(
                {
                    "ok": ok,
                    "checked": result.checked,
                    "head_seq": result.head_seq,
                    "head_hash": result.head_hash,
                    "problem": result.problem or None,
                    "seq": result.seq,
                    "checkpoints": {
                        "checked": len(found) if public is not None else 0,
                        "found": len(found),
                        "problems": [p.as_dict() for p in cp_problems],
                    },
                }
            )
        if ok:
            if not options.get("json"):
                line = _("OK: %(n)d events, head %(hash)s") % {
                    "n": result.checked,
                    "hash": result.head_hash,
                }
                if found:
                    line += "; " + _("%(n)d signed checkpoint(s) hold") % {"n": len(found)}
                self.stdout.write(self.style.SUCCESS(line))
            return
        for m in messages[1:]:
            self.stderr.write(f"  {m}")
        raise CommandError(
            _("Audit chain broken: %(problem)s.") % {"problem": messages[0]}, returncode=2
        )
