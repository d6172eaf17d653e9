"""Find what each domain app contributes (API router, pages, demo step) without a central list
of imports: ``settings.HABEAS_APPS`` gives the order."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from django.conf import settings


def app_modules(name: str) -> list[ModuleType]:
    """``habeas.<app>.<name>`` for every app that has one, in ``HABEAS_APPS`` order."""
    found = []
    for app in settings.HABEAS_APPS:
        dotted = f"habeas.{app}.{name}"
        if importlib.util.find_spec(dotted) is not None:
            found.append(importlib.import_module(dotted))
    return found
