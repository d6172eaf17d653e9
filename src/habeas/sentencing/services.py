"""Sentencing use cases: record or quash a sentence, record the terms of a provisional detention,
change a jurisdiction profile, release at the end of a sentence.

Each runs in the caller's transaction, writes its audit event, and recalculates the legal end of
the custody it touches (``recalculation.recalculate``, itself audited), so the roll and the
deadlines queue follow at once.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.core import clock
from habeas.core.errors import FieldProblem, InvalidInput, NotFound, RuleViolation
from habeas.core.translated import field_problems
from habeas.custody import services as custody
from habeas.custody.models import AuthorityKind, LawfulAuthority, Movement, Stay
from habeas.people.models import Person
from habeas.sentencing import explain
from habeas.sentencing.calculator import CalculationRefused, calculate
from habeas.sentencing.files import CalculationFileError, parse_profile
from habeas.sentencing.inputs import ProvisionalTermsIn, SentenceIn
from habeas.sentencing.law import ProfileInForce, profile_for
from habeas.sentencing.models import (
    JurisdictionProfile,
    ProvisionalDetention,
    Sentence,
    SentenceCalculation,
    Seriousness,
)
from habeas.sentencing.recalculation import (
    SENTENCE_COLUMNS,
    RecalculationReport,
    recalculate,
    sentences_for_calculator,
)

#: Refusals that do not stop a sentence being recorded: the sentence is the court's, the doubt is
#: the law's. The calculation is stored as refused and the deadlines queue shows it.
RECORDED_DESPITE = {"LAW_IN_DOUBT", "PROFILE_NO_PERIOD", "PROFILE_PERIODS_OVERLAP"}

#: Rules an administrator may add a period to, by name.
SIMPLE_RULES = (
    "max_aggregate_term",
    "conditional_release_fraction",
    "conditional_release_basis",
    "release_day",
    "start_before_imposition_allowed",
    "judicial_review_window",
)
PERIOD_RULES = (
    *SIMPLE_RULES,
    "provisional_detention_max.serious",
    "provisional_detention_max.less_serious",
)
_PLACEHOLDER_ID = 2**62  # the sentence being recorded, listed after those already recorded


def _problems(problems: list[FieldProblem], what: str) -> InvalidInput:
    if len(problems) == 1:
        return InvalidInput(code=problems[0].code, message=problems[0].message, problems=problems)
    return InvalidInput(
        message=_("The %(what)s has %(n)d problems.") % {"what": what, "n": len(problems)},
        problems=problems,
    )


def _profile_of(stay: Stay) -> ProfileInForce:
    try:
        return profile_for(stay.facility.jurisdiction)
    except NotFound as exc:
        raise RuleViolation(code=exc.code, message=exc.message, field="profile") from exc


def _labels(rows: list[tuple[Any, ...]], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    labels = dict(extra or {})
    refs = dict(
        Sentence.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "case_reference")
    )
    for pk, reference in refs.items():
        labels[str(pk)] = reference or f"#{pk}"
    return labels


def _in_custody(stay_or_none: Stay | None) -> Stay:
    if stay_or_none is None:
        raise RuleViolation(
            code="NOT_IN_CUSTODY",
            message=_("The person of this custody is no longer held."),
            field="person",
        )
    return stay_or_none


def record_sentence(
    *, person: Person, sentence: SentenceIn, actor: Actor, at: dt.datetime
) -> Sentence:
    """Record a sentence the court imposed, under the person's conviction warrant, and set the
    legal end of custody from the aggregate (``calculator.calculate``).

    Refused — nothing recorded — when the calculator refuses the aggregate with the new sentence
    for a reason in the sentences themselves (a start before imposition, credit longer than the
    term, a consecutive sentence after the end of the one it follows, …): the court's file must
    be checked, never guessed. A doubt of law (``LAW_IN_DOUBT``) does not stop the recording;
    the release date is then unknown and the deadlines queue says so.
    """
    episode = custody.open_episode(person)
    stay = custody.open_stay(person)
    problems: list[FieldProblem] = []

    def fail(name: str, message: str, code: str = "INVALID") -> None:
        problems.append(FieldProblem(field=name, message=str(message), code=code))

    texts = {}
    for name in ("offence", "court", "case_reference"):
        texts[name] = getattr(sentence, name).strip()
        if not texts[name]:
            fail(name, _("This field is required."), "REQUIRED")
    today = clock.local_date(at, stay.facility.time_zone)
    if sentence.imposed_on is None:
        fail("imposed_on", _("This field is required."), "REQUIRED")
    elif sentence.imposed_on > today:
        fail("imposed_on", _("A sentence cannot be imposed in the future."), "IN_FUTURE")
    for name in ("years", "months", "days", "remand_credit_days"):
        if getattr(sentence, name) < 0:
            fail(name, _("This cannot be negative."), "NEGATIVE")
    if sentence.years == 0 and sentence.months == 0 and sentence.days == 0:
        fail("term", _("The term must be longer than zero."), "TERM_ZERO")
    if sentence.seriousness not in Seriousness.values:
        fail("seriousness", _("Unknown seriousness: %(s)s.") % {"s": sentence.seriousness})
    follows = None
    if sentence.consecutive_to_id is not None:
        follows = Sentence.objects.filter(
            pk=sentence.consecutive_to_id, episode=episode, quashed_at__isnull=True
        ).first()
        if follows is None:
            fail(
                "consecutive_to_id",
                _("No sentence %(id)s in this custody.") % {"id": sentence.consecutive_to_id},
                "UNKNOWN_SENTENCE",
            )
    warrants = LawfulAuthority.objects.filter(episode=episode)
    if sentence.authority_id is not None:
        warrant = warrants.filter(pk=sentence.authority_id).first()
        if warrant is None:
            fail(
                "authority_id",
                _("No authority %(id)s in this custody.") % {"id": sentence.authority_id},
                "UNKNOWN_AUTHORITY",
            )
    else:
        warrant = (
            warrants.filter(kind=AuthorityKind.CONVICTION, revoked_at__isnull=True)
            .order_by("-valid_from", "-id")
            .first()
        )
    if problems:
        raise _problems(problems, str(_("sentence")))
    if warrant is None:
        raise RuleViolation(
            code="NO_CONVICTION_WARRANT",
            message=_("Record the conviction and sentence warrant before its sentences."),
            field="authority_id",
        )
    if warrant.kind != AuthorityKind.CONVICTION:
        raise RuleViolation(
            code="NOT_A_CONVICTION_WARRANT",
            message=_("A sentence belongs to a conviction and sentence warrant."),
            field="authority_id",
        )
    if warrant.revoked_at is not None:
        raise RuleViolation(
            code="AUTHORITY_REVOKED",
            message=_("This warrant was revoked."),
            field="authority_id",
        )
    assert sentence.imposed_on is not None

    # The aggregate with the new sentence, before anything is written.
    found = _profile_of(stay)
    rows = list(
        Sentence.objects.filter(episode=episode, quashed_at__isnull=True).values_list(
            *SENTENCE_COLUMNS
        )
    )
    candidate = (
        _PLACEHOLDER_ID,
        episode.pk,
        warrant.pk,
        sentence.imposed_on,
        sentence.years,
        sentence.months,
        sentence.days,
        sentence.starts_on,
        sentence.consecutive_to_id,
        sentence.remand_credit_days,
        sentence.seriousness,
    )
    given = sentences_for_calculator([*rows, candidate])
    try:
        calculate(given, found.profile)
    except CalculationRefused as refused:
        if refused.code not in RECORDED_DESPITE:
            labels = _labels(rows, {str(_PLACEHOLDER_ID): texts["case_reference"]})
            raise explain.as_domain_error(
                refused, labels=labels, field=_field_of(given)
            ) from refused

    obj = Sentence.objects.create(
        episode=episode,
        authority=warrant,
        offence=texts["offence"],
        court=texts["court"],
        case_reference=texts["case_reference"],
        imposed_on=sentence.imposed_on,
        term_years=sentence.years,
        term_months=sentence.months,
        term_days=sentence.days,
        starts_on=sentence.starts_on,
        consecutive_to=follows,
        remand_credit_days=sentence.remand_credit_days,
        seriousness=sentence.seriousness,
        recorded_at=at,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="sentencing.record_sentence",
            object_type="sentencing.Sentence",
            object_id=obj.pk,
            facility_id=stay.facility_id,
            person_id=person.pk,
            after={
                "authority": warrant.reference,
                "offence": obj.offence,
                "court": obj.court,
                "case_reference": obj.case_reference,
                "imposed_on": obj.imposed_on,
                "term": obj.term_label,
                "starts_on": obj.starts_on,
                "consecutive_to": follows.pk if follows else None,
                "remand_credit_days": obj.remand_credit_days,
                "seriousness": obj.seriousness,
            },
        ),
    )
    recalculate(
        episode_ids=[episode.pk],
        actor=actor,
        at=at,
        reason=_("Sentence %(ref)s recorded.") % {"ref": obj.case_reference},
    )
    return obj


def _field_of(given: list[Any]) -> Any:
    """Map a calculator path (``sentences[3].starts_on``) to the field of the sentence being
    recorded, or to ``sentences`` when it is about one already recorded."""
    names = {"consecutive_to": "consecutive_to_id"}

    def field(path: str | None) -> str | None:
        if path is None or not path.startswith("sentences["):
            return path
        index_text, _sep, rest = path[len("sentences[") :].partition("]")
        if not index_text.isdigit() or int(index_text) >= len(given):
            return "sentences"
        if given[int(index_text)].id != str(_PLACEHOLDER_ID):
            return "sentences"
        name = rest.lstrip(".")
        return names.get(name, name) or "term"

    return field


def quash_sentence(*, sentence: Sentence, reason: str, actor: Actor, at: dt.datetime) -> Sentence:
    """A sentence quashed on appeal or recorded in error leaves the calculation; it is kept, with
    the reason. Refused while another sentence is consecutive to it (quash or correct that one
    first: what it would follow is a question for the court)."""
    if sentence.quashed_at is not None:
        raise RuleViolation(
            code="SENTENCE_ALREADY_QUASHED",
            message=_("This sentence was already quashed."),
            field="sentence",
        )
    if not reason.strip():
        raise InvalidInput(code="REQUIRED", message=_("Give the reason."), field="reason")
    stay = _in_custody(
        Stay.objects.filter(episode_id=sentence.episode_id, ended_at__isnull=True)
        .select_related("facility")
        .first()
    )
    if sentence.followed_by.filter(quashed_at__isnull=True).exists():
        raise RuleViolation(
            code="SENTENCE_HAS_CONSECUTIVE",
            message=_("Another sentence is consecutive to this one: quash or correct it first."),
            field="sentence",
        )
    sentence.quashed_at = at
    sentence.quashed_reason = reason.strip()
    sentence.save(update_fields=["quashed_at", "quashed_reason"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="sentencing.quash_sentence",
            object_type="sentencing.Sentence",
            object_id=sentence.pk,
            facility_id=stay.facility_id,
            person_id=stay.person_id,
            before={"quashed_at": None},
            after={"quashed_at": at},
            reason=sentence.quashed_reason,
        ),
    )
    recalculate(
        episode_ids=[sentence.episode_id],
        actor=actor,
        at=at,
        reason=_("Sentence %(ref)s quashed.") % {"ref": sentence.case_reference},
    )
    return sentence


def extension_conditions(found: ProfileInForce) -> set[str]:
    """The conditions the profile's extensions of provisional detention may require."""
    return {
        e.condition
        for e in found.profile.provisional_detention_extensions
        if e.condition is not None
    }


