"""The teacher's pages (classes, invites and roster, the mastery heatmap, flagged sessions, class plans,
"did coaching work?") and the review queue (teachers and examiners). Every action calls the JSON API's route
functions or services, so access rules and validation are the API's own."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.access import ensure_can_view_student
from api.auth.settings import auth_settings
from api.deps import SessionDep
from api.errors import NotFound
from api.routes import classes as class_routes
from api.routes import efficiency as efficiency_routes
from api.routes import reviews as review_routes
from api.routes import study_plans as plan_routes
from api.schemas_marking import ReviewDecisionIn
from api.schemas_planning import ClassPlanCreate
from api.services import dashboards
from api.services.enrolment import load_owned_class
from api.web.charts import efficiency_chart, in_words
from api.web.render import StaffPage, TeacherPage, call, number, page, parse
from db import clock
from db.repo.accounts import list_class_members
from db.repo.enrolment import list_events
from db.repo.reviews import get_answer_context
from tools.tenancy import organisation

router = APIRouter(include_in_schema=False)
GROUPINGS = {"COACHING_SESSION_SUBMITTER": "coach", "CRITERION": "topic", "AGENT": "student"}


def _see(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@router.get("/teach")
async def classes(request: Request, session: SessionDep, user: TeacherPage) -> Response:
    """My classes and a form for a new one."""
    return page(request, "teacher/classes.html", user, classes=await call(class_routes.list_classes, request, session, user))


@router.post("/teach/classes")
async def class_create(request: Request, session: SessionDep, user: TeacherPage,
                       name: Annotated[str, Form()]) -> Response:
    """Create a class (9708)."""
    created = await call(class_routes.create_class, request, session, user,
                         body=parse(class_routes.ClassCreate, name=name, subject_code="9708"))
    return _see(f"/teach/classes/{created.id}")


async def _class_page(request: Request, session: SessionDep, user, class_id: uuid.UUID,  # noqa: ANN001
                      flash: str | None = None) -> Response:
    klass = await call(class_routes.read_class, request, session, user, class_id=class_id)
    names = {m.id: m.display_name for m in klass.members}
    events = await list_events(session, class_id=class_id)
    link = f"{auth_settings().base_url.rstrip('/')}/join/{klass.invite_code}"
    return page(request, "teacher/class.html", user, klass=klass, events=events, names=names, link=link,
                flash=flash, me=user)


@router.get("/teach/classes/{class_id}")
async def class_page(request: Request, session: SessionDep, user: TeacherPage, class_id: uuid.UUID) -> Response:
    """Roster, pending invitations, the invite code and link, membership history."""
    return await _class_page(request, session, user, class_id)


@router.post("/teach/classes/{class_id}/invite")
async def class_invite(request: Request, session: SessionDep, user: TeacherPage, class_id: uuid.UUID,
                       email: Annotated[str, Form()]) -> Response:
    """Invite an email (the answer never says whether it has an account)."""
    result = await call(class_routes.add_member, request, session, user, class_id=class_id,
                        body=parse(class_routes.MemberAdd, email=email.strip()))
    return await _class_page(request, session, user, class_id, flash=result.message)


@router.post("/teach/classes/{class_id}/members/{student_id}/remove")
async def class_remove(request: Request, session: SessionDep, user: TeacherPage, class_id: uuid.UUID,
                       student_id: uuid.UUID) -> Response:
    """Remove a member (recorded)."""
    await call(class_routes.remove_member, request, session, user, class_id=class_id, student_id=student_id)
    return await _class_page(request, session, user, class_id, flash="Removed from the class.")


@router.post("/teach/classes/{class_id}/new-code")
async def class_new_code(request: Request, session: SessionDep, user: TeacherPage, class_id: uuid.UUID) -> Response:
    """Replace the invite code (the old code and link stop working)."""
    await call(class_routes.new_invite_code, request, session, user, class_id=class_id)
    return await _class_page(request, session, user, class_id, flash="New invite code: the old one no longer works.")


@router.get("/teach/classes/{class_id}/mastery")
async def mastery(request: Request, session: SessionDep, user: TeacherPage, class_id: uuid.UUID,
                  days: Annotated[int, Query(ge=1, le=366)] = 28) -> Response:
    """Class × syllabus point heatmap."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    heat = await dashboards.class_heatmap(session, klass=klass, days=days)
    return page(request, "teacher/mastery.html", user, heat=heat, days=days, words=dashboards.OUTCOME_WORDS)


