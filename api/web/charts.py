"""Server-rendered charts (inline SVG, no script) and the plain-words reading of coaching efficiency."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape


def _pct(x: float) -> str:
    return f"{x * 100:+.0f}%"


def in_words(stat: Any) -> str:
    """What a teacher should take from one group's efficiency (change in marks, as a share of full marks)."""
    n = stat.total_number_of_sessions
    sessions = f"{n} session{'s' if n != 1 else ''}"
    if stat.is_efficiency_score_invalid or stat.coaching_efficiency is None:
        return f"{sessions} — not enough marked answers in the weeks before and after to measure anything yet."
    eff, ci = stat.coaching_efficiency, stat.confidence_interval
    moved = f"marks moved {_pct(eff)} of full marks in the week after coaching"
    if ci is None:
        return f"{sessions} — too few to tell: {moved}, and there are too few sessions for an interval."
    interval = f"95% interval {_pct(ci.lower)} to {_pct(ci.upper)}"
    if ci.lower <= 0 <= ci.upper:
        return f"{sessions} — too few to tell: {moved}, but the {interval} includes no change at all."
    if ci.lower > 0:
        return f"{sessions}: marks rose by {eff * 100:.0f}% of full marks in the week after coaching ({interval}) " \
               "— the coaching appears to help."
    return f"{sessions}: marks fell by {-eff * 100:.0f}% of full marks in the week after coaching ({interval})."


def efficiency_chart(rows: list[tuple[str, Any]]) -> Markup:
    """Horizontal bars: each group's change in marks (after − before, share of full marks) from 0, with its
    95% interval as a whisker and the session count; a dashed line marks "no change"."""
    valid = [(label, s) for label, s in rows if s.coaching_efficiency is not None]
    if not valid:
        return Markup("")
    bounds = [0.0]
    for _, s in valid:
        bounds.append(s.coaching_efficiency)
        if s.confidence_interval:
            bounds += [s.confidence_interval.lower, s.confidence_interval.upper]
    lo, hi = min(min(bounds), -0.1), max(max(bounds), 0.1)
    left, width, row_h = 150, 330, 34
    height = 40 + row_h * len(valid)

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * width

    parts = [f'<svg class="chart" viewBox="0 0 {left + width + 110} {height}" role="img" '
             'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
             '<title id="chart-title">Change in marks after coaching</title>',
             '<desc id="chart-desc">For each group, the change in marks from the week before coaching to the week '
             'after, as a share of full marks, with its 95% interval; the dashed line is no change.</desc>',
             f'<line x1="{x(0):.1f}" y1="10" x2="{x(0):.1f}" y2="{height - 20}" stroke="#4a4a4a" '
             'stroke-dasharray="4 3"/>',
             f'<text x="{x(0):.1f}" y="{height - 5}" text-anchor="middle">no change</text>']
    for i, (label, s) in enumerate(valid):
        y = 20 + i * row_h
        eff = s.coaching_efficiency
        x0, x1 = sorted((x(0), x(eff)))
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(label[:22])}</text>')
        parts.append(f'<rect class="{"bar-after" if eff >= 0 else "bar-before"}" x="{x0:.1f}" y="{y + 4}" '
                     f'width="{max(x1 - x0, 1):.1f}" height="16"><title>{escape(label)}: {_pct(eff)}</title></rect>')
        if s.confidence_interval:
            a, b = x(s.confidence_interval.lower), x(s.confidence_interval.upper)
            parts.append(f'<line class="ci" x1="{a:.1f}" y1="{y + 12}" x2="{b:.1f}" y2="{y + 12}"/>')
            parts += [f'<line class="ci" x1="{v:.1f}" y1="{y + 6}" x2="{v:.1f}" y2="{y + 18}"/>' for v in (a, b)]
        parts.append(f'<text x="{left + width + 8}" y="{y + 15}">{_pct(eff)} · {s.total_number_of_sessions} '
                     f'sess.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
