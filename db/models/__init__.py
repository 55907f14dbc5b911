"""All tables, imported so `SQLModel.metadata` is complete (alembic and tests rely on it)."""

from db.models.accounts import ROLES, ApiToken, Class, ClassMember, Student
from db.models.attempts import Attempt, AttemptedQuestion
from db.models.auth import (  # noqa: F401
    MEMBERSHIP_ACTIONS,
    ClassInvitation,
    ClassMembershipEvent,
    PasswordReset,
    WebSession,
)
from db.models.curriculum import Question, Subject, SyllabusPoint
from db.models.director import (
    DirectorCoachingPlan,
    DirectorCoachingSession,
    DirectorCriterionScore,
    DirectorScore,
    DirectorScorecard,
    DirectorScorecardTemplate,
    DirectorTarget,
)
from db.models.evals import SessionEval  # noqa: F401
from db.models.jobs import ITEM_STATUSES, JOB_KINDS, JOB_STATUSES, Job, JobItem  # noqa: F401
from db.models.planning import REVIEW_SOURCES, StudentTopicState, StudyPlanNote, TopicReview  # noqa: F401
from db.models.service import IdempotencyKey, LlmCall, QuotaUsage
from db.models.tutoring import OUTCOMES, PLAN_STATUSES, CoachingSession, ImprovementPlan, StudyPlan

__all__ = [
    "ROLES", "OUTCOMES", "PLAN_STATUSES",
    "ApiToken", "Attempt", "AttemptedQuestion", "Class", "ClassMember", "CoachingSession",
    "DirectorCoachingPlan", "DirectorCoachingSession", "DirectorCriterionScore", "DirectorScore", "DirectorScorecard",
    "DirectorScorecardTemplate", "DirectorTarget", "IdempotencyKey", "ImprovementPlan", "Job", "JobItem", "LlmCall",
    "Question", "QuotaUsage", "Student", "StudyPlan", "Subject", "SyllabusPoint",
    "ClassInvitation", "ClassMembershipEvent", "PasswordReset", "WebSession",
]
