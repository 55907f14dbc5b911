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
from functools import partial
from typing import Any

from fastapi import FastAPI

import api.routes
from agents.llm import get_chat_model
from agents.llm_settings import LlmSettings
from api.body_limit import BodySizeLimit
from api.errors import install_error_handlers
from api.observability import RequestContext
from api.services.slots import Slots
from api.services.turn_lock import TurnGate, max_concurrent_turns
from api.services.turn_runner import TurnRunner
from api.settings import ApiSettings
from api.web.install import install_web
from db.engine import create_engine, session_factory
from db.settings import DatabaseSettings
from db.urls import resolve_libpq_url

log = logging.getLogger(__name__)


def _include_routers(app: FastAPI) -> None:
    for info in sorted(pkgutil.iter_modules(api.routes.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"api.routes.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)


def create_app(*, database_url: str | None = None, settings: ApiSettings | None = None) -> FastAPI:
    """Build the app. `database_url` overrides DATABASE_URL / the embedded server (tests pass their own)."""
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or resolve_libpq_url()
        engine = create_engine(url)
        app.state.settings = settings
        app.state.db_url = url
        app.state.engine = engine
        app.state.sessionmaker = session_factory(engine)
        # Read the LLM settings once per process; every run still gets fresh model objects.
        app.state.model_factory = partial(get_chat_model, settings=LlmSettings())
        db_settings = DatabaseSettings()
        app.state.slots = slots = Slots()
        if slots.connection_slots() > max_concurrent_turns(db_settings.pool_size, db_settings.max_overflow):
            log.warning("chat+marking+planning slots (%d) exceed half the database pool; runs may wait for "
                        "connections", slots.connection_slots())
        app.state.turn_gate = TurnGate(engine, slots=slots)
        app.state.turn_runner = runner = TurnRunner()
        runtime = await _start_runtime(app.state)
        try:
            yield
        finally:
            # SIGTERM: uvicorn has stopped accepting requests; let in-flight turns store their replies.
            left = await runner.drain(settings.shutdown_grace_seconds)
            if left:
                log.warning("%d turn(s) still running at shutdown; a retry with the same key resumes them", left)
            await runtime.aclose()
            await engine.dispose()

    app = FastAPI(
        title="teach — AI teaching roles",
        version="0.1.0",
        description="Coach, Marker, Reviewer and Planner agents over PostgreSQL.",
        lifespan=lifespan,
        docs_url=None,  # the web app serves /docs itself: local Swagger UI assets, no inline script
        redoc_url=None,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContext)  # outermost: every response carries X-Request-ID
    install_error_handlers(app)
    install_web(app)
    _include_routers(app)
    return app


async def _start_runtime(state: Any) -> Any:
    """Compile the agent workflow with its Postgres checkpointer (imported here: the graph pulls in agents)."""
    from graph.runtime import start_runtime

    return await start_runtime(state)
