"""Is this document genuine? The public verification page (issue 24).

Anyone may upload a PDF the portal issued, or give its fingerprint or reference, and hear whether
it is a genuine, unchanged document of the portal and which one (services/verification.py). The
upload is read and checked, never stored; a refused upload (too big, not a PDF) keeps nothing
either."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _

from portal.auth.access import public
from portal.extensions import limiter
from portal.public import bp
from portal.public.verify_forms import MAX_BYTES, VerifyFileForm, VerifyReferenceForm
from portal.services import verification


def _checks_per_address() -> str:
    return str(current_app.config["VERIFY_LIMIT_PER_ADDRESS"])


def _only_the_page() -> bool:
    """Showing the empty page costs nothing; a check (an upload or a look-up) counts."""
    return request.method == "GET" and "kenmerk" not in request.args


@bp.route("/documenten/controleren", methods=["GET", "POST"])
@public
@limiter.limit(_checks_per_address, exempt_when=_only_the_page)
def verify_document() -> tuple[str, int]:
    file_form = VerifyFileForm()
    reference_form = VerifyReferenceForm(request.args if "kenmerk" in request.args else None)
    result: verification.Verification | None = None
    status = 200
    if request.method == "POST":
        if file_form.validate_on_submit():
            content = file_form.file.data.stream.read(MAX_BYTES + 1)
            if len(content) > MAX_BYTES:
                file_form.file.errors.append(_too_big())
            else:
                result = verification.verify_file(content)
        if result is None:
            status = 422
    elif "kenmerk" in request.args:
        if reference_form.validate():
            result = verification.verify_reference(reference_form.kenmerk.data or "")
        else:
            status = 422
    return render_template(
        "public/verify_document.html",
        file_form=file_form,
        reference_form=reference_form,
        result=result,
        by_reference=request.method == "GET" and result is not None,
    ), status


def _too_big() -> str:
    return _("Het bestand is groter dan 10 MB. Een document van het portaal is veel kleiner.")
