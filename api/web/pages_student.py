"""The student's pages: home, the Coach (streamed chat), practice questions with their marks, study plans.
Every action goes through the JSON API's own route functions or services, so the rules are the same."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep
from api.routes import attempts as attempt_routes
from api.routes import classes as class_routes
from api.routes import coaching as coaching_routes
from api.routes import study_plans as plan_routes
from api.schemas_coaching import CoachingSessionCreate, OutcomeUpdate
from api.schemas_marking import AttemptCreate
from api.schemas_planning import DayComplete, StatusUpdate, StudyPlanCreate
from api.services import dashboards, enrolment
from api.web.render import PageUser, StudentPage, call, number, page, parse
from db import clock
from db.repo import dashboards as views
from db.repo.curriculum import get_question, list_syllabus_points

router = APIRouter(include_in_schema=False)


def _see(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@router.get("/home")
async def home(request: Request, session: SessionDep, user: StudentPage) -> Response:
    """Today's plan day, open sessions, actions due, recent marks, class invitations."""
    return page(request, "student/home.html", user, home=await dashboards.student_home(session, student=user),
                invitations=await class_routes.invitations_for(session, user))


@router.post("/join")
async def join(request: Request, session: SessionDep, user: StudentPage,
               code: Annotated[str, Form(max_length=40)]) -> Response:
    """Join a class with the code the teacher gave."""
    klass = await enrolment.join_with_code(session, student=user, code=code)
    return page(request, "student/joined.html", user, klass=klass)


@router.get("/join/{code}")
async def join_link(request: Request, user: PageUser, code: str) -> Response:
    """An invite link: confirm before joining (a link alone never changes anything)."""
    return page(request, "student/join.html", user, code=code)


@router.post("/invitations/{invitation_id}/{answer}")
async def answer_invitation(request: Request, session: SessionDep, user: StudentPage, invitation_id: uuid.UUID,
                            answer: str) -> Response:
    """Accept or decline a teacher's invitation."""
    if answer not in ("accept", "decline"):
        return _see("/home")
    await enrolment.answer_invitation(session, student=user, invitation_id=invitation_id, accept=answer == "accept")
    return _see("/home")


@router.get("/chat")
async def chat_list(request: Request, session: SessionDep, user: StudentPage) -> Response:
    """Start a session (topic or syllabus point) and read earlier ones."""
    sessions = await call(coaching_routes.list_sessions, request, session, user, student_id=None, outcome=None,
                          limit=50, offset=0)
    points = await list_syllabus_points(session, subject_id=None)
    return page(request, "student/chat_list.html", user, sessions=sessions.items, points=points)


@router.post("/chat")
async def chat_open(request: Request, session: SessionDep, user: StudentPage,
                    topic: Annotated[str, Form()] = "", syllabus_point: Annotated[str, Form()] = "") -> Response:
    """Open a session, then go to it."""
    point = syllabus_point or None
    body = parse(CoachingSessionCreate, topic=topic or (f"syllabus point {point}" if point else ""),
                 syllabus_point=point)
    created = await call(coaching_routes.open_session, request, session, user, body=body)
    return _see(f"/chat/{created.id}")


@router.get("/chat/{session_id}")
async def chat_session(request: Request, session: SessionDep, user: PageUser, session_id: uuid.UUID) -> Response:
    """A transcript; the owner can talk (streamed by /static/web/chat.js) while it is open."""
    cs = await call(coaching_routes.read_session, request, session, user, session_id=session_id)
    scores = None
    if user.role in ("teacher", "admin"):
        from api.routes.evals import ScoreRequest, score_transcript_endpoint

        if any(e.role == "coach" for e in cs.session_transcript):
            scores = await call(score_transcript_endpoint, request, session, user,
                                body=ScoreRequest(session_id=session_id))
    flags = dashboards.flag_reasons(cs.outcome, cs.referral_reason,
                                    [e.model_dump() for e in cs.session_transcript])
    turn_flags = {t.index: t.scores for t in scores.turns} if scores else {}
    return page(request, "student/chat.html", user, cs=cs, outcome_words=dashboards.OUTCOME_WORDS,
                scores=scores, turn_flags=turn_flags, flags=flags, can_chat=cs.student_id == user.id)


@router.post("/chat/{session_id}/messages")
async def chat_message_fallback(request: Request, session: SessionDep, user: StudentPage, session_id: uuid.UUID,
                                content: Annotated[str, Form()]) -> Response:
    """The same turn without JavaScript (not streamed): post, then show the transcript."""
    from api.schemas_coaching import MessageCreate

    await call(coaching_routes.post_message, request, session, user, session_id=session_id,
               body=parse(MessageCreate, content=content), idempotency_key=None)
    return _see(f"/chat/{session_id}")


