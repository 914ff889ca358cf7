"""Reading ESPD response documents safely (issue 22): size, XML without DOCTYPE or entities and
with a depth limit, the document type and namespace, the UBL 2.4 schemas (portal/data/espd/xsd),
then what it says (portal.domain.espd.ResponseDocument).

Two passes. The first is expat, streaming, with no tree: it refuses a DOCTYPE at its first
bytes (so no entity is ever declared, expanded or fetched: billion laughs, XXE, an external DTD
and parameter entities all stop there), an XInclude element, and the 65th level of nesting, before
anything is built. Only a file that passes it is parsed by lxml (with no network, no DTD and no
entity resolution all the same) to check its root, its version and the schema, and to read it.

The ESPD convention shared with the writer (portal.infra.espd_build) is in the module docstring
of portal.domain.espd and in `_code_answer` below."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal
from xml.parsers import expat

from lxml import etree
from stdnum.nl import btw

from portal.domain import identifiers
from portal.domain.espd import (
    KVK_SCHEME_AGENCY,
    OWN_CRITERION_LIST,
    READ_KVK_SCHEMES,
    VAT_SCHEME_AGENCY,
    CodeAnswer,
    Party,
    Refusal,
    ResponseDocument,
)

#: The largest file taken (the EU's full example response is 1.1 MB).
MAX_BYTES = 5 * 1024 * 1024
#: The deepest nesting of elements taken (the EU's example response nests 11 levels).
MAX_DEPTH = 64
#: The longest text kept from any one element (an explanation, a name).
MAX_TEXT = 10_000
#: The longest text kept for a short field (a name, a city, an identifier).
MAX_SHORT_TEXT = 500

XSD_DIR = Path(__file__).parent.parent / "data" / "espd" / "xsd" / "maindoc"
_SCHEMA_FILES = {
    "request": XSD_DIR / "UBL-QualificationApplicationRequest-2.4.xsd",
    "response": XSD_DIR / "UBL-QualificationApplicationResponse-2.4.xsd",
}

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
RESPONSE_NS = UBL_NS + "QualificationApplicationResponse-2"
REQUEST_NS = UBL_NS + "QualificationApplicationRequest-2"
CAC = UBL_NS + "CommonAggregateComponents-2"
CBC = UBL_NS + "CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}
#: ESPD-EDM 1.x: its own root elements and namespaces (urn:grow:...:ESPDResponse-1, the
#: ESPD-CommonAggregateComponents-1 and so on).
EDM1_NS_PREFIX = "urn:grow:names:specification:ubl:schema:xsd:espd"
XINCLUDE_NS = "http://www.w3.org/2001/XInclude"

_PRE_RELEASE = re.compile(
    r"(?<![a-z])(alpha|beta|rc\d*|draft|snapshot|preview|pre)(\b|[\d_.-]|$)", re.I
)
_SELF_CLEANING = "self-cleaning"
_SIZES = frozenset({"micro", "small", "medium", "large"})


class EspdRefused(Exception):
    """The file is not an acceptable ESPD response; `refusal` says why (Dutch text per code in
    portal.pages.messages), `detail` the first schema error or similar, for the page."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(refusal.value, detail)
        self.refusal = refusal
        self.detail = detail


# --- the parser and the schemas ------------------------------------------------------------


