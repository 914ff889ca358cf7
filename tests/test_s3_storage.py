"""The real flows on the S3 store (STORAGE_BACKEND=s3, moto's server: tests/support/s3server.py):
an upload through the provider's page and its download, the orphan sweep, the provider's data
download, and a backup restored into a second instance with its own bucket. The rest of the suite
runs them on the local store."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zipfile
from datetime import date
from pathlib import Path

from flask import Flask

from portal import create_app
from portal.extensions import db
from portal.infra.storage import S3Storage, Storage, content_key, get_storage
from portal.models import Application, EvidenceDocument, EvidenceType
from portal.services import calendar, evidence
from tests import factories
from tests.support.app import login
from tests.support.backups import build_portal, rows_of
from tests.support.s3server import SHARED_SETTINGS, MotoServer


def stored(storage: Storage) -> dict[str, str]:
    """Every stored file's key and SHA-256."""
    return {
        info.key: hashlib.sha256(storage.read_bytes(info.key)).hexdigest()
        for info in storage.list()
    }


def local_files(folder: str) -> list[str]:
    return [os.path.join(r, f) for r, _d, names in os.walk(folder) for f in names]


def test_an_upload_goes_to_the_bucket_and_downloads_from_it(s3_app: Flask) -> None:
    client = s3_app.test_client()
    with s3_app.app_context():
        calendar.ensure_statutory_holidays(range(2025, 2030))
        db.session.commit()
        user = factories.ProviderUserFactory()
        login(client, user)
        storage = get_storage()
        assert isinstance(storage, S3Storage)

    content = factories.PDF_BYTES + b"% bewaard in S3\n"
    for name in ("polis.pdf", "polis-nogmaals.pdf"):  # the second only refreshes the object
        response = client.post(
            "/aanbieder/documenten",
            data={
                "file": (io.BytesIO(content), name),
                "evidence_type": "kwaliteitscertificaat",
                "issued_on": "2026-10-01",
                "expires_on": "",
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    with s3_app.app_context():
        documents = list(db.session.scalars(db.select(EvidenceDocument)))
        sha256 = hashlib.sha256(content).hexdigest()
        assert {d.sha256 for d in documents} == {sha256} and len(documents) == 2
        assert stored(get_storage()) == {content_key(sha256): sha256}
    # Nothing stays on this machine: not in EVIDENCE_DIR, not in the scratch directory.
    assert not os.path.exists(s3_app.config["EVIDENCE_DIR"])
    assert local_files(s3_app.config["UPLOAD_TMP_DIR"]) == []

    download = client.get(f"/aanbieder/documenten/{documents[0].id}")
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Length"] == str(len(content))
    assert download.headers["Content-Disposition"] == "attachment; filename=polis.pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_sweep_removes_old_leftovers_from_the_bucket_and_the_scratch_directory(
    s3_app: Flask,
) -> None:
    with s3_app.app_context():
        storage = get_storage()
        user = factories.ProviderUserFactory()
        kept = factories.upload_pdf(user, EvidenceType.OTHER, date(2026, 10, 1))
        orphan = content_key(hashlib.sha256(b"verweesd").hexdigest())
        letter = content_key(hashlib.sha256(b"brief").hexdigest(), "letters")
        storage.put_bytes(orphan, b"verweesd")
        storage.put_bytes(letter, b"brief")
        scratch = Path(s3_app.config["UPLOAD_TMP_DIR"]) / "tmpleftover"
        scratch.write_bytes(b"half")

        runner = s3_app.test_cli_runner()
        result = runner.invoke(args=["evidence", "sweep"])  # all of it younger than an hour
        assert result.exit_code == 0, result.output
        assert "0 achtergebleven bestanden verwijderd." in result.output

        result = runner.invoke(args=["evidence", "sweep", "--min-age-minutes", "0"])
        assert result.exit_code == 0, result.output
        assert f"Verwijderd: {storage.location(orphan)}" in result.output
        assert f"Verwijderd: {scratch}" in result.output
        assert "2 achtergebleven bestanden verwijderd." in result.output
        assert set(stored(storage)) == {evidence.key_for(kept.sha256), letter}
        assert not scratch.exists()

        result = runner.invoke(args=["evidence", "check"])
        assert result.exit_code == 0, result.output
        assert "bereikbaar en beschrijfbaar" in result.output
        assert set(stored(storage)) == {evidence.key_for(kept.sha256), letter}


def test_the_data_download_takes_the_files_from_the_bucket(s3_app: Flask) -> None:
    client = s3_app.test_client()
    with s3_app.app_context():
        owner = factories.ProviderUserFactory()
        contents = [factories.PDF_BYTES + f"% {n}\n".encode() for n in range(2)]
        for content in contents:
            factories.upload_pdf(owner, EvidenceType.OTHER, date(2026, 10, 1), content=content)
        login(client, owner)
    response = client.get("/aanbieder/organisatie/gegevens-downloaden")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    data = json.loads(archive.read("data.json"))
    assert len(data["evidence"]) == 2
    assert sorted(archive.read(d["file_in_archive"]) for d in data["evidence"]) == sorted(contents)


def test_a_backup_of_the_bucket_restores_into_another_instance(
    s3_app: Flask,
    s3_server: MotoServer,
    target_url: str,
    tmp_path: Path,
) -> None:
    with s3_app.app_context():
        build_portal()
        source_files = stored(get_storage())
        assert len(source_files) >= 2
        archive = tmp_path / "backup.tar.gz"
        db.session.remove()
        result = s3_app.test_cli_runner().invoke(
            args=["backup", "create", "--output", str(archive)]
        )
        assert result.exit_code == 0, result.output
        source_rows = rows_of(db.engine)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert manifest["evidence"] == source_files
        assert {n.removeprefix("evidence/") for n in tar.getnames()} >= set(source_files)

    bucket = s3_server.create_bucket()
    target = create_app(
        {
            **{key: s3_app.config[key] for key in SHARED_SETTINGS},
            **s3_server.settings(bucket, prefix="hersteld"),
            "DATABASE_URL": target_url,
            "EVIDENCE_DIR": str(tmp_path / "unused"),
            "UPLOAD_TMP_DIR": str(tmp_path / "target-scratch"),
        }
    )
    try:
        with target.app_context():
            result = target.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
            assert result.exit_code == 0, result.output
            assert "alles komt overeen" in result.output
            assert stored(get_storage()) == source_files
            assert rows_of(db.engine) == source_rows
            db.session.remove()
            # A second restore finds data there and refuses.
            result = target.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
            assert result.exit_code == 1 and "bevat al gegevens" in result.output
        assert local_files(str(tmp_path / "target-scratch")) == []
    finally:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
        s3_server.remove_bucket(bucket)


def test_letters_and_agreements_are_stored_in_the_bucket_and_downloaded_from_it(
    s3_app: Flask,
) -> None:
    """Admission writes the decision letter and the agreement PDF through the store; the provider
    downloads both from the bucket."""
    from portal.services.agreements import agreement_of
    from portal.services.letters import letter_of
    from tests.factories import admit

    client = s3_app.test_client()
    with s3_app.app_context():
        calendar.ensure_statutory_holidays(range(2026, 2030))
        db.session.commit()
        das = factories.DasFactory()
        provider = factories.ProviderUserFactory()
        admit(das, provider, date(2027, 3, 15))
        agreement = agreement_of(das.id, provider.organisation_id)
        application = db.session.get(Application, agreement.lots[0].application_id)
        letter = letter_of(application)
        assert letter is not None
        keys = {info.key.split("/")[0] for info in get_storage().list()}
        assert {"letters", "agreements"} <= keys
        letter_url = f"/aanbieder/aanmeldingen/{letter.application_id}/besluitbrief"
        agreement_url = f"/aanbieder/overeenkomsten/{agreement.id}/pdf"
        login(client, provider)
    assert not os.path.exists(s3_app.config["EVIDENCE_DIR"])  # nothing on this machine
    for url in (letter_url, agreement_url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.data.startswith(b"%PDF")
        assert response.headers["Content-Length"] == str(len(response.data))
