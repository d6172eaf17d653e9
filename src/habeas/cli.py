"""The ``habeas`` command: a thin front for Django's management commands.

Two-word commands map to one management command: ``habeas estate import FILE`` runs
``estate_import``; ``habeas audit verify`` runs ``audit_verify`` — whenever such a command exists.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habeas.settings")
    import django
    from django.core.management import execute_from_command_line, get_commands

    if len(argv) >= 3 and not argv[2].startswith("-"):
        django.setup()
        if f"{argv[1]}_{argv[2]}" in get_commands():
            argv = [argv[0], f"{argv[1]}_{argv[2]}", *argv[3:]]

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
