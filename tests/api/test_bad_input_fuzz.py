"""Bad input over HTTP, fuzzed: every route in the OpenAPI schema, called by a user of the right role with
junk bodies, malformed path and query parameters, wrong content types and empty bodies, answers with a 4xx
error envelope (`field` named on 422) — never a 5xx — and a rejected request leaves every table as it was.

The school is the demo school (`teach demo`'s builder), so path parameters name real rows and the fuzz
reaches the checks that run after a row is loaded.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.fuzz_school import School, school_fixture  # noqa: F401  (the `school` fixture)
from tests.api.fuzz_support import (
    Route,
    assert_error_envelope,
    bad_path_value,
    bad_query,
    dumps,
    fingerprint,
    get_at,
    json_junk,
    leaf_paths,
    mutated,
    set_at,
    surely_invalid,
)

FUZZ = settings(max_examples=12, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _ids(routes: list[tuple[str, str]]) -> list[str]:
    return [f"{m} {p}" for m, p in routes]


ALL = [("POST", "/v1/attempts"), ("GET", "/v1/attempts/{attempt_id}"), ("POST", "/v1/classes"),
       ("GET", "/v1/classes/{class_id}"), ("POST", "/v1/classes/{class_id}/members"),
       ("POST", "/v1/coaching-sessions"), ("GET", "/v1/coaching-sessions"),
       ("POST", "/v1/coaching-sessions/{session_id}/messages"), ("GET", "/v1/coaching-sessions/{session_id}"),
       ("POST", "/v1/coaching-sessions/{session_id}/outcome"),
       ("POST", "/v1/customers/{customer}/profiles/{profile}/coachingEfficiencyStats:retrieve"),
       ("POST", "/v1/evals/transcripts:score"), ("GET", "/v1/evals/sessions/counts"), ("GET", "/healthz"), ("GET", "/readyz"),
       ("GET", "/v1/improvement-plans/{plan_id}"), ("PATCH", "/v1/improvement-plans/{plan_id}/progress"),
       ("GET", "/v1/reviews"), ("POST", "/v1/reviews/{attempted_question_id}"), ("GET", "/v1/me"),
       ("GET", "/v1/students/{student_id}"), ("POST", "/v1/study-plans"),
       ("POST", "/v1/classes/{class_id}/study-plans"), ("GET", "/v1/study-plans/{plan_id}"),
       ("PATCH", "/v1/study-plans/{plan_id}"), ("POST", "/v1/study-plans/{plan_id}/days/{day}/complete"),
       ("GET", "/v1/classes"), ("DELETE", "/v1/classes/{class_id}/members/{student_id}"),
       ("POST", "/v1/classes/{class_id}/invite-code"), ("GET", "/v1/classes/{class_id}/membership-events"),
       ("POST", "/v1/class-invites/accept"), ("GET", "/v1/invitations"),
       ("POST", "/v1/invitations/{invitation_id}/accept"), ("POST", "/v1/invitations/{invitation_id}/decline"),
       ("GET", "/v1/tokens"), ("POST", "/v1/tokens"), ("DELETE", "/v1/tokens/{token_id}"), ("GET", "/metrics"),
       ("POST", "/v1/jobs/class-plans"), ("POST", "/v1/jobs/markings"), ("POST", "/v1/jobs/eval-runs"),
       ("POST", "/v1/jobs/session-judgements"),
       ("GET", "/v1/jobs"), ("GET", "/v1/jobs/{job_id}"), ("POST", "/v1/jobs/{job_id}/cancel"),
       ("GET", "/v1/me/home"), ("GET", "/v1/classes/{class_id}/mastery"), ("GET", "/v1/classes/{class_id}/mastery/{code}"),
       ("GET", "/v1/flagged-sessions"), ("GET", "/v1/classes/{class_id}/spend"),
       ("GET", "/v1/students/{student_id}/spend")]
NO_BODY = {("POST", "/v1/classes/{class_id}/invite-code"), ("POST", "/v1/invitations/{invitation_id}/accept"),
           ("POST", "/v1/invitations/{invitation_id}/decline")}
WITH_BODY = [r for r in ALL if r[0] in ("POST", "PATCH") and r not in NO_BODY]
WITH_PATH = [r for r in ALL if "{" in r[1]]
WITH_QUERY = [("GET", "/v1/coaching-sessions"), ("GET", "/v1/reviews")]


def _route(school: School, key: tuple[str, str]) -> Route:
    return next(r for r in school.routes if (r.method, r.path) == key)


async def test_the_fuzz_covers_every_route_in_the_openapi_schema(school: School) -> None:
    spec = (await school.client.get("/openapi.json")).json()
    operations = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert operations == set(ALL) == {(r.method, r.path) for r in school.routes}


@pytest.mark.parametrize("key", WITH_BODY, ids=_ids(WITH_BODY))
@FUZZ
@given(data=st.data())
async def test_surely_invalid_bodies_are_rejected_and_write_nothing(school: School, key: tuple[str, str],
                                                                    data: st.DataObject) -> None:
    route = _route(school, key)
    body = data.draw(surely_invalid(route.body or {}, route.required), label="body")
    await school.rejected_without_writes(route, content=dumps(body))


@pytest.mark.parametrize("key", WITH_BODY, ids=_ids(WITH_BODY))
@FUZZ
@given(data=st.data())
async def test_mutated_bodies_never_500(school: School, key: tuple[str, str], data: st.DataObject) -> None:
    route = _route(school, key)
    body = data.draw(mutated(route.body or {}), label="body")
    await school.never_500(route, content=dumps(body))


@pytest.mark.parametrize("key", WITH_PATH, ids=_ids(WITH_PATH))
@FUZZ
@given(data=st.data())
async def test_malformed_path_params_are_rejected(school: School, key: tuple[str, str], data: st.DataObject) -> None:
    route = _route(school, key)
    param = data.draw(st.sampled_from(sorted(route.params)), label="param")
    value = data.draw(bad_path_value(param), label="value")
    body = dumps(route.body) if route.body is not None else None
    await school.rejected_without_writes(route, url=route.url(**{param: value}), content=body)


@pytest.mark.parametrize("key", WITH_PATH, ids=_ids(WITH_PATH))
async def test_slash_as_path_param_is_an_error_not_a_redirect(school: School, key: tuple[str, str]) -> None:
    """A path parameter that decodes to `/` once got Starlette's 307 slash redirect instead of an error."""
    route = _route(school, key)
    body = dumps(route.body) if route.body is not None else None
    for param in sorted(route.params):
        await school.rejected_without_writes(route, url=route.url(**{param: "/"}), content=body)


