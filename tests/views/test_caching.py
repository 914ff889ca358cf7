"""Caching: nothing personal stays in a browser's or a proxy's cache.

The attack: on a shared computer, after the user signed out, the back button (or a proxy)
showed their applications, evidence and exports again from the cache. Every response to a
signed-in user, pages and downloads alike, now says `Cache-Control: no-store`; the public pages
for visitors who are not signed in, and the static files, may still be cached
(portal/web/caching.py says why).
"""

from __future__ import annotations

from flask import Flask

from tests.support.grid import ANON, EXPECTED, GET, OWNER, REVIEWER, World

# `world`: the authorization grid's (tests/support/grid.py), a session per audience, built once.

# Downloads of personal data: evidence, letters, agreements, exports.
DOWNLOADS = {
    "supplier.download",
    "supplier.letter",
    "supplier.agreement_pdf",
    "supplier.export_data",
    "review.download",
    "review.letter",
    "contracts.agreement_pdf",
    "contracts.export",
    "contracts.overview_export",
    "contracts.dashboard_export",
}


def get_endpoints(app: Flask) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.endpoint != "static"
    }


def test_every_response_to_a_signed_in_user_is_not_stored(app: Flask, world: World) -> None:
    """Every GET route as each signed-in audience of the role grid: whatever the answer (a
    page, a download, a 403 or a redirect), it carries no-store."""
    seen = []
    for endpoint in sorted(get_endpoints(app)):
        for audience in EXPECTED.get((endpoint, GET), {OWNER: None, REVIEWER: None}):
            if audience == ANON:
                continue
            response = world.client(audience).get(world.urls[endpoint])
            where = f"GET {world.urls[endpoint]} as {audience}: {response.status_code}"
            assert response.headers.get("Cache-Control") == "no-store", where
            assert response.headers.get("Pragma") == "no-cache", where
            if response.status_code == 200:
                seen.append(endpoint)
    assert DOWNLOADS <= set(seen), "a download was not tried"


def test_public_pages_and_static_files_may_be_cached(world: World) -> None:
    visitor = world.client(ANON)
    slug, sheet = world.ids["slug"], world.ids["sheet"]
    for url in [
        "/",
        f"/das/{slug}",
        f"/das/{slug}/aanbieders",
        f"/das/{slug}/tarieven/{sheet}.csv",
    ]:
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
    # The log-in page carries a CSRF token bound to the visitor's session: not kept.
    assert visitor.get("/inloggen").headers.get("Cache-Control") == "no-store"
    # The same public page for someone signed in shows who they are: not kept either.
    assert world.client(OWNER).get("/").headers.get("Cache-Control") == "no-store"
    for audience in (ANON, OWNER):
        response = world.client(audience).get("/static/css/portal.css")
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
