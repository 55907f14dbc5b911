"""The web app's pages (api/web/): sign-in and account, the student's and the teacher's screens, the review
queue. Mounted here so the app picks them up like every other router."""

from __future__ import annotations

from fastapi import APIRouter

from api.web import pages_auth, pages_student, pages_teacher

router = APIRouter(include_in_schema=False)
for _module in (pages_auth, pages_student, pages_teacher):
    router.include_router(_module.router)
