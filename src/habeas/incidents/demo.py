"""The demo's incidents, force, discipline, segregation, complaints and deaths over 30 days —
through the same use cases as staff.

"cecot": fights and disorder put down with batons and pepper spray; handcuffs and leg cuffs for
hours, chains now and then; collective sanctions on whole cells and modules (reduced food,
visits stopped); people in dark punishment cells for weeks without a review; complaints never
answered; a death of which the family learned days later and no independent authority at all.
"standards": few incidents, force rare and brief, charges heard within two days with the person
heard, individual sanctions, short segregation reviewed daily, complaints answered, no deaths.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils.translation import gettext as _

from habeas.estate.models import Facility
from habeas.incidents import discipline, services
from habeas.incidents.models import (
    Complaint,
    ComplaintChannel,
    ComplaintOutcome,
    ComplaintSubject,
    IncidentKind,
    Involvement,
    InvolvementRole,
    Manner,
    Outcome,
    RestraintKind,
    RestraintPurpose,
    ReviewDecision,
    SanctionKind,
    SegregationKind,
    Technique,
)
from habeas.people.models import Person
from habeas.regime.demo import ACTOR, Occupancy, rng_for
from habeas.regime.models import Hearing, UnlockException, Visit


def build(
    *,
    facility: Facility,
    style: str,
    now: dt.datetime,
    seed: int,
    report: Callable[[str], None],
) -> None:
    occ = Occupancy.of(facility, now)
    if not occ.in_cell:
        return
    rng = rng_for(facility, seed, "incidents")
    cecot = style == "cecot"
    people = {
        p.pk: p
        for p in Person.objects.filter(
            placements__facility=facility, placements__ended_at__isnull=True
        )
    }
    counts = {"incidents": 0, "force": 0, "restraints": 0, "segregations": 0}
    per_day = 0.9 if cecot else 0.15
    for day in occ.days[:-1]:
        if rng.random() >= per_day:
            continue
        at = occ.at(day, rng.randint(7, 20), rng.choice([0, 20, 40]))
        present = [p for p in occ.everyone_at(at) if p[0] in people]
        if len(present) < 3:
            continue
        pid, cell_id = rng.choice(present)
        others = [p for p, c in present if c == cell_id and p != pid]
        if not others:
            continue
        other = rng.choice(others)
        kind = rng.choice(
            [
                IncidentKind.FIGHT,
                IncidentKind.DISORDER,
                IncidentKind.SELF_HARM,
                IncidentKind.ASSAULT,
            ]
            if cecot
            else [IncidentKind.FIGHT, IncidentKind.CONTRABAND, IncidentKind.SELF_HARM]
        )
        cell = next(c for u in occ.units for c in occ.cells_of_unit[u.pk] if c.pk == cell_id)
        involved = [services.InvolvedIn(role=InvolvementRole.PARTICIPANT, person_id=pid)]
        if kind in (IncidentKind.FIGHT, IncidentKind.ASSAULT):
            involved = [
                services.InvolvedIn(role=InvolvementRole.PERPETRATOR, person_id=pid),
                services.InvolvedIn(role=InvolvementRole.VICTIM, person_id=other, injured=True),
            ]
        incident = services.record_incident(
            facility=facility,
            kind=kind,
            occurred_at=at,
            cell=cell.code,
            description="Riña en la celda; intervención del personal de custodia."
            if kind == IncidentKind.FIGHT
            else "Incidente registrado por el jefe de turno.",
            involved=involved,
            serious=False,
            actor=ACTOR,
            at=now,
        )
        counts["incidents"] += 1
        if cecot or rng.random() < 0.3:
            techniques = (
                [
                    services.TechniqueIn(Technique.BATON, "Equipo de reacción"),
                    services.TechniqueIn(Technique.CHEMICAL, "Equipo de reacción"),
                ]
                if cecot
                else [services.TechniqueIn(Technique.PHYSICAL_HOLD, "Dos custodios")]
            )
            use = services.record_use_of_force(
                person=people[pid],
                facility=facility,
                started_at=at,
                ended_at=at + dt.timedelta(minutes=5 if cecot else 2),
                techniques=techniques,
                reason="Controlar la riña",
                authorised_by="Jefe de turno",
                injuries="Contusiones" if cecot else "",
                incident=incident,
                actor=ACTOR,
                at=now,
            )
            counts["force"] += 1
            hours = rng.randint(3, 14) if cecot else 0.5
            for restraint in (
                [RestraintKind.HANDCUFFS, RestraintKind.LEG_CUFFS]
                + ([RestraintKind.CHAINS] if rng.random() < 0.2 else [])
                if cecot
                else [RestraintKind.HANDCUFFS]
            ):
                services.apply_restraint(
                    person=people[pid],
                    facility=facility,
                    kind=restraint,
                    purpose=RestraintPurpose.SANCTION
                    if cecot and rng.random() < 0.3
                    else RestraintPurpose.PREVENT_HARM,
                    started_at=at + dt.timedelta(minutes=5),
                    ended_at=at + dt.timedelta(minutes=5, hours=hours),
                    reason="Tras la riña",
                    authorised_by="Jefe de turno",
                    use_of_force=use,
                    actor=ACTOR,
                    at=now,
                )
                counts["restraints"] += 1
        if not cecot and kind == IncidentKind.FIGHT:
            charge = discipline.bring_charge(
                person=people[pid],
                facility=facility,
                offence="Agresión a otro interno",
                charged_at=at + dt.timedelta(hours=2),
                notified_at=at + dt.timedelta(hours=3),
                incident=incident,
                actor=ACTOR,
                at=now,
            )
            heard = at + dt.timedelta(days=2)
            if heard < now:
                discipline.hear_charge(
                    charge=charge,
                    hearing_at=heard,
                    adjudicator="Consejo Criminológico / Director",
                    person_heard=True,
                    interpreter=None,
                    legal_assistance=True,
                    outcome=Outcome.PROVEN,
                    reasons="Hechos probados por el parte y los testigos; el interno fue oído.",
                    sanctions=[
                        discipline.SanctionIn(
                            SanctionKind.LOSS_OF_PRIVILEGES, heard, heard + dt.timedelta(days=7)
                        )
                    ],
                    actor=ACTOR,
                    at=now,
                )
    _collective_and_segregation(occ, people, rng, cecot, counts)
    report(
        _(
            "%(facility)s: %(incidents)d incidents, %(force)d uses of force, %(restraints)d "
            "restraints, %(segregations)d segregations."
        )
        % {"facility": facility.code, **counts}
    )


def _collective_and_segregation(
    occ: Occupancy,
    people: dict[int, Person],
    rng: random.Random,
    cecot: bool,
    counts: dict[str, int],
) -> None:
    facility, now = occ.facility, occ.now
    units = occ.units
    if cecot:
        # Collective sanctions: a module without visits for a fortnight, a cell on reduced food.
        discipline.impose_collective_sanction(
            facility=facility,
            kind=SanctionKind.LOSS_OF_PRIVILEGES,
            started_at=occ.at(occ.days[5], 8),
            ended_at=occ.at(occ.days[19], 8),
            reason="Desorden en el módulo",
            imposed_by="Dirección del centro",
            unit=units[0].code,
            actor=ACTOR,
            at=now,
        )
        punished = occ.cells_of_unit[units[min(2, len(units) - 1)].pk][:2]
        discipline.impose_collective_sanction(
            facility=facility,
            kind=SanctionKind.FOOD_OR_WATER_REDUCED,
            started_at=occ.at(occ.days[-6], 7),
            ended_at=occ.at(occ.days[-3], 7),
            reason="Objetos prohibidos hallados en la celda",
            imposed_by="Jefe de seguridad",
            cells=[c.code for c in punished],
            actor=ACTOR,
            at=now,
        )
        # Family visits stopped for everyone, with no end: a collective ban on family contact.
        for u in units:
            discipline.impose_collective_sanction(
                facility=facility,
                kind=SanctionKind.FAMILY_CONTACT_BAN,
                started_at=occ.at(occ.days[0], 0),
                reason="Régimen de excepción: visitas familiares suspendidas",
                imposed_by="Dirección General de Centros Penales",
                unit=u.code,
                actor=ACTOR,
                at=now,
            )
    ids = sorted(people)
    chosen = rng.sample(ids, min(len(ids), 12 if cecot else 2))
    for n, pid in enumerate(chosen):
        start = now - dt.timedelta(days=rng.randint(2, 40) if cecot else rng.randint(1, 3))
        if start < people_start(occ, pid):
            continue
        seg = discipline.segregate(
            person=people[pid],
            facility=facility,
            kind=SegregationKind.DISCIPLINARY if cecot else SegregationKind.PROTECTIVE,
            grounds="Celda de castigo" if cecot else "Protección tras amenazas",
            started_at=start,
            authorised_by="Director del centro" if cecot else "Director (resolución motivada)",
            actor=ACTOR,
            at=now,
        )
        counts["segregations"] += 1
        if not cecot:
            day = start + dt.timedelta(days=1)
            while day < now:
                discipline.review_segregation(
                    segregation=seg,
                    reviewed_at=day,
                    reviewer="Jueza de vigilancia penitenciaria",
                    independent=True,
                    health_seen=True,
                    decision=ReviewDecision.CONTINUE,
                    actor=ACTOR,
                    at=now,
                )
                day += dt.timedelta(days=1)
        elif n % 4 == 0 and start + dt.timedelta(days=10) < now:
            discipline.end_segregation(
                segregation=seg,
                ended_at=start + dt.timedelta(days=10),
                reason="Regresa a su celda",
                actor=ACTOR,
                at=now,
            )
    for pid in rng.sample(ids, min(len(ids), 6 if cecot else 8)):
        filed = now - dt.timedelta(days=rng.randint(3, 25))
        if filed < people_start(occ, pid):
            continue
        complaint = discipline.file_complaint(
            person=people[pid],
            facility=facility,
            subject=rng.choice(
                [ComplaintSubject.ILL_TREATMENT, ComplaintSubject.HEALTH, ComplaintSubject.FOOD]
                if cecot
                else [ComplaintSubject.FOOD, ComplaintSubject.CONTACT, ComplaintSubject.PROPERTY]
            ),
            channel=ComplaintChannel.GOVERNOR,
            summary="Queja presentada por escrito al director.",
            filed_at=filed,
            actor=ACTOR,
            at=now,
        )
        if not cecot:
            discipline.answer_complaint(
                complaint=complaint,
                answer="Se revisó la queja y se tomaron medidas.",
                outcome=ComplaintOutcome.UPHELD,
                answered_at=filed + dt.timedelta(days=2),
                actor=ACTOR,
                at=now,
            )
    died = now - dt.timedelta(days=12, hours=3)
    # Someone with no record of their own after that day (a visit, a hearing, an exception).
    busy = (
        set(chosen)
        | set(
            Visit.objects.filter(facility=facility, requested_at__gte=died).values_list(
                "person_id", flat=True
            )
        )
        | set(
            Hearing.objects.filter(facility=facility, started_at__gte=died).values_list(
                "person_id", flat=True
            )
        )
        | set(
            UnlockException.objects.filter(unlock__started_at__gte=died).values_list(
                "person_id", flat=True
            )
        )
        | set(
            Complaint.objects.filter(facility=facility, filed_at__gte=died).values_list(
                "person_id", flat=True
            )
        )
        | set(
            Involvement.objects.filter(incident__occurred_at__gte=died).values_list(
                "person_id", flat=True
            )
        )
    )
    free = [p for p in ids if p not in busy and people_start(occ, p) < died]
    # A death changes the roll: like the sentencing breaches, only in the full-size demo (or when
    # HABEAS_DEMO_BREACHES asks for it), so a small demo keeps everyone it admitted on its roll.
    from habeas.sentencing.demo import breaches_wanted

    if cecot and free and breaches_wanted("cecot", len(ids)):
        pid = rng.choice(free)
        services.record_death(
            person=people[pid],
            died_at=died,
            place="Celda",
            circumstances="Encontrado sin vida en la celda durante el conteo de la mañana.",
            manner=Manner.UNKNOWN,
            cause_stated="Edema pulmonar (según la dirección)",
            family_informed_at=died + dt.timedelta(days=9),
            family_informed="Madre, al preguntar en el portón",
            remains_to="Instituto de Medicina Legal",
            actor=ACTOR,
            at=now,
        )


def people_start(occ: Occupancy, pid: int) -> dt.datetime:
    """When the person came onto this facility's roll (their admission, or long ago)."""
    return occ.admitted.get(pid, occ.at(occ.days[0], 0) - dt.timedelta(days=3650))
