"""Request and response bodies of the gateway."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from contract.personal_data import PersonalDataError, normalize_id_number, normalize_name, normalize_phone


def _wrap(fn: Any) -> Any:
    def check(value: str) -> str:
        try:
            return str(fn(value))
        except PersonalDataError as exc:
            raise ValueError(str(exc)) from None

    return check


IdNumber = Annotated[str, AfterValidator(_wrap(normalize_id_number))]
Phone = Annotated[str, AfterValidator(_wrap(normalize_phone))]
PersonName = Annotated[str, AfterValidator(_wrap(normalize_name))]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Sender = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Channel = Annotated[str, StringConstraints(pattern=r"^(api|web|wechat|hotline|rasa)$")]


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
    description: LongText
    phone: Phone
    name: PersonName | None = None
    service: Short | None = None
    department: Short | None = None
    sender: Sender | None = None
    channel: Channel = "api"


class SuggestionCreate(Strict):
    content: LongText
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
    case_number: Annotated[str, StringConstraints(pattern=r"^(LA|TS|JY|GD)\d{8,}$")] | None = None
    service: Short | None = None
    sender: Sender | None = None


class TranscriptLine(BaseModel):
    role: Annotated[str, StringConstraints(pattern=r"^(resident|bot|agent)$")]
    text: Annotated[str, StringConstraints(max_length=4000)]
    at: datetime | None = None


class TicketCreate(Strict):
    summary: Text
    sender: Sender | None = None
    channel: Channel = "hotline"
    phone: Phone | None = None
    name: PersonName | None = None
    category: Short | None = None
    department: Short | None = None
    service: Short | None = None
    transcript: list[TranscriptLine] = []
    suggestions: list[dict[str, Any]] = []


class CaseCreated(BaseModel):
    number: str
    kind: str
    status: str
    department: str | None = None
    deadline: datetime | None = None
    expected_completion: date | None = None
    service: str | None = None

    @classmethod
    def of(cls, case: Any) -> CaseCreated:
        """The answer to any filing: the fields every case kind has, plus an expected date if it has one."""
        return cls(
            number=case.number,
            kind=case.kind,
            status=case.status,
            department=case.department,
            deadline=case.deadline,
            expected_completion=getattr(case, "expected_completion", None),
            service=case.service,
        )


class CaseStatusPublic(BaseModel):
    number: str
    kind: str
    status: str
    status_text: str
    deadline: datetime | None = None
    department: str | None = None
    expected_completion: date | None = None
    updated_at: datetime


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
    category: Short | None = None
    agent: Short | None = None


class StaffCreate(Strict):
    username: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_.-]{3,64}$")]
    display_name: Short
    role: Annotated[str, StringConstraints(pattern=r"^(agent|supervisor|admin)$")]
    password: Annotated[str, StringConstraints(min_length=10, max_length=128)]


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    display_name: str
