"""The ESPD (European Single Procurement Document; Dutch: UEA) as the portal reads and writes it
(issue 22): what a response document says, what a request or response the portal issues holds,
and how a response's answers map onto a DAS's criteria. Pure: no XML here (portal.infra.espd_xml
reads and writes the UBL 2.4 documents), no database.

Source: ../shared/DOMAIN.md "ESPD": ESPD-EDM 2.x and later are UBL QualificationApplicationRequest
and -Response documents; criteria are identified by a criterion type code from the EU criterion
list (portal/data/espd/Criterion.gc) and a UUID from the EU taxonomy."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from portal.domain.grounds import BUCKET_CODES, national_key

#: The code list (listID) of criteria the portal issues itself: a region's own criteria, which the
#: EU list does not have. Their code is the DAS's criterion code (G3); they map back only onto the
#: same DAS (the document's ContractFolderID is the DAS's reference).
OWN_CRITERION_LIST = "urn:das-portaal:criterion"

#: How the portal names a KvK number and a VAT number in a party's PartyIdentification
#: (schemeAgencyID; schemeID "0106" is the ISO 6523 code of the KvK register). Reading also takes
#: the other spellings in READ_KVK_SCHEMES.
KVK_SCHEME_AGENCY = "KVK"
KVK_SCHEME_ID = "0106"
VAT_SCHEME_AGENCY = "VIES"
READ_KVK_SCHEMES = frozenset({"KVK", "NL-KVK", "0106", "NL:KVK"})

#: Codes of the EU criterion list that are no ground or criterion but data about the economic
#: operator (its size, a group, reliance on others, subcontractors ...): the EspdType.OTHER codes
#: of portal.infra.espd (a test keeps the two the same). A document's answers to them are neither
#: mapped nor listed as "not asked".
OPERATOR_DATA_CODES = frozenset(
    {"eo-group", "registered", "relied", "shelt-worksh", "sme", "staff-red", "subco-ent"}
)
#: The ESPD's catch-all for purely national exclusion grounds (named per ground in cbc:Name).
NATIONAL_GROUND = "nati-ground"


class Refusal(enum.StrEnum):
    """Why an uploaded file is not taken as an ESPD response; each has its Dutch message
    (portal.pages.messages) and nothing of the file is stored."""

    EMPTY = "espd_empty"
    TOO_LARGE = "espd_too_large"
    NOT_XML = "espd_not_xml"
    HOSTILE = "espd_hostile"  # a DOCTYPE, entities or external references
    TOO_DEEP = "espd_too_deep"
    WRONG_DOCUMENT = "espd_wrong_document"  # XML, but not a QualificationApplicationResponse
    REQUEST_NOT_RESPONSE = "espd_request_not_response"  # the buyer's request, not an answer
    DRAFT_VERSION = "espd_draft_version"  # ESPD-EDM 1.x or a pre-release version
    UNKNOWN_NAMESPACE = "espd_unknown_namespace"
    SCHEMA_INVALID = "espd_schema_invalid"
    NO_ANSWERS = "espd_no_answers"  # a response without a single answer (an unfinished one)
    OTHER_ORGANISATION = "espd_other_organisation"  # another KvK number than the provider's


@dataclass(frozen=True)
class Party:
    """The economic operator as the document describes it."""

    name: str = ""
    kvk_number: str | None = None
    vat_number: str | None = None
    street_address: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None  # as in the document (ISO 3166 alpha-3, "NLD")
    # A SizeClass value (micro, small, medium, large); None when the document says nothing
    # exact (the EU list's "sme" spans three of the portal's classes).
    size_class: str | None = None
    size_code: str | None = None  # the document's own code, for saying why it did not map
    email: str | None = None
    phone: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class CodeAnswer:
    """The answer to one criterion of the document."""

    code: str  # a code of the EU criterion list ("fraud"), or the DAS's own code ("G3")
    own: bool  # True: a criterion of OWN_CRITERION_LIST
    name: str  # the criterion's name in the document (a national ground's name)
    value: bool | None  # the main yes/no answer; None: the document has none for it
    explanation: str = ""
    self_cleaning: str = ""


@dataclass(frozen=True)
class ResponseDocument:
    """What the portal reads from an ESPD response."""

    uuid: str
    issue_date: date | None
    edm_version: str  # ProfileExecutionID or VersionID, e.g. "ESPD-EDMv4.1.0"
    contracting_party: str  # the buyer's name
    procedure: str  # ContractFolderID: the procedure's reference (a DAS's reference)
    party: Party
    answers: tuple[CodeAnswer, ...]


@dataclass(frozen=True)
class CriterionFacts:
    """One of a DAS's criteria, as an ESPD request names it."""

    code: str  # the DAS's code: U1, G3
    kind: str  # "exclusion" or "suitability"
    origin: str  # "espd", "national" or "own"
    espd_codes: tuple[str, ...]
    title: str
    question: str


