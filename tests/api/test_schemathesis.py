"""schemathesis over every operation of the OpenAPI schema, as a student and as a teacher, with every check on:
no server error, no undocumented status, no response that breaks its documented schema (and the rest of
schemathesis's checks: content types, headers, auth that is not ignored, 405 with Allow, …).

The app runs as `teach serve` does (uvicorn in a subprocess, tests/live_server.py) on the demo school's own
PostgreSQL database (tests/api/fuzz_school.py), so path parameters can name real rows and every check that
re-sends a request reaches the same server. Examples are bounded so the whole module takes a few minutes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.api.fuzz_school import School, school_fixture  # noqa: F401  (the `school` fixture)
from tests.figures import record
from tests.live_server import LiveServer

MAX_EXAMPLES = 8

# Rules the service enforces that JSON Schema cannot say, so a body valid by the schema may still be a 422
# naming the field: text PostgreSQL cannot store (a NUL character; every text field), a code that must name a
# row of the curriculum (subject, syllabus point), a date that must be in the future, "exactly one of a or b",
# an interval whose end must follow its start, a non-empty persona list, a judge only when an LLM is
# configured. For these operations schemathesis's positive-data check also accepts that 422; every other
# check — and every other operation — is as schemathesis ships it.
STATEFUL_RULES = [
    "POST /v1/attempts", "POST /v1/classes", "POST /v1/classes/{class_id}/members", "POST /v1/coaching-sessions",
    "POST /v1/coaching-sessions/{session_id}/messages", "POST /v1/evals/transcripts:score",
    "GET /v1/evals/sessions/counts", "POST /v1/jobs/class-plans", "POST /v1/jobs/markings",
    "POST /v1/jobs/eval-runs", "POST /v1/jobs/session-judgements", "POST /v1/reviews/{attempted_question_id}",
    "POST /v1/study-plans", "POST /v1/classes/{class_id}/study-plans", "PATCH /v1/study-plans/{plan_id}",
    "POST /v1/study-plans/{plan_id}/days/{day}/complete", "PATCH /v1/improvement-plans/{plan_id}/progress",
    "POST /v1/tokens", "POST /v1/class-invites/accept", "POST /v1/jobs/{job_id}/cancel",
    "POST /v1/customers/{customer}/profiles/{profile}/coachingEfficiencyStats:retrieve",
    "POST /v1/coaching-sessions/{session_id}/outcome",
]
POSITIVE_ALSO_422 = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

CONFIG = SchemathesisConfig.from_dict({
    "checks": {"enabled": True},  # every check, not only not_a_server_error
    "generation": {"max-examples": MAX_EXAMPLES},
    # Stateful runs chain operations over links the schema does not declare; the per-operation phases
    # (examples, coverage, fuzzing) are what the issue asks for, and what fits the time.
    "phases": {"stateful": {"enabled": False}},
    "operations": [{"include-name": name,
                    "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_ALSO_422}}}
                   for name in STATEFUL_RULES],
})


def _spec() -> dict:
    from api.app import create_app

    return create_app().openapi()


schema = schemathesis.openapi.from_dict(_spec(), config=CONFIG)


@pytest.fixture(scope="module")
def live(school: School) -> Iterator[LiveServer]:  # noqa: F811
    """`teach serve` on the demo school's database."""
    with LiveServer(school.db_url) as server:
        yield server




@pytest.fixture(scope="module")
def tokens(school: School) -> dict[str, str]:  # noqa: F811
    return {who: school.tokens[name] for who, name in (("student", "ada"), ("teacher", "teacher"))}



def test_every_operation_of_the_schema_is_exercised() -> None:
    spec = _spec()
    operations = {f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops}
    assert operations == {op.ok().label for op in schema.get_all_operations()}
    assert set(STATEFUL_RULES) <= operations  # the 422 allowance names real operations only


@pytest.mark.parametrize("who", ["student", "teacher"])
@schema.parametrize()
def test_every_operation_passes_every_check(case, who: str, live: LiveServer, tokens: dict[str, str]) -> None:  # noqa: ANN001
    case.call_and_validate(base_url=live.url, headers={"Authorization": f"Bearer {tokens[who]}"})
    record(f"schemathesis.cases.{who}", 1)


def test_every_error_response_is_the_envelope_and_429_503_carry_retry_after() -> None:
    spec = _spec()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert "422" in op["responses"], (method, path)
            for code, response in op["responses"].items():
                if int(code) >= 400:
                    schema_ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert schema_ref == "#/components/schemas/Error", (method, path, code)
                if code in ("429", "503"):
                    assert "Retry-After" in response["headers"], (method, path, code)
