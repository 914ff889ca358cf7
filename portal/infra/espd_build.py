"""Writing the ESPD documents the portal issues (issue 22): a DAS's request (its exclusion grounds
and selection criteria) and an application's response, as UBL 2.4 QualificationApplicationRequest
and -Response, each criterion as the EU taxonomy defines it (portal/data/espd/ESPD-Request.example.xml).

The documents follow the profile of the EU example they are built from, ESPD-EDM 4.1.0 (its UBL
version 2.3: the 2.4 schemas the portal validates with are a compatible superset, and tools that
take ESPD-EDM 4.1.0 expect 2.3). How answers are written is the convention shared with the reader
(portal.infra.espd_xml, portal.domain.espd):

- a criterion of the EU list is the taxonomy's TenderingCriterion for its code, copied whole (its
  UUID and property IDs); a national ground is the EU `nati-ground` criterion named after the
  ground; a criterion of the DAS's own is a small criterion of OWN_CRITERION_LIST;
- the main answer goes to the first yes/no property of the criterion's first property group; the
  explanation of an exclusion ground to its first description question that is not about
  self-cleaning, and its self-cleaning text to the description under the self-cleaning yes/no;
  the explanation of a selection criterion to a description question beside its main answer;
- where there is no such description question, one is added for the explanation; where an
  exclusion ground has no self-cleaning question (taxes, bankruptcy and others), the taxonomy's
  self-cleaning branch is added under the "yes" of its main answer;
- the same criterion twice in one document (two national grounds) gets its property IDs suffixed,
  so every answer names exactly one property."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import cast

from lxml import etree

from portal.domain.espd import (
    KVK_SCHEME_AGENCY,
    KVK_SCHEME_ID,
    OWN_CRITERION_LIST,
    VAT_SCHEME_AGENCY,
    AnswerFacts,
    CriterionFacts,
    Party,
    RequestFacts,
    ResponseFacts,
)
from portal.infra.espd import SUPERSEDED
from portal.infra.espd_xml import CAC, CBC, NS, REQUEST_NS, RESPONSE_NS
from portal.infra.timeutil import AMSTERDAM, as_utc

TAXONOMY = Path(__file__).parent.parent / "data" / "espd" / "ESPD-Request.example.xml"

UBL_VERSION = "2.3"
EDM_VERSION = "4.1.0"
PROFILE = f"ESPD-EDMv{EDM_VERSION}"
#: Who issues the documents' identifiers (schemeAgencyID of the document and response IDs).
AGENCY = "DAS-portaal"
UUID_SCHEME = "ISO/IEC 9834-8:2008 - 4UUID"
CRITERION_LIST = "http://publications.europa.eu/resource/authority/criterion"
CRITERION_LIST_VERSION = "20240612-0"
SIZE_LIST = "http://publications.europa.eu/resource/authority/economic-operator-size"
COUNTRY_LIST = "http://publications.europa.eu/resource/authority/country"
AUTHORITY_LIST_VERSION = "20250924-0"
NATIONAL_CODE = "nati-ground"
#: The SizeClass values, which are the EU economic-operator-size codes of the same name.
SIZE_CODES = frozenset({"micro", "small", "medium", "large"})

SELF_CLEANING_QUESTION = "Have you taken measures to demonstrate your reliability (Self-Cleaning)?"
EXPLANATION_QUESTION = "Please explain your answer"

# XML 1.0 allows tab, newline and carriage return of the control characters, and no surrogates
# or U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_PROPERTY = f"{{{CAC}}}TenderingCriterionProperty"
_SUBGROUP = f"{{{CAC}}}SubsidiaryTenderingCriterionPropertyGroup"
_GROUPS = (f"{{{CAC}}}TenderingCriterionPropertyGroup", _SUBGROUP)


def clean(text: str) -> str:
    """Text as XML 1.0 can hold it: without the control characters it forbids."""
    return _NOT_XML.sub("", text)


def _cbc(
    parent: etree._Element, name: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    if text is not None:
        element.text = clean(text)
    return element


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _id_attributes() -> dict[str, str]:
    return {"schemeID": "Criterion", "schemeAgencyID": "OP", "schemeVersionID": EDM_VERSION}


def _code_attributes(list_id: str) -> dict[str, str]:
    return {"listID": list_id, "listAgencyID": "OP", "listVersionID": EDM_VERSION}


# --- the taxonomy ----------------------------------------------------------------------------


@cache
def _taxonomy() -> dict[str, etree._Element]:
    """The EU taxonomy's criteria by code, read once (without comments and layout whitespace)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, remove_blank_text=True
    )
    root = etree.parse(str(TAXONOMY), parser).getroot()
    return {
        (criterion.findtext("cbc:CriterionTypeCode", namespaces=NS) or "").strip(): criterion
        for criterion in root.iterfind("cac:TenderingCriterion", NS)
    }


