"""Roles (DESIGN.md §5) and what each may do.

A role is a closed vocabulary; a capability is a verb of the domain. Views, API handlers and
services ask ``can(user, Capability.X)`` rather than testing role names, so a rule about who may do
what lives here and only here.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTODY_OFFICER = "custody_officer", _("Custody officer")
    RECORDS_OFFICER = "records_officer", _("Records officer")
    HEALTH = "health", _("Health staff")
    GOVERNOR = "governor", _("Governor")
    INSPECTOR = "inspector", _("Inspector")
    ADMINISTRATOR = "administrator", _("Administrator")


class Capability(StrEnum):
    VIEW_ROLL = "view_roll"
    VIEW_PERSON = "view_person"
    VIEW_AUDIT = "view_audit"
    VIEW_SECURITY = "view_security"  # group affiliations, rivalries, non-associations
    VIEW_ADMISSION_RECORD = "view_admission_record"  # Rule 7: injuries, allegations, family
    ADMIT = "admit"
    PLACE = "place"
    RECORD_MOVEMENT = "record_movement"  # court, hospital absences and returns
    RELEASE = "release"
    TRANSFER = "transfer"
    MANAGE_AUTHORITIES = "manage_authorities"
    MANAGE_PEOPLE = "manage_people"  # affiliations, non-associations, identity
    MANAGE_ESTATE = "manage_estate"
    SET_CAPACITY = "set_capacity"
    AUTHORISE_OVER_CAPACITY = "authorise_over_capacity"
    APPROVE_PLAN = "approve_plan"  # apply a rebalance of the whole facility
    VIEW_HEALTH = "view_health"
    RECORD_HEALTH = "record_health"
    MANAGE_USERS = "manage_users"
    # Sentencing and legal deadlines (issue #5)
    VIEW_DEADLINES = "view_deadlines"  # the legal deadlines work queue
    MANAGE_SENTENCES = "manage_sentences"  # sentences, provisional detention terms
    EDIT_LEGAL_PROFILES = "edit_legal_profiles"  # jurisdiction profiles: the law as data
    # Daily life (regime, contact, conditions, incidents, discipline)
    RECORD_DAILY_LIFE = "record_daily_life"  # unlocks, meals, visits held, calls, letters, water
    RECORD_READINGS = "record_readings"  # environmental sensor feeds
    RECORD_INCIDENTS = "record_incidents"  # incidents, force, restraints, complaints, deaths
    DECIDE_REQUESTS = "decide_requests"  # approve or refuse visits, answer complaints
    DISCIPLINE = "discipline"  # charges, hearings, sanctions, segregation and its reviews
    # The custody ledger and the standards (issue #7)
    VIEW_STANDARDS = "view_standards"  # the ledger, findings, drill-down, inspection reports
    CHECK_STANDARDS = "check_standards"  # build the ledger and run an evaluation (derived data)


_READ = {Capability.VIEW_ROLL, Capability.VIEW_PERSON, Capability.VIEW_ADMISSION_RECORD}
# Security intelligence is for those who place, hold and oversee people — not health staff.
_SECURITY = {Capability.VIEW_SECURITY}

CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CUSTODY_OFFICER: frozenset(
        _READ | _SECURITY | {Capability.ADMIT, Capability.PLACE, Capability.RECORD_MOVEMENT}
    ),
    Role.RECORDS_OFFICER: frozenset(
        _READ
        | _SECURITY
        | {
            Capability.VIEW_AUDIT,
            Capability.ADMIT,
            Capability.MANAGE_AUTHORITIES,
            Capability.RELEASE,
            Capability.TRANSFER,
            Capability.MANAGE_PEOPLE,
            Capability.RECORD_MOVEMENT,
        }
    ),
    Role.HEALTH: frozenset(_READ | {Capability.VIEW_HEALTH, Capability.RECORD_HEALTH}),
    Role.GOVERNOR: frozenset(
        _READ
        | _SECURITY
        | {
            Capability.VIEW_AUDIT,
            Capability.ADMIT,
            Capability.PLACE,
            Capability.RECORD_MOVEMENT,
            Capability.RELEASE,
            Capability.TRANSFER,
            Capability.MANAGE_AUTHORITIES,
            Capability.MANAGE_PEOPLE,
            Capability.SET_CAPACITY,
            Capability.AUTHORISE_OVER_CAPACITY,
            Capability.APPROVE_PLAN,
        }
    ),
    Role.INSPECTOR: frozenset(_READ | _SECURITY | {Capability.VIEW_AUDIT}),
    Role.ADMINISTRATOR: frozenset(
        _READ
        | {
            Capability.VIEW_AUDIT,
            Capability.MANAGE_ESTATE,
            Capability.MANAGE_USERS,
        }
    ),
}

# Daily life: who records it and who decides.
_DAILY_LIFE: dict[str, set[Capability]] = {
    Role.CUSTODY_OFFICER: {
        Capability.RECORD_DAILY_LIFE,
        Capability.RECORD_READINGS,
        Capability.RECORD_INCIDENTS,
    },
    Role.RECORDS_OFFICER: {Capability.RECORD_DAILY_LIFE},
    Role.GOVERNOR: {
        Capability.RECORD_DAILY_LIFE,
        Capability.RECORD_READINGS,
        Capability.RECORD_INCIDENTS,
        Capability.DECIDE_REQUESTS,
        Capability.DISCIPLINE,
    },
    Role.ADMINISTRATOR: {Capability.RECORD_READINGS},
}
CAPABILITIES = {role: caps | _DAILY_LIFE.get(role, set()) for role, caps in CAPABILITIES.items()}

# Sentencing: records officers and governors work the deadlines queue and record sentences;
# inspectors read the queue (no one can hide a breach from them); administrators keep the law.
_SENTENCING: dict[str, set[Capability]] = {
    Role.RECORDS_OFFICER: {Capability.VIEW_DEADLINES, Capability.MANAGE_SENTENCES},
    Role.GOVERNOR: {Capability.VIEW_DEADLINES, Capability.MANAGE_SENTENCES},
    Role.INSPECTOR: {Capability.VIEW_DEADLINES},
    Role.ADMINISTRATOR: {Capability.EDIT_LEGAL_PROFILES},
}
CAPABILITIES = {role: caps | _SENTENCING.get(role, set()) for role, caps in CAPABILITIES.items()}

# Standards: governors see their facility's breaches; inspectors see and verify every finding
# (read-only: a check writes only derived data, never the operational record) and no facility
# setting can hide a rule from them.
_STANDARDS: dict[str, set[Capability]] = {
    Role.GOVERNOR: {Capability.VIEW_STANDARDS, Capability.CHECK_STANDARDS},
    Role.INSPECTOR: {Capability.VIEW_STANDARDS, Capability.CHECK_STANDARDS},
}
CAPABILITIES = {role: caps | _STANDARDS.get(role, set()) for role, caps in CAPABILITIES.items()}
