from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from habeas.audit.services import write_checkpoint
from habeas.core import clock
from habeas.core.command import HabeasCommand


class Command(HabeasCommand):
    help = _(
        "Sign the audit chain's length and head with the key outside the database "
        "(HABEAS_AUDIT_KEY). Run it on a schedule (see docs/backups.md)."
    )
    json_option = True

    def run(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            signed = write_checkpoint(actor=self.actor(options), at=clock.now())
        if options.get("json"):
            self.print_json(signed.as_dict())
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Checkpoint: %(n)d events, head %(hash)s, signed by key %(key)s.")
                % {"n": signed.seq, "hash": signed.hash, "key": signed.key_id}
            )
        )