def _parser() -> etree.XMLParser:
    """lxml without network, DTD or entity resolution; comments and processing instructions
    dropped (they are nobody's answer)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@cache
def _schema(kind: Literal["request", "response"]) -> etree.XMLSchema:
    """The UBL 2.4 schema, compiled once per process (about a second each). Its imports are the
    files beside it; the parser never reaches the network."""
    tree = etree.parse(str(_SCHEMA_FILES[kind]), _parser())
    return etree.XMLSchema(tree)


#: A compiled schema keeps the last validation's errors on itself: one validation at a time.
_VALIDATING = threading.Lock()


def _validate(root: etree._Element, kind: Literal["request", "response"]) -> list[str]:
    schema = _schema(kind)
    with _VALIDATING:
        if schema.validate(root):
            return []
        log: Iterable[Any] = schema.error_log  # type: ignore[assignment]  # lxml-stubs: opaque
        return [f"regel {error.line}: {error.message}" for error in log]


def schema_errors(data: bytes, kind: Literal["request", "response"]) -> list[str]:
    """The UBL 2.4 schema's complaints about a document (empty: valid). Also used by the tests
    of the documents the portal writes (portal.infra.espd_build)."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        return [f"regel {error.lineno}: {error.msg}"]
    return _validate(root, kind)


# --- the first pass: is it XML, and harmless? ----------------------------------------------


