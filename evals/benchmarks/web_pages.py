"""Benchmark: server time of the web app's pages on the demo school.

Builds the demo school on a fresh database (`teach demo`, which prints the demo passwords), serves it with
uvicorn on 127.0.0.1 (one worker, the offline model), signs in through the form as a student and as the
teacher, then requests every main page `--rounds` times, one request at a time. Each figure is a loopback
round trip — server time plus well under a millisecond of client and socket — so it bounds server time from
above. Target (issue 13): p50 ≤ 50 ms per page.

    python -m evals.benchmarks.web_pages [--rounds 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time

import httpx

TARGET_MS = 50.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo(db_url: str) -> dict[str, str]:
    """Run `teach demo` on the database; returns {email: password}."""
    env = {**os.environ, "DATABASE_URL": db_url, "TEACH_LLM_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "api.cli", "demo"], env=env, check=True, capture_output=True,
                         text=True).stdout
    block = out.split("sign in at", 1)[1].split("API tokens", 1)[0]
    return dict(re.findall(r"^\s+(\S+@\S+)\s+(\S+)$", block, re.M))


def _serve(db_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "TEACH_LLM_OFFLINE": "1"}
    code = ("import uvicorn; uvicorn.run('api.app:create_app', factory=True, host='127.0.0.1', "
            f"port={port}, log_level='warning', access_log=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("server did not become ready")


def _signed_in(base: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text[:300]
    return client


def _first(client: httpx.Client, path: str, pattern: str) -> str:
    found = re.search(pattern, client.get(path).text)
    assert found, f"no {pattern} on {path}"
    return found.group(1)


def _pages(student: httpx.Client, teacher: httpx.Client) -> list[tuple[str, str, httpx.Client]]:
    """(label, path, client) for every main screen, with real ids from the demo school."""
    chat = _first(student, "/chat", r'href="(/chat/[0-9a-f-]{36})"')
    plan = _first(student, "/plans", r'href="(/plans/[0-9a-f-]{36})"')
    attempt = _first(student, "/practice", r'href="(/attempts/[0-9a-f-]{36})"')
    question = _first(student, "/practice", r'href="(/practice/[0-9a-f-]{36})"')
    klass = _first(teacher, "/teach", r'href="(/teach/classes/[0-9a-f-]{36})"')
    review = _first(teacher, "/reviews", r'href="(/reviews/[0-9a-f-]{36})"')
    flagged = _first(teacher, "/teach/flagged", r'href="(/chat/[0-9a-f-]{36})"')
    s, t = student, teacher
    return [("sign-in form", "/sign-in", httpx.Client(base_url=str(s.base_url))),
            ("student home", "/home", s), ("coach: sessions", "/chat", s), ("coach: one session", chat, s),
            ("practice list", "/practice", s), ("practice question", question, s), ("marks", attempt, s),
            ("study plans", "/plans", s), ("study plan", plan, s), ("account", "/account", s),
            ("teacher classes", "/teach", t), ("class roster", klass, t), ("mastery heatmap", f"{klass}/mastery", t),
            ("heatmap cell", f"{klass}/mastery/9708.2.2", t), ("flagged sessions", "/teach/flagged", t),
            ("transcript + eval flags", flagged, t), ("review queue", "/reviews", t), ("review", review, t),
            ("class plans form", f"{klass}/plans", t), ("did coaching work?", "/teach/efficiency", t)]


def main(argv: list[str] | None = None) -> int:
    """Build, serve, measure, print the table; exit 1 when a page misses the target."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args(argv)

    from tests import pg

    server = args.database_url or pg.server_url()
    template = pg.create_template(server)
    name = pg.clone_database(server, template)
    db_url = pg.with_database(server, name)
    proc = None
    try:
        passwords = _demo(db_url)
        port = _free_port()
        proc = _serve(db_url, port)
        base = f"http://127.0.0.1:{port}"
        student = _signed_in(base, "ada@demo-school.example", passwords["ada@demo-school.example"])
        teacher = _signed_in(base, "rivera@demo-school.example", passwords["rivera@demo-school.example"])
        pages = _pages(student, teacher)
        times: dict[str, list[float]] = {label: [] for label, _, _ in pages}
        for _ in range(3):  # warm-up: imports, template compilation, connection pool
            for _, path, client in pages:
                client.get(path)
        for _ in range(args.rounds):
            for label, path, client in pages:
                t0 = time.perf_counter()
                r = client.get(path)
                times[label].append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (path, r.status_code)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        pg.drop_database(server, name)
        pg.drop_database(server, template)
    print(f"{'page':<28}{'p50 ms':>9}{'p95 ms':>9}   target p50 ≤ {TARGET_MS:.0f} ms")
    missed = []
    for label, values in times.items():
        values.sort()
        p50, p95 = statistics.median(values), values[max(0, int(len(values) * 0.95) - 1)]
        missed += [label] if p50 > TARGET_MS else []
        print(f"{label:<28}{p50:>9.1f}{p95:>9.1f}   {'ok' if p50 <= TARGET_MS else 'MISSED'}")
    overall = statistics.median([v for vs in times.values() for v in vs])
    print(f"{'all pages':<28}{overall:>9.1f}{'':>9}   {len(times) - len(missed)}/{len(times)} pages meet the target")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
