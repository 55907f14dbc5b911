"""Labels from any OpenAI-compatible chat model: the best structured-output method the server supports,
tolerant parsing of whatever comes back, bounded retries, and an honest "unscored" when nothing works.

Methods, best first (`METHODS`): a JSON-schema `response_format` (servers such as llama.cpp, vLLM and OpenAI
turn it into constrained decoding), a forced tool call, JSON mode, then a plain reply. Whatever the method,
the reply is read tolerantly: tool-call arguments, else the first JSON object in the text (a truncated one
still yields the fields written before the cut), else "Field: label" lines, else (one field only) the
earliest allowed label word in the text. A `MethodLadder` is shared by every call of a run: a method the
server refuses (HTTP 400/404/422/501) is dropped at once (but a prompt too long for the model's context is
not a refusal: that item's dialogue is cut in the middle and retried, and no method is dropped), and one whose replies never parse is dropped after
`give_up_after` failures, so a run settles on what works without paying for what does not.

A call makes at most `max_attempts` requests (a refused method costs no attempt, a timeout, transport
error or unparseable reply costs one). Fields still missing after that are returned as unscored with the
reason; the caller records them and goes on. Nothing here invents a label.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

METHODS = ("json_schema", "tools", "json_mode", "plain")
_REFUSED_STATUS = {400, 404, 405, 422, 501}


class JudgeSettings(BaseSettings):
    """How hard the judge tries (`TEACH_JUDGE_*`): attempts per call, reply length, method order."""

    model_config = SettingsConfigDict(env_prefix="TEACH_JUDGE_", extra="ignore")

    max_attempts: int = Field(default=3, ge=1, le=10)
    max_tokens: int = Field(default=200, ge=16, le=4096)
    methods: str = ",".join(METHODS)
    give_up_after: int = Field(default=4, ge=1)
    retry_pause_seconds: float = Field(default=0.2, ge=0)

    def method_list(self) -> list[str]:
        """The configured methods, validated, in order."""
        chosen = [m.strip() for m in self.methods.split(",") if m.strip()]
        unknown = [m for m in chosen if m not in METHODS]
        if unknown or not chosen:
            raise ValueError(f"TEACH_JUDGE_METHODS: unknown {', '.join(unknown) or '(none)'}; use {', '.join(METHODS)}")
        return chosen


@dataclass
class MethodLadder:
    """The methods still believed to work for this server, and what each call used (for the report)."""

    methods: list[str] = field(default_factory=lambda: list(METHODS))
    give_up_after: int = 4
    dropped: dict[str, str] = field(default_factory=dict)
    used: Counter = field(default_factory=Counter)
    parse_failures: Counter = field(default_factory=Counter)
    successes: Counter = field(default_factory=Counter)

    @property
    def available(self) -> list[str]:
        """Methods not dropped, best first ("plain" is never dropped: it is the last resort)."""
        return [m for m in self.methods if m not in self.dropped]

    def drop(self, method: str, why: str) -> None:
        """Stop using `method` for the rest of the run."""
        if method != "plain" and method not in self.dropped:
            log.info("judge: dropping structured-output method %s (%s)", method, why)
            self.dropped[method] = why

    def failed_to_parse(self, method: str) -> None:
        """Count an unparseable reply; a method that has never parsed is dropped after `give_up_after`."""
        self.parse_failures[method] += 1
        if not self.successes[method] and self.parse_failures[method] >= self.give_up_after:
            self.drop(method, f"{self.parse_failures[method]} replies in a row could not be parsed")

    def summary(self) -> dict[str, Any]:
        """`{"used": {method: calls}, "dropped": {method: why}, "parse_failures": {...}}`."""
        return {"used": dict(self.used), "dropped": dict(self.dropped), "parse_failures": dict(self.parse_failures)}


@dataclass
class Outcome:
    """What one judge call produced: the valid fields, the reason text, and why the rest are missing."""

    values: dict[str, str]
    reason: str
    method: str | None
    attempts: int
    error: str | None = None


def fields_schema(name: str, fields: dict[str, tuple[str, ...]]) -> type[BaseModel]:
    """`{<field>: Literal[labels], ..., "reason": str}`; labels first so a cut-off reply keeps them."""
    from typing import Literal

    spec: dict[str, Any] = {key: (Literal[labels], Field(description="one of the allowed labels, exactly"))  # type: ignore[valid-type]
                            for key, labels in fields.items()}
    spec["reason"] = (str, Field(description="one short sentence"))
    return create_model(name, __doc__="The judge's labels and a one-sentence reason.", **spec)


def reply_instruction(fields: dict[str, tuple[str, ...]]) -> str:
    """The answer format spelled out in the prompt (it helps every method, and is all "plain" has)."""
    example = {key: labels[0] for key, labels in fields.items()} | {"reason": "one short sentence"}
    return ("Reply with only one JSON object and nothing else, for example: " + json.dumps(example)
            + "\nAllowed labels: " + "; ".join(f"{k}: {' | '.join(v)}" for k, v in fields.items()))


_JSON_START = re.compile(r"\{")


def _first_json_object(text: str) -> dict[str, Any] | None:
    """The first `{...}` in `text` that parses; else the key/value pairs of a truncated one."""
    for match in _JSON_START.finditer(text):
        depth, in_string, escape = 0, False, False
        for end in range(match.start(), len(text)):
            ch = text[end]
            if in_string:
                escape, in_string = (False, in_string) if escape else (ch == "\\", ch != '"')
                continue
            if ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    try:
                        value = json.loads(text[match.start():end + 1])
                    except json.JSONDecodeError:
                        break
                    if isinstance(value, dict):
                        return value
                    break
    pairs = re.findall(r'"([A-Za-z_]+)"\s*:\s*"([^"]*)"', text)
    return dict(pairs) or None


def _label_in(text: str, labels: tuple[str, ...]) -> str | None:
    """The allowed label that occurs earliest in `text` as a word (longest first on a tie)."""
    low = text.lower()
    best: tuple[int, int, str] | None = None
    for label in labels:
        for m in re.finditer(r"(?<![a-z])" + re.escape(label.lower()) + r"(?![a-z])", low):
            candidate = (m.start(), -len(label), label)
            best = candidate if best is None or candidate < best else best
            break
    return best[2] if best else None


def _normalise(value: Any, labels: tuple[str, ...]) -> str | None:
    """`value` as one of `labels` (exact, case-insensitive, or a label the text starts with)."""
    if not isinstance(value, str):
        return None
    text = value.strip().strip(".\"'* ")
    for label in labels:
        if text.lower() == label.lower():
            return label
    found = _label_in(text, labels)
    return found if found and text.lower().startswith(found.lower()[:2]) else None


def parse_reply(message: AIMessage, fields: dict[str, tuple[str, ...]]) -> tuple[dict[str, str], str]:
    """The valid `{field: label}` found in a reply (possibly fewer than asked) and its reason text."""
    data: dict[str, Any] | None = None
    for call in getattr(message, "tool_calls", None) or []:
        if isinstance(call.get("args"), dict):
            data = call["args"]
            break
    text = message.content if isinstance(message.content, str) else json.dumps(message.content)
    if data is None and text.strip():
        data = _first_json_object(text)
    values: dict[str, str] = {}
    reason = ""
    if data:
        lowered = {str(k).lower(): v for k, v in data.items()}
        for key, labels in fields.items():
            raw = lowered.get(key.lower())
            if raw is None and len(fields) == 1:
                raw = lowered.get("label")
            label = _normalise(raw, labels)
            if label is not None:
                values[key] = label
        reason = str(lowered.get("reason") or "")
    for key, labels in fields.items():  # "Key: label" lines in a plain reply
        if key in values:
            continue
        line = re.search(re.escape(key).replace("_", "[_ ]") + r"\W{0,4}:\s*([^\n,;]+)", text, re.IGNORECASE)
        if line:
            label = _normalise(line.group(1), labels)
            if label is not None:
                values[key] = label
    if len(fields) == 1 and not values and text.strip() and data is None:
        key, labels = next(iter(fields.items()))
        found = _label_in(text, labels)
        if found:
            values[key] = found
            reason = reason or text.strip()[:300]
    return values, reason.strip()


def _refused(exc: Exception) -> int | None:
    """The HTTP status when the server said it does not support what was asked (not a failure or timeout)."""
    status = _status(exc)
    return status if status in _REFUSED_STATUS else None


_FEATURE_WORDS = {"json_schema": ("response_format", "json_schema"), "json_mode": ("response_format", "json_object"),
                  "tools": ("tool_choice", "tools", "function")}


_OVERFLOW_WORDS = ("context length", "context window", "maximum context", "context_length_exceeded",
                   "too many tokens", "exceed")


def _context_overflow(exc: Exception) -> bool:
    """The server said the prompt does not fit the model's context (llama.cpp, vLLM and OpenAI answer 400 with
    such a message): a fact about this item's prompt, not a method the server refuses."""
    message = str(exc).lower()
    return _status(exc) in (400, 413, 422) and "token" in message and any(w in message for w in _OVERFLOW_WORDS)


