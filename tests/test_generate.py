"""The national-scale generator (portal.devdata.generate) at a tiny scale, on both databases."""

from __future__ import annotations

import time
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal.devdata.demo import DEMO_PASSWORD
from portal.devdata.generate import GenerationRefused, generate
from portal.extensions import db
from portal.infra.storage import get_storage
from portal.models import Application, Das, FrameworkAgreement, Organisation, Role, User
from tests.support.app import login, wipe

TODAY = date(2026, 11, 25)
SCALE = 0.002


def _generate(app: Flask, seed: int = 7, scale: float = SCALE) -> dict[str, int]:
    return generate(scale, seed, TODAY, get_storage()).rows


def _foreign_keys_hold() -> None:
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        return
    # PostgreSQL enforced them on insert; check the references anyway, table by table.
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            parent = fk.column.table.alias("parent")
            referenced = parent.c[fk.column.name]
            orphans = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(table)
                .outerjoin(parent, fk.parent == referenced)
                .where(fk.parent.is_not(None), referenced.is_(None))
            )
            assert orphans == 0, f"{table.name}.{fk.parent.name}"


def test_generates_a_scaled_valid_data_set(app: Flask, client: FlaskClient) -> None:
    started = time.monotonic()
    rows = _generate(app)
    assert time.monotonic() - started < 15
    providers = rows["organisation"]
    assert providers == 10
    # Ratios of seed 003's market at scale 1: 4 applications and 20 evidence records a provider.
    assert 2.5 <= rows["application"] / providers <= 5
    assert 10 <= rows["evidence_document"] / providers <= 30
    assert rows["answer"] >= rows["application"] * 10
    assert rows["framework_agreement"] >= rows["application"] / 2
    # About 5 figures a quarter for up to five years per agreement.
    assert 40 <= rows["kpi_value"] / rows["framework_agreement"] <= 160
    _foreign_keys_hold()

    das = db.session.scalars(sa.select(Das).order_by(Das.id)).first()
    assert client.get("/").status_code == 200
    assert client.get(f"/das/{das.slug}").status_code == 200
    provider = db.session.scalars(
        sa.select(User)
        .join(FrameworkAgreement, FrameworkAgreement.organisation_id == User.organisation_id)
        .where(User.role == Role.PROVIDER)
        .order_by(User.id)
    ).first()
    login(client, provider, DEMO_PASSWORD)
    assert client.get("/aanbieder/").status_code == 200
    manager = db.session.scalar(sa.select(User).where(User.role == Role.CONTRACT_MANAGER))
    login(client, manager, DEMO_PASSWORD)
    assert client.get("/contracten/").status_code == 200

    # New rows after the generated ones get fresh ids (the sequences moved on).
    db.session.add(
        Organisation(legal_name="Na het genereren", kvk_number="11112222", size_class="micro")
    )
    db.session.commit()

    with pytest.raises(GenerationRefused):
        _generate(app)


def test_same_seed_gives_the_same_counts(app: Flask) -> None:
    first = _generate(app, seed=3)
    first_states = db.session.execute(
        sa.select(Application.state, sa.func.count()).group_by(Application.state)
    ).all()
    db.session.remove()  # wipe() works in a context of its own: let go of this one first
    wipe(app)
    assert _generate(app, seed=3) == first
    assert sorted(
        db.session.execute(
            sa.select(Application.state, sa.func.count()).group_by(Application.state)
        ).all()
    ) == sorted(first_states)


def test_generates_next_to_the_demo_data(app: Flask) -> None:
    from portal.devdata.demo import load_demo

    load_demo(TODAY)
    demo_das = db.session.scalar(sa.select(sa.func.count()).select_from(Das))
    rows = _generate(app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Das)) == demo_das + rows["das"]
    _foreign_keys_hold()
