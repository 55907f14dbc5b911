"""`teach serve`: database (embedded unless DATABASE_URL), migrations, curriculum, then the API and chat page,
and (unless `--no-worker` or TEACH_JOBS_IN_PROCESS_WORKER=0) a job worker in the same process."""

from __future__ import annotations

import argparse

from api.commands.common import database_url, migrate
from api.commands.migrate import load_curriculum
from api.settings import ApiSettings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.observability import install_logging, uvicorn_log_config

    install_logging()
    settings = ApiSettings()
    url = database_url()
    migrate(url)
    print(load_curriculum(url))
    host = args.host or settings.host
    port = args.port or settings.port
    from api.jobs.settings import JobSettings

    worker = JobSettings().in_process_worker and not args.no_worker
    print(f"serving on http://{host}:{port}  (sign in at /, API docs at /docs)"
          + ("; running jobs in-process" if worker else ""))
    uvicorn.run(create_app(database_url=url, settings=settings, run_worker=worker), host=host, port=port, log_config=uvicorn_log_config())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `serve`."""
    p = sub.add_parser("serve", help="start the service (migrates and loads the curriculum first)")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--no-worker", action="store_true",
                   help="do not run jobs in this process (run `teach worker` elsewhere)")
    p.set_defaults(func=_serve)
