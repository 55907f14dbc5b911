"""Load the validated curriculum into the database, idempotently (rerun = no duplicates, edits applied).

Also creates/updates each subject's director scorecard template, whose criteria are its syllabus points,
so marked answers can feed the coaching-efficiency analytics.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from curriculum.loader import Curriculum, get_curriculum
from db.repo.curriculum import upsert_question, upsert_subject, upsert_syllabus_point
from db.repo.director_templates import upsert_template


@dataclass(frozen=True)
class SyncReport:
    subjects: int
    points: int
    questions: int


def point_content(point) -> dict:  # noqa: ANN001
    """The JSONB `content` stored for a syllabus point: everything the tutor uses."""
    data = point.model_dump(mode="json")
    return {k: data[k] for k in ("key_terms", "expectations", "misconceptions", "ladder", "context", "answer_phrases")}


def criteria_for(curriculum: Curriculum, subject_code: str) -> list[dict]:
    """Scorecard criteria of a subject: one per syllabus point, AI-scored (auto), performance criteria."""
    return [
        {
            "identifier": p.code,
            "name": p.title,
            "description": f"Marks on questions covering {p.code} {p.title}",
            "auto_qa": {"triggers": ["marker-agent"]},
            "exclude_from_qa_scores": False,
            "is_outcome_criterion": False,
            "weight": 1.0,
        }
        for p in sorted(curriculum.points.values(), key=lambda p: p.code)
        if p.subject_code == subject_code
    ]


async def sync_curriculum(
    session: AsyncSession, *, organisation: str, curriculum: Curriculum | None = None
) -> SyncReport:
    """Upsert subjects, syllabus points, questions and the director template. The caller commits."""
    cur = curriculum or get_curriculum()
    for subject in cur.subjects.values():
        subject_id = await upsert_subject(session, code=subject.code, name=subject.name, level=subject.level)
        for p in cur.points.values():
            if p.subject_code != subject.code:
                continue
            await upsert_syllabus_point(
                session, subject_id=subject_id, code=p.code, title=p.title, section=p.section, level=p.level,
                content=point_content(p),
            )
        for q in cur.questions.values():
            if not q.ref.startswith(f"{subject.code}-"):
                continue
            await upsert_question(
                session, subject_id=subject_id, ref=q.ref, syllabus_point_codes=list(q.syllabus_points),
                kind=q.kind, text=q.text, max_marks=q.max_marks,
                mark_scheme=q.mark_scheme.model_dump(mode="json"),
            )
        await upsert_template(
            session, customer=organisation, profile=subject.code, title=f"{subject.code} {subject.name}",
            criteria=criteria_for(cur, subject.code),
        )
    return SyncReport(subjects=len(cur.subjects), points=len(cur.points), questions=len(cur.questions))
