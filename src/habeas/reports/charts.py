"""Charts drawn on the server as SVG, so the same chart serves a page and a PDF (DESIGN.md §4):
no script, no CDN, no ``style`` attribute (the Content-Security-Policy forbids inline styles);
colours and sizes are SVG presentation attributes. Every chart carries a title and a text
description for screen readers. Numbers and dates a person reads are written in the active
language (decimal comma, month names); coordinates stay plain numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from django.utils.formats import date_format, get_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

RED = "#c62828"
GREEN = "#2e7d32"
GREY = "#90a4ae"
INK = "#263238"
GRID = "#cfd8dc"


def _uid(*parts: str) -> str:
    """Ids for a chart's title and description, unique on a page with several charts."""
    return "c" + hashlib.md5("|".join(parts).encode(), usedforsecurity=False).hexdigest()[:10]


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def sparkline(
    values: Sequence[float], *, width: int = 120, height: int = 28, label: str = ""
) -> SafeString:
    """A small line of ``values`` (0..1 shares, or counts scaled to their maximum)."""
    if not values:
        return mark_safe("")
    top = max(max(values), 1e-9)
    n = len(values)
    step = width / max(n - 1, 1)
    pts = [(i * step, height - 2 - (v / top) * (height - 4)) for i, v in enumerate(values)]
    line = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
    area = f"0,{height} {line} {_n(pts[-1][0])},{height}"
    colour = RED if any(values) else GREEN
    return mark_safe(  # noqa: S308 - numbers and an escaped label only
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}">'
        f'<polygon points="{area}" fill="{colour}" fill-opacity="0.15"/>'
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        "</svg>"
    )


def trend_chart(
    trend: Sequence[tuple[dt.date, int, int]],
    *,
    title: str,
    description: str,
    width: int = 720,
    height: int = 220,
    y_label: str = "",
) -> SafeString:
    """Person-days in breach each day (red bars), against the person-days judged that day (a grey
    outline) when the breaches are at least half of them."""
    left, right, top, bottom = 48, 12, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    uid = _uid(title, description)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}t {uid}d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{uid}t">{escape(title)}</title><desc id="{uid}d">{escape(description)}</desc>',
    ]
    most_judged = max((j for _d, _b, j in trend), default=0)
    most_breached = max((b for _d, b, _j in trend), default=0)
    # Against the people judged when the breaches are a large part of them; otherwise scaled
    # to the breaches alone, so that a handful of people in breach stays visible.
    outline = most_breached * 2 >= most_judged
    peak = (most_judged if outline else most_breached) or 1
    for k in range(5):
        value = peak * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID}" '
            'stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{number_format(round(value), force_grouping=True)}</text>'
        )
    n = len(trend)
    if n:
        slot = plot_w / n
        bar = max(slot * 0.7, 1)
        for i, (day, breached, judged) in enumerate(trend):
            x = left + i * slot + (slot - bar) / 2
            tip = (
                f"<title>{date_format(day, 'SHORT_DATE_FORMAT')}: "
                f"{number_format(breached, force_grouping=True)} / "
                f"{number_format(judged, force_grouping=True)}</title>"
            )
            if outline:
                hj = plot_h * judged / peak
                parts.append(
                    f'<rect x="{_n(x)}" y="{_n(top + plot_h - hj)}" width="{_n(bar)}" '
                    f'height="{_n(hj)}" fill="none" stroke="{GREY}" stroke-width="1">{tip}</rect>'
                )
            if breached:
                hb = plot_h * breached / peak
                parts.append(
                    f'<rect x="{_n(x)}" y="{_n(top + plot_h - hb)}" width="{_n(bar)}" '
                    f'height="{_n(hb)}" fill="{RED}">{tip}</rect>'
                )
        every = max(1, n // 8)
        for i, (day, _b, _j) in enumerate(trend):
            if i % every == 0 and (i + every <= n - 1 or i == n - 1 or every == 1):
                x = left + i * slot + slot / 2
                parts.append(
                    f'<text x="{_n(x)}" y="{height - bottom + 16}" text-anchor="middle" '
                    f'font-size="11" fill="{INK}">{date_format(day, "j M")}</text>'
                )
    if y_label:
        parts.append(
            f'<text x="12" y="{top + plot_h / 2}" font-size="11" fill="{INK}" '
            f'transform="rotate(-90 12 {top + plot_h / 2})" text-anchor="middle">'
            f"{escape(y_label)}</text>"
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - numbers, dates and escaped text only


def bar_list(
    items: Sequence[tuple[str, float, str]],
    *,
    title: str,
    description: str,
    width: int = 720,
    row: int = 22,
    unit: str = "%",
) -> SafeString:
    """Horizontal bars, one per item: (label, value from 0 to 100, colour)."""
    label_w = 90
    height = row * len(items) + 8
    plot_w = width - label_w - 60
    uid = _uid(title, description)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}t {uid}d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{uid}t">{escape(title)}</title><desc id="{uid}d">{escape(description)}</desc>',
    ]
    for i, (label, value, colour) in enumerate(items):
        y = 4 + i * row
        w = plot_w * max(0.0, min(value, 100.0)) / 100
        parts.append(
            f'<text x="0" y="{y + row * 0.65}" font-size="12" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{_n(plot_w)}" height="{row - 8}" '
            f'fill="{GRID}" fill-opacity="0.4"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{_n(w)}" height="{row - 8}" fill="{colour}"/>'
            f'<text x="{label_w + plot_w + 6}" y="{y + row * 0.65}" font-size="12" '
            f'fill="{INK}">{_n(value).replace(".", get_format("DECIMAL_SEPARATOR"))}'
            f"{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only
