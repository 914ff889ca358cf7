"""The seal on issued documents and the check anyone can make (issue 24): every kind of document
is stored sealed, pyHanko validates the seal and names our certificate, and a changed byte, a
seal of another key or no seal at all is not genuine."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from portal import create_app
from portal.config import UnsafeSettings
from portal.extensions import db
from portal.infra import seal
from portal.infra.storage import get_storage
from portal.services import documents, verification
from portal.services.verification import Kind, Outcome
from tests.services.test_pdf_archival import (  # noqa: F401  (`issued`: a fixture)
    DOCUMENTS,
    PDFAID,
    PDFUAID,
    issued,
    read_tagged,
)
from tests.support.documents import stand_in_pdf
from tests.test_production_settings import GOOD

# Every document here is sealed for real (others store theirs unsealed: tests/conftest.py).
pytestmark = pytest.mark.real_seal

PROJECT_ROOT = Path(__file__).resolve().parents[2]

KINDS = {
    "decision": Kind.DECISION_LETTER,
    "assessment_report": Kind.ASSESSMENT_REPORT,
    "agreement": Kind.SIGNED_AGREEMENT,  # the fixture's agreement is countersigned
    "tariff_sheet": Kind.TARIFF_SHEET,
    "official_report": Kind.OFFICIAL_REPORT,
}


@pytest.fixture(scope="session")
def other_seal(tmp_path_factory: pytest.TempPathFactory) -> seal.SealKey:
    """A second chain, whose seal certificate even bears our seal's name."""
    path = tmp_path_factory.mktemp("other") / "other.p12"
    path.write_bytes(seal.generate_chain("Een andere root", seal.DEMO_SEAL_NAME))
    return seal.load_pkcs12(path, seal.DEMO_PASSWORD)


@pytest.mark.real_pdf
@pytest.mark.parametrize("kind", DOCUMENTS)
def test_each_document_is_stored_sealed_and_checks_out(
    client: FlaskClient,
    issued,  # noqa: F811  (the fixture imported above)
    kind: str,
) -> None:
    get, _, _ = DOCUMENTS[kind]
    content, title = get(client, *issued)

    # pyHanko validates the seal: intact, valid, our chain, the whole file, naming our seal.
    checked = seal.check(content, documents.seal_key())
    assert checked.verdict is seal.Verdict.GENUINE
    assert "DAS-portaal demo-zegel" in checked.signer
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    [embedded] = PdfFileReader(io.BytesIO(content)).embedded_signatures
    anchor = seal._asn1_certificate(documents.seal_key().anchor)
    status = validate_pdf_signature(
        embedded, ValidationContext(trust_roots=[anchor], allow_fetching=False)
    )
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "DAS-portaal demo-zegel"
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES

    # The stored hash is the sealed file's, and the verification names the document.
    result = verification.verify_file(content)
    assert result.outcome is Outcome.GENUINE
    [found] = result.documents
    assert found.kind is KINDS[kind] and found.sha256 == hashlib.sha256(content).hexdigest()

    # Sealing is an incremental update: the archival, tagged document is still what a reader sees.
    pdf = read_tagged(content)
    assert pdf.xmp_values(f"{PDFAID}part") == ["2"]
    assert pdf.xmp_values(f"{PDFUAID}part") == ["1"]
    assert pdf.reader.metadata.title == title
    # The seal's widget: printed (PDF/A-2) and outside the page (so PDF/UA needs no tag for it).
    [widget] = [a.get_object() for a in pdf.reader.pages[0].get("/Annots", [])]
    assert widget["/F"] & 4 and not widget["/F"] & 2
    assert all(float(x) <= 0 for x in widget["/Rect"])


@pytest.mark.real_pdf
def test_the_countersigned_agreement_shows_the_signing_facts(
    app: Flask,
    issued,  # noqa: F811  (the fixture imported above)
) -> None:
    das, admin, agreement, application, sheet = issued
    content, _ = documents_of_agreement(agreement)
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert agreement.provider_signed_name in text and agreement.authority_signed_name in text
    assert "10.0.0.1" in text and "10.0.0.2" in text  # from which address each signed
    assert "16-03-2027" in text  # when
    assert seal.check(content, documents.seal_key()).genuine  # sealed after both signatures


def documents_of_agreement(agreement: Any) -> tuple[bytes, str]:
    from portal.services import agreements

    assert agreement.signed_document_sha256
    return agreements.document(agreement)


@pytest.fixture()
def sealed(app: Flask) -> bytes:
    """A sealed decision-like document stored as the portal stores one (stand-in rendering)."""
    with app.test_request_context():
        content = documents.issue_and_keep("<h1>Proces-verbaal</h1>", documents.OFFICIAL_REPORTS)
    return content


def test_a_changed_byte_anywhere_is_not_genuine(app: Flask, sealed: bytes) -> None:
    assert verification.verify_file(sealed).genuine
    # Every 97th byte, and each byte of the seal's own signature value's start and padding.
    start = sealed.index(b"/Contents <") + len(b"/Contents <")
    positions = [*range(0, len(sealed), 97), start, start + 1, start + 2000, len(sealed) - 1]
    for position in positions:
        for change in (0x01, 0x20):  # 0x20 turns a hex digit's case (the same value to a parser)
            changed = bytearray(sealed)
            changed[position] ^= change
            result = verification.verify_file(bytes(changed))
            assert not result.genuine, (position, change)
            assert result.outcome in {Outcome.CHANGED, Outcome.NOT_PDF}, (position, result)


