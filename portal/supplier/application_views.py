"""The provider's draft application: its task list, lots, declarations and evidence.

One path (issue 17): every section's main button is "Opslaan en verder" and leads to the next
section that is not complete, then to checking and submitting. Every way out of a section's form
saves first: its buttons save and go, and a link followed after a change posts the form with the
link's target in `volgende` (static/js/save-before-leaving.js), which the view follows once the
draft is saved, when it is a path on this site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import DateField, Field, HiddenField

from portal.domain import evidence as evidence_rules
from portal.domain.eligibility import Missing, next_section
from portal.infra.storage import send_stored
from portal.infra.timeutil import local_date, now
from portal.models import (
    Application,
    Criterion,
    CriterionKind,
    EvidenceDocument,
    EvidenceType,
    PendingUpload,
)
from portal.pages import carried as carried_texts
from portal.pages import views_common
from portal.pages.forms import PortalForm
from portal.pages.messages import gap_message, message_for
from portal.pages.params import safe_local_path
from portal.services import (
    ServiceError,
    applications,
    espd_export,
    evidence,
    letters,
    messages,
    ownership,
    paging,
    pending_uploads,
    provider_lists,
    reuse,
    review,
)
from portal.supplier import bp
from portal.supplier.forms import (
    FILE_NOT_KEPT,
    MISSING_FILE,
    MISSING_ISSUE_DATE,
    ProductsForm,
    UploadForm,
    answers_form,
    date_problem_message,
    evidence_type_of,
)

SECTIONS = {
    "lots": ("supplier.lots", _l("Percelen en producten")),
    CriterionKind.EXCLUSION.value: ("supplier.exclusion", _l("Uitsluitingsgronden")),
    CriterionKind.SUITABILITY.value: ("supplier.suitability", _l("Geschiktheidseisen")),
}
UPLOAD_SUFFIXES = ("_file", "_issued_on", "_expires_on", "_pending")


def _sections(application: Application) -> list[dict[str, object]]:
    """The task list's sections (applications.sections_of) with their pages and titles."""
    return [
        {
            "key": section.key,
            "title": SECTIONS[section.key][1],
            "endpoint": SECTIONS[section.key][0],
            "missing": list(section.missing),
            "complete": section.complete,
            "status": section.status.value,
        }
        for section in applications.sections_of(application, local_date(now()))
    ]


@bp.route("/aanmeldingen/<int:application_id>")
def application(application_id: int) -> str:
    application = ownership.own_application(application_id, current_user)
    carried = reuse.carried_over(application) if application.is_draft else None
    return render_template(
        "supplier/application.html",
        application=application,
        carried_summary=carried_texts.summary_text(carried) if carried else "",
        sections=_sections(application) if application.is_draft else [],
        clarifications=review.clarifications_of(application) if not application.is_draft else [],
        letter=letters.letter_of(application),
        unread_messages=0
        if application.is_draft
        else messages.unread_count(application, for_staff=False),
        criteria_by_code={c.code: c for c in application.das.criteria},
        gap_message=gap_message,
    )


def _draft_or_redirect(application_id: int) -> Application | Response:
    application = ownership.own_application(application_id, current_user)
    if not application.is_draft:
        flash(_("Deze aanmelding is al ingediend en kan niet meer worden gewijzigd."), "info")
        return redirect(url_for("supplier.application", application_id=application.id))
    return application


def _next_section_url(application: Application, current: str) -> str:
    """The first section after `current` that is not complete, else checking and submitting."""
    key = next_section(applications.sections_of(application, local_date(now())), current)
    if key is None:
        return url_for("supplier.submit", application_id=application.id)
    return url_for(SECTIONS[key][0], application_id=application.id)


def _leave(application: Application, current: str) -> Response:
    """Where a saved section goes: a link the user followed (`volgende`, only a path on this
    site), the overview, or on along the path."""
    target = safe_local_path(request.form.get("volgende"))
    if target is None:
        if request.form.get("ga") == "overzicht":
            target = url_for("supplier.application", application_id=application.id)
        else:
            target = _next_section_url(application, current)
    return redirect(target)


