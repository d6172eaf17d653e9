from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from habeas.audit.models import AuditEvent
from habeas.audit.selectors import verify
from habeas.core.command import HabeasCommand

PROBLEMS = {
    "EDITED": _("event #%(seq)s was edited after it was written"),
    "BROKEN_LINK": _(
        "event #%(seq)s does not follow the event before it: an event was removed "
        "or the events were reordered"
    ),
    "MISSING": _("event #%(seq)s is missing: events were removed"),
    "HEAD_MISMATCH": _(
        "the chain ends before the recorded head: events were removed from the "
        "end, or the head was altered (after event #%(last)s)"
    ),
}


class Command(HabeasCommand):
    help = _("Check the audit chain: reports OK, or the first event edited, removed or reordered.")
    json_option = True

    def run(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        with self.progress(total, _("Verifying")) as bar:
            result = verify(progress=lambda n: bar.update(n - bar.n))
        if options.get("json"):
            self.print_json(
                {
                    "ok": result.ok,
                    "checked": result.checked,
                    "head_seq": result.head_seq,
                    "head_hash": result.head_hash,
                    "problem": result.problem or None,
                    "seq": result.seq,
                }
            )
        if result.ok:
            if not options.get("json"):
                self.stdout.write(
                    self.style.SUCCESS(
                        _("OK: %(n)d events, head %(hash)s")
                        % {"n": result.checked, "hash": result.head_hash}
                    )
                )
            return
        message = str(PROBLEMS[result.problem]) % {"seq": result.seq, "last": result.checked}
        raise CommandError(
            _("Audit chain broken: %(problem)s.") % {"problem": message}, returncode=2
        )