def shorten_middle(text: str, marker: str = "\n[... part of the dialogue left out to fit the judge's context ...]\n"
                   ) -> str:
    """`text` at about half its length: the head (reference material) and the tail (the turn to judge) kept."""
    if len(text) < 400:
        return text[: len(text) // 2]
    keep_head, keep_tail = len(text) // 6, len(text) // 3
    return text[:keep_head] + marker + text[-keep_tail:]


def _status(exc: Exception) -> int | None:
    return getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)


def _names_the_feature(exc: Exception, method: str) -> bool:
    """A server error whose message is a request-validation complaint about this method's own field (some
    servers, e.g. llama-cpp-python's, answer an unsupported `response_format` with HTTP 500, not 400)."""
    message = str(exc).lower()
    return _status(exc) is not None and any(w in message for w in _FEATURE_WORDS[method]) and any(
        w in message for w in ("validation", "input should be", "not supported", "unsupported", "invalid"))


def _invoke(chat_model: BaseChatModel, method: str, schema: type[BaseModel], messages: list, max_tokens: int) -> Any:
    """One request with `method`."""
    kwargs: dict[str, Any] = {"max_tokens": max_tokens}
    if method == "json_schema":
        kwargs["response_format"] = {"type": "json_schema", "json_schema": {
            "name": schema.__name__, "schema": schema.model_json_schema(), "strict": True}}
    elif method == "json_mode":
        kwargs["response_format"] = {"type": "json_object"}
    elif method == "tools":
        bound = chat_model.bind_tools([schema], tool_choice=schema.__name__)
        return bound.invoke(messages, **kwargs)
    return chat_model.invoke(messages, **kwargs)


