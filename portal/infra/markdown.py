"""Product descriptions are written in Markdown and rendered safely: raw HTML is not passed
through (markdown-it-py with html disabled), and links may only point to http(s) or mailto."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_markdown(text: str | None) -> Markup:
    # Safe markup: raw HTML is disabled in the renderer above (bandit B704 checked).
    return Markup(_renderer.render(text or ""))  # nosec B704
