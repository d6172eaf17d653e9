"""The sentencing API: the deadlines queue, a person's sentences and their calculation, the
provisional detention terms, release at the end of a sentence, the jurisdiction profiles, and the
what-if calculator."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.api import actor_of, require, user_of, visible_facility
from habeas.core.errors import InvalidInput, NotFound
from habeas.core.translated import field_problems
from habeas.custody.api import PersonOut, person_out
from habeas.custody.models import LawfulAuthority
from habeas.custody.selectors import visible_person
from habeas.housing.api import ErrorOut, aware
from habeas.sentencing import explain, law, selectors, services
from habeas.sentencing.calculator import CalculationRefused, calculate
from habeas.sentencing.files import (
    CalculationFileError,
    calculation_to_dict,
    parse_what_if,
)
from habeas.sentencing.inputs import ProvisionalTermsIn, SentenceIn
from habeas.sentencing.models import JurisdictionProfile, Sentence

router = Router(tags=["sentencing"])

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- the deadlines queue -----------------------------------------------------------------------


@router.get(
    "/facilities/{code}/deadlines",
    response={200: dict[str, Any], **ERRORS},
    summary="The legal deadlines work queue: overdue, due soon, unknown",
)
def get_deadlines(
    request: HttpRequest, code: str, at: dt.datetime | None = None, within_days: int = 7
) -> dict[str, Any]:
    """Everyone held without valid lawful authority (the roll's count) with the deadline that
    passed and the days overdue; the deadlines due within ``within_days``; the authorities whose
    legal end cannot be known."""
    require(request, Capability.VIEW_DEADLINES)
    facility = visible_facility(request, code)
    if not 0 <= within_days <= 366:
        raise InvalidInput(
            code="OUT_OF_RANGE",
            message=_("Give a number of days from 0 to 366."),
            field="within_days",
        )
    queue = selectors.deadlines_queue(facility, aware(at), within_days=within_days)
    return selectors.queue_as_dict(queue)


# --- a person's sentences ----------------------------------------------------------------------


class TermSchema(Schema):
    years: int = Field(0, ge=0, le=10_000)
    months: int = Field(0, ge=0, le=10_000)
    days: int = Field(0, ge=0, le=1_000_000)


class SentenceSchema(Schema):
    offence: str = Field(..., max_length=300)
    court: str = Field(..., max_length=200)
    case_reference: str = Field(..., max_length=100)
    imposed_on: dt.date
    term: TermSchema
    seriousness: str = Field("serious", max_length=16)
    starts_on: dt.date | None = None
    consecutive_to: int | None = Field(None, description="Id of the sentence this one follows")
    remand_credit_days: int = Field(0, ge=0, le=1_000_000)
    authority_id: int | None = Field(
        None, description="The conviction warrant (default: the person's latest)"
    )


class SentenceOut(Schema):
    id: int
    authority_id: int
    offence: str
    court: str
    case_reference: str
    imposed_on: dt.date
    term: TermSchema
    seriousness: str
    starts_on: dt.date | None
    consecutive_to: int | None
    remand_credit_days: int
    quashed_at: dt.datetime | None
    quashed_reason: str


class CalculationOut(Schema):
    profile: str
    calculated_at: dt.datetime
    refused: dict[str, Any] | None
    sentence_start: dt.date | None
    deemed_start: dt.date | None
    nominal_term: str
    enforceable_term: str
    capped: bool
    last_day: dt.date | None
    release_date: dt.date | None
    conditional_release_date: dt.date | None
    explanation: list[str]


class ProvisionalOut(Schema):
    authority_id: int
    reference: str
    seriousness: str | None
    detained_on: dt.date | None
    conditions: list[str]
    last_day: dt.date | None
    legal_end: dt.datetime | None
    explanation: list[str]
    refused: str


class SentencingOut(Schema):
    person_id: int
    in_custody: bool
    sentences: list[SentenceOut]
    calculation: CalculationOut | None
    provisional_detention: list[ProvisionalOut]
    release_due: bool


def sentence_out(s: Sentence) -> SentenceOut:
    return SentenceOut(
        id=s.pk,
        authority_id=s.authority_id,
        offence=s.offence,
        court=s.court,
        case_reference=s.case_reference,
        imposed_on=s.imposed_on,
        term=TermSchema(years=s.term_years, months=s.term_months, days=s.term_days),
        seriousness=s.seriousness,
        starts_on=s.starts_on,
        consecutive_to=s.consecutive_to_id,
        remand_credit_days=s.remand_credit_days,
        quashed_at=s.quashed_at,
        quashed_reason=s.quashed_reason,
    )


def sentencing_out(record: selectors.SentencingRecord) -> SentencingOut:
    c = record.calculation
    calculation = None
    if c is not None:
        calculation = CalculationOut(
            profile=f"{c.jurisdiction} v{c.profile_version}",
            calculated_at=c.calculated_at,
            refused=(
                {"code": c.refusal_code, "params": c.refusal_params, "message": record.refusal}
                if c.refusal_code
                else None
            ),
            sentence_start=c.sentence_start,
            deemed_start=c.deemed_start,
            nominal_term=c.nominal_term,
            enforceable_term=c.enforceable_term,
            capped=c.capped,
            last_day=c.last_day,
            release_date=c.release_date,
            conditional_release_date=c.conditional_release_date,
            explanation=record.explanation,
        )
    return SentencingOut(
        person_id=record.person.pk,
        in_custody=record.in_custody,
        sentences=[sentence_out(s) for s in record.sentences],
        calculation=calculation,
        provisional_detention=[
            ProvisionalOut(
                authority_id=p.authority.pk,
                reference=p.authority.reference,
                seriousness=p.terms.seriousness if p.terms else None,
                detained_on=p.terms.detained_on if p.terms else None,
                conditions=list(p.terms.conditions or []) if p.terms else [],
                last_day=p.last_day,
                legal_end=p.authority.legal_end,
                explanation=p.explanation,
                refused=p.refusal,
            )
            for p in record.provisional
        ],
        release_due=record.release_due,
    )


@router.get(
    "/people/{person_id}/sentences",
    response={200: SentencingOut, **ERRORS},
    summary="A person's sentences, release date and legal deadlines, explained",
)
def get_sentences(request: HttpRequest, person_id: int) -> SentencingOut:
    require(request, Capability.VIEW_PERSON)
    person = visible_person(user_of(request), pk=person_id)
    return sentencing_out(selectors.sentencing_record(person, clock.now()))


@router.post(
    "/people/{person_id}/sentences",
    response={201: SentenceOut, **ERRORS},
    summary="Record a sentence the court imposed; the release date is recalculated",
)
def record_sentence(
    request: HttpRequest, person_id: int, payload: SentenceSchema
) -> Status[SentenceOut]:
    require(request, Capability.MANAGE_SENTENCES)
    person = visible_person(user_of(request), pk=person_id)
    with transaction.atomic():
        obj = services.record_sentence(
            person=person,
            sentence=SentenceIn(
                offence=payload.offence,
                court=payload.court,
                case_reference=payload.case_reference,
                imposed_on=payload.imposed_on,
                years=payload.term.years,
                months=payload.term.months,
                days=payload.term.days,
                seriousness=payload.seriousness,
                starts_on=payload.starts_on,
                consecutive_to_id=payload.consecutive_to,
                remand_credit_days=payload.remand_credit_days,
                authority_id=payload.authority_id,
            ),
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, sentence_out(obj))


class QuashIn(Schema):
    reason: str = Field(..., max_length=2000)


@router.post(
    "/people/{person_id}/sentences/{sentence_id}/quash",
    response={200: SentenceOut, **ERRORS},
    summary="Quash a sentence (on appeal, or recorded in error); the release date is recalculated",
)
def quash_sentence(
    request: HttpRequest, person_id: int, sentence_id: int, payload: QuashIn
) -> SentenceOut:
    require(request, Capability.MANAGE_SENTENCES)
    person = visible_person(user_of(request), pk=person_id)
    sentence = Sentence.objects.filter(pk=sentence_id, episode__person=person).first()
    if sentence is None:
        raise NotFound(code="UNKNOWN_SENTENCE", message=_("No such sentence."), field="sentence")
    with transaction.atomic():
        services.quash_sentence(
            sentence=sentence, reason=payload.reason, actor=actor_of(request), at=clock.now()
        )
    return sentence_out(sentence)


class ProvisionalTermsSchema(Schema):
    seriousness: str = Field(..., max_length=16)
    detained_on: dt.date | None = Field(
        None, description="First day of detention counted (default: the arrest)"
    )
    conditions: list[str] = Field(
        [], description="Conditions of the profile's extensions that hold, e.g. group_trial"
    )


@router.put(
    "/people/{person_id}/provisional-detention/{authority_id}",
    response={200: SentencingOut, **ERRORS},
    summary="Record what the maximum of a provisional detention turns on",
)
def put_provisional_terms(
    request: HttpRequest, person_id: int, authority_id: int, payload: ProvisionalTermsSchema
) -> SentencingOut:
    require(request, Capability.MANAGE_SENTENCES)
    person = visible_person(user_of(request), pk=person_id)
    authority = LawfulAuthority.objects.filter(pk=authority_id, episode__person=person).first()
    if authority is None:
        raise NotFound(code="UNKNOWN_AUTHORITY", message=_("No such authority."), field="authority")
    with transaction.atomic():
        services.record_provisional_terms(
            authority=authority,
            terms=ProvisionalTermsIn(
                seriousness=payload.seriousness,
                detained_on=payload.detained_on,
                conditions=tuple(payload.conditions),
            ),
            actor=actor_of(request),
            at=clock.now(),
        )
    return sentencing_out(selectors.sentencing_record(person, clock.now()))


class SentenceEndReleaseIn(Schema):
    note: str = Field("", max_length=2000)


@router.post(
    "/people/{person_id}/release-at-sentence-end",
    response={200: PersonOut, **ERRORS},
    summary="Release on (or after) the release date; a court-ordered release is POST "
    "/people/{person_id}/release",
)
def release_at_sentence_end(
    request: HttpRequest, person_id: int, payload: SentenceEndReleaseIn
) -> PersonOut:
    require(request, Capability.RELEASE)
    person = visible_person(user_of(request), pk=person_id)
    with transaction.atomic():
        services.release_at_sentence_end(
            person=person, actor=actor_of(request), at=clock.now(), reason=payload.note
        )
    return person_out(person)


# --- jurisdiction profiles ---------------------------------------------------------------------


class ProfileVersionOut(Schema):
    version: int
    recorded_at: dt.datetime | None
    recorded_by: str | None
    reason: str


class ProfileOut(Schema):
    jurisdiction: str
    version: int
    document: dict[str, Any]
    history: list[ProfileVersionOut]


def profile_out(jurisdiction: str) -> ProfileOut:
    found = law.profile_for(jurisdiction)
    history = [
        ProfileVersionOut(
            version=p.version,
            recorded_at=p.recorded_at,
            recorded_by=p.recorded_by.get_username() if p.recorded_by else None,
            reason=p.reason,
        )
        for p in JurisdictionProfile.objects.filter(jurisdiction=jurisdiction)
        .select_related("recorded_by")
        .order_by("-version")
    ]
    if law.builtin_document(jurisdiction) is not None:
        history.append(
            ProfileVersionOut(
                version=0, recorded_at=None, recorded_by=None, reason=_("Built-in profile")
            )
        )
    return ProfileOut(
        jurisdiction=jurisdiction,
        version=found.version,
        document=found.document,
        history=history,
    )


@router.get(
    "/profiles",
    response={200: list[str], **ERRORS},
    summary="Jurisdictions with a sentencing profile",
)
def list_profiles(request: HttpRequest) -> list[str]:
    user_of(request)
    stored = set(JurisdictionProfile.objects.values_list("jurisdiction", flat=True))
    return sorted(stored | set(law.BUILTIN))


@router.get(
    "/profiles/{jurisdiction}",
    response={200: ProfileOut, **ERRORS},
    summary="The profile in force for a jurisdiction (the law as effective-dated data) and its "
    "history",
)
def get_profile(request: HttpRequest, jurisdiction: str) -> ProfileOut:
    user_of(request)
    return profile_out(jurisdiction)


class ProfileIn(Schema):
    document: dict[str, Any]
    reason: str = Field(..., max_length=2000)


@router.put(
    "/profiles/{jurisdiction}",
    response={200: ProfileOut, **ERRORS},
    summary="Put a new version of a profile in force; everyone under it is recalculated",
)
def put_profile(request: HttpRequest, jurisdiction: str, payload: ProfileIn) -> ProfileOut:
    require(request, Capability.EDIT_LEGAL_PROFILES)
    with transaction.atomic():
        services.change_profile(
            jurisdiction=jurisdiction,
            document=payload.document,
            reason=payload.reason,
            actor=actor_of(request),
            at=clock.now(),
        )
    return profile_out(jurisdiction)


class PeriodIn(Schema):
    rule: str = Field(..., max_length=64, description="e.g. judicial_review_window")
    valid_from: dt.date
    value: Any = Field(..., description='e.g. {"hours": 72}, {"years": 60}, "2/3"')
    source: str = Field(..., max_length=2000)
    confirmed: bool = True
    note: str = Field("", max_length=2000)
    reason: str = Field(..., max_length=2000)


@router.post(
    "/profiles/{jurisdiction}/periods",
    response={200: ProfileOut, **ERRORS},
    summary="A new value of one rule from a date on; the period in force ends the day before",
)
def add_period(request: HttpRequest, jurisdiction: str, payload: PeriodIn) -> ProfileOut:
    require(request, Capability.EDIT_LEGAL_PROFILES)
    with transaction.atomic():
        services.add_profile_period(
            jurisdiction=jurisdiction,
            rule=payload.rule,
            valid_from=payload.valid_from,
            value=payload.value,
            source=payload.source,
            confirmed=payload.confirmed,
            note=payload.note,
            reason=payload.reason,
            actor=actor_of(request),
            at=clock.now(),
        )
    return profile_out(jurisdiction)


# --- what-if -----------------------------------------------------------------------------------


@router.post(
    "/sentencing/calculate",
    response={200: dict[str, Any], **ERRORS},
    summary="Calculate a what-if file (habeas.sentencing.what-if/1) without touching any record",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def what_if(request: HttpRequest) -> dict[str, Any]:
    """The body is the what-if file itself (docs/sentencing.md §5.1)."""
    user_of(request)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, RecursionError) as exc:  # RecursionError: nested thousands deep
        raise InvalidInput(
            code="INVALID_JSON", message=_("The body is not JSON."), field="body"
        ) from exc
    return run_what_if(payload)


def run_what_if(payload: object) -> dict[str, Any]:
    """A what-if's calculation as data, the explanation in the active language; a file with
    problems is a 422 listing each, a refusal a 409/422 with the calculator's code."""
    try:
        what = parse_what_if(payload)
    except CalculationFileError as exc:
        problems = field_problems(exc.marked_problems)
        raise InvalidInput(
            code="INVALID_WHAT_IF",
            message=_("The file has %(n)d problem(s).") % {"n": len(problems)},
            problems=problems,
        ) from exc
    try:
        result = calculate(what.sentences, what.profile, remand_days=what.remand_days)
    except CalculationRefused as refused:
        raise explain.as_domain_error(refused) from refused
    body = calculation_to_dict(result)
    body["explanation"] = explain.explain(result.steps)
    return body
