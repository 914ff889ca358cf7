"""Importing an ESPD (UEA) response into a draft (issue 22): upload, what was filled and what
not, and adopting the organisation data the document holds (portal.services.espd_import)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Response

from portal.auth.access import organisation_admin_required
from portal.domain.espd import NotMappedReason, Refusal
from portal.infra import espd, espd_xml
from portal.infra.timeutil import now
from portal.models import Application, EspdImport
from portal.models.labels import profile_field_label
from portal.pages.messages import message_for
from portal.services import ServiceError, ownership
from portal.services import espd_import as espd_import_service
from portal.supplier import bp
from portal.supplier.account_forms import IDENTIFIER_MESSAGES
from portal.supplier.espd_forms import MISSING_FILE, NOTHING_CHOSEN, AdoptForm, EspdImportForm

MAX_MB = espd_xml.MAX_BYTES // (1024 * 1024)

#: Why an answer of the document was not taken, in plain words.
REASONS = {
    NotMappedReason.NOT_ASKED.value: _l("Dit aankoopsysteem vraagt hier niet naar."),
    NotMappedReason.NO_YES_NO.value: _l(
        "Het UEA geeft hier geen antwoord met ja of nee op (bijvoorbeeld een bedrag of een "
        "lijst). Vul dit zelf in."
    ),
    NotMappedReason.PARTLY.value: _l(
        "Deze vraag gaat over meer dan het UEA beantwoordt. Vul het antwoord zelf aan."
    ),
    NotMappedReason.NOT_ANSWERED.value: _l("Het UEA beantwoordt deze vraag niet. Vul die zelf in."),
    NotMappedReason.RELIES_ON_OTHERS.value: _l(
        "In het UEA staat bij deze eis dat uw organisatie er niet zelf aan voldoet, maar steunt "
        "op anderen (bijvoorbeeld een onderaannemer). Vul het antwoord zelf in."
    ),
    NotMappedReason.OWN_OF_OTHER.value: _l(
        "Een eigen eis van een andere aanbesteding: die hoort niet bij dit aankoopsysteem."
    ),
}
#: A value the profile does not take, said as the profile form says it.
VALUE_PROBLEMS = {
    **IDENTIFIER_MESSAGES,
    "email": _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    "size": _l("Kies de grootte van uw organisatie."),
}


def _draft(application_id: int) -> Application | Response:
    application = ownership.own_application(application_id, current_user)
    if not application.is_draft:
        flash(_("Deze aanmelding is al ingediend en kan niet meer worden gewijzigd."), "info")
        return redirect(url_for("supplier.application", application_id=application.id))
    return application


def _import_page(
    application: Application, form: EspdImportForm, detail: str = "", status: int = 200
) -> tuple[str, int]:
    return render_template(
        "supplier/espd_import.html", application=application, form=form, detail=detail
    ), status


@bp.route("/aanmeldingen/<int:application_id>/espd-importeren", methods=["GET", "POST"])
def espd_import(application_id: int) -> tuple[str, int] | Response:
    application = _draft(application_id)
    if isinstance(application, Response):
        return application
    form = EspdImportForm(max_mb=MAX_MB)
    if not form.validate_on_submit():
        return _import_page(application, form)
    chosen = form.file.data
    if not isinstance(chosen, FileStorage) or not chosen.filename:
        form.file.errors = [str(MISSING_FILE)]
        return _import_page(application, form)
    # One byte more than taken is enough to know it is too large.
    data = chosen.stream.read(espd_xml.MAX_BYTES + 1)
    try:
        result = espd_import_service.import_response(
            current_user, application, chosen.filename, data, now()
        )
    except ServiceError as error:
        form.file.errors = [message_for(error)]
        return _import_page(application, form, str(error.params.get("detail") or ""))
    flash(_("Uw UEA is ingelezen. Hieronder ziet u wat is overgenomen."), "success")
    return redirect(
        url_for("supplier.espd_import_result", application_id=application.id, import_id=result.id)
    )


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """A body over MAX_CONTENT_LENGTH is refused before it is read. On the ESPD upload it gets
    the upload page with the same refusal as a file over espd_xml.MAX_BYTES; elsewhere the
    portal's page for a file that is too large."""
    args = request.view_args or {}
    # The route's own access decision may not have run yet (the form is read, and refused, by
    # the CSRF check before it): the ownership loader decides, as on the page itself.
    if request.endpoint == "supplier.espd_import" and current_user.is_authenticated:
        try:
            application = ownership.own_application(int(args["application_id"]), current_user)
        except NotFound:
            application = None
        if application is not None and application.is_draft:
            form = EspdImportForm(formdata=None, max_mb=MAX_MB)
            form.file.errors = [message_for(ServiceError(Refusal.TOO_LARGE.value))]
            return _import_page(application, form, status=413)
    return render_template("errors/413.html"), 413


