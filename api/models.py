"""The case store: SQLAlchemy models.

Every case kind (application, complaint, suggestion, hotline ticket, and later budget proposals or grid
incident reports) is a subclass of `Case` (joined-table inheritance): the shared columns (number, status,
deadline, department, contact) live in `cases`, so status lookups, staff lists, deadlines and audit work
for every kind. A kind's prefix, statuses, transitions and deadline come from its `contract.case_kinds`
entry (the table the actions and the NLU read too); adding a kind is a contract entry plus a subclass.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from api.personal_data import decrypt, encrypt
from api.settings import get_settings
from contract import case_kinds
from contract.case_kinds import CaseKind


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class EncryptedText(TypeDecorator[str]):
    """Personal data encrypted at rest with PII_KEY; plaintext never reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return encrypt(value, get_settings().pii_key) if value is not None else None

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return decrypt(value, *get_settings().pii_keys) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Service(Base):
    """Service catalogue, synchronised from the knowledge base files at start-up and on reload."""

    __tablename__ = "services"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(32))
    online: Mapped[bool] = mapped_column(Boolean)
    process_days: Mapped[int] = mapped_column(Integer)
    fee: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(Text)
    materials: Mapped[list[Any]]
    offline_steps: Mapped[list[Any]] = mapped_column(default=list)


class Case(Base):
    __tablename__ = "cases"

    SPEC: ClassVar[CaseKind]  # prefix, status pipeline and deadline of the subclass's kind

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    service: Mapped[str | None] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(64), index=True)
    # Level-1 category (one of categories.yaml's) and level-2; rows before 0004 may hold "level1/level2"
    # in `category` (the migration splits them; `case_views.split_category` reads any left).
    category: Mapped[str | None] = mapped_column(String(64))
    subcategory: Mapped[str | None] = mapped_column(String(64))
    # Who chose the category/department: "model" (the request router), "caller" (given when filing) or the
    # username of the agent who dispatched or assigned it. Null: not routed (filed before 0004, or no router).
    routed_by: Mapped[str | None] = mapped_column(String(64), index=True)
    routing_confidence: Mapped[float | None] = mapped_column(Float)
    # The router's best level-1 alternatives ({category, subcategory, department, score}), for triage.
    routing_alternatives: Mapped[list[Any] | None] = mapped_column(JSON)
    # Where the request happens, as the resident wrote it or as knowledge/places.py read it from the text.
    place: Mapped[str | None] = mapped_column(String(200))
    # sha256 of the resident's text, whitespace collapsed (`api.services.filing.text_hash`): with `sender`, how
    # a retried or double-clicked complaint or ticket finds the case it already filed. Null for other kinds.
    text_hash: Mapped[str | None] = mapped_column(String(64))
    contact_name: Mapped[str | None] = mapped_column(EncryptedText)
    contact_phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_last4: Mapped[str | None] = mapped_column(String(4))
    sender: Mapped[str | None] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="api")
    assigned_to: Mapped[str | None] = mapped_column(String(64), index=True)
    deadline: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Indexed: the analytics summaries find the days whose cases changed (api/services/analytics_summary.py).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    __mapper_args__ = {"polymorphic_on": "kind"}
    __table_args__ = (
        Index("ix_cases_sender_text_hash", "sender", "text_hash"),
        # The analytics (migration 0008): open cases by deadline (cards, overdue) and, on PostgreSQL, a range's
        # cases with every column the dashboard groups by (index-only scans).
        Index("ix_cases_status_deadline", "status", "deadline", postgresql_include=["department", "channel"]),
        Index(
            "ix_cases_created_analytics",
            "created_at",
            postgresql_include=[
                "kind", "channel", "department", "status", "category", "subcategory", "service", "deadline",
                "updated_at",
            ],
        ).ddl_if(dialect="postgresql"),
    )  # fmt: skip

    @property
    def is_closed(self) -> bool:
        return self.SPEC.is_closed(self.status)

    @property
    def status_text(self) -> str:
        return self.SPEC.status_text(self.status)

    @property
    def deadline_runs(self) -> bool:
        """Still held to its deadline: can get a 督办 card (contract.case_kinds.CaseKind.deadline_runs)."""
        return self.SPEC.deadline_runs(self.status)


