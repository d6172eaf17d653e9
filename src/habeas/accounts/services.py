"""Accounts: creating staff, assigning roles and facilities, issuing API tokens. All audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from habeas.accounts.models import ApiToken, User
from habeas.accounts.roles import Role
from habeas.audit.services import Actor, Change, record
from habeas.core.errors import FieldProblem, InvalidInput, RuleViolation
from habeas.estate.models import Facility


def create_user(
    *,
    username: str,
    role: str,
    facilities: Sequence[Facility],
    password: str,
    actor: Actor,
    at: dt.datetime,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
) -> User:
    """A member of staff or an inspector, with one role and the facilities they may see."""
    problems: list[FieldProblem] = []
    username = username.strip()
    if not username:
        problems.append(FieldProblem("username", _("This field is required."), "REQUIRED"))
    elif User.objects.filter(username__iexact=username).exists():
        raise RuleViolation(
            code="USERNAME_TAKEN",
            message=_("The user name %(name)s is taken.") % {"name": username},
            field="username",
        )
    if role not in Role.values:
        problems.append(
            FieldProblem(
                "role",
                _("Unknown role %(role)s (one of: %(roles)s).")
                % {"role": role, "roles": ", ".join(Role.values)},
            )
        )
    if not facilities:
        problems.append(FieldProblem("facilities", _("Assign at least one facility."), "REQUIRED"))
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        problems += [FieldProblem("password", str(m), "WEAK_PASSWORD") for m in exc.messages]
    if problems:
        raise InvalidInput(
            message=problems[0].message
            if len(problems) == 1
            else _("%(n)d problems.") % {"n": len(problems)},
            problems=problems,
        )
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
    )
    user.set_password(password)
    user.save()
    user.facilities.set(facilities)
    record(
        actor=actor,
        at=at,
        change=Change(
            action="user.create",
            object_type="accounts.User",
            object_id=user.pk,
            after={
                "username": username,
                "role": role,
                "facilities": sorted(f.code for f in facilities),
            },
        ),
    )
    return user


def issue_token(*, user: User, name: str, actor: Actor, at: dt.datetime) -> tuple[ApiToken, str]:
    """A new API token for ``user``. The raw token is returned once and never stored."""
    if not name.strip():
        raise InvalidInput(
            message=_("Name the token (e.g. the program that uses it)."), field="name"
        )
    # A token skips the second factor (programs cannot type codes): only for a user who has one
    # when the policy requires it (issue #8).
    from habeas.accounts import second_factor

    if second_factor.required_for(user) and not second_factor.enrolled(user):
        raise RuleViolation(
            code="SECOND_FACTOR_REQUIRED",
            message=_(
                "%(user)s must set up the second factor before an API token is issued to them."
            )
            % {"user": user.username},
            field="user",
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=raw[:10], digest=ApiToken.digest_of(raw), created_at=at
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="token.issue",
            object_type="accounts.ApiToken",
            object_id=token.pk,
            after={"user": user.username, "name": token.name, "prefix": token.prefix},
        ),
    )
    return token, raw


def set_language(*, user: User, language: str, actor: Actor, at: dt.datetime) -> User:
    """The language the user reads Habeas in (pages, messages, their reports); empty: the
    browser's. Audited like every change to an account."""
    from django.conf import settings

    known = [code for code, _name in settings.LANGUAGES]
    if language and language not in known:
        raise InvalidInput(
            code="UNKNOWN_LANGUAGE",
            message=_("Unknown language %(lang)s (one of: %(known)s).")
            % {"lang": language, "known": ", ".join(known)},
            field="language",
        )
    before = user.language
    if before == language:
        return user
    user.language = language
    user.save(update_fields=["language"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="user.language",
            object_type="accounts.User",
            object_id=user.pk,
            before={"language": before},
            after={"language": language},
        ),
    )
    return user
