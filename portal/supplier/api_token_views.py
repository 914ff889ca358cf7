"""The organisation's API tokens (issue 23): its administrator makes, lists and revokes the
tokens its own software reports with (same blueprint, same role check; the administrator's
decision per route).

A new token's secret is shown once, on the page that answers the POST that made it: never in a
redirect, a flash message or a log, and that page is not kept by any cache."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth.access import organisation_admin_required
from portal.infra.timeutil import now
from portal.models import ApiScope
from portal.models.labels import label
from portal.pages.messages import message_for
from portal.services import ServiceError, api_tokens
from portal.supplier import bp
from portal.supplier.api_token_forms import ApiTokenForm, RevokeApiTokenForm

# Where the API describes itself (portal/api/, OpenAPI 3.1).
API_DESCRIPTION = "/api/v1/openapi.json"
# Service refusals shown at the name field; the others at the scopes.
NAME_REFUSALS = {
    "api_token_name_missing",
    "api_token_name_too_long",
    "api_token_name_taken",
    "api_token_limit",
}


def _scope_labels() -> dict[str, str]:
    return {scope.value: label(scope) for scope in ApiScope}


def _list_page(form: ApiTokenForm) -> str:
    return render_template(
        "supplier/api_tokens.html",
        form=form,
        tokens=api_tokens.tokens_of(current_user.organisation),
        revoke_form=RevokeApiTokenForm(formdata=None),
        api_description=API_DESCRIPTION,
        scope_labels=_scope_labels(),
    )


def _not_stored(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/api-sleutels", endpoint="api_tokens")
@organisation_admin_required
def api_tokens_page() -> Response:
    return _not_stored(make_response(_list_page(ApiTokenForm(formdata=None))))


@bp.route("/api-sleutels", methods=["POST"])
@organisation_admin_required
def api_token_create() -> Response:
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            issued = api_tokens.create(
                current_user, form.name.data or "", form.chosen_scopes(), now()
            )
        except ServiceError as error:
            field = form.name if error.code in NAME_REFUSALS else form.scopes
            field.errors = list(field.errors) + [message_for(error)]
        else:
            # The secret, once: on this page only (no redirect, no flash), kept by no cache.
            return _not_stored(
                make_response(
                    render_template(
                        "supplier/api_token_created.html",
                        token=issued.token,
                        secret=issued.secret,
                        api_description=API_DESCRIPTION,
                        scope_labels=_scope_labels(),
                    )
                )
            )
    return _not_stored(make_response(_list_page(form)))


@bp.route("/api-sleutels/<int:token_id>/intrekken", methods=["POST"])
@organisation_admin_required
def api_token_revoke(token_id: int) -> Response:
    """Asks first (a page naming the token and what revoking it does), then revokes."""
    form = RevokeApiTokenForm()
    if not form.validate_on_submit():
        abort(400)
    if form.confirmed.data != "ja":
        token = next(
            (t for t in api_tokens.tokens_of(current_user.organisation) if t.id == token_id),
            None,
        )
        if token is None:
            abort(404)
        if token.is_revoked:
            return redirect(url_for("supplier.api_tokens"))
        return _not_stored(
            make_response(
                render_template(
                    "supplier/api_token_revoke.html",
                    token=token,
                    form=RevokeApiTokenForm(formdata=None, confirmed="ja"),
                )
            )
        )
    try:
        token = api_tokens.revoke(current_user, token_id, now())
    except ServiceError as error:
        if error.code == "not_found":
            abort(404)
        flash(message_for(error), "error")
    else:
        flash(_("De sleutel %(name)s is ingetrokken.", name=token.name), "success")
    return redirect(url_for("supplier.api_tokens"))
