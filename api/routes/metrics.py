"""`GET /metrics`: the service's Prometheus metrics (text exposition format).

Open like `/healthz` (label values are model names, roles and route templates, never people or ids); put it
behind the deployment's network policy if a scraper is the only reader. Queue depth is read from the
database at scrape time, so every instance reports the same shared queue; so are the closed sessions' eval
counts per coach model (`evals.production.refresh_gauges`).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agents.metrics import REGISTRY
from api.deps import StateDep

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/metrics", response_class=Response)
async def metrics(state: StateDep) -> Response:
    """Counters and histograms of this process; queue depth of the shared database."""
    refresh = getattr(state, "refresh_queue_depth", None)
    if refresh is not None:
        try:
            await refresh()
        except Exception:  # a scrape must still answer when the database is away
            log.warning("queue depth not refreshed", exc_info=True)
    sessionmaker = getattr(state, "sessionmaker", None)
    if sessionmaker is not None:
        from evals.production import refresh_gauges

        try:
            async with sessionmaker() as db:
                await refresh_gauges(db)
        except Exception:  # same: stale session-eval gauges beat a failed scrape
            log.warning("session eval gauges not refreshed", exc_info=True)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
