"""A stand-in for WeasyPrint in tests that do not read the PDF.

Rendering a letter, an agreement or a tariff sheet takes WeasyPrint about a third of a second, and
the suite draws up hundreds of them. The template is still rendered (so a broken template still
fails the test that reaches it); only the HTML-to-PDF step is replaced, by `stand_in_pdf`: a
small, valid one-page PDF that carries the HTML's SHA-256 in its title, so two different
documents are two different files, as they are in production (documents are stored by hash).

Tests that open the PDF (pypdf) are marked `@pytest.mark.real_pdf` and get WeasyPrint
(tests/conftest.py).
"""

from __future__ import annotations

import hashlib


def stand_in_pdf(html: str) -> bytes:
    """A one-page PDF 1.4 with a correct cross-reference table, titled with the HTML's hash."""
    digest = hashlib.sha256(html.encode()).hexdigest()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Title (stand-in " + digest.encode() + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