@dataclass(frozen=True)
class RequestFacts:
    """A DAS as its ESPD request describes it."""

    reference: str  # the DAS's reference: the ContractFolderID
    name: str
    description: str
    buyer_name: str
    lots: tuple[tuple[str, str], ...]  # (lot code, lot name)
    criteria: tuple[CriterionFacts, ...]
    issued_on: date
    document_uuid: str  # stable for the DAS's published version


@dataclass(frozen=True)
class AnswerFacts:
    criterion_code: str  # the DAS's code
    value: bool | None
    explanation: str = ""
    self_cleaning: str = ""


@dataclass(frozen=True)
class ResponseFacts:
    """A submitted application as its ESPD response describes it."""

    request: RequestFacts
    party: Party
    answers: tuple[AnswerFacts, ...]
    reference: str  # the application's reference
    submitted_at: datetime
    document_uuid: str
    lots: tuple[str, ...] = field(default=())  # the codes of the lots applied for


@dataclass(frozen=True)
class Filled:
    """A criterion of the DAS that an imported response answers."""

    criterion_code: str
    value: bool
    explanation: str
    self_cleaning: str
    from_codes: tuple[str, ...]  # the document's criteria it was read from


class NotMappedReason(enum.StrEnum):
    NOT_ASKED = "not_asked"  # the DAS asks nothing with this code
    NO_YES_NO = "no_yes_no"  # the document holds no yes/no answer for it (an amount, a list)
    PARTLY = "partly"  # the criterion asks about more codes than the document answers
    NOT_ANSWERED = "not_answered"  # a criterion of the DAS the document does not answer
    OWN_OF_OTHER = "own_of_other"  # another procedure's own criterion
    # An EU selection criterion answered "no": its yes/no asks whether the operator fulfils the
    # criterion by itself, so "no" says it relies on others' capacities, not that it fails.
    RELIES_ON_OTHERS = "relies_on_others"


@dataclass(frozen=True)
class NotMapped:
    code: str  # the document's code, or the DAS's criterion code for NOT_ANSWERED
    reason: NotMappedReason
    criterion_code: str | None = None  # the DAS's criterion concerned, where there is one


