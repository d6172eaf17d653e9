"""Admission: the one way a person comes into custody, for one person or for thousands.

``admit_many`` is the single implementation; ``admit`` is one admission through it. It enforces:

* Mandela Rule 7 — nobody is admitted without a lawful authority valid at the moment of admission;
  the admission record (identity, arrest, injuries, property, family) is kept with the episode.
* Mandela Rule 11 — no one under 18 into an adult facility (no adult into a juvenile one), no one
  into a facility for the other sex.
* Identity — a person who matches someone known (same identity document, or same normalised name
  and date of birth) is refused unless the officer confirms it is a different person.
* Placement — through the allocation engine (``housing.allocator``), the same rules as a move.

It validates everything first and writes nothing unless every admission is acceptable; the writes
are set-based (a bounded number of bulk statements whatever the number of people).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record_many
from habeas.core import clock
from habeas.core.bulk import insert_rows, matching, reserve_ids
from habeas.core.errors import DomainError, FieldProblem, InvalidInput, NotFound, RuleViolation
from habeas.custody.inputs import AdmissionIn, AuthorityIn
from habeas.custody.models import (
    REVIEWABLE_KINDS,
    AuthorityKind,
    Episode,
    LawfulAuthority,
    Movement,
    MovementKind,
    Stay,
)
from habeas.estate.models import Cell, Facility, Sex
from habeas.housing import allocator as alloc
from habeas.housing import engine
from habeas.housing.models import Placement
from habeas.people.identity import document_key, name_key
from habeas.people.models import (
    Affiliation,
    Alias,
    IdentityDocument,
    Person,
    SecurityThreatGroup,
)
from habeas.people.services import take_custody_numbers
from habeas.sentencing.law import fill_review_dates

ADMITTING_KINDS = {
    AuthorityKind.ARREST,
    AuthorityKind.ADMINISTRATIVE_DETENTION,
    AuthorityKind.PROVISIONAL_DETENTION,
    AuthorityKind.CONVICTION,
    AuthorityKind.TRANSFER,
}
SEXES = frozenset(Sex.values)
DOCUMENT_KINDS = frozenset(IdentityDocument.Kind.values)
AFFILIATION_STATUSES = frozenset(Affiliation.Status.values)
ADULT_AGE = 18
OLDEST_PLAUSIBLE_AGE = 120
CHUNK = 5000


@dataclass
class Admitted:
    line: int | None
    person_id: int
    custody_number: str
    episode_id: int
    cell: str | None


@dataclass
class AdmissionReport:
    admitted: list[Admitted] = field(default_factory=list)
    unplaced: list[tuple[int | None, str, str]] = field(default_factory=list)  # line, number, why

    @property
    def count(self) -> int:
        return len(self.admitted)


@dataclass
class _Row:
    """An admission under validation, with what the checks found."""

    index: int
    item: AdmissionIn
    problems: list[FieldProblem] = field(default_factory=list)
    status: str = engine.UNTRIED
    age: int = 0
    sex: str = ""
    groups: frozenset[str] = frozenset()
    person: Person | None = None
    admitted_at: dt.datetime | None = None
    matches: list[dict[str, object]] = field(default_factory=list)
    name_key: str = ""
    document_keys: tuple[str, ...] = ()

    def fail(self, field_name: str, message: str, code: str) -> None:
        self.problems.append(
            FieldProblem(field=field_name, message=str(message), code=code, line=self.item.line)
        )


# Codes that are a refusal by a rule (409) rather than malformed input (422).
RULE_CODES = {
    "NO_LAWFUL_AUTHORITY",
    "AUTHORITY_NOT_VALID",
    "UNDER_AGE",
    "ADULT_IN_JUVENILE_FACILITY",
    "WRONG_SEX_FOR_FACILITY",
    "POSSIBLE_DUPLICATE",
    "ALREADY_IN_CUSTODY",
    "CELL_OUT_OF_SERVICE",
    "CELL_FULL",
    "RIVAL_IN_CELL",
    "RIVAL_IN_UNIT",
    "NON_ASSOCIATION",
    "CATEGORY_MIX",
    "NEED_NOT_MET",
    "DUPLICATE_IN_BATCH",
}


def _check_authority(row: _Row, a: AuthorityIn | None, at: dt.datetime) -> None:
    if a is None:
        row.fail(
            "authority",
            _("No one may be admitted without a lawful authority (Mandela Rule 7)."),
            "NO_LAWFUL_AUTHORITY",
        )
        return
    if a.kind not in ADMITTING_KINDS:
        row.fail(
            "authority.kind",
            _("Unknown kind of authority: %(kind)s.") % {"kind": a.kind},
            "INVALID",
        )
    for name, value in (("issuing_authority", a.issuing_authority), ("reference", a.reference)):
        if not value or not value.strip():
            row.fail(f"authority.{name}", _("This field is required."), "REQUIRED")
    if a.issued_on is None:
        row.fail("authority.issued_on", _("This field is required."), "REQUIRED")
    if a.valid_from is None:
        row.fail("authority.valid_from", _("This field is required."), "REQUIRED")
        return
    if a.issued_on is not None and a.issued_on > at.date() + dt.timedelta(days=1):
        row.fail(
            "authority.issued_on", _("The authority cannot be issued in the future."), "IN_FUTURE"
        )
    if a.valid_until is not None and a.valid_until <= a.valid_from:
        row.fail("authority.valid_until", _("The authority must end after it starts."), "INVALID")
    if a.kind in REVIEWABLE_KINDS and a.review_due_by is None:
        row.fail(
            "authority.review_due_by",
            _("An arrest or administrative detention must say by when a judge must review it."),
            "REQUIRED",
        )
    if a.review_due_by is not None and a.review_due_by <= a.valid_from:
        row.fail(
            "authority.review_due_by",
            _("The judicial review must be due after the detention starts."),
            "INVALID",
        )
    ends = [t for t in (a.valid_until, a.review_due_by) if t is not None]
    end = min(ends) if ends else None
    if not (a.valid_from <= at and (end is None or at < end)):
        row.fail(
            "authority",
            _("The authority is not valid at the moment of admission (%(at)s).")
            % {"at": at.isoformat(timespec="minutes")},
            "AUTHORITY_NOT_VALID",
        )


def _check_person(row: _Row, facility: Facility, at: dt.datetime, groups: set[str]) -> None:
    p = row.item.person
    if p is None:
        return
    row.name_key = name_key(p.given_names, p.family_names)
    row.document_keys = tuple(document_key(d.number) for d in p.documents)
    for name in ("given_names", "family_names", "nationality"):
        if not getattr(p, name, "").strip():
            row.fail(f"person.{name}", _("This field is required."), "REQUIRED")
    if p.sex not in SEXES:
        row.fail("person.sex", _("Sex must be M or F."), "INVALID")
    if p.date_of_birth is None:
        row.fail("person.date_of_birth", _("This field is required."), "REQUIRED")
    else:
        today = clock.local_date(at, facility.time_zone)
        if p.date_of_birth > today:
            row.fail("person.date_of_birth", _("The date of birth is in the future."), "IN_FUTURE")
        else:
            row.age = clock.age_on(p.date_of_birth, today)
            if row.age > OLDEST_PLAUSIBLE_AGE:
                row.fail(
                    "person.date_of_birth",
                    _("The date of birth gives an age over %(n)d years.")
                    % {"n": OLDEST_PLAUSIBLE_AGE},
                    "IMPLAUSIBLE",
                )
    row.sex = p.sex
    for i, d in enumerate(p.documents):
        if d.kind not in DOCUMENT_KINDS:
            row.fail(f"person.documents[{i}].kind", _("Unknown kind of document."), "INVALID")
        if not row.document_keys[i]:
            row.fail(f"person.documents[{i}].number", _("This field is required."), "REQUIRED")
    for i, a in enumerate(p.affiliations):
        if a.group not in groups:
            row.fail(
                f"person.affiliations[{i}].group",
                _("No security-threat group %(code)s.") % {"code": a.group},
                "UNKNOWN_GROUP",
            )
        if a.status not in AFFILIATION_STATUSES:
            row.fail(
                f"person.affiliations[{i}].status", _("Unknown affiliation status."), "INVALID"
            )
    row.groups = frozenset(
        a.group for a in p.affiliations if a.status != Affiliation.Status.RENOUNCED
    )


def _check_categories(row: _Row, facility: Facility) -> None:
    """Mandela Rule 11 at the gate: sex and age of the facility."""
    if row.sex and row.sex != facility.holds_sex:
        row.fail(
            "person.sex",
            _("%(facility)s holds only %(sex)s.")
            % {"facility": facility.code, "sex": Sex(facility.holds_sex).label.lower()},
            "WRONG_SEX_FOR_FACILITY",
        )
    if facility.kind == Facility.Kind.ADULT and row.age and row.age < ADULT_AGE:
        row.fail(
            "person.date_of_birth",
            _("A person aged %(age)d cannot be held in an adult facility (Mandela Rule 11).")
            % {"age": row.age},
            "UNDER_AGE",
        )
    if facility.kind == Facility.Kind.JUVENILE and row.age >= ADULT_AGE:
        row.fail(
            "person.date_of_birth",
            _("An adult cannot be held in a facility for children (Mandela Rule 11)."),
            "ADULT_IN_JUVENILE_FACILITY",
        )


def _find_duplicates(rows: list[_Row]) -> None:
    """Same document, or same normalised name and date of birth, as someone known or as an
    earlier row of the same batch. Two queries, whatever the number of rows."""
    doc_keys: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    name_dob: dict[tuple[str, dt.date], list[_Row]] = defaultdict(list)
    for row in rows:
        p = row.item.person
        if p is None:
            continue
        for d, key in zip(p.documents, row.document_keys, strict=True):
            doc_keys[(d.kind, key)].append(row)
        if p.date_of_birth is not None:
            name_dob[(row.name_key, p.date_of_birth)].append(row)
    matches: dict[int, set[int]] = defaultdict(set)
    docs = IdentityDocument.objects.values_list("kind", "number_key", "person_id")
    for kind, number, pid in matching(docs, "number_key", (k for _kind, k in doc_keys)):
        for row in doc_keys.get((kind, number), ()):
            matches[row.index].add(pid)
    names = Person.objects.values_list("name_key", "date_of_birth", "pk")
    for key, born, pid in matching(names, "name_key", (k for k, _d in name_dob)):
        for row in name_dob.get((key, born), ()):
            matches[row.index].add(pid)
    known = Person.objects.in_bulk({pid for found in matches.values() for pid in found})
    for row in rows:
        found = {
            pid: known[pid]
            for pid in matches.get(row.index, ())
            if pid not in row.item.distinct_from
        }
        if found:
            listed = sorted(found.values(), key=lambda p: p.custody_number)
            row.problems.append(
                FieldProblem(
                    field="person",
                    message=_(
                        "This may be a person already known: %(who)s. Confirm it is a different "
                        "person to admit anyway."
                    )
                    % {"who": ", ".join(f"{p.full_name} ({p.custody_number})" for p in listed)},
                    code="POSSIBLE_DUPLICATE",
                    line=row.item.line,
                )
            )
            row.matches = [
                {"id": p.pk, "custody_number": p.custody_number, "name": p.full_name}
                for p in listed
            ]
    # Within the batch: the second of two rows with the same document or name and birth date.
    for groups in (doc_keys, name_dob):
        for same in groups.values():
            for row in same[1:]:
                first = same[0]
                if first is not row and not any(
                    pr.code == "DUPLICATE_IN_BATCH" for pr in row.problems
                ):
                    row.fail(
                        "person",
                        _("Same person as line %(line)s of this batch.")
                        % {"line": first.item.line or first.index + 1},
                        "DUPLICATE_IN_BATCH",
                    )


def _known_people(rows: list[_Row], facility: Facility, at: dt.datetime) -> None:
    ids = [r.item.person_id for r in rows if r.item.person_id is not None]
    if not ids:
        return
    known = Person.objects.in_bulk(ids)
    open_episodes = set(
        Episode.objects.filter(person_id__in=ids, released_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    groups: dict[int, set[str]] = defaultdict(set)
    for pid, code in (
        Affiliation.objects.filter(person_id__in=ids)
        .exclude(status=Affiliation.Status.RENOUNCED)
        .values_list("person_id", "group__code")
    ):
        groups[pid].add(code)
    today = clock.local_date(at, facility.time_zone)
    for row in rows:
        wanted = row.item.person_id
        if wanted is None:
            continue
        person = known.get(wanted)
        if person is None:
            row.fail("person_id", _("No person with this id."), "UNKNOWN_PERSON")
            continue
        if pid in open_episodes:
            row.fail(
                "person_id",
                _("%(who)s is already in custody.") % {"who": person},
                "ALREADY_IN_CUSTODY",
            )
        row.person = person
        row.sex = person.sex
        row.age = clock.age_on(person.date_of_birth, today)
        row.groups = frozenset(groups.get(pid, ()))


def _allocate(
    rows: list[_Row], facility: Facility, at: dt.datetime, auto_place: bool
) -> dict[int, int]:
    """Choose a cell for each admission: the one asked for, checked by the engine's rules, or the
    engine's choice. Returns row index → cell id; rows without a cell stay in reception."""
    cells_by_code = {c.code: c for c in Cell.objects.filter(facility=facility)}
    # Known people keep their id (so their non-associations apply); new people get a stand-in.
    newcomers = [
        alloc.Person(
            id=row.person.pk if row.person is not None else -(row.index + 1),
            sex=row.sex,
            age=row.age,
            status=row.status,
            groups=row.groups,
        )
        for row in rows
    ]
    row_of = {n.id: row.index for row, n in zip(rows, newcomers, strict=True)}
    instance = engine.facility_instance(facility, at, newcomers=newcomers)
    occupants: dict[int, int] = dict(instance.placements)
    chosen: dict[int, int] = {}
    cell_codes = {c.pk: c.code for c in cells_by_code.values()}
    for row, newcomer in zip(rows, newcomers, strict=True):
        code = row.item.cell
        if not code:
            continue
        cell = cells_by_code.get(code)
        if cell is None:
            row.fail(
                "cell",
                _("No cell %(cell)s in %(facility)s.") % {"cell": code, "facility": facility.code},
                "UNKNOWN_CELL",
            )
            continue
        refusals = alloc.refusals(instance, newcomer.id, cell.pk, occupants)
        if refusals:
            for refusal in refusals:
                row.fail("cell", engine.describe(refusal, cell_codes), refusal.code)
            continue
        occupants[newcomer.id] = cell.pk
        chosen[row.index] = cell.pk
    if auto_place:
        pending = [
            n.id
            for row, n in zip(rows, newcomers, strict=True)
            if not row.item.cell and not row.problems
        ]
        if pending:
            plan = alloc.intake(
                alloc.Instance(
                    cells=instance.cells,
                    people=instance.people,
                    placements=occupants,
                    non_associations=instance.non_associations,
                    policy=instance.policy,
                    over_capacity=instance.over_capacity,
                ),
                pending,
            )
            for person_id, cell_id in plan.placements:
                chosen[row_of[person_id]] = cell_id
    return chosen


