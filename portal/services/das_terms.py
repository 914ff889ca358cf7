"""A DAS's terms: indexation weights, SROI rule, client allocation, privacy arrangement (issue 19).

Rules: portal.domain.das_terms. The weights are saved by portal.services.tariffs.save_weights (one
home); the KPI set is kept by portal.services.kpis (the KPI definitions page).

Once the DAS is published, a new SROI rule is recorded as a SroiRuleChange from the next year on.
While agreements run, the weights, first contract year and privacy role are fixed; a change of the
SROI rule or of the region's texts becomes a variation of each running agreement (kind TERMS), which
the provider sees and accepts as it does a new tariff sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.domain import das_terms as rules
from portal.domain import money
from portal.extensions import db
from portal.models import (
    AgreementState,
    AgreementVariation,
    Das,
    DasState,
    FrameworkAgreement,
    KpiDefinition,
    PrivacyRole,
    SroiRuleChange,
    User,
    VariationKind,
)
from portal.services import Problem, ServiceError, das_setup, tariffs, transaction
from portal.services.audit import record
from portal.services.ownership import require_administrator

# Agreements the terms hold for: signed or about to be, and not ended.
RUNNING = (AgreementState.AWAITING_SIGNATURE, AgreementState.LIVE, AgreementState.SUSPENDED)
ALLOCATION_FIELDS = ("allocation_who_chooses", "allocation_request", "allocation_no_capacity")


class TermsRefused(ServiceError):
    """The terms as typed cannot be saved; `problems` says why, per form field."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__("terms_refused")
        self.problems = problems


# A suggestion for the allocation texts, after seed 003 §4.5 (the inhabitant chooses among the
# admitted providers; the municipality's access team refers). The region rewrites it as it wants.
ALLOCATION_SUGGESTION = {
    "allocation_who_chooses": _l(
        "De jeugdige en zijn ouders kiezen, samen met de verwijzer (de toegang van de gemeente, "
        "de huisarts, jeugdarts of medisch specialist), uit de toegelaten jeugdhulpaanbieders."
    ),
    "allocation_request": _l(
        "De gemeente geeft de toewijzing af via het berichtenverkeer (iJw-bericht 301). De "
        "jeugdhulpaanbieder bevestigt binnen vijf werkdagen of hij de hulp kan bieden."
    ),
    "allocation_no_capacity": _l(
        "Heeft de jeugdhulpaanbieder geen plek, dan meldt hij dat binnen vijf werkdagen aan de "
        "gemeente met de verwachte wachttijd; de jeugdige en zijn ouders kiezen dan een andere "
        "toegelaten jeugdhulpaanbieder. Niemand wordt zonder hulp gelaten."
    ),
}


def allocation_suggestion(name: str) -> str:
    """The suggested text for one allocation setting, in Dutch: it becomes the announcement's
    and the agreement's wording, whoever sets it up."""
    with force_locale("nl"):
        return str(ALLOCATION_SUGGESTION[name])


def published_sroi_rule(das: Das) -> rules.SroiRule:
    return rules.SroiRule(
        das.sroi_threshold_cents, Decimal(das.sroi_percent), das.sroi_reference_year
    )


def sroi_revisions(das_id: int) -> list[SroiRuleChange]:
    return list(
        db.session.scalars(
            db.select(SroiRuleChange)
            .where(SroiRuleChange.das_id == das_id)
            .order_by(SroiRuleChange.from_year)
        )
    )


def _as_rule(change: SroiRuleChange) -> rules.SroiRule:
    return rules.SroiRule(change.threshold_cents, Decimal(change.percent), change.reference_year)


def sroi_rule_of(das: Das, year: int) -> rules.SroiRule:
    """The SROI rule that holds for `year` (a revision from its start year on)."""
    return rules.sroi_rule_for(
        year,
        published_sroi_rule(das),
        [(c.from_year, _as_rule(c)) for c in sroi_revisions(das.id)],
    )


@dataclass(frozen=True)
class TermsView:
    """What the terms page and the agreement show besides the DAS's own columns."""

    kpis: list[KpiDefinition]
    sroi_now: rules.SroiRule
    sroi_next: rules.SroiRule | None  # a revision that starts after this year
    sroi_next_year: int | None
    running_agreements: int