class Application(Case):
    """在线申请."""

    __tablename__ = "applications"
    SPEC = case_kinds.APPLICATION
    __mapper_args__ = {"polymorphic_identity": SPEC.kind}

    id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    id_number: Mapped[str] = mapped_column(EncryptedText)
    address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    expected_completion: Mapped[date] = mapped_column(Date)
    # Why it was not accepted, as staff told the applicant (masked): its status says it.
    decision_note: Mapped[str | None] = mapped_column(Text)

    @property
    def status_text(self) -> str:
        text = self.SPEC.status_text(self.status)
        return f"{text}，原因：{self.decision_note}" if self.status == "rejected" and self.decision_note else text


class Complaint(Case):
    """投诉: due 3 working days after filing."""

    __tablename__ = "complaints"
    SPEC = case_kinds.COMPLAINT
    __mapper_args__ = {"polymorphic_identity": SPEC.kind}

    id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    description: Mapped[str] = mapped_column(Text)


class Consultation(Base):
    """意见征集: a topic on which the city asks residents for suggestions."""

    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    closes_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsultationView(Base):
    """A resident who opened a consultation: the denominator of the participation rate."""

    __tablename__ = "consultation_views"
    __table_args__ = (UniqueConstraint("consultation_id", "sender"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Suggestion(Case):
    """意见建议 on a consultation or a free topic."""

    __tablename__ = "suggestions"
    SPEC = case_kinds.SUGGESTION
    __mapper_args__ = {"polymorphic_identity": SPEC.kind}

    id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"), index=True)
    topic: Mapped[str | None] = mapped_column(String(120))
    content: Mapped[str] = mapped_column(Text)  # as published: masked (api/services/moderation.py), maybe edited
    likes: Mapped[int] = mapped_column(Integer, default=0)
    # Moderation: the sensitive words that held it for review, the text before a reviewer's edit, and the
    # reviewer's note (an edit) or reason (a rejection, which its author reads in the status).
    flagged_words: Mapped[list[Any] | None] = mapped_column(JSON)
    original_content: Mapped[str | None] = mapped_column(Text)
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column()

    @property
    def status_text(self) -> str:
        text = self.SPEC.status_text(self.status)
        return f"{text}，原因：{self.review_note}" if self.status == "rejected" and self.review_note else text


class SuggestionLike(Base):
    __tablename__ = "suggestion_likes"
    __table_args__ = (UniqueConstraint("suggestion_id", "voter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SensitiveWord(Base):
    """An administrator's change to the sensitive-word list (api/services/moderation.py): a word added
    (`listed`) or a word of api/data/sensitive_words.txt taken off (not `listed`)."""

    __tablename__ = "sensitive_words"
    word: Mapped[str] = mapped_column(String(32), primary_key=True)
    listed: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ticket(Case):
    """12345 hotline ticket (工单): escalated from the assistant or created by an agent."""

    __tablename__ = "tickets"
    SPEC = case_kinds.TICKET
    __mapper_args__ = {"polymorphic_identity": SPEC.kind}

    id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    summary: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))  # "bot" (escalation) or "agent"
    transcript: Mapped[list[Any]] = mapped_column(default=list)
    suggestions: Mapped[list[Any]] = mapped_column(default=list)


class Evaluation(Base):
    """服务评价: 1-5 stars on a case or a service."""

    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        Index("ix_evaluations_created_at", "created_at", postgresql_include=["case_number", "service", "stars"]),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str | None] = mapped_column(String(24), index=True)
    service: Mapped[str | None] = mapped_column(String(64), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Commendation(Base):
    """表扬: a resident's praise. Not a case (no number, status or deadline) and never a complaint.

    The text is stored with phone and ID numbers masked (praise needs no call back, so they are never
    needed) and encrypted at rest: it often names people, the praised staff and sometimes the resident.
    """

    __tablename__ = "commendations"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(EncryptedText)
    department: Mapped[str | None] = mapped_column(String(64), index=True)
    service: Mapped[str | None] = mapped_column(String(64))
    sender: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16), default="api")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CaseCounter(Base):
    """Per prefix and day sequence behind case numbers (atomic increment, no collisions)."""

    __tablename__ = "case_counters"
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class FilingLock(Base):
    """One row per resident (`sender`) who filed a complaint or ticket. Filing first upserts it, which locks the
    row until the transaction ends (`api.services.filing.duplicate_of`): two identical posts of one resident
    then run one after the other, and the second finds the case of the first."""

    __tablename__ = "filing_locks"
    sender: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The department an agent works for: its cases' 督办 reach the agent's console (api/supervision.py).
    department: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A grid officer on leave: new incidents of their grids go to the grid's backup officer meanwhile.
    away: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