def record_provisional_terms(
    *, authority: LawfulAuthority, terms: ProvisionalTermsIn, actor: Actor, at: dt.datetime
) -> ProvisionalDetention:
    """Record (or correct) what the maximum of a provisional detention turns on — the offence's
    seriousness, the day detention began, the conditions of extensions that hold — and set the
    order's legal end to the last day of that maximum (CPP art. 8 and the extensions decreed
    since; ``deadlines.provisional_detention_maximum``)."""
    if authority.kind != AuthorityKind.PROVISIONAL_DETENTION:
        raise RuleViolation(
            code="NOT_PROVISIONAL_DETENTION",
            message=_("Only a provisional detention order has a legal maximum to record."),
            field="authority",
        )
    stay = _in_custody(
        Stay.objects.filter(episode_id=authority.episode_id, ended_at__isnull=True)
        .select_related("facility", "episode")
        .first()
    )
    found = _profile_of(stay)
    problems: list[FieldProblem] = []
    if terms.seriousness not in Seriousness.values:
        problems.append(
            FieldProblem(
                field="seriousness",
                message=_("Unknown seriousness: %(s)s.") % {"s": terms.seriousness},
            )
        )
    known = extension_conditions(found)
    for i, condition in enumerate(terms.conditions):
        if condition not in known:
            problems.append(
                FieldProblem(
                    field=f"conditions[{i}]",
                    message=_("No extension of the profile depends on the condition %(c)s.")
                    % {"c": condition},
                    code="UNKNOWN_CONDITION",
                )
            )
    tz = stay.facility.time_zone
    detained_on = terms.detained_on
    if detained_on is None:
        began = [t for t in (stay.episode.arrested_at, authority.valid_from) if t is not None]
        detained_on = clock.local_date(min(began), tz)
    elif detained_on > clock.local_date(at, tz):
        problems.append(
            FieldProblem(
                field="detained_on",
                message=_("Detention cannot begin in the future."),
                code="IN_FUTURE",
            )
        )
    if problems:
        raise _problems(problems, str(_("provisional detention")))
    conditions = sorted(set(terms.conditions))
    obj = ProvisionalDetention.objects.filter(authority=authority).first()
    before = (
        None
        if obj is None
        else {
            "seriousness": obj.seriousness,
            "detained_on": obj.detained_on,
            "conditions": obj.conditions,
        }
    )
    if obj is None:
        obj = ProvisionalDetention(authority=authority)
    obj.seriousness = terms.seriousness
    obj.detained_on = detained_on
    obj.conditions = conditions
    obj.recorded_at = at
    obj.recorded_by = actor.user
    obj.save()
    record(
        actor=actor,
        at=at,
        change=Change(
            action="sentencing.record_provisional_terms",
            object_type="custody.LawfulAuthority",
            object_id=authority.pk,
            facility_id=stay.facility_id,
            person_id=stay.person_id,
            before=before,
            after={
                "seriousness": obj.seriousness,
                "detained_on": obj.detained_on,
                "conditions": conditions,
            },
        ),
    )
    recalculate(
        episode_ids=[authority.episode_id],
        actor=actor,
        at=at,
        reason=_("Provisional detention terms of %(ref)s recorded.") % {"ref": authority.reference},
    )
    return obj


