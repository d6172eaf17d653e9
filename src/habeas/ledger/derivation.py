# ruff: noqa: S608 - every statement is composed from table names and constants of our own;
# values travel as parameters.
"""How each column of the ledger is derived from the operational records: set-based SQL, one
statement per stage, for a facility and a run of consecutive days (a *chunk*, at most a month).

Every stage reads the operational tables once for the whole chunk and writes a temporary table
keyed by (person, day) or (cell, day); the last stage joins them into the ledger. No statement is
issued per person. ``docs/ledger.md`` states the rule behind every column; the comments here say
which stage implements it. This module holds the custody stages (who was held, where, on what
authority) and the assembly; ``daily.py`` the stages of daily life; ``tables.py`` what they share.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection

from habeas.ledger.daily import DailyLife
from habeas.ledger.dialect import Dialect
from habeas.ledger.tables import (
    ADULT_AGE,
    COLUMNS,
    SOLITARY_MINUTES,
    TEMP_TABLES,
    Chunk,
    T,
    log,
)

__all__ = ["COLUMNS", "Chunk", "Deriver"]


class Deriver(DailyLife):
    """Runs the stages for one chunk on the current connection (inside the caller's
    transaction)."""

    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect

    # Plumbing
    def run(self, sql: str, params: dict[str, Any] | None = None) -> int:
        with connection.cursor() as cur:
            cur.execute(sql, params or None)
            return int(cur.rowcount)

    def temp(self, name: str, select: str, params: dict[str, Any], *indexes: str) -> None:
        started = time.perf_counter()
        self.run(f"DROP TABLE IF EXISTS {name}")
        rows = self.run(f"CREATE TEMP TABLE {name} AS {select}", params)
        for i, cols in enumerate(indexes):
            self.run(f"CREATE INDEX {name}_{i} ON {name} ({cols})")
        if self.d.pg:
            self.run(f"ANALYZE {name}")
        log.debug("%s: %d rows in %.2f s", name, rows, time.perf_counter() - started)

    def drop_all(self) -> None:
        for name in TEMP_TABLES:
            self.run(f"DROP TABLE IF EXISTS {name}")

    def params(self, chunk: Chunk) -> dict[str, Any]:
        return {
            "facility": chunk.facility_id,
            "chunk_start": self.d.ts(chunk.bounds[0][1]),
            "chunk_end": self.d.ts(chunk.bounds[-1][2]),
            "first": chunk.first,
            "last": chunk.last,
            "before_first": chunk.first - dt.timedelta(days=1),
            "heat": chunk.heat_threshold_c if self.d.pg else float(chunk.heat_threshold_c),
            "holds_sex": chunk.holds_sex,
        }

    # The stages
    def derive(self, chunk: Chunk) -> int:
        """Insert the ledger rows of ``chunk`` (the caller has deleted the old ones)."""
        p = self.params(chunk)
        self.calendar(chunk)
        self.held(p)
        self.authority(p)
        self.day(p, chunk)
        self.cell_day(p)
        self.unlocks(p)
        self.contact(p, chunk)
        self.conditions(p)
        self.discipline(p)
        self.events(p)
        self.base(p)
        started = time.perf_counter()
        n = self.insert(p, chunk)
        log.debug("insert: %d rows in %.2f s", n, time.perf_counter() - started)
        self.drop_all()
        return n

    def calendar(self, chunk: Chunk) -> None:
        """The chunk's local days and the UTC moments they start and end (computed in Python
        from the facility's time zone, so both databases agree on every day's bounds)."""
        d = self.d
        self.run("DROP TABLE IF EXISTS hb_cal")
        self.run(
            f"CREATE TEMP TABLE hb_cal (day {d.date_type}, starts {d.ts_type}, ends {d.ts_type})"
        )
        with connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO hb_cal (day, starts, ends) VALUES (%s, %s, %s)",
                [(day, d.ts(s), d.ts(e)) for day, s, e in chunk.bounds],
            )
        if d.pg:
            self.run("ANALYZE hb_cal")

    def held(self, p: dict[str, Any]) -> None:
        """held_minutes, arrived_at: the person's stays at the facility cut at local midnights;
        every day with any part on the roll has a row."""
        d = self.d
        h0 = d.greatest("s.started_at", "c.starts")
        h1 = d.least(f"COALESCE(s.ended_at, {d.far})", "c.ends")
        self.temp(
            "hb_held",
            f"""
            SELECT s.person_id AS person_id, c.day AS day, MAX(s.episode_id) AS episode_id,
                   MIN({h0}) AS h0, MAX({h1}) AS h1, MIN(c.starts) AS day_start,
                   MIN(c.ends) AS day_end, SUM({d.minutes(h0, h1)}) AS held_minutes,
                   MIN(CASE WHEN s.started_at >= c.starts THEN s.started_at END) AS arrived_at
            FROM {T["Stay"]} s
            JOIN hb_cal c ON s.started_at < c.ends
                AND (s.ended_at IS NULL OR s.ended_at > c.starts)
            WHERE s.facility_id = %(facility)s
                AND s.started_at < %(chunk_end)s
                AND (s.ended_at IS NULL OR s.ended_at > %(chunk_start)s)
            GROUP BY s.person_id, c.day
            """,
            p,
            "person_id, day",
            "episode_id",
        )

    def authority(self, p: dict[str, Any]) -> None:
        """The gaps in each episode's lawful authorities: a moment from which no authority
        covers the person — the admission itself, or an authority's end that no other authority
        covers — until the next authority starts (or for ever)."""
        d = self.d
        ends = d.least(
            *(
                f"COALESCE(a.{c}, {d.far})"
                for c in ("valid_until", "review_due_by", "legal_end", "revoked_at")
            )
        )
        self.temp(
            "hb_auth",
            f"""
            SELECT a.episode_id AS episode_id, a.kind AS kind, a.valid_from AS valid_from,
                   {ends} AS ends
            FROM {T["LawfulAuthority"]} a
            WHERE a.episode_id IN (SELECT DISTINCT episode_id FROM hb_held)
            """,
            p,
            "episode_id",
        )
        self.temp(
            "hb_gap",
            f"""
            SELECT c.episode_id AS episode_id, c.t AS gap_start,
                   (SELECT MIN(n.valid_from) FROM hb_auth n
                    WHERE n.episode_id = c.episode_id AND n.valid_from > c.t) AS gap_end
            FROM (
                SELECT e.id AS episode_id, e.admitted_at AS t FROM {T["Episode"]} e
                WHERE e.id IN (SELECT DISTINCT episode_id FROM hb_held)
                UNION
                SELECT episode_id, ends FROM hb_auth WHERE ends < {d.far}
            ) c
            WHERE NOT EXISTS (
                SELECT 1 FROM hb_auth a
                WHERE a.episode_id = c.episode_id AND a.valid_from <= c.t AND a.ends > c.t
            )
            """,
            p,
            "episode_id",
        )

    def day(self, p: dict[str, Any], chunk: Chunk) -> None:
        """covered, legal_status, sex, minor, and the cell that counts for the day: the
        placement with the most minutes in the held part of the day (the later one on a tie)."""
        d = self.d
        ov0 = d.greatest("pl.started_at", "h.h0")
        ov1 = d.least(f"COALESCE(pl.ended_at, {d.far})", "h.h1")
        self.temp(
            "hb_place",
            f"""
            SELECT person_id, day, cell_id FROM (
                SELECT h.person_id AS person_id, h.day AS day, pl.cell_id AS cell_id,
                       ROW_NUMBER() OVER (
                           PARTITION BY h.person_id, h.day
                           ORDER BY {d.minutes(ov0, ov1)} DESC, pl.started_at DESC, pl.id DESC
                       ) AS rk
                FROM hb_held h
                JOIN {T["Placement"]} pl ON pl.person_id = h.person_id
                    AND pl.facility_id = %(facility)s
                    AND pl.started_at < h.h1
                    AND (pl.ended_at IS NULL OR pl.ended_at > h.h0)
            ) x WHERE rk = 1
            """,
            p,
            "person_id, day",
        )
        # Few episodes, few gaps, few convictions: the days they touch are found by joining
        # them to the held days (hash joins), not by a lookup per row.
        overlap = "x.episode_id = h.episode_id AND x.a < h.h1 AND (x.b IS NULL OR x.b > h.h0)"
        self.temp(
            "hb_flag",
            f"""
            SELECT h.person_id AS person_id, h.day AS day, MAX(x.gap) AS gap,
                   MAX(x.conviction) AS conviction
            FROM hb_held h
            JOIN (
                SELECT episode_id, gap_start AS a, gap_end AS b, 1 AS gap, 0 AS conviction
                FROM hb_gap
                UNION ALL
                SELECT episode_id, valid_from, ends, 0, 1 FROM hb_auth WHERE kind = 'conviction'
            ) x ON {overlap}
            GROUP BY h.person_id, h.day
            """,
            p,
            "person_id, day",
        )
        self.temp(
            "hb_episode",
            f"""
            SELECT e.id AS episode_id,
                   {d.local_date("e.admitted_at", chunk.tz_name)} AS admitted_day
            FROM {T["Episode"]} e WHERE e.id IN (SELECT DISTINCT episode_id FROM hb_held)
            """,
            p,
            "episode_id",
        )
        adult = d.plus_years("p.date_of_birth", ADULT_AGE)
        self.temp(
            "hb_day",
            f"""
            SELECT h.person_id AS person_id, h.day AS day, h.episode_id AS episode_id,
                   h.h0 AS h0, h.h1 AS h1, h.day_start AS day_start, h.day_end AS day_end,
                   h.held_minutes AS held_minutes,
                   CASE WHEN h.h0 = h.day_start AND h.h1 = h.day_end THEN 1 ELSE 0 END
                       AS whole_day,
                   h.arrived_at AS arrived_at,
                   CASE WHEN fl.conviction = 1 THEN 'convicted' ELSE 'untried' END
                       AS legal_status,
                   CASE WHEN fl.gap = 1 THEN 0 ELSE 1 END AS covered,
                   p.sex AS sex,
                   CASE WHEN h.day < {adult} THEN 1 ELSE 0 END AS minor,
                   ep.admitted_day AS admitted_day,
                   pc.cell_id AS cell_id, c.unit_id AS unit_id, c.kind AS cell_kind,
                   c.floor_area_m2 AS floor_area_m2, c.toilets AS toilets, c.bunks AS bunks,
                   c.mattresses AS mattresses
            FROM hb_held h
            JOIN {T["Person"]} p ON p.id = h.person_id
            JOIN hb_episode ep ON ep.episode_id = h.episode_id
            LEFT JOIN hb_flag fl ON fl.person_id = h.person_id AND fl.day = h.day
            LEFT JOIN hb_place pc ON pc.person_id = h.person_id AND pc.day = h.day
            LEFT JOIN {T["Cell"]} c ON c.id = pc.cell_id
            """,
            p,
            "person_id, day",
            "cell_id, day",
        )

    def cell_day(self, p: dict[str, Any]) -> None:
        """occupancy and the categories held together in each cell on each day (everyone whose
        cell that day is this cell)."""
        self.temp(
            "hb_cellday",
            """
            SELECT cell_id, day, COUNT(*) AS occupancy,
                   CASE WHEN MIN(sex) <> MAX(sex) THEN 2 ELSE 1 END AS sexes,
                   CASE WHEN MIN(legal_status) <> MAX(legal_status) THEN 2 ELSE 1 END
                       AS statuses,
                   CASE WHEN MIN(minor) <> MAX(minor) THEN 2 ELSE 1 END AS ages
            FROM hb_day WHERE cell_id IS NOT NULL
            GROUP BY cell_id, day
            """,
            p,
            "cell_id, day",
        )

    def base(self, p: dict[str, Any]) -> None:
        """Every column of the day except the runs and the days-since, which need the days
        before: one row per person-day."""
        d = self.d
        occupied = "cd.occupancy"
        m2 = f"ROUND({d.decimal('dd.floor_area_m2')} / {occupied}, 2)"
        per_toilet = f"ROUND({d.decimal(occupied)} / dd.toilets, 2)"
        water = f"ROUND({d.decimal('w.litres')} / {occupied}, 2)"
        series = "CASE WHEN sc.day IS NOT NULL THEN sc.{c} ELSE su.{c} END"

        def capped(expr: str) -> str:  # at most a day; NULL stays NULL (no readings)
            return f"CASE WHEN {expr} IS NULL THEN NULL ELSE {d.least(expr, '1440')} END"

        out = d.least("COALESCE(u.out_minutes, 0)", "dd.held_minutes")
        alone = d.greatest(
            "COALESCE(g.minutes, 0)",
            f"CASE WHEN {occupied} = 1 THEN dd.held_minutes - COALESCE(a.minutes, 0) ELSE 0 END",
        )
        self.temp(
            "hb_base",
            f"""
            SELECT dd.person_id AS person_id, dd.day AS day, dd.episode_id AS episode_id,
                   dd.unit_id AS unit_id, dd.cell_id AS cell_id,
                   COALESCE(dd.cell_kind, '') AS cell_kind, dd.held_minutes AS held_minutes,
                   dd.whole_day AS whole_day, COALESCE(a.minutes, 0) AS absent_minutes,
                   dd.arrived_at AS arrived_at, dd.legal_status AS legal_status,
                   dd.covered AS covered, dd.sex AS sex, dd.minor AS minor,
                   dd.admitted_day AS admitted_day,
                   {occupied} AS occupancy,
                   CASE WHEN dd.cell_id IS NULL THEN NULL ELSE {m2} END AS m2_per_person,
                   dd.toilets AS toilets,
                   CASE WHEN dd.cell_id IS NULL OR dd.toilets = 0 THEN NULL ELSE {per_toilet}
                   END AS people_per_toilet,
                   dd.bunks AS bunks, dd.mattresses AS mattresses,
                   CASE WHEN cd.sexes > 1 OR dd.sex <> %(holds_sex)s THEN 1 ELSE 0 END
                       AS mixed_sex,
                   CASE WHEN cd.statuses > 1 THEN 1 ELSE 0 END AS mixed_status,
                   CASE WHEN cd.ages > 1 THEN 1 ELSE 0 END AS mixed_age,
                   {out} AS out_of_cell_minutes,
                   {d.least("COALESCE(u.open_air_minutes, 0)", "dd.held_minutes")}
                       AS open_air_minutes,
                   {d.least("COALESCE(u.open_air_offered, 0)", "dd.held_minutes")}
                       AS open_air_offered_minutes,
                   COALESCE(ct.visit_minutes, 0) AS visit_minutes,
                   COALESCE(g.minutes, 0) AS segregated_minutes,
                   CASE WHEN {alone} - {out} - COALESCE(ct.visit_minutes, 0)
                             >= {SOLITARY_MINUTES} THEN 1 ELSE 0 END AS solitary,
                   {capped(series.format(c="dark"))} AS lights_off_minutes,
                   {series.format(c="max_t")} AS max_temperature_c,
                   {capped(series.format(c="hot"))} AS minutes_hot,
                   CASE WHEN w.litres IS NULL OR {occupied} IS NULL THEN NULL ELSE {water} END
                       AS water_litres_per_person,
                   COALESCE(ct.family, 0) AS family_contact,
                   COALESCE(ct.legal, 0) AS legal_contact,
                   COALESCE(r.minutes, 0) AS restraint_minutes,
                   COALESCE(r.prohibited, 0) AS prohibited_restraint,
                   COALESCE(s.n, 0) AS sanctions,
                   CASE WHEN s.cellular = 1 OR g.disciplinary = 1 THEN 1 ELSE 0 END
                       AS cellular_confinement,
                   COALESCE(s.collective, 0) AS collective_sanction,
                   COALESCE(s.prohibited, 0) AS prohibited_sanction,
                   ev.to_exam AS minutes_to_examination, ev.to_told AS minutes_to_family_notified,
                   COALESCE(dx.died, 0) AS died, dx.to_reported AS minutes_to_death_reported,
                   dx.to_family AS minutes_to_family_told_of_death
            FROM hb_day dd
            LEFT JOIN hb_cellday cd ON cd.cell_id = dd.cell_id AND cd.day = dd.day
            LEFT JOIN hb_unlock u ON u.person_id = dd.person_id AND u.day = dd.day
            LEFT JOIN hb_contact ct ON ct.person_id = dd.person_id AND ct.day = dd.day
            LEFT JOIN hb_series sc ON sc.cell_id = dd.cell_id AND sc.day = dd.day
            LEFT JOIN hb_series su ON su.cell_id IS NULL AND su.unit_id = dd.unit_id
                AND su.day = dd.day
            LEFT JOIN hb_water w ON w.cell_id = dd.cell_id AND w.day = dd.day
            LEFT JOIN hb_restraint r ON r.person_id = dd.person_id AND r.day = dd.day
            LEFT JOIN hb_sanction s ON s.person_id = dd.person_id AND s.day = dd.day
            LEFT JOIN hb_seg g ON g.person_id = dd.person_id AND g.day = dd.day
            LEFT JOIN hb_absent a ON a.person_id = dd.person_id AND a.day = dd.day
            LEFT JOIN hb_events ev ON ev.person_id = dd.person_id AND ev.day = dd.day
                AND ev.died = 0
            LEFT JOIN hb_events dx ON dx.person_id = dd.person_id AND dx.day = dd.day
                AND dx.died = 1
            """,
            p,
        )

    def insert(self, p: dict[str, Any], chunk: Chunk) -> int:
        """The runs and the days-since (windows over each person's days, continuing the day
        before the chunk), the row hash, and the insert."""
        d = self.d
        ledger = T["CustodyDay"]
        num = d.day_number("b.day")
        last_family = (
            "MAX(CASE WHEN b.family_contact = 1 THEN b.day END) OVER ("
            "PARTITION BY b.person_id ORDER BY b.day ROWS UNBOUNDED PRECEDING)"
        )
        last_legal = last_family.replace("family_contact", "legal_contact")

        def since(last: str, prior: str) -> str:
            """Days from the later of the admission and the last contact (0: contact today)."""
            return d.days_between(
                "w.day",
                d.greatest(
                    "COALESCE(w.admitted_day, w.day)",
                    f"COALESCE(w.{last}, w.admitted_day, w.day)",
                    f"COALESCE(w.{prior}, w.admitted_day, w.day)",
                ),
            )

        bools = {
            "whole_day",
            "covered",
            "minor",
            "mixed_sex",
            "mixed_status",
            "mixed_age",
            "solitary",
            "family_contact",
            "legal_contact",
            "prohibited_restraint",
            "cellular_confinement",
            "collective_sanction",
            "prohibited_sanction",
            "died",
        }
        computed = {
            "facility_id": "%(facility)s",
            "days_since_family_contact": since("last_family", "prior_family"),
            "days_since_legal_contact": since("last_legal", "prior_legal"),
            "solitary_run": (
                "CASE WHEN w.solitary = 0 THEN 0 ELSE w.run_in_chunk + CASE WHEN w.island_start "
                "= %(first)s THEN COALESCE(w.run_before, 0) ELSE 0 END END"
            ),
        }
        select = []
        for col in COLUMNS:
            expr = computed.get(col, f"w.{col}")
            if col in bools:
                expr = f"({expr} = 1)"
            select.append(f"{expr} AS {col}")
        hashed = d.row_hash([f"f.{c}" for c in COLUMNS])
        cols = ", ".join(COLUMNS)
        return self.run(
            f"""
            INSERT INTO {ledger} ({cols}, row_hash)
            SELECT {", ".join(f"f.{c}" for c in COLUMNS)}, {hashed}
            FROM (
                SELECT {", ".join(select)}
                FROM (
                    SELECT b.*, {last_family} AS last_family, {last_legal} AS last_legal,
                           pr.family_day AS prior_family, pr.legal_day AS prior_legal,
                           sr.k AS run_in_chunk, sr.island_start AS island_start,
                           lb.solitary_run AS run_before
                    FROM hb_base b
                    LEFT JOIN hb_prior pr ON pr.person_id = b.person_id
                    LEFT JOIN (
                        SELECT person_id, day,
                               ROW_NUMBER() OVER (PARTITION BY person_id, grp ORDER BY day) AS k,
                               MIN(day) OVER (PARTITION BY person_id, grp) AS island_start
                        FROM (
                            SELECT b.person_id AS person_id, b.day AS day,
                                   {num} - ROW_NUMBER() OVER (
                                       PARTITION BY b.person_id ORDER BY b.day) AS grp
                            FROM hb_base b WHERE b.solitary = 1
                        ) i
                    ) sr ON sr.person_id = b.person_id AND sr.day = b.day
                    LEFT JOIN {ledger} lb ON lb.facility_id = %(facility)s
                        AND lb.day = %(before_first)s AND lb.person_id = b.person_id
                ) w
            ) f
            """,
            p,
        )
