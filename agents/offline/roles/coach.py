"""The offline Coach: an expectation-and-misconception Socratic tutor (AutoTutor style), deterministic.

Reads the LAST student message and the `<coach_context>` block that the Coach node puts in the system prompt
(see `agents.coach_progress`; without a block it rebuilds one from the bundled curriculum and the messages),
and replies with ONE guiding question:
- opening: a ladder question (or, if the first message shows a misconception, that misconception's probe);
- a newly reached key idea: specific praise quoting the student's own words, then the next ladder question;
- a misconception: the probe (a question that makes the student test the belief, never the correction);
- nothing new / "I don't know": the current step's hint as a question; a second miss moves to the next step;
- answer-seeking or injection: a kind refusal that keeps the Socratic stance, then a question;
- off topic: a short redirect and the current question.
It never states a definition, key idea or answer phrase: its own sentences carry no subject content (see
`coach_phrases`), and quoted student words that contain an answer phrase are not quoted.

Closing: when the context suggests an outcome and the tool is bound, it calls `record_session_outcome`
({"outcome", "summary"}) or `refer_to_teacher` ({"reason"}, also when the context's code is null, i.e. the
topic is outside the curriculum). When the last message is that tool's result, it sends a short closing message.
Wording varies by a hash of the syllabus code and the turn number.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from agents.coach_context import parse_context_block, render_context_block
from agents.coach_progress import CoachProgress, assess_turn, message_hash
from agents.offline.protocol import OfflineReply, OfflineRequest, message_text, stable_choice
from agents.offline.roles import coach_phrases as P
from agents.offline.roles import register_role
from agents.prompt_protocol import TOPIC_LINE


def _pick(options: tuple[str, ...], ctx: dict[str, Any], slot: str, **fmt: Any) -> str:
    turn = ctx.get("progress", {}).get("student_turns", 0)
    return stable_choice(options, ctx.get("code"), turn, slot).format(**fmt)


def _title(ctx: dict[str, Any]) -> str:
    """A title that reads naturally mid-sentence: "Inflation: meaning, ..." -> "inflation"."""
    title = (ctx.get("title") or "this topic").split(":")[0].strip()
    first = title.split(" ", 1)[0]
    return title if first.isupper() or first[1:2].isupper() else title[:1].lower() + title[1:]


def _rebuilt_context(request: OfflineRequest) -> dict[str, Any] | None:
    """No context block (a caller outside the graph): find the point from the first message and replay."""
    from agents.topic_match import resolve_syllabus_point
    from curriculum.loader import get_curriculum

    texts = request.human_texts
    if not texts:
        return None
    try:
        points = {code: p.model_dump() for code, p in get_curriculum().points.items()}
    except (OSError, ValueError):  # no usable bundled curriculum: we can still ask a generic question
        return None
    code = resolve_syllabus_point(texts[0], None, points)
    progress = CoachProgress()
    for text in texts:
        progress = assess_turn({**points[code], "code": code}, text, progress) if code else CoachProgress(
            student_turns=progress.student_turns + 1)
    point = {**points[code], "code": code} if code else {}
    return parse_context_block(render_context_block(code, point, progress, topic=texts[0]))


def _hint_question(step: dict[str, Any], ctx: dict[str, Any]) -> str:
    return _as_question(step["hint"], ctx)


def _as_question(text: str, ctx: dict[str, Any]) -> str:
    """Ladder text written as a task ("Sort these into groups: ...") still ends on a question to the student."""
    text = text.strip()
    # a hint that already asks ("…? Now do the same for -0.3.") stays one question: no follow-up is added
    return text if "?" in text else f"{text} {_pick(P.FOLLOW_UPS, ctx, 'follow')}"


def _phrasings(step: dict[str, Any]) -> list[str]:
    """Every phrasing of a step's question, starting with the one due now (rotated by how often it was asked)."""
    options = list(step.get("phrasings") or [step["question"]])
    asked = int(step.get("asked", 0))
    return options[asked % len(options):] + options[:asked % len(options)]


