"""The dashboard's documents about to lapse are found in SQL: the same documents the
rule in portal.domain.evidence picks from the whole store."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask import Flask

from portal.models import EvidenceType
from portal.services import evidence, provider_lists
from tests import factories


def test_sql_candidates_miss_nothing_the_rule_picks(app: Flask) -> None:
    provider = factories.ProviderUserFactory()
    today, warning = date(2027, 3, 31), 30  # month ends: where month arithmetic differs
    for kind in (EvidenceType.KVK_EXTRACT, EvidenceType.GEDRAGSVERKLARING):
        months = 6 if kind is EvidenceType.KVK_EXTRACT else 24
        edge = today - relativedelta(months=months)
        for offset in range(-6, warning + 7, 3):
            factories.upload_pdf(provider, kind, edge + timedelta(days=offset))
    for offset in range(-3, warning + 4, 2):
        factories.upload_pdf(
            provider,
            EvidenceType.INSURANCE_POLICY,
            date(2020, 1, 1),
            today + timedelta(days=offset),
        )
    # An end date that comes after the age limit: the age limit decides.
    factories.upload_pdf(
        provider, EvidenceType.KVK_EXTRACT, date(2026, 1, 1), today + timedelta(days=10)
    )
    # The oracle: every document of the organisation, judged one by one by the domain rule.
    expected = {
        d.document.id
        for d in (
            evidence.validity_of(document, today, warning)
            for document in evidence.documents_of(provider.organisation_id)
        )
        if d.expires_soon
    }
    found = provider_lists.expiring_documents(provider.organisation_id, today, warning)
    assert expected and {d.document.id for d in found} == expected
    assert [d.valid_until for d in found] == sorted(d.valid_until for d in found)
