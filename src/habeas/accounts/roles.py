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
    VIEW_HEALTH = "view_health"
    RECORD_HEALTH = "record_health"
    MANAGE_USERS = "manage_users"


_READ = {Capability.VIEW_ROLL, Capability.VIEW_PERSON}

CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CUSTODY_OFFICER: frozenset(
        _READ | {Capability.ADMIT, Capability.PLACE, Capability.RECORD_MOVEMENT}
    ),
    Role.RECORDS_OFFICER: frozenset(
        _READ
        | {
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
        }
    ),
    Role.INSPECTOR: frozenset(_READ | {Capability.VIEW_AUDIT}),
    Role.ADMINISTRATOR: frozenset(
        _READ
        | {
            Capability.VIEW_AUDIT,
            Capability.MANAGE_ESTATE,
            Capability.MANAGE_USERS,
        }
    ),
}
