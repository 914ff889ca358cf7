"""The page for a document that a job is still rendering (a decision letter, an assessment
report, an agreement: services/documents.py).

Status 202 Accepted with Retry-After, not 503: the document has been asked for and is on its way
(202: "accepted for processing, not yet completed"); nothing is unavailable or failing, and a
503 would count in every error rate and wake whoever watches them for the few seconds a normal
decision takes. The page is never cached (every signed-in page is no-store), so asking again gets
the document once it is there."""

from __future__ import annotations

from flask import render_template
from werkzeug.wrappers import Response

from portal.pages.messages import message_for
from portal.services.documents import DocumentPending

# Seconds: the page asks the reader to try again in a minute.
RETRY_AFTER = 60


def document_pending() -> Response:
    response = Response(
        render_template("errors/document_pending.html", message=message_for(DocumentPending())),
        status=202,
        mimetype="text/html",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