def admit_many(
    *,
    facility: Facility,
    admissions: Sequence[AdmissionIn],
    actor: Actor,
    at: dt.datetime,
    auto_place: bool = True,
    progress: Callable[[int], None] | None = None,
) -> AdmissionReport:
    """Admit every person in ``admissions`` to ``facility``, or none of them.

    Raises ``InvalidInput`` (every bad row, each with line, field and reason) when any admission is
    refused. Admissions the engine could not place (no room within operational capacity) are
    admitted to reception, without a cell, and listed in the report: the people are physically
    there and must be on the roll.
    """
    now = clock.now()
    # Issue #5 hook: an arrest or administrative detention given without a judicial-review date
    # gets the one the law in force requires (the jurisdiction profile's window: 72 hours, or
    # 15 days under the state of exception). Sentencing owns the law; this stays the one path.
    admissions = fill_review_dates(admissions, facility=facility)
    rows = [_Row(index=i, item=a) for i, a in enumerate(admissions)]
    group_codes = set(SecurityThreatGroup.objects.values_list("code", flat=True))
    for row in rows:
        item = row.item
        row.admitted_at = item.admitted_at or at
        if row.admitted_at > now + dt.timedelta(minutes=5):
            row.fail("admitted_at", _("The admission cannot be in the future."), "IN_FUTURE")
        if (item.person is None) == (item.person_id is None):
            row.fail("person", _("Give either a new person or a known person's id."), "REQUIRED")
        _check_authority(row, item.authority, row.admitted_at)
        if item.authority is not None and item.authority.kind == AuthorityKind.CONVICTION:
            row.status = engine.CONVICTED
        _check_person(row, facility, row.admitted_at, group_codes)
    _known_people(rows, facility, at)
    for row in rows:
        _check_categories(row, facility)
    _find_duplicates(rows)
    chosen = _allocate(rows, facility, at, auto_place) if not any(r.problems for r in rows) else {}
    problems = [p for r in rows for p in r.problems]
    if problems:
        _raise(rows, problems)
    return _write(rows, chosen, facility, actor, at, progress)


