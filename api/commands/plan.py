"""`teach plan`: generate a study plan for one student (by email) or for every student of a class.

Runs the service in-process on the configured database (embedded by default), through the same Planner code
the API uses, and prints the schedule.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from datetime import date

from api.cli import UserError
from api.commands.common import prepare_database
from db import clock


def _print_plan(plan, email: str) -> None:  # noqa: ANN001
    print(f"\nstudy plan {plan.id} for {email}: exam {plan.exam_date}, {plan.hours_per_day} h/day, "
          f"{len(plan.schedule)} study days")
    print(f"{'day':>4}  {'date':<10}  {'hours':>5}  {'activities':<24}  topics")
    for d in plan.schedule:
        print(f"{d['day']:>4}  {d['date']:<10}  {d['hours_allocated']:>5.1f}  {', '.join(d['activities']):<24}  "
              f"{', '.join(d['topics'])}")
    if plan.note:
        print(f"\nrationale ({plan.note.model}): {plan.note.rationale}")


async def _run(args: argparse.Namespace) -> None:
    from agents.planner import PlanRequest
    from api.app import create_app
    from api.services.planning import plan_for_class, plan_for_student, plan_public
    from db.models import StudyPlan
    from db.repo.accounts import get_account_by_email, get_class, list_class_members

    app = create_app(database_url=args.database_url)
    async with app.router.lifespan_context(app):
        state = app.state
        async with state.sessionmaker() as s:
            if args.student:
                student = await get_account_by_email(s, email=args.student)
                if student is None or student.role != "student":
                    raise UserError(f"no student with email {args.student!r}")
                targets = [student]
            else:
                klass = await get_class(s, class_id=uuid.UUID(args.klass))
                if klass is None:
                    raise UserError(f"no class {args.klass}")
                targets = await list_class_members(s, class_id=klass.id)
        if len(targets) == 1:
            req = PlanRequest(student_id=targets[0].id, subject_code=args.subject, exam_date=args.exam_date,
                              hours_per_day=args.hours, today=clock.now().date())
            ids = [await plan_for_student(state, request=req, actor_id=targets[0].id)]
        else:
            results = await plan_for_class(  # the app's model factory: the configured model
                state, student_ids=[t.id for t in targets], subject_code=args.subject,
                exam_date=args.exam_date, hours_per_day=args.hours, today=clock.now().date(),
                concurrency=state.settings.class_plan_concurrency)
            for r in results:
                if r.status == "failed":
                    print(f"{r.student_id}: failed — {r.error.message if r.error else 'unknown error'}")
            ids = [r.study_plan_id for r in results if r.study_plan_id]
        by_id = {t.id: t.email for t in targets}
        async with state.sessionmaker() as s:
            for plan_id in ids:
                row = await s.get(StudyPlan, plan_id)
                _print_plan(await plan_public(s, plan=row), by_id.get(row.student_id, "?"))


def _plan(args: argparse.Namespace) -> int:
    if bool(args.student) == bool(args.klass):
        raise UserError("give exactly one of --student EMAIL or --class CLASS_ID")
    from api.errors import DomainError

    try:
        if not getattr(args, "url", None):
            args.database_url = prepare_database()  # before the event loop: migrations run synchronously
        asyncio.run(_run(args))
    except DomainError as exc:  # the Planner's input errors, as the API would report them
        raise UserError(exc.message) from exc
    except ValueError as exc:  # e.g. a malformed class id
        raise UserError(str(exc)) from exc
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `plan`."""
    p = sub.add_parser("plan", help="generate an SM-2 study plan for a student or a class")
    p.add_argument("--student", help="the student's email")
    p.add_argument("--class", dest="klass", help="a class id: plan for every member")
    p.add_argument("--subject", default="9708")
    p.add_argument("--exam-date", required=True, type=date.fromisoformat, help="YYYY-MM-DD, in the future")
    p.add_argument("--hours", type=float, default=2.0, help="hours per day (0 < h ≤ 24)")
    p.set_defaults(func=_plan)
