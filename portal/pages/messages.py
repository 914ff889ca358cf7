"""Dutch messages for refusals raised by services, problems they find in input, and gaps found
by the domain. Services hand out codes with parameters; the sentence is written here, in the
reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.domain import money
from portal.domain.eligibility import Gap, Missing
from portal.pages.money import format_figure, format_money
from portal.services import Problem, RowError, ServiceError

SERVICE_MESSAGES = {
    "email_taken": _l("Er is al een account met dit e-mailadres. Log in of kies een ander adres."),
    "kvk_taken": _l(
        "Deze organisatie (KvK-nummer) is al geregistreerd. Vraag de beheerder van uw organisatie "
        "om u toegang te geven."
    ),
    "das_not_open": _l("Dit aankoopsysteem staat nu niet open voor aanmeldingen."),
    "application_in_review": _l(
        "Uw organisatie heeft al een aanmelding voor dit aankoopsysteem in behandeling."
    ),
    "application_not_draft": _l(
        "Deze aanmelding is al ingediend en kan niet meer worden gewijzigd."
    ),
    "application_incomplete": _l(
        "Uw aanmelding is nog niet compleet. Vul eerst de onderdelen hieronder aan."
    ),
    "not_allowed_to_submit": _l(
        "Alleen de beheerder of tekenbevoegde van uw organisatie kan de aanmelding indienen."
    ),
    "unknown_lot": _l("Kies alleen percelen uit de lijst."),
    "unknown_product": _l("Kies alleen producten uit de lijst."),
    "lot_already_admitted": _l(
        "U bent voor dit perceel al toegelaten. Kies producten uit andere percelen."
    ),
    "all_lots_admitted": _l("U bent al voor alle percelen van dit aankoopsysteem toegelaten."),
    "unknown_criterion": _l("Deze vraag hoort niet bij dit aankoopsysteem."),
    "unknown_document": _l("Kies alleen documenten van uw eigen organisatie."),
    "upload_bad_name": _l("De bestandsnaam is ongeldig. Geef het bestand een gewone naam."),
    "upload_too_large": _l("Het bestand is te groot. Het mag hoogstens %(limit_mb)s MB zijn."),
    "upload_empty": _l("Het bestand is leeg. Kies een bestand met inhoud."),
    "upload_wrong_type": _l(
        "Dit soort bestand kunnen we niet aannemen. Upload een PDF, PNG, JPEG, DOCX of ODT."
    ),
    "upload_name_mismatch": _l(
        "De inhoud van het bestand past niet bij de naam: het is een %(kind)s-bestand. "
        "Geef het de extensie .%(extension)s en probeer het opnieuw."
    ),
    "upload_extension_not_allowed": _l(
        "Bestanden met de extensie .%(extension)s nemen we niet aan. Upload een PDF, PNG, JPEG, "
        "DOCX of ODT, met een naam op .pdf, .png, .jpg, .jpeg, .docx of .odt."
    ),
    "upload_expires_before_issue": _l("De einddatum ligt voor de datum van afgifte."),
    "pending_upload_gone": _l(
        "Het eerder ontvangen bestand is niet meer beschikbaar. Kies het bestand opnieuw."
    ),
    "carried_answers_unconfirmed": _l(
        "Bevestig dat u de overgenomen antwoorden en documenten heeft gecontroleerd, of pas ze "
        "aan bij de uitsluitingsgronden en geschiktheidseisen."
    ),
    "reused_documents_unconfirmed": _l(
        "Bevestig dat de eerder ingediende documenten ook gelden voor de nieuwe percelen, of "
        "voeg bij de geschiktheidseisen documenten toe die dat wel doen."
    ),
    "application_changed": _l(
        "Iemand anders heeft deze aanmelding intussen gewijzigd. Bekijk de actuele stand en "
        "probeer het opnieuw."
    ),
    "application_not_in_review": _l("Over deze aanmelding is al besloten."),
    "decide_every_lot": _l("Neem voor elk perceel een besluit: toelaten of afwijzen."),
    "reason_required": _l("Geef bij een afwijzing de reden op."),
    "link_expired": _l("Deze link is verlopen. Vraag een nieuwe aan."),
    "link_invalid": _l("Deze link is ongeldig. Controleer of u de hele link heeft gebruikt."),
    "link_used": _l("Deze link is al gebruikt. Vraag zo nodig een nieuwe aan."),
    "email_already_verified": _l(
        "Uw e-mailadres is al bevestigd. Log in met uw e-mailadres en wachtwoord."
    ),
    "wrong_password": _l("Het huidige wachtwoord klopt niet."),
    "totp_wrong_code": _l(
        "Deze code klopt niet. Typ de zes cijfers die uw app nu toont, of een herstelcode."
    ),
    "totp_code_used": _l("Deze code is al gebruikt. Wacht op de volgende code in uw app."),
    "totp_not_set_up": _l("Stel eerst de verificatie in twee stappen in."),
    "two_factor_required_for_staff": _l(
        "Voor medewerkers van de gemeenten is verificatie in twee stappen verplicht."
    ),
    "two_factor_required_by_organisation": _l(
        "Uw organisatie heeft verificatie in twee stappen verplicht gesteld. Alleen de beheerder "
        "van uw organisatie kan dat veranderen."
    ),
    "two_factor_enable_first": _l(
        "Zet eerst verificatie in twee stappen aan voor uw eigen account (Mijn account); daarna "
        "kunt u het verplicht stellen voor uw collega's."
    ),
    "not_organisation_admin": _l("Alleen de beheerder van uw organisatie kan dit doen."),
    # API tokens (issue 23).
    "api_token_name_missing": _l("Geef de sleutel een naam, bijvoorbeeld die van uw software."),
    "api_token_name_too_long": _l("De naam mag hoogstens %(limit)s tekens lang zijn."),
    "api_token_name_taken": _l(
        "Uw organisatie heeft al een sleutel met de naam '%(name)s'. Kies een andere naam, of "
        "trek de oude sleutel eerst in."
    ),
    "api_token_no_scopes": _l("Kies ten minste één onderdeel waarvoor de sleutel mag rapporteren."),
    "api_token_unknown_scope": _l("Kies alleen onderdelen uit de lijst."),
    "api_token_limit": _l(
        "Uw organisatie heeft al %(limit)s sleutels in gebruik. Trek eerst een sleutel in die u "
        "niet meer gebruikt."
    ),
    "already_colleague": _l("Deze persoon heeft al een account bij uw organisatie."),
    "not_found": _l("Dit bestaat niet (meer)."),
    # The API for providers' software (portal/api; issue 23): refusals of the request itself.
    "api_token_missing": _l(
        "Geef uw API-sleutel mee in de kop Authorization: Bearer gevolgd door de sleutel."
    ),
    "api_token_invalid": _l(
        "Deze API-sleutel is onbekend of ingetrokken. Maak zo nodig een nieuwe aan."
    ),
    "api_scope_missing": _l("Deze API-sleutel mag dit niet: het onderdeel '%(scope)s' ontbreekt."),
    "api_method_not_allowed": _l("Dit kan hier niet met %(method)s. Gebruik %(allowed)s."),
    "api_body_too_large": _l("Het verzoek is te groot: hoogstens %(limit_kb)s kB."),
    "api_not_json": _l("Stuur de gegevens als JSON, met de kop Content-Type: application/json."),
    "api_malformed_json": _l("De gegevens zijn geen geldige JSON."),
    "api_bad_request": _l("Dit verzoek kunnen wij niet lezen."),
    "api_invalid": _l("Er is niets opgeslagen. Verbeter de gegevens die onder errors staan."),
    "api_rate_limited": _l(
        "Te veel verzoeken met deze sleutel. Probeer het over %(seconds)s seconden opnieuw."
    ),
    "api_server_error": _l("Er ging bij ons iets mis. Probeer het later opnieuw."),
    "api_field_required": _l("Dit veld is verplicht."),
    "api_unknown_field": _l("Dit veld kennen wij niet."),
    "api_expected_object": _l("Geef hier een JSON-object."),
    "api_expected_array": _l("Geef hier een lijst."),
    "api_expected_string": _l("Geef hier tekst."),
    "api_expected_integer": _l("Geef hier een geheel getal."),
    "api_expected_number": _l("Geef hier een getal."),
    "api_expected_boolean": _l("Geef hier true of false."),
    "api_list_too_long": _l("Geef hoogstens %(limit)s regels in één verzoek."),
    "api_nul_character": _l("Deze tekst bevat een NUL-teken. Laat het weg."),
    "api_municipality_and_subregion": _l("Geef een gemeente of een subregio, niet allebei."),
    "api_unknown_subregion": _l("Subregio '%(subregion)s' hoort niet bij dit aankoopsysteem."),
    "api_unknown_product": _l("Product '%(product)s' hoort niet bij perceel %(lot)s."),
    "sroi_year_outside": _l("Kies een jaar van %(first)s tot en met %(last)s."),
    "idempotency_key_invalid": _l("Een Idempotency-Key is 1 tot 255 leesbare tekens lang."),
    "idempotency_key_reused": _l(
        "Deze Idempotency-Key is al gebruikt voor een ander verzoek. Kies voor elk nieuw "
        "verzoek een nieuwe sleutel."
    ),
    "idempotency_key_in_use": _l(
        "Een verzoek met deze Idempotency-Key is nog bezig. Probeer het zo opnieuw."
    ),
    "mail_not_failed": _l(
        "Deze e-mail is niet mislukt: hij staat nog in de wachtrij of is al verstuurd."
    ),
    "cannot_remove_self": _l("U kunt uw eigen toegang niet intrekken."),
    "extension_reason_required": _l("Geef de reden voor de verlenging op."),
    "extension_beyond_maximum": _l(
        "De beoordelingstermijn mag hoogstens 15 werkdagen zijn (de wettelijke grens)."
    ),
    "extension_not_longer": _l("Kies een termijn die langer is dan de huidige."),
    "not_a_reviewer_of_this_das": _l("Deze persoon beoordeelt niet voor dit aankoopsysteem."),
    "reviewer_has_conflict": _l(
        "Er is een belangenconflict gemeld: deze beoordelaar mag deze aanmelding niet beoordelen."
    ),
    "own_conflict": _l(
        "U heeft een belangenconflict gemeld bij deze aanbieder. Daarom kunt u niets doen met "
        "deze aanmelding of de toelating ervan, en de stukken niet inzien."
    ),
    "conflict_already_declared": _l("U heeft voor deze aanmelding al een verklaring afgelegd."),
    "declare_conflict_first": _l(
        "Verklaar eerst of u een belangenconflict heeft met deze aanbieder."
    ),
    "decision_already_proposed": _l(
        "Er ligt al een besluit klaar voor bevestiging door een tweede beoordelaar."
    ),
    "mark_reason_required": _l(
        "Geef een reden bij elke afwijzing en bij elke afwijking van het voorlopige oordeel "
        "(%(codes)s)."
    ),
    "question_required": _l("Schrijf uw vraag aan de aanbieder."),
    "clarification_closed": _l("Deze vraag is al beantwoord."),
    "reply_required": _l("Schrijf een antwoord of voeg een document toe."),
    # No rubber stamp (issue 18): the criteria still to assess, each "code title (why)".
    "assess_these_first": _l(
        "Beoordeel eerst deze eisen voordat u een besluit neemt: %(criteria)s."
    ),
    "criterion_to_assess": _l("%(criterion)s %(title)s (%(why)s)"),
    "attention_judgement": _l("oordeel nodig"),
    "attention_new_evidence": _l("nieuw bewijs na herstelverzoek"),
    "attention_open_clarification": _l("herstelverzoek staat open"),
    "attention_not_assessed": _l("nog niet beoordeeld"),
    "no_verdict_given": _l("Kies bij minstens één eis voldoet of voldoet niet."),
    "note_required": _l("Schrijf uw notitie."),
    "admit_with_failed_criteria": _l(
        "U kunt geen perceel toelaten zolang een eis als 'voldoet niet' is beoordeeld."
    ),
    "nothing_to_confirm": _l("Er is geen besluit om te bevestigen."),
    "own_decision": _l(
        "U kunt uw eigen besluit niet bevestigen. Een tweede beoordelaar moet dat doen."
    ),
    "return_reason_required": _l("Geef aan waarom u het besluit terugstuurt."),
    "suspension_reason_required": _l("Geef de reden voor de opschorting op."),
    "agreement_not_live": _l("Deze overeenkomst loopt niet (meer)."),
    "no_overdue_request": _l("Opschorten kan pas als een gevraagde actuele verklaring te laat is."),
    "update_in_review": _l(
        "De aanbieder heeft een bijgewerkte verklaring ingediend; beoordeel die eerst."
    ),
    "import_unreadable": _l(
        "Dit bestand kunnen we niet lezen. Gebruik een CSV-bestand (UTF-8) of een Excel-bestand "
        "(.xlsx)."
    ),
    # The limits of portal/infra/spreadsheets.py, checked before a file is read.
    "spreadsheet_too_big": _l(
        "Dit bestand is groter dan %(mb)s MB. Een bestand om in te lezen mag niet groter zijn."
    ),
    "spreadsheet_unpacks_too_big": _l(
        "Dit Excel-bestand lezen we niet in: uitgepakt is het groter dan %(mb)s MB, of meer "
        "dan %(ratio)s keer zo groot als het bestand zelf. Sla alleen de gegevens op in een nieuw "
        "bestand, of gebruik CSV."
    ),
    "spreadsheet_too_many_rows": _l(
        "Dit bestand heeft meer dan %(rows)s regels. Een bestand om in te lezen mag ten hoogste "
        "%(rows)s regels hebben; verdeel de gegevens over meer bestanden."
    ),
    "spreadsheet_too_many_columns": _l(
        "Dit bestand heeft meer dan %(columns)s kolommen. Een bestand om in te lezen mag ten "
        "hoogste %(columns)s kolommen hebben."
    ),
    "spreadsheet_cell_too_long": _l(
        "Een cel in dit bestand heeft meer dan %(chars)s tekens. Dat is meer dan een cel om in "
        "te lezen mag hebben."
    ),
    "tariff_missing": _l("Vul voor elk product een tarief in."),
    "tariff_negative": _l("Een tarief kan niet negatief zijn."),
    "figure_clear_and_given": _l("Laat het veld leeg als u het opgeslagen cijfer wist."),
    "figure_implausible": _l(
        "Een indexcijfer ligt buiten -10% tot 25%. Controleer het en bevestig dat het klopt."
    ),
    "weight_out_of_range": _l("Het gewicht van de OVA ligt tussen 0 en 100%."),
    # A DAS's terms and staff (issue 19: portal.services.das_terms, portal.services.staff).
    "weight_percent_out_of_range": _l("Een gewicht ligt tussen 0 en 100%."),
    "weights_not_hundred": _l("De gewichten van OVA en PPC moeten samen 100% zijn."),
    "year_outside_term": _l(
        "Kies een jaar binnen de looptijd van het aankoopsysteem: %(first)s tot en met %(last)s."
    ),
    "percent_out_of_range": _l("Vul een percentage tussen 0 en 100 in."),
    "amount_negative": _l("Vul een bedrag van 0 of meer in."),
    "allocation_text_missing": _l(
        "Vul deze tekst in; aanbieders lezen hem voor zij zich aanmelden."
    ),
    "privacy_role_missing": _l("Kies de rol van de jeugdhulpaanbieder."),
    "terms_fixed_by_agreements": _l(
        "Dit ligt vast: er lopen %(count)s overeenkomsten op deze voorwaarden. Laat de waarde "
        "staan zoals die was."
    ),
    "staff_role_unknown": _l("Kies de rol: beoordelaar, contractmanager of beheerder."),
    "staff_email_is_provider": _l(
        "Dit e-mailadres hoort bij een account van een zorgaanbieder. Nodig een ander adres uit."
    ),
    "staff_other_role": _l(
        "Dit e-mailadres hoort bij een medewerker met de rol %(role)s; een account heeft één rol. "
        "Kies die rol of een ander adres."
    ),
    "staff_account_inactive": _l("Het account met dit e-mailadres is uitgeschakeld."),
    "staff_already_assigned": _l("Deze medewerker heeft al toegang tot dit aankoopsysteem."),
    "staff_administrator_sees_all": _l(
        "Een beheerder ziet alle aankoopsystemen; die toegang eindigt alleen met het account."
    ),
    "no_tariffs_for_previous_year": _l(
        "Er zijn nog geen tarieven voor %(year)s; die zijn nodig om verder te indexeren."
    ),
    "index_figure_missing": _l(
        "Het indexcijfer %(figure)s van %(year)s ontbreekt. Vul het eerst in."
    ),
    "sheet_exists": _l(
        "De tarieven voor %(year)s zijn al gepubliceerd. Een gepubliceerd tarievenblad wijzigt "
        "niet; publiceer zo nodig een correctie."
    ),
    "correct_the_current_sheet": _l("Een correctie verwijst naar het geldende tarievenblad."),
    "correction_note_required": _l("Schrijf wat de correctie verbetert."),
    "unknown_authority": _l("Deze gemeente hoort niet bij dit aankoopsysteem."),
    "product_code_taken": _l("Productcode %(product_code)s bestaat al in dit aankoopsysteem."),
    "product_already_retired": _l("Dit product is al beëindigd."),
    "lot_code_taken": _l("Perceel %(lot_code)s bestaat al in dit aankoopsysteem."),
    "not_a_signatory": _l(
        "Alleen de tekenbevoegde of de beheerder van uw organisatie kan dit ondertekenen."
    ),
    "agreement_not_awaiting_signature": _l("Deze overeenkomst wacht niet op ondertekening."),
    "provider_has_not_signed": _l(
        "De aanbieder heeft nog niet ondertekend; pas daarna kunt u medeondertekenen."
    ),
    "document_changed": _l(
        "Het opgeslagen document komt niet overeen met de vastgelegde versie. Neem contact op "
        "met de beheerder."
    ),
    # A decision letter, report or agreement a job is still rendering (portal/pages/pending.py).
    "document_pending": _l("Het document wordt gemaakt; probeer het over een minuut opnieuw."),
    "no_option_left": _l("Er is geen verlengingsoptie meer over."),
    "option_too_late": _l("Een optie kan alleen worden gelicht op of voor de huidige einddatum."),
    "changed_meanwhile": _l(
        "Iemand anders heeft dit intussen gewijzigd. Bekijk de actuele stand en probeer het "
        "opnieuw."
    ),
    "variation_already_accepted": _l("Deze wijziging is al geaccepteerd."),
    "state_reason_required": _l("Geef de reden op."),
    "state_change_not_allowed": _l("Deze wijziging kan niet in de huidige status."),
    "kpi_code_taken": _l("KPI %(kpi_code)s bestaat al in dit aankoopsysteem."),
    "threshold_beyond_target": _l(
        "De signaleringsgrens moet aan de slechte kant van de norm liggen."
    ),
    "region_target_needs_region_kpi": _l(
        "Alleen een regiospecifieke KPI kan een norm voor de regio als geheel hebben."
    ),
    "figures_refused": _l("Er is niets opgeslagen: %(problems)s"),
    # One reported figure (services.kpis.reporting.check_figure); %(kpi)s is the KPI's name.
    "figure_not_storable": _l("%(kpi)s: dit getal kunnen wij niet opslaan."),
    "figure_below_minimum": _l("%(kpi)s: de waarde mag niet lager zijn dan %(minimum)s."),
    "figure_above_maximum": _l("%(kpi)s: de waarde mag niet hoger zijn dan %(maximum)s."),
    "period_not_over": _l("%(kpi)s: periode %(period)s is nog niet voorbij."),
    "agreement_not_yet_running": _l("%(kpi)s: de overeenkomst liep in die periode nog niet."),
    # Rows of an imported file (services.kpis.reporting.parse_rows, services.tariffs.parse_tariff_rows).
    "file_empty": _l("Het bestand is leeg."),
    "kpi_file_columns": _l(
        "De eerste regel moet de kolommen 'kpi', 'periode' en 'waarde' bevatten."
    ),
    "unknown_kpi": _l("KPI '%(kpi_code)s' bestaat niet."),
    "period_does_not_fit": _l(
        "Periode '%(period)s' past niet bij %(kpi)s (bijvoorbeeld 2027-K1, 2027-H1 of 2027)."
    ),
    "not_a_number": _l("'%(text)s' is geen getal."),
    "lot_not_in_agreement": _l("Perceel '%(lot)s' hoort niet bij uw overeenkomst."),
    "authority_not_in_das": _l("Gemeente '%(authority)s' hoort niet bij dit aankoopsysteem."),
    "figure_repeated": _l("%(kpi)s %(period)s staat ook op regel %(row)s."),
    "tariff_file_columns": _l(
        "De eerste regel moet de kolommen 'productcode' en 'tarief' bevatten."
    ),
    "product_code_missing": _l("De productcode ontbreekt."),
    "unknown_product_code": _l("Productcode %(product_code)s bestaat niet in dit aankoopsysteem."),
    "product_code_repeated": _l("Productcode %(product_code)s staat ook op regel %(row)s."),
    "unit_mismatch": _l(
        "Eenheid %(unit)s hoort niet bij %(product_code)s (verwacht %(expected)s)."
    ),
    "amount_above_maximum": _l("'%(text)s' is meer dan het hoogste bedrag (%(maximum)s)."),
    "not_an_amount": _l("'%(text)s' is geen bedrag; schrijf bijvoorbeeld 104,96."),
    "tariffs_missing_for": _l("Er ontbreekt een tarief voor: %(product_codes)s."),
    # SROI reference turnover (services.kpis.sroi_turnover), typed or imported.
    "turnover_year_outside": _l(
        "Over %(year)s kan geen omzet worden vastgelegd: kies een jaar van %(first)s tot en met "
        "%(last)s."
    ),
    "turnover_stored_meanwhile": _l(
        "Iemand anders legde tegelijk een omzet voor deze aanbieder vast. Probeer het opnieuw."
    ),
    "turnover_file_columns": _l(
        "De eerste regel moet de kolommen 'jaar' en 'omzet' bevatten, en 'agb_code' of "
        "'kvk_nummer'."
    ),
    "turnover_provider_missing": _l("Vul een AGB-code of een KvK-nummer in."),
    "turnover_unknown_provider": _l(
        "Geen aanbieder met AGB-code of KvK-nummer %(provider_code)s heeft een overeenkomst in dit "
        "aankoopsysteem."
    ),
    "turnover_codes_disagree": _l(
        "AGB-code %(agb)s en KvK-nummer %(kvk)s horen bij verschillende aanbieders."
    ),
    "turnover_not_a_year": _l("'%(text)s' is geen jaar; schrijf bijvoorbeeld 2025."),
    "turnover_not_an_amount": _l(
        "'%(text)s' is geen bedrag; schrijf bijvoorbeeld 250000, 250.000,00 of 250000.00."
    ),
    "turnover_amount_too_large": _l("Dit bedrag is te hoog om een omzet te zijn."),
    "turnover_repeated": _l("%(provider)s staat voor %(year)s ook op regel %(row)s."),
    "duplicate_figure": _l("U vult voor dezelfde KPI en periode twee waarden in."),
    "correction_reason_required": _l(
        "Voor deze periode is al een waarde gemeld. Geef de reden van de correctie op; de eerdere "
        "waarde blijft in de historie."
    ),
    "participants_required": _l("Vul in wie er bij het gesprek waren."),
    "talk_report_before_held": _l(
        "Dit gesprek ligt in de toekomst en wordt gepland: leg de afspraken en acties vast "
        "nadat het is gevoerd."
    ),
    "talk_already_held": _l("Van dit gesprek is het verslag al vastgelegd."),
    "talk_not_yet_held": _l("Een gesprek dat nog moet plaatsvinden heeft nog geen verslag."),
    "talk_report_empty": _l("Vul de gemaakte afspraken of ten minste één vervolgactie in."),
    "action_owner_required": _l("Vul bij elke vervolgactie in wie haar uitvoert."),
    "action_already_done": _l("Deze actie is al afgerond."),
    "action_done_in_future": _l("Een actie kan niet in de toekomst zijn afgerond."),
    "selection_reason_required": _l("Geef de reden van de selectie op."),
    "talk_providers_required": _l("Kies de aanbieder of aanbieders met wie het gesprek is."),
    "talk_provider_not_in_das": _l("Deze aanbieder heeft geen overeenkomst in dit aankoopsysteem."),
    "account_talk_one_provider": _l(
        "Een account-/contractgesprek is met één aanbieder; kies een ontwikkelgesprek om met "
        "meerdere aanbieders tegelijk te praten."
    ),
    "talk_provider_not_invited": _l("Deze aanbieder was niet voor het gesprek uitgenodigd."),
    "talk_outcome_before_held": _l(
        "De uitkomst legt u vast nadat het gesprek is gevoerd: leg eerst het verslag vast."
    ),
    "talk_outcome_required": _l("Vul de uitkomst voor deze aanbieder in."),
    "report_not_late": _l(
        "Deze rapportage is niet (meer) te laat: er is geen herinnering verstuurd."
    ),
    "reminder_already_sent": _l(
        "Over deze rapportage is vandaag al een herinnering verstuurd; er is geen tweede verstuurd."
    ),
    "sroi_activity_required": _l("Beschrijf de activiteit."),
    "sroi_amount_positive": _l("Het bedrag moet groter zijn dan nul."),
    "holiday_name_required": _l("Geef de dag een naam, bijvoorbeeld 'Vrijdag na Hemelvaart'."),
    "holiday_exists": _l("Deze dag staat al in de kalender."),
    "statutory_holiday": _l("Een wettelijke feestdag kan niet worden verwijderd."),
    "nothing_to_update": _l("Deze aanbieder is voor geen enkel perceel toegelaten."),
    "update_has_fixed_lots": _l(
        "Bij het bijwerken van uw verklaring blijven de percelen gelijk aan uw toelating."
    ),
    "message_required": _l("Schrijf wat u van de aanbieder vraagt."),
    "due_date_in_past": _l("Kies een datum in de toekomst."),
    "declaration_already_requested": _l(
        "Er staat al een verzoek om een actuele verklaring open voor deze aanbieder."
    ),
    # Setting up and running a DAS (portal.services.das_setup, portal.domain.das_life_cycle).
    "settings_refused": _l("Er is niets opgeslagen. Verbeter de gemarkeerde velden."),
    "name_required": _l("Vul de naam van het aankoopsysteem in."),
    "summary_required": _l("Vul een korte omschrijving in."),
    "scope_required": _l("Beschrijf wat er wordt ingekocht."),
    "reference_required": _l("Vul het kenmerk in, bijvoorbeeld ML-AJW."),
    "reference_taken": _l("Dit kenmerk is al in gebruik. Kies een ander kenmerk."),
    "slug_form": _l(
        "Gebruik alleen kleine letters, cijfers en koppeltekens (hoogstens 80 tekens), "
        "bijvoorbeeld jeugdhulp-midden-limburg."
    ),
    "slug_taken": _l("Deze korte naam is al in gebruik. Kies een andere."),
    "slug_fixed_after_publication": _l(
        "De korte naam staat in het adres van de gepubliceerde aankondiging en verandert daarom "
        "niet meer."
    ),
    "cpv_form": _l("Schrijf de CPV-code als acht cijfers, een streepje en een cijfer: 85000000-9."),
    "extra_cpv_form": _l(
        "'%(given)s' is geen CPV-code. Schrijf elke code als acht cijfers, een streepje en een "
        "cijfer: 85311300-5."
    ),
    "term_inverted": _l("De einddatum moet na de begindatum van de looptijd liggen."),
    "options_out_of_range": _l("Kies 0 tot 5 verlengingsopties van elk 0 tot 10 jaar."),
    "option_ends_before_term": _l(
        "Een verlengingsoptie verlengt de looptijd met ten minste 1 jaar. Vul het aantal jaren per "
        "optie in, of zet het aantal opties op 0."
    ),
    "review_days_out_of_range": _l(
        "De beoordelingstermijn is 1 tot 15 werkdagen (de wettelijke grens)."
    ),
    # The initial round (portal.domain.initial_round; dir. 2014/24 art. 34(2), seed 003 §6.2).
    "round_closing_date_missing": _l(
        "Vul ook de sluitingsdatum van de eerste ronde in, of laat beide datums leeg als er geen "
        "eerste ronde is."
    ),
    "round_decision_date_missing": _l(
        "Vul ook de datum van het gezamenlijke besluit in, of laat beide datums leeg als er geen "
        "eerste ronde is."
    ),
    "round_too_short": _l(
        "De eerste ronde sluit ten minste 30 dagen na de publicatie: aanbieders krijgen die tijd "
        "voor hun eerste aanmelding. Kies een latere sluitingsdatum."
    ),
    "round_decision_not_after_closing": _l(
        "Het gezamenlijke besluit valt na de sluitingsdatum van de eerste ronde."
    ),
    "round_decision_after_term_start": _l(
        "Het gezamenlijke besluit valt uiterlijk op de begindatum van de looptijd: de "
        "overeenkomsten uit de eerste ronde gaan dan in."
    ),
    "term_fixed_by_agreements": _l(
        "Er zijn al overeenkomsten onder dit aankoopsysteem; de looptijd en de opties veranderen "
        "niet meer. Licht een optie op de pagina Opties, of leg een wijziging van de "
        "overeenkomsten vast."
    ),
    "change_summary_required": _l(
        "Dit aankoopsysteem is gepubliceerd: schrijf wat er is gewijzigd en waarom. Aanbieders "
        "lezen dit in het wijzigingsbericht."
    ),
    "unknown_municipality": _l(
        "Regel %(line)s: '%(text)s' staat niet in de CBS-lijst van gemeenten. Gebruik de "
        "CBS-code (GM0957) of de naam zoals het CBS die schrijft."
    ),
    "municipalities_required": _l("Vul ten minste één gemeente in."),
    "lead_required": _l("Kies de gemeente die het aankoopsysteem namens de andere uitvoert."),
    "lead_not_among": _l(
        "'%(text)s' staat niet in de lijst van gemeenten hierboven. Kies een van die gemeenten."
    ),
    "das_state_change_not_allowed": _l("Dat kan niet in de huidige status van het aankoopsysteem."),
    "publish_incomplete": _l(
        "Het aankoopsysteem is niet gepubliceerd: er ontbreekt nog iets. Zie de lijst hieronder."
    ),
    "agreements_still_running": _l(
        "Er lopen nog %(count)s overeenkomsten. Beëindig het aankoopsysteem als die zijn "
        "afgelopen, of na de gezamenlijke einddatum."
    ),
    "das_closed": _l(
        "Dit aankoopsysteem is gesloten voor nieuwe aanmeldingen. Lopende overeenkomsten lopen "
        "door tot hun einddatum."
    ),
    # A DAS's criteria (portal.services.criteria_setup).
    "criterion_invalid": _l("De eis is niet opgeslagen. %(problems)s"),
    "criterion_code_missing": _l("Vul de code in, bijvoorbeeld U8 of G6."),
    "criterion_code_format": _l(
        "Een code begint met een letter en heeft hoogstens 10 letters, cijfers, punten of "
        "streepjes, bijvoorbeeld U8 of G6."
    ),
    "criterion_code_taken": _l(
        "De code %(criterion_code)s is al in gebruik bij dit aankoopsysteem. Kies een andere code."
    ),
    "espd_code_missing": _l("Kies een code uit de ESPD-lijst."),
    "espd_code_unknown": _l(
        "Deze code staat niet in de ESPD-lijst: %(codes)s. Kies een code uit de lijst, of kies "
        "een nationale grond of een eigen eis."
    ),
    "espd_code_not_exclusion": _l(
        "Deze ESPD-code is geen uitsluitingsgrond maar een geschiktheidseis: %(codes)s."
    ),
    "espd_code_not_selection": _l(
        "Deze ESPD-code is geen geschiktheidseis maar een uitsluitingsgrond: %(codes)s."
    ),
    # Adopting organisation data from an imported ESPD (portal.services.espd_import, issue 22).
    "espd_nothing_chosen": _l("Kies welke gegevens u wilt overnemen."),
    "espd_field_not_adoptable": _l(
        "Deze gegevens kunnen niet uit het UEA worden overgenomen. Kies alleen gegevens uit de "
        "lijst."
    ),
    "espd_value_invalid": _l(
        "Deze gegevens uit het UEA passen niet in het profiel van uw organisatie. Pas ze aan op "
        "de pagina van uw organisatie."
    ),
    # The ESPD response of an application (portal.services.espd_export, issue 22).
    "espd_not_submitted": _l("Een aanmelding heeft pas een UEA (ESPD) als ze is ingediend."),
    "criterion_title_missing": _l("Vul de titel in."),
    "criterion_title_too_long": _l("De titel mag hoogstens %(max)s tekens zijn."),
    "criterion_question_missing": _l("Vul de vraag aan de aanbieder in."),
    "exclusion_evidence_on_request": _l(
        "Bij een uitsluitingsgrond vraagt het aanmeldformulier geen bewijsstuk; het bewijs wordt "
        "op verzoek gevraagd. Zet 'bewijs verplicht' uit."
    ),
    "evidence_type_missing": _l(
        "Kies ten minste één soort bewijsstuk dat telt, of zet 'bewijs verplicht' uit."
    ),
    "max_age_not_positive": _l("De maximale ouderdom is ten minste 1 maand."),
    "max_age_too_large": _l("De maximale ouderdom is hoogstens %(max)s maanden."),
    "criteria_published": _l(
        "Dit aankoopsysteem is al gepubliceerd: de eisen staan in de aankondiging waaronder "
        "aanbieders zich aanmelden. Eisen toevoegen, verwijderen, verplaatsen of overnemen kan "
        "alleen zolang het een concept is; de tekst van een eis wijzigt u met een rectificatie."
    ),
    "criterion_has_answers": _l(
        "Eis %(criterion_code)s is al %(count)s keer beantwoord in aanmeldingen. Die antwoorden en de "
        "beoordelingen verwijzen ernaar, dus de eis blijft staan."
    ),
    "criterion_rule_fixed": _l(
        "Na publicatie kunt u alleen de titel, de vraag en de toelichting wijzigen. De regel zelf "
        "(code, ESPD-codes, bewijs) is waaronder aanbieders zich aanmelden."
    ),
    "copy_from_itself": _l("Kies een ander aankoopsysteem om de eisen van over te nemen."),
    "copy_source_empty": _l("Dat aankoopsysteem heeft geen eisen om over te nemen."),
    "criteria_exist": _l(
        "Dit aankoopsysteem heeft al eisen (%(count)s). Vink aan dat u ze wilt vervangen om de "
        "eisen van het andere aankoopsysteem over te nemen."
    ),
    # Questions and answers on a DAS (nota van inlichtingen, issue 20)
    "question_empty": _l("Schrijf uw vraag."),
    "question_too_short": _l(
        "Uw vraag is te kort. Schrijf ten minste %(minimum)s tekens, zodat wij haar kunnen "
        "beantwoorden."
    ),
    "question_too_long": _l(
        "Uw vraag is te lang: hoogstens %(maximum)s tekens. Verdeel een lange vraag over "
        "meer vragen."
    ),
    "question_control_characters": _l(
        "Uw vraag bevat stuurtekens (onzichtbare tekens). Typ de tekst opnieuw of plak hem "
        "zonder opmaak."
    ),
    "answer_empty": _l("Schrijf het antwoord."),
    "answer_too_short": _l("Schrijf het antwoord."),
    "answer_too_long": _l("Het antwoord is te lang: hoogstens %(maximum)s tekens."),
    "answer_control_characters": _l(
        "Het antwoord bevat stuurtekens (onzichtbare tekens). Typ de tekst opnieuw of plak hem "
        "zonder opmaak."
    ),
    "answer_unchanged": _l("De correctie is gelijk aan het gepubliceerde antwoord."),
    "question_merged": _l(
        "Deze vraag is samengevoegd met een andere vraag en wordt daar beantwoord."
    ),
    "question_already_answered": _l(
        "Het antwoord op deze vraag is al gepubliceerd. Wijzig het met een correctie."
    ),
    "question_not_answered": _l(
        "Deze vraag heeft nog geen gepubliceerd antwoord om te corrigeren."
    ),
    "question_not_open": _l("Alleen een open vraag kan worden samengevoegd."),
    "merge_target_unknown": _l("Kies een vraag uit de lijst van dit aankoopsysteem."),
    "merge_into_itself": _l("Een vraag kan niet met zichzelf worden samengevoegd."),
    "merge_target_merged": _l(
        "Die vraag is zelf samengevoegd. Kies de vraag waarmee zij is samengevoegd."
    ),
    # Messages and complaints on an application or an agreement (issue 20)
    "message_empty": _l("Schrijf uw bericht."),
    "message_too_long": _l("Uw bericht is te lang: hoogstens %(limit)s tekens."),
    "message_control_characters": _l(
        "Uw bericht bevat stuurtekens (onzichtbare tekens). Typ de tekst opnieuw of plak hem "
        "zonder opmaak."
    ),
    "too_many_attachments": _l("Stuur hoogstens %(limit)s bijlagen met één bericht."),
    "message_already_sent": _l("Dit bericht is al verstuurd."),
    "complaint_not_possible": _l(
        "Een klacht kan alleen over een aanmelding met een besluitbrief worden ingediend."
    ),
    "complaint_already_closed": _l("Deze klacht is al afgehandeld."),
    # Lump sums: the ceiling per year and the 3% valve (issue 21)
    "agreement_ended": _l("Deze overeenkomst is beëindigd."),
    "ceiling_year_outside_term": _l(
        "Kies een jaar in de looptijd van de overeenkomst: %(first)s tot en met %(last)s."
    ),
    "ceiling_not_positive": _l("Een plafondbedrag is hoger dan nul."),
    "ceiling_revision_needs_reason": _l(
        "Voor dit jaar is al een plafondbedrag vastgesteld. Schrijf waarom het wordt herzien."
    ),
    "ceiling_not_next_year": _l(
        "Dit jaar is al geïndexeerd of er is intussen een ander plafondbedrag vastgesteld. "
        "Bekijk de pagina opnieuw."
    ),
    "auditor_missing": _l("Vul in welke accountant de controleverklaring heeft afgegeven."),
    "result_year_not_ended": _l("Een resultaat kan pas worden gemeld als het jaar voorbij is."),
    "no_ceiling_for_year": _l("Voor %(year)s is geen plafondbedrag vastgesteld."),
    "result_already_reported": _l(
        "Het resultaat over %(year)s is al gemeld. Klopt het niet, stuur dan een bericht aan "
        "de contractmanager."
    ),
    "review_note_missing": _l("Schrijf wat de partijen hebben afgesproken."),
    "review_not_open": _l("Dit resultaat is al afgehandeld of valt binnen het ventiel."),
    # An uploaded ESPD (UEA) refused (portal.domain.espd.Refusal, issue 22); nothing is stored.
    # The page may show the refusal's detail (the first schema error) after the sentence.
    "espd_empty": _l("Het bestand is leeg. Kies het ESPD (UEA) als XML-bestand."),
    "espd_too_large": _l(
        "Het bestand is groter dan 5 MB. Een ESPD (UEA) als XML-bestand is veel kleiner; kies "
        "het XML-bestand zelf, niet een map of een bestand met bijlagen."
    ),
    "espd_not_xml": _l(
        "Dit bestand is geen XML-bestand. Upload het ESPD (UEA) als XML-bestand, zoals "
        "TenderNed het aanbiedt, niet als PDF of Word-document."
    ),
    "espd_hostile": _l(
        "Dit XML-bestand verwijst naar andere bestanden of definieert eigen entiteiten "
        "(een DOCTYPE). Dat nemen we om veiligheidsredenen niet aan. Download het ESPD (UEA) "
        "opnieuw en upload het ongewijzigd."
    ),
    "espd_too_deep": _l(
        "Dit XML-bestand is te diep genest om een ESPD (UEA) te zijn. Download het ESPD "
        "opnieuw en upload het ongewijzigd."
    ),
    "espd_wrong_document": _l(
        "Dit XML-bestand is geen ESPD-antwoord (UEA). Upload het ingevulde ESPD "
        "(QualificationApplicationResponse) als XML-bestand."
    ),
    "espd_request_not_response": _l(
        "Dit is een ESPD-verzoek van een aanbestedende dienst, geen ingevuld ESPD-antwoord. "
        "Vul het ESPD eerst in (bijvoorbeeld bij TenderNed) en upload dan uw antwoord."
    ),
    "espd_draft_version": _l(
        "Dit ESPD is van een oude versie (ESPD 1) of van een testversie. Wij lezen ESPD-versie "
        "2 en later. Vul het ESPD opnieuw in bij TenderNed en upload de nieuwe versie."
    ),
    "espd_unknown_namespace": _l(
        "Dit ESPD-antwoord gebruikt een onbekende XML-namespace. Wij lezen ESPD-antwoorden "
        "volgens de UBL-standaard (versie 2 en later), zoals TenderNed die aanbiedt."
    ),
    "espd_schema_invalid": _l(
        "Dit ESPD-antwoord voldoet niet aan de ESPD-standaard (UBL 2.4) en kunnen wij daarom "
        "niet inlezen. Download het ESPD opnieuw en upload het ongewijzigd."
    ),
    "espd_no_answers": _l(
        "Dit ESPD-antwoord bevat nog geen enkel antwoord. Vul het ESPD eerst in en upload het "
        "dan opnieuw."
    ),
    "espd_other_organisation": _l("Dit ESPD is van een andere organisatie (KvK-nummer %(kvk)s)."),
    # The waiting-time register (services.waiting_times; issue 23), from the form and the API.
    "waiting_times_refused": _l("Er is niets opgeslagen: %(problems)s"),
    "waiting_times_nothing": _l("Vul ten minste één wachttijd in."),
    "waiting_times_nothing_to_confirm": _l(
        "Er zijn nog geen wachttijden om te bevestigen. Vul ze eerst in."
    ),
    "waiting_times_agreement_not_live": _l(
        "U houdt wachttijden alleen bij voor een lopende overeenkomst."
    ),
    "waiting_entry_not_current": _l(
        "Een van deze wachttijden is intussen gewijzigd. Bekijk de pagina opnieuw en probeer het "
        "nog eens."
    ),
    "waiting_lot_not_in_agreement": _l("Dit perceel hoort niet (meer) bij uw overeenkomst."),
    "waiting_product_not_in_lot": _l(
        "Dit product hoort niet bij het perceel of wordt niet meer aangeboden."
    ),
    "waiting_authority_not_in_das": _l(
        "Deze gemeente of subregio hoort niet bij dit aankoopsysteem."
    ),
    "waiting_entry_repeated": _l(
        "Voor dit perceel of product en deze gemeente of subregio staat al een wachttijd."
    ),
    "waiting_weeks_out_of_range": _l("Vul een aantal weken in van 0 tot en met %(maximum)s."),
    "treatment_before_intake": _l(
        "De wachttijd tot de behandeling kan niet korter zijn dan die tot de intake."
    ),
    "waiting_note_too_long": _l("Maak de toelichting korter: hoogstens %(maximum)s tekens."),
}

GAP_MESSAGES = {
    Gap.NO_LOTS: _l("Kies ten minste één product."),
    Gap.UNANSWERED: _l("Beantwoord deze vraag."),
    Gap.EXPLANATION_MISSING: _l("Licht uw antwoord 'ja' toe."),
    Gap.EVIDENCE_MISSING: _l("Voeg een bewijsstuk toe."),
    Gap.EVIDENCE_TOO_OLD: _l(
        "Het bewijsstuk is te oud: op de dag van indienen mag het hoogstens %(months)s maanden "
        "oud zijn. Voeg een recenter document toe."
    ),
    Gap.EVIDENCE_EXPIRED: _l("Het bewijsstuk is verlopen. Voeg een geldig document toe."),
}


def message_for(error: ServiceError | Problem) -> str:
    template = SERVICE_MESSAGES.get(error.code)
    if template is None:
        return gettext("Er ging iets mis. Probeer het opnieuw.")
    if not error.params:
        return str(template)
    return str(template) % {name: shown(value) for name, value in error.params.items()}


def shown(value: object) -> object:
    """A message's parameter in the reader's language: an amount or a figure with its separators,
    a problem as its sentence, a list of sentences one after another, a list of codes (or of
    problems that are phrases, not sentences) with commas."""
    if isinstance(value, money.Amount):
        return format_money(value.cents)
    if isinstance(value, Decimal):
        return format_figure(value)
    if isinstance(value, Problem):
        return message_for(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        parts = [str(shown(part)) for part in value]
        sentences = all(isinstance(p, Problem) for p in value) and all(
            part.endswith((".", "?", "!")) for part in parts
        )
        return " ".join(parts) if sentences else ", ".join(parts)
    return value


def row_messages(errors: Sequence[RowError]) -> list[tuple[int, str]]:
    """Each wrong row of an imported file with its sentence, for the page."""
    return [(error.row, message_for(error.problem)) for error in errors]


def gap_message(missing: Missing) -> str:
    text = str(GAP_MESSAGES[missing.gap])
    return text % {"months": missing.max_age_months} if missing.max_age_months else text
