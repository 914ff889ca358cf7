"""A PDF's first pages as PNG images, drawn on the server so a reviewer sees evidence beside the
answer without downloading it (issue 18).

Why not the browser's own PDF viewer: Chromium refuses it in a sandboxed frame or under a
`sandbox` Content-Security-Policy, and headless Chromium has none at all; without the sandbox a
PDF's scripts and forms would run in the portal's origin. A picture of a page runs nothing.

Every PDF is drawn by PDFium (pypdfium2) in a child process of its own, never in the web worker:
PDFium is not thread-safe, a provider's file is untrusted input to a C++ parser, and a child can
be stopped. Limits: the file's size (MAX_BYTES), the time (SECONDS, then the child is killed), the
child's memory (MEMORY_BYTES) and the image's size (WIDTH wide, at most MAX_HEIGHT high). Only
the first PAGES pages are ever drawn; the viewer offers the download for the rest.

The child is this file run as a script (`python -I pdf_preview.py count|render N`), the PDF on
its standard input; it imports nothing of the portal, so it starts in about a tenth of a second.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

PAGES = 10  # the pages a preview shows at most
WIDTH = 1000  # pixels: sharp at the panel's width, a text page is some 50-150 kB of PNG
MAX_HEIGHT = 3 * WIDTH  # a strip of a page is drawn smaller rather than ever taller
MAX_BYTES = 20 * 1024 * 1024  # what an upload may be (MAX_CONTENT_LENGTH): older rows aside
SECONDS = 10
MEMORY_BYTES = 1024 * 1024 * 1024


class PreviewFailed(Exception):
    """No picture of this PDF (or this page of it): the file is damaged, encrypted, too large,
    too slow to draw, or has fewer pages. The viewer then offers only the download."""


@dataclass(frozen=True)
class PageSize:
    width: int
    height: int


def _scale(width: float, height: float) -> float:
    return min(WIDTH / width, MAX_HEIGHT / height)


def _run(command: list[str], content: bytes) -> bytes:
    if len(content) > MAX_BYTES:
        raise PreviewFailed("too large")
    try:
        done = subprocess.run(  # noqa: S603 (our own script, the interpreter we run in)
            [sys.executable, "-I", __file__, *command],
            input=content,
            capture_output=True,
            timeout=SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:  # the child is killed by now
        raise PreviewFailed("too slow") from error
    if done.returncode != 0:
        raise PreviewFailed(done.stderr.decode(errors="replace")[-300:])
    return done.stdout


def page_sizes(content: bytes) -> tuple[int, list[PageSize]]:
    """The PDF's number of pages, and the size in pixels of each of its first PAGES pages as
    `render_page` draws them (for the <img> width and height, so the page does not jump)."""
    found = json.loads(_run(["count"], content))
    return int(found["pages"]), [PageSize(int(w), int(h)) for w, h in found["sizes"]]


def render_page(content: bytes, page: int) -> bytes:
    """Page `page` (1 = the first; at most PAGES) as a PNG image WIDTH pixels wide."""
    if not 1 <= page <= PAGES:
        raise PreviewFailed("no such page")
    return _run(["render", str(page)], content)


# --- the child --------------------------------------------------------------------------------


def _child(argv: list[str]) -> int:  # pragma: no cover (runs in the child process)
    import io
    import math
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(sys.stdin.buffer.read())
    if argv[0] == "count":
        sizes = []
        for number in range(min(len(document), PAGES)):
            width, height = document[number].get_size()
            scale = _scale(width, height)
            sizes.append((math.ceil(width * scale), math.ceil(height * scale)))
        json.dump({"pages": len(document), "sizes": sizes}, sys.stdout)
        return 0
    number = int(argv[1]) - 1
    if not 0 <= number < min(len(document), PAGES):
        print("no such page", file=sys.stderr)
        return 2
    page = document[number]
    width, height = page.get_size()
    image = page.render(scale=_scale(width, height), may_draw_forms=False).to_pil()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    sys.stdout.buffer.write(out.getvalue())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_child(sys.argv[1:]))
