"""Who at a provider gets its mail (services/recipients.py)."""

from __future__ import annotations

from flask import Flask

from portal.extensions import db
from portal.services.recipients import provider_recipients
from tests import factories


def test_the_people_who_act_for_the_provider_get_its_mail(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    organisation = admin.organisation
    signatory = factories.ProviderUserFactory(
        organisation=organisation, contributor=True, is_signatory=True
    )
    contributor = factories.ProviderUserFactory(organisation=organisation, contributor=True)
    departed = factories.ProviderUserFactory(organisation=organisation)
    departed.is_active_account = False
    elsewhere = factories.ProviderUserFactory()
    db.session.commit()

    assert provider_recipients(organisation.id) == [admin, signatory]
    # KPI figures are reported by anyone at the provider, so their reminders go to everyone.
    assert provider_recipients(organisation.id, reporters=True) == [admin, signatory, contributor]
    assert provider_recipients([organisation.id, elsewhere.organisation_id]) == [
        admin,
        signatory,
        elsewhere,
    ]
    assert provider_recipients([]) == []
