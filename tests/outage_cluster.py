"""A PostgreSQL cluster of the test's own (never the machine's shared server) that tests may stop and start.

Built with the embedded `pgserver` binaries in a data directory under `.teach/`, listening only on a Unix
socket in that directory, so stopping it touches nothing else. `stop()` is `pg_ctl stop -m fast` (every
connection is cut, as in a real outage or restart) and `start()` brings it back on the same socket.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class OutageCluster:
    """A dedicated cluster: `url` (libpq), `stop()`, `start()`, `close()`."""

    def __init__(self, name: str = "pgdata-outage") -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

        self.pgdata = REPO / ".teach" / name
        shutil.rmtree(self.pgdata, ignore_errors=True)
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(self.pgdata, cleanup_mode="delete")
        self.url: str = self._server.get_uri()

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(list(args), pgdata=self.pgdata, user=self._server.system_user, timeout=30)

    def stop(self) -> None:
        """Stop the server now, cutting every connection."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        """Start it again on the same socket."""
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.pgdata}", "-l", str(self.pgdata / "log"), "start")

    def close(self) -> None:
        """Stop the server and delete its data."""
        try:
            self._server.cleanup()
        finally:
            shutil.rmtree(self.pgdata, ignore_errors=True)
