"""Use cases. Each public function owns one transaction: load, call the domain, write, commit."""


class ServiceError(Exception):
    """A refusal the user can act on; `code` selects the Dutch message shown (portal.messages)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def refuses_stale(code: str):  # type: ignore[no-untyped-def]
    """Someone else changed the row between our read and our write (its version column did not
    match, at whichever flush): roll back and refuse with `code` instead of overwriting."""
    import functools

    from sqlalchemy.orm.exc import StaleDataError

    def decorator(func):  # type: ignore[no-untyped-def]
        @functools.wraps(func)
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            from portal.extensions import db

            try:
                return func(*args, **kwargs)
            except StaleDataError as error:
                db.session.rollback()
                raise ServiceError(code) from error

        return wrapper

    return decorator
