from __future__ import annotations

from django import template

from habeas.sentencing.explain import term_text

register = template.Library()


@register.filter
def term(value: str) -> str:
    """``"35y6m0d"`` in words, in the active language."""
    return term_text(value or "")
