"""Use cases. Each public function owns one transaction: load, call the domain, write, commit."""


class ServiceError(Exception):
    """A refusal the user can act on; `code` selects the Dutch message shown (portal.messages)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
