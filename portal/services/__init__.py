"""Use cases. Each public function owns one transaction: load, call the domain, write, commit."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.orm.exc import StaleDataError

# Defined below the services, since a file reader (portal.infra.spreadsheets) refuses with it too.
from portal.errors import ServiceError as ServiceError
from portal.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, init=False)
class Problem:
    """What is wrong with one piece of input, as a ServiceError says it: a message code and its
    parameters. Services never write a sentence; portal.pages.messages renders it in the reader's
    language, so an English reader gets English."""

    code: str
    params: dict[str, object]

    # Called like ServiceError: Problem("unknown_kpi", kpi_code="X").
    def __init__(self, code: str, **params: object) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class RowError:
    """A Problem on one row of an imported file; rows count from 1, the header included."""

    row: int
    problem: Problem


def refuses_stale(code: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Someone else changed the row between our read and our write (its version column did not
    match, at whichever flush): roll back and refuse with `code` instead of overwriting."""

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except StaleDataError as error:
                db.session.rollback()
                raise ServiceError(code) from error

        return wrapper

    return decorator


def transaction(func: Callable[P, R]) -> Callable[P, R]:
    """The use case's writes are all or nothing: when it refuses (a ServiceError) or fails after
    it began writing, what it wrote is rolled back here, before the caller hears of it. So a page
    that shows the form again with the refusal shows the database as it was, and no view rolls
    back (or commits) on a service's behalf."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapper


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session and say how many rows it changed: a
    compare-and-set (`... WHERE version = :seen`) won when that is 1."""
    result = db.session.execute(statement)
    return cast("CursorResult[Any]", result).rowcount  # an UPDATE's or DELETE's result
