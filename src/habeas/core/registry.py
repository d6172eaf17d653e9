"""Find what each domain app contributes (API router, pages, demo step) without a central list
of imports: ``settings.HABEAS_APPS`` gives the order."""

from __future__ import annotations

import functools
import importlib
import importlib.util
from types import ModuleType

from django.conf import settings


def app_modules(name: str) -> list[ModuleType]:
    """``habeas.<app>.<name>`` for every app that has one, in ``HABEAS_APPS`` order.

    Looked up once per process: every page's shell asks for the apps' ``nav`` modules, and
    looking for a module an app does not have searches the disk each time."""
    return list(_app_modules(name, tuple(settings.HABEAS_APPS)))


@functools.cache
def _app_modules(name: str, apps: tuple[str, ...]) -> tuple[ModuleType, ...]:
    found = []
    for app in apps:
        dotted = f"habeas.{app}.{name}"
        if importlib.util.find_spec(dotted) is not None:
            found.append(importlib.import_module(dotted))
    return tuple(found)
