# teach — API and job worker image. Multi-stage: build a wheel-installed virtualenv, copy it into a slim runtime
# that runs as a non-root user. The same image runs `teach serve` (API + in-process worker) or `teach worker`.
# Needs an external PostgreSQL (DATABASE_URL); compose.yaml starts one.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/teach
COPY pyproject.toml README.md ./
COPY agents ./agents
COPY api ./api
COPY curriculum ./curriculum
COPY db ./db
COPY evals ./evals
COPY graph ./graph
COPY migrations ./migrations
COPY tools ./tools
RUN /opt/teach/bin/pip install .

FROM python:3.11-slim AS runtime
ENV PATH=/opt/teach/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TEACH_HOST=0.0.0.0 \
    TEACH_PORT=8000 \
    TEACH_LOG_FORMAT=json
RUN groupadd --system teach && useradd --system --gid teach --home-dir /home/teach --create-home teach
COPY --from=build /opt/teach /opt/teach
USER teach
WORKDIR /home/teach
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request, sys; sys.exit(0 if urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('TEACH_PORT', '8000')}/readyz\", timeout=2).status == 200 else 1)"]
CMD ["teach", "serve"]
