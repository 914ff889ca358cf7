"""The waiting-time register's forms (issue 23). The rows of the register form depend on the
agreement's lots and the entries it has, so the view reads them itself; these forms carry the
form token."""

from __future__ import annotations

from portal.pages.forms import PortalForm


class WaitingTimesForm(PortalForm):
    """Update the register: the rows are read by portal/supplier/waiting_views.py."""


class ConfirmWaitingTimesForm(PortalForm):
    """Confirm every current entry unchanged."""