def _raise(rows: list[_Row], problems: list[FieldProblem]) -> None:
    if len(rows) == 1:
        row = rows[0]
        rule = [p for p in row.problems if p.code in RULE_CODES]
        if rule and len(rule) == len(row.problems):
            first = rule[0]
            details: dict[str, object] = {"problems": [p.as_dict() for p in row.problems]}
            if row.matches:
                details["matches"] = row.matches
            raise RuleViolation(
                code=first.code, message=first.message, field=first.field, details=details
            )
        raise InvalidInput(
            code=problems[0].code if len(problems) == 1 else "INVALID_ADMISSION",
            message=problems[0].message
            if len(problems) == 1
            else _("The admission has %(n)d problems.") % {"n": len(problems)},
            problems=problems,
        )
    bad_rows = len({(p.line, r.index) for r in rows for p in r.problems})
    raise InvalidInput(
        code="INVALID_BATCH",
        message=_("%(bad)d of %(total)d admissions have problems; no one was admitted.")
        % {"bad": bad_rows, "total": len(rows)},
        problems=problems,
    )


def _write(
    rows: list[_Row],
    chosen: dict[int, int],
    facility: Facility,
    actor: Actor,
    at: dt.datetime,
    progress: Callable[[int], None] | None,
) -> AdmissionReport:
    """Write every admission with one statement per table per chunk (COPY on PostgreSQL)."""
    report = AdmissionReport()
    cell_codes = dict(Cell.objects.filter(facility=facility).values_list("pk", "code"))
    year = clock.local_date(at, facility.time_zone).year
    fresh_count = sum(1 for r in rows if r.item.person is not None)
    numbers = iter(take_custody_numbers(year=year, count=fresh_count) if fresh_count else ())
    groups = dict(SecurityThreatGroup.objects.values_list("code", "pk"))
    user_id = actor.user_id
    fid = facility.pk
    admission_word = str(_("admission"))
    no_room = str(_("no cell with room within operational capacity"))
    done = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        fresh = [r for r in chunk if r.item.person is not None]
        person_ids = iter(reserve_ids(Person, len(fresh)))
        episode_ids = reserve_ids(Episode, len(chunk))
        authority_ids = reserve_ids(LawfulAuthority, len(chunk))
        people, aliases, documents, affiliations = [], [], [], []
        ids: list[tuple[int, str]] = []  # person id and custody number, per row of the chunk
        for r in chunk:
            p = r.item.person
            if p is None:
                assert r.person is not None
                ids.append((r.person.pk, r.person.custody_number))
                continue
            assert p.date_of_birth is not None
            pid, number = next(person_ids), next(numbers)
            ids.append((pid, number))
            people.append(
                (
                    pid,
                    number,
                    p.given_names.strip(),
                    p.family_names.strip(),
                    r.name_key,
                    p.date_of_birth,
                    p.sex,
                    p.gender_identity,
                    p.nationality.strip(),
                    at,
                )
            )
            aliases += [(pid, a, name_key(a)) for a in p.aliases]
            documents += [
                (pid, d.kind, d.number.strip(), key, d.issuing_country.strip())
                for d, key in zip(p.documents, r.document_keys, strict=True)
            ]
            affiliations += [
                (
                    pid,
                    groups[a.group],
                    a.status,
                    a.source or admission_word,
                    a.recorded_on or at.date(),
                )
                for a in p.affiliations
            ]
        insert_rows(Person, PERSON_FIELDS, people)
        insert_rows(Alias, ("person_id", "name", "name_key"), aliases)
        insert_rows(
            IdentityDocument,
            ("person_id", "kind", "number", "number_key", "issuing_country"),
            documents,
        )
        insert_rows(
            Affiliation,
            ("person_id", "group_id", "status", "source", "recorded_on"),
            affiliations,
        )
        episodes, authorities, stays, movements, placements = [], [], [], [], []
        changes = []
        for r, (pid, number), eid, aid in zip(chunk, ids, episode_ids, authority_ids, strict=True):
            a, arr, when = r.item.authority, r.item.arrival, r.admitted_at
            assert a is not None and a.issued_on is not None and a.valid_from is not None
            assert when is not None
            episodes.append(
                (
                    eid,
                    pid,
                    when,
                    fid,
                    None,
                    arr.arrested_at,
                    arr.arrest_place,
                    arr.arresting_authority,
                    arr.visible_injuries,
                    arr.ill_treatment_reported,
                    arr.property_inventory,
                    arr.family,
                    arr.emergency_contact,
                )
            )
            issuer, reference = a.issuing_authority.strip(), a.reference.strip()
            authorities.append(
                (
                    aid,
                    eid,
                    a.kind,
                    issuer,
                    reference,
                    a.issued_on,
                    a.valid_from,
                    a.valid_until,
                    a.review_due_by,
                    a.offence,
                    None,
                    "",
                    at,
                    user_id,
                )
            )
            stays.append((eid, pid, fid, when, None))
            movements.append(
                (eid, pid, fid, MovementKind.ADMISSION.value, when, "", aid, "", "", "", user_id)
            )
            cell_id = chosen.get(r.index)
            cell_code = cell_codes.get(cell_id) if cell_id is not None else None
            if cell_id is not None:
                placements.append(
                    (eid, pid, fid, cell_id, when, None, admission_word, None, user_id)
                )
            changes.append(
                Change(
                    action="custody.admit",
                    object_type="custody.Episode",
                    object_id=eid,
                    facility_id=fid,
                    person_id=pid,
                    after={
                        "custody_number": number,
                        "admitted_at": when,
                        "authority": {
                            "kind": a.kind,
                            "reference": reference,
                            "issuing_authority": issuer,
                            "valid_from": a.valid_from,
                            "valid_until": a.valid_until,
                            "review_due_by": a.review_due_by,
                        },
                        "cell": cell_code,
                    },
                )
            )
            report.admitted.append(
                Admitted(
                    line=r.item.line,
                    person_id=pid,
                    custody_number=number,
                    episode_id=eid,
                    cell=cell_code,
                )
            )
            if cell_code is None:
                report.unplaced.append((r.item.line, number, no_room))
        insert_rows(Episode, EPISODE_FIELDS, episodes)
        insert_rows(LawfulAuthority, AUTHORITY_FIELDS, authorities)
        insert_rows(
            Stay, ("episode_id", "person_id", "facility_id", "started_at", "ended_at"), stays
        )
        insert_rows(Movement, MOVEMENT_FIELDS, movements)
        insert_rows(Placement, PLACEMENT_FIELDS, placements)
        record_many(actor=actor, at=at, changes=changes)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return report


