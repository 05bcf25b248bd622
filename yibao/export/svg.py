"""Small inline SVG charts drawn in Python: no script, no external file, same bytes each time."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


@dataclass(frozen=True)
class Series:
    """One line of a line chart; None values leave a gap."""

    name: str
    values: list[float | None]
    color: str = PALETTE[0]
    dashed: bool = False


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _nice(value: float) -> str:
    if abs(value) >= 10_000:
        return f"{value / 10_000:.1f}万"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def _bounds(values: list[float], floor_zero: bool) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if floor_zero:
        lo = min(0.0, lo)
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    pad = (hi - lo) * 0.08
    return (lo if floor_zero and lo == 0 else lo - pad), hi + pad


def line_chart(title: str, x_labels: list[str], series: list[Series],
               target: float | None = None, width: int = 300, height: int = 170,
               floor_zero: bool = False) -> str:
    """A line chart with axes, end labels and an optional dashed target line."""
    left, right, top, bottom = 46, 12, 28, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    if target is not None:
        values.append(target)
    parts = [f'<svg width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" '
             'stroke="#d0d7de"/>',
             f'<text x="8" y="17" font-size="12" font-weight="bold">{escape(title)}</text>']
    if not values or not x_labels:
        parts.append(f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" '
                     'font-size="12" fill="#888">无数据 no data</text></svg>')
        return "".join(parts)
    lo, hi = _bounds(values, floor_zero)

    def x(i: int) -> float:
        return left + (plot_w * i / (len(x_labels) - 1) if len(x_labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    for frac in (0.0, 0.5, 1.0):
        v = lo + (hi - lo) * frac
        parts.append(f'<line x1="{left}" y1="{_fmt(y(v))}" x2="{width - right}" '
                     f'y2="{_fmt(y(v))}" stroke="#eeeeee"/>'
                     f'<text x="{left - 4}" y="{_fmt(y(v) + 4)}" font-size="10" '
                     f'text-anchor="end" fill="#555">{_nice(v)}</text>')
    step = max(1, (len(x_labels) + 5) // 6)
    for i, label in enumerate(x_labels):
        last = len(x_labels) - 1
        if (i % step == 0 and last - i >= step) or i == last:
            parts.append(f'<text x="{_fmt(x(i))}" y="{height - 8}" font-size="10" '
                         f'text-anchor="middle" fill="#555">{escape(label)}</text>')
    if target is not None:
        parts.append(f'<line x1="{left}" y1="{_fmt(y(target))}" x2="{width - right}" '
                     f'y2="{_fmt(y(target))}" stroke="#2ca02c" stroke-width="1.5" '
                     f'stroke-dasharray="5,3"><title>目标 target {_nice(target)}</title></line>')
    for s in series:
        points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        if not points:
            continue
        dash = ' stroke-dasharray="4,3"' if s.dashed else ""
        coords = " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{s.color}" '
                     f'stroke-width="2"{dash}><title>{escape(s.name)}</title></polyline>')
        for px, py in points:
            parts.append(f'<circle cx="{_fmt(px)}" cy="{_fmt(py)}" r="2.5" fill="{s.color}"/>')
        last = [v for v in s.values if v is not None][-1]
        parts.append(f'<text x="{_fmt(points[-1][0] - 3)}" y="{_fmt(points[-1][1] - 6)}" '
                     f'font-size="10" text-anchor="end" fill="{s.color}">{_nice(last)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, categories: list[str], series: list[Series],
              reference: float | None = None, width: int = 420, height: int = 200) -> str:
    """Grouped vertical bars (one group per category) with an optional reference line."""
    left, right, top, bottom = 46, 12, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    if reference is not None:
        values.append(reference)
    parts = [f'<svg width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" '
             'stroke="#d0d7de"/>',
             f'<text x="8" y="17" font-size="12" font-weight="bold">{escape(title)}</text>']
    if not values or not categories:
        parts.append(f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" '
                     'font-size="12" fill="#888">无数据 no data</text></svg>')
        return "".join(parts)
    hi = max(values) * 1.1 or 1.0

    def y(v: float) -> float:
        return top + plot_h * (1 - max(v, 0.0) / hi)

    group_w = plot_w / len(categories)
    bar_w = group_w * 0.7 / len(series)
    parts.append(f'<line x1="{left}" y1="{_fmt(y(0))}" x2="{width - right}" y2="{_fmt(y(0))}" '
                 'stroke="#999"/>')
    for i, category in enumerate(categories):
        gx = left + group_w * i + group_w * 0.15
        for j, s in enumerate(series):
            v = s.values[i]
            if v is None:
                continue
            bx = gx + bar_w * j
            parts.append(f'<rect x="{_fmt(bx)}" y="{_fmt(y(v))}" width="{_fmt(bar_w - 1)}" '
                         f'height="{_fmt(y(0) - y(v))}" fill="{s.color}"><title>'
                         f'{escape(category)} {escape(s.name)}: {_nice(v)}</title></rect>'
                         f'<text x="{_fmt(bx + bar_w / 2)}" y="{_fmt(y(v) - 3)}" font-size="9" '
                         f'text-anchor="middle" fill="#333">{_nice(v)}</text>')
        parts.append(f'<text x="{_fmt(left + group_w * (i + 0.5))}" y="{height - 24}" '
                     f'font-size="10" text-anchor="middle">{escape(category)}</text>')
    if reference is not None:
        parts.append(f'<line x1="{left}" y1="{_fmt(y(reference))}" x2="{width - right}" '
                     f'y2="{_fmt(y(reference))}" stroke="#2ca02c" stroke-dasharray="5,3"/>')
    for j, s in enumerate(series):
        lx = left + 150 * j
        parts.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" '
                     f'fill="{s.color}"/><text x="{lx + 14}" y="{height - 5}" font-size="10">'
                     f'{escape(s.name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def legend(items: list[tuple[str, str, bool]]) -> str:
    """An HTML legend for line charts: (label, colour, dashed)."""
    spans = []
    for label, color, dashed in items:
        style = "dashed" if dashed else "solid"
        spans.append(f'<span class="key"><i style="border-top:2px {style} {color}"></i>'
                     f'{escape(label)}</span>')
    return '<div class="legend">' + "".join(spans) + "</div>"