def terms_of(das: Das, today: date) -> TermsView:
    kpis = list(
        db.session.scalars(
            db.select(KpiDefinition)
            .where(KpiDefinition.das_id == das.id)
            .order_by(KpiDefinition.position, KpiDefinition.id)
        )
    )
    revisions = sroi_revisions(das.id)
    pairs = [(c.from_year, _as_rule(c)) for c in revisions]
    now_rule = rules.sroi_rule_for(today.year, published_sroi_rule(das), pairs)
    later = [c for c in revisions if c.from_year > today.year]
    return TermsView(
        kpis=kpis,
        sroi_now=now_rule,
        sroi_next=_as_rule(later[-1]) if later else None,
        sroi_next_year=later[-1].from_year if later else None,
        running_agreements=running_agreements(das.id),
    )


def running_agreements(das_id: int) -> int:
    return int(
        db.session.scalar(
            db.select(db.func.count())
            .select_from(FrameworkAgreement)
            .where(FrameworkAgreement.das_id == das_id, FrameworkAgreement.state.in_(RUNNING))
        )
        or 0
    )


def _problems(das: Das, terms: rules.Terms) -> dict[str, Problem]:
    last_year = rules.last_possible_year(
        das.initial_end_date, das.extension_option_years, das.extension_options_total
    )
    found = rules.terms_problems(terms, das.term_start, last_year, das.tariff_base_year)
    earliest = {
        "first_index_year": rules.first_index_year_from(das.term_start, das.tariff_base_year)
    }
    problems = {
        # Only the sentence about the term has parameters ("100%" in the others is no format).
        name: Problem(code, first=earliest.get(name, das.term_start.year), last=last_year)
        if code == "year_outside_term"
        else Problem(code)
        for name, code in found.items()
    }
    if terms.privacy_role and terms.privacy_role not in {r.value for r in PrivacyRole}:
        problems["privacy_role"] = Problem("privacy_role_missing")
    return problems


def _percent(weight: Decimal) -> Decimal:
    return (Decimal(weight) * 100).normalize()


@transaction
def save_terms(
    admin: User,
    das: Das,
    terms: rules.Terms,
    now: datetime,
    today: date,
    change_summary: str = "",
) -> list[str]:
    """Save the terms; the names of the settings that changed. Refused (TermsRefused) with the
    problems per field, nothing saved. A change to a published DAS is a change notice
    (rectificatie) on its public page, with `change_summary` or, when none is given, a sentence
    naming what changed."""
    require_administrator(admin)
    problems = _problems(das, terms)
    running = running_agreements(das.id)
    new_ova = terms.ova_percent / 100
    weights_changed = (
        Decimal(das.ova_weight) != new_ova or das.first_index_year != terms.first_index_year
    )
    role = PrivacyRole(terms.privacy_role) if "privacy_role" not in problems else None
    if running and weights_changed:
        problems.setdefault("ova_percent", Problem("terms_fixed_by_agreements", count=running))
    if running and role is not None and role is not das.privacy_role:
        problems.setdefault("privacy_role", Problem("terms_fixed_by_agreements", count=running))
    if problems:
        raise TermsRefused(problems)
    assert role is not None

    changed: dict[str, list[str | None]] = {}

    def put(name: str, old: object, new: object) -> None:
        if old != new:
            changed[name] = [None if old is None else str(old), None if new is None else str(new)]

    put("ova_percent", _percent(das.ova_weight), terms.ova_percent.normalize())
    put("first_index_year", das.first_index_year, terms.first_index_year)
    texts_changed = []
    for name in ALLOCATION_FIELDS:
        value = getattr(terms, name).strip()
        if getattr(das, name) != value:
            put(name, getattr(das, name), value)
            texts_changed.append(name)
            setattr(das, name, value)
    put("privacy_role", das.privacy_role.value if das.privacy_role else None, role.value)
    das.privacy_role = role
    das.requires_processing_agreement = rules.requires_processing_agreement(role.value)
    privacy_text = terms.privacy_text.strip()
    if das.privacy_text != privacy_text:
        put("privacy_text", das.privacy_text, privacy_text)
        texts_changed.append("privacy_text")
        das.privacy_text = privacy_text

    sroi_before = sroi_rule_of(das, rules.revision_year(today))
    sroi_from_year = _save_sroi(admin, das, terms.sroi, now, today, put)

    if running and (texts_changed or sroi_from_year):
        _vary_running_agreements(das, texts_changed, terms.sroi, sroi_from_year, today)
    if changed:
        record(
            "das.terms_saved",
            das,
            admin,
            das_id=das.id,
            changes=changed,
            sroi_from_year=sroi_from_year,
        )
    if changed and das.state is not DasState.DRAFT:
        notice = _notice_changes(changed, sroi_before, terms.sroi, sroi_from_year)
        das_setup.record_change_notice(
            das, admin, change_summary.strip() or _notice_summary(notice), notice, now
        )
    if weights_changed:
        # One home for the weights; it records its own event and commits the whole transaction.
        tariffs.save_weights(admin, das, terms.ova_percent, terms.first_index_year)
    else:
        db.session.commit()
    return sorted(changed)


