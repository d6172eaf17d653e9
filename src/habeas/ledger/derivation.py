# ruff: noqa: S608 - every statement is composed from table names and constants of our own;
# values travel as parameters.
"""How each column of the ledger is derived from the operational records: set-based SQL, one
statement per stage, for a facility and a run of consecutive days (a *chunk*, at most a month).

Every stage reads the operational tables once for the whole chunk and writes a temporary table
keyed by (person, day) or (cell, day); the last stage joins them into the ledger. No statement is
issued per person. ``docs/ledger.md`` states the rule behind every column; the comments here say
which stage implements it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from habeas.conditions.models import Reading, WaterDelivery
from habeas.custody.models import Absence, Episode, LawfulAuthority, Stay
from habeas.estate.models import Cell
from habeas.health.models import Examination, ExaminationKind
from habeas.housing.models import Placement
from habeas.incidents.models import (
    PROHIBITED_RESTRAINTS,
    PROHIBITED_SANCTIONS,
    Death,
    Restraint,
    RestraintPurpose,
    Sanction,
    SanctionKind,
    Segregation,
    SegregationKind,
)
from habeas.ledger.dialect import Dialect
from habeas.ledger.models import CustodyDay
from habeas.people.models import Person
from habeas.regime.models import (
    Call,
    ContactKind,
    ExceptionReason,
    FamilyNotification,
    Hearing,
    Letter,
    Location,
    NotifiedEvent,
    Unlock,
    UnlockCell,
    UnlockException,
    Visit,
    VisitStatus,
)

log = logging.getLogger("habeas.ledger")

# A day counts as solitary confinement when the person spends at least this long alone without
# meaningful human contact (Mandela Rule 44: 22 hours or more a day).
SOLITARY_MINUTES = 22 * 60
# A reading stands for the time until the next one of its series that day, at most this long
# (as on the conditions page: ``habeas.conditions.selectors``).
SAMPLE_CAP_MINUTES = 60
# An examination recorded shortly before the formal admission time still counts as the
# examination on admission.
EXAMINATION_LEEWAY_MINUTES = 60
ADULT_AGE = 18
# Reasons for missing an unlock that still mean the time out was offered.
OFFERED = (
    ExceptionReason.REFUSED,
    ExceptionReason.SICK,
    ExceptionReason.IN_COURT,
    ExceptionReason.VISIT,
)
LEGAL_KINDS = (ContactKind.LEGAL, ContactKind.CONSULAR)

T = {
    m.__name__: m._meta.db_table
    for m in (
        Absence,
        Call,
        Cell,
        CustodyDay,
        Death,
        Episode,
        Examination,
        FamilyNotification,
        Hearing,
        LawfulAuthority,
        Letter,
        Person,
        Placement,
        Reading,
        Restraint,
        Sanction,
        Segregation,
        Stay,
        Unlock,
        UnlockCell,
        UnlockException,
        Visit,
        WaterDelivery,
    )
}

TEMP_TABLES = (
    "hb_cal",
    "hb_held",
    "hb_place",
    "hb_auth",
    "hb_gap",
    "hb_flag",
    "hb_episode",
    "hb_day",
    "hb_cellday",
    "hb_ucell",
    "hb_unlock",
    "hb_contact",
    "hb_prior",
    "hb_span",
    "hb_series",
    "hb_water",
    "hb_rpiece",
    "hb_restraint",
    "hb_sanction",
    "hb_seg",
    "hb_absent",
    "hb_events",
    "hb_base",
)

# The ledger's columns in the order the final stage writes them (and the row hash reads them).
COLUMNS = (
    "facility_id",
    "day",
    "person_id",
    "episode_id",
    "unit_id",
    "cell_id",
    "cell_kind",
    "held_minutes",
    "whole_day",
    "absent_minutes",
    "arrived_at",
    "legal_status",
    "covered",
    "sex",
    "minor",
    "occupancy",
    "m2_per_person",
    "toilets",
    "people_per_toilet",
    "bunks",
    "mattresses",
    "mixed_sex",
    "mixed_status",
    "mixed_age",
    "out_of_cell_minutes",
    "open_air_minutes",
    "open_air_offered_minutes",
    "visit_minutes",
    "segregated_minutes",
    "solitary",
    "solitary_run",
    "lights_off_minutes",
    "max_temperature_c",
    "minutes_hot",
    "water_litres_per_person",
    "family_contact",
    "days_since_family_contact",
    "legal_contact",
    "days_since_legal_contact",
    "restraint_minutes",
    "prohibited_restraint",
    "sanctions",
    "cellular_confinement",
    "collective_sanction",
    "prohibited_sanction",
    "minutes_to_examination",
    "minutes_to_family_notified",
    "died",
    "minutes_to_death_reported",
    "minutes_to_family_told_of_death",
)


def _in(values: Iterable[str]) -> str:
    """A literal IN list of our own closed vocabularies (never user input)."""
    items = sorted(str(v) for v in values)
    for v in items:
        assert v.replace("_", "").isalnum(), v
    return "(" + ", ".join(f"'{v}'" for v in items) + ")"


@dataclass(frozen=True)
class Chunk:
    """The days ``first``..``last`` (inclusive) of one facility, with each day's bounds."""

    facility_id: int
    holds_sex: str
    tz_name: str
    first: dt.date
    last: dt.date
    bounds: list[tuple[dt.date, dt.datetime, dt.datetime]]
    heat_threshold_c: Decimal