def _praise(ctx: dict[str, Any]) -> str:
    progress = ctx["progress"]
    quotes = [progress.get("evidence", {}).get(i, "") for i in progress.get("just_reached", [])]
    quote = next((q for q in quotes if q), "")
    if quote:
        return _pick(P.PRAISE_QUOTED, ctx, "praise", quote=quote)
    return _pick(P.PRAISE_PLAIN, ctx, "praise")


def _misconception_turn(ctx: dict[str, Any], step: dict[str, Any] | None) -> list[str]:
    mis, progress = ctx["misconception"], ctx["progress"]
    lead = _praise(ctx) + " " if progress.get("just_reached") else ""
    if mis.get("repeat") and step is not None:
        return [lead + _pick(P.MISCONCEPTION_REPEAT, ctx, "mis") + " " + q
                for q in (_hint_question(step, ctx), *map(lambda t: _as_question(t, ctx), _phrasings(step)))]
    if lead:  # praise already quoted the student: do not quote the same words twice
        return [f"{lead}{opener} {mis['probe']}" for opener in _rotated(P.MISCONCEPTION_AFTER_PRAISE, ctx, "mis")]
    quote = progress.get("student_quote", "")
    openers = (_rotated(P.MISCONCEPTION_LEADS, ctx, "mis", quote=quote) if quote
               else _rotated(P.MISCONCEPTION_LEADS_PLAIN, ctx, "mis"))
    return [f"{opener} {mis['probe']}" for opener in openers]


def _rotated(options: tuple[str, ...], ctx: dict[str, Any], slot: str, **fmt: Any) -> list[str]:
    """All variants, starting from this turn's deterministic choice (later ones are fall-backs for repeats)."""
    first = options.index(stable_choice(options, ctx.get("code"), ctx.get("progress", {}).get("student_turns", 0),
                                        slot))
    return [o.format(**fmt) for o in (*options[first:], *options[:first])]


def _questions(step: dict[str, Any], ctx: dict[str, Any], *, hint_first: bool = False) -> list[str]:
    """The step's question in every phrasing (due one first), with its hint as a question before or after."""
    asked = [_as_question(t, ctx) for t in _phrasings(step)]
    hint = _hint_question(step, ctx)
    return [hint, *asked] if hint_first else [*asked, hint]


def _combine(leads: list[str], questions: list[str]) -> list[str]:
    """Lead × question candidates, question-major so a repeat changes the question before the lead."""
    return [f"{lead} {q}".strip() for q in questions for lead in leads]


