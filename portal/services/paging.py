"""One page of a list that grows with the data: LIMIT/OFFSET in SQL and a count.

Every paged list in the portal goes through `paginate` (a count query, then one page of rows) or,
where a page may not spend a second statement, `paginate_counted` (the count rides along as a
window function on the rows themselves). The template side is macros/pagination.html.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from werkzeug.exceptions import NotFound

from portal.extensions import db

T = TypeVar("T")


class PageNotFound(NotFound):
    """A page number past the last page. An HTTP 404 itself, so a view need not catch it: a link
    to page 9 of 8 is stale (rows went away) or made up, and the pager on page 1 leads on."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def first(self) -> int:
        """The position of the first row shown, counted from 1 (0 for an empty list)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


# Far past any list's last page, and small enough that its OFFSET fits a 64-bit integer.
MAX_PAGE = 2**31 - 1


def page_number(raw: Any) -> int:
    """The page a query string asks for: anything that is not a positive number is page 1; a
    number past MAX_PAGE is a page that cannot exist (404) rather than an OFFSET the database
    cannot hold."""
    if isinstance(raw, str) and (len(raw) > 40 or not raw.isascii()):
        return 1
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    if number > MAX_PAGE:
        raise PageNotFound(number)
    return max(number, 1)


def _check(number: int, total: int, per_page: int) -> None:
    if number > 1 and (number - 1) * per_page >= total:
        raise PageNotFound(number)


def page_of(items: list[T], total: int, number: int, per_page: int) -> Page[T]:
    """A page from rows and a count a service already ran (LIMIT/OFFSET and a count query)."""
    _check(number, total, per_page)
    return Page(items, total, number, per_page)


def paginate(query: Select[Any], number: int, per_page: int, *, scalars: bool = True) -> Page[Any]:
    """Count the rows `query` selects, then load page `number` of them. `query` must already be
    ordered, with a unique last sort key so pages neither overlap nor skip rows."""
    # Counted over the query as a subquery, so DISTINCT, GROUP BY and joins count what the
    # page would show.
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    total = total or 0
    _check(number, total, per_page)
    paged = query.limit(per_page).offset((number - 1) * per_page)
    items = list(db.session.scalars(paged) if scalars else db.session.execute(paged).tuples())
    return Page(items, total, number, per_page)


def paginate_counted(query: Select[Any], number: int, per_page: int) -> Page[Any]:
    """As `paginate`, in one statement: each row carries COUNT(*) OVER () (SQLite and
    PostgreSQL both have window functions). For pages that must not add a query. `query` selects
    one entity; eager loads may only be many-to-one (no duplicated rows)."""
    rows = db.session.execute(
        query.add_columns(func.count().over()).limit(per_page).offset((number - 1) * per_page)
    ).all()
    if not rows:
        # Past the end, or an empty list: only page 1 of an empty list exists.
        if number > 1:
            raise PageNotFound(number)
        return Page([], 0, 1, per_page)
    return Page([row[0] for row in rows], int(rows[0][-1]), number, per_page)
