"""Unit and property tests for the contract's cue-matching rule (curriculum.matching)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from curriculum.matching import cue_hits, matched_groups, normalise

PED_CUES = [["respon", "sensitiv", "how much"], ["quantity", "demand"]]


def test_every_group_must_match() -> None:
    assert cue_hits("PED shows how responsive quantity demanded is", PED_CUES)
    assert not cue_hits("PED shows how responsive buyers are", PED_CUES)
    assert matched_groups("PED shows how responsive buyers are", PED_CUES) == 1


def test_case_punctuation_and_whitespace_are_ignored() -> None:
    assert cue_hits("HOW   MUCH...\nthe Quantity-Demanded changes!", PED_CUES)
    assert cue_hits("cross-price elasticity", [["cross price"]])
    assert cue_hits("the consumer's surplus", [["consumers surplus"]])
    assert cue_hits("MC=MR", [["mc = mr"]])


def test_substring_stems_match_inflections() -> None:
    assert cue_hits("demand is highly elastic", [["elastic"]])
    assert cue_hits("substitutes exist", [["substitut"]])


def test_boundary_spaces_demand_whole_words() -> None:
    assert cue_hits("the PED is -2", [[" ped "]])
    assert cue_hits("PED", [[" ped "]])
    assert not cue_hits("speed matters", [[" ped "]])


def test_symbol_only_cues_compare_raw_text() -> None:
    assert cue_hits("a 10% rise", [["%"]])
    assert not cue_hits("a ten percent rise", [["%"]])


def test_empty_cues_never_match() -> None:
    assert not cue_hits("anything at all", [])
    assert matched_groups("anything", []) == 0


@given(st.text())
def test_normalise_is_idempotent_and_lowercase(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.lower()


@given(st.text(min_size=1), st.text(), st.text())
def test_text_containing_a_cue_word_matches(cue: str, before: str, after: str) -> None:
    # a cue always matches text built around it (separated by spaces), whatever the surrounding text
    if normalise(cue) or cue.strip():
        assert cue_hits(f"{before} {cue} {after}", [[cue]])


def test_a_belief_denied_further_back_in_its_clause_is_not_stated():
    from curriculum.cue_match import DENIAL_WINDOW, match_cues

    cues = [["negative"], ["inelastic"]]
    text = "-2.5 isnt inelastic just cos its negative, u ignore the sign"
    assert match_cues(text, cues).matched == 1  # the 3-word window sees "not inelastic" but not "… negative"
    denied = match_cues(text, cues, window=DENIAL_WINDOW)
    assert not denied.full and denied.negated == 2
    assert match_cues("it is inelastic because it is negative", cues, window=DENIAL_WINDOW).full
