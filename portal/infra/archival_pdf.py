"""Documents as archival, accessible PDFs: PDF/A-2b and tagged for PDF/UA-1 in one file (issue 24).

WeasyPrint writes one variant at a time (`pdf_variant`), so a document is written as PDF/A-2b
with the structure tags switched on (`pdf_tags`, what WeasyPrint's own PDF/UA variant does:
/MarkInfo, /StructTreeRoot with standard structure types H1-H6, P, L/LI, Table/TR/TH/TD with the
header cells linked to their data cells, /Lang, /ViewerPreferences /DisplayDocTitle), and
`_declare_pdf_ua` then finishes what PDF/UA-1 asks beyond that:

- the XMP metadata names both standards: `pdfaid:part`/`conformance` and `pdfuaid:part`. PDF/A-2
  only knows the schemas of its own time, so the PDF/UA identification schema is described in the
  metadata as a PDF/A extension schema (ISO 19005-2, 6.6.2.3.2), as the PDF/UA reference files do;
- the page margins (page numbers, a reference in the footer) become artifacts: WeasyPrint marks
  their text as content but leaves it outside the structure tree (tags.py), where PDF/UA wants
  running headers and footers as artifacts (ISO 14289-1, 7.8), so a screen reader does not read
  "pagina 2 van 3" in the middle of a sentence.

Why PDF/A-2b rather than 3b: the portal's documents have no attachments, and part 2 is the part
archives list as their preferred format; part 3 only adds arbitrary embedded files.

Every document has a language and a title: a template without `<html lang>` is read as Dutch,
the portal's first language, and one without `<title>` gets its first heading as title.
The output stays the same for the same HTML (no dates, no random ids): documents are stored by
their hash (services/documents.py).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import SubElement, register_namespace, tostring

# Only the portal's own metadata is parsed here, but with the parser that refuses entities and
# DTDs all the same (as the ESPD reader does).
from defusedxml.ElementTree import fromstring

PDF_VARIANT = "pdf/a-2b"
PDFA_PART, PDFA_CONFORMANCE = "2", "B"
PDFUA_PART = "1"
DEFAULT_LANG = "nl"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"

# PDF/A validators ask for these prefixes, not only the namespaces.
for _prefix, _namespace in {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "pdfuaid": PDFUAID,
}.items():
    register_namespace(_prefix, _namespace)

# The PDF/UA identification schema, described for PDF/A-2 (whose validators refuse an unknown
# XMP property otherwise).
_EXTENSION_SCHEMA = f"""<rdf:Description rdf:about=""
  xmlns:rdf="{RDF}"
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:namespaceURI>{PDFUAID}</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>PDF/UA version identifier</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""

_XMP_HEADER = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
)
_XMP_FOOTER = b'</x:xmpmeta>\n<?xpacket end="r"?>'


def render(html: str, base_url: str) -> bytes:
    """The PDF/A-2b, PDF/UA-1 tagged PDF of `html` (images and styles relative to `base_url`)."""
    from weasyprint import HTML  # heavy: loaded when the first document is drawn up

    source = HTML(string=html, base_url=base_url)
    document = source.render()
    if not document.metadata.lang:
        document.metadata.lang = DEFAULT_LANG
    if not document.metadata.title:
        document.metadata.title = _first_heading(source.etree_element)
    return bytes(
        document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, finisher=_declare_pdf_ua)
    )


def _first_heading(root: Any) -> str | None:
    for level in range(1, 7):
        names = {f"h{level}", f"{{http://www.w3.org/1999/xhtml}}h{level}"}
        for heading in (element for element in root.iter() if element.tag in names):
            text = " ".join("".join(heading.itertext()).split())
            if text:
                return text
    return None


def _declare_pdf_ua(document: Any, pdf: Any) -> None:
    """WeasyPrint's finisher: called with the PDF's objects before they are written."""
    _mark_margins_as_artifacts(pdf)
    metadata = pdf.objects[_number(pdf.catalog["Metadata"])]
    rdf = fromstring(document.metadata.generate_rdf_metadata("a", int(PDFA_PART), PDFA_CONFORMANCE))
    identification = SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    identification.set(f"{{{PDFUAID}}}part", PDFUA_PART)
    rdf.append(fromstring(_EXTENSION_SCHEMA))
    metadata.compress = False  # readable by any archive's tools, as PDF/A-1 required
    metadata.stream = [b"\n".join((_XMP_HEADER, tostring(rdf, encoding="utf-8"), _XMP_FOOTER))]


def _number(reference: Any) -> int:
    """The object number of a reference written as `12 0 R` (pydyf keeps it as bytes)."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def _mark_margins_as_artifacts(pdf: Any) -> None:
    """Content that is marked but hangs in no structure element reachable from the root (the page
    margins, see the module's docstring) becomes an artifact, and leaves the parent tree."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    reachable: set[int] = set()
    pending = [_number(kid) for kid in root["K"]]
    while pending:
        number = pending.pop()
        if number in reachable:
            continue
        reachable.add(number)
        element = pdf.objects[number]
        pending.extend(
            _number(kid) for kid in element.get("K", ()) if isinstance(kid, (bytes, str))
        )

    parent_tree = pdf.objects[_number(root["ParentTree"])]
    nums = parent_tree["Nums"]
    pages = pdf.page_references
    for index in range(0, len(nums), 2):
        key, value = nums[index], nums[index + 1]
        if not isinstance(value, list) or key >= len(pages):
            continue  # an annotation's entry, not a page's marked content
        orphans = {
            mcid
            for mcid, reference in enumerate(value)
            if isinstance(reference, (bytes, str)) and _number(reference) not in reachable
        }
        if not orphans:
            continue
        for mcid in orphans:
            value[mcid] = "null"
        page = pdf.objects[_number(pages[key])]
        stream = pdf.objects[_number(page["Contents"])]
        stream.stream = _as_artifacts(stream.stream, orphans)


def _as_artifacts(operations: list[Any], mcids: set[int]) -> list[Any]:
    """`/Tag <</MCID n>> BDC` becomes `/Artifact BMC` for each n in `mcids`."""
    result: list[Any] = []
    index = 0
    while index < len(operations):
        item = operations[index]
        if (
            index + 2 < len(operations)
            and isinstance(item, str)
            and item.startswith("/")
            and isinstance(operations[index + 1], dict)
            and operations[index + 1].get("MCID") in mcids
            and operations[index + 2] == b"BDC"
        ):
            result.extend(("/Artifact", b"BMC"))
            index += 3
            continue
        result.append(item)
        index += 1
    return result
