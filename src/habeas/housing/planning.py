"""Plans for many people at once: place everyone waiting in reception (intake), or re-plan the
whole facility with the fewest moves (rebalance), previewed, then approved and applied in one
transaction — or not at all if anything changed between the preview and the approval.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record_many
from habeas.core import clock
from habeas.core.bulk import insert_rows
from habeas.core.errors import InvalidInput, RuleViolation
from habeas.custody.models import Stay
from habeas.estate.models import Cell, Facility
from habeas.housing import allocator as alloc
from habeas.housing import engine
from habeas.housing.models import OverCapacityAuthorisation, Placement
from habeas.people.models import ACTIVE_AFFILIATION, Affiliation, NonAssociation, Rivalry

MODES = ("intake", "rebalance")


def waiting(facility: Facility, at: dt.datetime) -> list[alloc.Person]:
    """People on the facility's roll without a cell (reception, back from court …)."""
    stays = list(
        Stay.objects.filter(facility=facility, ended_at__isnull=True)
        .annotate(
            placed=Exists(
                Placement.objects.filter(person=OuterRef("person_id"), ended_at__isnull=True)
            ),
            convicted=engine.convicted_filter(at),
        )
        .filter(placed=False)
        .values_list("person_id", "person__sex", "person__date_of_birth", "convicted")
    )
    groups: dict[int, set[str]] = {}
    for pid, code in Affiliation.objects.filter(
        ACTIVE_AFFILIATION, person_id__in=[s[0] for s in stays]
    ).values_list("person_id", "group__code"):
        groups.setdefault(pid, set()).add(code)
    today = clock.local_date(at, facility.time_zone)
    return [
        alloc.Person(
            id=pid,
            sex=sex,
            age=clock.age_on(born, today),
            status=engine.CONVICTED if convicted else engine.UNTRIED,
            groups=frozenset(groups.get(pid, ())),
        )
        for pid, sex, born, convicted in stays
    ]


def fingerprint(facility: Facility, at: dt.datetime) -> str:
    """A digest of everything a plan depends on: who is where, who waits, the cells' capacity
    and service, rivalries, non-associations and over-capacity decisions. Any change between a
    preview and its approval changes it."""
    h = hashlib.sha256()
    parts = [
        Placement.objects.filter(facility=facility, ended_at__isnull=True)
        .order_by("person_id")
        .values_list("person_id", "cell_id"),
        Stay.objects.filter(facility=facility, ended_at__isnull=True)
        .order_by("person_id")
        .values_list("person_id", flat=True),
        Cell.objects.filter(facility=facility)
        .order_by("pk")
        .values_list("pk", "operational_capacity", "bunks", "in_service"),
        Rivalry.objects.order_by("pk").values_list("group_a_id", "group_b_id", "scope"),
        NonAssociation.objects.filter(ended_at__isnull=True)
        .order_by("pk")
        .values_list("person_a_id", "person_b_id", "scope"),
        OverCapacityAuthorisation.objects.filter(facility=facility)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=at))
        .order_by("pk")
        .values_list("cell_id", "ceiling"),
        Affiliation.objects.filter(
            person__stays__facility=facility, person__stays__ended_at__isnull=True
        )
        .order_by("person_id", "group_id")
        .values_list("person_id", "group_id", "status"),
    ]
    for rows in parts:
        for row in rows.iterator(chunk_size=5000):
            h.update(repr(row).encode())
        h.update(b"|")
    return h.hexdigest()


@dataclass
class UnitChange:
    code: str
    name: str
    before: int
    after: int
    moves_in: int
    moves_out: int
    operational_capacity: int
    standard_capacity: int


@dataclass
class Proposal:
    facility: Facility
    mode: str
    at: dt.datetime
    plan: alloc.Plan
    fingerprint: str
    cell_codes: dict[int, str]
    people: dict[int, tuple[str, str]]  # id -> custody number, name
    units: list[UnitChange] = field(default_factory=list)
    unplaced: list[tuple[int, list[str]]] = field(default_factory=list)  # person, reasons
    unresolved: list[str] = field(default_factory=list)

    @property
    def moves(self) -> int:
        return len(self.plan.moves)

    @property
    def placements(self) -> int:
        return len(self.plan.placements)

    @property
    def unplaced_people(self) -> list[dict[str, object]]:
        return [
            {
                "person_id": pid,
                "custody_number": self.people.get(pid, ("?", ""))[0],
                "reasons": reasons,
            }
            for pid, reasons in self.unplaced
        ]

    @property
    def empty(self) -> bool:
        return not self.plan.moves and not self.plan.placements

    def as_dict(self) -> dict[str, object]:
        def who(pid: int) -> dict[str, object]:
            number, name = self.people.get(pid, ("?", "?"))
            return {"person_id": pid, "custody_number": number, "name": name}

        return {
            "facility": self.facility.code,
            "mode": self.mode,
            "at": self.at.isoformat(),
            "fingerprint": self.fingerprint,
            "placements": [{**who(p), "cell": self.cell_codes[c]} for p, c in self.plan.placements],
            "moves": [
                {
                    **who(m.person),
                    "from": self.cell_codes[m.from_cell],
                    "to": self.cell_codes[m.to_cell],
                }
                for m in self.plan.moves
            ],
            "unplaced": [{**who(p), "reasons": r} for p, r in self.unplaced],
            "unresolved": self.unresolved,
            "shortfall": self.plan.shortfall,
            "worst_ratio": None
            if self.plan.worst_ratio == float("inf")
            else round(self.plan.worst_ratio, 3),
            "units": [u.__dict__ for u in self.units],
        }


