"""The scenario report's HTML page, written for a person: a plain summary first, then what failed with links
to the transcript lines that caused it, then the tables and plots, then the transcripts themselves.

A failure's reasons name transcript entries ("entry 3: …", as every session scorer writes them); each such
entry becomes a link to that line of the run's transcript, where the line is highlighted and annotated.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from typing import Any

_ENTRY = re.compile(r"\bentry (\d+)\b")
STYLE = ("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1150px;color:#1a202c;line-height:1.4}"
         "table{border-collapse:collapse;margin:.6em 0 1.4em}td,th{border:1px solid #cbd5e0;padding:4px 8px;"
         "font-size:13px;text-align:left;vertical-align:top}th{background:#edf2f7}.fail{color:#c53030}"
         ".ok{color:#2f855a}.summary{background:#f7fafc;border:1px solid #e2e8f0;border-radius:6px;padding:1em 1.4em}"
         ".summary dt{font-weight:600;float:left;width:11em}.summary dd{margin:0 0 .3em 11em}"
         ".big{font-size:1.5em;font-weight:700}ol.transcript{font-size:13px;padding-left:2.5em}"
         ".transcript li{margin:.25em 0}.coach{color:#2c5282}.student{color:#4a5568}"
         ".flagged{background:#fff5f5;border-left:4px solid #c53030;padding-left:.4em}"
         ".note{display:block;color:#c53030;font-size:12px}a{color:#2b6cb0}")


def _when(text: str | None) -> str:
    if not text:
        return "unknown"
    try:
        return datetime.fromisoformat(text).strftime("%d %b %Y, %H:%M UTC")
    except ValueError:
        return text


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{seconds:.1f} s"


def summary_block(report: dict[str, Any]) -> str:
    """The opening box: model, points, personas, when, how long, pass rate (no raw JSON)."""
    meta, summary = report["meta"], report["summary"]
    runs = summary["runs"] or 1
    rate = summary["passed"] / runs
    verdict = ("every scenario run met all its pass conditions" if summary["all_passed"] else
               f"{summary['failed']} run(s) failed at least one pass condition — see below")
    rows = [("Coach model", escape(str(meta.get("coach_model", "unknown")))),
            ("Syllabus points", escape(", ".join(meta.get("points", [])) or "–")),
            ("Personas", escape(", ".join(meta.get("personas", [])) or "–")),
            ("Replies came from", escape(", ".join(sorted({m for r in report["runs"] for m in r.get("models") or []}))
                                         or "–")),
            ("LLM judge", "yes" if meta.get("judge") else "no (deterministic scorers only)"),
            ("Finished", escape(_when(meta.get("finished_at")))),
            ("Took", escape(_duration(meta.get("seconds"))))]
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    cls = "ok" if summary["all_passed"] else "fail"
    return (f"<section class='summary'><p class='big {cls}'>{summary['passed']} of {summary['runs']} runs passed "
            f"({rate:.0%})</p><p>{escape(verdict)}.</p><dl>{items}</dl></section>")


def _anchor(run_index: int, entry: int) -> str:
    return f"run-{run_index}-entry-{entry}"


def flagged_entries(run: dict[str, Any]) -> dict[int, list[str]]:
    """Entry index -> the failed conditions' reasons that name it."""
    flagged: dict[int, list[str]] = {}
    for condition in run.get("conditions", []):
        if condition["passed"]:
            continue
        for part in re.split(r";\s*", condition["detail"]):
            for number in _ENTRY.findall(part):
                flagged.setdefault(int(number), []).append(f"{condition['name']}: {part}")
    return flagged


def _linked(text: str, run_index: int, size: int) -> str:
    """`text` escaped, with every "entry N" turned into a link to that transcript line."""
    out, last = [], 0
    for match in _ENTRY.finditer(text):
        out.append(escape(text[last:match.start()]))
        n = int(match.group(1))
        label = escape(match.group(0))
        out.append(f"<a href='#{_anchor(run_index, n)}'>{label}</a>" if n < size else label)
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def failures_block(report: dict[str, Any]) -> str:
    """Each failed run: its failed conditions, with links to the lines that caused them."""
    failed = [(i, r) for i, r in enumerate(report["runs"]) if not r["passed"]]
    if not failed:
        return ""
    parts = ["<h2>What failed</h2><ul>"]
    for i, run in failed:
        size = len(run.get("transcript", []))
        reasons = [f"<b>{escape(c['name'])}</b> — {_linked(c['detail'], i, size)}"
                   for c in run["conditions"] if not c["passed"]]
        if run.get("error"):
            reasons.append(f"<b>error</b> — {escape(run['error'])}")
        parts.append(f"<li class='fail'><a href='#run-{i}'>{escape(run['persona'])} on "
                     f"{escape(run['syllabus_point'])}</a> (outcome {escape(str(run['outcome']))}):<ul>"
                     + "".join(f"<li>{r}</li>" for r in reasons) + "</ul></li>")
    parts.append("</ul>")
    return "".join(parts)


def transcripts_block(report: dict[str, Any]) -> str:
    """Every run's transcript, failed runs first; lines a failure names are highlighted and annotated."""
    order = sorted(range(len(report["runs"])), key=lambda i: report["runs"][i]["passed"])
    parts = ["<h2>Transcripts</h2>"]
    for i in order:
        run = report["runs"][i]
        flagged = flagged_entries(run)
        status = "<span class='ok'>passed</span>" if run["passed"] else "<span class='fail'>failed</span>"
        parts.append(f"<h3 id='run-{i}'>{escape(run['persona'])} on {escape(run['syllabus_point'])} — {status}, "
                     f"outcome {escape(str(run['outcome']))}, models {escape(', '.join(run.get('models') or []) or '–')}"
                     "</h3><ol class='transcript' start='0'>")
        for j, entry in enumerate(run.get("transcript", [])):
            notes = "".join(f"<span class='note'>⚑ {escape(n)}</span>" for n in flagged.get(j, []))
            cls = f"{entry['role']}{' flagged' if j in flagged else ''}"
            parts.append(f"<li id='{_anchor(i, j)}' class='{cls}'><b>{escape(entry['role'])}</b>: "
                         f"{escape(entry['content'])}{notes}</li>")
        parts.append("</ol>")
    return "".join(parts)


def render_html(report: dict[str, Any], tables: list[tuple[str, list[str], list[list[str]]]],
                svgs: dict[str, str]) -> str:
    """The whole self-contained page."""
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Coach eval report</title>",
             f"<style>{STYLE}</style></head><body><h1>Coach eval report</h1>", summary_block(report),
             failures_block(report)]
    for title, header, rows in tables:
        parts.append(f"<h2>{escape(title)}</h2><table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header)
                     + "</tr>" + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                                         for row in rows) + "</table>")
    parts.append("<h2>Plots</h2>")
    parts += [f"<figure>{svg}</figure>" for svg in svgs.values()]
    parts.append(transcripts_block(report))
    parts.append("</body></html>")
    return "\n".join(parts)
