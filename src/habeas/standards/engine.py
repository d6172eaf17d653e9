# ruff: noqa: S608 - the SQL is composed from the catalogue's rules (our own files, checked
# against the ledger's columns) and numeric thresholds; the range travels as parameters.
"""Judging the ledger: every rule of the catalogue in one pass over a facility's rows for a range
of days. Each row's verdicts become bit masks (breached, judged, without data: one bit per rule),
so each rule's condition is evaluated once per row; the rows are then counted by (person, mask)
— who, how many days, from when to when, the worst value — and by (day, cell, masks) — the trend
and the cells: two aggregations, whatever the number of rules.
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
ALWAYS = {"((TRUE) AND TRUE)", "TRUE"}  # a rule that judges every row
NEVER = {"FALSE"}


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

    def masks(self, rules: list[RenderedRule]) -> tuple[str, str, str]:
        """Each row's verdicts as three bit masks, one bit per rule: the breach conditions
        (``bm``), the rows judged (``jm``) and the rows without the data (``um``). A row breaches
        rule *i* when bit *i* is set in both ``bm`` and ``jm`` (the engine ANDs them), so each
        rule's own condition is evaluated once per row and the conditions rules share (``cell_id
        IS NOT NULL``…) once for all of them."""

        def grouped(pairs: list[tuple[str, int]]) -> str:
            by_expr: dict[str, int] = {}
            for expr, bit in pairs:
                by_expr[expr] = by_expr.get(expr, 0) | bit
            parts = []
            for expr, bits in by_expr.items():
                if expr in ALWAYS:
                    parts.append(str(bits))
                elif expr not in NEVER:
                    parts.append(f"(CASE WHEN {expr} THEN {bits} ELSE 0 END)")
            return " + ".join(parts) or "0"

        bm = " + ".join(
            f"(CASE WHEN {r.condition} THEN {1 << i} ELSE 0 END)" for i, r in enumerate(rules)
        )
        jm = grouped([(r.judged, 1 << i) for i, r in enumerate(rules)])
        um = grouped([(r.unknown, 1 << i) for i, r in enumerate(rules)])
        return bm or "0", jm, um

    def rows(
        self, rules: list[RenderedRule]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Two groupings of the rows by their verdicts: by (person, breached mask) with the day
        span and the worst values, and by (day, cell, masks) with the count."""
        if len(rules) > 62:
            raise ValueError("at most 62 rules per evaluation (one bit each)")
        bm, jm, um = self.masks(rules)
        worst = [
            (i, r.worst, "MIN" if r.rule.worst_order == "min" else "MAX")
            for i, r in enumerate(rules)
            if r.worst
        ]
        inner = ", ".join(
            [f"{bm} AS bm", f"{jm} AS jm", f"{um} AS um"]
            + [f"CAST({expr} AS FLOAT) AS w{i}" for i, expr, _fn in worst]
        )
        source = f"(SELECT person_id, day, cell_id, {inner} FROM {TABLE} {self.where}) x"
        worst_aggs = "".join(f", {fn}(w{i})" for i, _e, fn in worst)
        self.worst_index = [i for i, _e, _fn in worst]
        # Two aggregations, each a scan of the range (PostgreSQL may run each in parallel): on
        # a year of 40,000 people this is faster than one scan with GROUPING SETS, which would
        # compute every aggregate for both groupings.
        with connection.cursor() as cur:
            if self.d.pg:
                cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute(
                f"SELECT person_id, bm & jm, COUNT(*), MIN(day), MAX(day){worst_aggs} "
                f"FROM {source} GROUP BY 1, 2",
                self.params,
            )
            people = [(r[0], int(r[1]), *r[2:]) for r in cur.fetchall()]
            cur.execute(
                f"SELECT day, cell_id, bm & jm, jm, um, COUNT(*) FROM {source} "
                "GROUP BY 1, 2, 3, 4, 5",
                self.params,
            )
            days = [(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), r[5]) for r in cur.fetchall()]
        return people, days

    def evaluate(self, rules: list[RenderedRule]) -> list[RuleResult]:
        results = [RuleResult(rendered=r) for r in rules]
        people_rows, day_rows = self.rows(rules)
        set_bits: dict[int, list[int]] = {}

        def bits_of(mask: int) -> list[int]:
            found_bits = set_bits.get(mask)
            if found_bits is None:
                found_bits = set_bits[mask] = [i for i in range(len(rules)) if mask >> i & 1]
            return found_bits

        # By person: add up the groups of each (person, mask) for every rule whose bit is set.
        found: dict[tuple[int, int], PersonResult] = {}
        worst_at = {i: k for k, i in enumerate(self.worst_index)}
        lowest = [r.rule.worst_order == "min" for r in rules]
        for person_id, bm, n, first, last, *worst in people_rows:
            if not bm:
                continue
            start, end = _date(first), _date(last)
            for i in bits_of(int(bm)):
                value = _decimal(worst[worst_at[i]]) if i in worst_at else None
                key = (i, int(person_id))
                p = found.get(key)
                if p is None:
                    found[key] = PersonResult(int(person_id), n, start, end, value)
                    continue
                p.days += n
                p.first = min(p.first, start)
                p.last = max(p.last, end)
                if value is not None and (
                    p.worst is None or (value < p.worst if lowest[i] else value > p.worst)
                ):
                    p.worst = value
        for (i, _pid), p in found.items():
            results[i].people.append(p)
        # By day and by cell.
        trend: list[dict[dt.date, list[int]]] = [{} for _ in rules]
        cells: list[dict[int, list[int]]] = [{} for _ in rules]
        for day, cell_id, bm, jm, um, n in day_rows:
            day = _date(day)
            bm, jm, um = int(bm), int(jm), int(um)
            for i in bits_of(bm | jm | um):
                bit = 1 << i
                b = n if bm & bit else 0
                j = n if jm & bit else 0
                res = results[i]
                res.person_days += b
                res.judged += j
                if um & bit:
                    res.unknown += n
                t = trend[i].setdefault(day, [0, 0])
                t[0] += b
                t[1] += j
                if cell_id is not None and (b or j):
                    c = cells[i].setdefault(int(cell_id), [0, 0])
                    c[0] += b
                    c[1] += j
        for i, res in enumerate(results):
            res.trend = sorted((d, b, j) for d, (b, j) in trend[i].items())
            res.cells = sorted((c, b, j) for c, (b, j) in cells[i].items())
            res.people.sort(key=lambda p: p.person_id)
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
