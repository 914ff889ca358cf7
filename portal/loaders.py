"""Ownership loaders: another organisation's object is a 404, so no view can forget the check
(the Flask tutorial's get_post)."""

from __future__ import annotations

from flask import abort
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Answer, Application, Das, DasState, EvidenceDocument, FrameworkAgreement


def get_application(application_id: int, organisation_id: int) -> Application:
    application = db.session.scalar(
        db.select(Application)
        .where(Application.id == application_id, Application.organisation_id == organisation_id)
        .options(
            selectinload(Application.lots),
            selectinload(Application.answers).selectinload(Answer.documents),
        )
    )
    if application is None:
        abort(404)
    return application


def get_document(document_id: int, organisation_id: int) -> EvidenceDocument:
    document = db.session.scalar(
        db.select(EvidenceDocument).where(
            EvidenceDocument.id == document_id, EvidenceDocument.organisation_id == organisation_id
        )
    )
    if document is None:
        abort(404)
    return document


def get_agreement(agreement_id: int, organisation_id: int) -> FrameworkAgreement:
    agreement = db.session.scalar(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.id == agreement_id,
            FrameworkAgreement.organisation_id == organisation_id,
        )
    )
    if agreement is None:
        abort(404)
    return agreement


def get_open_das(slug: str) -> Das:
    das = db.session.scalar(db.select(Das).where(Das.slug == slug, Das.state == DasState.OPEN))
    if das is None:
        abort(404)
    return das
