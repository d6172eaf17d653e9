"""Account pages: the second factor (enrol, verify), re-authentication, and the administrator's
page for a user's role, facilities and account (issue #8); one's own profile and the language
switch (issue #9). Thin: parse, call one service in a transaction, render."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from habeas.accounts import second_factor as sf
from habeas.accounts.forms import (
    AccessForm,
    CodeForm,
    DisableForm,
    EnrolForm,
    LanguageForm,
    ReauthenticateForm,
)
from habeas.accounts.models import User
from habeas.accounts.roles import Capability
from habeas.accounts.services import set_language as set_user_language
from habeas.core import clock
from habeas.core.errors import DomainError
from habeas.core.views import actor_of, require, user_of
from habeas.estate.models import Facility


def _next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return default
    return target


def _form_errors(form: Any, exc: DomainError) -> None:
    problems = exc.details.get("problems") or [{"field": exc.field, "message": exc.message}]
    for p in problems:
        field = p.get("field") if p.get("field") in form.fields else None
        form.add_error(field, p["message"])


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (drawn on the server as SVG), type the code the app shows: the device is
    confirmed and ten recovery codes are shown, once."""
    user = user_of(request)
    if sf.enrolled(user) and not sf.passed(request):
        return redirect("accounts:verify")
    device = sf.totp_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                codes = sf.confirm_enrolment(
                    user=user,
                    device=device,
                    token=form.cleaned_data["token"],
                    actor=actor_of(request),
                    at=clock.now(),
                )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            sf.sign_in_second_factor(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
    qr = base64.b64encode(sf.qr_svg(device).encode("utf-8")).decode("ascii")
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_data_uri": f"data:image/svg+xml;base64,{qr}",
            "secret": sf.secret_text(device),
            "required": sf.required_for(user),
            "next": _next(request),
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user = user_of(request)
    if not sf.enrolled(user):
        return redirect("accounts:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = sf.check_second_factor(
                user=user,
                token=form.cleaned_data["token"],
                actor=actor_of(request),
                at=clock.now(),
            )
        if device is not None:
            sf.sign_in_second_factor(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code is not right. Try the next one the app shows."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})


@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Password and code again, before changing who may do what."""
    user = user_of(request)
    form = ReauthenticateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                sf.reauthenticate(
                    request=request,
                    user=user,
                    password=form.cleaned_data["password"],
                    token=form.cleaned_data["token"],
                    at=clock.now(),
                )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect(_next(request))
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "next": _next(request), "minutes": _reauth_minutes()},
    )


def _reauth_minutes() -> int:
    from django.conf import settings

    return max(1, settings.HABEAS_REAUTH_SECONDS // 60)


def _managed_users(admin: User) -> QuerySet[User]:
    return (
        User.objects.filter(facilities__in=admin.facility_ids())
        .distinct()
        .prefetch_related("facilities")
        .order_by("username")
    )


def _managed_user(request: HttpRequest, user_id: int) -> User:
    admin = require(request, Capability.MANAGE_USERS)
    user = _managed_users(admin).filter(pk=user_id).first()
    if user is None:
        raise Http404(_("No such user."))
    return user


@login_required
def users(request: HttpRequest) -> HttpResponse:
    admin = require(request, Capability.MANAGE_USERS)
    rows = [
        {"user": u, "enrolled": sf.enrolled(u), "required": sf.required_for(u)}
        for u in _managed_users(admin)
    ]
    return render(request, "accounts/users.html", {"rows": rows})


def _needs_reauth(request: HttpRequest) -> HttpResponse | None:
    if sf.recently_reauthenticated(request, clock.now()):
        return None
    messages.info(request, _("Confirm it is you: password and code again."))
    return redirect(f"{reverse('accounts:reauthenticate')}?next={request.path}")


@login_required
def user_access(request: HttpRequest, user_id: int) -> HttpResponse:
    """An administrator changes a user's role and facilities — only after re-authenticating
    within the last few minutes; the change is audited."""
    user = _managed_user(request, user_id)
    admin = user_of(request)
    facilities = Facility.objects.filter(pk__in=admin.facility_ids()).order_by("code")
    initial = {"role": user.role, "facilities": list(user.facilities.all())}
    form = AccessForm(request.POST or None, initial=initial)
    form.fields["facilities"].queryset = facilities  # type: ignore[attr-defined]
    if request.method == "POST":
        refused = _needs_reauth(request)
        if refused is not None:
            return refused
        if form.is_valid():
            try:
                with transaction.atomic():
                    sf.change_access(
                        user=user,
                        role=form.cleaned_data["role"],
                        facilities=list(form.cleaned_data["facilities"]),
                        actor=actor_of(request),
                        at=clock.now(),
                        reason=form.cleaned_data["reason"],
                    )
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Access of %(user)s changed.") % {"user": user})
                return redirect("accounts:user", user_id=user.pk)
    return render(
        request,
        "accounts/user.html",
        {
            "target": user,
            "form": form,
            "disable_form": DisableForm(prefix="disable"),
            "reset_form": DisableForm(prefix="reset"),
            "enrolled": sf.enrolled(user),
            "reauthenticated": sf.recently_reauthenticated(request, clock.now()),
        },
    )


@login_required
@require_POST
def user_disable(request: HttpRequest, user_id: int) -> HttpResponse:
    """Disable an account: its sessions end and its API tokens are revoked at once."""
    user = _managed_user(request, user_id)
    refused = _needs_reauth(request)
    if refused is not None:
        return redirect(
            f"{reverse('accounts:reauthenticate')}?next="
            f"{reverse('accounts:user', kwargs={'user_id': user.pk})}"
        )
    form = DisableForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            with transaction.atomic():
                done = sf.disable_user(
                    user=user,
                    actor=actor_of(request),
                    at=clock.now(),
                    reason=form.cleaned_data["reason"],
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(user)s is disabled: %(s)d session(s) ended, %(t)d token(s) revoked.")
                % {"user": user, "s": done["sessions_ended"], "t": done["tokens_revoked"]},
            )
    else:
        messages.error(request, _("Say why."))
    return redirect("accounts:user", user_id=user.pk)


@login_required
@require_POST
def user_reset_second_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _managed_user(request, user_id)
    if _needs_reauth(request) is not None:
        return redirect(
            f"{reverse('accounts:reauthenticate')}?next="
            f"{reverse('accounts:user', kwargs={'user_id': user.pk})}"
        )
    form = DisableForm(request.POST, prefix="reset")
    if form.is_valid():
        with transaction.atomic():
            sf.reset_second_factor(
                user=user,
                actor=actor_of(request),
                at=clock.now(),
                reason=form.cleaned_data["reason"],
            )
        messages.success(request, _("The second factor of %(user)s was removed.") % {"user": user})
    else:
        messages.error(request, _("Say why."))
    return redirect("accounts:user", user_id=user.pk)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """One's own account: who, which role and facilities, and the language to read Habeas in."""
    user = user_of(request)
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                set_user_language(
                    user=user,
                    language=form.cleaned_data["language"],
                    actor=actor_of(request),
                    at=clock.now(),
                )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            # The new language from this response on (the middleware read the old one).
            translation.activate(user.language or get_language_from_request(request))
            messages.success(request, _("Your language is saved."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "facilities": user.facilities.order_by("code"),
            "enrolled": sf.enrolled(user),
        },
    )


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The language switch on every page: Django's ``set_language`` (a cookie, for the sign-in
    page and the browser), and for a signed-in user their profile too — their profile's
    language is the one that counts once they are signed in."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = getattr(request, "user", None)
    if (
        isinstance(user, User)
        and user.is_authenticated
        and language in {code for code, _name in settings.LANGUAGES}
    ):
        with transaction.atomic():
            set_user_language(user=user, language=language, actor=actor_of(request), at=clock.now())
    return response