def change_profile(
    *,
    jurisdiction: str,
    document: Any,
    reason: str,
    actor: Actor,
    at: dt.datetime,
) -> tuple[JurisdictionProfile, RecalculationReport]:
    """Put a new version of a jurisdiction's profile in force (validated whole: every problem
    with its path), audit it with the version it replaces, and recalculate everyone held under
    that jurisdiction. Earlier versions stay, as the dated history of the law applied."""
    jurisdiction = jurisdiction.strip()
    if not jurisdiction or len(jurisdiction) > 16:
        raise InvalidInput(
            code="INVALID", message=_("Give a jurisdiction code."), field="jurisdiction"
        )
    if not reason.strip():
        raise InvalidInput(code="REQUIRED", message=_("Give the reason."), field="reason")
    try:
        parse_profile(document)
    except CalculationFileError as exc:
        problems = field_problems(exc.marked_problems, code="INVALID_PROFILE")
        raise InvalidInput(
            code="INVALID_PROFILE",
            message=_("The profile has %(n)d problem(s); nothing was changed.")
            % {"n": len(problems)},
            problems=problems,
        ) from exc
    versions = list(
        JurisdictionProfile.objects.select_for_update()
        .filter(jurisdiction=jurisdiction)
        .values_list("version", flat=True)
    )
    try:
        previous: ProfileInForce | None = profile_for(jurisdiction)
    except NotFound:
        previous = None
    if previous is not None and previous.document == document:
        raise RuleViolation(
            code="PROFILE_UNCHANGED",
            message=_("The profile is the same as the one in force."),
            field="document",
        )
    stored = JurisdictionProfile.objects.create(
        jurisdiction=jurisdiction,
        version=max(versions, default=0) + 1,
        document=document,
        recorded_at=at,
        recorded_by=actor.user,
        reason=reason.strip(),
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="sentencing.change_profile",
            object_type="sentencing.JurisdictionProfile",
            object_id=f"{jurisdiction} v{stored.version}",
            before=None
            if previous is None
            else {"version": previous.version, "document": previous.document},
            after={"version": stored.version, "document": document},
            reason=stored.reason,
        ),
    )
    report = recalculate(
        jurisdiction=jurisdiction,
        actor=actor,
        at=at,
        reason=_("Profile %(j)s version %(v)d in force.")
        % {"j": jurisdiction, "v": stored.version},
    )
    return stored, report


