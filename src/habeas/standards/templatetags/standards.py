"""``{% load standards %}``: whether the user may see findings (for the person page's panel)."""

from __future__ import annotations

from typing import Any

from django import template

from habeas.accounts.roles import Capability

register = template.Library()


@register.filter
def sees_findings(user: Any) -> bool:
    can = getattr(user, "can", None)
    return bool(can and can(Capability.VIEW_STANDARDS))
