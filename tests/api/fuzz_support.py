"""Support for the bad-input fuzz tests: a populated school, the route table, junk strategies, the error
envelope check and a fingerprint of every table (to prove a rejected request wrote nothing)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import strategies as st
from sqlalchemy import text

from tools.efficiency import ID_PATTERN

JUNK_KEY_PREFIX = "x-junk-"

# Text that databases, JSON encoders and parsers trip over: NUL, lone surrogates, RTL marks, emoji, etc.
NASTY_STRINGS = ["\x00", "a\x00b", "\ud800", "x\udfffy", "\u202e\u0000", "💥" * 50, "' OR 1=1 --", "%00", "\\u0000",
                 "null", "{}", " ", "\t\n", "../../etc/passwd", "Ω≈ç√∫˜µ≤≥÷"]
# Values at the edges of what Python and PostgreSQL can represent.
EXTREMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01", "9999-12-31", 2**63, -(2**63) - 1,
            10**30, 1e308, -1e-308, 0, -1]
nasty_text = st.one_of(st.sampled_from(NASTY_STRINGS), st.text(max_size=40))
huge_text = st.sampled_from([10_001, 100_000, 300_000]).map(lambda n: "é" * n)

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                        st.floats(allow_nan=False, allow_infinity=False), nasty_text)
json_junk = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
non_object = json_junk.filter(lambda v: not isinstance(v, dict))
# A value no request field accepts: an object whose keys no model declares and whose values are lists.
poison = st.dictionaries(st.text(max_size=8).map(lambda k: JUNK_KEY_PREFIX + k),
                         st.lists(json_junk, min_size=1, max_size=3), min_size=1, max_size=3)


def leaf_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position in a JSON value (objects and lists included) as a key/index path."""
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            paths += leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            paths += leaf_paths(item, (*prefix, i))
    return paths


def _replacement(valid: Any) -> st.SearchStrategy[Any]:
    """A value to put where `valid` was: nasty or huge text (alone or appended), null, junk, a poison object."""
    options = [st.none(), json_junk, nasty_text, huge_text, poison, st.sampled_from(NASTY_STRINGS),
               st.sampled_from(EXTREMES)]
    if isinstance(valid, str):
        options.append(st.sampled_from(NASTY_STRINGS).map(lambda bad: valid + bad))
    return st.one_of(*options)


_DROP = object()


def set_at(body: Any, path: tuple[Any, ...], value: Any, *, rename: bool = False) -> None:
    *parents, last = path
    for key in parents:
        body = body[key]
    if rename and isinstance(body, dict):
        body[value] = body.pop(last)
    elif value is _DROP:
        body.pop(last) if isinstance(body, dict) else body.__delitem__(last)
    else:
        body[last] = value


@st.composite
def mutated(draw: st.DrawFn, example: dict[str, Any]) -> dict[str, Any]:
    """The valid example with one or two positions replaced, dropped or (object keys) renamed to nasty text,
    the rest left valid so the bad part reaches as deep into the handler as it can."""
    body = json.loads(json.dumps(example))
    paths = leaf_paths(body)
    if not paths:
        return body
    chosen = draw(st.lists(st.sampled_from(paths), min_size=1, max_size=2, unique=True))
    for path in sorted(chosen, key=len, reverse=True):  # deepest first, so a parent edit cannot orphan it
        try:
            parent_is_dict = isinstance(get_at(body, path[:-1]), dict)
            action = draw(st.sampled_from(["replace", "replace", "replace", "drop"] +
                                          (["rename"] if parent_is_dict else [])))
            if action == "drop":
                set_at(body, path, _DROP)
            elif action == "rename":
                set_at(body, path, str(path[-1]) + draw(st.sampled_from(NASTY_STRINGS)), rename=True)
            else:
                set_at(body, path, draw(_replacement(get_at(body, path))))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this position
    return body


