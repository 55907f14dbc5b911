"""API tokens for API clients: list (never the secrets), issue (shown once, expiring), revoke.
An account manages its own tokens; an admin anyone's."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from api.auth.tokens import issue_api_token
from api.deps import CurrentUser, SessionDep
from api.errors import NotFound
from api.request_model import RequestModel
from db import clock
from db.models import ApiToken, Student
from db.repo import accounts as repo

router = APIRouter(prefix="/v1/tokens", tags=["accounts"])


class TokenCreate(RequestModel):
    name: str = Field(default="api client", min_length=1, max_length=100)


class TokenPublic(BaseModel):
    id: uuid.UUID
    name: str
    owner_id: uuid.UUID
    owner_email: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    status: str  # live | expired | revoked

    @classmethod
    def of(cls, t: ApiToken, owner: Student) -> TokenPublic:
        state = ("revoked" if t.revoked_at else
                 "expired" if t.expires_at is not None and t.expires_at <= clock.now() else "live")
        return cls(id=t.id, name=t.name, owner_id=owner.id, owner_email=owner.email, created_at=t.created_at,
                   expires_at=t.expires_at, revoked_at=t.revoked_at, status=state)


class TokenIssued(BaseModel):
    id: uuid.UUID
    token: str
    expires_at: datetime | None


async def list_visible_tokens(session: SessionDep, user: Student, student_id: uuid.UUID | None) -> list[TokenPublic]:
    """The caller's tokens; an admin may name anyone (or see all)."""
    if user.role != "admin":
        if student_id not in (None, user.id):
            raise NotFound("student not found")
        student_id = user.id
    return [TokenPublic.of(t, o) for t, o in await repo.list_tokens(session, account_id=student_id)]


async def revoke_visible_token(session: SessionDep, user: Student, token_id: uuid.UUID) -> None:
    """Revoke one of the caller's tokens (an admin: any); 404 for anyone else's."""
    token = await repo.get_token(session, token_id=token_id)
    if token is None or (user.role != "admin" and token.student_id != user.id):
        raise NotFound("token not found")
    await repo.revoke_tokens(session, token_ids=[token.id])


@router.get("")
async def list_tokens(session: SessionDep, user: CurrentUser, student_id: uuid.UUID | None = None) -> list[TokenPublic]:
    """Tokens with their state, newest first."""
    return await list_visible_tokens(session, user, student_id)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_token(body: TokenCreate, session: SessionDep, user: CurrentUser) -> TokenIssued:
    """Issue a token for the caller; its secret is in this response only."""
    secret = await issue_api_token(session, account_id=user.id, name=body.name)
    row = await repo.get_token_by_secret(session, token=secret)
    assert row is not None  # just inserted in this transaction
    return TokenIssued(id=row.id, token=secret, expires_at=row.expires_at)


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    """Revoke a token: from now on it gets 401."""
    await revoke_visible_token(session, user, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
