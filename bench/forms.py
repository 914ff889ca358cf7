"""Reading forms out of the portal's HTML, for the benchmarks' clients (no portal imports: the
Locust file runs under gevent, far from the application)."""

from __future__ import annotations

import re

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise LookupError("no CSRF token in the form")
    return found.group(1)
