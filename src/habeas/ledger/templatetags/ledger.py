"""``{% load ledger %}``: the kind of an operational record (``stay``, ``unlock``…) as a person
reads it, in the language of the page."""

from __future__ import annotations

from django import template

from habeas.ledger.views import record_labels

register = template.Library()


@register.filter
def record_kind(kind: str) -> str:
    return record_labels().get(kind, kind)
