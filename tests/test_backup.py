"""`flask backup create` / `flask backup restore`: a backup restored into a second, empty instance
holds the same rows in every table and the same files; a damaged archive restores nothing."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select

from portal.extensions import db
from portal.models import Organisation
from portal.operations import backup
from tests import factories
from tests.support.backups import build_portal, create_archive, make_target, restore, rows_of


def files_of(evidence_dir: Path) -> dict[str, str]:
    return {
        path.relative_to(evidence_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(evidence_dir.rglob("*"))
        if path.is_file() and path.relative_to(evidence_dir).parts[0] != "tmp"
    }


@pytest.fixture()
def target_app(target_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An empty, migrated instance: what `flask db upgrade` on a new server gives."""
    target = make_target(target_url, tmp_path / "target-evidence", migrated=True)
    yield target
    with target.app_context():
        db.session.remove()
        db.engine.dispose()


def assert_same_instance(source: Flask, target: Flask) -> None:
    with source.app_context():
        source_rows = rows_of(db.engine)
    with target.app_context():
        target_rows = rows_of(db.engine)
    assert sorted(target_rows) == sorted(source_rows)
    for name, rows in source_rows.items():
        assert target_rows[name] == rows, name
    source_files = files_of(Path(source.config["EVIDENCE_DIR"]))
    assert len(source_files) >= 2
    assert files_of(Path(target.config["EVIDENCE_DIR"])) == source_files


@pytest.mark.parametrize("migrated", [True, False], ids=["migrated-target", "bare-target"])
def test_restore_into_an_empty_instance_gives_the_same_rows_and_files(
    app: Flask, target_url: str, tmp_path: Path, migrated: bool
) -> None:
    build_portal()
    archive = tmp_path / "backup.tar.gz"
    create_archive(app, archive)

    with tarfile.open(archive) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["dialect"] == db.engine.dialect.name
    assert manifest["alembic_revision"]
    assert manifest["tables"]["user"] == 3
    assert manifest["tables"]["answer"] == 4
    assert len(manifest["evidence"]) == 2

    target = make_target(target_url, tmp_path / "target-evidence", migrated)
    try:
        result = restore(target, archive)
        assert result.exit_code == 0, result.output
        assert "alles komt overeen" in result.output
        assert f"{len(manifest['tables'])} tabellen" in result.output
        assert_same_instance(app, target)

        # The restored instance goes on where the old one stopped (sequences included).
        with target.app_context():
            highest = db.session.scalar(select(func.max(Organisation.id)))
            assert factories.OrganisationFactory().id > highest
            db.session.remove()
    finally:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()


def test_restore_refuses_a_target_with_data_unless_forced(
    app: Flask, target_app: Flask, tmp_path: Path
) -> None:
    build_portal()
    archive = tmp_path / "backup.tar.gz"
    create_archive(app, archive)

    # Restoring over the instance it came from: refused, nothing touched.
    before = files_of(Path(app.config["EVIDENCE_DIR"]))
    result = restore(app, archive)
    assert result.exit_code == 1
    assert "bevat al gegevens" in result.output
    assert files_of(Path(app.config["EVIDENCE_DIR"])) == before

    # A target with other data: refused without --force, replaced with it.
    target_evidence = Path(target_app.config["EVIDENCE_DIR"])
    with target_app.app_context():
        factories.ProviderUserFactory(email="ander@example.nl")
        db.session.remove()
    stray = target_evidence / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"not in the backup")

    result = restore(target_app, archive)
    assert result.exit_code == 1
    assert "--force" in result.output
    assert stray.exists()

    # A table from a migration the backup does not know goes too: everything is as backed up.
    with target_app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE later_migration (id INTEGER PRIMARY KEY)")
        db.engine.dispose()

    result = restore(target_app, archive, "--force")
    assert result.exit_code == 0, result.output
    assert "alles komt overeen" in result.output
    assert not stray.exists()
    assert_same_instance(app, target_app)


def rewrite(archive: Path, damaged: Path, change: str) -> None:
    """A copy of the archive with one evidence file's byte flipped, with a manifest whose
    checksum for a file is wrong, or cut off halfway."""
    if change == "truncated":
        data = archive.read_bytes()
        damaged.write_bytes(data[: len(data) // 2])
        return
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers() if m.isfile()]
    with tarfile.open(damaged, "w:gz") as out:
        for member, data in members:
            if change == "evidence" and member.name.startswith("evidence/"):
                data = bytes([data[0] ^ 0xFF]) + data[1:]
                change = "done"
            if change == "manifest" and member.name == "manifest.json":
                manifest = json.loads(data)
                first = sorted(manifest["evidence"])[0]
                manifest["evidence"][first] = "0" * 64
                data = json.dumps(manifest).encode()
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize("change", ["evidence", "manifest", "truncated"])
def test_a_damaged_archive_restores_nothing(
    app: Flask, target_app: Flask, tmp_path: Path, change: str
) -> None:
    build_portal()
    archive = tmp_path / "backup.tar.gz"
    create_archive(app, archive)
    damaged = tmp_path / "damaged.tar.gz"
    rewrite(archive, damaged, change)

    # Even with --force over a target that has data of its own, nothing may change.
    with target_app.app_context():
        factories.ProviderUserFactory(email="blijft@example.nl")
        db.session.remove()
        before = rows_of(db.engine)
    result = restore(target_app, damaged, "--force")

    assert result.exit_code == 1
    assert "er is niets hersteld" in result.output
    with target_app.app_context():
        assert rows_of(db.engine) == before
    assert files_of(Path(target_app.config["EVIDENCE_DIR"])) == {}
    assert not any((Path(target_app.config["EVIDENCE_DIR"]) / "tmp").iterdir())


def test_the_postgresql_tools_must_not_be_older_than_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for major in (12, 14):
        bindir = tmp_path / str(major) / "bin"
        bindir.mkdir(parents=True)
        for tool in backup.PG_TOOLS:
            script = bindir / tool
            script.write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) {major}.3'\n")
            script.chmod(0o755)
    monkeypatch.setattr(backup.shutil, "which", lambda _name: None)
    monkeypatch.setattr(backup, "PG_BINDIRS", str(tmp_path / "*" / "bin"))

    # The server's own version when there, else the newest.
    assert backup.find_pg_tools(12) == backup.PgTools(tmp_path / "12" / "bin", 12)
    assert backup.find_pg_tools(13) == backup.PgTools(tmp_path / "14" / "bin", 14)
    with pytest.raises(backup.BackupError, match="versie 15, maar .*ouder"):
        backup.find_pg_tools(15)


def test_the_tools_get_a_libpq_url_and_the_password_outside_the_command_line() -> None:
    engine = create_engine(
        "postgresql+psycopg://portaal:geh%40im@db.example:5433/das?sslmode=require"
    )
    url, env = backup.libpq_target(engine)
    assert url == "postgresql://portaal@db.example:5433/das?sslmode=require"
    assert env["PGPASSWORD"] == "geh@im"


def test_the_default_archive_name_carries_the_moment() -> None:
    path = backup.default_archive_path(Path("instance/backups"), datetime(2026, 11, 25, 14, 5, 9))
    assert path == Path("instance/backups/das-portaal-20261125-140509.tar.gz")
