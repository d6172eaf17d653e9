"""Which law applies: the jurisdiction profile in force, and the judicial-review date it gives an
arrest or administrative detention admitted without one.

A facility's ``jurisdiction`` (e.g. ``"SV"``) names its profile. The profile in force is the
highest stored version (``JurisdictionProfile``, edited by an administrator); a jurisdiction with
none stored uses its built-in profile (``profiles/<name>.json``) as version 0.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from django.utils.translation import gettext as _

from habeas.core.errors import NotFound
from habeas.custody.inputs import AdmissionIn
from habeas.custody.models import REVIEWABLE_KINDS
from habeas.estate.models import Facility
from habeas.sentencing import deadlines
from habeas.sentencing.calculator import CalculationRefused
from habeas.sentencing.files import parse_profile
from habeas.sentencing.models import JurisdictionProfile
from habeas.sentencing.profile import Profile

#: Jurisdictions with a profile shipped with Habeas, and its name.
BUILTIN: dict[str, str] = {"SV": "el_salvador"}


@dataclass(frozen=True)
class ProfileInForce:
    """A jurisdiction's profile as applied: its version (0 for the built-in one), the document
    as stored and the profile read from it."""

    jurisdiction: str
    version: int
    document: dict[str, Any]
    profile: Profile
    recorded_at: dt.datetime | None = None
    reason: str = ""


def builtin_document(jurisdiction: str) -> dict[str, Any] | None:
    name = BUILTIN.get(jurisdiction)
    if name is None:
        return None
    text = resources.files("habeas.sentencing").joinpath(f"profiles/{name}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


_parsed: dict[str, Profile] = {}


def read_document(document: dict[str, Any]) -> Profile:
    """The profile of a stored document (already validated when it was stored), cached by
    content."""
    key = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    profile = _parsed.get(key)
    if profile is None:
        profile = _parsed[key] = parse_profile(document)
    return profile


def profile_for(jurisdiction: str) -> ProfileInForce:
    """The profile in force for ``jurisdiction``; ``NotFound`` when there is none."""
    stored = (
        JurisdictionProfile.objects.filter(jurisdiction=jurisdiction).order_by("-version").first()
    )
    if stored is not None:
        return ProfileInForce(
            jurisdiction=jurisdiction,
            version=stored.version,
            document=stored.document,
            profile=read_document(stored.document),
            recorded_at=stored.recorded_at,
            reason=stored.reason,
        )
    document = builtin_document(jurisdiction)
    if document is None:
        raise NotFound(
            code="NO_PROFILE",
            message=_("There is no sentencing profile for the jurisdiction %(j)s.")
            % {"j": jurisdiction},
            field="jurisdiction",
        )
    return ProfileInForce(
        jurisdiction=jurisdiction,
        version=0,
        document=document,
        profile=read_document(document),
        reason=str(_("Built-in profile")),
    )


def default_review_due_by(*, detained_at: dt.datetime, jurisdiction: str) -> dt.datetime | None:
    """When a judge must review a detention that began at ``detained_at``: the window of the law
    in force that day (72 hours under Constitución art. 13; 15 days under the state of exception
    from 27 March 2022 in the default profile). ``None`` when there is no profile or it says
    nothing for that day: the admission then asks for the date."""
    try:
        profile = profile_for(jurisdiction).profile
    except NotFound:
        return None
    return _review_due(detained_at, profile)


def _review_due(detained_at: dt.datetime, profile: Profile) -> dt.datetime | None:
    try:
        return deadlines.judicial_review_due(detained_at=detained_at, profile=profile).due
    except CalculationRefused as refused:
        if refused.code == "PROFILE_NO_PERIOD":
            return None
        raise


def fill_review_dates(
    admissions: Sequence[AdmissionIn], *, facility: Facility
) -> list[AdmissionIn]:
    """The admissions, with the judicial-review date the law requires filled in for every arrest
    or administrative detention admitted without one — counted from the arrest when it is
    recorded and earlier than the authority. Called by ``custody.admission.admit_many`` before
    it validates: the admission stays the one path, and its checks still apply (a date the
    profile cannot give is still asked for)."""
    profile: Profile | None = None
    out: list[AdmissionIn] = []
    for item in admissions:
        a = item.authority
        if (
            a is None
            or a.kind not in REVIEWABLE_KINDS
            or a.review_due_by is not None
            or a.valid_from is None
            or a.valid_from.tzinfo is None
        ):
            out.append(item)
            continue
        if profile is None:
            try:
                profile = profile_for(facility.jurisdiction).profile
            except NotFound:
                return list(admissions)
        arrested = item.arrival.arrested_at
        began = a.valid_from
        if arrested is not None and arrested.tzinfo is not None and arrested < began:
            began = arrested
        due = _review_due(began, profile)
        out.append(item if due is None else replace(item, authority=replace(a, review_due_by=due)))
    return out
