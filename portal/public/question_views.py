"""The nota van inlichtingen of a DAS: the published questions and answers, for anyone.

Without the asker's name or organisation (the service does not even load them), dated, grouped
by subject and numbered as asked; a corrected answer says so and keeps the earlier text."""

from __future__ import annotations

from flask import abort, render_template

from portal.auth.access import public
from portal.extensions import db
from portal.models import Das
from portal.public import bp
from portal.services import announcement, questions


@bp.route("/das/<slug>/vragen-en-antwoorden")
@public
def das_questions(slug: str) -> str:
    das = db.session.scalar(
        db.select(Das).where(Das.slug == slug, Das.state.in_(announcement.PUBLISHED_STATES))
    )
    if das is None:
        abort(404)
    return render_template("public/questions.html", das=das, groups=questions.published(das.id))