@bp.route("/aanmeldingen/<int:application_id>/percelen", methods=["GET", "POST"])
def lots(application_id: int) -> str | Response:
    application = _draft_or_redirect(application_id)
    if isinstance(application, Response):
        return application
    admitted = applications.admitted_lot_ids(application.das, application.organisation_id)
    open_lots = [lot for lot in application.das.lots if lot.id not in admitted]
    form = ProductsForm.for_lots(open_lots, data={"products": [p.id for p in application.products]})
    if form.validate_on_submit():
        try:
            applications.save_products(application, form.products.data or [], current_user)
        except ServiceError as error:
            form.products.errors = list(form.products.errors) + [message_for(error)]
        else:
            flash(_("Uw keuze van percelen en producten is opgeslagen."), "success")
            return _leave(application, "lots")
    return render_template(
        "supplier/lots.html",
        application=application,
        form=form,
        open_lots=open_lots,
        admitted_lots=[lot for lot in application.das.lots if lot.id in admitted],
        next_url=_next_section_url(application, "lots"),
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


@dataclass
class UploadFields:
    """The fields of one upload in a form: the suitability page has one per criterion, the
    documents page one."""

    file: FileField
    issued_on: DateField
    expires_on: DateField | None
    pending: HiddenField

    @classmethod
    def of(cls, form: PortalForm, prefix: str = "") -> UploadFields:
        p = f"{prefix}_" if prefix else ""
        expires = f"{p}expires_on"
        return cls(
            form[f"{p}file"],
            form[f"{p}issued_on"],
            form[expires] if expires in form else None,
            form[f"{p}pending"],
        )

    def chosen(self) -> FileStorage | None:
        data = self.file.data
        return data if isinstance(data, FileStorage) and data.filename else None

    def pending_id(self) -> int | None:
        raw = (self.pending.data or "").strip()
        return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None

    def dates_typed(self) -> bool:
        return any(
            f is not None and (f.raw_data or [""])[0] for f in (self.issued_on, self.expires_on)
        )

    def clear_dates(self) -> None:
        for field in (self.issued_on, self.expires_on):
            if field is not None:
                field.data = None
                field.raw_data = []
                field.errors = []


@dataclass
class UploadOutcome:
    document: EvidenceDocument | None = None  # stored (and to be attached)
    pending: PendingUpload | None = None  # received, kept while a date is corrected
    failed: bool = False  # something is wrong: show the form again


def _add_error(field: Field, message: str) -> None:
    field.errors = list(field.errors) + [message]


def _take_upload(
    fields: UploadFields, evidence_type: EvidenceType | None, max_age_months: int | None
) -> UploadOutcome:
    """Store the upload of these fields when its file and dates are fine. A refused file is
    not kept (the field says why); a good file with a date to correct is kept as a pending
    upload of this user, used on the next save when no new file is chosen. `evidence_type` None:
    the rest of the form is wrong, so the file can only be kept."""
    moment = now()
    chosen = fields.chosen()
    pending: PendingUpload | None = None
    if (fields.pending.data or "").strip():
        try:
            # Someone else's id, or one that is not a number, names nothing of this user's.
            pending = pending_uploads.owned(fields.pending_id() or 0, current_user, moment)
        except ServiceError as error:
            fields.pending.data = ""
            if chosen is None:
                _add_error(fields.file, message_for(error))
                return UploadOutcome(failed=True)
    if chosen is None and pending is None:
        if fields.dates_typed():
            _add_error(fields.file, str(MISSING_FILE))
            return UploadOutcome(failed=True)
        fields.clear_dates()
        return UploadOutcome()
    received = None
    if chosen is not None:
        try:
            received = evidence.receive(chosen.stream, chosen.filename or "")
        except ServiceError as error:
            _add_error(fields.file, str(FILE_NOT_KEPT) % {"reason": message_for(error)})
            return UploadOutcome(pending=pending, failed=True)
    problem = _date_problem(fields, evidence_type, max_age_months)
    if problem or evidence_type is None:
        if received is not None:
            pending = pending_uploads.keep(
                current_user.organisation,
                current_user,
                received,
                moment,
                replaces=pending.id if pending else None,
            )
        assert pending is not None
        fields.pending.data = str(pending.id)
        return UploadOutcome(pending=pending, failed=True)
    issued_on = fields.issued_on.data
    expires_on = fields.expires_on.data if fields.expires_on is not None else None
    try:
        if received is not None:
            document = evidence.store_received(
                current_user.organisation,
                current_user,
                received,
                evidence_type,
                issued_on,
                expires_on,
            )
        else:
            assert pending is not None
            document = pending_uploads.promote(
                pending.id, current_user, moment, evidence_type, issued_on, expires_on
            )
    except ServiceError as error:
        _add_error(fields.file, message_for(error))
        return UploadOutcome(failed=True)
    fields.pending.data = ""
    fields.clear_dates()
    return UploadOutcome(document=document)


def _date_problem(
    fields: UploadFields,
    evidence_type: EvidenceType | None,
    max_age_months: int | None,
) -> bool:
    """Put the dates' problems on their fields; True when there is one."""
    if fields.issued_on.errors or (fields.expires_on is not None and fields.expires_on.errors):
        return True  # not a date at all
    if fields.issued_on.data is None:
        _add_error(fields.issued_on, str(MISSING_ISSUE_DATE))
        return True
    if evidence_type is None:
        return False
    expires_on = fields.expires_on.data if fields.expires_on is not None else None
    problem = evidence_rules.upload_date_problem(
        evidence_type.value, fields.issued_on.data, expires_on, max_age_months, local_date(now())
    )
    if problem is None:
        return False
    on_end_date = problem.refusal in (
        evidence_rules.DateRefusal.EXPIRES_BEFORE_ISSUE,
        evidence_rules.DateRefusal.EXPIRED,
    )
    target = (
        fields.expires_on if on_end_date and fields.expires_on is not None else fields.issued_on
    )
    _add_error(target, date_problem_message(problem, evidence_type))
    return True


def _answer_errors(form: PortalForm) -> bool:
    """Errors on anything but the uploads (those are handled, and never stop a save)."""
    return any(
        field.errors
        for field in form
        if field.name != "csrf_token" and not field.name.endswith(UPLOAD_SUFFIXES)
    ) or bool(form.csrf_token.errors if "csrf_token" in form else False)


def _missing_message(missing: Sequence[Missing], criteria: Sequence[Criterion]) -> str:
    titles = {c.code: f"{c.code} {c.title}" for c in criteria}
    return _(
        "Uw antwoorden zijn opgeslagen, maar dit onderdeel is nog niet compleet: %(items)s",
        items="; ".join(f"{titles[m.code]}: {gap_message(m)}" for m in missing),
    )


def _saved(application: Application, criteria: Sequence[Criterion]) -> None:
    """Say the answers are saved, and what this section still misses."""
    codes = {c.code for c in criteria}
    missing = [
        m for m in applications.missing_items(application, local_date(now())) if m.code in codes
    ]
    if missing:
        flash(_missing_message(missing, criteria), "warning")
    else:
        flash(_("Uw antwoorden zijn opgeslagen."), "success")


def _answers_page(application_id: int, kind: CriterionKind) -> str | Response:
    application = _draft_or_redirect(application_id)
    if isinstance(application, Response):
        return application
    criteria = application.das.criteria_of(kind)
    # Only the suitability criteria take documents.
    suitability = kind is CriterionKind.SUITABILITY
    documents = evidence.documents_of(application.organisation_id) if suitability else []
    earlier = applications.earlier_decisions(application)
    form = answers_form(
        criteria,
        documents,
        _answer_data(application, kind),
        local_date(now()),
        # The document the reviewers rejected is not offered as the default again.
        {c: e.document_ids for c, e in earlier.items() if e.rejected},
    )
    pending: dict[int, PendingUpload] = {}
    if request.method == "POST":
        form.validate()
        if not _answer_errors(form):
            problems = False
            added: dict[int, list[int]] = {}
            if suitability:
                for criterion in criteria:
                    outcome = _take_upload(
                        UploadFields.of(form, f"c{criterion.id}"),
                        evidence_type_of(criterion),
                        criterion.max_evidence_age_months,
                    )
                    problems = problems or outcome.failed
                    if outcome.pending is not None:
                        pending[criterion.id] = outcome.pending
                    if outcome.document is not None:
                        added[criterion.id] = [outcome.document.id]
                        _show_new_document(form, criterion, outcome.document)
            try:
                applications.save_answers(
                    application, _answers_given(form, criteria, added), current_user
                )
            except ServiceError as error:
                flash(message_for(error), "error")
            else:
                if not problems:
                    _saved(application, criteria)
                    return _leave(application, kind.value)
                flash(
                    _(
                        "Uw antwoorden zijn opgeslagen. Niet elk document kon worden opgeslagen: "
                        "zie hieronder."
                    ),
                    "warning",
                )
    template = "supplier/exclusion.html" if not suitability else "supplier/suitability.html"
    carried = reuse.carried_over(application)
    return render_template(
        template,
        application=application,
        carried_texts=carried_texts.answer_texts(carried),
        carried_summary=carried_texts.summary_text(carried),
        form=form,
        criteria=criteria,
        documents=documents,
        pending=pending,
        earlier=earlier,
        evidence_type_of=evidence_type_of,
        has_end_date=evidence_rules.HAS_END_DATE,
    )


def _show_new_document(form: PortalForm, criterion: Criterion, document: EvidenceDocument) -> None:
    """A document stored with this post is listed and ticked when the form is shown again."""
    field = form[f"c{criterion.id}_documents"]
    field.choices = list(field.choices or []) + [
        (document.id, f"{document.filename} ({document.issued_on:%d-%m-%Y})")
    ]
    field.data = list(field.data or []) + [document.id]


def _answers_given(
    form: PortalForm, criteria: Sequence[Criterion], added: dict[int, list[int]]
) -> dict[int, applications.AnswerInput]:
    all_clear = "statement" in form and form["statement"].data == "geen"
    given = {}
    for criterion in criteria:
        prefix = f"c{criterion.id}"
        if all_clear:
            # "None of these grounds applies": one statement, every ground answered "nee".
            given[criterion.id] = applications.AnswerInput(value=False)
            continue
        raw = form[f"{prefix}_value"].data
        documents = (
            list(form[f"{prefix}_documents"].data or ()) if f"{prefix}_documents" in form else []
        )
        documents += [d for d in added.get(criterion.id, []) if d not in documents]
        given[criterion.id] = applications.AnswerInput(
            value=None if raw not in ("ja", "nee") else raw == "ja",
            explanation=form[f"{prefix}_explanation"].data or "",
            self_cleaning=(form[f"{prefix}_self_cleaning"].data or "")
            if f"{prefix}_self_cleaning" in form
            else "",
            document_ids=tuple(documents),
        )
    return given


@bp.route("/aanmeldingen/<int:application_id>/uitsluitingsgronden", methods=["GET", "POST"])
def exclusion(application_id: int) -> str | Response:
    return _answers_page(application_id, CriterionKind.EXCLUSION)


@bp.route("/aanmeldingen/<int:application_id>/geschiktheidseisen", methods=["GET", "POST"])
def suitability(application_id: int) -> str | Response:
    return _answers_page(application_id, CriterionKind.SUITABILITY)


@bp.route("/documenten", methods=["GET", "POST"])
def documents() -> str | Response:
    form = UploadForm()
    next_url = safe_local_path(request.args.get("terug"))
    if next_url and not next_url.startswith("/aanbieder/"):
        next_url = None
    pending = None
    if request.method == "POST":
        form.validate()
        fields = UploadFields.of(form)
        evidence_type = (
            EvidenceType(form.evidence_type.data) if not form.evidence_type.errors else None
        )
        if fields.chosen() is None and not fields.pending.data:
            _add_error(fields.file, str(MISSING_FILE))
            if fields.issued_on.data is None and not fields.issued_on.errors:
                _add_error(fields.issued_on, str(MISSING_ISSUE_DATE))
        else:
            outcome = _take_upload(
                fields,
                evidence_type,
                evidence.max_age_for_type(evidence_type) if evidence_type else None,
            )
            pending = outcome.pending
            if outcome.document is not None:
                flash(
                    _("Het document %(name)s is opgeslagen.", name=outcome.document.filename),
                    "success",
                )
                return redirect(next_url or url_for("supplier.documents"))
    return render_template(
        "supplier/documents.html",
        form=form,
        pending=pending,
        documents=provider_lists.documents_page(
            ownership.organisation_id_of(current_user),
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


@bp.route("/aanmeldingen/<int:application_id>/espd.xml")
def application_espd(application_id: int) -> Response:
    """The submitted application as an ESPD (UEA) response, as it was submitted (issue 22)."""
    application = ownership.own_application(application_id, current_user)
    try:
        content = espd_export.response_for(application)
    except ServiceError:  # a draft has no ESPD yet
        abort(404)
    return views_common.download(
        content,
        "application/xml; charset=utf-8",
        espd_export.response_filename(application),
    )
