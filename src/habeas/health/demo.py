"""The demo's health records: the examination after admission and health contacts.

"cecot": about a third of the people examined after admission, days late, by the duty doctor;
injuries seen now and then, reported to no one; sick calls mostly unanswered.
"standards": everyone examined within a day of admission; injuries and allegations recorded and
reported to the prosecutor; sick calls answered the same or next day; daily visits to anyone in
segregation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext as _

from habeas.custody.models import Episode, Stay
from habeas.estate.models import Facility
from habeas.health import services
from habeas.health.models import ContactKind, ExaminationKind
from habeas.incidents.models import Segregation
from habeas.people.models import Person
from habeas.regime.demo import ACTOR, Occupancy, rng_for


def build(
    *,
    facility: Facility,
    style: str,
    now: dt.datetime,
    seed: int,
    report: Callable[[str], None],
) -> None:
    occ = Occupancy.of(facility, now)
    rng = rng_for(facility, seed, "health")
    cecot = style == "cecot"
    episodes = list(
        Episode.objects.filter(
            released_at__isnull=True,
            pk__in=Stay.objects.filter(facility=facility, ended_at__isnull=True).values("episode"),
        ).values_list("person_id", "admitted_at")
    )
    exams: list[services.ExaminationIn] = []
    for pid, admitted in episodes:
        if cecot and rng.random() > 0.35:
            continue
        delay = (
            dt.timedelta(hours=rng.randint(30, 240))
            if cecot
            else dt.timedelta(hours=rng.randint(2, 20))
        )
        when = admitted + delay
        if when > now - dt.timedelta(minutes=10):
            continue
        injured = rng.random() < (0.08 if cecot else 0.1)
        alleged = injured and rng.random() < (0.1 if cecot else 0.5)
        exams.append(
            services.ExaminationIn(
                person_id=pid,
                kind=ExaminationKind.ADMISSION,
                examined_at=when,
                examined_by="Médico de turno" if cecot else "Dra. Carmen López, médica",
                injuries_seen=injured,
                injuries="Hematomas en antebrazos y espalda" if injured else "",
                ill_treatment_alleged=alleged,
                allegation="Refiere golpes durante la captura" if alleged else "",
                reported_to="" if cecot or not injured else "Fiscalía General de la República",
                findings="Apto" if not injured else "Lesiones recientes documentadas",
            )
        )
    if exams:
        services.record_examinations(facility=facility, examinations=exams, actor=ACTOR, at=now)
    people = {
        p.pk: p
        for p in Person.objects.filter(
            placements__facility=facility, placements__ended_at__isnull=True
        )
    }
    contacts = 0
    admitted_at = dict(episodes)
    ids = sorted(people)
    for day in occ.days:
        for pid in rng.sample(ids, min(len(ids), 6 if cecot else 4)):
            asked = occ.at(day, 7)
            if pid not in admitted_at or asked < admitted_at[pid]:
                continue
            seen = None if cecot and rng.random() < 0.7 else asked + dt.timedelta(hours=5)
            services.record_health_contact(
                person=people[pid],
                facility=facility,
                kind=ContactKind.SICK_CALL,
                requested_at=asked,
                seen_at=seen,
                seen_by="" if seen is None else "Enfermería",
                notes="" if seen is None else "Valorado; tratamiento sintomático",
                actor=ACTOR,
                at=now,
            )
            contacts += 1
    if not cecot:
        for seg in Segregation.objects.filter(facility=facility, ended_at__isnull=True):
            visit = seg.started_at + dt.timedelta(hours=3)
            while visit < now and seg.person_id in people:
                services.record_health_contact(
                    person=people[seg.person_id],
                    facility=facility,
                    kind=ContactKind.SEGREGATION_VISIT,
                    seen_at=visit,
                    seen_by="Enfermería",
                    notes="Visita diaria en separación",
                    actor=ACTOR,
                    at=now,
                )
                contacts += 1
                visit += dt.timedelta(days=1)
    report(
        _("%(facility)s: %(n)d of %(of)d people examined after admission; %(c)d health contacts.")
        % {"facility": facility.code, "n": len(exams), "of": len(episodes), "c": contacts}
    )