@pytest.mark.parametrize("key", WITH_QUERY, ids=_ids(WITH_QUERY))
@settings(FUZZ, max_examples=40)  # GETs are cheap; the out-of-range values need more draws to come up
@given(data=st.data())
async def test_bad_query_params_never_500(school: School, key: tuple[str, str], data: st.DataObject) -> None:
    route = _route(school, key)
    query = data.draw(bad_query(route.query).filter(bool), label="query")
    await school.never_500(route, query=query)


_RAW = st.one_of(st.just(b""), st.binary(max_size=64), json_junk.map(dumps).map(lambda b: b[:-1] or b"{"),
                st.just(b'{"a": 1, "a": '), st.just(b"\xff\xfe{}"))
_CTYPE = st.sampled_from([None, "application/json", "text/plain", "application/x-www-form-urlencoded",
                          "multipart/form-data", "application/xml", "application/json; charset=latin-1"])


@pytest.mark.parametrize("key", ALL, ids=_ids(ALL))
@FUZZ
@given(content=_RAW, content_type=_CTYPE,
       query=st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2))
async def test_wrong_content_types_and_raw_junk_never_500(school: School, key: tuple[str, str], content: bytes,
                                                          content_type: str | None, query: dict[str, str]) -> None:
    route = _route(school, key)
    r = await school.never_500(route, content=content, content_type=content_type, query=query)
    if route.body is not None:
        assert r.status_code >= 400  # a body route given no JSON object must refuse


@pytest.mark.parametrize("key", WITH_BODY, ids=_ids(WITH_BODY))
async def test_valid_json_as_text_plain_is_refused_with_the_field(school: School, key: tuple[str, str]) -> None:
    route = _route(school, key)
    r = await school.rejected_without_writes(route, content=dumps(route.body), content_type="text/plain")
    assert r.status_code in (415, 422)


@pytest.mark.parametrize("key", WITH_BODY, ids=_ids(WITH_BODY))
async def test_a_json_body_that_is_not_an_object_names_the_body(school: School, key: tuple[str, str]) -> None:
    route = _route(school, key)
    for body in ([route.body], "text", 7, None, True):
        r = await school.rejected_without_writes(route, content=dumps(body))
        assert r.status_code == 422 and r.json()["error"]["field"] == "body", r.text


