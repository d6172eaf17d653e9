"""Long work started from a page (a bulk intake of thousands) runs beside the request, and the
page shows its progress. The state lives in a small JSON file under ``var/jobs`` so that any
server process can read it; the work itself runs in one transaction, so a process that dies
mid-way leaves nothing partial (the job then reads as interrupted)."""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.core.errors import DomainError

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


@dataclass
class Job:
    id: str
    kind: str
    user_id: int
    facility_id: int | None
    total: int
    status: str = "running"  # running, done, failed, interrupted
    done: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] = field(default_factory=dict)
    pid: int = 0
    started_at: str = ""
    updated_at: str = ""

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status != "running"


def _dir() -> Path:
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save(job: Job) -> None:
    job.updated_at = clock.now().isoformat()
    target = _dir() / f"{job.id}.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(job), default=str), encoding="utf-8")
    tmp.replace(target)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def get(job_id: str, *, user_id: int) -> Job | None:
    """The job, if it exists and belongs to ``user_id``."""
    try:
        uuid.UUID(job_id)
        data = json.loads((_dir() / f"{job_id}.json").read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    job = Job(**data)
    if job.user_id != user_id:
        return None
    if job.status == "running" and not _alive(job.pid):
        job.status = "interrupted"
        job.error = {
            "message": _("The server stopped during the work. Nothing was saved: start it again.")
        }
        _save(job)
    return job


def start(
    *,
    kind: str,
    user_id: int,
    facility_id: int | None,
    total: int,
    work: Callable[[Progress], dict[str, Any]],
) -> Job:
    """Run ``work(progress)`` beside the request (inline when ``HABEAS_JOBS_INLINE``)."""
    job = Job(
        id=str(uuid.uuid4()),
        kind=kind,
        user_id=user_id,
        facility_id=facility_id,
        total=total,
        pid=os.getpid(),
        started_at=clock.now().isoformat(),
    )
    _save(job)

    def progress(done: int) -> None:
        job.done = done
        _save(job)

    def run() -> None:
        inline = getattr(settings, "HABEAS_JOBS_INLINE", False)
        if not inline:
            close_old_connections()
        try:
            job.result = work(progress)
            job.status = "done"
            job.done = job.total
        except DomainError as exc:
            job.status = "failed"
            job.error = exc.as_dict()
        except Exception:  # a job must end in a state the page can show
            log.exception("job %s failed", job.id)
            job.status = "failed"
            job.error = {"message": _("The work failed unexpectedly. Nothing was saved.")}
        finally:
            _save(job)
            if not inline:
                connection.close()

    if getattr(settings, "HABEAS_JOBS_INLINE", False):
        run()
    else:
        threading.Thread(target=run, name=f"job-{job.id}", daemon=True).start()
    return job
