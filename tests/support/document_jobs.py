"""Holding the render jobs of documents (decision letters, assessment reports, agreements:
services/documents.py) back, as a queue whose worker has not got to them yet.

The tests' queue runs a job right after the commit (immediate mode), so the moment between a
decision and its rendered letter is never seen. `held` keeps the render jobs (and only those:
mail goes on) in a list until the test hands them to the queue with `run_held`. A local stand-in:
the jobs module has no switch for one kind of job."""

from __future__ import annotations

from typing import Any

import pytest

from portal.infra import jobs
from portal.services import agreements, assessment_report, letters

RENDER_JOBS = (letters.render_letter, assessment_report.render_report, agreements.render_agreement)

Held = list[tuple[Any, tuple[Any, ...]]]


@pytest.fixture()
def held(monkeypatch: pytest.MonkeyPatch) -> Held:
    """Render jobs are held back instead of enqueued after the commit; other jobs run."""
    waiting: Held = []
    enqueue_after_commit = jobs.after_commit

    def hold(job: Any, *args: Any, **kwargs: Any) -> None:
        if job in RENDER_JOBS:
            waiting.append((job, args))
        else:
            enqueue_after_commit(job, *args, **kwargs)

    monkeypatch.setattr(jobs, "after_commit", hold)
    return waiting


def run_held(waiting: Held) -> None:
    """What the worker does when it gets to the held jobs: each goes through the queue."""
    while waiting:
        job, args = waiting.pop(0)
        job.enqueue(*args)