def add_profile_period(
    *,
    jurisdiction: str,
    rule: str,
    valid_from: dt.date,
    value: Any,
    source: str,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    confirmed: bool = True,
    note: str = "",
) -> tuple[JurisdictionProfile, RecalculationReport]:
    """A new value of one rule from ``valid_from`` on (a new law, a decree, the end of a state of
    exception): the period in force until then ends the day before. Past periods are changed by
    editing the whole profile."""
    found = profile_for(jurisdiction)
    if rule not in PERIOD_RULES:
        raise InvalidInput(
            code="UNKNOWN_RULE",
            message=_("Unknown rule: %(rule)s.") % {"rule": rule},
            field="rule",
        )
    document = copy.deepcopy(found.document)
    rules = document.setdefault("rules", {})
    if rule.startswith("provisional_detention_max."):
        periods = rules.setdefault("provisional_detention_max", {}).setdefault(
            rule.split(".", 1)[1], []
        )
    else:
        periods = rules.setdefault(rule, [])
    for period in periods:
        starts = period.get("valid_from")
        if isinstance(starts, str) and starts >= valid_from.isoformat():
            raise InvalidInput(
                code="PERIOD_NOT_LATEST",
                message=_(
                    "A new period must begin after every period of the rule (one begins on "
                    "%(date)s); edit the whole profile to change the past."
                )
                % {"date": starts},
                field="valid_from",
            )
    for period in periods:
        if period.get("valid_until") is None:
            period["valid_until"] = (valid_from - dt.timedelta(days=1)).isoformat()
    added: dict[str, Any] = {
        "valid_from": valid_from.isoformat(),
        "valid_until": None,
        "value": value,
        "source": source,
        "confirmed": confirmed,
    }
    if note:
        added["note"] = note
    periods.append(added)
    return change_profile(
        jurisdiction=jurisdiction, document=document, reason=reason, actor=actor, at=at
    )