def get_at(body: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        body = body[key]
    return body


@st.composite
def surely_invalid(draw: st.DrawFn, example: dict[str, Any], required: list[str]) -> Any:
    """A body no endpoint may accept: not an object, a poisoned field, an unknown key, or a required field
    missing (the rest of the body stays valid, so only that defect can explain the rejection)."""
    kinds = ["not_object", "poisoned", "extra_key"] + (["missing"] if required else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "not_object":
        return draw(non_object)
    body = dict(example)
    if kind == "poisoned" and body:
        body[draw(st.sampled_from(sorted(body)))] = draw(poison)
    elif kind == "missing":
        body.pop(draw(st.sampled_from(required)), None)
    else:
        body[JUNK_KEY_PREFIX + draw(st.text(max_size=8))] = draw(json_junk)
    return body


def bad_path_value(param: str) -> st.SearchStrategy[str]:
    """Path values that must not resolve: not-a-uuid, very long, unicode, negative or huge numbers."""
    base = [st.text(min_size=1, max_size=30), st.sampled_from(NASTY_STRINGS[1:]), st.just("x" * 10_000),
            st.integers(max_value=0).map(str), st.integers(min_value=10**7).map(str),
            st.uuids().map(str)]  # well-formed but no such row
    if param == "profile":  # must not match the profile id pattern
        return st.one_of(st.text(min_size=1, max_size=20).map(lambda t: t + " "), st.sampled_from(NASTY_STRINGS),
                         st.just("p" * 129)).filter(lambda t: not ID_PATTERN.match(t) and t.strip(" ") not in
                                                    ("", ".", ".."))
    if param == "customer":
        base = [st.text(min_size=1, max_size=30).filter(lambda t: t != "demo-school"), st.just("x" * 10_000)]
    if param == "day":
        base = [st.integers(max_value=0).map(str), st.integers(min_value=10**7).map(str),
                st.text(min_size=1, max_size=20).filter(lambda s: not s.strip().isdigit()), st.just("1.5"),
                st.just("1e3"), st.just("٣")]
    return st.one_of(*base).filter(lambda s: s.strip(" ") not in ("", ".", ".."))


def bad_query(params: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Query strings with wrong types and out-of-range values for the route's query parameters."""
    junk = st.one_of(st.text(max_size=20), st.sampled_from(["-1", "0", "101", "1e9", "9" * 30, "2.5", "true",
                                                           "not-a-uuid", "\x00", "in_progress'"]),
                     st.sampled_from(EXTREMES).map(str))
    return st.fixed_dictionaries({}, optional={p: junk for p in params})


@dataclass
class Route:
    """One operation: who may call it, a valid body, real values for its path parameters."""

    method: str
    path: str
    who: str
    params: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    required: list[str] = field(default_factory=list)
    query: list[str] = field(default_factory=list)

    def url(self, **override: str) -> str:
        values = {**self.params, **override}
        out = self.path
        for name, value in values.items():
            out = out.replace("{" + name + "}", quote(value.encode("utf-8", "surrogatepass"), safe=""))
        return out


def assert_error_envelope(r: httpx.Response) -> dict[str, Any]:
    """A 4xx with `{"error": {code, message, field?}}`, `field` present on 422, and no traceback."""
    assert 400 <= r.status_code < 500, f"{r.status_code}: {r.text[:400]}"
    assert "Traceback" not in r.text
    body = r.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    err = body["error"]
    assert set(err) <= {"code", "message", "field"}, err
    assert isinstance(err["code"], str) and err["code"], err
    assert isinstance(err["message"], str) and err["message"], err
    if r.status_code == 422:
        assert isinstance(err.get("field"), str) and err["field"], err
    return err


def assert_not_a_server_error(r: httpx.Response) -> None:
    """Whatever the input, never a 5xx; an error is always the envelope."""
    if r.status_code >= 400:
        assert_error_envelope(r)


async def fingerprint(engine: Any) -> dict[str, tuple[int, str]]:
    """(row count, content hash) of every table: equal fingerprints mean nothing was written.

    The workflow's checkpoint tables only ever gain rows, so their count is enough (hashing their blobs
    would dominate the run time)."""
    async with engine.connect() as conn:
        tables = (await conn.execute(text(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"))).all()
        parts = []
        for schema, name in tables:
            digest = "''" if name.startswith("checkpoint") else \
                "coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '')"
            parts.append(f"SELECT '{schema}.{name}', count(*), {digest} FROM \"{schema}\".\"{name}\" t")
        rows = (await conn.execute(text(" UNION ALL ".join(parts)))).all()
    return {name: (count, digest) for name, count, digest in rows}


def dumps(value: Any) -> bytes:
    """JSON bytes for any generated value (lone surrogates pass through as escapes, as a client may send)."""
    return json.dumps(value, allow_nan=False).encode()

