"""Messages for a person, written by pure code (no Django) and translated at the Django boundary.

A pure module cannot call ``gettext``: it says *what* to tell the person as a :class:`Message`, an
English template marked with :func:`gettext_noop` (so ``makemessages`` extracts it into the
catalogue) and its parameters. A parameter may itself be a :class:`Message` (a marked word such as
``"null"``), translated too. ``habeas.core.translated.translated`` puts it into the active language;
:attr:`Message.english` is the English text. Pure: no Django imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Union

__all__ = ["Message", "Param", "Problem", "gettext_noop", "message"]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it: xgettext (``makemessages``)
    extracts every ``gettext_noop("…")`` call, whatever module defines the function."""
    return message


#: A message's parameter: a value shown as it is, or a marked word translated with the message.
Param = Union[str, int, float, "Message"]


@dataclass(frozen=True, slots=True)
class Message:
    """An English template (``"must be at least %(minimum)s, not %(value)s"``, marked with
    :func:`gettext_noop`) and its named parameters."""

    template: str
    params: Mapping[str, Param] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def english(self) -> str:
        """The message in English, the parameters filled in (marked words in English too)."""
        if not self.params:
            return self.template
        return self.template % {
            key: value.english if isinstance(value, Message) else value
            for key, value in self.params.items()
        }


def message(template: str, /, **params: Param) -> Message:
    """A :class:`Message` from a marked template and its parameters as keywords."""
    return Message(template, MappingProxyType(dict(params)))


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a JSON document: where (its JSON path) and why (a :class:`Message`)."""

    path: str
    reason: Message

    @property
    def english(self) -> tuple[str, str]:
        """``(path, reason)`` with the reason in English."""
        return self.path, self.reason.english
