"""The glossary (/begrippen): every word of portal/pages/glossary.py with its anchor and meaning,
in Dutch and English, linked from the footer; `term()` links land on an entry."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from portal.pages.glossary import TERMS
from tests import factories

REQUIRED = {
    "perceel",
    "product",
    "uitsluitingsgrond",
    "self-cleaning",
    "gedragsverklaring-aanbesteden",
    "ijw",
    "cpv-code",
    "onherroepelijk-veroordeeld",
    "verantwoorde-werktoedeling",
    "meldplicht",
    "dynamisch-aankoopsysteem",
    "raamovereenkomst",
    "geschiktheidseis",
    "uea",
    "kvk-uittreksel",
    "agb-code",
    "sroi",
    "indexatie",
}


def _entries(page: str) -> dict[str, str]:
    """Anchor -> the meaning under its heading."""
    return {
        key: unescape(meaning).strip()
        for key, meaning in re.findall(
            r'<h2 id="([^"]+)" tabindex="-1">.*?</h2>\s*<p>(.*?)</p>', page, re.S
        )
    }


def test_every_term_has_an_anchor_and_a_meaning(app: Flask, client: FlaskClient) -> None:
    assert {t.key for t in TERMS} >= REQUIRED
    assert len({t.key for t in TERMS}) == len(TERMS)
    page = client.get("/begrippen").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "<h1>Begrippen</h1>" in page
    entries = _entries(page)
    assert set(entries) == {t.key for t in TERMS}
    assert all(len(meaning) > 40 for meaning in entries.values())
    assert "Gedragsverklaring Aanbesteden" in page
    assert "hoogstens 24 maanden oud" in entries["gedragsverklaring-aanbesteden"]
    assert "85000000-9" in entries["cpv-code"]
    # The index at the top links to every entry.
    for term in TERMS:
        assert f'href="#{term.key}"' in page


def test_the_glossary_in_english(app: Flask, client: FlaskClient) -> None:
    client.post("/taal/en", data={"next": "/begrippen"})
    page = client.get("/begrippen").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h1>Glossary</h1>" in page
    entries = _entries(page)
    assert set(entries) == {t.key for t in TERMS}  # the anchors do not change with the language
    assert "lot" in entries["perceel"].lower()


def test_the_footer_links_to_the_glossary(app: Flask, client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    footer = page[page.index('<footer class="site-footer">') :]
    assert 'href="/begrippen"' in footer


def test_a_term_link_lands_on_its_entry(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        link = render_template_string("{{ term('perceel') }} {{ term('uea', 'het UEA') }}")
        escaped = render_template_string("{{ term('perceel', '<b>x</b>') }}")
    assert link == (
        '<a href="/begrippen#perceel" class="term">perceel</a> '
        '<a href="/begrippen#uea" class="term">het UEA</a>'
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in escaped  # text given to the link is escaped
    href = re.search(r'href="([^"#]+)#([^"]+)"', link)
    assert href
    page = client.get(href.group(1)).get_data(as_text=True)
    assert f'id="{href.group(2)}"' in page


def test_term_links_appear_where_the_words_do(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()
    page = client.get(f"/das/{das.slug}").get_data(as_text=True)
    for key in ("cpv-code", "perceel", "uitsluitingsgrond", "self-cleaning"):
        assert f'href="/begrippen#{key}" class="term"' in page, key