def test_bytes_added_after_the_seal_are_a_change(app: Flask, sealed: bytes) -> None:
    assert verification.verify_file(sealed + b"\n% added\n").outcome is Outcome.CHANGED
    # A proper incremental update (pyHanko's own writer): still a change.
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert seal.check(out.getvalue(), documents.seal_key()).verdict is seal.Verdict.CHANGED


def test_a_pdf_sealed_by_another_key_is_not_genuine(app: Flask, other_seal: seal.SealKey) -> None:
    content = seal.seal_pdf(stand_in_pdf("<h1>Besluit</h1>"), other_seal)
    checked = seal.check(content, other_seal)
    assert checked.genuine  # a good seal, of its own key
    result = verification.verify_file(content)
    assert result.outcome is Outcome.OTHER_SEAL and "Een andere root" not in result.sealed_by
    assert "DAS-portaal demo-zegel" in result.sealed_by and not result.documents

    # Not even when stored under a known hash: the seal decides first.
    documents.store(content, documents.OFFICIAL_REPORTS)
    assert verification.verify_file(content).outcome is Outcome.OTHER_SEAL


def test_a_genuine_seal_on_a_file_the_portal_did_not_store_is_not_genuine(app: Flask) -> None:
    """Our seal, intact, but not a document the portal issued (e.g. sealed and then not kept)."""
    with app.test_request_context():
        content = documents.issue_pdf("<h1>Nergens bewaard</h1>")
    assert seal.check(content, documents.seal_key()).genuine
    assert verification.verify_file(content).outcome is Outcome.CHANGED


def test_an_unsealed_pdf_and_a_non_pdf(app: Flask) -> None:
    assert verification.verify_file(stand_in_pdf("<p>x</p>")).outcome is Outcome.NOT_SEALED
    assert verification.verify_file(b"GIF89a....").outcome is Outcome.NOT_PDF
    assert verification.verify_file(b"%PDF-1.7\n garbage").outcome is Outcome.NOT_PDF
    assert verification.verify_file(b"").outcome is Outcome.NOT_PDF


def test_the_stored_hash_checks_still_hold(app: Flask, sealed: bytes) -> None:
    sha256 = hashlib.sha256(sealed).hexdigest()
    assert documents.read(sha256, documents.OFFICIAL_REPORTS) == sealed
    get_storage().put_bytes(documents.key_for(sha256, documents.OFFICIAL_REPORTS), sealed + b" ")
    with pytest.raises(documents.DocumentChanged):
        documents.read(sha256, documents.OFFICIAL_REPORTS)


def test_by_fingerprint_and_reference(app: Flask, sealed: bytes) -> None:
    sha256 = hashlib.sha256(sealed).hexdigest()
    [found] = verification.verify_reference(sha256.upper()).documents
    assert found.kind is Kind.OFFICIAL_REPORT
    assert verification.verify_reference("0" * 64).outcome is Outcome.UNKNOWN
    assert verification.verify_reference("RO-bestaat-niet").outcome is Outcome.UNKNOWN
    assert verification.verify_reference("").outcome is Outcome.UNKNOWN


def test_the_demo_chain_is_made_once(tmp_path: Path) -> None:
    first = seal.demo_key(tmp_path)
    again = seal.demo_key(tmp_path)
    assert first.certificate == again.certificate and first.anchor == again.anchor
    assert first.anchor.subject.rfc4514_string().startswith("CN=DAS-portaal demo-root")
    content = seal.seal_pdf(stand_in_pdf("x"), first)
    assert seal.check(content, again).genuine


def test_production_refuses_to_start_without_a_readable_seal(app: Flask) -> None:
    base = {**GOOD, "DATABASE_URL": app.config["DATABASE_URL"]}
    for settings, problem in (
        ({"SEAL_PKCS12_PATH": ""}, "PORTAL_SEAL_PKCS12_PATH is not set"),
        ({"SEAL_PKCS12_PASSWORD": "fout"}, "cannot be read"),
        ({"SEAL_PKCS12_PATH": str(PROJECT_ROOT / "README.md")}, "cannot be read"),
    ):
        with pytest.raises(UnsafeSettings) as refused:
            create_app({**base, **settings})
        assert any(problem in p for p in refused.value.problems)


def test_production_seals_with_its_own_pkcs12(app: Flask) -> None:
    production = create_app(
        {
            **GOOD,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
        }
    )
    try:
        with production.test_request_context():
            content = documents.issue_pdf("<h1>Besluit</h1>")
            checked = seal.check(content, documents.seal_key())
        assert checked.genuine and "DAS-portaal test-zegel" in checked.signer
        # The suite's own (demo) seal does not accept it: another chain.
        assert seal.check(content, documents.seal_key()).verdict is seal.Verdict.OTHER_SEAL
    finally:
        with production.app_context():
            db.engine.dispose()
