"""The electronic seal of the contracting authority on the documents the portal issues (issue 24).

A document is sealed as PAdES baseline B-B (pyHanko, an approval signature with subfilter
ETSI.CAdES.detached), B-T when a timestamp service is configured (SEAL_TIMESTAMP_URL): pyHanko asks
it for a timestamp on the signature, the only network request sealing makes.

The key: production takes a PKCS#12 file and its password (SEAL_PKCS12_PATH,
SEAL_PKCS12_PASSWORD; the portal does not start without them, portal/config.py). Development and
tests seal with a demo chain, generated once into instance/seal-demo.p12: a root CA "DAS-portaal
demo-root" and under it the seal certificate "DAS-portaal demo-zegel" (EC P-256, cheap to make).
The PKCS#12 holds the seal's key, its certificate and the chain above it; the top of that chain is
what a sealed document must lead to.

Archival: the seal is an incremental update, so the PDF/A-2b, PDF/UA-1 document before it stays
byte for byte as it was, and what is added keeps to both standards as far as pyHanko allows: an
invisible signature field whose widget has the print flag (PDF/A-2, 6.3.2) and a zero-sized box
outside the page (so PDF/UA-1 does not ask for it to be tagged or hidden: pyHanko's
InvisSigSettings, made for exactly this), and a signature of subfilter ETSI.CAdES.detached, which
PDF/A-2 allows (6.4.3). What pyHanko does not do: tag the signature field in the structure tree
(not needed for an annotation out of the page) or declare the seal in the XMP metadata (not asked).

Validation is offline: the trust anchor is our own chain's top, no certificate or revocation list
is fetched (revocation is checked "soft": a demo chain has no CRL). A document is genuine when
the seal is intact and valid, the signer's certificate leads to our chain's top and names our seal
(the same subject: a certificate from the same public CA for someone else is not our seal), and
the seal covers the whole file: any byte added after it (an incremental update, however harmless
by pyHanko's modification analysis) makes it "changed after sealing".
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import enum
import functools
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

DEMO_FILENAME = "seal-demo.p12"
DEMO_PASSWORD = b"demo-zegel"
DEMO_ROOT_NAME = "DAS-portaal demo-root"
DEMO_SEAL_NAME = "DAS-portaal demo-zegel"
DEMO_ORGANISATION = "Gemeenten Midden-Limburg (demo)"
FIELD_NAME = "Zegel"

T = TypeVar("T")


class SealUnavailable(RuntimeError):
    """The configured PKCS#12 file cannot be read (missing, wrong password, no key)."""


@dataclass(frozen=True)
class SealKey:
    """The seal's key and certificate, and the chain above it (top last)."""

    key: Any  # a cryptography private key
    certificate: pyca_x509.Certificate
    chain: tuple[pyca_x509.Certificate, ...]

    @property
    def anchor(self) -> pyca_x509.Certificate:
        """What a sealed document's certificate must lead to: the top of the chain (the seal
        certificate itself when the PKCS#12 holds no chain)."""
        return self.chain[-1] if self.chain else self.certificate


class Verdict(enum.StrEnum):
    GENUINE = "genuine"  # our seal, intact, nothing added after it
    CHANGED = "changed"  # a seal whose bytes no longer match, or bytes added after the seal
    OTHER_SEAL = "other_seal"  # intact, but not sealed with our key
    NOT_SEALED = "not_sealed"  # a PDF without a seal
    NOT_PDF = "not_pdf"  # not a PDF that can be read


@dataclass(frozen=True)
class SealCheck:
    verdict: Verdict
    signer: str = ""  # the sealing certificate's subject, as a person reads it
    signed_at: dt.datetime | None = None  # the signing time in the seal (or its timestamp)
    timestamped: bool = False

    @property
    def genuine(self) -> bool:
        return self.verdict is Verdict.GENUINE


# --- the key ------------------------------------------------------------------------------------


def load_pkcs12(path: str | os.PathLike[str], password: str | bytes | None) -> SealKey:
    """The seal in a PKCS#12 file; SealUnavailable when it cannot be read."""
    secret = password.encode() if isinstance(password, str) else password
    try:
        data = Path(path).read_bytes()
        key, certificate, others = pkcs12.load_key_and_certificates(data, secret or None)
    except (OSError, ValueError, TypeError) as error:
        raise SealUnavailable(f"{path}: {error}") from error
    if key is None or certificate is None:
        raise SealUnavailable(f"{path}: holds no private key and certificate")
    return SealKey(key, certificate, tuple(_ordered_chain(certificate, list(others))))


def _ordered_chain(
    certificate: pyca_x509.Certificate, others: list[pyca_x509.Certificate]
) -> list[pyca_x509.Certificate]:
    """The certificates above `certificate`, issuer after issuer (a PKCS#12 keeps no order)."""
    chain: list[pyca_x509.Certificate] = []
    current = certificate
    while current.issuer != current.subject:
        parent = next((c for c in others if c.subject == current.issuer and c not in chain), None)
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return chain


def demo_key(directory: str | os.PathLike[str]) -> SealKey:
    """The demo seal kept in `directory` (instance/), generated the first time it is asked for.
    Written to a temporary file and moved into place, so two processes starting at once end up
    with one chain each of them can read."""
    path = Path(directory) / DEMO_FILENAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        content = generate_chain(DEMO_ROOT_NAME, DEMO_SEAL_NAME)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".seal-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    return load_pkcs12(path, DEMO_PASSWORD)