def taxonomy_codes() -> frozenset[str]:
    return frozenset(_taxonomy())


def taxonomy_uuid(code: str) -> str:
    """The taxonomy's UUID of an EU criterion code (the criterion's cbc:ID)."""
    return _taxonomy()[code].findtext("cbc:ID", namespaces=NS) or ""


# --- one criterion ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answerable:
    """The properties of one written criterion that the portal's answers go to."""

    main: str  # the main yes/no
    explanation: str  # a description question
    self_cleaning: str | None  # the self-cleaning yes/no (exclusion grounds)
    self_cleaning_text: str | None  # the description under it


def _value_type(prop: etree._Element) -> str:
    return (prop.findtext("cbc:ValueDataTypeCode", namespaces=NS) or "").strip().upper()


def _is_question(prop: etree._Element) -> bool:
    return (prop.findtext("cbc:TypeCode", namespaces=NS) or "").strip().upper() == "QUESTION"


def _is_self_cleaning(prop: etree._Element) -> bool:
    description = prop.findtext("cbc:Description", namespaces=NS) or ""
    return _value_type(prop) == "INDICATOR" and "self-cleaning" in description.casefold()


def _group_id(group: etree._Element) -> str:
    return (group.findtext("cbc:ID", namespaces=NS) or "").strip()


def _property_id(prop: etree._Element) -> str:
    return (prop.findtext("cbc:ID", namespaces=NS) or "").strip()


def _new_property(
    group: etree._Element, property_id: str, description: str, value_type: str
) -> etree._Element:
    """A question property, placed after the group's last property (the schema puts a group's
    properties before its subsidiary groups)."""
    prop = etree.Element(_PROPERTY)
    _cbc(prop, "ID", property_id, **_id_attributes())
    _cbc(prop, "Name")
    _cbc(prop, "Description", description)
    _cbc(prop, "TypeCode", "QUESTION", **_code_attributes("criterion-element-type"))
    _cbc(prop, "ValueDataTypeCode", value_type, **_code_attributes("response-data-type"))
    existing = group.findall("cac:TenderingCriterionProperty", NS)
    if existing:
        existing[-1].addnext(prop)
    else:
        group.append(prop)
    return prop


def _new_group(
    parent: etree._Element, group_id: str, type_code: str, tag: str = _SUBGROUP
) -> etree._Element:
    group = etree.SubElement(parent, tag)
    _cbc(group, "ID", group_id, **_id_attributes())
    _cbc(group, "PropertyGroupTypeCode", type_code, **_code_attributes("property-group-type"))
    return group


def _add_self_cleaning(parent: etree._Element) -> tuple[etree._Element, etree._Element]:
    """The taxonomy's self-cleaning branch (as crime-org has it) as a subsidiary group of
    `parent`: "measures taken?" and, on yes, "describe them"."""
    base = f"{_group_id(parent)}/SCG1"
    branch = _new_group(parent, base, "ON*")
    indicator = _new_property(branch, f"{base}/Q1", SELF_CLEANING_QUESTION, "INDICATOR")
    on_true = _new_group(branch, f"{base}/QSG1", "ONTRUE")
    text = _new_property(on_true, f"{base}/QSG1/Q1", "Please describe them", "DESCRIPTION")
    return indicator, text


def _descendant_descriptions(group: etree._Element) -> Iterator[etree._Element]:
    for sub in group.iterchildren(_SUBGROUP):
        for prop in sub.iter(_PROPERTY):
            if _value_type(prop) == "DESCRIPTION":
                yield prop