class Deriver:
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

    def unlocks(self, p: dict[str, Any]) -> None:
        """out_of_cell_minutes, open_air_minutes: every unlock of a cell the person was placed
        in, for the minutes both lasted, unless the person is an exception to it; an unlock to
        the cell itself is not time out of the cell. open_air_offered_minutes also counts the
        open air the person was offered but did not take (refused, sick, at court or a visit);
        kept in, segregated or any other reason is not an offer."""
        d = self.d
        # First the unlocks of the chunk cut into days, per cell (small); then who was there.
        self.temp(
            "hb_ucell",
            f"""
            SELECT u.id AS unlock_id, u.location AS location, uc.cell_id AS cell_id,
                   c.day AS day, {d.greatest("u.started_at", "c.starts")} AS a,
                   {d.least("u.ended_at", "c.ends")} AS b
            FROM {T["Unlock"]} u
            JOIN {T["UnlockCell"]} uc ON uc.unlock_id = u.id
            JOIN hb_cal c ON u.started_at < c.ends AND u.ended_at > c.starts
            WHERE u.facility_id = %(facility)s
                AND u.started_at < %(chunk_end)s AND u.ended_at > %(chunk_start)s
            """,
            p,
            "cell_id",
        )
        a = d.greatest("k.a", "pl.started_at")
        b = d.least("k.b", f"COALESCE(pl.ended_at, {d.far})")
        m = d.minutes(a, b)
        offered = _in(OFFERED)
        self.temp(
            "hb_unlock",
            f"""
            SELECT pl.person_id AS person_id, k.day AS day,
                   SUM(CASE WHEN x.id IS NULL AND k.location <> '{Location.IN_CELL}'
                            THEN {m} ELSE 0 END) AS out_minutes,
                   SUM(CASE WHEN x.id IS NULL AND k.location = '{Location.OPEN_AIR}'
                            THEN {m} ELSE 0 END) AS open_air_minutes,
                   SUM(CASE WHEN k.location = '{Location.OPEN_AIR}'
                            AND (x.id IS NULL OR x.reason IN {offered})
                            THEN {m} ELSE 0 END) AS open_air_offered
            FROM hb_ucell k
            JOIN {T["Placement"]} pl ON pl.cell_id = k.cell_id
                AND pl.started_at < k.b AND (pl.ended_at IS NULL OR pl.ended_at > k.a)
            LEFT JOIN {T["UnlockException"]} x ON x.unlock_id = k.unlock_id
                AND x.person_id = pl.person_id
            GROUP BY pl.person_id, k.day
            """,
            p,
            "person_id, day",
        )

    def _contact_events(self, where_time: str) -> str:
        """Every contact with the outside as (person, moment, family, legal, visit minutes):
        held visits, calls, letters that were not withheld, and hearings with a defender."""
        d = self.d
        legal = _in(LEGAL_KINDS)
        fam = f"'{ContactKind.FAMILY}'"
        return f"""
            SELECT person_id, started_at AS at,
                   CASE WHEN kind = {fam} THEN 1 ELSE 0 END AS family,
                   CASE WHEN kind IN {legal} THEN 1 ELSE 0 END AS legal,
                   CASE WHEN ended_at IS NULL THEN 0 ELSE {d.minutes("started_at", "ended_at")}
                   END AS visit_minutes
            FROM {T["Visit"]} WHERE status = '{VisitStatus.HELD}' AND started_at IS NOT NULL
                AND {where_time.format(at="started_at")}
            UNION ALL
            SELECT person_id, started_at, CASE WHEN kind = {fam} THEN 1 ELSE 0 END,
                   CASE WHEN kind IN {legal} THEN 1 ELSE 0 END, 0
            FROM {T["Call"]} WHERE {where_time.format(at="started_at")}
            UNION ALL
            SELECT person_id, handled_at, CASE WHEN kind = {fam} THEN 1 ELSE 0 END,
                   CASE WHEN kind IN {legal} THEN 1 ELSE 0 END, 0
            FROM {T["Letter"]} WHERE withheld = FALSE AND {where_time.format(at="handled_at")}
            UNION ALL
            SELECT person_id, started_at, 0, 1, 0
            FROM {T["Hearing"]} WHERE defender_present = TRUE
                AND {where_time.format(at="started_at")}
        """

    def contact(self, p: dict[str, Any], chunk: Chunk) -> None:
        """family_contact, legal_contact and visit_minutes of each day; and, for the days-since
        columns, the last contact before the chunk — from the ledger's row of the day before
        when there is one, otherwise from the records themselves."""
        d = self.d
        in_chunk = "{at} >= %(chunk_start)s AND {at} < %(chunk_end)s"
        self.temp(
            "hb_contact",
            f"""
            SELECT e.person_id AS person_id, c.day AS day, MAX(e.family) AS family,
                   MAX(e.legal) AS legal, SUM(e.visit_minutes) AS visit_minutes
            FROM ({self._contact_events(in_chunk)}) e
            JOIN hb_cal c ON e.at >= c.starts AND e.at < c.ends
            WHERE e.person_id IN (SELECT person_id FROM hb_held)
            GROUP BY e.person_id, c.day
            """,
            p,
            "person_id, day",
        )
        ledger = T["CustodyDay"]
        before = "{at} < %(chunk_start)s"
        tz = chunk.tz_name
        # One row per person of the chunk with the last family and legal day before it: the
        # baseline carried by the ledger's row of the day before, or the last recorded contact.
        self.temp(
            "hb_prior",
            f"""
            SELECT h.person_id AS person_id,
                   CASE WHEN l.person_id IS NOT NULL
                        THEN {self._minus_days("l.day", "l.days_since_family_contact")}
                        ELSE r.family_day END AS family_day,
                   CASE WHEN l.person_id IS NOT NULL
                        THEN {self._minus_days("l.day", "l.days_since_legal_contact")}
                        ELSE r.legal_day END AS legal_day
            FROM (SELECT DISTINCT person_id FROM hb_held) h
            LEFT JOIN {ledger} l ON l.facility_id = %(facility)s AND l.day = %(before_first)s
                AND l.person_id = h.person_id
            LEFT JOIN (
                SELECT e.person_id AS person_id,
                       {d.local_date("MAX(CASE WHEN e.family = 1 THEN e.at END)", tz)}
                           AS family_day,
                       {d.local_date("MAX(CASE WHEN e.legal = 1 THEN e.at END)", tz)}
                           AS legal_day
                FROM ({self._contact_events(before)}) e
                WHERE e.person_id IN (SELECT person_id FROM hb_held)
                    AND e.person_id NOT IN (
                        SELECT person_id FROM {ledger}
                        WHERE facility_id = %(facility)s AND day = %(before_first)s
                    )
                GROUP BY e.person_id
            ) r ON r.person_id = h.person_id
            """,
            p,
            "person_id",
        )

    def _minus_days(self, day: str, days: str) -> str:
        if self.d.pg:
            return f"(({day}) - ({days}))"
        return f"date({day}, '-' || ({days}) || ' days')"

    def conditions(self, p: dict[str, Any]) -> None:
        """lights_off_minutes, max_temperature_c, minutes_hot of each cell and day (from the
        cell's own sensor, or its unit's when the cell has no reading that day); water per cell
        and day."""
        d = self.d
        nxt = (
            "LEAD(r.measured_at) OVER (PARTITION BY r.cell_id, r.unit_id, c.day "
            "ORDER BY r.measured_at, r.id)"
        )
        cap = d.plus_minutes("r.measured_at", SAMPLE_CAP_MINUTES)
        until = d.least(f"COALESCE({nxt}, {d.far})", cap, "c.ends")
        self.temp(
            "hb_span",
            f"""
            SELECT r.cell_id AS cell_id, r.unit_id AS unit_id, c.day AS day,
                   r.temperature_c AS temperature_c, {d.flag("r.lights_on")} AS lights_on,
                   CASE WHEN r.lights_on IS NULL THEN 1 ELSE 0 END AS lights_unknown,
                   {d.minutes("r.measured_at", until)} AS span
            FROM {T["Reading"]} r
            JOIN hb_cal c ON r.measured_at >= c.starts AND r.measured_at < c.ends
            WHERE r.facility_id = %(facility)s
                AND r.measured_at >= %(chunk_start)s AND r.measured_at < %(chunk_end)s
            """,
            p,
        )
        self.temp(
            "hb_series",
            """
            SELECT cell_id, unit_id, day, MAX(temperature_c) AS max_t,
                   CASE WHEN COUNT(temperature_c) = 0 THEN NULL
                        ELSE SUM(CASE WHEN temperature_c >= %(heat)s THEN span ELSE 0 END)
                   END AS hot,
                   SUM(CASE WHEN lights_unknown = 1 THEN NULL
                            WHEN lights_on = 1 THEN 0 ELSE span END) AS dark
            FROM hb_span GROUP BY cell_id, unit_id, day
            """,
            p,
            "cell_id, day",
            "unit_id, day",
        )
        self.temp(
            "hb_water",
            f"""
            SELECT w.cell_id AS cell_id, c.day AS day, SUM(w.litres) AS litres
            FROM {T["WaterDelivery"]} w
            JOIN hb_cal c ON w.delivered_at >= c.starts AND w.delivered_at < c.ends
            WHERE w.facility_id = %(facility)s
                AND w.delivered_at >= %(chunk_start)s AND w.delivered_at < %(chunk_end)s
            GROUP BY w.cell_id, c.day
            """,
            p,
            "cell_id, day",
        )

    def discipline(self, p: dict[str, Any]) -> None:
        """restraint_minutes and prohibited_restraint; sanctions in force on the person, their
        cell or their unit (collective); segregated_minutes; absent_minutes."""
        d = self.d

        def overlap(alias: str) -> tuple[str, str]:
            a = d.greatest(f"{alias}.started_at", "c.starts")
            b = d.least(f"COALESCE({alias}.ended_at, {d.far})", "c.ends")
            return a, b

        def joined(alias: str) -> str:
            return (
                f"JOIN hb_cal c ON {alias}.started_at < c.ends "
                f"AND ({alias}.ended_at IS NULL OR {alias}.ended_at > c.starts)"
            )

        held = "(SELECT person_id FROM hb_held)"
        ra, rb = overlap("r")
        forbidden = _in(PROHIBITED_RESTRAINTS)
        # Two restraints at once (handcuffs and leg cuffs) are one stretch of time under
        # restraint: the pieces of each day are merged where they overlap before counting.
        self.temp(
            "hb_rpiece",
            f"""
            SELECT r.person_id AS person_id, c.day AS day, {ra} AS a, {rb} AS b,
                   CASE WHEN r.kind IN {forbidden}
                        OR r.purpose = '{RestraintPurpose.SANCTION}' THEN 1 ELSE 0 END
                       AS prohibited
            FROM {T["Restraint"]} r {joined("r")}
            WHERE r.facility_id = %(facility)s AND r.person_id IN {held}
            """,
            p,
        )
        self.temp(
            "hb_restraint",
            f"""
            SELECT person_id, day, SUM({d.minutes("a", "b")}) AS minutes,
                   MAX(prohibited) AS prohibited
            FROM (
                SELECT person_id, day, MIN(a) AS a, MAX(b) AS b, MAX(prohibited) AS prohibited
                FROM (
                    SELECT person_id, day, a, b, prohibited,
                           SUM(fresh) OVER (PARTITION BY person_id, day ORDER BY a, b
                                            ROWS UNBOUNDED PRECEDING) AS stretch
                    FROM (
                        SELECT person_id, day, a, b, prohibited,
                               CASE WHEN a <= MAX(b) OVER (
                                   PARTITION BY person_id, day ORDER BY a, b
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                               THEN 0 ELSE 1 END AS fresh
                        FROM hb_rpiece
                    ) x
                ) y GROUP BY person_id, day, stretch
            ) z GROUP BY person_id, day
            """,
            p,
            "person_id, day",
        )
        cc = f"'{SanctionKind.CELLULAR_CONFINEMENT}'"
        bad = _in(PROHIBITED_SANCTIONS)
        one = f"""
            SELECT dd.person_id AS person_id, dd.day AS day, s.id AS sanction_id,
                   CASE WHEN s.kind = {cc} THEN 1 ELSE 0 END AS cellular,
                   CASE WHEN s.scope <> 'person' THEN 1 ELSE 0 END AS collective,
                   CASE WHEN s.kind IN {bad} THEN 1 ELSE 0 END AS prohibited
            FROM hb_day dd
            JOIN {T["Sanction"]} s ON {{on}}
            JOIN hb_cal c ON c.day = dd.day AND s.started_at < c.ends
                AND (s.ended_at IS NULL OR s.ended_at > c.starts)
            WHERE s.facility_id = %(facility)s
        """
        self.temp(
            "hb_sanction",
            f"""
            SELECT person_id, day, COUNT(DISTINCT sanction_id) AS n, MAX(cellular) AS cellular,
                   MAX(collective) AS collective, MAX(prohibited) AS prohibited
            FROM (
                {one.format(on="s.scope = 'person' AND s.person_id = dd.person_id")}
                UNION ALL
                {one.format(on="s.scope = 'cell' AND s.cell_id = dd.cell_id")}
                UNION ALL
                {one.format(on="s.scope = 'unit' AND s.unit_id = dd.unit_id")}
            ) x GROUP BY person_id, day
            """,
            p,
            "person_id, day",
        )
        sa, sb = overlap("g")
        self.temp(
            "hb_seg",
            f"""
            SELECT g.person_id AS person_id, c.day AS day, SUM({d.minutes(sa, sb)}) AS minutes,
                   MAX(CASE WHEN g.kind = '{SegregationKind.DISCIPLINARY}' THEN 1 ELSE 0 END)
                       AS disciplinary
            FROM {T["Segregation"]} g {joined("g")}
            WHERE g.facility_id = %(facility)s AND g.person_id IN {held}
            GROUP BY g.person_id, c.day
            """,
            p,
            "person_id, day",
        )
        aa, ab = overlap("a")
        self.temp(
            "hb_absent",
            f"""
            SELECT a.person_id AS person_id, c.day AS day, SUM({d.minutes(aa, ab)}) AS minutes
            FROM {T["Absence"]} a {joined("a")}
            WHERE a.facility_id = %(facility)s AND a.person_id IN {held}
            GROUP BY a.person_id, c.day
            """,
            p,
            "person_id, day",
        )

    def events(self, p: dict[str, Any]) -> None:
        """On the day of an arrival: minutes until the medical examination and until the family
        was told; on the day of a death: minutes until an independent authority and the family
        were told (NULL: not yet, or never)."""
        d = self.d
        kinds = _in((ExaminationKind.ADMISSION, ExaminationKind.TRANSFER))
        events = _in((NotifiedEvent.ADMISSION, NotifiedEvent.TRANSFER))
        leeway = d.plus_minutes("h.arrived_at", -EXAMINATION_LEEWAY_MINUTES)
        exam = f"""(SELECT MIN(x.examined_at) FROM {T["Examination"]} x
                    WHERE x.person_id = h.person_id AND x.facility_id = %(facility)s
                        AND x.kind IN {kinds} AND x.examined_at >= {leeway})"""
        told = f"""(SELECT MIN(n.notified_at) FROM {T["FamilyNotification"]} n
                    WHERE n.person_id = h.person_id AND n.event IN {events}
                        AND n.event_at >= {d.plus_minutes("h.arrived_at", -24 * 60)}
                        AND n.event_at < {d.plus_minutes("h.arrived_at", 24 * 60)})"""

        def after(start: str, end: str) -> str:
            return d.greatest("0", d.minutes(start, end))

        self.temp(
            "hb_events",
            f"""
            SELECT person_id, day, arrived_at,
                   CASE WHEN exam_at IS NULL THEN NULL ELSE {after("arrived_at", "exam_at")} END
                       AS to_exam,
                   CASE WHEN told_at IS NULL THEN NULL ELSE {after("arrived_at", "told_at")} END
                       AS to_told,
                   0 AS died, NULL AS to_reported, NULL AS to_family
            FROM (
                SELECT h.person_id AS person_id, h.day AS day, h.arrived_at AS arrived_at,
                       {exam} AS exam_at, {told} AS told_at
                FROM hb_held h WHERE h.arrived_at IS NOT NULL
            ) a
            UNION ALL
            SELECT x.person_id, c.day, NULL, NULL, NULL, 1,
                   CASE WHEN x.authority_informed_at IS NULL THEN NULL
                        ELSE {after("x.died_at", "x.authority_informed_at")} END,
                   CASE WHEN x.family_informed_at IS NULL THEN NULL
                        ELSE {after("x.died_at", "x.family_informed_at")} END
            FROM {T["Death"]} x
            JOIN hb_cal c ON x.died_at >= c.starts AND x.died_at < c.ends
            WHERE x.facility_id = %(facility)s
            """,
            p,
            "person_id, day",
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