def _import_of(application: Application, import_id: int) -> EspdImport:
    found = espd_import_service.import_of(application, import_id)
    if found is None:
        abort(404)
    return found


def _result_page(
    application: Application, found: EspdImport, form: AdoptForm, status: int = 200
) -> tuple[str, int]:
    criteria = {c.code: c for c in application.das.criteria}
    language = str(get_locale() or "nl")[:2]
    summary = found.summary or {}
    answers = {
        a.criterion_id: a
        for a in application.answers
        if a.reused_from_espd_id == found.id and a.is_reused
    }
    return render_template(
        "supplier/espd_import_result.html",
        application=application,
        espd_import=found,
        summary=summary,
        criteria=criteria,
        current_answers=answers,
        reasons=REASONS,
        espd_label=lambda code: espd.label(code, language),
        # The ones to choose first (the checkboxes' ids count from 0, as the error summary
        # expects), then the KvK number, which is only compared.
        proposals=sorted(
            espd_import_service.organisation_proposal(found, application.organisation),
            key=lambda p: not p.adoptable,
        ),
        field_label=profile_field_label,
        form=form,
        may_adopt=current_user.is_organisation_admin,
    ), status


def _adopt_form(found: EspdImport, application: Application, **kwargs: Any) -> AdoptForm:
    proposals = espd_import_service.organisation_proposal(found, application.organisation)
    return AdoptForm(
        choices=[(p.field, profile_field_label(p.field)) for p in proposals if p.adoptable],
        **kwargs,
    )


@bp.route("/aanmeldingen/<int:application_id>/espd-importeren/<int:import_id>")
def espd_import_result(application_id: int, import_id: int) -> tuple[str, int]:
    application = ownership.own_application(application_id, current_user)
    found = _import_of(application, import_id)
    return _result_page(application, found, _adopt_form(found, application, formdata=None))


@bp.route(
    "/aanmeldingen/<int:application_id>/espd-importeren/<int:import_id>/organisatie",
    methods=["POST"],
)
@organisation_admin_required  # it writes the organisation's profile, as save_profile does
def espd_import_adopt(application_id: int, import_id: int) -> tuple[str, int] | Response:
    application = ownership.own_application(application_id, current_user)
    found = _import_of(application, import_id)
    form = _adopt_form(found, application)
    if not form.validate_on_submit():
        return _result_page(application, found, form)
    chosen = [str(value) for value in form.chosen.data or []]
    if not chosen:
        form.chosen.errors = [str(NOTHING_CHOSEN)]
        return _result_page(application, found, form)
    try:
        changes = espd_import_service.adopt(current_user, found, chosen)
    except ServiceError as error:
        form.chosen.errors = [_adopt_message(error)]
        return _result_page(application, found, form)
    if changes:
        flash(
            _(
                "Overgenomen in het profiel van uw organisatie: %(fields)s.",
                fields=", ".join(profile_field_label(name) for name in changes),
            ),
            "success",
        )
    else:
        flash(_("Er was niets gewijzigd."), "info")
    return redirect(
        url_for("supplier.espd_import_result", application_id=application.id, import_id=found.id)
    )


def _adopt_message(error: ServiceError) -> str:
    """A value the profile refuses, with its field's name and the profile form's message."""
    if error.code != "espd_value_invalid":
        return message_for(error)
    field = str(error.params.get("field", ""))
    problem = str(error.params.get("problem", ""))
    if problem == "length":
        reason = _("Dit veld mag hoogstens %(max)d tekens zijn.", max=error.params.get("max", 0))
    else:
        reason = str(VALUE_PROBLEMS.get(problem, message_for(error)))
    return f"{profile_field_label(field)}: {reason}"
