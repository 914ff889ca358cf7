"""Open Contracting Data Standard 1.1 release packages: one ocid per DAS; the tender with
techniques.hasDynamicPurchasingSystem and its lots (techniques and lots extensions); each
admission as an award and a contract (seed 003 §4.5: publish awarded contracts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import (
    AgreementLot,
    AgreementState,
    Das,
    DasState,
    FrameworkAgreement,
    Lot,
    Organisation,
)

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
TENDER_STATUS = {DasState.DRAFT: "planning", DasState.OPEN: "active", DasState.CLOSED: "complete"}


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
            AgreementLot.agreement_id, AgreementLot.admitted_on, AgreementLot.ended_on, Lot.code
        )
        .join(Lot, Lot.id == AgreementLot.lot_id)
        .join(FrameworkAgreement, FrameworkAgreement.id == AgreementLot.agreement_id)
        .where(FrameworkAgreement.das_id == das_id)
        .order_by(AgreementLot.agreement_id, Lot.position)
    ):
        lots.setdefault(row.agreement_id, []).append(row)
    return list(agreements), lots


def release_package(das: Das, uri: str, now: datetime) -> dict[str, Any]:
    agreements, lots_of = _agreements(das.id)
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
    suppliers = {
        a.organisation_id: {
            "id": f"NL-KVK-{a.kvk_number}",
            "name": a.legal_name,
            "identifier": {"scheme": "NL-KVK", "id": a.kvk_number, "legalName": a.legal_name},
            "roles": ["supplier"],
        }
        for a in agreements
    }
    lead = next(
        (b for b in buyers if "procuringEntity" in b["roles"]), buyers[0] if buyers else None
    )
    release: dict[str, Any] = {
        "ocid": ocid(das),
        "id": f"{ocid(das)}-{now.strftime('%Y%m%dT%H%M%S')}",
        "date": _iso(now),
        "tag": ["tender", "award", "contract"] if agreements else ["tender"],
        "initiationType": "tender",
        "language": "nl",
        "parties": buyers + list(suppliers.values()),
        "tender": {
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
            "contractPeriod": {
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
        },
    }
    if lead is not None:
        release["buyer"] = {"id": lead["id"], "name": lead["name"]}
        release["tender"]["procuringEntity"] = {"id": lead["id"], "name": lead["name"]}
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
