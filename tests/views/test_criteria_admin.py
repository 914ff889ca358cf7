"""The criteria pages of a DAS (issue 19): choose from the ESPD list, fill in the evidence rules,
copy from another DAS; every refusal in Dutch with what was typed kept."""

from __future__ import annotations

import html
import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Criterion, CriterionOrigin, DasState, EvidenceType, Role
from tests import factories
from tests.support.app import login


def _admin(client: FlaskClient):
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(client, admin)
    return admin


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _criterion_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "code": "G1",
        "espd_codes": "indem-insu",
        "title": "Verzekering",
        "question": "Heeft uw organisatie een aansprakelijkheidsverzekering?",
        "guidance": "",
        "evidence_types": ["verzekeringspolis", "overig"],
        "evidence_required": "y",
        "max_evidence_age_months": "",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_the_list_offers_the_espd_codes_grouped_by_kind(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    _admin(client)
    page = _text(client.get(f"/beheer/das/{das.slug}/eisen"))
    assert "Uitsluitingsgronden (2)" in page and "Geschiktheidseisen (2)" in page
    exclusion, suitability = page.split('id="bron-exclusion"')[1].split('id="bron-suitability"')
    assert '<optgroup label="Veroordelingen">' in exclusion
    assert 'value="fraud">Fraude (fraud)' in exclusion
    assert 'value="indem-insu"' not in exclusion and 'value="indem-insu"' in suitability
    assert 'value="nationaal"' in exclusion and 'value="eigen"' in suitability
    assert 'value="sme"' not in page  # not a criterion


def test_add_an_exclusion_ground_from_the_list(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    _admin(client)
    url = f"/beheer/das/{das.slug}/eisen/nieuw?soort=uitsluitingsgrond&bron=corruption"
    page = _text(client.get(url))
    assert 'value="U3"' in page  # the next free code
    assert 'value="Corruptie"' in page  # the ESPD list's Dutch label
    assert "uitsluitingsgrond 'corruptie'" in page
    assert 'name="evidence_required"' not in page  # asked on request only
    response = client.post(
        url,
        data={
            "code": "U3",
            "espd_codes": "corruption",
            "title": "Corruptie",
            "question": "Is uw organisatie veroordeeld voor corruptie?",
            "evidence_types": ["gedragsverklaring_aanbesteden"],
        },
    )
    assert response.status_code == 302
    added = db.session.scalars(db.select(Criterion).where(Criterion.code == "U3")).one()
    assert (added.origin, added.passing_answer, added.evidence_type) == (
        CriterionOrigin.ESPD,
        False,
        EvidenceType.GEDRAGSVERKLARING,
    )
    assert added.max_evidence_age_months == 24
    listing = _text(client.get(response.headers["Location"]))
    assert "Eis U3 is toegevoegd." in listing and "Corruptie" in listing


def test_refusals_keep_what_was_typed(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)  # G1 exists
    _admin(client)
    url = f"/beheer/das/{das.slug}/eisen/nieuw?soort=geschiktheidseis&bron=indem-insu"
    cases = [
        (
            _criterion_form(evidence_types=None),
            "Kies ten minste één soort bewijsstuk dat telt",
        ),
        (_criterion_form(code="G1", title="Mijn titel"), "De code G1 is al in gebruik"),
        (_criterion_form(code="G5", espd_codes="verzonnen"), "niet in de ESPD-lijst: verzonnen"),
        (_criterion_form(code="G5", espd_codes="fraud"), "geen geschiktheidseis maar een"),
        (_criterion_form(code="G5", max_evidence_age_months="0"), "ten minste 1 maand"),
        (_criterion_form(code="G5", max_evidence_age_months="-2"), "ten minste 1 maand"),
        (
            _criterion_form(code="G5", evidence_types=["verzekeringspolis", "geheim"]),
            "Kies alleen soorten bewijs uit de lijst.",
        ),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        page = _text(response)
        assert response.status_code == 200, message
        assert "Er is een probleem" in page and message in page, message
        # What was typed is still there.
        assert f'value="{data["title"]}"' in page
        assert f'value="{data["espd_codes"]}"' in page
        if data.get("max_evidence_age_months"):
            assert f'value="{data["max_evidence_age_months"]}"' in page
        assert "Heeft uw organisatie een aansprakelijkheidsverzekering?" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Criterion)) == 4


def test_edit_keeps_two_evidence_types(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    _admin(client)
    g1 = das.criteria[2]
    url = f"/beheer/das/{das.slug}/eisen/{g1.id}"
    page = _text(client.get(url))
    assert re.search(r'<input checked[^>]*value="kwaliteitscertificaat"', page)
    assert not re.search(r'<input checked[^>]*value="overig"', page)
    response = client.post(
        url,
        data=_criterion_form(
            code="G1",
            espd_codes="qu-certif-indep",
            evidence_types=["kwaliteitscertificaat", "overig"],
            max_evidence_age_months="36",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(g1)
    assert g1.evidence_types == [EvidenceType.QUALITY_CERTIFICATE, EvidenceType.OTHER]
    assert g1.max_evidence_age_months == 36
    listing = _text(client.get(f"/beheer/das/{das.slug}/eisen"))
    assert "Kwaliteitscertificaat, Overig document" in listing


def test_remove_and_move(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    _admin(client)
    u1, u2 = das.criteria[0].id, das.criteria[1].id
    client.post(f"/beheer/das/{das.slug}/eisen/{u2}/verplaatsen", data={"richting": "omhoog"})
    db.session.refresh(das)
    assert [c.code for c in das.criteria][:2] == ["U2", "U1"]
    response = client.post(f"/beheer/das/{das.slug}/eisen/{u1}/verwijderen")
    assert response.status_code == 302
    assert "Eis U1 is verwijderd." in _text(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Criterion, u1) is None


def test_removing_an_answered_criterion_says_why(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()
    factories.complete_draft(das, factories.ProviderUserFactory(), date(2026, 11, 1))
    das.state = DasState.DRAFT
    db.session.commit()
    _admin(client)
    u1 = das.criteria[0]
    page = _text(client.get(f"/beheer/das/{das.slug}/eisen"))
    assert "1 keer beantwoord" in page
    response = client.post(f"/beheer/das/{das.slug}/eisen/{u1.id}/verwijderen")
    page = _text(client.get(response.headers["Location"]))
    assert "Eis U1 is al 1 keer beantwoord in aanmeldingen" in page
    assert db.session.get(Criterion, u1.id) is not None


def test_a_criterion_of_another_das_is_not_found(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    other = factories.DasFactory(state=DasState.DRAFT)
    _admin(client)
    foreign = other.criteria[0]
    assert client.get(f"/beheer/das/{das.slug}/eisen/{foreign.id}").status_code == 404
    assert client.post(f"/beheer/das/{das.slug}/eisen/{foreign.id}/verwijderen").status_code == 404
    assert db.session.get(Criterion, foreign.id) is not None
    assert client.get(f"/beheer/das/{das.slug}/eisen/nieuw?soort=iets").status_code == 404


def test_copy_from_another_das(app: Flask, client: FlaskClient) -> None:
    source = factories.DasFactory(name="Jeugdhulp Noord")
    das = factories.DasFactory(state=DasState.DRAFT, with_requirements=False)
    _admin(client)
    url = f"/beheer/das/{das.slug}/eisen/overnemen"
    page = _text(client.get(url))
    assert "Jeugdhulp Noord (4)" in page
    response = client.post(url, data={"source": str(source.id)})
    assert response.status_code == 302
    assert "4 eisen overgenomen van Jeugdhulp Noord." in _text(
        client.get(response.headers["Location"])
    )
    # Again: refused until the administrator confirms replacing them.
    page = _text(client.post(url, data={"source": str(source.id)}))
    assert "Dit aankoopsysteem heeft al eisen (4)" in page
    assert f'value="{source.id}" selected' in page or f'selected value="{source.id}"' in page
    response = client.post(url, data={"source": str(source.id), "replace": "y"})
    assert response.status_code == 302
    db.session.refresh(das)
    assert len(das.criteria) == 4
    assert "Kies een aankoopsysteem uit de lijst." in _text(
        client.post(url, data={"source": str(das.id)})
    )


def test_a_published_das_shows_why_it_refuses(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()  # open
    _admin(client)
    page = _text(client.get(f"/beheer/das/{das.slug}/eisen"))
    assert "al gepubliceerd" in page
    assert 'name="bron"' not in page and '/verwijderen"' not in page
    g1 = das.criteria[2]
    page = _text(
        client.post(
            f"/beheer/das/{das.slug}/eisen/{g1.id}",
            data=_criterion_form(
                code="G1",
                espd_codes="",
                title="Kwaliteit",
                question="Kwaliteitssysteem?",
                evidence_types=["kwaliteitscertificaat"],
            ),
        )
    )
    assert "Wat wijzigt er, en waarom?" in page
    assert "schrijf wat er is gewijzigd en waarom" in page
    page = _text(
        client.post(
            f"/beheer/das/{das.slug}/eisen/nieuw?soort=geschiktheidseis&bron=eigen",
            data=_criterion_form(code="G7"),
        )
    )
    assert "Eisen toevoegen, verwijderen, verplaatsen of overnemen kan alleen" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Criterion)) == 4
