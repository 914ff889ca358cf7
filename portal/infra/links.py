"""Absolute links to the portal, always on its configured public address (EXTERNAL_URL).

Never on the Host or X-Forwarded-Host of the request at hand: a link built from those points
wherever the requester says the portal lives, and a mailed password-reset link would then hand
its token to that host (host-header poisoning).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: object) -> str:
    """The absolute URL of `endpoint` on EXTERNAL_URL, with or without a request at hand."""
    base = urlsplit(current_app.config["EXTERNAL_URL"].strip())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, dict(values), force_external=True)
