"""A real `uvicorn` process serving the app on a test database, for tests that kill, stop or disconnect.

In-process ASGI clients cannot show what a crash, a SIGTERM or a dropped TCP connection does; this runs the
same app as `teach serve` (uvicorn, `api.app:create_app`) in a subprocess on 127.0.0.1 with its own port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`start()`, then talk to `url`; `kill()` is kill -9, `terminate()` is SIGTERM (graceful)."""

    def __init__(self, db_url: str, env: dict[str, str] | None = None, port: int | None = None) -> None:
        self.db_url = db_url
        self.port = port or free_port()
        self.env = {**os.environ, "DATABASE_URL": db_url, "TEACH_LLM_OFFLINE": "1", **(env or {})}
        if env and "OPENAI_BASE_URL" in env:
            self.env.pop("TEACH_LLM_OFFLINE", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = REPO / ".teach" / f"live-server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> LiveServer:
        """Start the process and wait until /healthz answers."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--timeout-graceful-shutdown", "30"],
            cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start in {timeout} s; see {self.log}")

    def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()
