"""The scenario-suite report: JSON for machines, plus an HTML (or Markdown) page for people.

`build_report(runs, meta)` gathers per-persona pass counts, failed conditions, per-dimension summaries
(`evals.suite.aggregate`) and every run. `write_report(report, out_dir, fmt)` writes `report.json` and
`report.html` (a plain summary, failures linked to the transcript lines that caused them, tables, inline SVG
plots; `evals.report_html`) or `report.md` (tables, plots as `.svg` files beside it).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from evals.runner import ScenarioRun
from evals.scorers.turn_features import DIMENSIONS
from evals.session_scorers import SESSION_KEYS
from evals.suite import aggregate
from evals.svg_plots import bar_chart, strip_plot

FORMATS = ("html", "md")
PLOTTED = ("question_share", "word_ratio")


def build_report(runs: list[ScenarioRun], meta: dict[str, Any]) -> dict[str, Any]:
    """The JSON report of a suite run."""
    by_persona: dict[str, list[ScenarioRun]] = defaultdict(list)
    for run in runs:
        by_persona[run.persona].append(run)
    personas = {}
    for name, group in by_persona.items():
        failed: dict[str, int] = defaultdict(int)
        for run in group:
            for condition in run.conditions:
                if not condition["passed"]:
                    failed[condition["name"]] += 1
            if run.error:
                failed["error"] += 1
        personas[name] = {
            "runs": len(group), "passed": sum(r.passed for r in group), "failed_conditions": dict(failed),
            "outcomes": _count(r.outcome or "error" for r in group),
            "mean_student_turns": round(sum(r.student_turns for r in group) / len(group), 2),
            "dimensions": aggregate(r.scored for r in group if r.scored),
        }
    passed = sum(r.passed for r in runs)
    return {
        "meta": meta,
        "summary": {"runs": len(runs), "passed": passed, "failed": len(runs) - passed,
                    "all_passed": passed == len(runs)},
        "personas": personas,
        "overall": aggregate(r.scored for r in runs if r.scored),
        "failures": [{"persona": r.persona, "syllabus_point": r.code, "session_id": r.session_id,
                      "error": r.error, "conditions": [c for c in r.conditions if not c["passed"]]}
                     for r in runs if not r.passed],
        "runs": [r.to_dict() for r in runs],
    }


def _count(items: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    return dict(sorted(counts.items()))


def _cell(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "–"
    if summary["kind"] == "number":
        return f"{summary['mean']:.2f} ({summary['min']:.2f}–{summary['max']:.2f})"
    return " · ".join(f"{k} {v:.0%}" for k, v in sorted(summary["shares"].items(), key=lambda kv: -kv[1]))


def _tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for the summary, session-dimension and turn-dimension tables."""
    personas = report["personas"]
    summary = [[name, str(p["runs"]), str(p["passed"]), ", ".join(f"{k}: {v}" for k, v in p["outcomes"].items()),
                f"{p['mean_student_turns']:.1f}", ", ".join(f"{k} ×{v}" for k, v in p["failed_conditions"].items())
                or "none"] for name, p in personas.items()]
    session = [[name] + [_cell(p["dimensions"]["session"].get(k)) for k in SESSION_KEYS]
               for name, p in personas.items()]
    turns = [[name] + [_cell(p["dimensions"]["turns"].get(k)) for k in DIMENSIONS] for name, p in personas.items()]
    tables = [
        ("Pass conditions per persona", ["persona", "runs", "passed", "outcomes", "student turns", "failed"], summary),
        ("Session dimensions (mean (min–max) or label shares)", ["persona", *SESSION_KEYS], session),
        ("MRBench per-turn dimensions (label shares over coach turns)", ["persona", *DIMENSIONS], turns),
    ]
    judged = [[name] + [_cell(p["dimensions"]["judge_session"].get(k)) for k in SESSION_KEYS]
              for name, p in personas.items() if p["dimensions"]["judge_session"]]
    if judged:
        tables.append(("LLM judge, session dimensions", ["persona", *SESSION_KEYS], judged))
    return tables


def plots(report: dict[str, Any]) -> dict[str, str]:
    """Name -> SVG: the pass rate per persona, and the distribution of each plotted score per persona."""
    personas = report["personas"]
    svgs = {"pass_rate": bar_chart({n: p["passed"] / p["runs"] for n, p in personas.items()},
                                   title="Share of runs meeting every pass condition, per persona")}
    for key in PLOTTED:
        groups = {r["persona"]: [] for r in report["runs"]}
        for run in report["runs"]:
            for result in (run["scores"] or {}).get("session", []):
                if result["key"] == key:
                    groups[run["persona"]].append(float(result["value"]))
        svgs[key] = strip_plot(groups, title=f"{key} per session, by persona (bar = mean)")
    return svgs


def render_html(report: dict[str, Any]) -> str:
    """A self-contained HTML page (see `evals.report_html`): summary, failures linked to transcript lines,
    tables, inline SVG plots, transcripts."""
    from evals.report_html import render_html as render

    return render(report, _tables(report), plots(report))


def render_markdown(report: dict[str, Any], svg_files: dict[str, str]) -> str:
    """A Markdown page; plots are referenced as image files (`svg_files`: name -> file name)."""
    summary, meta = report["summary"], report["meta"]
    lines = ["# Coach eval report", "",
             f"**{summary['passed']}/{summary['runs']}** scenario runs met every pass condition.", "",
             f"- Coach model: {meta.get('coach_model', 'unknown')}",
             f"- Syllabus points: {', '.join(meta.get('points', [])) or '–'}",
             f"- Personas: {', '.join(meta.get('personas', [])) or '–'}",
             f"- LLM judge: {'yes' if meta.get('judge') else 'no'}",
             f"- Finished: {meta.get('finished_at', 'unknown')}; took {meta.get('seconds', '?')} s", ""]
    if report["failures"]:
        lines += ["## Failures", ""]
        for f in report["failures"]:
            why = f["error"] or "; ".join(f"{c['name']}: {c['detail']}" for c in f["conditions"])
            lines.append(f"- {f['persona']} on {f['syllabus_point']}: {why}")
        lines.append("")
    for title, header, rows in _tables(report):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        lines.append("")
    lines += ["## Plots", ""] + [f"![{name}]({file})" for name, file in svg_files.items()]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(report: dict[str, Any], out_dir: Path, *, fmt: str = "html") -> dict[str, Path]:
    """Write `report.json` and the readable page into `out_dir`; returns {"json", "page", ...svg files}."""
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json"}
    _write(paths["json"], json.dumps(report, indent=1, ensure_ascii=False, default=str))
    if fmt == "html":
        paths["page"] = out_dir / "report.html"
        _write(paths["page"], render_html(report))
        return paths
    svg_files = {}
    for name, svg in plots(report).items():
        paths[f"svg_{name}"] = out_dir / f"{name}.svg"
        _write(paths[f"svg_{name}"], svg)
        svg_files[name] = f"{name}.svg"
    paths["page"] = out_dir / "report.md"
    _write(paths["page"], render_markdown(report, svg_files))
    return paths
