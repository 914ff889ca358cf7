"""Reading ESPD response documents safely (issue 22): size, XML without DOCTYPE or entities and
with a depth limit, the document type and namespace, the UBL 2.4 schemas (portal/data/espd/xsd),
then what it says (portal.domain.espd.ResponseDocument)."""

from __future__ import annotations

from typing import Literal

from portal.domain.espd import Refusal, ResponseDocument

#: The largest file taken (the EU's full example response is 1.1 MB).
MAX_BYTES = 5 * 1024 * 1024


class EspdRefused(Exception):
    """The file is not an acceptable ESPD response; `refusal` says why (Dutch text per code in
    portal.pages.messages), `detail` the first schema error or similar, for the page."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(refusal.value, detail)
        self.refusal = refusal
        self.detail = detail


def schema_errors(data: bytes, kind: Literal["request", "response"]) -> list[str]:
    """The UBL 2.4 schema's complaints about a document (empty: valid). Also used by the tests
    of the documents the portal writes (portal.infra.espd_build)."""
    raise NotImplementedError  # issue 22, ESPD reading


def read_response(data: bytes) -> ResponseDocument:
    """Check and read an uploaded ESPD response; raises EspdRefused."""
    raise NotImplementedError  # issue 22, ESPD reading
