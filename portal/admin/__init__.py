"""The administrator's pages: every DAS, the queue and the register at a glance.

`bp` is defined here; the view modules attach their pages to it and are imported by
portal/web/blueprints.py, so the package never imports its own views and nothing is circular."""

from __future__ import annotations

from flask import Blueprint

from portal.auth.access import protect_blueprint
from portal.models import Role

bp = Blueprint("admin", __name__, url_prefix="/beheer")
protect_blueprint(bp, [Role.ADMINISTRATOR])
