"""Run in a process of its own by the crash tests: migrate a fresh database, load the CECOT-like
estate, register the security-threat groups and their rivalries (``python -m
tests.reliability.crash_setup``, with ``DATABASE_URL`` set)."""

from __future__ import annotations

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from habeas.audit.services import Actor
    from habeas.core import clock
    from habeas.demo.management.commands.demo import GROUPS
    from habeas.people.services import declare_rivalry, register_group

    call_command("migrate", verbosity=0)
    call_command("estate_import", "src/habeas/demo/cecot.yaml", verbosity=0)
    actor, now = Actor(label="system:crash-test"), clock.now()
    with transaction.atomic():
        g = {c: register_group(code=c, name=n, actor=actor, at=now) for c, n in GROUPS}
        for a, b in (("ms13", "b18s"), ("ms13", "b18r"), ("b18s", "b18r")):
            declare_rivalry(group=g[a], rival=g[b], scope="cell", actor=actor, at=now, reason="-")


if __name__ == "__main__":
    main()
