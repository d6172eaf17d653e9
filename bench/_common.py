"""Shared by the benchmarks: the machine, fresh databases, and writing docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from habeas.estate.estate_file import EstateSpec

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    pg = ""
    if shutil.which("psql"):
        out = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False)
        pg = f"; {out.stdout.strip()}"
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}; "
        f"{platform.system()} {platform.release()}{pg}"
    )


def fresh_database(kind: str, name: str) -> str:
    """A DATABASE_URL for an empty database of ``kind`` (sqlite or postgresql)."""
    if kind == "sqlite":
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def run_worker(script: Path, url: str, args: list[str]) -> str:
    # Benchmarks sign staff in with the test client's force_login: no second factor there (it is
    # tested in tests/accounts and tests/browser; issue #8).
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="habeas.settings",
        HABEAS_SECOND_FACTOR_ROLES="",
    )
    out = subprocess.run(
        [sys.executable, str(script), "--worker", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"worker failed on {url}")
    sys.stderr.write(out.stderr)
    return out.stdout.strip().splitlines()[-1]


def write_section(key: str, body: str) -> None:
    """Replace the section between <!-- bench:key --> markers in docs/benchmarks.md."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = (
        DOC.read_text(encoding="utf-8")
        if DOC.exists()
        else (
            "# Benchmarks\n\nMeasured by hand with the scripts in `bench/` (never by timed tests). "
            "Each section names the command, the machine and the date.\n"
        )
    )
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


CECOT_TIME_ZONE = "America/El_Salvador"


def cecot_estate(
    *,
    facilities: Sequence[tuple[str, str]] = (("cecot", "CECOT"),),
    units: int = 8,
    cells: int = 32,
    operational_capacity: int = 160,
    stated_capacity: int = 40_000,
) -> EstateSpec:
    """A CECOT-like estate (call after ``django.setup()``): each facility of ``facilities`` (code,
    name) has ``units`` modules of ``cells`` cells of 100 m² with 80 bunks and two toilets —
    by default one facility, 8 × 32 cells of operational capacity 160, stated capacity 40,000:
    the estate of the benchmarks."""
    from decimal import Decimal

    from habeas.estate import estate_file

    return estate_file.EstateSpec(
        facilities=[
            estate_file.FacilitySpec(
                code=code,
                name=name,
                time_zone=CECOT_TIME_ZONE,
                jurisdiction="SV",
                holds_sex="M",
                space_standard="icrc",
                stated_capacity=stated_capacity,
                units=[
                    estate_file.UnitSpec(
                        code=str(u),
                        name=f"Módulo {u}",
                        cells=[
                            estate_file.CellSpec(
                                code=f"{u}-{c:02d}",
                                floor_area_m2=Decimal(100),
                                bunks=80,
                                operational_capacity=operational_capacity,
                                toilets=2,
                            )
                            for c in range(1, cells + 1)
                        ],
                    )
                    for u in range(1, units + 1)
                ],
            )
            for code, name in facilities
        ]
    )
