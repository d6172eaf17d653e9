"""Crash safety: SIGKILL a bulk command in the middle of its work, then check that nothing
partial remains — every table holds exactly the rows it held before and the audit chain is intact
— and that running the command again completes. A real process against a real database file
(SQLite) or a real PostgreSQL database created for the test.

The kill comes when the command's own progress bar shows work begun but not finished (after the
first chunk of 5,000 admissions is written, after the first day of the ledger), or — for the
conditions import, whose bar says little — once the database shows that the transaction has
started writing (SQLite's write-ahead log grows; PostgreSQL gives the session a transaction id).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.db import connection

from habeas.core import backup, clock
from habeas.core.backup import Snapshot, Target
from tests.reliability.conftest import ROOT, habeas, pg_url, process_env

TZ = "America/El_Salvador"
PEOPLE = 12_000  # three chunks of admit_many's 5,000: the kill falls between two written chunks
READING_TIMES = 720  # hourly for 30 days x 256 cells = 184,320 readings


def database_snapshot(url: str) -> Snapshot:
    return backup.snapshot_of(Target.of_url(url))


def wal_size(url: str) -> int:
    path = Path(Target.of_url(url).name + "-wal")
    return path.stat().st_size if path.exists() else 0


def pg_writing(url: str) -> bool:
    """True once a session on this database holds a transaction that has written (it has an xid)."""
    import psycopg

    target = Target.of_url(url)
    with psycopg.connect(
        psycopg.conninfo.make_conninfo(**target.with_name("postgres").conninfo()), autocommit=True
    ) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL",
            [target.name],
        ).fetchone()
    return bool(row and row[0])


def kill_midway(
    args: list[str], url: str, begun: Callable[[str], bool], *, timeout: float = 300
) -> str:
    """Start ``habeas *args``; SIGKILL it as soon as ``begun(stderr so far)`` is true. Fails if
    the command finishes first (then it was not killed in the middle of anything)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "habeas.cli", *args],
        env=process_env(url, {"HABEAS_PROGRESS": "1", "PYTHONUNBUFFERED": "1"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    seen = ""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            chunk = proc.stderr.read()
            if chunk:
                seen += chunk.decode("utf-8", "replace")
            if proc.poll() is not None:
                pytest.fail(f"habeas {' '.join(args)} ended before it could be killed:\n{seen}")
            if begun(seen):
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                assert proc.returncode == -signal.SIGKILL
                return seen
            time.sleep(0.02)
        pytest.fail(f"habeas {' '.join(args)} never reached the middle of its work:\n{seen}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    raise AssertionError("unreachable")


def progressed(text: str) -> tuple[int, int] | None:
    """The last ``done/total`` of a tqdm bar in ``text``."""
    found = re.findall(r"(\d+)/(\d+)", text)
    return (int(found[-1][0]), int(found[-1][1])) if found else None


def midway(text: str) -> bool:
    p = progressed(text)
    return p is not None and 0 < p[0] < p[1]


def assert_untouched(url: str, before: Snapshot) -> None:
    after = database_snapshot(url)
    assert before.differences(after) == [], "the killed command left something behind"
    verdict = json.loads(habeas("audit", "verify", "--json", url=url).stdout)
    assert verdict["ok"] is True


def intake_file(path: Path) -> Path:
    from habeas.core import clock
    from habeas.custody import intake_file as intake
    from habeas.demo import population

    rows = population.rows(PEOPLE, seed=8, now=clock.now(), tz=zoneinfo.ZoneInfo(TZ))
    path.write_text(intake.write(rows), encoding="utf-8")
    return path


def readings_file(path: Path) -> Path:
    from habeas.conditions import feed
    from habeas.core import clock

    start = clock.now().astimezone(zoneinfo.ZoneInfo(TZ)).replace(
        minute=0, second=0, microsecond=0
    ) - dt.timedelta(hours=READING_TIMES + 1)
    rows = [
        {
            "cell": f"{u}-{c:02d}",
            "measured_at": (start + dt.timedelta(hours=h)).isoformat(),
            "temperature_c": 30 + (u + c + h) % 7,
            "humidity_pct": 70,
            "lights": "on",
            "co2_ppm": 1500,
            "sensor": f"s-{u}-{c:02d}",
        }
        for h in range(READING_TIMES)
        for u in range(1, 9)
        for c in range(1, 33)
    ]
    path.write_text(feed.write_csv(rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def crash_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the module's tests, in a process of its own: migrated, the CECOT-like
    estate loaded, the groups and their rivalries registered."""
    if connection.vendor == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('crash') / 'crash.sqlite3'}"
        target = Target.of_url(url)
    else:
        here = Target.of_django()
        target = here.with_name(f"habeas_test_crash_{uuid.uuid4().hex[:10]}")
        url = pg_url(target)
        backup.create_database(target)
    done = subprocess.run(
        [sys.executable, "-m", "tests.reliability.crash_setup"],
        env=process_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    yield url
    if target.engine == "postgresql":
        backup.drop_database(target)


def admitted(url: str, tmp_path: Path) -> None:
    """The population the ledger is built from (admitted by the intake test, or here)."""
    if database_snapshot(url).tables["people_person"] == 0:
        csv_path = intake_file(tmp_path / "intake.csv")
        habeas("intake", "import", str(csv_path), "--facility", "cecot", url=url)


def test_a_killed_bulk_intake_leaves_nothing_and_the_rerun_admits_everyone(
    crash_db: str, tmp_path: Path
) -> None:
    url = crash_db
    csv_path = intake_file(tmp_path / "intake.csv")
    before = database_snapshot(url)
    kill_midway(["intake", "import", str(csv_path), "--facility", "cecot"], url, midway)
    assert_untouched(url, before)
    done = habeas("intake", "import", str(csv_path), "--facility", "cecot", "--json", url=url)
    assert json.loads(done.stdout)["admitted"] == PEOPLE
    assert database_snapshot(url).tables["people_person"] == PEOPLE


@pytest.mark.skipif(
    "ledger_build" not in get_commands(),
    reason="habeas ledger build does not exist yet (issue #7): the ledger part is not covered",
)
def test_a_killed_ledger_build_leaves_nothing_and_the_rerun_builds_it(
    crash_db: str, tmp_path: Path
) -> None:
    url = crash_db
    admitted(url, tmp_path)
    first = (clock.local_date(clock.now(), TZ) - dt.timedelta(days=40)).isoformat()
    last = (clock.local_date(clock.now(), TZ) - dt.timedelta(days=1)).isoformat()
    args = ["ledger", "build", "--facility", "cecot", "--from", first, "--to", last]
    before = database_snapshot(url)
    kill_midway(args, url, midway)  # after its first day
    assert_untouched(url, before)
    done = habeas(*args, "--json", url=url)
    assert json.loads(done.stdout)["person_days"] > 0


@pytest.mark.skipif(
    "conditions_import" not in get_commands(),
    reason="habeas conditions import does not exist yet (issue #6)",
)
def test_a_killed_conditions_import_leaves_nothing_and_the_rerun_stores_every_reading(
    crash_db: str, tmp_path: Path
) -> None:
    url = crash_db
    sqlite = url.startswith("sqlite")
    feed_path = readings_file(tmp_path / "readings.csv")
    before = database_snapshot(url)
    baseline = wal_size(url) if sqlite else 0

    def writing(_text: str) -> bool:
        return wal_size(url) > baseline + (1 << 20) if sqlite else pg_writing(url)

    kill_midway(["conditions", "import", str(feed_path), "--facility", "cecot"], url, writing)
    assert_untouched(url, before)
    done = habeas("conditions", "import", str(feed_path), "--facility", "cecot", "--json", url=url)
    assert json.loads(done.stdout)["stored"] == READING_TIMES * 256
    verdict = json.loads(habeas("audit", "verify", "--json", url=url).stdout)
    assert verdict["ok"] is True