def map_answers(
    criteria: Sequence[CriterionFacts], document: ResponseDocument, das_reference: str
) -> tuple[list[Filled], list[NotMapped]]:
    """Which of the DAS's criteria the document answers, and what it could not map and why.

    By the convention shared with the writer (portal.infra.espd_build): a criterion takes the
    document's answers to its ESPD codes; a national ground the answer to the `nati-ground`
    criterion carrying its name (portal.domain.grounds.national_key); a criterion whose only code
    is `nati-ground` the document's other `nati-ground` answers; an own criterion the answer to
    its own code, only from a document of the same procedure (ContractFolderID == the DAS's
    reference). Several codes answer one criterion: an exclusion ground is "yes" when any is
    yes, a suitability criterion "yes" when all are. An EU selection criterion's yes/no asks
    whether the operator fulfils it by itself: a "no" (it relies on others) fills nothing and is
    listed (RELIES_ON_OTHERS); a criterion whose codes the document answers
    only in part is not filled (PARTLY), unless a "yes" already decides an exclusion ground."""
    same_procedure = document.procedure.strip() == das_reference.strip()
    by_code: dict[str, list[CodeAnswer]] = {}
    national: dict[str, list[CodeAnswer]] = {}
    own: dict[str, list[CodeAnswer]] = {}
    for answer in document.answers:
        if answer.own:
            own.setdefault(answer.code, []).append(answer)
        elif answer.code == NATIONAL_GROUND:
            national.setdefault(national_key(answer.name), []).append(answer)
        else:
            by_code.setdefault(answer.code, []).append(answer)
    named_grounds = {
        national_key(c.title) for c in criteria if c.origin == "national" and not _ground_codes(c)
    }
    filled: list[Filled] = []
    not_mapped: list[NotMapped] = []
    asked_codes: set[str] = set()
    asked_grounds: set[str] = set()
    asked_own: set[str] = set()
    for criterion in criteria:
        codes = _ground_codes(criterion)
        if codes:
            asked_codes.update(codes)
            found = [(code, by_code.get(code, [])) for code in codes]
            relying = [c for c, answers in found if any(a.value is False for a in answers)]
            if criterion.kind != "exclusion" and relying:
                not_mapped.extend(
                    NotMapped(c, NotMappedReason.RELIES_ON_OTHERS, criterion.code) for c in relying
                )
                continue
        elif criterion.origin == "national":
            key = national_key(criterion.title)
            asked_grounds.add(key)
            found = [(NATIONAL_GROUND, national.get(key, []))]
        elif criterion.origin == "own" or not criterion.espd_codes:
            # Without an ESPD code the writer issues it as the DAS's own (portal.infra.espd_build).
            if not same_procedure:
                not_mapped.append(
                    NotMapped(criterion.code, NotMappedReason.NOT_ANSWERED, criterion.code)
                )
                continue
            asked_own.add(criterion.code)
            found = [(criterion.code, own.get(criterion.code, []))]
        elif NATIONAL_GROUND in (c.lower() for c in criterion.espd_codes):
            # The catch-all "purely national grounds": what the document declares about the
            # national grounds this DAS does not ask one by one.
            others = [
                a for key, answers in national.items() if key not in named_grounds for a in answers
            ]
            asked_grounds.update(k for k in national if k not in named_grounds)
            found = [(NATIONAL_GROUND, others)]
        else:
            found = []
        outcome = _combine(criterion, found)
        if isinstance(outcome, Filled):
            filled.append(outcome)
        else:
            not_mapped.extend(outcome)
    listed: set[tuple[str, NotMappedReason]] = set()
    for answer in document.answers:
        if answer.own:
            if not same_procedure:
                reason = NotMappedReason.OWN_OF_OTHER
            elif answer.code in asked_own:
                continue
            else:
                reason = NotMappedReason.NOT_ASKED
        elif answer.code == NATIONAL_GROUND:
            if national_key(answer.name) in asked_grounds:
                continue
            reason = NotMappedReason.NOT_ASKED
        elif answer.code in asked_codes or answer.code in OPERATOR_DATA_CODES:
            continue
        else:
            reason = NotMappedReason.NOT_ASKED
        if (answer.code, reason) not in listed:
            listed.add((answer.code, reason))
            not_mapped.append(NotMapped(answer.code, reason))
    return filled, not_mapped


def _ground_codes(criterion: CriterionFacts) -> tuple[str, ...]:
    """The criterion's ESPD codes in its own order, without the national catch-all (as
    portal.domain.grounds.ground_of reads them)."""
    codes = " ".join(criterion.espd_codes).replace(",", " ").lower().split()
    return tuple(dict.fromkeys(c for c in codes if c not in BUCKET_CODES))


def _combine(
    criterion: CriterionFacts, found: Sequence[tuple[str, Sequence[CodeAnswer]]]
) -> Filled | list[NotMapped]:
    """One criterion's answer from the document's answers to each of its codes."""
    if not any(answers for _code, answers in found):
        return [NotMapped(criterion.code, NotMappedReason.NOT_ANSWERED, criterion.code)]
    decided = [(code, [a for a in answers if a.value is not None]) for code, answers in found]
    valued = [(code, answers) for code, answers in decided if answers]
    if not valued:
        return [
            NotMapped(code, NotMappedReason.NO_YES_NO, criterion.code)
            for code, answers in found
            if answers
        ]
    values = [a.value for _code, answers in valued for a in answers]
    exclusion = criterion.kind == "exclusion"
    complete = len(valued) == len(found)
    if exclusion and any(values):
        value = True
    elif complete:
        value = all(values) if not exclusion else False
    else:
        return [
            NotMapped(
                code,
                NotMappedReason.NO_YES_NO if answers else NotMappedReason.PARTLY,
                criterion.code,
            )
            for code, answers in found
            if not any(a.value is not None for a in answers)
        ]
    used = [a for _code, answers in valued for a in answers]
    return Filled(
        criterion_code=criterion.code,
        value=value,
        explanation=_once(a.explanation for a in used),
        self_cleaning=_once(a.self_cleaning for a in used),
        from_codes=tuple(code for code, _answers in valued),
    )


def _once(texts: Iterable[str]) -> str:
    """Texts joined by a blank line, each once (the same text under several codes)."""
    return "\n\n".join(dict.fromkeys(t for t in texts if t))
