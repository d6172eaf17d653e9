"""The operational records behind one person-day of the ledger: what an inspector checks a
finding against. A bounded number of queries; clinical content is never read (only that an
examination took place, and when)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from habeas.conditions.models import Reading, WaterDelivery
from habeas.core import clock
from habeas.custody.models import Absence, LawfulAuthority, Stay
from habeas.estate.models import Cell, Facility
from habeas.health.models import Examination
from habeas.housing.models import Placement
from habeas.incidents.models import Death, Restraint, Sanction, SanctionScope, Segregation
from habeas.ledger.models import CustodyDay
from habeas.people.models import Person
from habeas.regime.models import (
    Call,
    FamilyNotification,
    Hearing,
    Letter,
    UnlockCell,
    UnlockException,
    Visit,
)


@dataclass
class Record:
    """One operational record: what it is, its id, when, and what it says that matters here."""

    kind: str
    id: int
    start: dt.datetime | None
    end: dt.datetime | None
    text: str


@dataclass
class Evidence:
    facility: Facility
    person: Person
    day: dt.date
    starts: dt.datetime
    ends: dt.datetime
    row: CustodyDay | None
    groups: dict[str, list[Record]] = field(default_factory=dict)

    def add(self, group: str, record: Record) -> None:
        self.groups.setdefault(group, []).append(record)


def _overlapping(start: dt.datetime, end: dt.datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}started_at__lt": end}) & (
        Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gt": start})
    )


def evidence(facility: Facility, person: Person, day: dt.date) -> Evidence:
    """The records the ledger read to make ``person``'s row of ``day`` at ``facility``."""
    tz = facility.time_zone
    start, end = clock.start_of_day(day, tz), clock.end_of_day(day, tz)
    row = CustodyDay.objects.filter(facility=facility, person=person, day=day).first()
    ev = Evidence(facility, person, day, start, end, row)
    for s in Stay.objects.filter(_overlapping(start, end), person=person, facility=facility):
        ev.add("custody", Record("stay", s.pk, s.started_at, s.ended_at, ""))
        for a in LawfulAuthority.objects.filter(episode_id=s.episode_id).order_by("valid_from"):
            ev.add(
                "custody",
                Record(
                    "authority",
                    a.pk,
                    a.valid_from,
                    a.ends_at,
                    f"{a.get_kind_display()} {a.reference} — {a.issuing_authority}",
                ),
            )
    for ab in Absence.objects.filter(_overlapping(start, end), person=person, facility=facility):
        ev.add("custody", Record("absence", ab.pk, ab.started_at, ab.ended_at, ab.destination))
    placements = list(
        Placement.objects.filter(_overlapping(start, end), person=person, facility=facility)
        .select_related("cell")
        .order_by("started_at")
    )
    cells = {p.cell_id for p in placements}
    for p in placements:
        ev.add("cell", Record("placement", p.pk, p.started_at, p.ended_at, p.cell.code))
    excused = dict(
        UnlockException.objects.filter(
            person=person, unlock__started_at__lt=end, unlock__ended_at__gt=start
        ).values_list("unlock_id", "reason")
    )
    for uc in (
        UnlockCell.objects.filter(
            cell_id__in=cells, unlock__started_at__lt=end, unlock__ended_at__gt=start
        )
        .select_related("unlock", "cell")
        .order_by("unlock__started_at")
    ):
        u = uc.unlock
        note = f"{uc.cell.code}: {u.get_location_display()}, {u.get_purpose_display()}"
        if u.pk in excused:
            note += _(" — not taken (%(why)s)") % {"why": excused[u.pk]}
        ev.add("regime", Record("unlock", u.pk, u.started_at, u.ended_at, note))
    for v in Visit.objects.filter(person=person).filter(
        Q(started_at__gte=start, started_at__lt=end) | Q(decided_at__gte=start, decided_at__lt=end)
    ):
        ev.add(
            "contact",
            Record(
                "visit",
                v.pk,
                v.started_at or v.decided_at,
                v.ended_at,
                f"{v.get_kind_display()}, {v.get_status_display()}: {v.visitor}"
                + (f" — {v.refusal_reason}" if v.refusal_reason else ""),
            ),
        )
    for c in Call.objects.filter(person=person, started_at__gte=start, started_at__lt=end):
        ev.add(
            "contact",
            Record(
                "call",
                c.pk,
                c.started_at,
                None,
                _("%(kind)s, %(n)s min") % {"kind": c.get_kind_display(), "n": c.minutes},
            ),
        )
    for lt in Letter.objects.filter(person=person, handled_at__gte=start, handled_at__lt=end):
        text = f"{lt.get_kind_display()}, {lt.get_direction_display()}"
        ev.add(
            "contact",
            Record(
                "letter",
                lt.pk,
                lt.handled_at,
                None,
                text + (_(" — withheld") if lt.withheld else ""),
            ),
        )
    for h in Hearing.objects.filter(person=person, started_at__gte=start, started_at__lt=end):
        text = f"{h.court} ({h.get_mode_display()})" + (
            _(" — defender present") if h.defender_present else ""
        )
        ev.add("contact", Record("hearing", h.pk, h.started_at, h.ended_at, text))
    for n in FamilyNotification.objects.filter(
        person=person, event_at__gte=start - dt.timedelta(days=1), event_at__lt=end
    ):
        ev.add(
            "contact",
            Record(
                "notification", n.pk, n.notified_at, None, f"{n.get_event_display()}: {n.notified}"
            ),
        )
    readings = (
        Reading.objects.filter(
            Q(cell_id__in=cells) | Q(cell__isnull=True, unit__cells__in=cells),
            measured_at__gte=start,
            measured_at__lt=end,
        )
        .values("cell_id", "unit_id")
        .annotate(
            n=Count("id", distinct=True),
            tmax=Max("temperature_c"),
            tmin=Min("temperature_c"),
            first=Min("measured_at"),
            last=Max("measured_at"),
        )
    )
    codes = dict(Cell.objects.filter(pk__in=cells).values_list("pk", "code"))
    for r in readings:
        where = codes.get(r["cell_id"], _("unit %(id)s") % {"id": r["unit_id"]})
        ev.add(
            "conditions",
            Record(
                "readings",
                r["cell_id"] or r["unit_id"],
                r["first"],
                r["last"],
                _("%(where)s: %(n)s readings, %(low)s–%(high)s °C")
                % {"where": where, "n": r["n"], "low": r["tmin"], "high": r["tmax"]},
            ),
        )
    for w in WaterDelivery.objects.filter(
        cell_id__in=cells, delivered_at__gte=start, delivered_at__lt=end
    ):
        ev.add(
            "conditions",
            Record("water", w.pk, w.delivered_at, None, f"{codes.get(w.cell_id)}: {w.litres} L"),
        )
    for rs in Restraint.objects.filter(_overlapping(start, end), person=person):
        ev.add(
            "force",
            Record(
                "restraint",
                rs.pk,
                rs.started_at,
                rs.ended_at,
                f"{rs.get_kind_display()} — {rs.get_purpose_display()}",
            ),
        )
    unit_ids = set(Cell.objects.filter(pk__in=cells).values_list("unit_id", flat=True))
    for sn in Sanction.objects.filter(
        _overlapping(start, end),
        Q(scope=SanctionScope.PERSON, person=person)
        | Q(scope=SanctionScope.CELL, cell_id__in=cells)
        | Q(scope=SanctionScope.UNIT, unit_id__in=unit_ids),
        facility=facility,
    ):
        ev.add(
            "force",
            Record(
                "sanction",
                sn.pk,
                sn.started_at,
                sn.ended_at,
                f"{sn.get_kind_display()} — {sn.get_scope_display()}",
            ),
        )
    for g in Segregation.objects.filter(_overlapping(start, end), person=person):
        ev.add(
            "force",
            Record(
                "segregation",
                g.pk,
                g.started_at,
                g.ended_at,
                f"{g.get_kind_display()} — {g.authorised_by}",
            ),
        )
    for x in Examination.objects.filter(
        person=person,
        examined_at__gte=start - dt.timedelta(days=1),
        examined_at__lt=end + dt.timedelta(days=7),
    ).only("id", "kind", "examined_at"):
        ev.add("health", Record("examination", x.pk, x.examined_at, None, x.get_kind_display()))
    for d in Death.objects.filter(person=person, died_at__gte=start, died_at__lt=end):
        ev.add(
            "events",
            Record(
                "death",
                d.pk,
                d.died_at,
                None,
                _("family told %(family)s; authority told %(authority)s")
                % {
                    "family": d.family_informed_at or "—",
                    "authority": d.authority_informed_at or "—",
                },
            ),
        )
    return ev


def ledger_row_as_dict(row: CustodyDay) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in row._meta.concrete_fields:
        column = getattr(f, "column", None)
        if not column:
            continue
        value = getattr(row, f.attname)
        out[column] = float(value) if isinstance(value, Decimal) else value
    return out