def _save_sroi(
    admin: User,
    das: Das,
    rule: rules.SroiRule,
    now: datetime,
    today: date,
    put: Callable[[str, object, object], None],
) -> int | None:
    """A draft DAS's rule is its own columns; a published DAS's new rule starts next year (a
    revision, replacing one already planned for that year). The start year of a revision made."""
    if das.state is DasState.DRAFT:
        put("sroi_threshold_cents", das.sroi_threshold_cents, rule.threshold_cents)
        put("sroi_percent", Decimal(das.sroi_percent).normalize(), rule.percent.normalize())
        put("sroi_reference_year", das.sroi_reference_year, rule.reference_year)
        das.sroi_threshold_cents = rule.threshold_cents
        das.sroi_percent = rule.percent
        das.sroi_reference_year = rule.reference_year
        return None
    from_year = rules.revision_year(today)
    current = sroi_rule_of(das, from_year)
    if current == rule:
        return None
    put("sroi_rule", _rule_text(current), f"{_rule_text(rule)} ({from_year})")
    revision = db.session.scalar(
        db.select(SroiRuleChange).where(
            SroiRuleChange.das_id == das.id, SroiRuleChange.from_year == from_year
        )
    )
    if revision is None:
        revision = SroiRuleChange(das_id=das.id, from_year=from_year)
        db.session.add(revision)
    revision.threshold_cents = rule.threshold_cents
    revision.percent = rule.percent
    revision.reference_year = rule.reference_year
    revision.decided_at = now
    revision.decided_by_id = admin.id
    return from_year


def _rule_text(rule: rules.SroiRule) -> str:
    return f"{rule.threshold_cents}/{rule.percent.normalize()}/{rule.reference_year or '-'}"


def _vary_running_agreements(
    das: Das,
    texts_changed: list[str],
    sroi: rules.SroiRule,
    sroi_from_year: int | None,
    today: date,
) -> None:
    """Each running agreement gets a variation per change: the texts from today, a new SROI rule
    from 1 January of its start year. The description is the agreement's Dutch text (it is part of
    the contract, like the agreement's own wording)."""
    parts: list[tuple[date, str]] = []
    with force_locale("nl"):  # the agreement's language
        if texts_changed:
            names = ", ".join(str(TEXT_NAMES[name]) for name in texts_changed)
            parts.append(
                (
                    today,
                    str(
                        _l(
                            "De voorwaarden van het aankoopsysteem zijn gewijzigd: %(names)s. De "
                            "nieuwe tekst staat in de overeenkomst en de aankondiging.",
                            names=names,
                        )
                    ),
                )
            )
        if sroi_from_year is not None:
            reference = str(
                _l("de omzet van %(year)s", year=sroi.reference_year)
                if sroi.reference_year is not None
                else _l("de omzet van het voorafgaande jaar")
            )
            euros = f"{sroi.threshold_cents // 100:,}".replace(",", ".")
            percent = str(sroi.percent.normalize()).replace(".", ",")
            parts.append(
                (
                    date(sroi_from_year, 1, 1),
                    str(
                        _l(
                            "Social return vanaf %(year)s: boven een omzet van € %(euros)s "
                            "(excl. btw) %(percent)s%% van %(reference)s.",
                            year=sroi_from_year,
                            euros=euros,
                            percent=percent,
                            reference=reference,
                        )
                    ),
                )
            )
    agreements = db.session.scalars(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.das_id == das.id, FrameworkAgreement.state.in_(RUNNING)
        )
    )
    for agreement in agreements:
        for effective_on, description in parts:
            db.session.add(
                AgreementVariation(
                    agreement_id=agreement.id,
                    kind=VariationKind.TERMS,
                    description=description,
                    effective_on=effective_on,
                )
            )


