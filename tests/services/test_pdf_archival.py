"""Every document the portal issues is archival PDF/A-2b and tagged for PDF/UA-1 (issue 24):
the identification of both standards in the XMP metadata, a structure tree of standard types in
the reading order of the document (headings, paragraphs, lists, tables whose data cells name
their header cells), the language, the title shown as the window title, embedded fonts, and the
page margins (page numbers) as artifacts outside the structure (portal/infra/archival_pdf.py).

Read with pypdf, from the PDFs the portal stores or serves: the decision letter, the assessment
report, the agreement, the tariff sheet and the official report (proces-verbaal)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.etree.ElementTree import fromstring

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NumberObject

from portal.extensions import db
from portal.models import Application, Role
from portal.services import agreements, assessment_report, calendar, documents, letters, tariffs
from tests import factories
from tests.factories import admit, at
from tests.support.app import login

pytestmark = pytest.mark.real_pdf  # reads the PDFs

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"
DC = "{http://purl.org/dc/elements/1.1/}"
PDFA_SCHEMA = "{http://www.aiim.org/pdfa/ns/schema#}"

# ISO 32000-1, 14.8.4: the standard structure types a screen reader knows.
STANDARD_TYPES = {
    *"Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private".split(),
    *"P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot".split(),
    *"Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP".split(),
    *"Figure Formula Form".split(),
}


def resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


@dataclass
class Element:
    """A structure element: its type, its text (from its marked content) and its children."""

    type: str
    attributes: dict[str, Any]
    id: str | None
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def full_text(self) -> str:
        return " ".join(" ".join(e.text.split()) for e in self.walk() if e.text.strip()).strip()


@dataclass
class Tagged:
    """What the tests read of one PDF."""

    reader: PdfReader
    xmp: Any  # the rdf:RDF element
    root: Element  # the Document element
    role_map: dict[str, str]
    content: bytes

    @property
    def catalog(self) -> Any:
        return self.reader.trailer["/Root"]

    def of_type(self, *types: str) -> list[Element]:
        return [e for e in self.root.walk() if e.type in types]

    def standard_type(self, type_: str) -> str:
        seen = set()
        while type_ not in STANDARD_TYPES and type_ in self.role_map and type_ not in seen:
            seen.add(type_)
            type_ = self.role_map[type_]
        return type_

    def xmp_values(self, name: str) -> list[str]:
        """An XMP property, written as an attribute or as an element."""
        values = []
        for description in self.xmp.iter(f"{RDF}Description"):
            if name in description.attrib:
                values.append(description.attrib[name])
            values += ["".join(e.itertext()).strip() for e in description.findall(name)]
        return values


def marked_text(reader: PdfReader) -> list[dict[int, str]]:
    """Per page: the text of each marked-content id, and under -1 the text of the artifacts."""
    pages = []
    for page in reader.pages:
        texts: dict[int, str] = {}
        stack: list[int] = []

        def before(operator, operands, cm, tm, stack=stack):
            if operator == b"BDC":
                properties = resolve(operands[1])
                mcid = properties.get("/MCID") if isinstance(properties, dict) else None
                stack.append(-2 if mcid is None else int(mcid))
            elif operator == b"BMC":
                stack.append(-1 if operands[0] == "/Artifact" else -2)
            elif operator == b"EMC" and stack:
                stack.pop()

        def on_text(text, cm, tm, font, size, stack=stack, texts=texts):
            if stack and stack[-1] != -2:
                texts[stack[-1]] = texts.get(stack[-1], "") + text

        page.extract_text(visitor_operand_before=before, visitor_text=on_text)
        pages.append(texts)
    return pages


def read_tagged(content: bytes) -> Tagged:
    reader = PdfReader(io.BytesIO(content))
    catalog: Any = reader.trailer["/Root"]
    xml = reader.xmp_metadata.stream.get_data()
    rdf = next(fromstring(xml).iter(f"{RDF}RDF"))
    page_numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    texts = marked_text(reader)
    tree_root = resolve(catalog["/StructTreeRoot"])
    role_map = {str(k)[1:]: str(v)[1:] for k, v in resolve(tree_root.get("/RoleMap", {})).items()}

    def build(node: Any, page: int | None) -> Element:
        if "/Pg" in node:
            page = page_numbers[node.raw_get("/Pg").idnum]
        attributes = resolve(node.get("/A", DictionaryObject()))
        element = Element(
            str(node["/S"])[1:],
            {str(k): resolve(v) for k, v in attributes.items()}
            if isinstance(attributes, dict)
            else {},
            str(node["/ID"]) if "/ID" in node else None,
        )
        kids = resolve(node.get("/K", ArrayObject()))
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = resolve(kid)
            if isinstance(kid, NumberObject | int):
                element.text += texts[page].get(int(kid), "")
            elif isinstance(kid, dict) and kid.get("/Type") == "/OBJR":
                continue  # a link annotation
            elif isinstance(kid, dict):
                element.children.append(build(kid, page))
        return element

    [document] = [build(resolve(kid), None) for kid in resolve(tree_root["/K"])]
    return Tagged(reader, rdf, document, role_map, content)


@pytest.fixture()
def issued(app: Flask):
    """A provider admitted to a DAS (the decision letter and assessment report), its agreement
    signed and countersigned, and the base tariffs published."""
    calendar.ensure_statutory_holidays(range(2026, 2030))
    db.session.commit()
    das = factories.DasFactory(requires_processing_agreement=True)
    provider = factories.ProviderUserFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    agreement = admit(das, provider, date(2027, 3, 15))
    agreements.sign(agreement, provider, factories.PASSWORD, "10.0.0.1", at(date(2027, 3, 16)))
    agreements.countersign(agreement, admin, factories.PASSWORD, "10.0.0.2", at(date(2027, 3, 16)))
    amounts = {p.id: 68_40 + n for n, p in enumerate(tariffs.products_of(das, 2027))}
    sheet = tariffs.publish_base(admin, das, 2027, amounts, at(date(2027, 3, 17)))
    application = db.session.scalars(
        db.select(Application).where(Application.das_id == das.id)
    ).one()
    return das, admin, agreement, application, sheet


def decision_letter(client, das, admin, agreement, application, sheet):
    return letters.read(letters.letter_of(application)), f"Besluit {application.reference}"


def report(client, das, admin, agreement, application, sheet):
    content = assessment_report.read(assessment_report.report_of(application))
    return content, f"Beoordelingsrapport {application.reference}"


def agreement_pdf(client, das, admin, agreement, application, sheet):
    content, _ = agreements.document(agreement)
    return content, f"Raamovereenkomst {agreement.reference}"


def tariff_sheet(client, das, admin, agreement, application, sheet):
    return tariffs.read_file(sheet, "pdf"), f"Tarieven 2027 – {das.name}"


def official_report(client, das, admin, agreement, application, sheet):
    login(client, admin)
    response = client.get(
        f"/contracten/das/{das.slug}/proces-verbaal?start=2027-01-01&end=2027-12-31"
    )
    assert response.mimetype == "application/pdf"
    return response.data, f"Proces-verbaal {das.reference}"


# Per document: how to get it, and what its structure must hold in this order (headings) and at all
# (the structure types beyond Document, H1, P, Table, TR, TH, TD, which each has).
DOCUMENTS = {
    "decision": (
        decision_letter,
        ["Besluit op uw aanmelding", "Besluit per perceel", "Raamovereenkomst"],
        set(),
    ),
    "assessment_report": (
        report,
        ["Beoordelingsrapport", "Besluit per perceel", "Verklaringen over belangenconflicten"],
        {"H2", "H3"},
    ),
    "agreement": (
        agreement_pdf,
        ["Raamovereenkomst", "Partijen", "Looptijd", "Percelen", "Producten en tarieven"],
        {"H2", "L", "LI"},  # the way clients are allocated is a definition list
    ),
    "tariff_sheet": (tariff_sheet, ["Tarieven 2027"], set()),
    "official_report": (
        official_report,
        ["Proces-verbaal", "Samenvatting", "Aanmeldingen en besluiten", "Beoordelingsrapporten"],
        {"H2"},
    ),
}


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_each_document_is_archival_and_tagged(client: FlaskClient, issued, kind: str) -> None:
    get, headings, types = DOCUMENTS[kind]
    content, title = get(client, *issued)
    pdf = read_tagged(content)
    catalog = pdf.catalog

    # PDF/A-2b and PDF/UA-1, named in the XMP metadata; PDF/UA's schema described for PDF/A-2.
    assert pdf.xmp_values(f"{PDFAID}part") == ["2"]
    assert pdf.xmp_values(f"{PDFAID}conformance") == ["B"]
    assert pdf.xmp_values(f"{PDFUAID}part") == ["1"]
    described = [e.text for e in pdf.xmp.iter(f"{PDFA_SCHEMA}namespaceURI")]
    assert described == [PDFUAID.strip("{}")]
    assert "/Filter" not in resolve(catalog.raw_get("/Metadata"))
    # An sRGB output intent for PDF/A.
    [intent] = catalog["/OutputIntents"]
    assert resolve(intent)["/S"] == "/GTS_PDFA1"

    # The title, in the metadata and the document information, shown instead of the file name.
    assert pdf.xmp_values(f"{DC}title") == [title]
    assert pdf.reader.metadata.title == title
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert catalog["/Lang"] == "nl"

    # Tagged: marked, with a structure tree of standard types (or types mapped to them).
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert pdf.root.type == "Document"
    found = {pdf.standard_type(e.type) for e in pdf.root.walk()}
    assert found <= STANDARD_TYPES, found - STANDARD_TYPES
    assert {"H1", "P", "Table", "TR", "TH", "TD"} | types <= found
    for page in pdf.reader.pages:
        assert page["/Tabs"] == "/S"  # keyboard order follows the structure

    # The reading order: the headings come out of the structure tree in the document's order.
    read = [e.full_text() for e in pdf.of_type("H1", "H2", "H3", "H4", "H5", "H6")]
    positions = [next(n for n, h in enumerate(read) if h.startswith(x)) for x in headings]
    assert positions == sorted(set(positions)) and positions[0] == 0, read

    # Every data cell of a table with header cells names its headers, which exist.
    header_ids = {e.id for e in pdf.of_type("TH")}
    assert None not in header_ids
    for table in pdf.of_type("Table"):
        if not any(e.type == "TH" for e in table.walk()):
            continue
        for cell in (e for e in table.walk() if e.type == "TD"):
            headers = [str(h) for h in cell.attributes.get("/Headers", [])]
            assert headers and set(headers) <= header_ids, (kind, cell.full_text())

    # The page numbers in the margin are artifacts, not text in the middle of the document.
    everything = pdf.root.full_text()
    assert "Pagina 1 van" not in everything and "pagina 1 van" not in everything
    artifacts = "".join(page.get(-1, "") for page in marked_text(pdf.reader))
    assert "1 van" in artifacts

    # Every font is embedded.
    for page in pdf.reader.pages:
        for font in resolve(page["/Resources"])["/Font"].values():
            font = resolve(font)
            for descendant in [font, *map(resolve, font.get("/DescendantFonts", []))]:
                if "/FontDescriptor" in descendant:
                    descriptor = resolve(descendant["/FontDescriptor"])
                    assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font


def test_the_same_document_is_the_same_file(app: Flask, issued) -> None:
    """No date or random id in the metadata: documents are stored by their hash."""
    das, admin, agreement, application, sheet = issued
    first, _ = agreements.document(agreement)
    again, _ = agreements.document(agreement)
    assert hashlib.sha256(first).digest() == hashlib.sha256(again).digest()


def test_a_document_without_language_or_title_is_dutch_and_named_by_its_heading(
    app: Flask,
) -> None:
    with app.test_request_context():
        content = documents.render_pdf(
            "<h1>Besluit  DAS-2027-001</h1><ul><li>Perceel 1</li><li>Perceel 2</li></ul>"
        )
    pdf = read_tagged(content)
    assert pdf.catalog["/Lang"] == "nl"
    assert pdf.reader.metadata.title == "Besluit DAS-2027-001"
    assert pdf.xmp_values(f"{DC}title") == ["Besluit DAS-2027-001"]
    assert [e.full_text() for e in pdf.of_type("LI")] == ["• Perceel 1", "• Perceel 2"]
    assert {"L", "LI", "Lbl", "LBody"} <= {e.type for e in pdf.root.walk()}


def test_an_english_document_says_so(app: Flask) -> None:
    with app.test_request_context():
        content = documents.render_pdf(
            '<html lang="en"><title>Decision</title><h1>Decision</h1><p>Admitted.</p></html>'
        )
    pdf = read_tagged(content)
    assert pdf.catalog["/Lang"] == "en"
    assert pdf.reader.metadata.title == "Decision"
    assert [e.full_text() for e in pdf.of_type("P")] == ["Admitted."]


def test_the_accessibility_statement_says_the_documents_are_tagged_and_archival(
    client: FlaskClient,
) -> None:
    page = " ".join(client.get("/toegankelijkheid").get_data(as_text=True).split())
    assert "getagd volgens PDF/UA-1" in page and "PDF/A-2b" in page
    assert "niet volledig getagd" not in page
