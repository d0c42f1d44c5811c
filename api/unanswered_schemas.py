"""Request and response bodies of the unanswered-question inbox (api/routes/unanswered.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class UnansweredGroupPublic(BaseModel):
    id: int
    example: str  # masked, like every question of the inbox
    count: int  # how often its questions were asked
    first_seen: datetime
    last_seen: datetime
    status: str  # open, attached or out_of_scope
    service: str | None  # the service its questions were attached to
    resolved_by: str | None
    resolved_at: datetime | None
    since_resolved: int  # questions of the group still unanswered after it was attached or set aside


class UnansweredQuestionPublic(BaseModel):
    text: str
    count: int
    last_seen: datetime
    # Whether the knowledge base answers it now, and its best match; null when knowledge search is off.
    answered_now: bool | None = None
    best_service: str | None = None


class UnansweredGroupDetail(UnansweredGroupPublic):
    questions: list[UnansweredQuestionPublic]


class AttachRequest(BaseModel):
    service: str = Field(min_length=1, max_length=64)
    # The group's questions to add (default: all of them); an administrator may leave out the off-topic ones.
    questions: list[str] | None = Field(default=None, min_length=1, max_length=15)


class AttachResult(UnansweredGroupDetail):
    added: list[str]  # the questions that were new to the service's file
