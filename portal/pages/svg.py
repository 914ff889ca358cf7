"""Charts drawn on the server as SVG, always shown next to the table of their numbers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_Y = 560, 220, 56, 32, 24


def line_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal],
    target: Decimal | None = None,
    threshold: Decimal | None = None,
) -> Markup:
    """A line chart with optional target (dashed) and alert threshold (dotted) lines. The title
    is the accessible name; the table beside it carries the numbers."""
    lines = [v for v in (target, threshold) if v is not None]
    low = min([*values, *lines], default=Decimal(0))
    high = max([*values, *lines], default=Decimal(1))
    if high == low:
        high = low + 1
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - 2 * PAD_Y

    def x(i: int) -> float:
        return PAD_LEFT + (inner_w * i / max(len(values) - 1, 1))

    def y(v: Decimal) -> float:
        return PAD_Y + float((high - v) / (high - low)) * inner_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD_LEFT}" y1="{PAD_Y}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_Y}" '
        'stroke="#4a4a4a"/>',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_Y}" x2="{WIDTH - PAD_RIGHT}" '
        f'y2="{HEIGHT - PAD_Y}" stroke="#4a4a4a"/>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_Y + 4}" text-anchor="end" font-size="11">'
        f"{escape(_fmt(high))}</text>",
        f'<text x="{PAD_LEFT - 6}" y="{HEIGHT - PAD_Y}" text-anchor="end" font-size="11">'
        f"{escape(_fmt(low))}</text>",
    ]
    for value, dash, name in ((target, "6 4", "norm"), (threshold, "2 3", "grens")):
        if value is not None:
            parts.append(
                f'<line x1="{PAD_LEFT}" y1="{y(value):.1f}" x2="{WIDTH - PAD_RIGHT}" '
                f'y2="{y(value):.1f}" stroke="#8a4b00" stroke-dasharray="{dash}">'
                f"<title>{name} {escape(_fmt(value))}</title></line>"
            )
    if values:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#154273" stroke-width="2.5"/>'
        )
        for i, value in enumerate(values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="4" fill="#154273">'
                f"<title>{escape(labels[i])}: {escape(_fmt(value))}</title></circle>"
            )
        for i, label in enumerate(labels):
            if len(labels) <= 12 or i % max(len(labels) // 8, 1) == 0:
                parts.append(
                    f'<text x="{x(i):.1f}" y="{HEIGHT - 6}" text-anchor="middle" '
                    f'font-size="10">{escape(label)}</text>'
                )
    parts.append("</svg>")
    # Safe markup: every value above is escaped (bandit B704 checked).
    return Markup("".join(parts))  # nosec B704


def _fmt(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f").replace(".", ",")


BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 18, 8, 190


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[Decimal], texts: Sequence[str]
) -> Markup:
    """Horizontal bars, one per label, with the figure as written in the table (`texts`: money
    or a percentage, formatted by the caller) at the end of each bar and in its title. The title
    is the accessible name; the table beside it carries the numbers."""
    high = max([Decimal(v) for v in values if v > 0], default=Decimal(1))
    height = 2 * PAD_Y + len(values) * (BAR_HEIGHT + BAR_GAP)
    inner_w = WIDTH - LABEL_WIDTH - PAD_RIGHT - 72  # room for the figure after the longest bar
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LABEL_WIDTH}" y1="{PAD_Y - 4}" x2="{LABEL_WIDTH}" '
        f'y2="{height - PAD_Y + 4}" stroke="#4a4a4a"/>',
    ]
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        top = PAD_Y + i * (BAR_HEIGHT + BAR_GAP)
        width = max(float(Decimal(value) / high) * inner_w, 0.0) if value > 0 else 0.0
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{top + BAR_HEIGHT - 5}" text-anchor="end" '
            f'font-size="11">{escape(short)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{top}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="#154273"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{top + BAR_HEIGHT - 5}" '
            f'font-size="11">{escape(text)}</text>'
        )
    parts.append("</svg>")
    # Safe markup: every value above is escaped (bandit B704 checked).
    return Markup("".join(parts))  # nosec B704
