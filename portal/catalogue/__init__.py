"""The administrator's catalogue: a DAS, its lots, criteria and products.

`bp` is defined here; the view modules attach their pages to it and are imported by
portal/web/blueprints.py, so the package never imports its own views and nothing is circular."""

from __future__ import annotations

from flask import Blueprint

from portal.auth.access import protect_blueprint
from portal.models import Role

bp = Blueprint("catalogue", __name__, url_prefix="/beheer/das")
protect_blueprint(bp, [Role.ADMINISTRATOR])
