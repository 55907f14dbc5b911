"""The web chat page at `/` (a single static file; it uses the public API with the student's token)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
_PAGE = Path(__file__).resolve().parents[1] / "static" / "chat.html"


@router.get("/", response_class=HTMLResponse)
async def chat_page() -> HTMLResponse:
    """The chat page."""
    return HTMLResponse(_PAGE.read_text(encoding="utf-8"))
