"""Wire the web app into the FastAPI app: headers, static files, the local Swagger UI, HTML errors."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from api.errors import DomainError
from api.web.headers import SecurityHeaders
from api.web.render import templates

STATIC = Path(__file__).resolve().parent / "static"
# Paths whose errors stay JSON (API clients); everything else is a page and gets an HTML error.
_JSON_PREFIXES = ("/v1/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/static/")


class SignInRequired(Exception):
    """A page needs a signed-in browser: redirect to the sign-in form, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def wants_html(request: Request) -> bool:
    """Whether this request is for a page (errors as HTML) rather than the JSON API."""
    return not request.url.path.startswith(_JSON_PREFIXES)


def install_web(app: FastAPI) -> None:
    """Mount static assets and Swagger UI, add security headers, render page errors as HTML."""
    app.add_middleware(SecurityHeaders)
    app.mount("/static/web", StaticFiles(directory=STATIC), name="web-static")
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger-static")
    json_domain = app.exception_handlers[DomainError]

    @app.exception_handler(SignInRequired)
    async def _sign_in(_: Request, exc: SignInRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/sign-in?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if not wants_html(request):
            return await json_domain(request, exc)
        # Signed in: keep the navigation (a plain copy: the request's ORM objects died with its rollback).
        context = {"status": exc.status, "message": exc.message, "user": getattr(request.state, "nav_user", None),
                   "csrf": getattr(request.state, "csrf", None)}
        return templates.TemplateResponse(request, "error.html", context, status_code=exc.status)

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def swagger_ui(request: Request) -> Response:
        """Swagger UI from the swagger-ui-bundle package, started by a static script (no inline code)."""
        return templates.TemplateResponse(request, "docs.html", {})
