"""The words of procurement and youth care in plain Dutch (B1), for the glossary page
(/begrippen) and for `term()` links where the words appear on a page.

The meanings follow /work/shared/DOMAIN.md and the seeds (seed 003 §4.1-§4.7: the DAS, lots,
exclusion grounds and suitability criteria, SROI, indexation). One entry per word, with the
anchor it has on the page; the page and the links read this list and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Term:
    key: str  # the anchor on the glossary page: lower case, no spaces
    word: LazyString
    meaning: LazyString
    proper: bool = False  # written with a capital in running text too ("Gedragsverklaring")

    def in_text(self) -> str:
        """The word as it stands in a sentence: "perceel", but "AGB-code"."""
        word = str(self.word)
        return word if self.proper else word[:1].lower() + word[1:]


# In alphabetical order of the Dutch word, as the page shows them.
TERMS: tuple[Term, ...] = (
    Term(
        "agb-code",
        _l("AGB-code"),
        _l(
            "Een code van 8 cijfers voor zorgaanbieders in Nederland. Vektis geeft de code uit. "
            "U heeft hem nodig voor het berichtenverkeer en om uw zorg te declareren."
        ),
        proper=True,
    ),
    Term(
        "cpv-code",
        _l("CPV-code"),
        _l(
            "Een code uit een Europese lijst die zegt wat er wordt ingekocht. Met de code vindt u "
            "aankondigingen, bijvoorbeeld op TenderNed. Jeugdhulp valt onder 85000000-9: "
            "gezondheidszorg en maatschappelijk werk."
        ),
        proper=True,
    ),
    Term(
        "dynamisch-aankoopsysteem",
        _l("Dynamisch aankoopsysteem (DAS)"),
        _l(
            "Een manier van inkopen waarbij de gemeenten de eisen, de producten en de tarieven "
            "vooraf bekendmaken. Iedere aanbieder die aan de eisen voldoet, wordt toegelaten. Er "
            "is geen maximum aantal aanbieders. Het systeem staat de hele looptijd open: u kunt "
            "zich op elk moment aanmelden. U hoort binnen 10 werkdagen of u bent toegelaten; "
            "soms wordt dat 15 werkdagen."
        ),
    ),
    Term(
        "gedragsverklaring-aanbesteden",
        _l("Gedragsverklaring Aanbesteden"),
        _l(
            "Een verklaring van Justis, een dienst van het ministerie van Justitie en Veiligheid. "
            "Daarin staat dat uw organisatie niet is veroordeeld voor strafbare feiten zoals "
            "fraude of omkoping. U vraagt de verklaring aan bij Justis. Op de dag dat u uw "
            "aanmelding indient, mag zij hoogstens 24 maanden oud zijn."
        ),
        proper=True,
    ),
    Term(
        "geschiktheidseis",
        _l("Geschiktheidseis"),
        _l(
            "Een eis die laat zien dat u de zorg goed kunt leveren. Bijvoorbeeld: een "
            "kwaliteitssysteem, geregistreerde professionals, berichtenverkeer en een "
            "verzekering. Bij de meeste eisen voegt u een bewijsstuk toe."
        ),
    ),
    Term(
        "ijw",
        _l("iJw (berichtenverkeer)"),
        _l(
            "De vaste afspraken voor de berichten die gemeenten en jeugdhulpaanbieders elkaar "
            "digitaal sturen: bijvoorbeeld de toewijzing van een cliënt, de start van de zorg en "
            "de declaratie. De berichten gaan via VECOZO. Daarvoor heeft u een AGB-code nodig "
            "en software die iJw-berichten kan versturen."
        ),
        proper=True,
    ),
    Term(
        "indexatie",
        _l("Indexatie"),
        _l(
            "Elk jaar gaan de tarieven omhoog met de lonen en de prijzen. De gemeenten gebruiken "
            "daarvoor cijfers van de overheid: 90% voor de lonen (OVA) en 10% voor de prijzen "
            "(PPC). Die cijfers zijn eerst een verwachting. Was de verwachting te hoog of te laag, "
            "dan wordt het verschil het jaar erna verrekend."
        ),
    ),
    Term(
        "kvk-uittreksel",
        _l("KvK-uittreksel"),
        _l(
            "Een officieel overzicht uit het Handelsregister van de Kamer van Koophandel (KvK). "
            "Daarin staan de naam van uw organisatie, het KvK-nummer, het adres en wie mag "
            "tekenen. U vraagt het aan bij de KvK. Bij het indienen mag het hoogstens 6 maanden "
            "oud zijn."
        ),
        proper=True,
    ),
    Term(
        "meldplicht",
        _l("Meldplicht"),
        _l(
            "Wie jeugdhulp gaat geven, moet dat eerst melden bij het ministerie van "
            "Volksgezondheid, Welzijn en Sport (via het CIBG). Dat moet voordat u met de zorg "
            "begint. Dit heet de meldplicht."
        ),
    ),
    Term(
        "onherroepelijk-veroordeeld",
        _l("Onherroepelijk veroordeeld"),
        _l(
            "Veroordeeld door een rechter, terwijl hoger beroep of cassatie niet meer kan: de "
            "uitspraak staat vast. Een zaak die nog loopt, of waarin u nog in beroep kunt gaan, "
            "is geen onherroepelijke veroordeling."
        ),
    ),
    Term(
        "perceel",
        _l("Perceel"),
        _l(
            "Een deel van het aankoopsysteem: een groep producten die bij elkaar horen, "
            "bijvoorbeeld ambulante jeugdhulp of wonen. U meldt zich per perceel aan. U kunt voor "
            "het ene perceel worden toegelaten en voor het andere niet. Later kunt u zich voor "
            "meer percelen aanmelden."
        ),
    ),
    Term(
        "product",
        _l("Product"),
        _l(
            "Een vorm van jeugdhulp die de gemeenten inkopen, zoals individuele begeleiding. Elk "
            "product heeft een code, een eenheid (bijvoorbeeld per uur of per dagdeel) en een "
            "vast tarief. De gemeenten bepalen de producten en de tarieven. U kiest welke "
            "producten u levert."
        ),
    ),
    Term(
        "raamovereenkomst",
        _l("Raamovereenkomst"),
        _l(
            "De overeenkomst die u na uw toelating sluit met de gemeenten. Daarin staan de "
            "afspraken, de producten en de tarieven. Er staat niet in hoeveel cliënten u krijgt. "
            "Alle raamovereenkomsten van een aankoopsysteem eindigen op dezelfde datum, ook als "
            "u later bent toegelaten."
        ),
    ),
    Term(
        "self-cleaning",
        _l("Self-cleaning (herstelmaatregelen)"),
        _l(
            "Maatregelen die u heeft genomen nadat er iets mis is gegaan, zodat het niet "
            "opnieuw gebeurt. Bijvoorbeeld: de schade vergoeden, meewerken aan het onderzoek en "
            "mensen of werkwijzen veranderen. Is een uitsluitingsgrond op uw organisatie van "
            "toepassing, dan beschrijft u deze maatregelen. Een beoordelaar beslist of ze genoeg "
            "zijn."
        ),
    ),
    Term(
        "sroi",
        _l("SROI (social return)"),
        _l(
            "Een afspraak dat u een deel van de opdracht besteedt aan werk of leerplekken voor "
            "mensen die moeilijk werk vinden. Dit geldt alleen als u per jaar veel omzet heeft "
            "bij de gemeenten, bijvoorbeeld meer dan € 250.000 zonder btw. De raamovereenkomst "
            "noemt de grens en het percentage."
        ),
        proper=True,
    ),
    Term(
        "uea",
        _l("UEA (ESPD)"),
        _l(
            "Het Uniform Europees Aanbestedingsdocument, in het Engels ESPD. Een Europees "
            "formulier waarin u verklaart dat er geen uitsluitingsgronden voor u gelden en dat u "
            "aan de eisen voldoet. In dit portaal beantwoordt u dezelfde vragen."
        ),
        proper=True,
    ),
    Term(
        "uitsluitingsgrond",
        _l("Uitsluitingsgrond"),
        _l(
            "Een reden waarom een organisatie niet mag meedoen. Bijvoorbeeld: een veroordeling "
            "voor fraude of omkoping, een faillissement, of belastingen die niet zijn betaald. U "
            "verklaart dat deze gronden niet op uw organisatie van toepassing zijn. Is er toch "
            "een van toepassing, dan legt u uit wat er is gebeurd en wat u daarna heeft gedaan."
        ),
    ),
    Term(
        "verantwoorde-werktoedeling",
        _l("Verantwoorde werktoedeling"),
        _l(
            "De regel in de jeugdhulp dat u het werk laat doen door een geregistreerde "
            "professional: in het Kwaliteitsregister Jeugd (SKJ) of in het BIG-register. Alleen "
            "als u goed kunt uitleggen waarom dat bij een taak niet nodig is, mag het anders. "
            "Voluit: de norm van verantwoorde werktoedeling."
        ),
    ),
)

BY_KEY: dict[str, Term] = {term.key: term for term in TERMS}


def term_link(key: str, text: str | None = None) -> Markup:
    """A link to the word's entry on the glossary page: `term('perceel')` or, for another form
    of the word, `term('perceel', 'percelen')`. An unknown key is an error in the template."""
    found = BY_KEY[key]
    shown = found.in_text() if text is None else text
    href = url_for("public.glossary", _anchor=key)
    return Markup('<a href="{}" class="term">{}</a>').format(href, escape(str(shown)))
