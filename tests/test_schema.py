"""The schema comes from the migrations, and the models agree with them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from portal.extensions import db


def test_models_match_migrations(app: Flask) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_csrf_is_enforced_outside_tests(tmp_path) -> None:
    from portal import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "SECRET_KEY": "k" * 32,
            "AUDIT_KEY": "a" * 32,
            "EXTERNAL_URL": "https://das.example.nl",
            # Production seals documents with a PKCS#12 of its own (issue 24).
            "SEAL_PKCS12_PATH": str(
                Path(__file__).parent / "data" / "seal" / "production-test.p12"
            ),
            "SEAL_PKCS12_PASSWORD": "test-zegel",
        }
    )
    response = app.test_client().post(
        "/inloggen",
        data={"email": "a@b.nl", "password": "x"},
        base_url="https://das.example.nl",
    )
    assert response.status_code == 400
