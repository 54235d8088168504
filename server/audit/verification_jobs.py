"""Custody verification as a background job of the supervisors' screen (docs/design.md §4).

`start_job` writes a job row and starts a thread in the worker that took the request; the
thread walks the caller's scope in steps (`proof.verify_scope`) and writes its progress to
the row after each, so a poll answered by any gunicorn worker reads the same state. One
job per scope runs at a time: asking again while one runs answers that one.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from server.core.errors import NotFound
from server.core.scope import visible_items
from server.custody.proof import ProofReport, verify_all, verify_scope
from server.domain.verification import broken_link_words
from server.extensions import db
from server.media.storage import media_storage
from server.models import Role, User, VerificationJob
from server.models.types import utc_now

log = logging.getLogger(__name__)

#: A running job whose heartbeat is older than this died with its worker.
STALE_AFTER = timedelta(minutes=10)


def _scope_unit_id(actor: User) -> int | None:
    """The unit whose subtree the actor's job covers; None for an admin (every item)."""
    return None if actor.role == Role.admin else actor.unit_id


def is_stale(job: VerificationJob) -> bool:
    """True when a job says it runs but nobody has written its progress for too long."""
    return job.status == "running" and utc_now() - job.updated_at > STALE_AFTER


def job_words(job: VerificationJob) -> str:
    """What the job's answer says, in Vietnamese."""
    if is_stale(job) or job.status == "failed":
        return "Lần kiểm tra này bị gián đoạn trước khi xong. Hãy chạy lại."
    if job.status == "running":
        return "Đang kiểm tra…"
    return broken_link_words(job.first_broken)


def start_job(actor: User) -> tuple[VerificationJob, bool]:
    """A running job of the actor's scope (False) or a new one, started now (True).

    The new job's thread starts only after the request commits (`run_after_commit`).
    """
    scope_id = _scope_unit_id(actor)
    running = db.session.execute(
        select(VerificationJob).where(VerificationJob.scope_unit_id.is_(scope_id)
                                      if scope_id is None else
                                      VerificationJob.scope_unit_id == scope_id,
                                      VerificationJob.status == "running")
        .order_by(VerificationJob.id.desc())
    ).scalars().first()
    if running is not None and not is_stale(running):
        return running, False
    if running is not None:  # died with its worker: say so, then start afresh
        running.status, running.finished_at = "failed", utc_now()
    job = VerificationJob(requested_by_id=actor.id, scope_unit_id=scope_id, status="running")
    db.session.add(job)
    db.session.flush()
    return job, True


def visible_job(actor: User, job_id: int) -> VerificationJob:
    """A job of the actor's own scope (an admin: any); 404 otherwise."""
    job = db.session.get(VerificationJob, job_id)
    if job is None or (actor.role != Role.admin and job.scope_unit_id != actor.unit_id):
        raise NotFound("unknown_verification", "Không tìm thấy lần kiểm tra trong phạm vi của bạn.")
    return job


def launch(job_id: int, actor_id: int) -> None:
    """Run the job in a thread of this worker (after the row that names it is committed)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=_run, args=(app, job_id, actor_id),
                              name=f"verification-job-{job_id}", daemon=True)
    thread.start()


def _write(job_id: int, **values: Any) -> None:
    """Write some of the job's columns and its heartbeat, in a transaction of their own."""
    db.session.execute(update(VerificationJob).where(VerificationJob.id == job_id)
                       .values(updated_at=utc_now(), **values))
    db.session.commit()


def _run(app: Flask, job_id: int, actor_id: int) -> None:
    """The thread: walk the scope, write progress after each step, then the answer."""
    with app.app_context():
        try:
            actor = db.session.get(User, actor_id)
            scope = None if actor is None or actor.role == Role.admin else visible_items(actor)
            db.session.rollback()

            def progress(report: ProofReport, total: int) -> None:
                _write(job_id, items_total=total, items_checked=report.items_checked,
                       events_checked=report.events_checked)

            if scope is None:  # the whole country: chains, sealed days, images and the log
                report = verify_all(media_storage())
            else:
                report = verify_scope(media_storage(), scope, progress)
            _write(job_id, status="done", ok=report.ok, items_checked=report.items_checked,
                   events_checked=report.events_checked, days_checked=report.days_checked,
                   media_checked=report.media_checked, first_broken=report.first_broken,
                   finished_at=utc_now())
        except Exception:  # the job must end in a state a poll can show
            log.exception("verification job %s failed", job_id)
            db.session.rollback()
            _write(job_id, status="failed", finished_at=utc_now())
        finally:
            db.session.remove()