def _complete(criterion: etree._Element, exclusion: bool) -> _Answerable:
    """Find (or add) the properties the answers go to."""
    first = criterion.find("cac:TenderingCriterionPropertyGroup", NS)
    if first is None:  # not in the taxonomy; a criterion built here always has a group
        raise ValueError("criterion without a property group")
    main = next(
        (
            p
            for p in first.iter(_PROPERTY)
            if _value_type(p) == "INDICATOR" and not _is_self_cleaning(p)
        ),
        None,
    )
    if main is None:
        main = _new_property(first, f"{_group_id(first)}/MQ1", "Your answer", "INDICATOR")
    main_group = main.getparent()
    assert main_group is not None

    indicator = next((p for p in criterion.iter(_PROPERTY) if _is_self_cleaning(p)), None)
    cleaning_text = None
    if indicator is not None:
        holder = indicator.getparent()
        assert holder is not None
        cleaning_text = next(_descendant_descriptions(holder), None)
    if exclusion and (indicator is None or cleaning_text is None):
        # Under the "yes" of the main answer where the taxonomy has one, as crime-org has it.
        on_true = next(
            (
                sub
                for sub in main_group.iterchildren(_SUBGROUP)
                if (sub.findtext("cbc:PropertyGroupTypeCode", namespaces=NS) or "") == "ONTRUE"
            ),
            main_group,
        )
        indicator, cleaning_text = _add_self_cleaning(on_true)
    cleaning_ids: set[str] = set()
    for prop in criterion.iter(_PROPERTY):
        if _is_self_cleaning(prop):
            holder = prop.getparent()
            assert holder is not None
            cleaning_ids.update(_property_id(p) for p in _descendant_descriptions(holder))
    # An exclusion ground's first description asks what happened ("Reason", "Please describe
    # them"). A selection criterion's first one is mostly about an entity relied upon ("Name of
    # the entity"), which an explanation is not: there it is a description beside the main answer.
    candidates = criterion.iter(_PROPERTY) if exclusion else main_group.iterchildren(_PROPERTY)
    explanation = next(
        (
            p
            for p in candidates
            if _value_type(p) == "DESCRIPTION"
            and _is_question(p)
            and _property_id(p) not in cleaning_ids
        ),
        None,
    )
    if explanation is None:
        explanation = _new_property(
            main_group, f"{_group_id(main_group)}/EQ1", EXPLANATION_QUESTION, "DESCRIPTION"
        )
    return _Answerable(
        main=_property_id(main),
        explanation=_property_id(explanation),
        self_cleaning=_property_id(indicator) if exclusion and indicator is not None else None,
        self_cleaning_text=(
            _property_id(cleaning_text) if exclusion and cleaning_text is not None else None
        ),
    )


def _own(facts: CriterionFacts, reference: str) -> etree._Element:
    """A criterion the EU list does not have: the DAS's own, in its own code list."""
    criterion = etree.Element(f"{{{CAC}}}TenderingCriterion")
    stable = uuid.uuid5(uuid.NAMESPACE_URL, f"{OWN_CRITERION_LIST}:{reference}:{facts.code}")
    _cbc(criterion, "ID", str(stable), schemeID="Criterion", schemeAgencyID=AGENCY)
    _cbc(criterion, "CriterionTypeCode", facts.code, listID=OWN_CRITERION_LIST, listAgencyID=AGENCY)
    _cbc(criterion, "Name", facts.title)
    _cbc(criterion, "Description", facts.question)
    base = f"OWN_{facts.code}/QG1"
    group = _new_group(criterion, base, "ON*", tag=f"{{{CAC}}}TenderingCriterionPropertyGroup")
    _new_property(group, f"{base}/Q1", "Your answer", "INDICATOR")
    _new_property(group, f"{base}/Q2", EXPLANATION_QUESTION, "DESCRIPTION")
    if facts.kind == "exclusion":
        _add_self_cleaning(group)
    return criterion


def _from_taxonomy(code: str, facts: CriterionFacts) -> etree._Element:
    criterion = copy.deepcopy(_taxonomy()[code])
    if code == NATIONAL_CODE:
        # The ground itself: its title is how the reader recognises it (grounds.national_key).
        name = criterion.find("cbc:Name", NS)
        description = criterion.find("cbc:Description", NS)
        assert name is not None and description is not None
        name.text = clean(facts.title)
        description.text = clean(facts.question)
        for prop in criterion.iter(_PROPERTY):
            text = prop.find("cbc:Description", NS)
            if text is not None and text.text == "[Text describing the national criterion]":
                text.text = clean(facts.question)
    return criterion