# The partial unique index's predicate, and the one `ON CONFLICT` names to find it: a literal, because PostgreSQL
# cannot match a bound parameter against the index once the insert runs as a prepared (generic) plan.
SUPERVISION_CARDS = text("kind IN ('yellow', 'red')")


# A resident reported the case's matter again (api/services/repeat_reports.py).
REPEAT = "repeat"
# A resident urged the case (api/services/urges.py).
URGE = "urge"
# A resident was not satisfied with the resolution and the case went back to be done again (api/services/reopening.py).
REOPEN = "reopen"
# A resident added to or corrected what their open case says (api/services/supplements.py).
SUPPLEMENT = "supplement"
# The events that are a resident's own follow-up of their case (its department hears each: api/services/departments.py).
RESIDENT_FOLLOW_UPS = frozenset({REPEAT, URGE, REOPEN, SUPPLEMENT})


class SupervisionEvent(Base):
    """督办 on a case: the scheduler's yellow and red cards, a supervisor's note or deadline extension, a resident's
    repeat report, urge or dissatisfaction with the resolution (reopen).

    A card is recorded once per case and deadline (the partial unique index), so two schedulers can never
    record it twice; a deadline extension gives the case a new deadline that may turn yellow and red again.
    """

    __tablename__ = "supervision_events"
    __table_args__ = (
        Index(
            "ux_supervision_card",
            "case_id",
            "kind",
            "deadline",
            unique=True,
            postgresql_where=SUPERVISION_CARDS,
            sqlite_where=SUPERVISION_CARDS,
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(
        String(16)
    )  # yellow | red | note | extension | repeat | urge | reopen | supplement
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    by: Mapped[str] = mapped_column(String(64))  # a staff username, or "system" for the cards
    note: Mapped[str | None] = mapped_column(Text)
    # The case's deadline when the event was recorded (the one a card is about; before an extension) ...
    deadline: Mapped[datetime | None]
    # ... and the extended one.
    new_deadline: Mapped[datetime | None]


class AuditEntry(Base):
    """Who did what to which case and when: every write, and every staff read of personal data."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AssistantTurn(Base):
    """One resident message the assistant answered, and what became of it (contract/turns.py outcomes): the
    analytics' self-service, handoff and fallback rates and answer latency. No raw sender id is kept."""

    __tablename__ = "assistant_turns"
    __table_args__ = (
        Index(
            "ix_assistant_turns_at_analytics",
            "at",
            postgresql_include=["channel", "sender_hash", "outcome", "latency_ms", "service"],
        ).ddl_if(dialect="postgresql"),
        # A latency percentile's exact value among the turns of its bucket (api/services/analytics.py).
        Index("ix_assistant_turns_latency", "latency_ms", postgresql_include=["at", "channel"]),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    sender_hash: Mapped[str] = mapped_column(String(64))  # keyed hash (api/turns.py `sender_hash`)
    outcome: Mapped[str] = mapped_column(String(16))  # answered, unanswered, handoff, case or other
    latency_ms: Mapped[int] = mapped_column(Integer)
    service: Mapped[str | None] = mapped_column(String(64))


class UnansweredGroup(Base):
    """未解答问题: similar resident questions the assistant could not answer (api/services/unanswered.py).

    `status`: open, attached (its questions were added to `service`'s sample questions) or out_of_scope.
    `since_resolved` counts the questions that still went unanswered after that.
    """

    __tablename__ = "unanswered_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    example: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    service: Mapped[str | None] = mapped_column(String(64))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column()
    since_resolved: Mapped[int] = mapped_column(Integer, default=0)


class UnansweredQuestion(Base):
    """One distinct unanswered question (masked), in exactly one group, with how often it was asked."""

    __tablename__ = "unanswered_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("unanswered_groups.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(200), unique=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class Community(Base):
    """A residential community (社区/小区) whose incidents residents report; maintained by administrators."""

    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    district: Mapped[str | None] = mapped_column(String(32))
    sample: Mapped[bool] = mapped_column(Boolean, default=False)  # seeded sample data (样例)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GridOfficer(Base):
    """An officer (staff role grid_officer) who works a grid; a grid may have several, taking turns."""

    __tablename__ = "grid_officers"
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)


class Grid(Base):
    """网格: part of a community, looked after by its officers; `turn` counts the incidents given out in turn."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    backup_officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    turn: Mapped[int] = mapped_column(Integer, default=0)


class Building(Base):
    """A building of a community, in exactly one grid. `key` is how residents' texts are matched ("3" for
    "3栋", "3号楼", "三幢": contract/community_places.py); `label` is how it is shown."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("community_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(32))