def _candidates(ctx: dict[str, Any]) -> list[str]:
    """Every reply the offline Coach would accept for this turn, best first (see `compose_turn`)."""
    progress = ctx.get("progress", {})
    move = progress.get("last_move", "")
    step = ctx.get("next_question")
    title = _title(ctx)
    quote = progress.get("student_quote", "")
    if ctx.get("misconception"):
        return _misconception_turn(ctx, step)
    asked_step = ctx.get("asked_step")
    if move == "question" and asked_step is not None:
        leads = (_rotated(P.QUESTION_LEADS, ctx, "ask", quote=quote) if quote
                 else _rotated(P.QUESTION_LEADS_PLAIN, ctx, "ask"))
        return _combine(leads, _questions(asked_step, ctx, hint_first=asked_step.get("asked", 0) > 0))
    if step is None:  # nothing left on the ladder but no outcome yet: keep the student talking
        return _rotated(P.GENERIC_QUESTIONS, ctx, "generic")
    if move == "opening" and asked_step is not None:
        return _combine(_rotated(P.OPENINGS, ctx, "open", title=title), _questions(asked_step, ctx))
    if move == "restated":
        return _combine(_rotated(P.RESTATED_LEADS, ctx, "again", quote=quote), _questions(step, ctx))
    if move == "progress":
        return _combine([f"{_praise(ctx)} {b}" for b in _rotated(P.BRIDGES, ctx, "bridge")], _questions(step, ctx))
    if move == "answer_request":
        return _combine(_rotated(P.ANSWER_REFUSALS, ctx, "refuse"),
                        _questions(step, ctx, hint_first=progress.get("answer_requests", 0) >= 2))
    if move == "injection":
        return _combine(_rotated(P.INJECTION_REFUSALS, ctx, "inject", title=title), _questions(step, ctx))
    if move == "off_topic":
        return _combine(_rotated(P.OFF_TOPIC_LEADS, ctx, "off", title=title), _questions(step, ctx))
    if move == "question":  # a question we could not place on the ladder: take it back to the current step
        leads = (_rotated(P.QUESTION_LEADS, ctx, "ask", quote=quote) if quote
                 else _rotated(P.QUESTION_LEADS_PLAIN, ctx, "ask"))
        return _combine(leads, _questions(step, ctx, hint_first=True))
    if move == "unverified" and progress.get("attempts_on_step", 0) <= 1:
        leads = (_rotated(P.UNVERIFIED_LEADS, ctx, "unv", quote=quote) if quote
                 else _rotated(P.UNVERIFIED_LEADS_PLAIN, ctx, "unv"))
        return leads + _combine(_rotated(P.HINT_LEADS, ctx, "lead"), _questions(step, ctx, hint_first=True))
    if move in ("dont_know", "no_progress", "gave_up", "unverified"):
        attempts = progress.get("attempts_on_step", 0)
        if move == "gave_up":
            leads = _rotated(P.GAVE_UP_LEADS, ctx, "lead")
        elif attempts == 0:  # the step just moved on after three tries
            leads = _rotated(P.NEW_ANGLE_LEADS, ctx, "lead")
        elif move == "dont_know":
            leads = _rotated(P.DONT_KNOW_LEADS, ctx, "lead")
        elif progress.get("previous_move") == "misconception":
            leads = _rotated(P.AFTER_PROBE_LEADS, ctx, "lead")  # they answered the probe: steer back
        else:
            leads = _rotated(P.HINT_LEADS, ctx, "lead")
        return _combine(leads, _questions(step, ctx, hint_first=attempts >= 1))
    return _combine(_rotated(P.OPENINGS, ctx, "open", title=title), _questions(step, ctx))


def compose_turn(ctx: dict[str, Any], last_coach_text: str = "") -> str:
    """The Coach's reply for one student turn, from the context block (no outcome pending).

    Candidates come best first; the first one the Coach has not already said in this session is sent, so no
    coach message ever repeats an earlier one (`progress.said` holds their fingerprints).
    """
    said = set(ctx.get("progress", {}).get("said", []))
    if last_coach_text:
        said.add(message_hash(last_coach_text))
    candidates = _candidates(ctx)
    for candidate in candidates:
        if message_hash(candidate) not in said:
            return candidate
    turn = ctx.get("progress", {}).get("student_turns", 0)
    return f"{candidates[0]} (Take your time — this is attempt {turn}.)"


def _quotes(ctx: dict[str, Any], limit: int = 3) -> list[str]:
    evidence = ctx.get("progress", {}).get("evidence", {})
    return [evidence[i] for i in ctx.get("reached", []) if evidence.get(i)][:limit]


def _summary(ctx: dict[str, Any], outcome: str) -> str:
    """One line for the teacher on what the student showed."""
    progress = ctx.get("progress", {})
    reached, remaining = ctx.get("reached", []), ctx.get("remaining", [])
    total = len(reached) + len(remaining)
    said = "; ".join(f"“{q}”" for q in _quotes(ctx, 2))
    line = f"{ctx.get('code')}: reached {len(reached)}/{total} key ideas"
    if said:
        line += f" in their own words ({said})"
    if outcome == "needs_more_help":
        missing = "; ".join(r["idea"] for r in remaining[:3])
        line += (f"; still missing: {missing}; {progress.get('turns_without_progress', 0)} turns without progress, "
                 f"{progress.get('give_ups', 0)} explicit give-up(s)")
    seen = progress.get("misconceptions_seen", [])
    if seen:
        line += f"; misconceptions shown: {', '.join(seen)}"
    return line + "."


