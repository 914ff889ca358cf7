"""Open data beyond one file (issue 23): each event of a DAS is an OCDS release with an id that
never changes, paged and filtered by date; and no release is published under the placeholder
ocid prefix outside development."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import DasChange, Role
from portal.services import agreements, calendar, ocds
from tests import factories
from tests.factories import admit, at
from tests.views.test_contracts import package_validator


@pytest.fixture()
def das(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2034))
    db.session.commit()
    das = factories.DasFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    admit(das, factories.ProviderUserFactory(), date(2027, 3, 15), live=True)
    admit(das, factories.ProviderUserFactory(), date(2027, 4, 6), lots=[das.lots[1]])
    db.session.add(
        DasChange(
            das_id=das.id,
            version=2,
            published_at=datetime(2027, 5, 4, 9, tzinfo=UTC),
            summary="Looptijd verduidelijkt.",
            changes={"Omschrijving": ["oud", "nieuw"]},
        )
    )
    db.session.commit()
    agreements.exercise_option(admin, das, date(2029, 6, 1), at(date(2029, 6, 1)))
    return das


def releases_of(client: FlaskClient, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    package = response.get_json()
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    return package


def test_each_event_is_a_release_with_a_stable_id(app: Flask, client: FlaskClient, das) -> None:
    url = f"/das/{das.slug}/ocds/releases.json"
    package = releases_of(client, url)
    found = package["releases"]
    tags = [r["tag"][0] for r in found]
    assert tags.count("tender") == 1 and tags.count("tenderUpdate") == 1
    assert tags.count("award") == 2 and tags.count("contract") == 2
    assert tags.count("contractAmendment") >= 1  # the exercised option, per live agreement
    assert "links" not in package
    prefix = ocds.ocid(das)
    assert all(r["ocid"] == prefix for r in found)
    assert all(r["id"].startswith(f"{prefix}-{r['tag'][0]}-") for r in found)
    assert len({r["id"] for r in found}) == len(found)
    assert [r["date"] for r in found] == sorted(r["date"] for r in found)  # newest last
    award = next(r for r in found if r["tag"] == ["award"])["awards"][0]
    assert award["relatedLots"] and award["suppliers"][0]["id"].startswith("NL-KVK-")
    contracts = [r["contracts"][0] for r in found if r["tag"] == ["contract"]]
    award_ids = {r["awards"][0]["id"] for r in found if r["tag"] == ["award"]}
    assert {c["awardID"] for c in contracts} == award_ids
    amendment = next(r for r in found if r["tag"] == ["contractAmendment"])
    assert amendment["contracts"][0]["amendments"][0]["id"].startswith("variation-")
    # The same ids on a second call, later: nothing depends on the moment or the order.
    assert [r["id"] for r in releases_of(client, url)["releases"]] == [r["id"] for r in found]
    # The single-file package still works beside it.
    assert client.get(f"/das/{das.slug}/ocds.json").status_code == 200


def test_since_and_paging(
    app: Flask, client: FlaskClient, das, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"/das/{das.slug}/ocds/releases.json"
    everything = releases_of(client, url)["releases"]
    later = releases_of(client, url + "?since=2027-05-01T00:00:00Z")["releases"]
    assert later == [r for r in everything if r["date"] >= "2027-05-01T00:00:00Z"]
    assert 0 < len(later) < len(everything)
    assert client.get(url + "?since=gisteren").status_code == 400

    monkeypatch.setattr(ocds, "RELEASES_PER_PAGE", 2)
    first = releases_of(client, url)
    assert [r["id"] for r in first["releases"]] == [r["id"] for r in everything[:2]]
    assert first["links"]["next"].endswith(f"{url}?pagina=2")
    pages, next_url = [first["releases"]], first["links"]["next"]
    while next_url:
        parts = urlsplit(next_url)
        package = releases_of(client, f"{parts.path}?{parts.query}")
        pages.append(package["releases"])
        next_url = package.get("links", {}).get("next")
    assert [r["id"] for page in pages for r in page] == [r["id"] for r in everything]
    since = everything[1]["date"]  # all but the first: more than one page
    filtered = releases_of(client, f"{url}?since={since}")
    assert f"since={since}" in filtered["links"]["next"]


def test_no_open_data_under_the_placeholder_prefix_in_production(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    das = factories.DasFactory()
    assert f'href="/das/{das.slug}/ocds.json"' in client.get(f"/das/{das.slug}").get_data(
        as_text=True
    )
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "DEVELOPMENT", False)
    for url in (f"/das/{das.slug}/ocds.json", f"/das/{das.slug}/ocds/releases.json"):
        refused = client.get(url)
        assert refused.status_code == 503
        assert "nog niet ingericht" in refused.get_json()["error"]
    assert "ocds.json" not in client.get(f"/das/{das.slug}").get_data(as_text=True)
    monkeypatch.setitem(app.config, "OCDS_PREFIX", "ocds-a1b2c3")
    assert client.get(f"/das/{das.slug}/ocds/releases.json").status_code == 200