class Incident(Case):
    """社区事件 (SQ): reported in chat, assigned to the grid officer of the building (`assigned_to`), with a
    response deadline in hours (`deadline`, met when `accepted_at` comes first)."""

    __tablename__ = "incidents"
    SPEC = case_kinds.INCIDENT
    __mapper_args__ = {"polymorphic_identity": SPEC.kind}

    id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    incident_kind: Mapped[str] = mapped_column(String(8))  # one of contract.community_places.INCIDENT_KINDS
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"), index=True)
    building: Mapped[str | None] = mapped_column(String(16))  # the building's key
    unit: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    photo_ids: Mapped[list[Any]] = mapped_column(default=list)
    accepted_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    result_note: Mapped[str | None] = mapped_column(Text)


class IncidentUpdate(Base):
    """What an officer did on an incident (accept, progress note, resolve), as the resident was told."""

    __tablename__ = "incident_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # accept | progress | resolve | reopen (by the resident)
    note: Mapped[str | None] = mapped_column(Text)
    photo_id: Mapped[str | None] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Photo(Base):
    """An uploaded photo (api/services/photos.py): the file is stored under PHOTO_DIR by its random id; the
    row says whose it is (a resident's `sender`, or the staff member who uploaded it)."""

    __tablename__ = "photos"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str | None] = mapped_column(String(128), index=True)
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BudgetRound(Base):
    """参与式预算: one round of a street's or community's budget. Staff move it through the phases of
    contract.budget.PHASES; the dates are what residents are told, the phase is what the gateway enforces."""

    __tablename__ = "budget_rounds"
    __table_args__ = (
        CheckConstraint("budget_yuan > 0", name="budget_positive"),
        CheckConstraint("max_choices >= 1", name="max_choices_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    area: Mapped[str] = mapped_column(String(64))  # the street or community whose budget it is
    budget_yuan: Mapped[int] = mapped_column(BigInteger)
    max_choices: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(16), index=True)
    proposals_until: Mapped[date] = mapped_column(Date)
    review_until: Mapped[date] = mapped_column(Date)
    voting_until: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    results_at: Mapped[datetime | None] = mapped_column()  # when the results were published
    sample: Mapped[bool] = mapped_column(Boolean, default=False)  # seeded sample data (样例)


class Proposal(Case):
    """预算项目提议 (YS): a resident's project for a round; `place` is the shared column of every case."""

    __tablename__ = "proposals"
    SPEC = case_kinds.PROPOSAL
    __mapper_args__ = {"polymorphic_identity": SPEC.kind}

    id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_rounds.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)  # phone and ID numbers masked: it is published
    rough_cost_yuan: Mapped[int] = mapped_column(BigInteger)
    # The review panel's decision, all public: the reason residents read and the cost the vote works with.
    cost_estimate_yuan: Mapped[int | None] = mapped_column(BigInteger)
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    votes: Mapped[int | None] = mapped_column(Integer)  # counted when the results are published

    @property
    def cost_yuan(self) -> int:
        return self.cost_estimate_yuan if self.cost_estimate_yuan is not None else self.rough_cost_yuan

    @property
    def status_text(self) -> str:
        text = self.SPEC.status_text(self.status)
        return f"{text}，原因：{self.review_reason}" if self.status == "rejected" and self.review_reason else text


