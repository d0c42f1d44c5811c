"""Request and response bodies of the gateway.

Filing receipts, case status and knowledge matches are the contract's dataclasses (contract/), which the
routes use as response models directly; this module holds the gateway's own bodies.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from contract.case_kinds import CASE_NUMBER_PATTERN
from contract.channels import CHANNELS
from contract.knowledge import SearchResult
from contract.limits import MAX_LETTER_CHARS
from contract.personal_data import (
    PersonalDataError,
    normalize_contact_phone,
    normalize_id_number,
    normalize_name,
    normalize_phone,
)
from knowledge.request_kind import MIN_PROBLEM_HAN


def _wrap(fn: Any) -> Any:
    def check(value: str) -> str:
        try:
            return str(fn(value))
        except PersonalDataError as exc:
            raise ValueError(str(exc)) from None

    return check


IdNumber = Annotated[str, AfterValidator(_wrap(normalize_id_number))]
Phone = Annotated[str, AfterValidator(_wrap(normalize_phone))]
# A mobile, or a landline with its area code ('0564-3372301'): many older residents have only the latter.
ContactPhone = Annotated[str, AfterValidator(_wrap(normalize_contact_phone))]
PersonName = Annotated[str, AfterValidator(_wrap(normalize_name))]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# A resident's letter (complaint, suggestion, ticket summary, praise): long letters to 12345 are normal.
Letter = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LETTER_CHARS)]
LongLetter = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=MAX_LETTER_CHARS)]
# A complaint may be a problem stated in a few characters ("路灯坏了", "停水了!"): the assistant files it.
Grievance = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=MIN_PROBLEM_HAN, max_length=MAX_LETTER_CHARS)
]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# Where a request happens, as the resident wrote it ("金安区三里桥街道梅山路88号").
PlaceText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# At most 124 characters: a public client's sender is stored as `api:<sender>` (api/senders.py) in 128.
Sender = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=124),
    Field(
        description="the resident filing or rating: from the action server (service token) the id of the "
        "gateway's conversation (`wx:<openid>`, `web:<id>`); from any other client its own id, kept as `api:<sender>`"
    ),
]
Channel = Annotated[str, StringConstraints(pattern="^(" + "|".join(CHANNELS) + ")$")]
CaseNumber = Annotated[str, StringConstraints(pattern=f"^{CASE_NUMBER_PATTERN}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationCreate(Strict):
    service: Short
    applicant_name: PersonName
    id_number: IdNumber
    phone: Phone
    address: Annotated[str, StringConstraints(max_length=200)] | None = None
    notes: Annotated[str, StringConstraints(max_length=1000)] | None = None
    sender: Sender | None = None
    channel: Channel = "api"


class ComplaintCreate(Strict):
    description: Grievance
    # Without one, the receipt carries a query code that stands in for the phone's last 4 digits.
    phone: ContactPhone | None = None
    name: PersonName | None = None
    service: Short | None = None
    # The service the resident asked about just before (the assistant's last answer): whose window a complaint
    # about how a service was delivered concerns when it names none ("上次去补卡态度很差" after a 社保卡 question).
    asked_service: Short | None = None
    department: Short | None = None
    # Where it happens; without one, the place the description names (knowledge/places.py), if any.
    place: PlaceText | None = None
    sender: Sender | None = None
    channel: Channel = "api"


class SuggestionCreate(Strict):
    content: LongLetter
    consultation_id: int | None = None
    topic: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = None
    phone: Phone | None = None
    sender: Sender
    channel: Channel = "api"


class LikeCreate(Strict):
    sender: Sender


class EvaluationCreate(Strict):
    stars: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    case_number: CaseNumber | None = None
    service: Short | None = None
    sender: Sender | None = None


class CaseCaller(Strict):
    """Who follows up a resident's case: the filing `sender`, or whoever gives the phone's last 4 digits."""

    sender: Sender | None = None
    phone_last4: Annotated[str, StringConstraints(pattern=r"^\d{4}$")] | None = None


class CaseFollowUp(CaseCaller):
    """催办 or 不满意重办 of a resident's case, with the resident's words (optional; any chat message fits)."""

    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_LETTER_CHARS)] | None = None


class CaseSupplement(CaseCaller):
    """补充说明 of a resident's open case: what they add or correct."""

    supplement: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LETTER_CHARS)]


class TranscriptLine(BaseModel):
    role: Annotated[str, StringConstraints(pattern=r"^(resident|bot|agent)$")]
    text: Annotated[str, StringConstraints(max_length=4000)]
    at: datetime | None = None


