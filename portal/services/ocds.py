"""Open Contracting Data Standard 1.1 release packages: one ocid per DAS; the tender with
techniques.hasDynamicPurchasingSystem and its lots (techniques and lots extensions); each
admission as an award and a contract (seed 003 §4.5: publish awarded contracts)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, get_template_attribute
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.domain import contract_dates
from portal.extensions import db
from portal.infra import ocds_merge
from portal.infra.links import external_url
from portal.infra.timeutil import as_utc, local_date
from portal.models import (
    AgreementLot,
    AgreementState,
    AgreementVariation,
    Application,
    ApplicationLot,
    Das,
    DasState,
    EndDateChange,
    FrameworkAgreement,
    Lot,
    LotOutcome,
    Organisation,
    VariationKind,
)
from portal.models.labels import label
from portal.services import announcement, das_terms, questions

EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/"
    "master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "master/extension.json",
]
CONTRACT_STATUS = {
    AgreementState.AWAITING_SIGNATURE: "pending",
    AgreementState.LIVE: "active",
    AgreementState.SUSPENDED: "active",  # still in force, its use suspended (see description)
    AgreementState.ENDED: "terminated",
}
TENDER_STATUS = {
    DasState.DRAFT: "planning",
    DasState.OPEN: "active",
    DasState.CLOSED: "complete",
    DasState.ENDED: "complete",
}


def _iso(moment: datetime) -> str:
    return as_utc(moment).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _day(day: Any) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def ocid(das: Das) -> str:
    return f"{current_app.config['OCDS_PREFIX']}-{das.reference}"


def _agreements(das_id: int) -> tuple[list[Any], dict[int, list[Any]]]:
    """The DAS's agreements with their organisation, and each one's lots, as plain rows: a
    national DAS has hundreds, and the package needs a few columns of each (ORM objects would
    cost several times more to build). Two queries, whatever the number."""
    agreements = db.session.execute(
        db.select(
            FrameworkAgreement.id,
            FrameworkAgreement.reference,
            FrameworkAgreement.organisation_id,
            FrameworkAgreement.state,
            FrameworkAgreement.state_reason,
            FrameworkAgreement.start_date,
            FrameworkAgreement.end_date,
            FrameworkAgreement.created_at,
            FrameworkAgreement.authority_signed_at,
            Organisation.kvk_number,
            Organisation.legal_name,
        )
        .join(Organisation, Organisation.id == FrameworkAgreement.organisation_id)
        .where(FrameworkAgreement.das_id == das_id)
        .order_by(FrameworkAgreement.id)
    ).all()
    lots: dict[int, list[Any]] = {}
    for row in db.session.execute(
        db.select(
            AgreementLot.agreement_id,
            AgreementLot.admitted_on,
            AgreementLot.ended_on,
            AgreementLot.application_id,
            Lot.code,
        )
        .join(Lot, Lot.id == AgreementLot.lot_id)
        .join(FrameworkAgreement, FrameworkAgreement.id == AgreementLot.agreement_id)
        .where(FrameworkAgreement.das_id == das_id)
        .order_by(AgreementLot.agreement_id, Lot.position)
    ):
        lots.setdefault(row.agreement_id, []).append(row)
    return list(agreements), lots


def _percent(value: Any) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def _words(macro: str, *args: Any) -> str:
    """A term in the words the announcement and the agreement use (templates/macros/
    das_terms.html), as plain text."""
    text = str(get_template_attribute("macros/das_terms.html", macro)(*args))
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def _terms_text(das: Das, now: datetime) -> str:
    """What OCDS has no field for, as plain Dutch paragraphs in tender.description: the
    indexation rule with its weights, the KPIs, the SROI rule, how clients are allocated, the
    privacy arrangement and the initial round (issue 19). The model agreement is a document."""
    terms = das_terms.terms_of(das, local_date(now))
    paragraphs = [
        _("Indexatie: %(rule)s", rule=_words("indexation_rule", das)),
        _("Social return: %(rule)s", rule=_words("sroi_rule", terms.sroi_now)),
    ]
    if terms.kpis:
        paragraphs.append(
            _(
                "KPI's: %(kpis)s.",
                kpis="; ".join(
                    f"{k.name} ({_('streefwaarde')} {_percent(k.target)} {k.unit})"
                    for k in terms.kpis
                ),
            )
        )
    allocation = [
        text
        for text in (das.allocation_who_chooses, das.allocation_request, das.allocation_no_capacity)
        if text
    ]
    if allocation:
        paragraphs.append(_("Wijze toewijzing cliënten: %(text)s", text=" ".join(allocation)))
    if das.privacy_role is not None:
        paragraphs.append(
            _("Privacy (AVG): %(role)s.", role=_words("privacy_role_name", das.privacy_role.value))
            + (f" {das.privacy_text}" if das.privacy_text else "")
        )
    if das.first_round_closes_on and das.joint_decision_on:
        paragraphs.append(
            _(
                "Eerste ronde: aanmeldingen tot en met %(closes)s, gezamenlijk besluit op "
                "%(decision)s, overeenkomsten vanaf %(start)s.",
                closes=das.first_round_closes_on.strftime("%d-%m-%Y"),
                decision=das.joint_decision_on.strftime("%d-%m-%Y"),
                start=das.term_start.strftime("%d-%m-%Y"),
            )
        )
    return "\n\n".join([das.summary, *paragraphs])


def _eligibility_text(das: Das) -> str:
    """The exclusion grounds and suitability criteria with the evidence asked, one per line."""
    ages = announcement.max_evidence_ages(das)
    lines = []
    for criterion in das.criteria:
        evidence = ", ".join(
            label(t)
            + (
                f" ({_('max. %(num)s maanden oud', num=ages[criterion.id][t.value])})"
                if ages[criterion.id][t.value]
                else ""
            )
            for t in criterion.evidence_types
        )
        required = _("verplicht") if criterion.evidence_required else _("op verzoek")
        line = f"{label(criterion.kind)}: {criterion.title}"
        if evidence:
            line += f". {_('Bewijs')} ({required}): {evidence}"
        lines.append(line)
    return "\n".join(lines)


def _milestones(das: Das, now: datetime) -> list[dict[str, Any]]:
    """The initial round (seed 003 §6.2): its closing date and the joint decision date."""
    if not (das.first_round_closes_on and das.joint_decision_on):
        return []
    today = local_date(now)
    return [
        {
            "id": "eerste-ronde-sluiting",
            "title": _("Sluiting eerste ronde"),
            "type": "engagement",
            "dueDate": _day(das.first_round_closes_on),
            "status": "met" if today > das.first_round_closes_on else "scheduled",
        },
        {
            "id": "eerste-ronde-besluit",
            "title": _("Gezamenlijk besluit eerste ronde"),
            "type": "approval",
            "dueDate": _day(das.joint_decision_on),
            "status": "met" if today >= das.joint_decision_on else "scheduled",
        },
    ]


def _tender_details(das: Das, now: datetime) -> dict[str, Any]:
    """The announcement's settings where OCDS (and its lots extension) has a field for them."""
    extra_cpv = das.extra_cpv_codes.split()
    items: list[dict[str, Any]] = [
        {
            "id": "1",
            "description": das.scope,
            "classification": {"scheme": "CPV", "id": das.cpv_code.split("-")[0]},
            **(
                {
                    "additionalClassifications": [
                        {"scheme": "CPV", "id": code.split("-")[0]} for code in extra_cpv
                    ]
                }
                if extra_cpv
                else {}
            ),
        }
    ]
    items += [
        {
            "id": f"{lot.code}-{product.code}",
            "description": product.name,
            "classification": {"scheme": "CPV", "id": das.cpv_code.split("-")[0]},
            "unit": {"name": label(product.unit)},
            "relatedLot": lot.code,
        }
        for lot in das.lots
        for product in lot.products
        if product.valid_to is None or product.valid_to >= local_date(now)
    ]
    max_extent = (
        contract_dates.common_end_date(
            das.initial_end_date, das.extension_option_years, das.extension_options_total
        )
        if das.extension_options_total and das.extension_option_years
        else das.common_end_date
    )
    announcement_url = external_url("public.das_detail", slug=das.slug)
    details: dict[str, Any] = {
        "description": _terms_text(das, now),
        "items": items,
        "eligibilityCriteria": _eligibility_text(das),
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": announcement_url,
        "contractPeriod": {
            "startDate": _day(das.term_start),
            "endDate": _day(das.common_end_date),
            "maxExtentDate": _day(max_extent),
        },
        "documents": [
            {
                "id": "aankondiging",
                "documentType": "tenderNotice",
                "title": _("Aankondiging %(name)s", name=das.name),
                "url": announcement_url,
                "format": "text/html",
                "language": "nl",
            },
            {
                "id": "modelovereenkomst",
                "documentType": "contractDraft",
                "title": _("Modelovereenkomst"),
                "url": external_url("public.model_agreement", slug=das.slug),
                "format": "application/pdf",
                "language": "nl",
            },
        ],
    }
    if questions.published_count(das.id):
        # The nota van inlichtingen: the published answers to providers' questions (issue 20).
        details["documents"].append(
            {
                "id": "clarifications",
                "documentType": "clarifications",
                "title": _("Vragen en antwoorden (nota van inlichtingen)"),
                "url": external_url("public.das_questions", slug=das.slug),
                "format": "text/html",
                "language": "nl",
            }
        )
    milestones = _milestones(das, now)
    if milestones:
        details["milestones"] = milestones
    changes = announcement.changes_of(das.id)
    if changes:
        details["amendments"] = [
            {
                "id": f"{das.reference}-v{change.version}",
                "date": _iso(change.published_at),
                "description": change.summary
                + "".join(
                    f"\n{setting}: {old if old is not None else '-'} -> "
                    f"{new if new is not None else '-'}"
                    for setting, (old, new) in (change.changes or {}).items()
                ),
            }
            for change in reversed(changes)
        ]
    return details