class Ballot(Base):
    """One verified voter's ballot in a round (the unique constraint); changing it replaces its choices.
    `voter` is a keyed hash of the identity (a WeChat openid or a confirmed phone): no personal data."""

    __tablename__ = "budget_ballots"
    __table_args__ = (UniqueConstraint("round_id", "voter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("budget_rounds.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(64))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class BallotChoice(Base):
    """A project a ballot chooses: the rows the results count."""

    __tablename__ = "budget_ballot_choices"
    ballot_id: Mapped[int] = mapped_column(ForeignKey("budget_ballots.id", ondelete="CASCADE"), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ProposalProgress(Base):
    """An implementation update on a funded project, public on the budget page."""

    __tablename__ = "proposal_progress"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # the project's status after the update


class PhoneCode(Base):
    """A one-time code sent by SMS (api/sms.py): only keyed hashes of the phone and the code are kept."""

    __tablename__ = "phone_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class PropertyGrant(Base):
    """A resident's owner check for one property (api/services/property_access.py): pending while the code texted
    to the owner's phone is unanswered, then a grant to look the property up until `granted_until`. Keyed hashes
    only: of the resident and certificate together, and of the phone (as in PhoneCode)."""

    __tablename__ = "property_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    access_key: Mapped[str] = mapped_column(String(64), unique=True)
    phone_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(index=True)
    granted_until: Mapped[datetime | None] = mapped_column()


_MODELS: dict[str, type[Case]] = {
    cls.SPEC.kind: cls for cls in (Application, Complaint, Suggestion, Ticket, Incident, Proposal)
}
# The model of every kind of the contract's table, in its order; a kind without a model fails at import.
CASE_KINDS: dict[str, type[Case]] = {kind: _MODELS[kind] for kind in case_kinds.CASE_KINDS}
KIND_BY_PREFIX: dict[str, type[Case]] = {spec.prefix: CASE_KINDS[spec.kind] for spec in case_kinds.CASE_KINDS.values()}

__all__ = [
    "CASE_KINDS",
    "KIND_BY_PREFIX",
    "Application",
    "AssistantTurn",
    "AuditEntry",
    "Ballot",
    "BallotChoice",
    "Base",
    "Case",
    "CaseCounter",
    "BudgetRound",
    "Building",
    "Commendation",
    "Community",
    "Complaint",
    "Consultation",
    "ConsultationView",
    "Evaluation",
    "FilingLock",
    "Grid",
    "GridOfficer",
    "Incident",
    "IncidentUpdate",
    "PhoneCode",
    "PropertyGrant",
    "Photo",
    "Proposal",
    "ProposalProgress",
    "SensitiveWord",
    "Service",
    "StaffUser",
    "Suggestion",
    "SuggestionLike",
    "SupervisionEvent",
    "Ticket",
    "UnansweredGroup",
    "UnansweredQuestion",
]


class RoutingCorrection(Base):
    """An agent put a model-routed case under another category: the case's text (masked) with the category it
    should have had, exported as training data (GET /api/staff/routing/corrections.tsv)."""

    __tablename__ = "routing_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    predicted_category: Mapped[str | None] = mapped_column(String(64))
    predicted_subcategory: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    subcategory: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(64))
    corrected_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CaseEmbedding(Base):
    """The sentence embedding of a case's masked text: the 相似工单 panel (api/services/similar_cases.py)."""

    __tablename__ = "case_embeddings"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# A delivery still to be sent: the worker's queue (api/department_deliveries.py), delivered and dead ones left out.
DELIVERY_DUE = text("delivered_at IS NULL AND NOT dead")


class DepartmentEndpoint(Base):
    """A department's system (docs/departments.md): where its dispatched cases are delivered (a signed webhook),
    where its records are looked up, and the credential it reports back with (only its sha256 is kept: the
    credential is shown once, when registered or rotated)."""

    __tablename__ = "department_endpoints"
    department: Mapped[str] = mapped_column(String(64), primary_key=True)  # as in knowledge/categories.yaml
    webhook_url: Mapped[str] = mapped_column(String(500))
    signing_secret: Mapped[str] = mapped_column(EncryptedText)
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The department's record lookups (GET {lookup_url}/property?certificate=...); None: it offers none.
    lookup_url: Mapped[str | None] = mapped_column(String(500))
    # Its own lookup timeout; None: DEPARTMENT_LOOKUP_TIMEOUT_SECONDS.
    lookup_timeout_seconds: Mapped[float | None] = mapped_column(Float)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)  # the local stand-in service (样例)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    credential_rotated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DepartmentDelivery(Base):
    """One case event to deliver to a department's webhook: retried with backoff until delivered, or dead after
    DEPARTMENT_DELIVERY_MAX_ATTEMPTS (the console's dead-letter list, where an administrator retries it)."""

    __tablename__ = "department_deliveries"
    __table_args__ = (
        Index(
            "ix_department_deliveries_due",
            "next_attempt_at",
            postgresql_where=DELIVERY_DUE,
            sqlite_where=DELIVERY_DUE,
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # Queued in the flush that files the case (api/services/departments.py), before the case has its id.
    case: Mapped[Case] = relationship()
    department: Mapped[str] = mapped_column(String(64), index=True)
    event: Mapped[str] = mapped_column(String(32))  # case.dispatched
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When a worker may send it next: claiming it moves this past the send's timeout, so no other worker does.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column()
    dead: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class _AnalyticsDay:
    """A row of a per-day analytics summary (migration 0014, api/services/analytics_summary.py): one local day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)


class AnalyticsCaseDay(_AnalyticsDay, Base):
    """Cases filed on a day per kind: how many, how many with a deadline, closed by it or after it, and the
    working days the closed ones took (with the calendar named in AnalyticsSummaryState)."""

    __tablename__ = "analytics_case_days"
    channel: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    cases: Mapped[int] = mapped_column(Integer)
    due: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    closed_late: Mapped[int] = mapped_column(Integer)
    closed_due: Mapped[int] = mapped_column(Integer)
    handling_workdays: Mapped[int] = mapped_column(Integer)


class AnalyticsCategoryDay(_AnalyticsDay, Base):
    """Cases filed on a day per category as stored (level 1, possibly "level1/level2" before 0004) and level 2."""

    __tablename__ = "analytics_category_days"
    channel: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    subcategory: Mapped[str | None] = mapped_column(String(64))
    cases: Mapped[int] = mapped_column(Integer)


class AnalyticsComplaintDay(_AnalyticsDay, Base):
    """Complaints filed on a day per service complained about."""

    __tablename__ = "analytics_complaint_days"
    channel: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(64))
    cases: Mapped[int] = mapped_column(Integer)


class AnalyticsRatingDay(_AnalyticsDay, Base):
    """Evaluations made on a day per service (the evaluation's or its case's); `department` and `channel` are the
    case's (the service's department is looked up when read, so a catalogue change shows at once)."""

    __tablename__ = "analytics_rating_days"
    channel: Mapped[str | None] = mapped_column(String(16))  # none: an evaluation of a service, no case
    department: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(64))
    ratings: Mapped[int] = mapped_column(Integer)
    stars: Mapped[int] = mapped_column(Integer)
    good: Mapped[int] = mapped_column(Integer)


class AnalyticsTurnDay(_AnalyticsDay, Base):
    """Assistant turns on a day per channel and service asked about: how many, how many unanswered."""

    __tablename__ = "analytics_turn_days"
    channel: Mapped[str] = mapped_column(String(16))
    service: Mapped[str | None] = mapped_column(String(64))
    turns: Mapped[int] = mapped_column(Integer)
    unanswered: Mapped[int] = mapped_column(Integer)


class AnalyticsConversationDay(_AnalyticsDay, Base):
    """A resident's turns on a day and channel: whether one was answered, handed off, or ended in a person or a
    case (1 or 0), so that a range counts each resident once, whatever the days."""

    __tablename__ = "analytics_conversation_days"
    channel: Mapped[str] = mapped_column(String(16))
    sender_hash: Mapped[str] = mapped_column(String(64))
    answered: Mapped[int] = mapped_column(Integer)
    handoff: Mapped[int] = mapped_column(Integer)
    helped: Mapped[int] = mapped_column(Integer)


class AnalyticsLatencyDay(_AnalyticsDay, Base):
    """Assistant turns on a day per channel and latency bucket (two significant digits of the milliseconds): a
    percentile's bucket is found here and its exact value among the turns of that bucket only."""

    __tablename__ = "analytics_latency_days"
    channel: Mapped[str] = mapped_column(String(16))
    bucket: Mapped[int] = mapped_column(Integer)
    turns: Mapped[int] = mapped_column(Integer)


class AnalyticsSummaryState(Base):
    """One row: cases changed and evaluations made before `summarised_at` are in the summaries, which counted
    working days with the holiday calendar `calendar_key`."""

    __tablename__ = "analytics_summary_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    summarised_at: Mapped[datetime]
    calendar_key: Mapped[str] = mapped_column(String(64))
    # The cases ([id, updated_at]), evaluations and turns ([id]) of the last SETTLE before `summarised_at` already
    # summarised: looked at again (they may have been committed late), summarised again only if new.
    recent: Mapped[dict[str, Any]] = mapped_column(JSON)
