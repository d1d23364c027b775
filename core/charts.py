"""Charts drawn on the server as inline SVG, readable without colour and without script.

Every chart here:

- is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
  (``aria-labelledby``), and the page beside it carries a real table with the same data;
- tells its series apart by fill pattern (solid, stripes, dots, cross-hatch...) as well as
  by colour, and writes each value out as text next to its mark, so nothing is read from
  colour or length alone;
- uses presentation attributes and classes only: no ``style`` attribute and no
  ``<style>`` element, which the site's Content-Security-Policy would block;
- escapes every text it is given.

Nothing here knows what is charted (core imports no domain app): callers pass labels,
values and the names of the scale.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1f2430"
INK_SOFT = "#4a5161"
GRID = "#d5d9e0"

# One fill per series, told apart by shape, not only by hue. Each is the inner markup of
# a 8x8 <pattern> tile (presentation attributes only), and a name for the legend's text.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("solid", '<rect width="8" height="8" fill="#1d4e89"/>'),
    (
        "diagonal stripes",
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<path d="M-2 2l4-4M0 8l8-8M6 10l4-4" stroke="#9a4a00" stroke-width="2"/>',
    ),
    (
        "dots",
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<circle cx="2" cy="2" r="1.6" fill="#1b6b3a"/>'
        '<circle cx="6" cy="6" r="1.6" fill="#1b6b3a"/>',
    ),
    (
        "cross-hatch",
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<path d="M0 0l8 8M8 0l-8 8" stroke="#5b2a86" stroke-width="1.2"/>',
    ),
    (
        "horizontal lines",
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<path d="M0 2h8M0 6h8" stroke="#143a66" stroke-width="1.5"/>',
    ),
    (
        "vertical lines",
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<path d="M2 0v8M6 0v8" stroke="#a4161a" stroke-width="1.5"/>',
    ),
)
MAX_SERIES = len(PATTERNS)

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")

# Layout, in SVG user units (the chart scales to its container's width).
LABEL_WIDTH = 104
PLOT_WIDTH = 420
VALUE_WIDTH = 120
BAR_HEIGHT = 16
BAR_GAP = 3
GROUP_GAP = 14
LEGEND_ROW = 22
LEGEND_ITEM = 200
AXIS_HEIGHT = 30
FONT_SIZE = 12


@dataclass(frozen=True)
class Series:
    """One series of a grouped bar chart: its name (in the legend) and one value per
    category, each an index into the chart's scale, or None where there is none."""

    label: str
    values: Sequence[int | None]


def pattern_name(index: int) -> str:
    """What series ``index``'s fill looks like, in words (for a legend or a table)."""
    return PATTERNS[index % MAX_SERIES][0]


def _text(x: float, y: float, value: str, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(v)}"' for name, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}"{extra}>{escape(value)}</text>'


def grouped_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    scale: Sequence[str],
    missing: str = "none",
) -> SafeString:
    """A horizontal grouped bar chart on an ordinal scale: one group of bars per category
    (a row), one bar per series in each group, filled with the series' pattern. A bar runs
    to its value's step of ``scale`` (the lowest step still shows a short bar) and the
    step's name is written after it; a missing value is written as ``missing``.

    ``chart_id`` prefixes the ids inside the SVG (patterns, title, description), so two
    charts can share a page. At most :data:`MAX_SERIES` series: each needs its own pattern.
    """
    if not _ID.match(chart_id):
        raise ValueError("chart_id must be a short identifier (letters, digits, - and _).")
    if len(series) > MAX_SERIES:
        raise ValueError(f"At most {MAX_SERIES} series can be told apart by pattern.")
    if not scale:
        raise ValueError("A chart needs a scale of at least one step.")
    for one in series:
        if len(one.values) != len(categories):
            raise ValueError("Every series needs one value per category.")
        for value in one.values:
            if value is not None and not 0 <= value < len(scale):
                raise ValueError("A value must be an index into the scale.")

    steps = len(scale)
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    per_row = max(1, width // LEGEND_ITEM)
    legend_rows = (len(series) + per_row - 1) // per_row
    top = 8 + legend_rows * LEGEND_ROW + 8
    group = max(1, len(series)) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    body = len(categories) * (group + GROUP_GAP)
    height = top + body + AXIS_HEIGHT

    def x_at(step: int) -> float:
        return LABEL_WIDTH + PLOT_WIDTH * (step + 1) / steps

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="system-ui, sans-serif" '
        f'font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        "<defs>",
    ]
    for index in range(len(series)):
        out.append(
            f'<pattern id="{chart_id}-pattern-{index}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse">{PATTERNS[index][1]}</pattern>'
        )
    out.append("</defs>")

    # The legend: a swatch of each series' pattern and its name.
    out.append('<g class="chart__legend">')
    for index, one in enumerate(series):
        row, column = divmod(index, per_row)
        x = 8 + column * LEGEND_ITEM
        y = 8 + row * LEGEND_ROW
        out.append(
            f'<rect x="{x}" y="{y}" width="16" height="16" '
            f'fill="url(#{chart_id}-pattern-{index})" stroke="{INK}"/>'
        )
        out.append(_text(x + 22, y + 12.5, one.label))
    out.append("</g>")

    # Grid lines at each step, named along the bottom.
    out.append('<g class="chart__grid">')
    grid_top, grid_bottom = top - 4, top + body - GROUP_GAP + 4
    for step in range(steps):
        grid_x = x_at(step)
        out.append(
            f'<line x1="{grid_x:g}" y1="{grid_top}" x2="{grid_x:g}" y2="{grid_bottom}" '
            f'stroke="{GRID}" stroke-dasharray="3 3"/>'
        )
        out.append(
            _text(
                grid_x,
                top + body + 10,
                scale[step],
                text_anchor="end",
                fill=INK_SOFT,
                font_size="11",
            )
        )
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="{top - 4}" x2="{LABEL_WIDTH}" '
        f'y2="{top + body - GROUP_GAP + 4}" stroke="{INK}"/>'
    )
    out.append("</g>")

    for row, category in enumerate(categories):
        y0 = top + row * (group + GROUP_GAP)
        out.append('<g class="chart__group">')
        out.append(
            _text(
                LABEL_WIDTH - 8, y0 + group / 2 + 4, category, text_anchor="end", font_weight="600"
            )
        )
        for index, one in enumerate(series):
            y = y0 + index * (BAR_HEIGHT + BAR_GAP)
            value = one.values[row]
            if value is None:
                out.append(
                    _text(
                        LABEL_WIDTH + 6,
                        y + BAR_HEIGHT - 4,
                        missing,
                        fill=INK_SOFT,
                        font_style="italic",
                    )
                )
                continue
            end = x_at(value)
            out.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{end - LABEL_WIDTH:g}" '
                f'height="{BAR_HEIGHT}" fill="url(#{chart_id}-pattern-{index})" stroke="{INK}">'
                f"<title>{escape(f'{category}, {one.label}: {scale[value]}')}</title></rect>"
            )
            out.append(_text(end + 6, y + BAR_HEIGHT - 4, scale[value]))
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text above went through escape())
