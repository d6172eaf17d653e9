"""``{% load standards %}``: whether the user may see findings (for the person page's panel), and
the catalogue's English texts in the language of the page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from habeas.accounts.roles import Capability

register = template.Library()


@register.filter
def sees_findings(user: Any) -> bool:
    can = getattr(user, "can", None)
    return bool(can and can(Capability.VIEW_STANDARDS))


@register.filter
def translated(text: Any) -> Any:
    """A text of the rules or profiles (stored in English, part of their digest) in the language
    of the page: its message id is in the catalogue (``catalogue_messages.py``)."""
    return gettext(str(text)) if text else text