# The names of the texts in a variation's description (Dutch: the contract's language).
TEXT_NAMES = {
    "allocation_who_chooses": _l("wie kiest de jeugdhulpaanbieder"),
    "allocation_request": _l("hoe een jeugdhulpaanbieder wordt gevraagd"),
    "allocation_no_capacity": _l("wat er gebeurt bij geen plek"),
    "privacy_text": _l("de privacyafspraken"),
}


# --- the change notice of a published DAS's terms ------------------------------------------
# The public page and the OCDS amendment show a notice's settings as written: Dutch names and
# values, as the announcement itself is Dutch (the agreement's language, as above).

NOTICE_NAMES = {
    "ova_percent": _l("Indexatie: gewichten van OVA en PPC"),
    "first_index_year": _l("Indexatie: eerste contractjaar"),
    "allocation_who_chooses": _l("Wijze toewijzing cliënten: wie kiest de jeugdhulpaanbieder"),
    "allocation_request": _l(
        "Wijze toewijzing cliënten: hoe een jeugdhulpaanbieder wordt gevraagd"
    ),
    "allocation_no_capacity": _l("Wijze toewijzing cliënten: wat er gebeurt bij geen plek"),
    "privacy_role": _l("Privacy: rol van de jeugdhulpaanbieder"),
    "privacy_text": _l("Privacy: aanvullende afspraken"),
}
PRIVACY_ROLE_NAMES = {
    PrivacyRole.PROCESSOR.value: _l("verwerker"),
    PrivacyRole.INDEPENDENT_CONTROLLER.value: _l("zelfstandig verwerkingsverantwoordelijke"),
    PrivacyRole.JOINT_CONTROLLERS.value: _l("gezamenlijk verwerkingsverantwoordelijken"),
}


def _figure(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.###", locale="nl")


def _weights_text(ova_percent: str | None) -> str | None:
    if ova_percent is None:
        return None
    ova = Decimal(ova_percent)
    return str(_l("%(ova)s%% OVA en %(ppc)s%% PPC", ova=_figure(ova), ppc=_figure(100 - ova)))


def sroi_rule_text(rule: rules.SroiRule) -> str:
    """The rule as a sentence, in the interface's language (Dutch for a notice)."""
    reference = (
        _l("de omzet van %(year)s", year=rule.reference_year)
        if rule.reference_year is not None
        else _l("de omzet van het voorafgaande jaar")
    )
    return str(
        _l(
            "boven een omzet van %(threshold)s (excl. btw) %(percent)s%% van %(reference)s",
            threshold=money.format_money(rule.threshold_cents, "nl"),
            percent=_figure(rule.percent),
            reference=reference,
        )
    )


def _notice_changes(
    changed: dict[str, list[str | None]],
    sroi_before: rules.SroiRule,
    sroi_after: rules.SroiRule,
    sroi_from_year: int | None,
) -> dict[str, list[str | None]]:
    """The settings a notice names, {Dutch name: [was, becomes]} with Dutch values."""
    readable: dict[str, list[str | None]] = {}
    with force_locale("nl"):
        for name, (old, new) in changed.items():
            if name == "ova_percent":
                readable[str(NOTICE_NAMES[name])] = [_weights_text(old), _weights_text(new)]
            elif name == "privacy_role":
                readable[str(NOTICE_NAMES[name])] = [
                    None if old is None else str(PRIVACY_ROLE_NAMES[old]),
                    None if new is None else str(PRIVACY_ROLE_NAMES[new]),
                ]
            elif name == "sroi_rule" and sroi_from_year is not None:
                label = str(_l("Social return vanaf %(year)s", year=sroi_from_year))
                readable[label] = [sroi_rule_text(sroi_before), sroi_rule_text(sroi_after)]
            elif name in NOTICE_NAMES:
                readable[str(NOTICE_NAMES[name])] = [old, new]
    return readable


def _notice_summary(readable: dict[str, list[str | None]]) -> str:
    with force_locale("nl"):
        names = "; ".join(name[:1].lower() + name[1:] for name in readable)
        return str(
            _l("De voorwaarden van het aankoopsysteem zijn gewijzigd: %(names)s.", names=names)
        )
