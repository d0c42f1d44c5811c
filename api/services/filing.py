"""Filing a resident's application, complaint or suggestion, and a 12345 ticket."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from api.cases import file_case
from api.errors import ApiError
from api.models import Application, Complaint, Service, Suggestion, Ticket, utcnow
from api.runtime import Runtime
from api.schemas import ApplicationCreate, ComplaintCreate, SuggestionCreate, TicketCreate
from api.services.case_routing import route_case
from api.services.consultations import find_consultation, mark_viewed


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


def file_complaint(session: Session, runtime: Runtime, body: ComplaintCreate) -> Complaint:
    complaint = Complaint(
        description=body.description,
        service=body.service,
        **_origin(body.phone, body.name, body.sender, body.channel),
    )
    route_case(session, runtime, complaint, body.description, department=body.department)
    if body.phone is None:
        # The resident checks the status with this code instead of a phone's last 4 digits. Random from
        # `secrets`: a guessable code would let anyone read the status of numbered complaints.
        complaint.phone_last4 = f"{secrets.randbelow(10_000):04d}"
    file_case(session, complaint, runtime.settings, runtime.calendar)
    return complaint


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
        content=body.content,
        department=department,
        likes=0,
        **_origin(body.phone, None, body.sender, body.channel),
    )
    file_case(session, suggestion, runtime.settings, runtime.calendar, actor=body.sender)
    if body.consultation_id is not None:
        # Writing a suggestion means having seen the consultation, even through a chat shortcut.
        mark_viewed(session, body.consultation_id, body.sender)
    return suggestion


def file_ticket(
    session: Session, runtime: Runtime, body: TicketCreate, *, origin: str, actor: str, role: str
) -> Ticket:
    """A 12345 ticket: escalated by the assistant (origin "bot") or taken on the phone by an agent."""
    ticket = Ticket(
        summary=body.summary,
        origin=origin,
        service=body.service,
        transcript=[line.model_dump(mode="json") for line in body.transcript],
        suggestions=body.suggestions,
        **_origin(body.phone, body.name, body.sender, body.channel),
    )
    route_case(session, runtime, ticket, body.summary, category=body.category, department=body.department)
    if origin == "agent":
        ticket.assigned_to = actor
    file_case(session, ticket, runtime.settings, runtime.calendar, actor=actor, role=role)
    return ticket
