"""Reading an uploaded ESPD response (portal.infra.espd_xml, issue 22): the EU examples validate
against the UBL 2.4 schemas, the EU example response and a small Dutch one read as they say, and
every file that is no acceptable ESPD response is refused with its reason, hostile ones before
anything is expanded, fetched or built."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from portal.domain.espd import OWN_CRITERION_LIST, Refusal
from portal.infra import espd_xml
from portal.infra.espd_xml import MAX_BYTES, MAX_DEPTH, MAX_TEXT, EspdRefused, read_response
from portal.infra.espd_xml import schema_errors as errors_of
from portal.pages.messages import SERVICE_MESSAGES, message_for
from portal.services import ServiceError

ROOT = Path(__file__).resolve().parent.parent
EU_REQUEST = ROOT / "portal" / "data" / "espd" / "ESPD-Request.example.xml"
EU_RESPONSE = ROOT / "tests" / "data" / "espd" / "ESPD-Response.example.xml"
NL_RESPONSE = ROOT / "tests" / "data" / "espd" / "response-nl-small.xml"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}


def refusal(data: bytes) -> EspdRefused:
    with pytest.raises(EspdRefused) as refused:
        read_response(data)
    return refused.value


def changed(edit: Callable[[etree._Element], object]) -> bytes:
    """The small Dutch response with one change made to its tree."""
    root = etree.fromstring(NL_RESPONSE.read_bytes())
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def set_text(path: str, text: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        element = root.find(path, NS)
        assert element is not None, path
        element.text = text

    return edit


@pytest.fixture()
def no_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """lxml must not see the file at all: the first pass refuses it."""

    def fail(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the file reached lxml")

    monkeypatch.setattr(espd_xml.etree, "fromstring", fail)


@pytest.fixture()
def listener() -> Iterator[socket.socket]:
    """A local port that records whether anybody connected to it (a fetched DTD or entity)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def assert_nobody_connected(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()


# --- the schemas ----------------------------------------------------------------------------


def test_the_eu_examples_validate() -> None:
    assert errors_of(EU_REQUEST.read_bytes(), "request") == []
    assert errors_of(EU_RESPONSE.read_bytes(), "response") == []
    assert errors_of(NL_RESPONSE.read_bytes(), "response") == []


def test_a_request_is_no_valid_response_and_the_other_way_round() -> None:
    assert errors_of(EU_REQUEST.read_bytes(), "response")
    assert errors_of(EU_RESPONSE.read_bytes(), "request")


def test_schema_errors_name_line_and_message() -> None:
    data = changed(lambda root: root.insert(2, etree.Element(f"{{{CBC}}}Unheard")))
    errors = errors_of(data, "response")
    assert errors and re.match(r"regel \d+: .*Unheard", errors[0])
    assert errors_of(b"<not closed", "response")[0].startswith("regel 1:")


# --- what the EU example response says -----------------------------------------------------


def test_the_eu_example_response_reads() -> None:
    document = read_response(EU_RESPONSE.read_bytes())

    assert document.uuid == "f662457f-3e7a-46d2-a515-33c5a64bb7ba"
    assert document.issue_date == date(2025, 12, 9)
    assert document.edm_version == "ESPD-EDMv4.1.0"
    assert document.procedure == "PP.20170419.1024-9"
    assert document.contracting_party == "DV"
    assert len(document.answers) == 62  # every criterion of the taxonomy, once
    assert len({a.code for a in document.answers}) == 62
    crime = next(a for a in document.answers if a.code == "crime-org")
    assert crime.own is False
    assert crime.name == "Participation in a criminal organisation"
    assert crime.value is True
    # "Reason" and "Who has been convicted", in document order; not the self-cleaning text.
    assert crime.explanation == "[Reason provided by the EO]\n\n[Convicted person or legal entity]"
    assert crime.self_cleaning == "[Measures taken by the EO]"
    # The example leaves the main question of the contributions unanswered.
    tax = next(a for a in document.answers if a.code == "tax-pay")
    assert tax.value is None

    party = document.party
    assert party.name == "__Procurer Official Name__"
    assert party.kvk_number is None  # AD123456789 under the agency "OP": neither KvK nor VAT
    assert party.vat_number is None
    assert party.street_address == "__ProcurerStreet__"
    assert party.postcode == "12345"
    assert party.city == "__ProcurerCity__"
    assert party.country == "BEL"
    assert party.size_class is None  # "sme" spans micro, small and medium
    assert party.size_code == "sme"
    assert party.email == "__ProcurerContact@gov.eu"
    assert party.phone == "654321"
    assert party.website == "https://www.ProcurerWebsite.eu"


def test_the_small_dutch_response_reads() -> None:
    document = read_response(NL_RESPONSE.read_bytes())

    assert document.procedure == "TN-2026-0042"
    assert document.contracting_party == "Gemeente Voorbeeldstad"
    assert [(a.code, a.value) for a in document.answers] == [
        ("crime-org", False),
        ("fraud", True),
        ("tax-pay", False),
        ("socsec-pay", False),
    ]
    fraud = document.answers[1]
    assert fraud.explanation.startswith("Een oud-bestuurder")
    assert fraud.self_cleaning.startswith("De bestuurder is vertrokken")
    assert document.answers[0].explanation == document.answers[0].self_cleaning == ""
    party = document.party
    assert (party.name, party.kvk_number, party.vat_number) == (
        "Jeugdzorg De Linde B.V.",
        "12345678",
        "NL004495445B01",
    )
    assert (party.street_address, party.postcode, party.city, party.country) == (
        "Lindelaan 12",
        "3511 AB",
        "Utrecht",
        "NLD",
    )
    assert (party.size_class, party.size_code) == ("small", "small")


def identification(value: str, **scheme: str) -> Callable[[etree._Element], None]:
    """Replace the party's identifiers by one."""

    def edit(root: etree._Element) -> None:
        party = root.find("cac:EconomicOperatorParty/cac:Party", NS)
        assert party is not None
        old = party.findall("cac:PartyIdentification", NS)
        position = party.index(old[0])
        for element in old:
            party.remove(element)
        new = etree.Element(f"{{{CAC}}}PartyIdentification")
        etree.SubElement(new, f"{{{CBC}}}ID", attrib=scheme).text = value
        party.insert(position, new)

    return edit


@pytest.mark.parametrize(
    ("value", "scheme", "kvk", "vat"),
    [
        ("1234 5678", {"schemeAgencyID": "NL-KVK"}, "12345678", None),
        ("12345678", {"schemeID": "0106"}, "12345678", None),
        ("NL12345678", {"schemeAgencyID": "KVK"}, "12345678", None),
        ("1234567", {"schemeAgencyID": "KVK"}, None, None),  # seven digits: dropped
        ("12345678", {"schemeAgencyID": "OP"}, None, None),  # not said to be a KvK number
        ("nl 0044.95445.B01", {"schemeAgencyID": "VIES"}, None, "NL004495445B01"),
        ("NL004495445B01", {"schemeAgencyID": "OP"}, None, "NL004495445B01"),  # by its form
        ("NL004495446B01", {"schemeAgencyID": "VIES"}, None, None),  # wrong check digit
        ("BE0403019261", {"schemeAgencyID": "VIES"}, None, None),  # the portal keeps Dutch ones
    ],
)
def test_kvk_and_vat_numbers_are_normalised_or_dropped(
    value: str, scheme: dict[str, str], kvk: str | None, vat: str | None
) -> None:
    party = read_response(changed(identification(value, **scheme))).party
    assert (party.kvk_number, party.vat_number) == (kvk, vat)


def test_sizes_and_an_own_criterion() -> None:
    def edit(root: etree._Element) -> None:
        set_text("cac:EconomicOperatorParty/cac:Party/cbc:IndustryClassificationCode", "MEDIUM")(
            root
        )
        code = root.findall("cac:TenderingCriterion/cbc:CriterionTypeCode", NS)[2]
        code.set("listID", OWN_CRITERION_LIST)
        code.text = "G3"

    document = read_response(changed(edit))
    assert document.party.size_class == "medium"
    own = document.answers[2]
    assert (own.code, own.own, own.value) == ("G3", True, False)
    assert document.answers[1].own is False


def test_long_texts_are_cut() -> None:
    long = "x" * (3 * MAX_TEXT)

    def edit(root: etree._Element) -> None:
        for value in root.iter(f"{{{CBC}}}Description"):
            parent = value.getparent()
            if parent is not None and parent.tag == f"{{{CAC}}}ResponseValue":
                value.text = long
        set_text("cac:EconomicOperatorParty/cac:Party/cac:PartyName/cbc:Name", "  " + long)(root)

    document = read_response(changed(edit))
    fraud = document.answers[1]
    assert len(fraud.explanation) == MAX_TEXT
    assert len(fraud.self_cleaning) == MAX_TEXT
    assert 0 < len(document.party.name) <= MAX_TEXT and document.party.name.startswith("x")


# --- refusals: not a file, not XML ---------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \n\t"])
def test_empty(data: bytes) -> None:
    assert refusal(data).refusal is Refusal.EMPTY


def test_too_large_is_refused_before_parsing(
    no_tree: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_data: bytes) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(espd_xml, "_check_safe", fail)
    data = b"<a>" + b"x" * MAX_BYTES + b"</a>"
    assert refusal(data).refusal is Refusal.TOO_LARGE


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj",
        bytes(range(256)) * 4,  # binary
        b"PK\x03\x04\x14\x00\x06\x00",  # a Word document (a zip)
        b"Dit is gewoon tekst, geen XML.",
        b"<QualificationApplicationResponse><unclosed></QualificationApplicationResponse>",
        b'<?xml version="1.0" encoding="ISO-8859-1"?><a>caf\xe9</a>',  # not UTF-8
        b'<?xml version="1.0" encoding="UTF-16"?><a/>',  # says UTF-16, is not
        b'<?xml version="1.0" encoding="rot13-nonsense"?><a/>',
        "<a/>".encode("utf-16"),
        b"<a>&undeclared;</a>",
    ],
)
def test_not_xml(data: bytes) -> None:
    assert refusal(data).refusal is Refusal.NOT_XML


