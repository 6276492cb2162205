"""Charts drawn on the server as inline SVG from the numbers (no script, no CDN): a bar each value,
each bar a link to the cases behind it. Sized by viewBox, so they scale to a phone's width; the
page puts the same numbers in a table beside each chart."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, TOP, BOTTOM = 320, 160, 16, 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    href: str = ""


def bar_chart(title: str, bars: list[Bar], unit: str = "") -> SafeString:
    """Vertical bars scaled to the largest value (0 when all are 0), with their values on top and
    labels below; ``title`` is the accessible name."""
    if not bars:
        return SafeString("")
    top = max((b.value for b in bars), default=0) or 1
    slot = WIDTH / len(bars)
    width = max(slot * 0.7, 1)
    span = HEIGHT - TOP - BOTTOM
    parts = []
    for i, b in enumerate(bars):
        h = span * b.value / top
        x = i * slot + (slot - width) / 2
        y = TOP + span - h
        shown = f"{b.value:g}{unit}"
        rect = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#2b6cb0"><title>{}：{}</title></rect>'
            '<text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>',
            f"{x:.1f}",
            f"{y:.1f}",
            f"{width:.1f}",
            f"{h:.1f}",
            b.label,
            shown,
            f"{x + width / 2:.1f}",
            f"{y - 3:.1f}",
            shown,
        )
        if b.href:
            rect = format_html('<a href="{}">{}</a>', b.href, rect)
        label = format_html(
            '<text x="{}" y="{}" font-size="8" text-anchor="middle">{}</text>',
            f"{x + width / 2:.1f}",
            HEIGHT - BOTTOM + 12,
            b.label[-7:],
        )
        parts.append((rect, label))
    body = format_html_join("", "{}{}", parts)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="#999"/>{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        HEIGHT - BOTTOM,
        WIDTH,
        HEIGHT - BOTTOM,
        body,
    )
