"""The ``habeas`` command: a thin front for Django's management commands.

Two-word commands map to one management command: ``habeas estate import FILE`` runs
``estate_import``; ``habeas audit verify`` runs ``audit_verify``.
"""

from __future__ import annotations

import os
import sys

TWO_WORD = {
    ("estate", "import"),
    ("intake", "import"),
    ("audit", "verify"),
    ("users", "create"),
    ("users", "token"),
    ("ledger", "build"),
    ("ledger", "export"),
    ("standards", "check"),
    ("sentencing", "calculate"),
    ("conditions", "import"),
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habeas.settings")
    if len(argv) >= 3 and (argv[1], argv[2]) in TWO_WORD:
        argv = [argv[0], f"{argv[1]}_{argv[2]}", *argv[3:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
