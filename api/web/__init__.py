"""The web app: server-rendered pages (Jinja2) over the same services as the JSON API, static assets
(no inline script, so the CSP forbids it), security headers, a locally served Swagger UI."""
