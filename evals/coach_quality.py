"""How well the offline Coach hears students and teaches, on labelled replies and scripted students.

    python -m evals.coach_quality                 # the frozen held-out sets (evals/heldout/), the result
    python -m evals.coach_quality --set dev       # the tuning set, 4-fold cross-validated (in-sample tuning)
    python -m evals.coach_quality --replies R.yaml --dialogues D.yaml   # any other set in the same formats

Single replies (`coach_replies_*.yaml`): each in a new session opened with a neutral struggle ("I don't really
get <topic>"), then the labelled reply. Scripted students (`coach_dialogues_*.yaml`): the struggle, then the
scripted turns whatever the Coach says. Measures, each as the issue defines it:
- credit recall: share of replies labelled correct in which the Coach credited one of the labelled ideas;
  credit precision: share of replies the Coach credited anything in that were correct and credited for a labelled
  idea (strict: every credited idea labelled — the labels often name one idea of a reply that shows two);
- correct told "not quite": correct replies answered with a correction, a misconception probe or a
  "not quite"-style phrase;
- misconceptions probed right: misconception replies where the Coach probed exactly that misconception;
- questions engaged: a student's question answered with a ladder step (question, rephrasing or hint) aimed at
  the idea asked about;
- verbatim repetition: coach messages identical to an earlier one in the same session;
- reveals: coach messages the leakage check flags; struggle credited: openings that credited anything;
  struggle addressed: first replies aimed at what the struggle asked about;
- wrong closes: `needs_more_help` on a turn right after a turn labelled correct.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HELDOUT = Path(__file__).resolve().parent / "heldout"
DEV = Path(__file__).resolve().parents[1] / "curriculum" / "9708" / "examples"
NOT_QUITE = re.compile(r"not quite|piece missing|still missing|slow down|nudge|let'?s test it|always holds|"
                       r"that'?s not right|incorrect|\bwrong\b|put it to the test|careful", re.IGNORECASE)
ENGAGED = re.compile(r"good question|you asked|right thing to ask|let'?s find out|let'?s work it out", re.IGNORECASE)


def _points() -> dict[str, dict[str, Any]]:
    from curriculum.loader import get_curriculum

    return {code: {**p.model_dump(), "code": code} for code, p in get_curriculum().points.items()}


def _conversation(code: str, point: dict[str, Any]) -> Any:
    from evals.coach_driver import Conversation

    return Conversation(code, point)


def _step_texts(point: dict[str, Any], targets: set[str], misconceptions: set[str]) -> list[str]:
    from curriculum.matching import normalise

    texts = []
    for step in point["ladder"]:
        if targets & set(step["targets"]):
            texts += [step["question"], step["hint"], *step.get("rephrasings", [])]
    texts += [m["probe"] for m in point["misconceptions"] if m["id"] in misconceptions]
    return [normalise(t) for t in texts]


def _aimed(reply: str, point: dict[str, Any], targets: set[str], misconceptions: set[str] = frozenset()) -> bool:
    from curriculum.matching import normalise

    norm = normalise(reply)
    return any(t and t in norm for t in _step_texts(point, targets, misconceptions))


@dataclass
class Tally:
    """Counts behind every figure."""

    n: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, value: int = 1) -> None:
        self.n[key] = self.n.get(key, 0) + value

    def share(self, num: str, den: str) -> float | None:
        return self.n.get(num, 0) / self.n[den] if self.n.get(den) else None


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def _framing(reply: str, point: dict[str, Any]) -> str:
    """The Coach's own framing of a reply: without the student's words quoted back and the curriculum's ladder
    texts, so "wrong" in "Which of these could you prove wrong?" or in a quote is not a "not quite"."""
    text = _QUOTED.sub(" ", reply)
    for step in point.get("ladder", []):
        for said in (step["question"], step["hint"], *step.get("rephrasings", [])):
            text = text.replace(said, " ")
    return text


def _judge_reply(t: Tally, item: dict[str, Any], credited: set[str], reply: str, probed: str | None,
                 point: dict[str, Any]) -> None:
    labelled = set(item.get("expectations") or [])
    kind = item["kind"]
    if kind == "question":
        t.add("questions")
        t.add("questions_engaged", int(_aimed(reply, point, labelled) or (not labelled and bool(ENGAGED.search(reply)))))
        return
    if credited:
        t.add("credit_events")
        t.add("credit_right", int(kind == "correct" and bool(credited & labelled)))
        t.add("credit_exact", int(kind == "correct" and credited <= labelled))
    if kind == "correct":
        t.add("correct")
        t.add("correct_credited", int(bool(credited & labelled)))
        t.add("correct_told_not_quite", int(bool(NOT_QUITE.search(_framing(reply, point))) or probed is not None))
    if kind == "misconception":
        t.add("misconceptions")
        t.add("misconception_probed_right", int(probed == item.get("misconception")))
    if kind in ("vague", "off_track"):
        t.add("other_told_not_quite", int(bool(NOT_QUITE.search(_framing(reply, point)))))


def run_replies(path: Path, t: Tally) -> None:
    """Single replies, each in its own session."""
    points = _points()
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        point = points[item["point"]]
        conv = _conversation(item["point"], point)
        conv.say(f"I don't really get {point['title'].split(':')[0].lower()}")
        reply = conv.say(item["reply"])
        _judge_reply(t, item, set(conv.progress.just_reached), reply, conv.progress.current_misconception, point)
        t.add("replies")


def run_dialogues(path: Path, t: Tally) -> None:
    """Scripted students, turn by turn."""
    from curriculum.leakage import find_leaks

    points = _points()
    for d in yaml.safe_load(path.read_text(encoding="utf-8")):
        point = points[d["point"]]
        conv = _conversation(d["point"], point)
        first = conv.say(d["struggle"])
        t.add("dialogues")
        t.add("struggle_credited", int(bool(conv.progress.reached)))
        about = set(d.get("struggle_about") or [])
        t.add("struggle_addressed", int(_aimed(first, point, about, about)))
        said, previous_kind, replies = d["struggle"], None, [first]
        for turn in d["turns"]:
            if conv.outcome:
                break
            reached_before = set(conv.progress.reached)
            reply = conv.say(turn["text"])
            replies.append(reply)
            t.add("coach_messages")
            t.add("reveals", int(bool(find_leaks(reply, point, reached=reached_before, student_said=said))))
            said += " " + turn["text"]
            _judge_reply(t, turn, set(conv.progress.just_reached), reply, conv.progress.current_misconception, point)
            if conv.outcome == "needs_more_help" and "correct" in (previous_kind, turn["kind"]):
                t.add("wrong_closes")
            previous_kind = turn["kind"]
        t.add("repeats", sum(1 for i, r in enumerate(replies) if r in replies[:i]))
        t.add("all_coach_messages", len(replies))
        closed = conv.outcome or "open"
        t.add("close_as_expected", int(closed == d.get("expect_close") or (closed == "open" and
                                                                         d.get("expect_close") == "open")))


def report(t: Tally) -> dict[str, Any]:
    """The figures (None where a denominator is empty) with their counts."""
    return {
        "credit_recall": t.share("correct_credited", "correct"),
        "credit_precision": t.share("credit_right", "credit_events"),
        "credit_precision_strict": t.share("credit_exact", "credit_events"),
        "correct_told_not_quite": t.share("correct_told_not_quite", "correct"),
        "misconception_probed_right": t.share("misconception_probed_right", "misconceptions"),
        "questions_engaged": t.share("questions_engaged", "questions"),
        "verbatim_repetition": t.share("repeats", "all_coach_messages"),
        "reveals": t.n.get("reveals", 0),
        "struggle_credited": t.n.get("struggle_credited", 0),
        "struggle_addressed": t.share("struggle_addressed", "dialogues"),
        "needs_more_help_after_progress": t.n.get("wrong_closes", 0),
        "close_as_expected": t.share("close_as_expected", "dialogues"),
        "counts": dict(sorted(t.n.items())),
    }


def evaluate(which: str, replies: Path | None = None, dialogues: Path | None = None) -> dict[str, Any]:
    """Figures on the held-out sets, the dev set, or the given files (`which` = "files")."""
    t = Tally()
    if which == "files":
        if replies:
            run_replies(replies, t)
        if dialogues:
            run_dialogues(dialogues, t)
    elif which == "heldout":
        run_replies(HELDOUT / "coach_replies_heldout.yaml", t)
        run_dialogues(HELDOUT / "coach_dialogues_heldout.yaml", t)
    else:
        cross_validate(DEV / "coach_replies_dev.yaml", t)
    return report(t)


def cross_validate(path: Path, t: Tally, folds: int = 4) -> None:
    """The dev set, k-fold: each fold's replies matched with only the other folds as nearest examples."""
    import tempfile

    from curriculum.examples import use_examples

    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        for fold in range(folds):
            use_examples([e for i, e in enumerate(items) if i % folds != fold])
            held = [e for i, e in enumerate(items) if i % folds == fold]
            with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
                yaml.safe_dump(held, f, allow_unicode=True)
            run_replies(Path(f.name), t)
    finally:
        use_examples(None)


def _print(which: str, figures: dict[str, Any]) -> None:
    label = {"heldout": "held-out (never used for tuning)", "files": "given files",
             "dev": "dev (tuning data, 4-fold cross-validated: in-sample for the thresholds)"}[which]
    print(f"Offline Coach on the {label} set")
    print(f"{'measure':34} value")
    for key, value in figures.items():
        if key != "counts":
            shown = "—" if value is None else (f"{value:.2f}" if isinstance(value, float) else str(value))
            print(f"{key:34} {shown}")


def main(argv: list[str] | None = None) -> int:
    """CLI entry point (see module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["heldout", "dev"], default="heldout")
    parser.add_argument("--replies", type=Path, help="a file of labelled single replies (instead of --set)")
    parser.add_argument("--dialogues", type=Path, help="a file of scripted students (instead of --set)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    which = "files" if args.replies or args.dialogues else args.set
    figures = evaluate(which, args.replies, args.dialogues)
    _print(which, figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
