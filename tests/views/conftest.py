"""Fixtures shared by the page tests."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import Role
from portal.services import calendar, kpis
from tests import factories


@pytest.fixture()
def reporting(app: Flask):
    """A DAS with the default KPIs, a provider admitted on 8 January 2024 (its agreement awaits
    signatures) and a contract manager assigned: (das, provider, agreement, manager)."""
    calendar.ensure_statutory_holidays(range(2024, 2028))
    db.session.commit()
    das = factories.DasFactory(term_start=date(2024, 1, 1))
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = factories.admit(das, provider, date(2024, 1, 8))
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    return das, provider, agreement, manager