@router.get("/teach/classes/{class_id}/mastery/{code}")
async def mastery_cell(request: Request, session: SessionDep, user: TeacherPage, class_id: uuid.UUID, code: str,
                       days: Annotated[int, Query(ge=1, le=366)] = 28,
                       student_id: uuid.UUID | None = None) -> Response:
    """The students and answers behind one cell."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    rows = await dashboards.cell_answers(session, klass=klass, code=code[:30], days=days, student_id=student_id)
    return page(request, "teacher/cell.html", user, klass=klass, code=code[:30], rows=rows, days=days)


@router.get("/teach/flagged")
async def flagged(request: Request, session: SessionDep, user: TeacherPage) -> Response:
    """Sessions that need a look; each opens its transcript with the eval flags."""
    return page(request, "teacher/flagged.html", user, rows=await dashboards.flagged_sessions(session, teacher=user),
                words=dashboards.OUTCOME_WORDS)


@router.get("/teach/classes/{class_id}/plans")
async def class_plans_form(request: Request, session: SessionDep, user: TeacherPage, class_id: uuid.UUID) -> Response:
    """Generate study plans for the whole class."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    members = await list_class_members(session, class_id=class_id)
    return page(request, "teacher/plans.html", user, klass=klass, results=None, names={m.id: m.display_name
                for m in members}, default_exam=(clock.now() + timedelta(days=90)).date().isoformat())


@router.post("/teach/classes/{class_id}/plans")
async def class_plans_run(request: Request, session: SessionDep, user: TeacherPage, class_id: uuid.UUID,
                          exam_date: Annotated[str, Form()], hours_per_day: Annotated[str, Form()]) -> Response:
    """Run the class-plan service (synchronously) and show each student's result."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    members = {m.id: m.display_name for m in await list_class_members(session, class_id=class_id)}
    body = parse(ClassPlanCreate, subject_code="9708", exam_date=exam_date,
                 hours_per_day=number(hours_per_day, "hours_per_day"))
    results = await call(plan_routes.create_class_plans, request, session, user, class_id=class_id, body=body)
    return page(request, "teacher/plans.html", user, klass=klass, results=results, names=members,
                default_exam=exam_date)


@router.get("/teach/efficiency")
async def efficiency(request: Request, session: SessionDep, user: TeacherPage,
                     group: str = "COACHING_SESSION_SUBMITTER", start: str | None = None,
                     end: str | None = None) -> Response:
    """Did coaching raise marks? Change per coach, topic or student with the 95% interval, in words."""
    group = group if group in GROUPINGS else "COACHING_SESSION_SUBMITTER"
    end = end or (clock.now() + timedelta(days=1)).date().isoformat()
    start = start or (clock.now() - timedelta(days=56)).date().isoformat()
    body = parse(efficiency_routes.EfficiencyRequest, filterByTimeRange={"startTime": f"{start}T00:00:00Z",
                 "endTime": f"{end}T00:00:00Z"}, groupByAttributeTypes=[group])
    result = await call(efficiency_routes.retrieve_coaching_efficiency_stats, request, session, user,
                          customer=organisation(), profile="9708", body=body)
    stats = result.coaching_efficiency_stats
    labels = [_label(s.attribute, group) for s in stats]
    return page(request, "teacher/efficiency.html", user, stats=list(zip(labels, stats, strict=True)),
                chart=efficiency_chart(list(zip(labels, stats, strict=True))), words=[in_words(s) for s in stats],
                group=group, groupings=GROUPINGS, start=start, end=end)


def _label(attribute: dict[str, list[str]], group: str) -> str:
    values = [v for vs in attribute.values() for v in vs]
    text = values[0] if values else "—"
    return "AI Coach" if text == "coach-agent" else text


@router.get("/reviews")
async def review_queue(request: Request, session: SessionDep, user: StaffPage) -> Response:
    """Answers awaiting a person, oldest first."""
    queue = await call(review_routes.review_queue, request, session, user, limit=100, offset=0)
    return page(request, "teacher/reviews.html", user, queue=queue)


async def _entry(session: SessionDep, user, answer_id: uuid.UUID):  # noqa: ANN001, ANN202
    item = await get_answer_context(session, attempted_question_id=answer_id)
    if item is None:
        raise NotFound("answer not found")
    if user.role == "teacher":
        await ensure_can_view_student(session, viewer=user, student_id=item.student.id, what="answer")
    return item


@router.get("/reviews/{answer_id}")
async def review_page(request: Request, session: SessionDep, user: StaffPage, answer_id: uuid.UUID) -> Response:
    """The answer, question, mark scheme, both markings and why it was queued; the decision form."""
    item = await _entry(session, user, answer_id)
    return page(request, "teacher/review.html", user, entry=review_routes._entry(item), question=item.question,
                answer=item.answer)


@router.post("/reviews/{answer_id}")
async def review_decide(request: Request, session: SessionDep, user: StaffPage, answer_id: uuid.UUID,
                        marks_awarded: Annotated[str, Form()], feedback: Annotated[str, Form()] = "") -> Response:
    """Decide: resumes the paused marking workflow through the review service."""
    body = parse(ReviewDecisionIn, marks_awarded=number(marks_awarded, "marks_awarded", int), feedback=feedback or None)
    await call(review_routes.decide_review, request, session, user, attempted_question_id=answer_id, body=body)
    return _see("/reviews?decided=1")
