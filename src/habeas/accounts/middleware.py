"""A signed-in user's own language (set in their profile) wins over the browser's; a session
lasts until its user has been idle too long."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from habeas.core import clock


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.known = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if user is not None and user.is_authenticated and language in self.known:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


SESSION_TOUCHED_KEY = "habeas_touched_at"


class SlidingSessionMiddleware:
    """A session ends after ``SESSION_COOKIE_AGE`` of inactivity; each request of a signed-in user
    pushes that end back. Django's ``SESSION_SAVE_EVERY_REQUEST`` does this with a write on every
    request; here the session is saved at most once every ``SESSION_REFRESH_SECONDS`` (60 s), so the
    end is accurate to a minute and a shift of staff does not write its session 50 times a second
    (issue #8, the load figures in docs/benchmarks.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.refresh = float(getattr(settings, "SESSION_REFRESH_SECONDS", 60))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = clock.now().timestamp()
            touched = request.session.get(SESSION_TOUCHED_KEY)
            if not isinstance(touched, float) or now - touched >= self.refresh or now < touched:
                request.session[SESSION_TOUCHED_KEY] = now  # saved, and its expiry renewed
        return response