PERSON_FIELDS = (
    "id",
    "custody_number",
    "given_names",
    "family_names",
    "name_key",
    "date_of_birth",
    "sex",
    "gender_identity",
    "nationality",
    "created_at",
)
EPISODE_FIELDS = (
    "id",
    "person_id",
    "admitted_at",
    "admitted_to_id",
    "released_at",
    "arrested_at",
    "arrest_place",
    "arresting_authority",
    "visible_injuries",
    "ill_treatment_reported",
    "property_inventory",
    "family",
    "emergency_contact",
)
AUTHORITY_FIELDS = (
    "id",
    "episode_id",
    "kind",
    "issuing_authority",
    "reference",
    "issued_on",
    "valid_from",
    "valid_until",
    "review_due_by",
    "offence",
    "revoked_at",
    "revoked_reason",
    "recorded_at",
    "recorded_by_id",
)
MOVEMENT_FIELDS = (
    "episode_id",
    "person_id",
    "facility_id",
    "kind",
    "at",
    "destination",
    "authority_id",
    "order_reference",
    "ordered_by",
    "reason",
    "recorded_by_id",
)
PLACEMENT_FIELDS = (
    "episode_id",
    "person_id",
    "facility_id",
    "cell_id",
    "started_at",
    "ended_at",
    "reason",
    "authorisation_id",
    "placed_by_id",
)


def admit(
    *,
    admission: AdmissionIn,
    facility: Facility,
    actor: Actor,
    at: dt.datetime,
    auto_place: bool = True,
) -> Admitted:
    """Admit one person. Raises the first rule it breaks as a ``RuleViolation`` (409) — e.g.
    ``NO_LAWFUL_AUTHORITY``, ``UNDER_AGE``, ``POSSIBLE_DUPLICATE``, ``CELL_FULL`` — or every
    malformed field as ``InvalidInput`` (422)."""
    report = admit_many(
        facility=facility, admissions=[admission], actor=actor, at=at, auto_place=auto_place
    )
    return report.admitted[0]


def get_facility(code: str) -> Facility:
    try:
        return Facility.objects.select_related("space_standard").get(code=code)
    except Facility.DoesNotExist as exc:
        raise NotFound(
            code="UNKNOWN_FACILITY",
            message=_("No facility %(code)s.") % {"code": code},
            field="facility",
        ) from exc


__all__ = ["AdmissionReport", "Admitted", "DomainError", "admit", "admit_many", "get_facility"]
