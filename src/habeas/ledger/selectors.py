"""Reading the ledger: the hash of a range (what an evaluation judged), and one person's days."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import connection

from habeas.estate.models import Facility
from habeas.ledger.models import CustodyDay

TABLE = CustodyDay._meta.db_table


@dataclass(frozen=True)
class Digest:
    rows: int
    people: int
    hash: str


def ledger_digest(facility: Facility | int, first: dt.date, last: dt.date) -> Digest:
    """The SHA-256 of the facility's ledger rows from ``first`` to ``last``: for each day in
    order, the MD5 of its rows' hashes in person order; then SHA-256 over the lines
    ``day:rows:md5``. Changing any column of any row changes it; so does a row more or less.
    Computed by the database on PostgreSQL (no row leaves it), in Python on SQLite."""
    fid = facility if isinstance(facility, int) else facility.pk
    params: list[Any] = [fid, first, last]
    where = "WHERE facility_id = %s AND day >= %s AND day <= %s"
    days: list[tuple[str, int, str]] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT day, COUNT(*), md5(string_agg(row_hash, '' ORDER BY person_id)) "  # noqa: S608
                f"FROM {TABLE} {where} GROUP BY day ORDER BY day",
                params,
            )
            days = [(d.isoformat(), n, h) for d, n, h in cur.fetchall()]
        else:
            cur.execute(
                f"SELECT day, row_hash FROM {TABLE} {where} ORDER BY day, person_id",  # noqa: S608
                params,
            )
            current: str | None = None
            md5 = hashlib.md5(usedforsecurity=False)
            n = 0
            for day, row_hash in cur.fetchall():
                day = str(day)
                if day != current:
                    if current is not None:
                        days.append((current, n, md5.hexdigest()))
                    current, md5, n = day, hashlib.md5(usedforsecurity=False), 0
                md5.update(row_hash.encode())
                n += 1
            if current is not None:
                days.append((current, n, md5.hexdigest()))
        cur.execute(f"SELECT COUNT(DISTINCT person_id) FROM {TABLE} {where}", params)  # noqa: S608
        people = cur.fetchone()[0]
    total = hashlib.sha256()
    for day, n, h in days:
        total.update(f"{day}:{n}:{h}\n".encode())
    return Digest(rows=sum(n for _d, n, _h in days), people=people, hash=total.hexdigest())


def current_digest(facility: Facility | int, first: dt.date, last: dt.date) -> Digest:
    """The digest of the range as it stands: the hash the latest build of exactly this range
    left, when no build since has touched any of its days (only builds write the ledger);
    otherwise computed afresh from the rows (``ledger_digest``)."""
    from habeas.ledger.models import LedgerBuild

    fid = facility if isinstance(facility, int) else facility.pk
    latest = (
        LedgerBuild.objects.filter(facility_id=fid, first_day__lte=last, last_day__gte=first)
        .order_by("-built_at", "-id")
        .first()
    )
    if latest is not None and (latest.first_day, latest.last_day) == (first, last):
        return Digest(rows=latest.rows, people=latest.people, hash=latest.ledger_hash)
    return ledger_digest(fid, first, last)


def row_hashes(
    facility: Facility | int, first: dt.date, last: dt.date
) -> dict[tuple[int, dt.date], str]:
    """(person, day) → the row's hash: to see which rows a change of the records changed."""
    fid = facility if isinstance(facility, int) else facility.pk
    return {
        (pid, day): h
        for pid, day, h in CustodyDay.objects.filter(
            facility_id=fid, day__gte=first, day__lte=last
        ).values_list("person_id", "day", "row_hash")
    }
