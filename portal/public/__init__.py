"""The public pages: what is bought and from whom, tariffs, statements.

`bp` is defined here; the view modules attach their pages to it and are imported by
portal/web/blueprints.py, so the package never imports its own views and nothing is circular."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)