def ask_fields(chat_model: BaseChatModel, fields: dict[str, tuple[str, ...]], system: str, user: str, *,
               ladder: MethodLadder | None = None, settings: JudgeSettings | None = None,
               name: str = "Judgement") -> Outcome:
    """Ask for `fields` (each restricted to its labels) plus a reason; never raises for a bad reply.

    Transport errors, timeouts, refusals and unparseable replies are retried within the attempt budget;
    what is still missing is named in `Outcome.error`.
    """
    settings = settings or JudgeSettings()
    ladder = ladder if ladder is not None else MethodLadder(settings.method_list(), settings.give_up_after)
    schema = fields_schema(name, fields)
    messages = [SystemMessage(system + "\n\n" + reply_instruction(fields)), HumanMessage(user)]
    best: dict[str, str] = {}
    reason, used, attempts, errors = "", None, 0, []
    step = 0  # after an unparseable reply, the next attempt goes one method down (for this call only)
    shortened = 0  # times the dialogue was cut to fit the model's context
    while attempts < settings.max_attempts:
        available = ladder.available
        method = available[min(step, len(available) - 1)]
        try:
            reply = _invoke(chat_model, method, schema, messages, settings.max_tokens)
        except Exception as exc:  # noqa: BLE001  (any client error is a fact about this item, not a crash)
            if _context_overflow(exc):  # never drop a method for it: shorten this item's dialogue and retry
                attempts += 1
                errors.append(f"{method}: prompt longer than the model's context ({str(exc)[:100]})")
                messages = [messages[0], HumanMessage(shorten_middle(messages[1].content))]
                shortened += 1
                continue
            status = _refused(exc)
            if method != "plain" and (status or _names_the_feature(exc, method)):
                ladder.drop(method, f"server refused it (HTTP {status or _status(exc)})")
                continue
            attempts += 1
            errors.append(f"{method}: {type(exc).__name__}: {str(exc)[:120]}")
            ladder.failed_to_parse(method)  # a method that only ever errors is dropped like one that never parses
            step += 1
            time.sleep(settings.retry_pause_seconds)
            continue
        attempts += 1
        ladder.used[method] += 1
        values, text = parse_reply(reply if isinstance(reply, AIMessage) else AIMessage(content=str(reply)), fields)
        if len(values) > len(best):
            best, reason, used = values, text, method
        if len(best) == len(fields):
            ladder.successes[method] += 1
            break
        ladder.failed_to_parse(method)
        content = reply.content if isinstance(reply, AIMessage) else str(reply)
        errors.append(f"{method}: " + ("empty reply" if not str(content).strip() and not getattr(
            reply, "tool_calls", None) else f"no valid label in reply {str(content)[:80]!r}"))
        step += 1
    missing = [k for k in fields if k not in best]
    error = None
    if missing:
        error = f"unscored after {attempts} attempt(s): " + ("; ".join(errors[-2:]) or "no reply")
    if shortened and best:
        reason = (reason + " " if reason else "") + f"(judged on a shortened dialogue, cut {shortened}x to fit)"
    return Outcome(values=best, reason=reason, method=used, attempts=attempts, error=error)