def _suffix_ids(criterion: etree._Element, suffix: str) -> None:
    for element in criterion.iter(_PROPERTY, *_GROUPS):
        identifier = element.find("cbc:ID", NS)
        if identifier is not None and identifier.text:
            identifier.text = f"{identifier.text}{suffix}"


def _espd_codes(facts: CriterionFacts) -> tuple[str, ...]:
    """The EU codes a criterion is written as; none: it is written as the DAS's own."""
    if facts.origin == "national":
        return (NATIONAL_CODE,)
    if facts.origin == "own":
        return ()
    codes = tuple(dict.fromkeys(SUPERSEDED.get(c, c) for c in facts.espd_codes))
    return tuple(c for c in codes if c in _taxonomy())


def _criteria(
    facts: RequestFacts,
) -> list[tuple[CriterionFacts, etree._Element, _Answerable]]:
    """Every criterion of the DAS as written: one per EU code, or one of its own."""
    written = []
    seen: dict[str, int] = {}
    for criterion_facts in facts.criteria:
        exclusion = criterion_facts.kind == "exclusion"
        codes = _espd_codes(criterion_facts)
        elements = (
            [_from_taxonomy(code, criterion_facts) for code in codes]
            if codes
            else [_own(criterion_facts, facts.reference)]
        )
        for key, element in zip(codes or (f"own:{criterion_facts.code}",), elements, strict=True):
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                _suffix_ids(element, f"-{seen[key]}")
            written.append((criterion_facts, element, _complete(element, exclusion)))
    return written


# --- the documents ---------------------------------------------------------------------------


def _header(root: etree._Element, document_id: str, facts_uuid: str, reference: str) -> None:
    _cbc(root, "UBLVersionID", UBL_VERSION, schemeAgencyID="OASIS-UBL-TC")
    _cbc(root, "ProfileExecutionID", PROFILE, schemeAgencyID="OP", schemeVersionID=EDM_VERSION)
    _cbc(root, "ID", document_id, schemeAgencyID=AGENCY)
    _cbc(root, "CopyIndicator", "false")
    _cbc(
        root,
        "UUID",
        facts_uuid,
        schemeID=UUID_SCHEME,
        schemeAgencyID=AGENCY,
        schemeVersionID=EDM_VERSION,
    )
    _cbc(root, "ContractFolderID", reference, schemeAgencyID=AGENCY)


def _contracting_party(root: etree._Element, buyer_name: str) -> None:
    party = _cac(_cac(root, "ContractingParty"), "Party")
    _cbc(_cac(party, "PartyName"), "Name", buyer_name)


def _project(root: etree._Element, facts: RequestFacts) -> None:
    project = _cac(root, "ProcurementProject")
    _cbc(project, "Name", facts.name)
    if facts.description:
        _cbc(project, "Description", facts.description)


def _lots(root: etree._Element, lots: tuple[tuple[str, str], ...]) -> None:
    for code, name in lots:
        lot = _cac(root, "ProcurementProjectLot")
        _cbc(lot, "ID", code, schemeID="Criterion", schemeAgencyID="OP")
        _cbc(_cac(lot, "ProcurementProject"), "Name", name)


def _namespaces(document: str) -> dict[str, str]:
    """The document's own namespace as the default one (as the EU examples write it); lxml takes
    None for the default prefix, which its stubs do not know."""
    return cast("dict[str, str]", {None: document, "cac": CAC, "cbc": CBC})


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def request_xml(facts: RequestFacts) -> bytes:
    root = etree.Element(
        f"{{{REQUEST_NS}}}QualificationApplicationRequest",
        nsmap=_namespaces(REQUEST_NS),
    )
    _header(root, f"ESPDREQ-{facts.reference}", facts.document_uuid, facts.reference)
    _cbc(root, "IssueDate", facts.issued_on.isoformat())
    _cbc(root, "VersionID", EDM_VERSION, schemeAgencyID="OP", schemeVersionID=EDM_VERSION)
    _contracting_party(root, facts.buyer_name)
    _project(root, facts)
    _lots(root, facts.lots)
    for _, element, _ in _criteria(facts):
        root.append(element)
    return _serialise(root)