def release_at_sentence_end(
    *, person: Person, actor: Actor, at: dt.datetime, reason: str = ""
) -> Movement:
    """Release on the release date of the aggregate — or at once when it has passed. The release
    is ``custody.services.release`` (ends placement, stay and episode, audited), its authority
    the warrant of the sentence that ends the aggregate. Release on a court order is
    ``custody.services.release`` itself."""
    episode = custody.open_episode(person)
    stay = custody.open_stay(person)
    calculation = (
        SentenceCalculation.objects.filter(episode=episode)
        .select_related("determining_sentence__authority")
        .first()
    )
    if (
        calculation is None
        or calculation.release_date is None
        or calculation.determining_sentence is None
    ):
        raise RuleViolation(
            code="NO_RELEASE_DATE",
            message=_("There is no calculated release date for this custody."),
            field="person",
        )
    today = clock.local_date(at, stay.facility.time_zone)
    if today < calculation.release_date:
        raise RuleViolation(
            code="RELEASE_NOT_DUE",
            message=_("The release date is %(date)s.")
            % {"date": calculation.release_date.isoformat()},
            field="person",
        )
    warrant = calculation.determining_sentence.authority
    days_late = (today - calculation.release_date).days
    grounds = _("Sentence completed: release date %(date)s.") % {
        "date": calculation.release_date.isoformat()
    }
    movement = custody.release(
        person=person,
        at=at,
        order_reference=warrant.reference,
        ordered_by=warrant.issuing_authority,
        reason=f"{grounds} {reason.strip()}".strip(),
        actor=actor,
    )
    Movement.objects.filter(pk=movement.pk).update(authority=warrant)
    movement.authority = warrant
    record(
        actor=actor,
        at=at,
        change=Change(
            action="sentencing.release_at_sentence_end",
            object_type="custody.Movement",
            object_id=movement.pk,
            facility_id=stay.facility_id,
            person_id=person.pk,
            after={
                "authority": warrant.reference,
                "release_date": calculation.release_date,
                "days_after_release_date": days_late,
            },
            reason=grounds,
        ),
    )
    return movement
