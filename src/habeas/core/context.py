"""What every page's shell needs: the navigation the user's role allows, and their facilities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django_stubs_ext import StrOrPromise

from habeas.core.registry import app_modules


@dataclass(frozen=True)
class NavItem:
    """One link of the main navigation. ``capability`` (if any) is what the user must be able
    to do; ``facility`` links take the current facility code."""

    label: StrOrPromise
    url_name: str
    capability: str | None = None
    facility: bool = True
    order: int = 50


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    facilities = user.assigned_facilities()
    match = getattr(request, "resolver_match", None)
    code = (match.kwargs.get("code") if match else None) or request.session.get("facility")
    current = next((f for f in facilities if f.code == code), facilities[0] if facilities else None)
    if current is not None and request.session.get("facility") != current.code:
        request.session["facility"] = current.code  # a write only when it changes
    items: list[NavItem] = [item for module in app_modules("nav") for item in module.NAV]
    nav = []
    for item in sorted(items, key=lambda i: i.order):
        if item.capability and not user.can(item.capability):
            continue
        try:
            if item.facility:
                if current is None:
                    continue
                url = reverse(item.url_name, kwargs={"code": current.code})
            else:
                url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = bool(match and f"{match.namespace}:{match.url_name}" == item.url_name)
        nav.append({"label": item.label, "url": url, "active": active})
    return {"nav": nav, "my_facilities": facilities, "current_facility": current}


def person_links(user: Any, person_id: int) -> list[dict[str, object]]:
    """The tabs of a person's record that other apps contribute (``PERSON_LINKS`` in an app's
    ``nav.py``: NavItems whose URL takes ``person_id``), filtered by the user's role."""
    links = []
    items = [i for m in app_modules("nav") for i in getattr(m, "PERSON_LINKS", [])]
    for item in sorted(items, key=lambda i: i.order):
        if item.capability and not user.can(item.capability):
            continue
        try:
            url = reverse(item.url_name, kwargs={"person_id": person_id})
        except NoReverseMatch:
            continue
        links.append({"label": item.label, "url": url})
    return links
