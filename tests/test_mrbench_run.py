"""MRBench end to end on the shared dev file: output shape, baseline beaten, bad input, CV honesty."""

import json

import pytest

from evals.mrbench import (
    MRBenchFormatError,
    baseline_metrics,
    default_mrbench_path,
    format_metrics_table,
    load_mrbench,
    run_mrbench,
)
from evals.scorers.turn_features import DIMENSIONS

SHARED = default_mrbench_path()
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared MRBench data not found at {SHARED}")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mrbench") / "out.json"
    payload = run_mrbench(SHARED, out)
    return out, payload


@needs_shared
def test_output_file_has_the_exact_shape(run):
    out, payload = run
    written = json.loads(out.read_text())
    assert written == payload
    assert set(written) == {"scorer", "part", "responses", "metrics", "predictions"}
    assert set(written["metrics"]) == set(DIMENSIONS)
    for key, row in written["metrics"].items():
        assert set(row) == {"macro_f1", "ci95", "accuracy", "kappa", "n", "total", "coverage", "confusion"}
        assert row["n"] == row["total"] == 860 and row["coverage"] == 1.0
        low, high = row["ci95"]
        assert low <= row["macro_f1"] <= high and high - low < 0.3
        assert sum(sum(r.values()) for r in row["confusion"].values()) == 860
        assert set(row["confusion"]) <= set(DIMENSIONS[key])
    assert len(written["predictions"]) == 860
    first = written["predictions"][0]
    assert set(first) == {"conversation_id", "tutor", "labels"}
    for key, label in first["labels"].items():
        assert label in DIMENSIONS[key]


@needs_shared
def test_the_split_shares_no_conversation_and_no_tutor():
    from evals.mrbench_split import load_split, select

    split = load_split()
    assert not set(split["held_out"]["conversations"]) & set(split["train"]["conversations"])
    assert not set(split["held_out"]["tutors"]) & set(split["train"]["tutors"])
    records = load_mrbench(SHARED)
    held, train = select(records, "held_out"), select(records, "train")
    assert len(held) == 120 and len(train) == 335
    assert not {r.conversation_id for r in held} & {r.conversation_id for r in train}


@needs_shared
def test_the_committed_model_beats_the_baseline_on_the_held_out_block(tmp_path):
    """The weights were trained on the training block only; on the held-out block (new conversations, new tutor
    models) every dimension beats the majority guess, revealing and guidance clearly, and the figure matches
    the protocol report stored with the weights."""
    from evals.scorers.turn_deterministic import load_model

    payload = run_mrbench(SHARED, tmp_path / "held.json", part="held_out")
    baseline = baseline_metrics(select_part(load_mrbench(SHARED), "held_out"))
    report = load_model()["protocol_report"]
    for key, row in payload["metrics"].items():
        assert row["macro_f1"] > baseline[key]["macro_f1"], key
        assert row["macro_f1"] == report[key]["held_out_after"]["macro_f1"], key
    for key in ("Revealing_of_the_Answer", "Providing_Guidance"):
        assert payload["metrics"][key]["macro_f1"] > baseline[key]["macro_f1"] + 0.2, key
    table = format_metrics_table(payload["metrics"], baseline)
    assert "Revealing_of_the_Answer" in table and "majority_f1" in table and "120/120" in table


def select_part(records, part):
    from evals.mrbench_split import select

    return select(records, part)


def test_missing_field_is_named_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"conversation_id": "c1", "anno_llm_responses": {}}]))
    out = tmp_path / "out.json"
    with pytest.raises(MRBenchFormatError, match="conversation_history"):
        run_mrbench(bad, out)
    assert not out.exists()


def test_unknown_label_is_rejected(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"conversation_id": "c1", "conversation_history": "Student: 7",
                                "anno_llm_responses": {"T": {"response": "Hi",
                                                             "annotation": {"Coherence": "Maybe"}}}}]))
    with pytest.raises(MRBenchFormatError, match="Coherence"):
        run_mrbench(bad, tmp_path / "out.json")


def test_llm_scorer_without_a_model_and_unknown_scorer_are_refused(tmp_path):
    with pytest.raises(ValueError, match="chat model"):
        run_mrbench(tmp_path / "x.json", tmp_path / "out.json", scorer="llm")
    with pytest.raises(ValueError, match="scorer"):
        run_mrbench(tmp_path / "x.json", tmp_path / "out.json", scorer="magic")


def test_small_file_uses_its_own_dimension_keys(tmp_path):
    data = [{"conversation_id": "c1", "conversation_history": "Tutor: What is 3 x 4?\n Student: 7",
             "Ground_Truth_Solution": "3 x 4 = 12\n 12",
             "anno_llm_responses": {
                 "A": {"response": "3 x 4 = 12, so the answer is 12.",
                       "annotation": {"Revealing_of_the_Answer": "Yes (and the answer is correct)"}},
                 "B": {"response": "What do you get if you add 4 three times?",
                       "annotation": {"Revealing_of_the_Answer": "No"}}}}]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(data))
    payload = run_mrbench(path, tmp_path / "out.json")
    assert list(payload["metrics"]) == ["Revealing_of_the_Answer"]
    row = payload["metrics"]["Revealing_of_the_Answer"]
    assert (row["macro_f1"], row["accuracy"], row["n"], row["ci95"]) == (1.0, 1.0, 2, [1.0, 1.0])
    assert set(payload["predictions"][0]["labels"]) == set(DIMENSIONS)
