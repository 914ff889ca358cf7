"""Which language a request is served in: Dutch first, English when the user chose it."""

from __future__ import annotations

from flask import has_request_context, request, session
from flask_login import current_user

# Outlives logging out, so the next visit starts in the language chosen last.
LANGUAGE_COOKIE = "taal"


def select_locale() -> str:
    """Dutch first: English only when the user chose it, remembered for the session, on the
    account (so it follows the user to another device and into mails) and in a cookie (so it
    survives logging out)."""
    if not has_request_context():
        return "nl"  # mails choose their recipient's language themselves (portal.infra.mail)
    chosen = session.get("lang")
    if chosen is None and current_user and current_user.is_authenticated:
        chosen = current_user.locale
    if chosen is None:
        chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in ("nl", "en") else "nl"
