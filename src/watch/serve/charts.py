"""Charts drawn on the server as inline SVG: no script, no CDN, nothing to download.

Presentation attributes (fill=, stroke=) rather than style= keep them within the
Content-Security-Policy, which allows no inline styles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
WIDTH, HEIGHT = 800, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 30
MAX_X_LABELS = 8


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def _x_label(x, monthly: bool = False) -> str:
    if isinstance(x, date):
        return x.strftime("%b %Y" if monthly else "%d %b %y")
    return str(x)


def _monthly(xs: Sequence) -> bool:
    return bool(xs) and all(isinstance(x, date) and x.day == 1 for x in xs)


def _number(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def chart(
    kind: str,
    xs: Sequence,
    series: dict[str, Sequence],
    *,
    title: str = "",
    y_label: str = "",
    integers: bool = False,
) -> Markup:
    """A bar chart (stacked when there are several series) or a line chart, as SVG."""
    ys = {name: [_number(v) for v in values] for name, values in series.items()}
    if kind == "bar":
        top = max((sum(col) for col in zip(*ys.values(), strict=True)), default=0)
    else:
        top = max((max(v, default=0) for v in ys.values()), default=0)
    if integers or all(float(v).is_integer() for values in ys.values() for v in values):
        top = 4 * nice_max(top / 4)  # counts: four gridlines a whole number apart
    else:
        top = nice_max(top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(xs), 1)
    parts = [_grid(top, plot_w, plot_h, y_label), _x_labels(xs, step, plot_h)]
    if kind == "bar":
        parts.append(_bars(xs, ys, step, plot_h, top))
    else:
        parts.append(_lines(xs, ys, step, plot_h, top))
    legend = _legend(list(ys)) if len(ys) > 1 else Markup("")
    return Markup(
        '<figure class="chart"><svg viewBox="0 0 {w} {h}" role="img" aria-label="{t}" '
        'xmlns="http://www.w3.org/2000/svg" font-size="13" font-family="system-ui, sans-serif">'
        "<title>{t}</title>{body}</svg>{legend}</figure>"
    ).format(w=WIDTH, h=HEIGHT, t=title, body=Markup("").join(parts), legend=legend)


def _grid(top: float, plot_w: float, plot_h: float, y_label: str) -> Markup:
    lines = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        text = f"{value:g}" if value == int(value) else f"{value:.1f}"
        lines.append(
            Markup(
                '<line x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
                '<text x="{tx}" y="{ty:.1f}" text-anchor="end" fill="#6b7280">{v}</text>'
            ).format(x1=LEFT, x2=LEFT + plot_w, y=y, tx=LEFT - 6, ty=y + 4, v=text)
        )
    if y_label:
        lines.append(
            Markup(
                '<text x="4" y="{y}" fill="#6b7280" transform="rotate(-90 10 {y})">{t}</text>'
            ).format(y=TOP + plot_h / 2, t=y_label)
        )
    return Markup("").join(lines)


def _x_labels(xs: Sequence, step: float, plot_h: float) -> Markup:
    every = max(1, math.ceil(len(xs) / MAX_X_LABELS))
    monthly = _monthly(xs)
    labels = []
    for i, x in enumerate(xs):
        if i % every:
            continue
        labels.append(
            Markup(
                '<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="#6b7280">{t}</text>'
            ).format(x=LEFT + step * (i + 0.5), y=TOP + plot_h + 18, t=_x_label(x, monthly))
        )
    return Markup("").join(labels)


def _bars(
    xs: Sequence, ys: dict[str, list[float]], step: float, plot_h: float, top: float
) -> Markup:
    bars = []
    width = max(step * 0.7, 1)
    monthly = _monthly(xs)
    for i, x in enumerate(xs):
        base = 0.0
        for n, (name, values) in enumerate(ys.items()):
            value = values[i]
            if value <= 0:
                continue
            h = plot_h * value / top
            y = TOP + plot_h - plot_h * (base + value) / top
            tip = f"{_x_label(x, monthly)}: {value:g}" + (f" ({name})" if len(ys) > 1 else "")
            bars.append(
                Markup(
                    '<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{c}">'
                    "<title>{tip}</title></rect>"
                ).format(
                    x=LEFT + step * i + (step - width) / 2,
                    y=y,
                    w=width,
                    h=h,
                    c=PALETTE[n % len(PALETTE)],
                    tip=tip,
                )
            )
            base += value
    return Markup("").join(bars)


def _lines(
    xs: Sequence, ys: dict[str, list[float]], step: float, plot_h: float, top: float
) -> Markup:
    paths = []
    for n, (name, values) in enumerate(ys.items()):
        points = " ".join(
            f"{LEFT + step * (i + 0.5):.1f},{TOP + plot_h - plot_h * v / top:.1f}"
            for i, v in enumerate(values)
        )
        colour = PALETTE[n % len(PALETTE)]
        paths.append(
            Markup(
                '<polyline points="{p}" fill="none" stroke="{c}" stroke-width="2">'
                "<title>{name}</title></polyline>"
            ).format(p=points, c=colour, name=name)
        )
    return Markup("").join(paths)


def _legend(names: list[str]) -> Markup:
    items = [
        Markup(
            '<li><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" '
            'fill="{c}"/></svg> {n}</li>'
        ).format(c=PALETTE[i % len(PALETTE)], n=name)
        for i, name in enumerate(names)
    ]
    return Markup('<figcaption><ul class="legend">{}</ul></figcaption>').format(
        Markup("").join(items)
    )


def pivot(columns: list[str], rows: list[tuple], x: str, y: str, series: str | None):
    """Table rows -> (xs, {series: ys}) for chart(); x values keep their first-seen order."""
    ix, iy = columns.index(x), columns.index(y)
    iseries = columns.index(series) if series else None
    seen: dict = {}
    cells: dict[str, dict] = {}
    for row in rows:
        seen.setdefault(row[ix], None)
        name = str(row[iseries]) if iseries is not None else y
        cells.setdefault(name, {})[row[ix]] = row[iy]
    xs = list(seen)
    if xs and all(isinstance(v, date) for v in xs):
        xs.sort()
    return xs, {name: [values.get(x_, 0) for x_ in xs] for name, values in cells.items()}
