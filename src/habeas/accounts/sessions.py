"""Sessions in the database, as Django keeps them, read with a prepared query: every signed-in
request reads its session first (``core.prepared``; issue #8, docs/benchmarks.md).

``SESSION_ENGINE = "habeas.accounts.sessions"``; everything but the read is Django's."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from habeas.core.prepared import prepared


@prepared
def _unexpired(session_key: str, now: dt.datetime) -> QuerySet[Session]:
    return Session.objects.filter(session_key=session_key, expire_date__gt=now)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        found = _unexpired(session_key=key, now=timezone.now()) if key else []
        if found:
            return found[0]
        self._session_key = None
        return None
