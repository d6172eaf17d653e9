"""The few SQL expressions PostgreSQL and SQLite spell differently, so that the ledger's build and
the standards' queries are written once.

Timestamps are compared as stored: ``timestamptz`` on PostgreSQL, ISO text in UTC on SQLite
(``YYYY-MM-DD HH:MM:SS[.ffffff]``, which sorts like time). Dates are ``date`` and ISO text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

_TZ_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def _sqlite_local_date(value: str | None, tz_name: str) -> str | None:
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(tz_name)).date().isoformat()


def _sqlite_md5(value: str | None) -> str:
    return hashlib.md5((value or "").encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Dialect:
    vendor: str

    @classmethod
    def current(cls) -> Dialect:
        """The dialect of the default connection; on SQLite also registers the two functions
        the build needs there (``hb_local_date``, ``hb_md5``)."""
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            raw = connection.connection
            raw.create_function("hb_local_date", 2, _sqlite_local_date, deterministic=True)
            raw.create_function("hb_md5", 1, _sqlite_md5, deterministic=True)
        return cls(connection.vendor)

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    # Values and literals
    def ts(self, moment: dt.datetime) -> Any:
        """A parameter value for a timestamp, as the column stores it."""
        if self.pg:
            return moment
        return connection.ops.adapt_datetimefield_value(moment)

    @property
    def far(self) -> str:
        """A moment after every real one (an open period's end)."""
        return (
            "CAST('9999-12-31 00:00:00+00' AS TIMESTAMPTZ)" if self.pg else "'9999-12-31 00:00:00'"
        )

    @property
    def ts_type(self) -> str:
        return "TIMESTAMPTZ" if self.pg else "TEXT"

    @property
    def date_type(self) -> str:
        return "DATE" if self.pg else "TEXT"

    # Functions
    def greatest(self, *exprs: str) -> str:
        return f"{'GREATEST' if self.pg else 'MAX'}({', '.join(exprs)})"

    def least(self, *exprs: str) -> str:
        return f"{'LEAST' if self.pg else 'MIN'}({', '.join(exprs)})"

    def minutes(self, start: str, end: str) -> str:
        """Whole minutes from ``start`` to ``end`` (rounded down, like ``timedelta // 60``)."""
        if self.pg:
            return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end}) - ({start})) / 60) AS INTEGER)"
        return f"(CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER) / 60)"

    def plus_minutes(self, moment: str, minutes: int) -> str:
        if self.pg:
            return f"(({moment}) + INTERVAL '{int(minutes)} minutes')"
        return f"datetime({moment}, '{int(minutes):+d} minutes')"

    def days_between(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"(({later}) - ({earlier}))"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def day_number(self, day: str) -> str:
        """An integer that grows by one each day (for runs of consecutive days)."""
        if self.pg:
            return f"(({day}) - DATE '2000-01-01')"
        return f"CAST(julianday({day}) AS INTEGER)"

    def plus_years(self, day: str, years: int) -> str:
        if self.pg:
            return f"CAST(({day}) + INTERVAL '{int(years)} years' AS DATE)"
        return f"date({day}, '+{int(years)} years')"

    def local_date(self, moment: str, tz_name: str) -> str:
        if not _TZ_NAME.match(tz_name):
            raise ValueError(f"not a time zone name: {tz_name!r}")
        if self.pg:
            return f"CAST(({moment}) AT TIME ZONE '{tz_name}' AS DATE)"
        return f"hb_local_date({moment}, '{tz_name}')"

    def decimal(self, expr: str) -> str:
        """``expr`` as a number that divides exactly (SQLite divides integers as integers)."""
        return f"CAST({expr} AS NUMERIC)" if self.pg else f"CAST({expr} AS REAL)"

    def text(self, expr: str) -> str:
        return f"COALESCE(CAST({expr} AS TEXT), '')"

    def md5(self, expr: str) -> str:
        return f"md5({expr})" if self.pg else f"hb_md5({expr})"

    def row_hash(self, columns: list[str]) -> str:
        """The MD5 of a row's values as text: PostgreSQL's own text form of a row value
        (``(1,2026-11-25,t,,…)``, in C); elsewhere the values joined with ``|``."""
        if self.pg:
            return f"md5(CAST(ROW({', '.join(columns)}) AS TEXT))"
        return self.md5(" || '|' || ".join(self.text(c) for c in columns))

    def flag(self, expr: str) -> str:
        """A boolean column as 0/1."""
        return f"CASE WHEN {expr} THEN 1 ELSE 0 END"
