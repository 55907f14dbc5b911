"""The FastAPI application: lifespan (database, then the agent workflow), error mapping, routers.

Every module in `api/routes/` that defines a `router` is mounted, so adding an endpoint never means
editing this file.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

import api.routes
from api.body_limit import BodySizeLimit
from api.deps import reject_unknown_query
from api.errors import install_error_handlers
from api.jobs.worker import start_background_worker
from api.observability import RequestContext
from api.openapi import install_openapi
from api.service_state import open_service_state
from api.settings import ApiSettings
from api.web.install import install_web
from db.urls import resolve_libpq_url

log = logging.getLogger(__name__)


def _include_routers(app: FastAPI) -> None:
    for info in sorted(pkgutil.iter_modules(api.routes.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"api.routes.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router, dependencies=[Depends(reject_unknown_query)])


def create_app(*, database_url: str | None = None, settings: ApiSettings | None = None,
               run_worker: bool = False) -> FastAPI:
    """Build the app. `database_url` overrides DATABASE_URL / the embedded server (tests pass their own);
    `run_worker` also runs a job worker inside this process (`teach serve` does by default)."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        close = await open_service_state(app.state, url=database_url or resolve_libpq_url(), settings=settings)
        worker = start_background_worker(app.state, name="in-process") if run_worker else None
        try:
            yield
        finally:
            # SIGTERM: uvicorn has stopped accepting requests; let in-flight turns store their replies.
            left = await app.state.turn_runner.drain(settings.shutdown_grace_seconds)
            if left:
                log.warning("%d turn(s) still running at shutdown; a retry with the same key resumes them", left)
            if worker is not None:
                await worker.stop()  # a job in flight is picked up again by another worker
            await close()

    app = FastAPI(
        title="teach — AI teaching roles",
        version="0.1.0",
        description="Coach, Marker, Reviewer and Planner agents over PostgreSQL.",
        lifespan=lifespan,
        docs_url=None,  # the web app serves /docs itself: local Swagger UI assets, no inline script
        redoc_url=None,
        # an API answers a wrong path with an error envelope: the slash redirect fired before routing and
        # turned a path parameter of "/" into a 307 instead of a 4xx
        redirect_slashes=False,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, timeout_seconds=settings.body_timeout_seconds)
    app.add_middleware(RequestContext)  # outermost: every response carries X-Request-ID
    install_error_handlers(app)
    install_web(app)
    _include_routers(app)
    install_openapi(app)
    return app
