"""The Coach-quality scorer counts the Coach's own "not quite", not the word "wrong" in a ladder question or in
the student's words quoted back."""

from __future__ import annotations

from evals.coach_quality import NOT_QUITE, Tally, _framing, _judge_reply

POINT = {"ladder": [{"question": "Which of these could you prove wrong with data?", "hint": "Think of a test.",
                     "rephrasings": ["Could evidence ever show one of them is wrong?"], "targets": ["e1"]}]}
CORRECT = {"kind": "correct", "expectations": ["e1"]}


def _told_not_quite(reply: str) -> int:
    t = Tally()
    _judge_reply(t, CORRECT, {"e1"}, reply, None, POINT)
    return t.n.get("correct_told_not_quite", 0)


def test_ladder_text_and_quotes_are_not_the_coachs_framing():
    reply = "Exactly: “they might get it wrong”. Which of these could you prove wrong with data?"
    assert NOT_QUITE.search(reply) and not NOT_QUITE.search(_framing(reply, POINT))
    assert _told_not_quite(reply) == 0


def test_the_coachs_own_not_quite_still_counts():
    assert _told_not_quite("Not quite — which of these could you prove wrong with data?") == 1
    assert _told_not_quite("That's wrong. Think of a test.") == 1