@pytest.mark.parametrize("key", WITH_BODY, ids=_ids(WITH_BODY))
async def test_a_body_of_several_megabytes_is_413(school: School, key: tuple[str, str]) -> None:
    route = _route(school, key)
    big = dumps({**(route.body or {}), "padding": "x" * 6_000_000})
    r = await school.rejected_without_writes(route, content=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


async def test_an_idempotency_key_longer_than_allowed_is_422_naming_the_header(school: School) -> None:
    route = _route(school, ("POST", "/v1/coaching-sessions/{session_id}/messages"))
    r = await school.rejected_without_writes(route, content=dumps(route.body),
                                             extra_headers={"Idempotency-Key": "k" * 201})
    assert r.status_code == 422 and r.json()["error"]["field"].lower() == "idempotency-key"


# Regressions: one focused test per defect the fuzz found (each failed before its fix).

@pytest.mark.parametrize("key", WITH_BODY, ids=_ids(WITH_BODY))
async def test_an_unknown_key_is_422_naming_it_instead_of_being_dropped(school: School, key: tuple[str, str]) -> None:
    route = _route(school, key)  # e.g. "feedbak" for "feedback": the reviewer's words must not vanish
    r = await school.rejected_without_writes(route, content=dumps({**(route.body or {}), "feedbak": "x"}))
    assert r.status_code == 422 and r.json()["error"]["field"] == "feedbak"


@pytest.mark.parametrize("key", WITH_BODY, ids=_ids(WITH_BODY))
@pytest.mark.parametrize("bad", ["\x00", "\ud800"], ids=["nul", "lone-surrogate"])
async def test_text_the_database_cannot_store_is_422_naming_the_field(school: School, key: tuple[str, str],
                                                                      bad: str) -> None:
    route = _route(school, key)  # before: a 500 from PostgreSQL (or a 503 claiming the message was saved)
    for path in leaf_paths(route.body or {}):
        value = get_at(route.body, path)
        if not isinstance(value, str):
            continue
        body = json.loads(json.dumps(route.body))
        set_at(body, path, value + bad)
        r = await school.rejected_without_writes(route, content=dumps(body))
        assert r.status_code == 422, r.text
        assert str(path[0]) == r.json()["error"]["field"].split(".")[0], (path, r.text)


async def test_a_grade_keyed_by_text_the_database_cannot_store_is_422(school: School) -> None:
    route = _route(school, ("POST", "/v1/study-plans/{plan_id}/days/{day}/complete"))
    r = await school.rejected_without_writes(route, content=dumps({"grades": {"9708.2.2\x00": 3}}))
    assert r.status_code == 422 and r.json()["error"]["field"].startswith("grades")


@pytest.mark.parametrize("key", WITH_QUERY, ids=_ids(WITH_QUERY))
async def test_an_offset_past_the_database_bigint_is_422_naming_offset(school: School, key: tuple[str, str]) -> None:
    route = _route(school, key)  # before: OFFSET 10**20 reached PostgreSQL and failed with a 500
    r = await school.rejected_without_writes(route, query={"offset": str(10**20)})
    assert r.status_code == 422 and r.json()["error"]["field"] == "offset"


@pytest.mark.parametrize("key", WITH_QUERY, ids=_ids(WITH_QUERY))
async def test_a_query_parameter_given_twice_is_422_naming_it(school: School, key: tuple[str, str]) -> None:
    route = _route(school, key)  # before: FastAPI kept the last value and the request was half-read
    r = await school.rejected_without_writes(route, url=route.url() + "?offset=0&offset=0")
    assert r.status_code == 422 and r.json()["error"]["field"] == "offset"


@pytest.mark.parametrize(("start", "end", "field"), [
    ("0001-01-01T00:00:00+14:00", "2020-01-01T00:00:00Z", "filterByTimeRange.startTime"),
    ("2020-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "filterByTimeRange.endTime"),
])
async def test_a_time_outside_the_utc_calendar_is_422_naming_it(school: School, start: str, end: str,
                                                                field: str) -> None:
    route = _route(school, ("POST", "/v1/customers/{customer}/profiles/{profile}/coachingEfficiencyStats:retrieve"))
    body = {**(route.body or {}), "filterByTimeRange": {"startTime": start, "endTime": end}}
    r = await school.rejected_without_writes(route, content=dumps(body))  # before: a 500 from asyncpg
    assert r.status_code == 422 and r.json()["error"]["field"] == field


@pytest.mark.parametrize("key", WITH_BODY, ids=_ids(WITH_BODY))
async def test_invalid_json_names_the_body_not_a_character_offset(school: School, key: tuple[str, str]) -> None:
    r = await school.rejected_without_writes(_route(school, key), content=b'{"topic": "elasticity",')
    err = r.json()["error"]
    assert r.status_code == 422 and err["field"] == "body" and "not valid JSON" in err["message"]


async def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(school: School) -> None:
    route = _route(school, ("POST", "/v1/coaching-sessions"))

    async def chunks():  # noqa: ANN202  (no Content-Length: the middleware must count)
        yield b'{"topic": "'
        for _ in range(50):
            yield b"x" * 100_000

    before = await fingerprint(school.app.state.engine)
    r = await school.client.post(route.url(), content=chunks(), headers={
        **school.headers(route.who), "Content-Type": "application/json"})
    assert r.status_code == 413 and assert_error_envelope(r)["code"] == "payload_too_large"
    assert await fingerprint(school.app.state.engine) == before
