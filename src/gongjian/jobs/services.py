"""Starting background work and running it.

An app declares a kind of work in its ``tasks.py``::

    @job("lights.recompute", permission="lights.view_light")
    def recompute(progress: Progress, *, year: int) -> dict: ...

A request calls :func:`start` (permission checked, the job saved, the task queued) and answers at once with the
job; the worker calls :func:`run`, which marks the job running, hands the function a :class:`Progress` to report
through, and records the result or the error. The function does its writes in one transaction (or idempotent
steps), so a failure changes nothing; progress is written between them, where others can read it.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.jobs.choices import JobState
from gongjian.jobs.models import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    name: str
    function: Callable[..., dict[str, Any] | None]
    permission: str | None


KINDS: dict[str, Kind] = {}


class Failed(Exception):
    """Work refused with something to show besides why (an import's errors by row): ``message`` is the job's
    error and ``result`` is kept on the job, as a result is on success."""

    def __init__(self, message: str, result: dict[str, Any]):
        super().__init__(message)
        self.messages = [message]
        self.result = result


def job(name: str, *, permission: str | None = None):
    """Register the decorated function as the background work called ``name``."""

    def register(function):
        KINDS[name] = Kind(name, function, permission)
        return function

    return register


def files_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs"


_PROGRESS_SQL = f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, step = %s WHERE id = %s"


class Progress:
    """What a running job reports through: how far it is, what it is doing, and the file it produced."""

    def __init__(self, job: Job):
        self.job = job
        self._side = None

    def __call__(self, done: int, total: int | None = None, step: str | None = None) -> None:
        """Write the progress now, where the job's page sees it at once: inside the work's transaction (one
        transaction, so that a failure changes nothing) it goes through a connection of its own on PostgreSQL;
        SQLite has one writer at a time, so there it is seen when the work commits."""
        self.job.done = max(0, int(done))
        if total is not None:
            self.job.total = max(0, int(total))
        if step is not None:
            self.job.step = step[:200]
        values = (self.job.done, self.job.total, self.job.step, self.job.pk)
        if connection.in_atomic_block and connection.vendor == "postgresql":
            try:
                with self._side_connection().cursor() as cursor:
                    cursor.execute(_PROGRESS_SQL, values)
            except DatabaseError:  # the work itself holds the job's row: its progress shows when it commits
                logger.warning("progress of job %s not written", self.job.pk, exc_info=True)
        else:
            Job.objects.filter(pk=self.job.pk).update(
                done=self.job.done, total=self.job.total, step=self.job.step
            )

    def _side_connection(self):
        if self._side is None:
            main = connections[connection.alias]  # autocommits, as every new connection does
            self._side = type(main)(dict(main.settings_dict), alias=f"{main.alias}-progress")
            with self._side.cursor() as cursor:  # never wait long on a row the work itself has locked
                cursor.execute("SET lock_timeout = '1s'")
        return self._side

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None

    def save_file(self, name: str, content: bytes) -> None:
        """Keep the job's result file (an export, a document) for its owner to download."""
        folder = files_dir() / str(self.job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "result").write_bytes(content)
        self.job.file_name = name[:200]


@transaction.atomic
def start(kind: str, params: dict[str, Any] | None = None, *, actor, label: str, audited: bool = True) -> Job:
    """Queue ``kind`` with ``params`` (JSON) for ``actor``; the caller answers with the job at once. A follow-up
    of a change that is itself audited (relighting after an approval) is queued with ``audited=False``."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError(_("未知的任务类型：%(kind)s") % {"kind": kind})
    if actor is not None and spec.permission and not actor.has_perm(spec.permission):
        raise PermissionDenied(_("无权发起该任务。"))
    row = Job.objects.create(
        kind=kind, label=label[:200], params=params or {}, created_by=audit.actor_or_none(actor)
    )
    if audited:
        audit.record(
            "job.start", actor=actor, obj=row, after={"kind": kind, "params": row.params}, only_changes=False
        )
    from gongjian.jobs.tasks import run_job  # noqa: PLC0415  (cycle: jobs.tasks registers its task with this module)

    # Queued in the same transaction as the job (the database backend's row is seen with it, or not at all).
    run_job.enqueue(str(row.pk))
    row.refresh_from_db()
    return row


def run(job_id: str) -> Job:
    """Run a queued job to the end (the worker calls this): the result, or the error, is kept on the job."""
    row = Job.objects.filter(pk=job_id, state=JobState.QUEUED).first()
    if row is None:  # run already, or gone
        return Job.objects.get(pk=job_id)
    row.state, row.started_at = JobState.RUNNING, timezone.now()
    row.save(update_fields=["state", "started_at"])
    progress = Progress(row)
    try:
        result = KINDS[row.kind].function(progress, **row.params) or {}
    except Exception as exc:  # the job's owner reads why; the office reads the traceback
        row.error = _reason(exc)
        row.state = JobState.FAILED
        if isinstance(exc, Failed):  # refused as it should be, not broken: nothing for the office to debug
            row.result = exc.result
        else:
            row.file_name = ""  # a file made before the failure belongs to work that was rolled back
            row.detail = traceback.format_exc()[-20000:]
            logger.exception("job %s (%s) failed", row.pk, row.kind)
    else:
        row.result = result
        row.result_url = str(result.get("url", ""))[:300]
        row.state, row.done = JobState.SUCCEEDED, max(row.done, row.total)
    finally:
        progress.close()
    row.finished_at = timezone.now()
    row.save()
    return row


def _reason(exc: Exception) -> str:
    """Why a job failed, in the words its owner reads (never an exception's class name when there are words)."""
    messages = getattr(exc, "messages", None)
    if messages:
        return "；".join(str(m) for m in messages)
    if isinstance(exc, PermissionDenied) and str(exc):
        return str(exc)
    if isinstance(exc, ObjectDoesNotExist):
        return _("任务要处理的数据已不存在（可能已被删除）。")
    return _("任务出错：%(kind)s") % {"kind": type(exc).__name__}


def remove_old_files(now=None) -> tuple[int, int]:
    """Delete the files of jobs finished more than ``GONGJIAN_JOB_FILES_DAYS`` days ago (exports hold personal
    data; they are made again on demand) and uploads no job has read within a day. Returns (jobs, uploads)."""
    now = now or timezone.now()
    folder = files_dir()
    if not folder.is_dir():
        return 0, 0
    kept_until = now - dt.timedelta(days=settings.GONGJIAN_JOB_FILES_DAYS)
    old = {
        str(pk)
        for pk in Job.objects.filter(finished_at__lt=kept_until)
        .exclude(file_name="")
        .values_list("pk", flat=True)
    }
    jobs = 0
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name in old:
            shutil.rmtree(entry, ignore_errors=True)
            jobs += 1
    if jobs:
        Job.objects.filter(pk__in=old).update(file_name="")
    uploads = 0
    waiting = folder / "uploads"
    if waiting.is_dir():
        for entry in waiting.iterdir():
            if entry.is_file() and entry.stat().st_mtime < (now - dt.timedelta(days=1)).timestamp():
                entry.unlink(missing_ok=True)
                uploads += 1
    return jobs, uploads


def visible_to(user):
    """The jobs ``user`` may follow: their own; the office's operators see every one."""
    if user.has_perm("jobs.view_job"):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)
