"""What the gateway answers when a case is filed or looked up, as both sides read it.

The gateway builds these from its models and returns them as its response bodies; the action server's
case API client reads them back with `from_json`. Dates and times travel as ISO 8601 strings.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Self


class _FromJson:
    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Self:
        """The dataclass from a JSON body: unknown keys are ignored, so the gateway may add fields."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in body.items() if k in names})


@dataclass(frozen=True)
class CaseReceipt(_FromJson):
    """The answer to any filing (application, complaint, suggestion, ticket)."""

    number: str
    kind: str
    status: str
    department: str | None = None
    service: str | None = None
    deadline: str | None = None  # ISO datetime, for kinds with a working-day deadline
    expected_completion: str | None = None  # ISO date, for applications
    # Filed without a phone: the 4 digits that stand in for the phone's last 4 when checking the status.
    query_code: str | None = None
    # Where the request goes: the level-1 and level-2 category (knowledge/categories.yaml) the case was filed
    # under, e.g. "已转交{department}（{category}）". None when not known (not routed yet, or no router).
    category: str | None = None
    subcategory: str | None = None
    # Where the request happens, as filed (given, or read from the text); None when not known.
    place: str | None = None
    # A repeat report ("上次反映的……还没人修"): the resident's earlier case it was linked to, and that case's status
    # as residents read it ("办理中"). Only in the answer to the filing itself, not to a retry of it.
    earlier_number: str | None = None
    earlier_status: str | None = None


@dataclass(frozen=True)
class CaseStatus(_FromJson):
    """A case's public status (`GET /api/status/{number}`), with the texts a resident reads."""

    number: str
    kind: str
    kind_text: str  # 投诉, 办事申请 ...
    status: str
    status_text: str  # 已办结 ...
    closed: bool
    department: str | None = None
    deadline: str | None = None
    expected_completion: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class ReopenReceipt(_FromJson):
    """The answer to a resident's 不满意重办 (`POST /api/cases/{number}/reopen`)."""

    number: str
    kind_text: str
    status_text: str  # the status it went back to
    reopened_at: str  # ISO datetime
    # False for a retry: the case was reopened already and is being done again, nothing new was recorded.
    new: bool
    department: str | None = None
    deadline: str | None = None  # the new deadline


@dataclass(frozen=True)
class SupplementReceipt(_FromJson):
    """The answer to a resident's 补充说明 (`POST /api/cases/{number}/supplements`)."""

    number: str
    kind_text: str
    status_text: str
    supplemented_at: str  # ISO datetime
    # False for a retry: the same words are on the case already, nothing new was recorded.
    new: bool
    department: str | None = None
    deadline: str | None = None


@dataclass(frozen=True)
class OwnCase(_FromJson):
    """One of a resident's own recent cases (`GET /api/cases?sender=`), for "查一下我的投诉" without a number."""

    number: str
    kind_text: str  # 投诉, 办事申请 ...
    filed_on: str  # ISO date, local
    text: str  # the start of what the resident wrote (masked), or the service applied for; may be empty


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the conversation a hotline ticket carries to the agent."""

    role: str  # resident | bot | agent
    text: str
    at: str | None = None


@dataclass(frozen=True)
class UrgeReceipt(_FromJson):
    """The answer to a resident's 催办 (`POST /api/cases/{number}/urges`)."""

    number: str
    kind_text: str
    status_text: str
    urged_at: str  # ISO datetime of the urge passed on: this one, or the earlier one of the last day
    # False when the case was urged already in the last day: that urge stands, no new one was recorded.
    new: bool
    department: str | None = None
    deadline: str | None = None
