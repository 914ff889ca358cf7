"""Writing the ESPD documents the portal issues (issue 22): a DAS's request (its exclusion grounds
and selection criteria) and an application's response, as UBL 2.4 QualificationApplicationRequest
and -Response, each criterion as the EU taxonomy defines it (portal/data/espd/ESPD-Request.example.xml)."""

from __future__ import annotations

from portal.domain.espd import RequestFacts, ResponseFacts


def request_xml(facts: RequestFacts) -> bytes:
    raise NotImplementedError  # issue 22, ESPD export


def response_xml(facts: ResponseFacts) -> bytes:
    raise NotImplementedError  # issue 22, ESPD export
