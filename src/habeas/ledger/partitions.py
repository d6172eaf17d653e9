"""Monthly partitions of the ledger on PostgreSQL (DESIGN.md §6): a month of a national estate
is one partition, so a range is pruned to its months and old months can be detached and archived
whole. Created on demand by the build, inside its transaction."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from habeas.ledger.models import CustodyDay

TABLE = CustodyDay._meta.db_table


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from ``first``'s to ``last``'s."""
    out = []
    m = first.replace(day=1)
    while m <= last:
        out.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return out


def name_of(month: dt.date) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def ensure(first: dt.date, last: dt.date) -> list[str]:
    """Create the partitions ``first``..``last`` need; returns the names created. A no-op
    except on PostgreSQL. Builds that would create the same partition queue on a lock."""
    if connection.vendor != "postgresql":
        return []
    wanted = {name_of(m): m for m in months(first, last)}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        have = {row[0] for row in cur.fetchall()}
        missing = [n for n in wanted if n not in have]
        if not missing:
            return []
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('habeas.ledger.partitions'))")
        for name in missing:
            start = wanted[name]
            end = (start + dt.timedelta(days=32)).replace(day=1)
            cur.execute(
                f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{TABLE}" '
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
    return missing