class TicketCreate(Strict):
    summary: Letter
    sender: Sender | None = None
    channel: Channel = "hotline"
    phone: ContactPhone | None = None
    name: PersonName | None = None
    category: Short | None = None
    department: Short | None = None
    service: Short | None = None
    transcript: list[TranscriptLine] = []
    suggestions: list[dict[str, Any]] = []


class CommendationCreate(Strict):
    """表扬: praise for a department, a service or a member of staff; never a complaint."""

    text: Letter
    sender: Sender | None = None
    channel: Channel = "api"
    department: Short | None = None
    service: Short | None = None


class CommendationCreated(BaseModel):
    id: int
    department: str | None = Field(description="the given one, else the service's, else null")


class StatusText(BaseModel):
    status: str
    text: str


class CaseKindPublic(BaseModel):
    """A case kind as clients show it (`GET /api/case-kinds`), from contract/case_kinds.py."""

    kind: str
    prefix: str
    name: str
    statuses: list[StatusText] = Field(description="in pipeline order, the first is the initial status")
    transitions: dict[str, list[str]]
    has_deadline: bool


class ConsultationPublic(BaseModel):
    id: int
    title: str
    summary: str
    status: str
    department: str | None
    closes_on: date | None


class ConsultationCreate(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
    summary: Text
    department: Short | None = None
    closes_on: date | None = None


class SuggestionPublic(BaseModel):
    number: str
    content: str
    likes: int


class ConsultationReport(BaseModel):
    consultation: ConsultationPublic
    suggestions: int
    participants: int
    viewers: int
    participation_rate: float | None = Field(
        description="participants / residents who opened the consultation; null before anyone opened it"
    )
    likes: int
    top: list[SuggestionPublic]


class ServicePublic(BaseModel):
    name: str
    department: str
    category: str
    online: bool
    process_days: int
    fee: str
    place: str
    materials: list[Any]
    offline_steps: list[Any]


class StatusChange(Strict):
    status: Short
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class Assignment(Strict):
    department: Short | None = None
    category: Short | None = Field(default=None, description="level-1 category; 'level1/level2' is split")
    subcategory: Short | None = None
    agent: Short | None = None


class StaffCreate(Strict):
    username: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_.-]{3,64}$")]
    display_name: Short
    role: Annotated[str, StringConstraints(pattern=r"^(agent|supervisor|admin|grid_officer)$")]
    password: Annotated[str, StringConstraints(min_length=10, max_length=128)]
    # An agent's department: the only cases it works (api/case_access.py); none: the 12345 centre's, every case.
    department: Short | None = None


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    display_name: str


# Staff answers -------------------------------------------------------------------------------------
# Every staff route declares one of these, so the console's API is typed in the OpenAPI document.


class StaffMe(BaseModel):
    username: str
    role: str
    display_name: str
    department: str | None = None


class UserCreated(BaseModel):
    username: str
    role: str


class CaseSummary(BaseModel):
    """A row of a staff list: no personal data beyond the masked contact."""

    number: str
    kind: str
    status: str
    status_text: str
    service: str | None
    department: str | None
    category: str | None
    assigned_to: str | None
    contact_name: str | None
    contact_phone: str | None
    channel: str
    created_at: str
    deadline: str | None
    card: str = Field(description="none | green | yellow | red: how close an open case is to its deadline")


class RoutingSuggestion(BaseModel):
    """One of the router's best level-1 categories for a case, best first."""

    category: str
    subcategory: str | None
    department: str | None
    score: float


class CaseList(BaseModel):
    total: int
    items: list[CaseSummary]


class TranscriptEntry(BaseModel):
    role: str
    text: str
    at: str | None = None


class SupervisionEventPublic(BaseModel):
    """A 督办 event: a yellow or red card (by "system"), a supervisor's note, or a deadline extension."""

    id: int
    kind: str = Field(description="yellow | red | note | extension | repeat (the resident reported it again)")
    kind_text: str
    at: str
    by: str = Field(description='the supervisor\'s username, or "system" for the cards and repeat reports')
    note: str | None = Field(description="the note, or the extension's reason")
    deadline: str | None = Field(description="the case's deadline then (before an extension)")
    new_deadline: str | None = Field(description="the extended deadline")


class SupervisionNotice(SupervisionEventPublic):
    """A 督办 event with its case, as the console lists and receives it."""

    type: str = "supervision"
    number: str
    department: str | None