def generate_chain(
    root_name: str,
    seal_name: str,
    password: bytes = DEMO_PASSWORD,
    organisation: str = DEMO_ORGANISATION,
    now: dt.datetime | None = None,
) -> bytes:
    """A PKCS#12 with a new root CA and under it a seal certificate (and its key)."""
    now = now or dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=365 * 30)
    root_key = ec.generate_private_key(ec.SECP256R1())
    seal_key = ec.generate_private_key(ec.SECP256R1())
    root_subject = _name(root_name, organisation)
    root = (
        pyca_x509.CertificateBuilder()
        .subject_name(root_subject)
        .issuer_name(root_subject)
        .public_key(root_key.public_key())
        .serial_number(pyca_x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(pyca_x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(
            pyca_x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    seal = (
        pyca_x509.CertificateBuilder()
        .subject_name(_name(seal_name, organisation))
        .issuer_name(root_subject)
        .public_key(seal_key.public_key())
        .serial_number(pyca_x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end - dt.timedelta(days=1))
        .add_extension(pyca_x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(
            pyca_x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        seal_name.encode(),
        seal_key,
        seal,
        [root],
        serialization.BestAvailableEncryption(password),
    )


def _name(common_name: str, organisation: str) -> pyca_x509.Name:
    return pyca_x509.Name(
        [
            pyca_x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            pyca_x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            pyca_x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(signing: bool) -> pyca_x509.KeyUsage:
    return pyca_x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,  # non-repudiation: a seal stands behind the content
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


# --- sealing ------------------------------------------------------------------------------------


def seal_pdf(content: bytes, seal: SealKey, timestamp_url: str = "") -> bytes:
    """`content` with our seal added as an incremental update (PAdES B-B, or B-T with a
    timestamp from `timestamp_url`)."""
    from pyhanko.sign import fields, signers, timestamps

    signer = signers.SimpleSigner(
        signing_cert=_asn1_certificate(seal.certificate),
        signing_key=_asn1_key(seal.key),
        cert_registry=_registry(seal.chain),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        use_pades_lta=False,
    )
    field = fields.SigFieldSpec(
        sig_field_name=FIELD_NAME,
        invis_sig_settings=fields.InvisSigSettings(
            set_print_flag=True, set_hidden_flag=False, box_out_of_bounds=True
        ),
    )
    timestamper = timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None
    writer = _writer(content)
    output = io.BytesIO()
    pdf_signer = signers.PdfSigner(
        metadata, signer=signer, timestamper=timestamper, new_field_spec=field
    )
    _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=output))
    return output.getvalue()


@functools.cache
def _metadata_keeping_writer() -> type:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class MetadataKeepingWriter(IncrementalPdfFileWriter):
        """pyHanko's incremental writer, leaving the document's metadata as it was.

        On writing, pyHanko sets its own producer and a modification date in the Info dictionary
        and rewrites the XMP packet through its own XMP model. That rewrite is lossy for the PDF/A
        extension schema archival_pdf writes (the schema's namespaceURI becomes an rdf:resource,
        its properties are flattened), which PDF/A validators then refuse. The seal changes nothing
        the metadata describes, so the Info dictionary and the XMP packet are left untouched and
        stay consistent with each other, as PDF/A-2 asks (6.6.3). `_update_meta` is pyHanko's
        (0.38) own hook for this step; pinned in pyproject.toml, and the tests read the XMP
        after sealing (tests/services/test_seal.py)."""

        def _update_meta(self) -> None:
            return None

    return MetadataKeepingWriter


def _writer(content: bytes) -> Any:
    return _metadata_keeping_writer()(io.BytesIO(content), strict=False)


# --- checking -----------------------------------------------------------------------------------


def check(content: bytes, seal: SealKey) -> SealCheck:
    """Whether `content` is a PDF sealed by `seal` and unchanged since (see the module's
    docstring); offline."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not content.lstrip()[:5] == b"%PDF-":
        return SealCheck(Verdict.NOT_PDF)
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return SealCheck(Verdict.NOT_PDF)
    if not signatures:
        return SealCheck(Verdict.NOT_SEALED)
    # The last seal is the one that should cover the file; one seal is what the portal applies.
    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=[_asn1_certificate(seal.anchor)],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = _outside_event_loop(lambda: validate_pdf_signature(embedded, context))
    except (SignatureValidationError, PdfReadError, ValueError, KeyError, TypeError):
        return SealCheck(Verdict.CHANGED)
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    signed_at = status.signer_reported_dt
    timestamped = status.timestamp_validity is not None
    if timestamped and status.timestamp_validity is not None:
        signed_at = status.timestamp_validity.timestamp
    found = SealCheck(Verdict.GENUINE, signer, signed_at, timestamped)
    if not (status.intact and status.valid):
        return _with(found, Verdict.CHANGED)
    if not status.trusted or status.signing_cert.subject.dump() != _asn1_name(seal):
        return _with(found, Verdict.OTHER_SEAL)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or len(signatures) > 1:
        return _with(found, Verdict.CHANGED)
    return found


def _outside_event_loop(call: Callable[[], T]) -> T:
    """pyHanko's synchronous calls run their coroutines with asyncio.run, which refuses to run
    inside a thread whose event loop is running (a caller that is itself async, or Playwright's
    sync API in the browser tests): there, the call runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _with(found: SealCheck, verdict: Verdict) -> SealCheck:
    return SealCheck(verdict, found.signer, found.signed_at, found.timestamped)


def _asn1_name(seal: SealKey) -> bytes:
    return _asn1_certificate(seal.certificate).subject.dump()


def _asn1_certificate(certificate: pyca_x509.Certificate) -> Any:
    from asn1crypto import x509

    return x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: Any) -> Any:
    from asn1crypto import keys

    return keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _registry(chain: tuple[pyca_x509.Certificate, ...]) -> Any:
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return SimpleCertificateStore.from_certs([_asn1_certificate(c) for c in chain])