def _session_topic(request: OfflineRequest) -> str:
    """The topic as the student wrote it: the Coach prompt's "Session topic" line, else the first message."""
    found = TOPIC_LINE.search(request.system)
    if found:
        return found.group(1).strip()
    return request.human_texts[0] if request.human_texts else ""


def _closing_call(ctx: dict[str, Any], request: OfflineRequest, outcome: str) -> OfflineReply | None:
    if outcome == "refer_to_teacher":
        if not request.has_tool("refer_to_teacher"):
            return None
        if ctx.get("code") is None:
            topic = ctx.get("topic") or _session_topic(request) or "(no topic given)"
            reason = f"The student's topic “{topic[:200]}” is outside the syllabus the coach covers."
        else:
            reason = (f"The student asked for a teacher while working on {ctx.get('code')} {_title(ctx)}: "
                      f"“{request.last_human_text[:200]}”. {_summary(ctx, outcome)}")
        return OfflineReply(tool_calls=[{"name": "refer_to_teacher", "args": {"reason": reason}}])
    if not request.has_tool("record_session_outcome"):
        return None
    args = {"outcome": outcome, "summary": _summary(ctx, outcome)}
    return OfflineReply(tool_calls=[{"name": "record_session_outcome", "args": args}])


def closing_message(ctx: dict[str, Any], outcome: str) -> str:
    """The question-free message that ends the session (recaps the student's own words when resolved)."""
    title = _title(ctx)
    if outcome == "resolved":
        quotes = _quotes(ctx)
        recap = ""
        if quotes:
            recap = " You said " + ", and ".join(f"“{q}”" for q in quotes) + "."
        return (f"{_pick(P.RESOLVED_CLOSINGS, ctx, 'close')}{recap} "
                f"{_pick(P.RESOLVED_TAILS, ctx, 'tail', title=title)}")
    if outcome == "needs_more_help":
        quotes = _quotes(ctx, 1)
        partial = f", and you got part of the way (you said “{quotes[0]}”)" if quotes else ""
        return _pick(P.NEEDS_HELP_CLOSINGS, ctx, "close", partial=partial, title=title)
    if ctx.get("code") is None:
        return P.OUT_OF_SCOPE_CLOSING
    return _pick(P.REFERRED_CLOSINGS, ctx, "close")


def _last_coach_text(request: OfflineRequest) -> str:
    return next((message_text(m) for m in reversed(request.messages) if isinstance(m, AIMessage)), "")


def _outcome_of_tool(name: str, args: dict[str, Any]) -> str:
    return "refer_to_teacher" if name == "refer_to_teacher" else str(args.get("outcome") or "needs_more_help")


@register_role("coach")
def offline_coach(request: OfflineRequest) -> OfflineReply:
    """Play the Coach for one model call (see module docstring)."""
    ctx = parse_context_block(request.system) or _rebuilt_context(request)
    ran = request.tool_just_ran()
    if ran is not None:
        name, args, _output = ran
        if name in ("record_session_outcome", "refer_to_teacher"):
            return OfflineReply(text=closing_message(ctx or {}, _outcome_of_tool(name, args)))
        # another tool (e.g. a lookup) ran: its result changes nothing the offline coach uses
    if ctx is None:
        return OfflineReply(text=stable_choice(P.GENERIC_QUESTIONS, len(request.messages)))
    outcome = ctx.get("suggested_outcome")
    if ctx.get("code") is None:
        return _closing_call(ctx, request, "refer_to_teacher") or OfflineReply(text=P.OUT_OF_SCOPE_NO_TOOL)
    if outcome:
        call = _closing_call(ctx, request, outcome)
        if call is not None:
            return call
        if outcome == "refer_to_teacher":
            return OfflineReply(text=P.NO_TOOL_REFERRAL)
        return OfflineReply(text=closing_message(ctx, outcome))
    return OfflineReply(text=compose_turn(ctx, _last_coach_text(request)))
