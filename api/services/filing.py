"""Filing a resident's application, complaint or suggestion, and a 12345 ticket."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.cases import file_case
from api.errors import ApiError
from api.models import Application, Case, Complaint, FilingLock, Service, Suggestion, Ticket, utcnow
from api.runtime import Runtime
from api.schemas import ApplicationCreate, ComplaintCreate, SuggestionCreate, TicketCreate
from api.services import moderation
from api.services.case_routing import city_department, place_in, route_case
from api.services.consultations import find_consultation, mark_viewed
from api.services.repeat_reports import earlier_report, link_repeat

_C = TypeVar("_C", bound=Case)


def text_hash(text: str) -> str:
    """sha256 of the text with its whitespace collapsed: a retry that re-wraps the lines is the same text."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def query_code() -> str:
    """What a resident filing without a phone checks the status with instead of a phone's last 4 digits.
    Random from `secrets`: a guessable code would let anyone read the status of numbered cases."""
    return f"{secrets.randbelow(10_000):04d}"


def duplicate_of(session: Session, runtime: Runtime, model: type[_C], sender: str | None, digest: str) -> _C | None:
    """The case of this kind that `sender` filed with the same text within `filing_dedupe_minutes`, if any.

    Concurrency: the resident's `filing_locks` row is upserted first (INSERT … ON CONFLICT DO UPDATE, the same
    statement on SQLite and PostgreSQL). On PostgreSQL that takes the row's lock until the transaction ends, so a
    second identical post of the same resident waits for the first to commit, and its SELECT (a new statement
    under READ COMMITTED) then sees the first case. On SQLite every write transaction starts with BEGIN IMMEDIATE
    (api/db.py), which already serialises them. Only one resident's filings wait for each other. A unique
    constraint could not express "within 10 minutes" (a sliding window), hence the lock row.
    """
    minutes = runtime.settings.filing_dedupe_minutes
    if not sender or minutes <= 0:
        return None
    now = utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    upsert = insert(FilingLock).values(sender=sender, at=now)
    session.execute(upsert.on_conflict_do_update(index_elements=[FilingLock.sender], set_={"at": now}))
    query = (
        select(model)
        .where(model.sender == sender, model.text_hash == digest, model.created_at >= now - timedelta(minutes=minutes))
        .order_by(model.created_at.desc(), model.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _origin(phone: str | None, name: str | None, sender: str | None, channel: str) -> dict[str, Any]:
    """Who filed the case and through which channel: the columns every kind has."""
    return {"contact_phone": phone, "contact_name": name, "sender": sender, "channel": channel}


def file_application(session: Session, runtime: Runtime, body: ApplicationCreate) -> Application:
    service = session.get(Service, body.service)
    if service is None:
        raise ApiError(422, "unknown_service", f"没有找到“{body.service}”这项服务，请核对事项名称")
    if not service.online:
        raise ApiError(
            422,
            "not_online",
            f"“{service.name}”暂不支持在线申请，请携带材料到现场办理。办理地点：{service.place}",
            place=service.place,
        )
    now = utcnow()
    today = now.astimezone(runtime.calendar.tz).date()
    application = Application(
        service=service.name,
        department=service.department,
        category=service.category,
        id_number=body.id_number,
        address=body.address,
        notes=body.notes,
        expected_completion=runtime.calendar.add_workdays(today, service.process_days),
        **_origin(body.phone, body.applicant_name, body.sender, body.channel),
    )
    file_case(session, application, runtime.settings, runtime.calendar, now=now)
    return application


@dataclass(frozen=True)
class FiledComplaint:
    complaint: Complaint
    # False: the same sender filed the same text a moment ago, and this is that complaint.
    created: bool
    # The sender's earlier case this one reports again (api/services/repeat_reports.py), linked when filed.
    earlier: Case | None = None


def file_complaint(session: Session, runtime: Runtime, body: ComplaintCreate) -> FiledComplaint:
    digest = text_hash(body.description)
    existing = duplicate_of(session, runtime, Complaint, body.sender, digest)
    if existing is not None:
        return FiledComplaint(existing, created=False)
    complaint = Complaint(
        description=body.description,
        text_hash=digest,
        service=body.service,
        **_origin(body.phone, body.name, body.sender, body.channel),
    )
    department = city_department(runtime, body.department)
    route_case(session, runtime, complaint, body.description, department=department, asked_service=body.asked_service)
    complaint.place = body.place or place_in(body.description)
    if body.phone is None:
        complaint.phone_last4 = query_code()
    file_case(session, complaint, runtime.settings, runtime.calendar)
    earlier = earlier_report(session, complaint.sender, body.description, complaint.category, exclude=complaint.id)
    if earlier is not None:
        link_repeat(session, complaint, earlier)
        # "上次反映的路灯还没修" need not say again where: the earlier case knows (the assistant did not ask).
        complaint.place = complaint.place or earlier.place
    return FiledComplaint(complaint, created=True, earlier=earlier)


def file_suggestion(session: Session, runtime: Runtime, body: SuggestionCreate) -> Suggestion:
    department = None
    if body.consultation_id is not None:
        consultation = find_consultation(session, body.consultation_id)
        if consultation.status != "open":
            raise ApiError(409, "consultation_closed", "该意见征集已结束，欢迎关注其他征集活动")
        department = consultation.department
    elif not body.topic:
        raise ApiError(422, "topic_required", "请选择一个意见征集活动，或写明建议的主题")
    suggestion = Suggestion(
        consultation_id=body.consultation_id,
        topic=body.topic,
        content=moderation.masked(body.content),
        department=department,
        likes=0,
        **_origin(body.phone, None, body.sender, body.channel),
    )
    file_case(session, suggestion, runtime.settings, runtime.calendar, actor=body.sender)
    moderation.hold_if_sensitive(session, suggestion)
    if body.consultation_id is not None:
        # Writing a suggestion means having seen the consultation, even through a chat shortcut.
        mark_viewed(session, body.consultation_id, body.sender)
    return suggestion


def file_ticket(
    session: Session, runtime: Runtime, body: TicketCreate, *, origin: str, actor: str, role: str
) -> tuple[Ticket, bool]:
    """A 12345 ticket: escalated by the assistant (origin "bot") or taken on the phone by an agent; and whether
    it is new (False: the same sender filed the same summary a moment ago, this is that ticket)."""
    digest = text_hash(body.summary)
    existing = duplicate_of(session, runtime, Ticket, body.sender, digest)
    if existing is not None:
        return existing, False
    ticket = Ticket(
        origin=origin,
        summary=body.summary,
        text_hash=digest,
        service=body.service,
        transcript=[line.model_dump(mode="json") for line in body.transcript],
        suggestions=body.suggestions,
        **_origin(body.phone, body.name, body.sender, body.channel),
    )
    department = city_department(runtime, body.department)
    route_case(session, runtime, ticket, body.summary, category=body.category, department=department)
    ticket.place = place_in(body.summary)
    if origin == "agent":
        ticket.assigned_to = actor
    file_case(session, ticket, runtime.settings, runtime.calendar, actor=actor, role=role)
    return ticket, True
