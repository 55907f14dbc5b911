"""MRBench end to end on the shared dev file: output shape, baseline beaten, bad input, CV honesty."""

import json

import pytest

from evals.metrics import macro_f1, majority_baseline
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
def test_every_dimension_beats_the_majority_class_baseline(run):
    _, payload = run
    baseline = baseline_metrics(load_mrbench(SHARED))
    for key, row in payload["metrics"].items():
        assert row["macro_f1"] > baseline[key]["macro_f1"] + 0.15, key
    table = format_metrics_table(payload["metrics"], baseline)
    assert "Revealing_of_the_Answer" in table and "majority_f1" in table


@needs_shared
def test_held_out_conversations_still_beat_the_baseline():
    """Retrain the two dimensions that matter most for a Socratic coach with conversations held out
    (grouped 5-fold CV), so the check measures generalisation, not memorisation."""
    from evals.scorers.turn_features import extract_features
    from evals.train_turn_model import HYPERPARAMS, fit_dimension, grouped_folds, predict

    records = load_mrbench(SHARED)
    rows = [extract_features(r.history, r.response, r.context) for r in records]
    folds = grouped_folds(records)
    for key in ("Revealing_of_the_Answer", "Providing_Guidance"):
        gold = [r.annotation[key] for r in records]
        predicted = [""] * len(records)
        for fold in range(5):
            train = [i for i in range(len(records)) if folds[i] != fold]
            test = [i for i in range(len(records)) if folds[i] == fold]
            spec = fit_dimension(key, [rows[i] for i in train], [gold[i] for i in train], HYPERPARAMS)
            for i, label in zip(test, predict(key, spec, [rows[i] for i in test], [records[i] for i in test])):
                predicted[i] = label
        assert macro_f1(gold, predicted) > majority_baseline(gold)["macro_f1"] + 0.15, key


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
