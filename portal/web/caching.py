"""What browsers and proxies may keep.

Everything a signed-in user sees is personal: the pages (names, applications, decisions) and
the downloads (evidence, letters, agreements, exports, the data export). None of it may stay in
a browser's cache, where the next user of a shared computer finds it with the back button, or in
a proxy's. So every response is sent with `Cache-Control: no-store` (and `Pragma: no-cache` for
HTTP/1.0 proxies), except two kinds that hold nothing personal and may be cached: the static
files (style sheets, scripts, images), and the public pages (`public.*`: the DAS, its providers,
tariffs, open data) when nobody is signed in. The log-in, registration and password pages are
not among those: their forms carry a session-bound CSRF token, and some their links' tokens.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CACHEABLE_BLUEPRINTS = frozenset({"public"})


def may_be_cached() -> bool:
    endpoint = request.endpoint or ""
    if endpoint == "static":
        return True
    blueprint = endpoint.rpartition(".")[0]
    return blueprint in CACHEABLE_BLUEPRINTS and not current_user.is_authenticated


def init_app(app: Flask) -> None:
    @app.after_request
    def no_store_for_personal_responses(response: Response) -> Response:
        if not may_be_cached():
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response
