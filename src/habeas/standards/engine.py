# ruff: noqa: S608 - the SQL is composed from the catalogue's rules (our own files, checked
# against the ledger's columns) and numeric thresholds; the range travels as parameters.
"""Judging the ledger: every rule of the catalogue in one pass over a facility's rows for a range
of days, grouped three ways — by person (who, how many days, the worst value), by day (the
trend) and by cell. On PostgreSQL one scan with GROUPING SETS; on SQLite three.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from habeas.ledger.dialect import Dialect
from habeas.ledger.models import CustodyDay
from habeas.standards.catalogue import RenderedRule

TABLE = CustodyDay._meta.db_table
WORST_CASES = 10
CENT = Decimal("0.01")


@dataclass
class PersonResult:
    person_id: int
    days: int
    first: dt.date
    last: dt.date
    worst: Decimal | None
    run: int | None = None


@dataclass
class RuleResult:
    rendered: RenderedRule
    judged: int = 0
    unknown: int = 0
    person_days: int = 0
    trend: list[tuple[dt.date, int, int]] = field(default_factory=list)
    people: list[PersonResult] = field(default_factory=list)
    cells: list[tuple[int, int, int]] = field(default_factory=list)  # cell, breached, judged
    longest_run: int | None = None
    severe_people: int | None = None

    @property
    def first(self) -> dt.date | None:
        return min((p.first for p in self.people), default=None)

    @property
    def last(self) -> dt.date | None:
        return max((p.last for p in self.people), default=None)

    @property
    def worst_value(self) -> Decimal | None:
        values = [p.worst for p in self.people if p.worst is not None]
        if not values:
            return None
        return min(values) if self.rendered.rule.worst_order == "min" else max(values)

    def worst_cases(self) -> list[PersonResult]:
        """The people worst affected: by the worst value, then the most days, then the longest
        run (ties by person, so the list is the same every time)."""
        sign = 1 if self.rendered.rule.worst_order == "min" else -1

        def key(p: PersonResult) -> tuple[Any, ...]:
            worst = sign * p.worst if p.worst is not None else Decimal(0)
            return (worst, -p.days, -(p.run or 0), p.person_id)

        return sorted(self.people, key=key)[:WORST_CASES]


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


class Judge:
    """Evaluates rendered rules over one facility's ledger rows from ``first`` to ``last``."""

    def __init__(self, facility_id: int, first: dt.date, last: dt.date) -> None:
        self.params: list[Any] = [facility_id, first, last]
        self.where = "WHERE facility_id = %s AND day >= %s AND day <= %s"
        self.d = Dialect.current()

    def aggregates(self, rules: list[RenderedRule]) -> list[str]:
        cols = []
        for i, r in enumerate(rules):
            worst = r.worst or "NULL"
            fn = "MIN" if r.rule.worst_order == "min" else "MAX"
            cols += [
                f"SUM(CASE WHEN {r.breached} THEN 1 ELSE 0 END) AS b{i}",
                f"SUM(CASE WHEN {r.judged} THEN 1 ELSE 0 END) AS j{i}",
                f"SUM(CASE WHEN {r.unknown} THEN 1 ELSE 0 END) AS u{i}",
                f"MIN(CASE WHEN {r.breached} THEN day END) AS f{i}",
                f"MAX(CASE WHEN {r.breached} THEN day END) AS l{i}",
                f"{fn}(CASE WHEN {r.breached} THEN {worst} END) AS w{i}",
            ]
        return cols

    def rows(self, rules: list[RenderedRule]) -> list[tuple[str, Any, dict[str, Any]]]:
        """(grouping, key, aggregates) for every person, day and cell."""
        aggs = ", ".join(self.aggregates(rules))
        names = [f"{p}{i}" for i in range(len(rules)) for p in "bjuflw"]
        out: list[tuple[str, Any, dict[str, Any]]] = []
        with connection.cursor() as cur:
            if self.d.pg:
                cur.execute("SET LOCAL work_mem = '256MB'")
                cur.execute(
                    f"SELECT GROUPING(person_id, day, cell_id), person_id, day, cell_id, {aggs} "
                    f"FROM {TABLE} {self.where} "
                    "GROUP BY GROUPING SETS ((person_id), (day), (cell_id))",
                    self.params,
                )
                kinds = {3: ("person", 1), 5: ("day", 2), 6: ("cell", 3)}
                for row in cur.fetchall():
                    kind, at = kinds[row[0]]
                    out.append((kind, row[at], dict(zip(names, row[4:], strict=True))))
                return out
            for kind in ("person_id", "day", "cell_id"):
                cur.execute(
                    f"SELECT {kind}, {aggs} FROM {TABLE} {self.where} GROUP BY {kind}",
                    self.params,
                )
                label = kind.removesuffix("_id")
                for row in cur.fetchall():
                    out.append((label, row[0], dict(zip(names, row[1:], strict=True))))
        return out

    def evaluate(self, rules: list[RenderedRule]) -> list[RuleResult]:
        results = [RuleResult(rendered=r) for r in rules]
        for kind, key, agg in self.rows(rules):
            for i, res in enumerate(results):
                b, j = int(agg[f"b{i}"] or 0), int(agg[f"j{i}"] or 0)
                if kind == "day":
                    res.judged += j
                    res.unknown += int(agg[f"u{i}"] or 0)
                    res.person_days += b
                    res.trend.append((_date(key), b, j))
                elif kind == "person" and b:
                    res.people.append(
                        PersonResult(
                            person_id=int(key),
                            days=b,
                            first=_date(agg[f"f{i}"]),
                            last=_date(agg[f"l{i}"]),
                            worst=_decimal(agg[f"w{i}"]),
                        )
                    )
                elif kind == "cell" and key is not None and (b or j):
                    res.cells.append((int(key), b, j))
        for res in results:
            res.trend.sort()
            res.people.sort(key=lambda p: p.person_id)
            res.cells.sort()
            if res.rendered.rule.streak:
                self.runs(res)
        return results

    def runs(self, res: RuleResult) -> None:
        """The longest run of consecutive days in breach for each person, and how many people
        had a run longer than the rule's streak parameter. A person whose days in breach fill
        the span from their first to their last needs no query; the others are counted with
        a window over their rows alone."""
        rule = res.rendered.rule
        assert rule.streak is not None
        gapped = []
        for p in res.people:
            if p.days == (p.last - p.first).days + 1:
                p.run = p.days
            else:
                gapped.append(p)
        if gapped:
            by_id = {p.person_id: p for p in gapped}
            with connection.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS hb_streak")
                cur.execute("CREATE TEMP TABLE hb_streak (person_id BIGINT PRIMARY KEY)")
                cur.executemany(
                    "INSERT INTO hb_streak (person_id) VALUES (%s)", [(pid,) for pid in by_id]
                )
                num = self.d.day_number("day")
                cur.execute(
                    f"""
                    SELECT person_id, MAX(n) FROM (
                        SELECT person_id, grp, COUNT(*) AS n FROM (
                            SELECT person_id, {num} - ROW_NUMBER() OVER (
                                PARTITION BY person_id ORDER BY day) AS grp
                            FROM {TABLE} {self.where}
                                AND person_id IN (SELECT person_id FROM hb_streak)
                                AND {res.rendered.breached}
                        ) x GROUP BY person_id, grp
                    ) y GROUP BY person_id
                    """,
                    self.params,
                )
                for pid, n in cur.fetchall():
                    by_id[int(pid)].run = int(n)
                cur.execute("DROP TABLE hb_streak")
        limit = res.rendered.thresholds[rule.streak]
        res.longest_run = max((p.run or 0 for p in res.people), default=0)
        res.severe_people = sum(1 for p in res.people if (p.run or 0) > limit)
