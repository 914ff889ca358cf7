"""Interface labels for enum values (Dutch source strings, translated through Flask-Babel)."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from portal.domain.contract_management import ReportKind, SroiStatus, TalkStatus
from portal.models import (
    AgreementState,
    ApiScope,
    ApplicationState,
    CriterionKind,
    CriterionOrigin,
    DasState,
    EvidenceType,
    IjwUnit,
    LotOutcome,
    ProductVariant,
    QuestionState,
    QuestionSubject,
    ReminderReason,
    Role,
    SizeClass,
    TalkKind,
)

# Pairs, not a dict: members of different str enums with the same value compare equal
# (tests/test_labels.py checks that no two pairs share a key of LABELS).
_PAIRS: list[tuple[enum.Enum, object]] = [
    (Role.PROVIDER, _l("Aanbieder")),
    (Role.REVIEWER, _l("Beoordelaar")),
    (Role.CONTRACT_MANAGER, _l("Contractmanager")),
    (Role.ADMINISTRATOR, _l("Beheerder")),
    (SizeClass.MICRO, _l("Micro (1 tot 9 medewerkers)")),
    (SizeClass.SMALL, _l("Klein (10 tot 49 medewerkers)")),
    (SizeClass.MEDIUM, _l("Middelgroot (50 tot 249 medewerkers)")),
    (SizeClass.LARGE, _l("Groot (250 of meer medewerkers)")),
    (DasState.DRAFT, _l("In voorbereiding")),
    (DasState.OPEN, _l("Open voor aanmeldingen")),
    (DasState.CLOSED, _l("Gesloten")),
    (ApplicationState.DRAFT, _l("Concept")),
    (ApplicationState.SUBMITTED, _l("Ingediend")),
    (ApplicationState.CLARIFICATION, _l("Wacht op herstel")),
    (ApplicationState.DECIDED, _l("Besloten")),
    (ApplicationState.WITHDRAWN, _l("Ingetrokken")),
    (LotOutcome.PENDING, _l("In behandeling")),
    (LotOutcome.ADMITTED, _l("Toegelaten")),
    (LotOutcome.REJECTED, _l("Afgewezen")),
    (AgreementState.AWAITING_SIGNATURE, _l("Wacht op ondertekening")),
    (AgreementState.LIVE, _l("Lopend")),
    (AgreementState.SUSPENDED, _l("Opgeschort")),
    (AgreementState.ENDED, _l("Beëindigd")),
    (CriterionKind.EXCLUSION, _l("Uitsluitingsgrond")),
    (CriterionKind.SUITABILITY, _l("Geschiktheidseis")),
    (CriterionOrigin.ESPD, _l("ESPD-lijst")),
    (CriterionOrigin.NATIONAL, _l("Nationale grond")),
    (CriterionOrigin.OWN, _l("Eigen eis van de regio")),
    (EvidenceType.GEDRAGSVERKLARING, _l("Gedragsverklaring Aanbesteden")),
    (EvidenceType.TAX_STATEMENT, _l("Verklaring betalingsgedrag")),
    (EvidenceType.KVK_EXTRACT, _l("Uittreksel KvK")),
    (EvidenceType.QUALITY_CERTIFICATE, _l("Kwaliteitscertificaat")),
    (EvidenceType.PROFESSIONAL_REGISTRATION, _l("Beroepsregistratie (SKJ/BIG) en VOG-beleid")),
    (EvidenceType.MESSAGING, _l("Bewijs berichtenverkeer (VECOZO/iJw)")),
    (EvidenceType.ANNUAL_ACCOUNTS, _l("Jaarrekening")),
    (EvidenceType.INSURANCE_POLICY, _l("Verzekeringspolis")),
    (EvidenceType.OTHER, _l("Overig document")),
    (IjwUnit.MINUTE, _l("minuut")),
    (IjwUnit.HOUR, _l("uur")),
    (IjwUnit.ETMAAL, _l("etmaal")),
    (IjwUnit.DAGDEEL, _l("dagdeel")),
    (IjwUnit.OUTPUT_PIECES, _l("stuks (output)")),
    (IjwUnit.EUROS, _l("euro's")),
    (IjwUnit.EFFORT_PIECES, _l("stuks (inspanning)")),
    (ProductVariant.LIGHT, _l("licht")),
    (ProductVariant.MEDIUM, _l("midden")),
    (ProductVariant.HEAVY, _l("zwaar")),
    # Contract management (issue 18: exports and pages in words, never `live` or `held`)
    (TalkKind.ACCOUNT, _l("Account-/contractgesprek")),
    (TalkKind.DEVELOPMENT, _l("Ontwikkelgesprek")),
    (TalkStatus.PLANNED, _l("Gepland")),
    (TalkStatus.HELD, _l("Gevoerd")),
    (SroiStatus.NOT_APPLICABLE, _l("niet van toepassing")),
    (SroiStatus.OBLIGED, _l("verplicht")),
    (SroiStatus.ON_TRACK, _l("op schema")),
    (SroiStatus.BEHIND, _l("achter")),
    (SroiStatus.FULFILLED, _l("voldaan")),
    (ReportKind.KPI, _l("KPI")),
    (ReportKind.SROI, _l("Social return")),
    (ReminderReason.DUE_SOON, _l("vooraankondiging")),
    (ReminderReason.LATE, _l("automatisch, te laat")),
    (ReminderReason.MANUAL, _l("handmatig")),
    # Questions and answers on a DAS (issue 20)
    (QuestionSubject.PROCEDURE, _l("Procedure en planning")),
    (QuestionSubject.EXCLUSION, _l("Uitsluitingsgronden")),
    (QuestionSubject.SUITABILITY, _l("Geschiktheidseisen en bewijs")),
    (QuestionSubject.LOTS, _l("Percelen en producten")),
    (QuestionSubject.TARIFFS, _l("Tarieven en indexatie")),
    (QuestionSubject.AGREEMENT, _l("Raamovereenkomst")),
    (QuestionSubject.OTHER, _l("Overig")),
    (QuestionState.OPEN, _l("Open")),
    (QuestionState.ANSWERED, _l("Beantwoord")),
    (QuestionState.MERGED, _l("Samengevoegd")),
    # What an API token may do (issue 23)
    (ApiScope.KPI, _l("KPI-cijfers rapporteren")),
    (ApiScope.SROI, _l("Social return (SROI) rapporteren")),
    (ApiScope.WAITING_TIMES, _l("Wachttijden bijhouden")),
]

# Keyed by enum type and value: members of different str enums with the same value ("medium"
# is a SizeClass and a ProductVariant) compare equal, so a dict keyed by members alone would
# keep one label for both (the size class showed "midden").
LABELS: dict[tuple[type[enum.Enum], object], object] = {
    (type(member), member.value): text for member, text in _PAIRS
}


def label(value: enum.Enum | None) -> str:
    if value is None:
        return ""
    return str(LABELS.get((type(value), value.value), value.value))


PROFILE_FIELD_LABELS = {
    "legal_name": _l("Naam volgens het Handelsregister"),
    "trade_name": _l("Handelsnaam"),
    "kvk_number": _l("KvK-nummer"),
    "branch_number": _l("Vestigingsnummer"),
    "agb_code": _l("AGB-code"),
    "vat_number": _l("Btw-identificatienummer"),
    "iban": _l("IBAN"),
    "street_address": _l("Straat en huisnummer"),
    "postcode": _l("Postcode"),
    "city": _l("Plaats"),
    "size_class": _l("Grootte"),
    "email": _l("E-mailadres"),
    "phone": _l("Telefoonnummer"),
    "signatory_name": _l("Naam tekenbevoegde"),
    "signatory_role": _l("Functie tekenbevoegde"),
}


def profile_field_label(name: str) -> str:
    return str(PROFILE_FIELD_LABELS.get(name, name))


ACTION_LABELS = {
    "application.started": _l("Aanmelding gestart"),
    "application.products_saved": _l("Percelen en producten gekozen"),
    "application.answers_saved": _l("Antwoorden opgeslagen"),
    "application.submitted": _l("Ingediend"),
    "application.assigned": _l("Toegewezen"),
    "application.extended": _l("Termijn verlengd"),
    "application.assessed": _l("Eisen beoordeeld"),
    "review.note_written": _l("Notitie voor de beoordelaars geschreven"),
    "application.decided": _l("Besluit genomen"),
    "conflict.declared": _l("Verklaring belangenconflict"),
    "clarification.asked": _l("Herstelverzoek gestuurd (termijn staat stil)"),
    "clarification.answered": _l("Herstelverzoek beantwoord (termijn loopt weer)"),
    "decision.proposed": _l("Besluit voorgesteld"),
    "decision.returned": _l("Besluit teruggestuurd"),
    "decision.confirmed": _l("Besluit bevestigd door tweede beoordelaar"),
    "lot.admitted": _l("Perceel toegelaten"),
    "lot.rejected": _l("Perceel afgewezen"),
    "declaration.requested": _l("Actuele verklaring gevraagd"),
    "agreement.created": _l("Overeenkomst opgesteld"),
    "agreement.lots_added": _l("Percelen toegevoegd"),
    "agreement.lots_ended": _l("Toelating voor percelen beëindigd"),
    "agreement.signed": _l("Ondertekend door de aanbieder"),
    "agreement.countersigned": _l("Medeondertekend door de gemeenten"),
    "agreement.signed_document_stored": _l("Ondertekende overeenkomst vastgelegd (PDF)"),
    "agreement.suspended": _l("Opgeschort"),
    "agreement.live": _l("Hervat"),
    "agreement.resumed": _l("Hervat"),
    "agreement.ended": _l("Beëindigd"),
    "agreement.end_date_followed": _l("Einddatum gelijk aan de gemeenschappelijke einddatum"),
    "agreement.variation_accepted": _l("Wijziging geaccepteerd"),
    "lump_sum.ceiling_agreed": _l("Plafondbedrag vastgesteld"),
    "lump_sum.ceiling_indexed": _l("Plafondbedrag geïndexeerd"),
    "lump_sum.result_reported": _l("Jaarresultaat gemeld"),
    "lump_sum.result_reviewed": _l("Jaarresultaat beoordeeld"),
    "talk.planned": _l("Gesprek gepland"),
    "talk.logged": _l("Gesprek vastgelegd"),
    "talk.held": _l("Verslag van gesprek vastgelegd"),
    "talk.action_done": _l("Actie uit gesprek afgerond"),
    "talk.outcome": _l("Uitkomst van gesprek vastgelegd"),
    "talk.selected": _l("Geselecteerd voor contractgesprekken"),
    "talk.unselected": _l("Niet meer geselecteerd voor contractgesprekken"),
    "report.reminded": _l("Herinnering rapportage verstuurd"),
    "question.asked": _l("Vraag over de aankondiging gesteld"),
    "question.draft_saved": _l("Concept-antwoord op vraag opgeslagen"),
    "question.answered": _l("Antwoord op vraag gepubliceerd"),
    "question.corrected": _l("Antwoord op vraag gecorrigeerd"),
    "question.merged": _l("Vraag samengevoegd met een andere vraag"),
    "api_token.created": _l("API-sleutel aangemaakt"),
    "api_token.revoked": _l("API-sleutel ingetrokken"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
