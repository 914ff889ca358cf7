"""The OCDS record of a DAS (issue 23): its releases and the compiled release ocdsmerge makes of
them, valid against the record-package schema, compiled without going to the network, and
refused under the placeholder ocid prefix outside development."""

from __future__ import annotations

import json
import socket

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from portal.infra import ocds_merge
from tests import factories
from tests.views.test_contracts import OCDS, merge_patch
from tests.views.test_ocds_releases import das  # noqa: F401 (the fixture)


def record_validator() -> Draft4Validator:
    """The record-package schema, its `$ref`s to the release schema resolved to the release schema
    with the extensions merged in (as tests/views/test_contracts.py does for release packages)."""
    release = json.loads((OCDS / "release-schema.json").read_text())
    for extension in ("techniques", "lots"):
        release = merge_patch(
            release,
            json.loads((OCDS / "extensions" / extension / "release-schema.json").read_text()),
        )
    record = json.loads((OCDS / "record-package-schema.json").read_text())
    # The versioned release's schema, unchanged from the standard (the extensions' fields are open
    # in it: it closes no object).
    versioned = json.loads((OCDS / "versioned-release-validation-schema.json").read_text())
    registry = Registry().with_resources(
        [
            (release["id"], DRAFT4.create_resource(release)),
            (versioned["id"], DRAFT4.create_resource(versioned)),
        ]
    )
    return Draft4Validator(record, registry=registry)


def record_of(client: FlaskClient, slug: str) -> dict:
    response = client.get(f"/das/{slug}/ocds/record.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    package = response.get_json()
    errors = sorted(record_validator().iter_errors(package), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    return package


def test_the_record_compiles_the_releases(app: Flask, client: FlaskClient, das) -> None:  # noqa: F811
    package = record_of(client, das.slug)
    assert package["version"] == "1.1" and package["uri"].endswith(
        f"/das/{das.slug}/ocds/record.json"
    )
    assert package["publisher"]["name"] and package["extensions"]
    [record] = package["records"]
    releases = client.get(f"/das/{das.slug}/ocds/releases.json").get_json()["releases"]
    assert record["ocid"] == releases[0]["ocid"]
    assert [r["id"] for r in record["releases"]] == [r["id"] for r in releases]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["ocid"] == record["ocid"]
    assert compiled["tender"]["id"] == das.reference
    assert compiled["tender"]["techniques"]["hasDynamicPurchasingSystem"] is True
    assert [lot["id"] for lot in compiled["tender"]["lots"]] == ["1", "2"]
    # Each change notice adds its amendment to the tender.
    assert len(compiled["tender"]["amendments"]) == 1
    award_ids = {r["awards"][0]["id"] for r in releases if r["tag"] == ["award"]}
    assert {a["id"] for a in compiled["awards"]} == award_ids and len(award_ids) == 2
    contract_ids = {r["contracts"][0]["id"] for r in releases if r["tag"] == ["contract"]}
    assert {c["id"] for c in compiled["contracts"]} == contract_ids and len(contract_ids) == 2
    # The amendment release merged into its contract: the contract keeps its title and period.
    amended = next(r for r in releases if r["tag"] == ["contractAmendment"])["contracts"][0]
    contract = next(c for c in compiled["contracts"] if c["id"] == amended["id"])
    assert contract["title"] and contract["period"]["startDate"]
    assert contract["amendments"][0]["id"] == amended["amendments"][0]["id"]
    parties = {p["id"] for p in compiled["parties"]}
    assert {s["id"] for a in compiled["awards"] for s in a["suppliers"]} <= parties
    # The versioned release keeps each field's history: the exercised option moved the end date
    # of both agreements (live, and not yet signed), and both dates are there with the release
    # that set each.
    versioned = record["versionedRelease"]
    assert versioned["ocid"] == record["ocid"]
    moved = [
        history
        for contract in versioned["contracts"]
        if len(history := contract["period"]["endDate"]) > 1
    ]
    assert len(moved) == 2
    for first, second in moved:
        assert first["releaseTag"] == ["contract"]
        assert second["releaseTag"] == ["contractAmendment"]
        assert first["value"] < second["value"] == compiled["tender"]["contractPeriod"]["endDate"]
        assert {first["releaseID"], second["releaseID"]} <= {r["id"] for r in record["releases"]}
    # The same record on a second call: ids depend on neither the moment nor the order.
    again = record_of(client, das.slug)["records"][0]
    assert again["compiledRelease"] == compiled and again["versionedRelease"] == versioned
    assert [r["id"] for r in again["releases"]] == [r["id"] for r in record["releases"]]


def test_compiling_does_not_go_to_the_network(
    app: Flask,
    client: FlaskClient,
    das,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access: {args}")

    ocds_merge.merger.cache_clear()  # the merge rules worked out again, under the guard
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    try:
        package = record_of(client, das.slug)
    finally:
        ocds_merge.merger.cache_clear()
    assert package["records"][0]["compiledRelease"]["awards"]
    # And the schema it compiles with is the extended one: lots are known to it.
    schema = ocds_merge.release_schema()
    assert (
        "lots" in schema["definitions"]["Tender"]["properties"] and "Lot" in schema["definitions"]
    )


def test_no_record_under_the_placeholder_prefix_in_production(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = factories.DasFactory()
    url = f"/das/{fresh.slug}/ocds/record.json"
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "DEVELOPMENT", False)
    refused = client.get(url)
    assert refused.status_code == 503
    assert "nog niet ingericht" in refused.get_json()["error"]
    monkeypatch.setitem(app.config, "OCDS_PREFIX", "ocds-a1b2c3")
    assert client.get(url).status_code == 200
