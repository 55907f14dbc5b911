"""The frozen held-out split of the shared MRBench dev file, grouped by conversation AND by tutor model.

Written once, before any tuning, by ``python -m evals.mrbench_split --write``; the manifest
(``evals/data/mrbench_split.json``) holds ids only: conversation ids and tutor names on each side.

Held out = (held-out conversations) x (held-out tutors); training = (the other conversations) x (the other
tutors). The two cross blocks are used by neither side, so no conversation and no tutor model appears in both
parts: a figure on the held-out part measures the scorer on dialogues and on tutor styles it has never seen,
which is what a school's own transcripts are to it. Conversations are drawn stratified by source (MathDial /
Bridge); tutors are drawn from the eight that answered every conversation (the ninth, "Novice", answered only
Bridge dialogues and stays on the training side so the held-out block has every conversation's answers).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from functools import cache
from pathlib import Path

from evals.mrbench_data import TutorResponse, default_mrbench_path, resolve_mrbench_file

SPLIT_PATH = Path(__file__).with_name("data") / "mrbench_split.json"
SEED = 16
HELD_OUT_TUTORS = 3
HELD_OUT_SHARE = 0.35


def make_split(items: list[dict], *, seed: int = SEED) -> dict:
    """The manifest for the parsed MRBench file ``items`` (deterministic for a given seed)."""
    rng = random.Random(seed)
    by_source: dict[str, list[str]] = {}
    for item in items:
        by_source.setdefault(str(item.get("Data", "")), []).append(str(item["conversation_id"]))
    held_convs: list[str] = []
    for source in sorted(by_source):
        ids = sorted(by_source[source])
        rng.shuffle(ids)
        held_convs += ids[:round(len(ids) * HELD_OUT_SHARE)]
    counts: dict[str, int] = {}
    for item in items:
        for tutor in item["anno_llm_responses"]:
            counts[tutor] = counts.get(tutor, 0) + 1
    complete = sorted(t for t, n in counts.items() if n == len(items))
    held_tutors = sorted(rng.sample(complete, HELD_OUT_TUTORS))
    all_convs = {str(item["conversation_id"]) for item in items}  # four ids occur twice in the dev file
    return {
        "about": "MRBench V2 dev split, grouped by conversation and tutor; ids only; frozen before tuning",
        "seed": seed,
        "held_out": {"conversations": sorted(held_convs), "tutors": held_tutors},
        "train": {"conversations": sorted(set(all_convs) - set(held_convs)),
                  "tutors": sorted(t for t in counts if t not in held_tutors)},
    }


@cache
def load_split(path: str = str(SPLIT_PATH)) -> dict:
    """The committed manifest."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def part_of(record: TutorResponse, split: dict | None = None) -> str | None:
    """"held_out", "train", or None for the cross blocks that neither side uses."""
    split = split or load_split()
    for part in ("held_out", "train"):
        side = split[part]
        if record.conversation_id in side["conversations"] and record.tutor in side["tutors"]:
            return part
    return None


def select(records: list[TutorResponse], part: str, split: dict | None = None) -> list[TutorResponse]:
    """The records of one part ("held_out" or "train"); "all" returns them unchanged."""
    if part == "all":
        return list(records)
    if part not in ("held_out", "train"):
        raise ValueError(f"part: expected held_out, train or all, got {part!r}")
    return [r for r in records if part_of(r, split) == part]


def main(argv: list[str] | None = None) -> int:
    """Print the split's sizes; ``--write`` (re)writes the manifest (only ever done once, before tuning)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=default_mrbench_path())
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    items = json.loads(resolve_mrbench_file(args.path).read_text(encoding="utf-8"))
    split = make_split(items)
    if args.write:
        SPLIT_PATH.parent.mkdir(parents=True, exist_ok=True)
        SPLIT_PATH.write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    from evals.mrbench_data import parse_mrbench

    records = parse_mrbench(items)
    for part in ("held_out", "train"):
        chosen = select(records, part, split)
        print(f"{part}: {len(split[part]['conversations'])} conversations x {len(split[part]['tutors'])} tutors "
              f"= {len(chosen)} responses ({', '.join(split[part]['tutors'])})")
    print(f"unused cross blocks: {len(records) - len(select(records, 'held_out', split)) - len(select(records, 'train', split))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