def propose(*, facility: Facility, mode: str, at: dt.datetime) -> Proposal:
    """The plan the engine proposes now, with everything a governor needs to judge it."""
    if mode not in MODES:
        raise InvalidInput(
            code="UNKNOWN_MODE", field="mode", message=_("The mode must be intake or rebalance.")
        )
    newcomers = waiting(facility, at)
    instance = engine.facility_instance(facility, at, newcomers=newcomers)
    plan = (
        alloc.intake(instance, [p.id for p in newcomers])
        if mode == "intake"
        else alloc.rebalance(instance)
    )
    cells = {c.pk: c for c in Cell.objects.filter(facility=facility).select_related("unit")}
    codes = {pk: c.code for pk, c in cells.items()}
    involved = (
        {p for p, _c in plan.placements}
        | {m.person for m in plan.moves}
        | {u.person for u in plan.unplaced}
    )
    from habeas.people.models import Person

    people = {p.pk: (p.custody_number, p.full_name) for p in Person.objects.filter(pk__in=involved)}
    before = Counter(engine.cell_unit(cells, c) for c in instance.placements.values())
    after = Counter(engine.cell_unit(cells, c) for c, n in plan.occupancy.items() for _ in range(n))
    moves_in = Counter(engine.cell_unit(cells, m.to_cell) for m in plan.moves)
    moves_out = Counter(engine.cell_unit(cells, m.from_cell) for m in plan.moves)
    standard = facility.space_standard
    units = []
    for unit in sorted({c.unit for c in cells.values()}, key=lambda u: u.code):
        unit_cells = [c for c in cells.values() if c.unit_id == unit.pk and c.in_service]
        units.append(
            UnitChange(
                code=unit.code,
                name=unit.name,
                before=before[unit.code],
                after=after[unit.code],
                moves_in=moves_in[unit.code],
                moves_out=moves_out[unit.code],
                operational_capacity=sum(c.operational_capacity for c in unit_cells),
                standard_capacity=sum(c.standard_capacity(standard) for c in unit_cells),
            )
        )
    return Proposal(
        facility=facility,
        mode=mode,
        at=at,
        plan=plan,
        fingerprint=fingerprint(facility, at),
        cell_codes=codes,
        people=people,
        units=units,
        unplaced=[
            (u.person, [engine.describe(r, codes) for r in u.reasons]) for u in plan.unplaced
        ],
        unresolved=[engine.describe(r, codes) for r in plan.unresolved],
    )


def apply(
    *,
    facility: Facility,
    mode: str,
    expected: str | None,
    reason: str,
    actor: Actor,
    at: dt.datetime,
) -> Proposal:
    """Apply the plan for ``mode`` in the caller's transaction — only if the facility is still
    as it was when the plan was previewed (``expected`` fingerprint)."""
    from habeas.housing.services import lock_facility

    lock_facility(facility.pk)
    if not reason.strip():
        raise InvalidInput(code="REQUIRED", field="reason", message=_("Give the reason."))
    proposal = propose(facility=facility, mode=mode, at=at)
    if expected is not None and expected != proposal.fingerprint:
        raise RuleViolation(
            code="PLAN_STALE",
            field="fingerprint",
            message=_(
                "The facility changed since this plan was shown (someone was admitted, moved or "
                "released, or a cell or a rule changed). Nothing was applied: look at the new "
                "plan."
            ),
        )
    plan = proposal.plan
    if mode == "intake" and plan.moves:  # the engine never moves anyone on intake
        raise RuleViolation(code="PLAN_INVALID", message=_("An intake plan may not move anyone."))
    moved = [m.person for m in plan.moves]
    if moved:
        for i in range(0, len(moved), 5000):
            Placement.objects.filter(
                person_id__in=moved[i : i + 5000], ended_at__isnull=True
            ).update(ended_at=at)
    targets = [(m.person, m.to_cell) for m in plan.moves] + list(plan.placements)
    episodes = dict(
        Stay.objects.filter(
            facility=facility, ended_at__isnull=True, person_id__in=[p for p, _c in targets]
        ).values_list("person_id", "episode_id")
    )
    label = _("rebalance") if mode == "rebalance" else _("placed from reception")
    insert_rows(
        Placement,
        (
            "episode_id",
            "person_id",
            "facility_id",
            "cell_id",
            "started_at",
            "ended_at",
            "reason",
            "authorisation_id",
            "placed_by_id",
        ),
        [
            (
                episodes[p],
                p,
                facility.pk,
                c,
                at,
                None,
                f"{label}: {reason}"[:300],
                None,
                actor.user_id,
            )
            for p, c in targets
        ],
    )
    changes = [
        Change(
            action="housing.plan_apply",
            object_type="estate.Facility",
            object_id=facility.pk,
            facility_id=facility.pk,
            reason=reason,
            after={
                "mode": mode,
                "moves": len(plan.moves),
                "placements": len(plan.placements),
                "fingerprint": proposal.fingerprint,
            },
        )
    ]
    codes = proposal.cell_codes
    changes += [
        Change(
            action="housing.move",
            object_type="housing.Placement",
            object_id=m.person,
            facility_id=facility.pk,
            person_id=m.person,
            before={"cell": codes[m.from_cell]},
            after={"cell": codes[m.to_cell]},
            reason=f"{label}: {reason}",
        )
        for m in plan.moves
    ]
    changes += [
        Change(
            action="housing.place",
            object_type="housing.Placement",
            object_id=p,
            facility_id=facility.pk,
            person_id=p,
            after={"cell": codes[c]},
            reason=f"{label}: {reason}",
        )
        for p, c in plan.placements
    ]
    record_many(actor=actor, at=at, changes=changes)
    return proposal
