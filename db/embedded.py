"""The embedded PostgreSQL server (pgserver package), used when no DATABASE_URL is configured.

One server per data directory, shared by every process that asks for it (pgserver reference-counts its
handles) and stopped cleanly when the last of them exits.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)
_servers: dict[Path, object] = {}


def embedded_libpq_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded server in `data_dir` and return its libpq URL."""
    data_dir = Path(data_dir).expanduser().resolve()
    server = _servers.get(data_dir)
    if server is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on headless machines
            import pgserver

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        log.info("starting embedded PostgreSQL in %s", data_dir)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        _servers[data_dir] = server
    return server.get_uri()  # type: ignore[attr-defined]
