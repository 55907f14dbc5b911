"""Scale-out on one machine: two API processes and two worker processes (`teach serve --no-worker`,
`teach worker`) on one PostgreSQL database.

- 50 concurrent posts to one coaching session, spread over both API instances → each stored once, in order
  (every student message followed by its own Coach reply);
- a class of 30 planned as a job; the worker running it is killed with SIGKILL mid-way → the other worker
  picks the job up again → 30 plans, one per student;
- a mock of 30 students × 5 answers marked as a job by a scripted OpenAI-compatible model (a real HTTP
  server) → every answer marked exactly once (one Marker call recorded per answer).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.llm.fake_openai_server import FakeOpenAI, Reply

TEACH = [sys.executable, "-m", "api.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """The four processes, their logs, and a way to kill one."""

    def __init__(self, db_url: str, tmp: Path, llm_url: str) -> None:
        self.db_url, self.tmp = db_url, tmp
        self.env = {**os.environ, "DATABASE_URL": db_url, "OPENAI_BASE_URL": llm_url, "OPENAI_API_KEY": "x",
                    "TEACH_LLM_MAX_ATTEMPTS": "1", "TEACH_LOG_FORMAT": "json",
                    # The scripted model only speaks marking JSON, so the planner's and Coach's calls to it
                    # fail and open their breaker; the Marker's own model name keeps its breaker separate.
                    "TEACH_LLM_MARKER_MODEL": "scripted-marker",
                    # this test is about serialisation across instances, not quotas (tested on their own)
                    "TEACH_QUOTA_STUDENT_TURNS_PER_MINUTE": "0", "TEACH_QUOTA_STUDENT_SESSIONS_PER_HOUR": "0",
                    "TEACH_JOBS_HEARTBEAT_SECONDS": "0.5", "TEACH_JOBS_STALLED_AFTER_SECONDS": "3",
                    "TEACH_JOBS_RECOVER_EVERY_SECONDS": "0.5", "TEACH_JOBS_POLL_SECONDS": "0.2",
                    "TEACH_JOBS_ITEM_CONCURRENCY": "2", "TEACH_DB_POOL_SIZE": "5", "TEACH_DB_MAX_OVERFLOW": "10"}
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports: list[int] = []

    def start(self) -> None:
        for i in range(2):
            port = _free_port()
            self.ports.append(port)
            self._spawn(f"api{i}", [*TEACH, "serve", "--no-worker", "--port", str(port)])
        for i in range(2):
            self._spawn(f"worker{i}", [*TEACH, "worker"])

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 — closed with the process
        self.procs[name] = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=Path(__file__).resolve().parents[2])

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.urls())
        while pending or self._workers() < 2:
            for name, proc in self.procs.items():
                assert proc.poll() is None, f"{name} exited:\n{self.log(name)[-3000:]}"
            for url in list(pending):
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        pending.discard(url)
                except httpx.HTTPError:
                    pass
            assert time.monotonic() < deadline, f"not ready: {pending}, workers {self._workers()}"
            time.sleep(0.3)

    def _workers(self) -> int:
        with psycopg.connect(self.db_url) as conn:
            return conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0]

    def worker_running(self, job_id: str) -> str | None:
        """Which worker process logged that it started the job."""
        for name in ("worker0", "worker1"):
            for line in self.log(name).splitlines():
                if line.startswith("{") and f"job {job_id} started on" in json.loads(line).get("msg", ""):
                    return name
        return None

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(timeout=10)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def cluster(db_url: str, tmp_path: Path):  # noqa: ANN201
    llm = FakeOpenAI()
    # The scripted model: every call gets the same valid structured marking (0 marks, sure of itself).
    llm.default = Reply(text=json.dumps({"AO1": 0, "AO2": 0, "AO3": 0, "points": [], "feedback": "Scripted.",
                                         "certainty": 0.9}))
    llm.start()
    c = Cluster(db_url, tmp_path, llm.base_url)
    c.llm = llm  # type: ignore[attr-defined]
    c.start()
    try:
        c.wait_ready()
        yield c
    finally:
        c.stop()
        llm.stop()


async def _accounts(db_url: str, *, students: int) -> tuple[dict, list[dict], str]:
    """A teacher, `students` students in one 9708 class; returns (teacher, students, class id) with tokens."""
    from db.engine import create_engine, session_factory
    from db.repo.accounts import add_class_member, create_account, create_class, issue_token
    from db.repo.curriculum import get_subject_by_code

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as db:
            subject = await get_subject_by_code(db, code="9708")
            t = await create_account(db, email=f"t-{uuid.uuid4().hex[:6]}@x.org", display_name="T", role="teacher")
            klass = await create_class(db, name="scale", subject_id=subject.id, teacher_id=t.id)
            teacher = {"id": str(t.id), "headers": {"Authorization": f"Bearer {await issue_token(db, account_id=t.id)}"}}
            out = []
            for i in range(students):
                s = await create_account(db, email=f"s{i}-{uuid.uuid4().hex[:6]}@x.org", display_name=f"S{i}",
                                         role="student")
                await add_class_member(db, class_id=klass.id, student_id=s.id)
                out.append({"id": str(s.id),
                            "headers": {"Authorization": f"Bearer {await issue_token(db, account_id=s.id)}"}})
            await db.commit()
            return teacher, out, str(klass.id)
    finally:
        await engine.dispose()


async def _wait_job(client: httpx.AsyncClient, url: str, headers: dict, *, until=None, timeout: float = 120) -> dict:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while True:
        body = (await client.get(url, headers=headers)).json()
        if body["status"] in ("succeeded", "failed", "cancelled") or (until and until(body)):
            return body
        assert time.monotonic() < deadline, f"job stuck: {body['status']} {body['progress']}"
        await asyncio.sleep(0.05)


async def test_two_apis_two_workers_one_database(cluster: Cluster, db_url: str) -> None:
    teacher, students, class_id = await _accounts(db_url, students=30)
    api_a, api_b = cluster.urls()
    async with httpx.AsyncClient(timeout=120) as client:
        # 1. Fifty concurrent posts to one session, alternating between the two instances.
        ada = students[0]
        r = await client.post(f"{api_a}/v1/coaching-sessions", json={"topic": "price elasticity of demand"},
                              headers=ada["headers"])
        assert r.status_code == 201, r.text
        session_id = r.json()["id"]
        # Questions keep a session open (the Coach never closes on a question), so all fifty are taken.
        texts = [f"why does demand change when the price changes? (question {i})" for i in range(50)]
        replies = await asyncio.gather(*(
            client.post(f"{(api_a, api_b)[i % 2]}/v1/coaching-sessions/{session_id}/messages",
                        json={"content": t}, headers=ada["headers"]) for i, t in enumerate(texts)))
        assert [r.status_code for r in replies] == [200] * 50, [r.text for r in replies if r.status_code != 200][:2]
        transcript = (await client.get(f"{api_b}/v1/coaching-sessions/{session_id}",
                                       headers=ada["headers"])).json()["session_transcript"]
        said = [e["content"] for e in transcript if e["role"] == "student"]
        assert sorted(said) == sorted(texts)  # each stored once
        roles = [e["role"] for e in transcript]
        first = roles.index("student")
        assert roles[first:] == ["student", "coach"] * 50  # in order: each message answered before the next

        # 2. A class of 30 planned as a job; the worker running it is killed mid-way.
        exam = (__import__("datetime").date.today() + timedelta(days=60)).isoformat()
        r = await client.post(f"{api_a}/v1/jobs/class-plans", headers=teacher["headers"], json={
            "class_ids": [class_id], "subject_code": "9708", "exam_date": exam, "hours_per_day": 2})
        assert r.status_code == 202, r.text
        job_url = f"{api_b}/v1/jobs/{r.json()['id']}"
        started = await _wait_job(client, job_url, teacher["headers"],
                                  until=lambda b: b["progress"]["done"] >= 2 and cluster.worker_running(b["id"]))
        victim = cluster.worker_running(started["id"])
        assert victim is not None, "the job finished before a worker could be killed"
        cluster.kill(victim)
        at_kill = (await client.get(job_url, headers=teacher["headers"])).json()["progress"]["done"]
        assert at_kill < 30, "the job finished before the kill: nothing was recovered"
        done = await _wait_job(client, job_url, teacher["headers"])
        assert done["status"] == "succeeded" and done["progress"]["done"] == 30, done["progress"]
        survivor = "worker1" if victim == "worker0" else "worker0"
        assert cluster.worker_running(done["id"]) in (victim, survivor)
        assert f"job {done['id']} started on" in cluster.log(survivor)  # the other worker finished it
        with psycopg.connect(db_url) as conn:
            per_student = dict(conn.execute("SELECT student_id::text, count(*) FROM study_plans GROUP BY 1"))
        assert per_student == {s["id"]: 1 for s in students}

        # 3. A mock exam: 30 students × 5 answers, marked by the scripted model as one job.
        with psycopg.connect(db_url) as conn:
            qids = [str(q) for (q,) in conn.execute("SELECT id FROM questions ORDER BY ref LIMIT 5")]
        subs = [{"student_id": s["id"], "subject_code": "9708",
                 "answers": [{"question_id": q, "answer": f"student {i} answer {k}: demand is elastic"}
                             for k, q in enumerate(qids)]} for i, s in enumerate(students)]
        r = await client.post(f"{api_b}/v1/jobs/markings", json={"submissions": subs}, headers=teacher["headers"])
        assert r.status_code == 202, r.text
        done = await _wait_job(client, f"{api_a}/v1/jobs/{r.json()['id']}", teacher["headers"])
        assert done["status"] == "succeeded" and done["progress"]["done"] == 30, done["progress"]
    with psycopg.connect(db_url) as conn:
        marked = conn.execute("SELECT count(*) FROM attempted_questions WHERE marks_awarded IS NOT NULL").fetchone()[0]
        calls = Counter(dict(conn.execute(
            "SELECT thread_id, count(*) FROM llm_calls WHERE agent = 'marker' GROUP BY thread_id")))
        assert marked == 150
        assert len(calls) == 30 and set(calls.values()) == {5}  # one Marker call per answer, none repeated
        models = {m for (m,) in conn.execute("SELECT DISTINCT model FROM llm_calls WHERE agent = 'marker'")}
    assert "offline" not in models and models  # marked by the scripted model over HTTP, not the fallback