def _check_safe(data: bytes) -> None:
    """Expat over the bytes, no tree: refuses anything with a DOCTYPE (and so any entity
    declaration, external DTD or parameter entity), an external entity reference, an XInclude
    element and nesting deeper than MAX_DEPTH. Not UTF-8, or not well-formed: NOT_XML."""
    text_start = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text_start.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EspdRefused(Refusal.NOT_XML, "geen UTF-8") from error
    declared = re.match(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']", text_start[:200])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise EspdRefused(
            Refusal.NOT_XML, "encoding " + declared.group(1).decode("ascii", "replace")
        )

    parser = expat.ParserCreate(encoding="UTF-8", namespace_separator=" ")
    depth = 0

    def hostile(*_args: object) -> None:
        raise EspdRefused(Refusal.HOSTILE)

    def start(name: str, _attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise EspdRefused(Refusal.TOO_DEEP, f"meer dan {MAX_DEPTH} niveaus")
        if name.startswith(XINCLUDE_NS + " "):
            raise EspdRefused(Refusal.HOSTILE, "XInclude")

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = hostile
    parser.EntityDeclHandler = hostile
    parser.UnparsedEntityDeclHandler = hostile
    parser.ExternalEntityRefHandler = hostile  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise EspdRefused(
            Refusal.NOT_XML, f"regel {error.lineno}: {expat.ErrorString(error.code)}"
        ) from error


# --- the second pass: which document, which version, schema-valid ---------------------------


def _check_document(root: etree._Element) -> None:
    qname = etree.QName(root)
    namespace, local = qname.namespace or "", qname.localname
    if local in ("QualificationApplicationRequest", "ESPDRequest"):
        raise EspdRefused(Refusal.REQUEST_NOT_RESPONSE)
    if namespace.lower().startswith(EDM1_NS_PREFIX) or local == "ESPDResponse":
        raise EspdRefused(Refusal.DRAFT_VERSION, "ESPD-EDM 1")
    if local == "QualificationApplicationResponse" and namespace != RESPONSE_NS:
        raise EspdRefused(Refusal.UNKNOWN_NAMESPACE, namespace)
    if namespace != RESPONSE_NS:
        raise EspdRefused(Refusal.WRONG_DOCUMENT, local[:MAX_SHORT_TEXT])
    profile = _text(root.find("cbc:ProfileExecutionID", NS))
    version = _text(root.find("cbc:VersionID", NS))
    for value in (profile, version):
        if _PRE_RELEASE.search(value):
            raise EspdRefused(Refusal.DRAFT_VERSION, value)
    major = re.search(r"(\d+)(?:\.\d+)", profile)
    if major and int(major.group(1)) < 2:
        raise EspdRefused(Refusal.DRAFT_VERSION, profile)


def read_response(data: bytes) -> ResponseDocument:
    """Check and read an uploaded ESPD response; raises EspdRefused."""
    if not data or not data.strip():
        raise EspdRefused(Refusal.EMPTY)
    if len(data) > MAX_BYTES:
        raise EspdRefused(Refusal.TOO_LARGE, f"{len(data)} bytes")
    _check_safe(data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:  # expat took it; libxml2 should too
        raise EspdRefused(Refusal.NOT_XML, f"regel {error.lineno}: {error.msg}") from error
    _check_document(root)
    # Before the schema, which requires an answer too: "unfinished" says more than its error.
    if root.find("cac:TenderingCriterionResponse", NS) is None:
        raise EspdRefused(Refusal.NO_ANSWERS)
    errors = _validate(root, "response")
    if errors:
        raise EspdRefused(Refusal.SCHEMA_INVALID, errors[0][:MAX_SHORT_TEXT])
    return _document(root)


# --- reading ---------------------------------------------------------------------------------


def _text(element: etree._Element | None, limit: int = MAX_SHORT_TEXT) -> str:
    if element is None or element.text is None:
        return ""
    return element.text.strip()[:limit]


def _first(element: etree._Element, path: str, limit: int = MAX_SHORT_TEXT) -> str:
    return _text(element.find(path, NS), limit)


def _document(root: etree._Element) -> ResponseDocument:
    issued = _first(root, "cbc:IssueDate")
    try:
        issue_date: date | None = date.fromisoformat(issued[:10])
    except ValueError:
        issue_date = None
    return ResponseDocument(
        uuid=_first(root, "cbc:UUID") or _first(root, "cbc:ID"),
        issue_date=issue_date,
        edm_version=_first(root, "cbc:ProfileExecutionID") or _first(root, "cbc:VersionID"),
        contracting_party=_first(root, "cac:ContractingParty/cac:Party/cac:PartyName/cbc:Name"),
        procedure=_first(root, "cbc:ContractFolderID"),
        party=_party(root.find("cac:EconomicOperatorParty/cac:Party", NS)),
        answers=_answers(root),
    )


def _kvk(value: str) -> str | None:
    try:
        return identifiers.kvk_number(value.upper().removeprefix("NL"))
    except identifiers.InvalidIdentifier:
        return None


def _vat(value: str) -> str | None:
    """A Dutch VAT number, normalised (NL123456789B01); others are dropped, as the portal keeps
    Dutch VAT numbers only (portal.domain.identifiers.vat_number)."""
    try:
        return identifiers.vat_number(value)
    except identifiers.InvalidIdentifier:
        return None


def _party(party: etree._Element | None) -> Party:
    if party is None:
        return Party()
    kvk_number = vat_number = None
    for identification in party.findall("cac:PartyIdentification/cbc:ID", NS):
        value = _text(identification)
        schemes = {
            (identification.get("schemeAgencyID") or "").strip().upper(),
            (identification.get("schemeID") or "").strip().upper(),
        }
        if kvk_number is None and (schemes & READ_KVK_SCHEMES or KVK_SCHEME_AGENCY in schemes):
            kvk_number = _kvk(value)
        elif vat_number is None and (VAT_SCHEME_AGENCY in schemes or btw.is_valid(value)):
            vat_number = _vat(value)
    street = " ".join(
        part
        for part in (
            _first(party, "cac:PostalAddress/cbc:StreetName"),
            _first(party, "cac:PostalAddress/cbc:BuildingNumber"),
        )
        if part
    )
    size_code = _first(party, "cbc:IndustryClassificationCode").lower()
    return Party(
        name=_first(party, "cac:PartyName/cbc:Name"),
        kvk_number=kvk_number,
        vat_number=vat_number,
        street_address=street or None,
        postcode=_first(party, "cac:PostalAddress/cbc:PostalZone") or None,
        city=_first(party, "cac:PostalAddress/cbc:CityName") or None,
        country=_first(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") or None,
        size_class=size_code if size_code in _SIZES else None,
        size_code=size_code or None,
        email=_first(party, "cac:Contact/cbc:ElectronicMail") or None,
        phone=_first(party, "cac:Contact/cbc:Telephone") or None,
        website=_first(party, "cbc:WebsiteURI") or None,
    )


@dataclass(frozen=True)
class _Property:
    id: str
    data_type: str
    description: str
    group: etree._Element  # the (subsidiary) property group that holds it


def _properties(container: etree._Element) -> list[_Property]:
    """Every property under a criterion or a group, in document order."""
    found = []
    for element in container.iter(f"{{{CAC}}}TenderingCriterionProperty"):
        parent = element.getparent()
        assert parent is not None  # a property always sits in a group
        found.append(
            _Property(
                id=_first(element, "cbc:ID"),
                data_type=_first(element, "cbc:ValueDataTypeCode").upper(),
                description=_first(element, "cbc:Description", MAX_TEXT),
                group=parent,
            )
        )
    return found


def _is_self_cleaning(prop: _Property) -> bool:
    return prop.data_type == "INDICATOR" and _SELF_CLEANING in prop.description.casefold()


def _answers(root: etree._Element) -> tuple[CodeAnswer, ...]:
    responses: dict[str, list[etree._Element]] = {}
    for response in root.findall("cac:TenderingCriterionResponse", NS):
        responses.setdefault(_first(response, "cbc:ValidatedCriterionPropertyID"), []).append(
            response
        )
    answers = []
    for criterion in root.findall("cac:TenderingCriterion", NS):
        answer = _code_answer(criterion, responses)
        if answer is not None:
            answers.append(answer)
    return tuple(answers)


def _indicator(responses: list[etree._Element]) -> bool | None:
    for response in responses:
        value = _first(response, "cac:ResponseValue/cbc:ResponseIndicator").lower()
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
    return None


def _descriptions(responses: list[etree._Element]) -> list[str]:
    texts = []
    for response in responses:
        for value in response.findall("cac:ResponseValue/cbc:Description", NS):
            text = _text(value, MAX_TEXT)
            if text:
                texts.append(text)
    return texts


def _joined(texts: list[str]) -> str:
    unique = list(dict.fromkeys(texts))
    return "\n\n".join(unique)[:MAX_TEXT]


def _code_answer(
    criterion: etree._Element, responses: dict[str, list[etree._Element]]
) -> CodeAnswer | None:
    """One criterion's answer by the shared convention: the main answer is the first yes/no
    property (not the self-cleaning one) of the criterion's first property group; the
    self-cleaning text the descriptions in the groups under the self-cleaning yes/no; the
    explanation every other description, in document order. Other answers (dates, amounts,
    evidence) are not read."""
    code_element = criterion.find("cbc:CriterionTypeCode", NS)
    code = _text(code_element)
    if code_element is None or not code:
        return None
    own = (code_element.get("listID") or "").strip() == OWN_CRITERION_LIST
    groups = criterion.findall("cac:TenderingCriterionPropertyGroup", NS)
    properties = _properties(criterion)
    value = None
    if groups:
        main = next(
            (
                p
                for p in _properties(groups[0])
                if p.data_type == "INDICATOR" and not _is_self_cleaning(p)
            ),
            None,
        )
        if main is not None:
            value = _indicator(responses.get(main.id, []))
    cleaning_ids: set[str] = set()
    for prop in properties:
        if _is_self_cleaning(prop):
            for sub in prop.group.findall("cac:SubsidiaryTenderingCriterionPropertyGroup", NS):
                cleaning_ids.update(p.id for p in _properties(sub) if p.data_type == "DESCRIPTION")
    cleaning: list[str] = []
    explanation: list[str] = []
    for prop in properties:
        if prop.data_type == "DESCRIPTION":
            texts = _descriptions(responses.get(prop.id, []))
            (cleaning if prop.id in cleaning_ids else explanation).extend(texts)
    return CodeAnswer(
        code=code if own else code.lower(),
        own=own,
        name=_first(criterion, "cbc:Name", MAX_TEXT),
        value=value,
        explanation=_joined(explanation),
        self_cleaning=_joined(cleaning),
    )
