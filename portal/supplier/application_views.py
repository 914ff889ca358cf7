"""The provider's draft application: its task list, lots, declarations and evidence."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.infra.storage import send_stored
from portal.infra.timeutil import local_date, now
from portal.models import (
    Application,
    CriterionKind,
    EvidenceType,
)
from portal.pages.messages import gap_message, message_for
from portal.services import (
    ServiceError,
    applications,
    evidence,
    letters,
    ownership,
    paging,
    provider_lists,
    review,
)
from portal.supplier import bp
from portal.supplier.forms import (
    ProductsForm,
    UploadForm,
    answers_form,
)
from portal.supplier.views import _org_id

SECTIONS = {
    "lots": "supplier.lots",
    CriterionKind.EXCLUSION.value: "supplier.exclusion",
    CriterionKind.SUITABILITY.value: "supplier.suitability",
}


def _sections(application: Application) -> list[dict[str, object]]:
    missing = applications.missing_items(application, local_date(now()))
    by_code = {c.code: c for c in application.das.criteria}
    sections = []
    for key, title in (
        ("lots", _("Percelen en producten")),
        (CriterionKind.EXCLUSION.value, _("Uitsluitingsgronden")),
        (CriterionKind.SUITABILITY.value, _("Geschiktheidseisen")),
    ):
        items = [
            m
            for m in missing
            if (m.code == "lots" and key == "lots")
            or (m.code in by_code and by_code[m.code].kind.value == key)
        ]
        sections.append(
            {
                "key": key,
                "title": title,
                "endpoint": SECTIONS[key],
                "missing": items,
                "complete": not items,
            }
        )
    return sections


@bp.route("/aanmeldingen/<int:application_id>")
def application(application_id: int) -> str:
    application = ownership.own_application(application_id, current_user)
    return render_template(
        "supplier/application.html",
        application=application,
        sections=_sections(application) if application.is_draft else [],
        clarifications=review.clarifications_of(application) if not application.is_draft else [],
        letter=letters.letter_of(application),
        criteria_by_code={c.code: c for c in application.das.criteria},
        gap_message=gap_message,
    )


def _draft_or_redirect(application_id: int) -> Application | Response:
    application = ownership.own_application(application_id, current_user)
    if not application.is_draft:
        flash(_("Deze aanmelding is al ingediend en kan niet meer worden gewijzigd."), "info")
        return redirect(url_for("supplier.application", application_id=application.id))
    return application


@bp.route("/aanmeldingen/<int:application_id>/percelen", methods=["GET", "POST"])
def lots(application_id: int) -> str | Response:
    application = _draft_or_redirect(application_id)
    if isinstance(application, Response):
        return application
    admitted = applications.admitted_lot_ids(application.das, _org_id())
    open_lots = [lot for lot in application.das.lots if lot.id not in admitted]
    form = ProductsForm.for_lots(open_lots, data={"products": [p.id for p in application.products]})
    if form.validate_on_submit():
        try:
            applications.save_products(application, form.products.data or [], current_user)
        except ServiceError as error:
            form.products.errors = list(form.products.errors) + [message_for(error)]
        else:
            flash(_("Uw keuze van percelen en producten is opgeslagen."), "success")
            return redirect(url_for("supplier.application", application_id=application.id))
    return render_template(
        "supplier/lots.html",
        application=application,
        form=form,
        open_lots=open_lots,
        admitted_lots=[lot for lot in application.das.lots if lot.id in admitted],
    )


def _answer_data(application: Application, kind: CriterionKind) -> dict[str, object]:
    data: dict[str, object] = {}
    for criterion in application.das.criteria_of(kind):
        answer = application.answer_for(criterion)
        if answer is None:
            continue
        prefix = f"c{criterion.id}"
        if answer.value is not None:
            data[f"{prefix}_value"] = "ja" if answer.value else "nee"
        data[f"{prefix}_explanation"] = answer.explanation
        data[f"{prefix}_self_cleaning"] = answer.self_cleaning
        data[f"{prefix}_documents"] = [d.id for d in answer.documents]
    return data


def _answers_page(application_id: int, kind: CriterionKind) -> str | Response:
    application = _draft_or_redirect(application_id)
    if isinstance(application, Response):
        return application
    criteria = application.das.criteria_of(kind)
    # Only the suitability criteria take documents.
    documents = evidence.documents_of(_org_id()) if kind is CriterionKind.SUITABILITY else []
    form = answers_form(criteria, documents, _answer_data(application, kind), local_date(now()))
    if form.validate_on_submit():
        given = {}
        for criterion in criteria:
            prefix = f"c{criterion.id}"
            raw = form[f"{prefix}_value"].data
            given[criterion.id] = applications.AnswerInput(
                value=None if raw not in ("ja", "nee") else raw == "ja",
                explanation=form[f"{prefix}_explanation"].data or "",
                self_cleaning=(form[f"{prefix}_self_cleaning"].data or "")
                if f"{prefix}_self_cleaning" in form
                else "",
                document_ids=tuple(form[f"{prefix}_documents"].data or ())
                if f"{prefix}_documents" in form
                else (),
            )
        try:
            applications.save_answers(application, given, current_user)
        except ServiceError as error:
            flash(message_for(error), "error")
        else:
            flash(_("Uw antwoorden zijn opgeslagen."), "success")
            return redirect(url_for("supplier.application", application_id=application.id))
    template = (
        "supplier/exclusion.html"
        if kind is CriterionKind.EXCLUSION
        else "supplier/suitability.html"
    )
    return render_template(
        template, application=application, form=form, criteria=criteria, documents=documents
    )


@bp.route("/aanmeldingen/<int:application_id>/uitsluitingsgronden", methods=["GET", "POST"])
def exclusion(application_id: int) -> str | Response:
    return _answers_page(application_id, CriterionKind.EXCLUSION)


@bp.route("/aanmeldingen/<int:application_id>/geschiktheidseisen", methods=["GET", "POST"])
def suitability(application_id: int) -> str | Response:
    return _answers_page(application_id, CriterionKind.SUITABILITY)


@bp.route("/documenten", methods=["GET", "POST"])
def documents() -> str | Response:
    form = UploadForm()
    next_url = request.args.get("terug")
    if next_url and not next_url.startswith("/aanbieder/"):
        next_url = None
    if form.validate_on_submit():
        try:
            document = evidence.store_upload(
                current_user.organisation,
                current_user,
                evidence.Upload(
                    stream=form.file.data.stream,
                    filename=form.file.data.filename or "",
                    evidence_type=EvidenceType(form.evidence_type.data),
                    issued_on=form.issued_on.data,
                    expires_on=form.expires_on.data,
                ),
            )
        except ServiceError as error:
            form.file.errors = list(form.file.errors) + [message_for(error)]
        else:
            flash(_("Het document %(name)s is opgeslagen.", name=document.filename), "success")
            return redirect(next_url or url_for("supplier.documents"))
    return render_template(
        "supplier/documents.html",
        form=form,
        documents=provider_lists.documents_page(
            _org_id(),
            local_date(now()),
            current_app.config["EXPIRY_WARNING_DAYS"],
            paging.page_number(request.args.get("pagina")),
            current_app.config["PER_PAGE"],
        ),
        query={"terug": next_url} if next_url else {},
        next_url=next_url,
    )


@bp.route("/documenten/<int:document_id>")
def download(document_id: int) -> Response:
    document = ownership.own_document(document_id, current_user)
    return send_stored(
        evidence.key_for(document.sha256),
        mimetype=evidence.served_type(document),
        download_name=evidence.served_name(document),
    )