class StaffCaseView(CaseSummary):
    """A case as staff read it: the list row's columns, then the columns of its own kind; personal data
    masked unless revealed. Routes answer with `response_model_exclude_unset`, so a case shows only its own
    kind's columns, not the other kinds' as nulls."""

    allowed_status: list[str] = Field(description="the statuses the case may move to next")
    sender: str | None
    updated_at: str
    # routing (docs/routing.md "Routing cases"); `category` is a level-1 name or null
    subcategory: str | None = None
    place: str | None = None
    routed_by: str | None = Field(
        default=None, description='"model", "caller" or the username of the agent who dispatched it; null: not routed'
    )
    routing_confidence: float | None = Field(default=None, description="the router's confidence, 0..1")
    routing_alternatives: list[RoutingSuggestion] | None = None
    # application
    id_number: str | None = None
    address: str | None = None
    notes: str | None = None
    expected_completion: str | None = None
    # complaint
    description: str | None = None
    # suggestion
    consultation_id: int | None = None
    topic: str | None = None
    content: str | None = None
    likes: int | None = None
    # ticket
    summary: str | None = None
    origin: str | None = None
    transcript: list[TranscriptEntry] | None = None
    suggestions: list[dict[str, Any]] | None = None
    supervision: list[SupervisionEventPublic] | None = Field(
        default=None, description="督办 history (GET /api/staff/cases/{number} only), oldest first"
    )


class TriageCase(BaseModel):
    """A case waiting for an agent to choose its department (待分拨): the router was not sure enough."""

    number: str
    kind: str
    status: str
    status_text: str
    service: str | None
    category: str | None = Field(description="the router's suggestion (level-1)")
    subcategory: str | None
    routed_by: str | None
    routing_confidence: float | None
    alternatives: list[RoutingSuggestion] = Field(description="the router's best level-1 categories, best first")
    text: str = Field(description="the resident's text (complaint description, ticket summary); contact data masked")
    channel: str
    created_at: str
    deadline: str | None
    card: str


class TriageList(BaseModel):
    threshold: float = Field(description="routing_confidence_threshold: below it a case waits here")
    total: int
    items: list[TriageCase]


class CategoryCount(BaseModel):
    category: str
    count: int


class ServiceSatisfaction(BaseModel):
    service: str | None
    count: int
    average: float
    share_4_5: float


class DepartmentCount(BaseModel):
    department: str | None = Field(description="null: no department named or found")
    count: int


class StaffStats(BaseModel):
    cases: dict[str, dict[str, int]] = Field(description="kind -> status -> count")
    open_cards: dict[str, int] = Field(description="open cases with a yellow / red card")
    top_categories: list[CategoryCount]
    satisfaction: list[ServiceSatisfaction]
    commendations: list[DepartmentCount] = Field(description="commendations per department, most first")


class CommendationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str = Field(description="phone and ID numbers masked")
    department: str | None
    service: str | None
    channel: str
    created_at: datetime


class CommendationList(BaseModel):
    total: int
    items: list[CommendationPublic]


class AuditEntryPublic(BaseModel):
    at: str
    actor: str
    role: str
    action: str
    target: str | None
    detail: dict[str, Any]


class KnowledgeReloaded(BaseModel):
    services: int


# Handoff (12345 agent console) ---------------------------------------------------------------------


class ConversationRow(BaseModel):
    sender: str
    channel: str
    state: str
    ticket: str | None
    agent: str | None
    since: float = Field(description="epoch seconds of the escalation")
    age_seconds: int
    card: str
    last_message: str | None


class OpenTicket(CaseSummary):
    summary: str
    age_seconds: int


class HandoffQueue(BaseModel):
    conversations: list[ConversationRow]
    tickets: list[OpenTicket]


class LinePublic(BaseModel):
    role: str
    text: str
    at: float
    agent: str | None
    buttons: list[dict[str, str]] | None
    seq: int
    message: dict[str, Any] = Field(description="the line as the resident's channel shows it (`POST /api/chat` shape)")


class ConversationDetail(BaseModel):
    conversation: ConversationRow
    ticket: StaffCaseView | None
    lines: list[LinePublic]
    suggestions: SearchResult


class ReplySent(LinePublic):
    delivered: bool


class HandoffClosed(BaseModel):
    state: str
    ticket: str | None


class CategoryEntry(BaseModel):
    departments: list[str]
    level2: list[str]


class CategoryTable(BaseModel):
    categories: dict[str, CategoryEntry]