@router.post("/chat/{session_id}/close")
async def chat_close(request: Request, session: SessionDep, user: PageUser, session_id: uuid.UUID,
                     outcome: Annotated[str, Form()]) -> Response:
    """Close a session with an outcome (the student, or their teacher)."""
    await call(coaching_routes.set_outcome, request, session, user, session_id=session_id,
               body=parse(OutcomeUpdate, outcome=outcome))
    return _see(f"/chat/{session_id}")


@router.get("/practice")
async def practice_list(request: Request, session: SessionDep, user: StudentPage) -> Response:
    """The question bank, by syllabus point, and the student's recent attempts."""
    questions = await views.list_questions(session)
    attempts = await views.student_attempts(session, student_id=user.id)
    titles = {p.code: p.title for p in await list_syllabus_points(session, subject_id=None)}
    return page(request, "student/practice_list.html", user, questions=questions, attempts=attempts, titles=titles)


@router.get("/practice/{question_id}")
async def practice_question(request: Request, session: SessionDep, user: StudentPage,
                            question_id: uuid.UUID) -> Response:
    """One question and an answer box."""
    question = await get_question(session, question_id=question_id)
    if question is None:
        from api.errors import NotFound

        raise NotFound("question not found")
    return page(request, "student/practice_question.html", user, q=question)


@router.post("/practice/{question_id}")
async def practice_submit(request: Request, session: SessionDep, user: StudentPage, question_id: uuid.UUID,
                          answer: Annotated[str, Form()] = "") -> Response:
    """Submit the answer for marking (the same endpoint as the API), then show the marks."""
    from db.repo.curriculum import get_subject

    question = await get_question(session, question_id=question_id)
    subject = await get_subject(session, subject_id=question.subject_id) if question else None
    body = parse(AttemptCreate, subject_code=subject.code if subject else "?",
                 answers=[{"question_id": str(question_id), "answer": answer}])
    attempt = await call(attempt_routes.submit_attempt, request, session, user, body=body)
    return _see(f"/attempts/{attempt.id}")


@router.get("/attempts/{attempt_id}")
async def attempt_page(request: Request, session: SessionDep, user: PageUser, attempt_id: uuid.UUID) -> Response:
    """Marks per AO with feedback per point, or "awaiting an examiner"."""
    attempt = await call(attempt_routes.read_attempt, request, session, user, attempt_id=attempt_id)
    return page(request, "student/attempt.html", user, attempt=attempt)


@router.get("/plans")
async def plans(request: Request, session: SessionDep, user: StudentPage) -> Response:
    """The student's study plans and a form for a new one."""
    mine = await views.student_study_plans(session, student_id=user.id)
    return page(request, "student/plans.html", user, plans=mine,
                default_exam=(clock.now() + timedelta(days=90)).date().isoformat())


@router.post("/plans")
async def plan_create(request: Request, session: SessionDep, user: StudentPage,
                      exam_date: Annotated[str, Form()], hours_per_day: Annotated[str, Form()]) -> Response:
    """Generate my plan (the Planner, as the API does)."""
    body = parse(StudyPlanCreate, student_id=str(user.id), subject_code="9708", exam_date=exam_date,
                 hours_per_day=number(hours_per_day, "hours_per_day"))
    plan = await call(plan_routes.create_study_plan, request, session, user, body=body)
    return _see(f"/plans/{plan.id}")


@router.get("/plans/{plan_id}")
async def plan_page(request: Request, session: SessionDep, user: PageUser, plan_id: uuid.UUID) -> Response:
    """The calendar to the exam, completing a day with grades, status."""
    plan = await call(plan_routes.read_study_plan, request, session, user, plan_id=plan_id)
    today = clock.now().date()
    next_day = next((d for d in plan.schedule if not d.get("completed")), None)
    titles = {p.code: p.title for p in await list_syllabus_points(session, subject_id=None)}
    return page(request, "student/plan.html", user, plan=plan, today=today.isoformat(), next_day=next_day,
                titles=titles)


@router.post("/plans/{plan_id}/days/{day}/complete")
async def plan_complete_day(request: Request, session: SessionDep, user: PageUser, plan_id: uuid.UUID,
                            day: int) -> Response:
    """Record a day with a 0..5 grade per topic (the form's `grade:<code>` fields): EFs update, re-plan."""
    form = await request.form()
    grades = {k.removeprefix("grade:"): number(str(v), k, int) for k, v in form.items() if k.startswith("grade:")}
    await call(plan_routes.complete_day, request, session, user, plan_id=plan_id, day=day,
               body=parse(DayComplete, grades=grades))
    return _see(f"/plans/{plan_id}")


@router.post("/plans/{plan_id}/status")
async def plan_status(request: Request, session: SessionDep, user: PageUser, plan_id: uuid.UUID,
                      status: Annotated[str, Form()]) -> Response:
    """Mark the plan completed or abandoned."""
    await call(plan_routes.update_status, request, session, user, plan_id=plan_id,
               body=parse(StatusUpdate, status=status))
    return _see(f"/plans/{plan_id}")
