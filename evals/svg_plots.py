"""Inline SVG plots for the eval report, drawn by hand (no plotting package): a strip plot of one score's
distribution per group, and a horizontal bar chart of rates per group. Output is a self-contained `<svg>`."""

from __future__ import annotations

from html import escape

LEFT, RIGHT, ROW, TOP, BOTTOM = 130, 30, 34, 40, 40
COLOURS = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#975a16", "#2c7a7b", "#4a5568")


def _frame(width: int, height: int, title: str) -> list[str]:
    return [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" font-family="sans-serif" '
            f'font-size="12">'), f'<title>{escape(title)}</title>',
            (f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">'
            f'{escape(title)}</text>')]


def _axis(lines: list[str], *, x0: float, x1: float, y: float, top: float, lo: float, hi: float) -> None:
    lines.append(f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#333"/>')
    for k in range(6):
        value = lo + (hi - lo) * k / 5
        x = x0 + (x1 - x0) * k / 5
        lines.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{y}" stroke="#e2e8f0"/>')
        lines.append(f'<text x="{x:.1f}" y="{y + 16}" text-anchor="middle">{value:.2g}</text>')


def strip_plot(groups: dict[str, list[float]], *, title: str, width: int = 640) -> str:
    """One row per group: a dot per value (jittered vertically by index) and a bar at the group mean."""
    values = [v for vs in groups.values() for v in vs]
    lo = min([0.0, *values])
    hi = max([1.0, *values])
    height = TOP + ROW * max(len(groups), 1) + BOTTOM
    x0, x1 = LEFT, width - RIGHT
    scale = (x1 - x0) / ((hi - lo) or 1)
    lines = _frame(width, height, title)
    _axis(lines, x0=x0, x1=x1, y=height - BOTTOM + 5, top=TOP - 5, lo=lo, hi=hi)
    for row, (name, vs) in enumerate(groups.items()):
        cy = TOP + ROW * row + ROW / 2
        colour = COLOURS[row % len(COLOURS)]
        lines.append(f'<text x="{LEFT - 8}" y="{cy + 4}" text-anchor="end">{escape(name)}</text>')
        for i, v in enumerate(vs):
            jitter = ((i * 7) % 11 - 5) * 1.6
            lines.append(f'<circle cx="{x0 + (v - lo) * scale:.1f}" cy="{cy + jitter:.1f}" r="3.5" '
                         f'fill="{colour}" fill-opacity="0.6"><title>{escape(name)}: {v:.3g}</title></circle>')
        if vs:
            mx = x0 + (sum(vs) / len(vs) - lo) * scale
            lines.append(f'<line x1="{mx:.1f}" y1="{cy - 12}" x2="{mx:.1f}" y2="{cy + 12}" stroke="#000" '
                         f'stroke-width="2"><title>mean {sum(vs) / len(vs):.3g}</title></line>')
    lines.append("</svg>")
    return "\n".join(lines)


def bar_chart(rates: dict[str, float], *, title: str, width: int = 640) -> str:
    """One horizontal bar per group, length = rate in [0, 1], labelled as a percentage."""
    height = TOP + ROW * max(len(rates), 1) + BOTTOM
    x0, x1 = LEFT, width - RIGHT - 30
    lines = _frame(width, height, title)
    _axis(lines, x0=x0, x1=x1, y=height - BOTTOM + 5, top=TOP - 5, lo=0.0, hi=1.0)
    for row, (name, rate) in enumerate(rates.items()):
        y = TOP + ROW * row + 6
        w = (x1 - x0) * max(0.0, min(rate, 1.0))
        colour = "#2f855a" if rate >= 1.0 else "#c53030"
        lines.append(f'<text x="{LEFT - 8}" y="{y + 15}" text-anchor="end">{escape(name)}</text>')
        lines.append(f'<rect x="{x0}" y="{y}" width="{w:.1f}" height="{ROW - 12}" fill="{colour}"/>')
        lines.append(f'<text x="{x0 + w + 4:.1f}" y="{y + 15}">{rate:.0%}</text>')
    lines.append("</svg>")
    return "\n".join(lines)
