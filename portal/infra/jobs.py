"""Background work (issue 20): the job queue.

SKELETON written by the lead so that every helper codes against one API; the jobs helper (H1)
replaces the insides with Huey (huey==3.5.4): SqliteHuey by default (embedded worker with the
app), RedisHuey or PostgresHuey in production, immediate mode in the tests.

API (stable; keep these names):

    from portal.infra import jobs

    @jobs.task(retries=5)            # a function run by a worker, inside an app context
    def render_letter(letter_id: int) -> None: ...

    jobs.after_commit(render_letter, letter.id)   # enqueue once the caller's transaction commits
                                                  # (dropped when it rolls back)
    render_letter.enqueue(letter.id)              # enqueue now (outside a transaction)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec

import sqlalchemy as sa

from portal.extensions import db

P = ParamSpec("P")


class Task(Generic[P]):
    def __init__(self, func: Callable[P, Any]) -> None:
        self.func = func
        self.name = func.__name__

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        return self.func(*args, **kwargs)

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> None:
        self.func(*args, **kwargs)


def task(retries: int = 0) -> Callable[[Callable[P, Any]], Task[P]]:
    def wrap(func: Callable[P, Any]) -> Task[P]:
        return Task(func)

    return wrap


_PENDING = "portal.jobs.after_commit"


def after_commit(job: Task[P], *args: P.args, **kwargs: P.kwargs) -> None:
    session = db.session()
    session.info.setdefault(_PENDING, []).append((job, args, kwargs))


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _run_pending(session: sa.orm.Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for job, args, kwargs in pending:
        job.enqueue(*args, **kwargs)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _drop_pending(session: sa.orm.Session) -> None:
    session.info.pop(_PENDING, None)