# --- refusals: hostile files ---------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def test_billion_laughs_is_refused_unexpanded(no_tree: None) -> None:
    refused = refusal(BILLION_LAUGHS)
    assert refused.refusal is Refusal.HOSTILE
    assert "lollol" not in str(refused.args)


def with_doctype(doctype: str, name: str = "Jeugdzorg De Linde B.V.") -> bytes:
    """The small Dutch response, schema-valid but for a DOCTYPE, the party named `name`."""
    text = NL_RESPONSE.read_text(encoding="utf-8")
    text = text.replace("Jeugdzorg De Linde B.V.", name)
    root_at = text.index("<QualificationApplicationResponse")
    return (text[:root_at] + doctype + "\n" + text[root_at:]).encode()


def test_xxe_reading_a_local_file_is_refused_and_never_read(no_tree: None, tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:GEHEIM-1234:/root:/bin/bash\n")
    for target in ("file:///etc/passwd", secret.as_uri()):
        data = with_doctype(
            f'<!DOCTYPE QualificationApplicationResponse [<!ENTITY xxe SYSTEM "{target}">]>',
            name="&xxe;",
        )
        refused = refusal(data)
        assert refused.refusal is Refusal.HOSTILE
        assert "GEHEIM" not in str(refused.args) and "root:" not in str(refused.args)


def test_the_xxe_file_would_leak_with_a_careless_parser(tmp_path: Path) -> None:
    """The attack file above is a real one: a parser that resolves entities reads the file."""
    secret = tmp_path / "passwd"
    secret.write_text("GEHEIM-1234")
    data = with_doctype(
        f'<!DOCTYPE QualificationApplicationResponse [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>',
        name="&xxe;",
    )
    careless = etree.fromstring(data, etree.XMLParser(resolve_entities=True, no_network=True))
    assert "GEHEIM-1234" in etree.tostring(careless).decode()


def test_an_external_dtd_is_never_fetched(no_tree: None, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    data = with_doctype(
        f'<!DOCTYPE QualificationApplicationResponse SYSTEM "http://127.0.0.1:{port}/espd.dtd">'
    )
    assert refusal(data).refusal is Refusal.HOSTILE
    assert_nobody_connected(listener)


def test_the_listener_sees_a_connection(listener: socket.socket) -> None:
    """The check above can fail: a connection to the port is seen."""
    with socket.create_connection(listener.getsockname(), timeout=5):
        time.sleep(0.05)  # the kernel queues it at once; this only spares a slow machine
        with pytest.raises(pytest.fail.Exception):
            assert_nobody_connected(listener)


def test_a_parameter_entity_is_never_fetched(no_tree: None, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    data = with_doctype(
        "<!DOCTYPE QualificationApplicationResponse ["
        f'<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/evil.dtd"> %remote;]>'
    )
    assert refusal(data).refusal is Refusal.HOSTILE
    assert_nobody_connected(listener)


def test_an_internal_entity_alone_is_refused(no_tree: None) -> None:
    data = with_doctype(
        '<!DOCTYPE QualificationApplicationResponse [<!ENTITY naam "Jeugdzorg">]>', name="&naam;"
    )
    assert refusal(data).refusal is Refusal.HOSTILE


def test_xinclude_is_refused(no_tree: None) -> None:
    text = NL_RESPONSE.read_text(encoding="utf-8").replace(
        "<cbc:Name>Jeugdzorg De Linde B.V.</cbc:Name>",
        '<cbc:Name><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        'href="file:///etc/passwd" parse="text"/></cbc:Name>',
    )
    assert refusal(text.encode()).refusal is Refusal.HOSTILE


def test_a_hundred_thousand_levels_cost_nothing(no_tree: None) -> None:
    data = b"<a>" * 100_000 + b"</a>" * 100_000
    refused = refusal(data)
    assert refused.refusal is Refusal.TOO_DEEP


def test_the_depth_limit_is_exact() -> None:
    assert refusal(b"<a>" * MAX_DEPTH + b"</a>" * MAX_DEPTH).refusal is Refusal.WRONG_DOCUMENT
    deeper = MAX_DEPTH + 1
    assert refusal(b"<a>" * deeper + b"</a>" * deeper).refusal is Refusal.TOO_DEEP


# --- refusals: the wrong document ----------------------------------------------------------


def test_the_buyers_request_is_no_response() -> None:
    assert refusal(EU_REQUEST.read_bytes()).refusal is Refusal.REQUEST_NOT_RESPONSE


@pytest.mark.parametrize(
    "data",
    [
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        b"<html><body>ESPD</body></html>",
        b'<?xml version="1.0" encoding="UTF-8"?><QualificationApplicationResponse/>',  # no namespace
    ],
)
def test_another_document(data: bytes) -> None:
    refused = refusal(data)
    # A QualificationApplicationResponse outside any namespace is one of unknown namespace.
    expected = (
        Refusal.UNKNOWN_NAMESPACE
        if b"QualificationApplicationResponse" in data
        else Refusal.WRONG_DOCUMENT
    )
    assert refused.refusal is expected


def test_an_unknown_namespace() -> None:
    text = NL_RESPONSE.read_text(encoding="utf-8").replace(
        "xsd:QualificationApplicationResponse-2", "xsd:QualificationApplicationResponse-3"
    )
    refused = refusal(text.encode())
    assert refused.refusal is Refusal.UNKNOWN_NAMESPACE
    assert refused.detail.endswith("QualificationApplicationResponse-3")


ESPD_V1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<espd:ESPDResponse xmlns:espd="urn:grow:names:specification:ubl:schema:xsd:ESPDResponse-1"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    xmlns:espd-cac="urn:grow:names:specification:ubl:schema:xsd:ESPD-CommonAggregateComponents-1">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>urn:www.cenbii.eu:transaction:biitrns092:ver3.0</cbc:CustomizationID>
  <espd-cac:EconomicOperatorParty/>
</espd:ESPDResponse>"""


@pytest.mark.parametrize(
    "data",
    [
        ESPD_V1,
        changed(set_text("cbc:ProfileExecutionID", "ESPD-EDMv4.1.0-beta")),
        changed(set_text("cbc:ProfileExecutionID", "ESPD-EDMv4.2.0-RC1")),
        changed(set_text("cbc:ProfileExecutionID", "ESPD-EDMv1.0.2")),
        changed(set_text("cbc:VersionID", "4.1.0-SNAPSHOT")),
        changed(set_text("cbc:VersionID", "draft")),
        changed(set_text("cbc:VersionID", "4.1.0alpha2")),
    ],
)
def test_esdp_edm_1_and_pre_releases(data: bytes) -> None:
    assert refusal(data).refusal is Refusal.DRAFT_VERSION


def test_released_versions_are_taken() -> None:
    for version in ("ESPD-EDMv2.1.1", "ESPD-EDMv3.3.0", "ESPD-EDMv4.1.0"):
        assert read_response(changed(set_text("cbc:ProfileExecutionID", version))).edm_version == (
            version
        )


def test_schema_invalid_names_the_first_error() -> None:
    def edit(root: etree._Element) -> None:
        party = root.find("cac:EconomicOperatorParty/cac:Party", NS)
        assert party is not None
        etree.SubElement(party, f"{{{CBC}}}Favourite").text = "Blauw"

    refused = refusal(changed(edit))
    assert refused.refusal is Refusal.SCHEMA_INVALID
    assert re.match(r"regel \d+: .*Favourite", refused.detail)


def test_a_response_without_answers() -> None:
    def edit(root: etree._Element) -> None:
        for response in root.findall("cac:TenderingCriterionResponse", NS):
            root.remove(response)

    assert refusal(changed(edit)).refusal is Refusal.NO_ANSWERS


# --- the Dutch messages --------------------------------------------------------------------


def test_every_refusal_has_its_dutch_message(app: object) -> None:
    for reason in Refusal:
        assert reason.value in SERVICE_MESSAGES, reason
    assert f"{MAX_BYTES // (1024 * 1024)} MB" in message_for(ServiceError(Refusal.TOO_LARGE.value))
    assert "geen XML-bestand" in message_for(ServiceError(Refusal.NOT_XML.value))
    other = ServiceError(Refusal.OTHER_ORGANISATION.value, kvk="12345678")
    assert message_for(other) == "Dit ESPD is van een andere organisatie (KvK-nummer 12345678)."
