"""Refusals a user can act on. The services raise them, and so does what lies below the services
(portal.infra.spreadsheets refuses a file beyond its limits); portal.pages.messages says them in the reader's
language at the edge."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal the user can act on; `code` selects the Dutch message shown (portal.pages.messages)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
