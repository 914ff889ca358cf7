"""Logging in and out, registering, two-step verification and the account's own pages.

`bp` is defined here; the view modules attach their pages to it and are imported by
portal/web/blueprints.py, so the package never imports its own views and nothing is circular."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
