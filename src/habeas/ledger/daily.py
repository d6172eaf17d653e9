# ruff: noqa: S608 - every statement is composed from table names and constants of our own;
# values travel as parameters.
"""The stages of the derivation that read daily life — unlocks, contact with the outside,
conditions in the cell, force and discipline, and the events of arrivals and deaths — each one
set-based statement into a temporary table keyed by (person, day) or (cell, day)."""

from __future__ import annotations

from typing import Any

from habeas.health.models import ExaminationKind
from habeas.incidents.models import (
    PROHIBITED_RESTRAINTS,
    PROHIBITED_SANCTIONS,
    RestraintPurpose,
    SanctionKind,
    SegregationKind,
)
from habeas.ledger.dialect import Dialect
from habeas.ledger.tables import (
    EXAMINATION_LEEWAY_MINUTES,
    LEGAL_KINDS,
    OFFERED,
    SAMPLE_CAP_MINUTES,
    Chunk,
    T,
    _in,
)
from habeas.regime.models import ContactKind, Location, NotifiedEvent, VisitStatus


class DailyLife:
    """Mixed into ``Deriver``: ``self.d`` is the dialect, ``self.temp`` writes a stage."""

    d: Dialect

    def temp(self, name: str, select: str, params: dict[str, Any], *indexes: str) -> None:
        raise NotImplementedError

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