def _buyers(das: Das) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The authorities as parties, and the lead authority (the procuring entity)."""
    buyers: list[dict[str, Any]] = [
        {
            "id": a.cbs_code or f"authority-{a.id}",
            "name": a.name,
            "identifier": {"scheme": "NL-CBS", "id": a.cbs_code} if a.cbs_code else None,
            "roles": ["buyer", "procuringEntity"] if das.lead_authority_id == a.id else ["buyer"],
        }
        for a in das.authorities
    ]
    for buyer in buyers:
        if buyer["identifier"] is None:
            del buyer["identifier"]
    lead = next(
        (b for b in buyers if "procuringEntity" in b["roles"]), buyers[0] if buyers else None
    )
    return buyers, lead


def _tender(das: Das, now: datetime, lead: dict[str, Any] | None) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": das.reference,
        "title": das.name,
        "description": das.summary,
        "status": TENDER_STATUS[das.state],
        "procurementMethod": "open",
        "procurementMethodDetails": "Dynamisch aankoopsysteem zonder gunningscriteria "
        "(sociale en andere specifieke diensten)",
        "mainProcurementCategory": "services",
        "items": [
            {
                "id": "1",
                "description": das.scope,
                "classification": {"scheme": "CPV", "id": das.cpv_code.split("-")[0]},
            }
        ],
        "tenderPeriod": {
            "startDate": _day(das.term_start),
            "endDate": _day(das.common_end_date),
        },
        "techniques": {
            "hasDynamicPurchasingSystem": True,
            "hasFrameworkAgreement": True,
            "dynamicPurchasingSystem": {"type": "closed"},
        },
        "lots": [
            {
                "id": lot.code,
                "title": lot.name,
                "description": lot.description,
                "status": "active" if das.state is DasState.OPEN else "complete",
            }
            for lot in das.lots
        ],
    }
    with force_locale("nl"):  # the release's language is "nl", whoever asks
        tender.update(_tender_details(das, now))
    if lead is not None:
        tender["procuringEntity"] = {"id": lead["id"], "name": lead["name"]}
    return tender


def release_package(das: Das, uri: str, now: datetime) -> dict[str, Any]:
    agreements, lots_of = _agreements(das.id)
    buyers, lead = _buyers(das)
    suppliers = {
        a.organisation_id: {
            "id": f"NL-KVK-{a.kvk_number}",
            "name": a.legal_name,
            "identifier": {"scheme": "NL-KVK", "id": a.kvk_number, "legalName": a.legal_name},
            "roles": ["supplier"],
        }
        for a in agreements
    }
    release: dict[str, Any] = {
        "ocid": ocid(das),
        "id": f"{ocid(das)}-{now.strftime('%Y%m%dT%H%M%S')}",
        "date": _iso(now),
        "tag": ["tender", "award", "contract"] if agreements else ["tender"],
        "initiationType": "tender",
        "language": "nl",
        "parties": buyers + list(suppliers.values()),
        "tender": _tender(das, now, lead),
    }
    if lead is not None:
        release["buyer"] = {"id": lead["id"], "name": lead["name"]}
    awards, contracts = [], []
    for agreement in agreements:
        agreement_lots = lots_of.get(agreement.id, [])
        lots = [al.code for al in agreement_lots if al.ended_on is None]
        award_id = f"{agreement.reference}-award"
        awards.append(
            {
                "id": award_id,
                "title": f"Toelating {agreement.legal_name}",
                "status": "active",
                "date": _day(min(al.admitted_on for al in agreement_lots))
                if agreement_lots
                else _iso(agreement.created_at),
                "suppliers": [
                    {
                        "id": suppliers[agreement.organisation_id]["id"],
                        "name": agreement.legal_name,
                    }
                ],
                "relatedLots": lots,
            }
        )
        contract: dict[str, Any] = {
            "id": agreement.reference,
            "awardID": award_id,
            "title": f"Raamovereenkomst {agreement.reference}",
            "status": CONTRACT_STATUS[agreement.state],
            "period": {
                "startDate": _day(agreement.start_date),
                "endDate": _day(agreement.end_date),
            },
        }
        if agreement.state is AgreementState.SUSPENDED:
            contract["description"] = f"Opgeschort: {agreement.state_reason}"
        if agreement.authority_signed_at:
            contract["dateSigned"] = _iso(agreement.authority_signed_at)
        contracts.append(contract)
    if awards:
        release["awards"] = awards
        release["contracts"] = contracts
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": _iso(now),
        "publisher": {"name": current_app.config["PUBLISHER_NAME"]},
        "releases": [release],
    }


# --- one release per event (issue 23) ------------------------------------------------------------
# Each release's id is `<ocid>-<event>-<database id>`: the same event keeps its id however many
# events come before or after it, so a reader can store releases by id.
RELEASES_PER_PAGE = 100


def _supplier(kvk_number: str, legal_name: str) -> dict[str, Any]:
    return {
        "id": f"NL-KVK-{kvk_number}",
        "name": legal_name,
        "identifier": {"scheme": "NL-KVK", "id": kvk_number, "legalName": legal_name},
        "roles": ["supplier"],
    }


def _release(das: Das, event: str, db_id: int | str, date: str, tag: str) -> dict[str, Any]:
    return {
        "ocid": ocid(das),
        "id": f"{ocid(das)}-{event}-{db_id}",
        "date": date,
        "tag": [tag],
        "initiationType": "tender",
        "language": "nl",
    }


def _admissions(das_id: int) -> list[Any]:
    """Each decided application with at least one admitted lot, as (application, lot) rows."""
    return list(
        db.session.execute(
            db.select(
                Application.id,
                Application.reference,
                Application.decided_at,
                Organisation.kvk_number,
                Organisation.legal_name,
                Lot.code,
            )
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(ApplicationLot, ApplicationLot.application_id == Application.id)
            .join(Lot, Lot.id == ApplicationLot.lot_id)
            .where(
                Application.das_id == das_id,
                Application.decided_at.is_not(None),
                ApplicationLot.outcome == LotOutcome.ADMITTED,
            )
            .order_by(Application.id, Lot.position)
        )
    )


def _variations(das_id: int) -> list[Any]:
    """The DAS's agreement variations, oldest first; an exercised option's with the end date it
    moved from and to (made together by services/agreements.py `_move_end_date`)."""
    rows = db.session.execute(
        db.select(
            AgreementVariation.id,
            AgreementVariation.agreement_id,
            AgreementVariation.description,
            AgreementVariation.created_at,
            EndDateChange.old_end,
            EndDateChange.new_end,
        )
        .join(FrameworkAgreement, FrameworkAgreement.id == AgreementVariation.agreement_id)
        .outerjoin(
            EndDateChange,
            sa.and_(
                AgreementVariation.kind == VariationKind.END_DATE,
                EndDateChange.agreement_id == AgreementVariation.agreement_id,
                EndDateChange.decided_on == AgreementVariation.effective_on,
            ),
        )
        .where(FrameworkAgreement.das_id == das_id)
        .order_by(AgreementVariation.id, EndDateChange.id)
    )
    # One row per variation, should two moves of an agreement ever share a day.
    first: dict[int, Any] = {}
    for row in rows:
        first.setdefault(row.id, row)
    return list(first.values())


def releases(das: Das, now: datetime) -> list[dict[str, Any]]:
    """Every event of the DAS as its own release, oldest first (ties by id): the tender as
    published, each change notice as a tender update, each admission as an award, each framework
    agreement as a contract, each variation (an exercised option among them) as an amendment."""
    buyers, lead = _buyers(das)
    tender = _release(das, "tender", das.id, _iso(das.published_at or das.created_at), "tender")
    tender["parties"] = buyers
    if lead is not None:
        tender["buyer"] = {"id": lead["id"], "name": lead["name"]}
    tender["tender"] = _tender(das, now, lead)
    tender["tender"].pop("amendments", None)  # each change notice is a release of its own
    found = [tender]
    for change in announcement.changes_of(das.id):
        update = _release(das, "tenderUpdate", change.id, _iso(change.published_at), "tenderUpdate")
        update["tender"] = {
            "id": das.reference,
            "amendments": [
                {
                    "id": f"{das.reference}-v{change.version}",
                    "date": _iso(change.published_at),
                    "description": change.summary
                    + "".join(
                        f"\n{setting}: {old if old is not None else '-'} -> "
                        f"{new if new is not None else '-'}"
                        for setting, (old, new) in (change.changes or {}).items()
                    ),
                }
            ],
        }
        found.append(update)
    awarded: dict[int, dict[str, Any]] = {}
    for row in _admissions(das.id):
        if row.id not in awarded:
            awarded[row.id] = award = _release(das, "award", row.id, _iso(row.decided_at), "award")
            award["parties"] = [_supplier(row.kvk_number, row.legal_name)]
            award["awards"] = [
                {
                    "id": f"award-{row.id}",
                    "title": f"Toelating {row.legal_name}",
                    "status": "active",
                    "date": _iso(row.decided_at),
                    "suppliers": [{"id": f"NL-KVK-{row.kvk_number}", "name": row.legal_name}],
                    "relatedLots": [],
                }
            ]
            found.append(award)
        awarded[row.id]["awards"][0]["relatedLots"].append(row.code)
    agreements, lots_of = _agreements(das.id)
    # A contract release states the end date as the agreement was made; each exercised option's
    # amendment moves it, so the versioned release shows every end date with its release.
    variations = _variations(das.id)
    first_end: dict[int, Any] = {}
    for variation in variations:
        if variation.old_end is not None:
            first_end.setdefault(variation.agreement_id, variation.old_end)
    award_of: dict[int, str] = {}
    by_id = {}
    for agreement in agreements:
        first = min((al.application_id for al in lots_of.get(agreement.id, [])), default=None)
        award_of[agreement.id] = f"award-{first}" if first else f"{agreement.reference}-award"
        by_id[agreement.id] = agreement
        contract = _release(das, "contract", agreement.id, _iso(agreement.created_at), "contract")
        contract["contracts"] = [
            {
                "id": agreement.reference,
                "awardID": award_of[agreement.id],
                "title": f"Raamovereenkomst {agreement.reference}",
                "status": CONTRACT_STATUS[agreement.state],
                "period": {
                    "startDate": _day(agreement.start_date),
                    "endDate": _day(first_end.get(agreement.id, agreement.end_date)),
                },
                **(
                    {"dateSigned": _iso(agreement.authority_signed_at)}
                    if agreement.authority_signed_at
                    else {}
                ),
            }
        ]
        found.append(contract)
    for variation in variations:
        agreement = by_id[variation.agreement_id]
        amendment = _release(
            das,
            "contractAmendment",
            variation.id,
            _iso(variation.created_at),
            "contractAmendment",
        )
        amendment["contracts"] = [
            {
                "id": agreement.reference,
                "awardID": award_of[agreement.id],
                "amendments": [
                    {
                        "id": f"variation-{variation.id}",
                        "date": _iso(variation.created_at),
                        "description": variation.description,
                    }
                ],
                **(
                    {
                        "period": {
                            "startDate": _day(agreement.start_date),
                            "endDate": _day(variation.new_end),
                        }
                    }
                    if variation.new_end is not None
                    else {}
                ),
            }
        ]
        found.append(amendment)
    return sorted(found, key=lambda release: release["date"])


def releases_page(
    das: Das, since: datetime | None, page: int, now: datetime
) -> tuple[list[dict[str, Any]], bool]:
    """One page of the releases dated at or after `since`, oldest first; and whether there is a
    next page."""
    found = releases(das, now)
    if since is not None:
        cutoff = _iso(since)
        found = [release for release in found if release["date"] >= cutoff]
    start = (page - 1) * RELEASES_PER_PAGE
    return found[start : start + RELEASES_PER_PAGE], len(found) > start + RELEASES_PER_PAGE


def package(releases_: list[dict[str, Any]], uri: str, now: datetime) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": _iso(now),
        "publisher": {"name": current_app.config["PUBLISHER_NAME"]},
        "releases": releases_,
    }


def record_package(das: Das, uri: str, now: datetime) -> dict[str, Any]:
    """The DAS as one OCDS record: every release of its ocid embedded in full (there is no URL
    per release to link to, and embedded releases let a reader check the compiled release against
    them), the compiled release ocdsmerge makes of them by the OCDS merge rules, and the versioned
    release: every field's earlier values with the release that set them."""
    found = releases(das, now)
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": EXTENSIONS,
        "publishedDate": _iso(now),
        "publisher": {"name": current_app.config["PUBLISHER_NAME"]},
        "records": [
            {
                "ocid": ocid(das),
                "releases": found,
                "compiledRelease": ocds_merge.compiled_release(found),
                "versionedRelease": ocds_merge.versioned_release(found),
            }
        ],
    }