def _economic_operator(root: etree._Element, party_facts: Party) -> None:
    party = _cac(_cac(root, "EconomicOperatorParty"), "Party")
    if party_facts.website:
        _cbc(party, "WebsiteURI", party_facts.website)
    if party_facts.size_class in SIZE_CODES:
        _cbc(
            party,
            "IndustryClassificationCode",
            party_facts.size_class,
            listID=SIZE_LIST,
            listAgencyID="OP",
            listVersionID=AUTHORITY_LIST_VERSION,
        )
    if party_facts.kvk_number:
        _cbc(
            _cac(party, "PartyIdentification"),
            "ID",
            party_facts.kvk_number,
            schemeAgencyID=KVK_SCHEME_AGENCY,
            schemeID=KVK_SCHEME_ID,
        )
    if party_facts.vat_number:
        _cbc(
            _cac(party, "PartyIdentification"),
            "ID",
            party_facts.vat_number,
            schemeAgencyID=VAT_SCHEME_AGENCY,
        )
    _cbc(_cac(party, "PartyName"), "Name", party_facts.name)
    if party_facts.street_address or party_facts.city or party_facts.postcode:
        address = _cac(party, "PostalAddress")
        if party_facts.street_address:
            _cbc(address, "StreetName", party_facts.street_address)
        if party_facts.city:
            _cbc(address, "CityName", party_facts.city)
        if party_facts.postcode:
            _cbc(address, "PostalZone", party_facts.postcode)
        if party_facts.country:
            _cbc(
                _cac(address, "Country"),
                "IdentificationCode",
                party_facts.country,
                listID=COUNTRY_LIST,
                listAgencyID="OP",
                listVersionID=AUTHORITY_LIST_VERSION,
            )
    if party_facts.email or party_facts.phone:
        contact = _cac(party, "Contact")
        if party_facts.phone:
            _cbc(contact, "Telephone", party_facts.phone)
        if party_facts.email:
            _cbc(contact, "ElectronicMail", party_facts.email)


def _response(root: etree._Element, property_id: str, value: bool | str) -> None:
    response = _cac(root, "TenderingCriterionResponse")
    _cbc(response, "ID", f"{property_id}/R1", schemeID="Criterion", schemeAgencyID=AGENCY)
    _cbc(
        response,
        "ValidatedCriterionPropertyID",
        property_id,
        schemeID="Criterion",
        schemeAgencyID=AGENCY,
    )
    response_value = _cac(response, "ResponseValue")
    _cbc(response_value, "ID", f"{property_id}/R1/RV", schemeID="Criterion", schemeAgencyID=AGENCY)
    if isinstance(value, bool):
        _cbc(response_value, "ResponseIndicator", "true" if value else "false")
    else:
        _cbc(response_value, "Description", value)


def _answer(root: etree._Element, answer: AnswerFacts, properties: _Answerable) -> None:
    if answer.value is not None:
        _response(root, properties.main, answer.value)
    explanation = clean(answer.explanation).strip()
    if explanation:
        _response(root, properties.explanation, explanation)
    if properties.self_cleaning is None or properties.self_cleaning_text is None:
        return
    self_cleaning = clean(answer.self_cleaning).strip()
    if self_cleaning:
        _response(root, properties.self_cleaning, True)
        _response(root, properties.self_cleaning_text, self_cleaning)
    elif answer.value:
        _response(root, properties.self_cleaning, False)


def _local(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(AMSTERDAM).replace(microsecond=0)


def response_xml(facts: ResponseFacts) -> bytes:
    request = facts.request
    root = etree.Element(
        f"{{{RESPONSE_NS}}}QualificationApplicationResponse",
        nsmap=_namespaces(RESPONSE_NS),
    )
    _header(root, f"ESPDRESP-{facts.reference}", facts.document_uuid, request.reference)
    submitted = _local(facts.submitted_at)
    _cbc(root, "IssueDate", submitted.date().isoformat())
    _cbc(root, "IssueTime", submitted.isoformat(timespec="seconds")[11:])  # 10:00:00+01:00
    _cbc(root, "VersionID", EDM_VERSION, schemeAgencyID="OP", schemeVersionID=EDM_VERSION)
    _contracting_party(root, request.buyer_name)
    _economic_operator(root, facts.party)
    _project(root, request)
    applied = set(facts.lots)
    _lots(root, tuple(lot for lot in request.lots if not applied or lot[0] in applied))
    written = _criteria(request)
    for _, element, _ in written:
        root.append(element)
    answers = {answer.criterion_code: answer for answer in facts.answers}
    for criterion_facts, _, properties in written:
        answer = answers.get(criterion_facts.code)
        if answer is not None:
            _answer(root, answer, properties)
    return _serialise(root)
