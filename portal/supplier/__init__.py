"""The provider's pages: dashboard, application, evidence, agreements, account, KPIs.

`bp` is defined here; the view modules attach their pages to it and are imported by
portal/web/blueprints.py, so the package never imports its own views and nothing is circular."""

from __future__ import annotations

from flask import Blueprint

from portal.auth.access import protect_blueprint
from portal.models import Role

bp = Blueprint("supplier", __name__, url_prefix="/aanbieder")
protect_blueprint(bp, [Role.PROVIDER])
