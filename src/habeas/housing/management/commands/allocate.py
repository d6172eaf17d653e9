from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.command import HabeasCommand
from habeas.core.errors import InvalidInput, NotFound
from habeas.core.translated import field_problems
from habeas.custody.admission import get_facility
from habeas.housing import allocator as alloc
from habeas.housing import instance as instance_file
from habeas.housing import planning


class Command(HabeasCommand):
    help = _(
        "Plan placements with the allocation engine: place everyone waiting without a cell "
        "(intake) or re-plan the facility with the fewest moves (rebalance). With --instance, "
        "run the engine alone on an instance file, without the database."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", help=_("facility code"))
        parser.add_argument("--mode", choices=planning.MODES, default="intake")
        parser.add_argument(
            "--dry-run", action="store_true", help=_("show the plan without applying it")
        )
        parser.add_argument(
            "--reason", default="", help=_("why the plan is applied (required unless --dry-run)")
        )
        parser.add_argument(
            "--instance", type=Path, help=_("an instance file (JSON; see docs/allocation.md)")
        )

    def run(self, *args: Any, **options: Any) -> None:
        if options.get("instance"):
            self.run_instance(options)
            return
        if not options.get("facility"):
            raise InvalidInput(
                code="REQUIRED",
                field="facility",
                message=_("Give --facility CODE, or --instance FILE."),
            )
        facility = get_facility(options["facility"])
        now = clock.now()
        if options["dry_run"]:
            proposal = planning.propose(facility=facility, mode=options["mode"], at=now)
        else:
            with transaction.atomic():
                proposal = planning.apply(
                    facility=facility,
                    mode=options["mode"],
                    expected=None,
                    reason=options["reason"],
                    actor=self.actor(options),
                    at=now,
                )
        if options.get("json"):
            self.print_json({**proposal.as_dict(), "applied": not options["dry_run"]})
            return
        verb = _("Plan (not applied)") if options["dry_run"] else _("Applied")
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"{verb}: {facility.code} — {options['mode']}")
        )
        self.stdout.write(
            _("%(p)d placements, %(m)d moves, %(u)d people without a cell.")
            % {"p": proposal.placements, "m": proposal.moves, "u": len(proposal.unplaced)}
        )
        for u in proposal.units:
            self.stdout.write(
                f"  {u.code:<6} {u.before:>6} → {u.after:<6} "
                + _("(in %(i)d, out %(o)d; operational %(op)d, standard %(std)d)")
                % {
                    "i": u.moves_in,
                    "o": u.moves_out,
                    "op": u.operational_capacity,
                    "std": u.standard_capacity,
                }
            )
        for pid, reasons in proposal.unplaced[:50]:
            number = proposal.people.get(pid, ("?", ""))[0]
            self.stdout.write(self.style.WARNING(f"  {number}: {' '.join(reasons)}"))
        for line in proposal.unresolved:
            self.stdout.write(self.style.ERROR(f"  {line}"))

    def run_instance(self, options: dict[str, Any]) -> None:
        path: Path = options["instance"]
        self.file_label = str(path)
        try:
            inst = instance_file.load_instance(path)
        except FileNotFoundError as exc:
            raise NotFound(
                code="FILE_NOT_FOUND",
                field="instance",
                message=_("No such file: %(path)s") % {"path": path},
            ) from exc
        except instance_file.InstanceError as exc:
            raise InvalidInput(
                code="INVALID_INSTANCE",
                message=_("%(path)s has %(n)d problem(s).")
                % {"path": path, "n": len(exc.problems)},
                problems=field_problems(exc.marked_problems),
            ) from exc
        if options["mode"] == "rebalance":
            plan = alloc.rebalance(inst)
        else:
            plan = alloc.intake(inst, [p.id for p in inst.people if p.id not in inst.placements])
        if options.get("json"):
            self.stdout.write(json.dumps(instance_file.dump_plan(plan), indent=2))
            return
        self.stdout.write(
            _(
                "%(p)d placements, %(m)d moves, %(u)d not placed (%(s)d for lack of "
                "room); worst occupancy against standard capacity %(w).2f."
            )
            % {
                "p": len(plan.placements),
                "m": len(plan.moves),
                "u": len(plan.unplaced),
                "s": plan.shortfall,
                "w": plan.worst_ratio,
            }
        )
        for person, cell in plan.placements:
            self.stdout.write(f"  {person} → {cell}")
        for move in plan.moves:
            self.stdout.write(f"  {move.person}: {move.from_cell} → {move.to_cell}")
        for u in plan.unplaced:
            self.stdout.write(
                self.style.WARNING(f"  {u.person}: " + ", ".join(r.code for r in u.reasons))
            )
