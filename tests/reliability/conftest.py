"""Reliability tests (issue #8): real processes, real database files and real PostgreSQL
databases created for the test, killed and restored."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from habeas.core.backup import Target, drop_database

ROOT = Path(__file__).resolve().parents[2]


def habeas(
    *args: str, url: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the ``habeas`` command line against ``url`` in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "habeas.cli", *args],
        env=process_env(url, env),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"habeas {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def process_env(url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HABEAS_AUDIT", "PYTEST", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="habeas.settings",
        HABEAS_PROJECT_DIR=str(ROOT),
        # the project's sources, and the project itself (for ``tests.…`` helper modules)
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")]),
    )
    env.update(extra or {})
    return env


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """A database of the engine under test that no test process is connected to: an SQLite file,
    or a fresh PostgreSQL database (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    target = Target.of_django().with_name(f"habeas_test_scratch_{uuid.uuid4().hex[:10]}")
    yield pg_url(target)
    drop_database(target)


def pg_url(target: Target) -> str:
    auth = f"{target.user}@" if target.user else ""
    if target.user and target.password:
        auth = f"{target.user}:{target.password}@"
    host = target.host or "127.0.0.1"
    port = f":{target.port}" if target.port else ""
    return f"postgresql://{auth}{host}{port}/{target.name}"
