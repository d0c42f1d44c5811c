"""How staff see a case: every column of its kind, personal data masked unless revealed (and audited)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect

from api.cases import STATUS_TEXT
from api.models import Case
from api.workdays import WorkCalendar
from contract.personal_data import mask_id_number, mask_name, mask_phone, mask_text

_MASKS = {"contact_name": mask_name, "contact_phone": mask_phone, "id_number": mask_id_number}
_HIDDEN = {"id", "phone_last4"}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def staff_view(case: Case, calendar: WorkCalendar, now: datetime, *, reveal: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for column in inspect(type(case)).columns:
        key = column.key
        if key in _HIDDEN or key in view:
            continue
        value = getattr(case, key)
        if not reveal and key in _MASKS:
            value = _MASKS[key](value)
        view[key] = _plain(value)
    if not reveal and isinstance(view.get("transcript"), list):
        view["transcript"] = [{**line, "text": mask_text(str(line.get("text", "")))} for line in view["transcript"]]
    view["status_text"] = STATUS_TEXT.get(case.status, case.status)
    view["card"] = calendar.card(now, case.deadline).value if not case.is_closed else "none"
    view["allowed_status"] = sorted(case.TRANSITIONS.get(case.status, ()))
    return view


def summary_view(case: Case, calendar: WorkCalendar, now: datetime) -> dict[str, Any]:
    """The row of a staff list: no personal data beyond the masked contact."""
    return {
        "number": case.number,
        "kind": case.kind,
        "status": case.status,
        "status_text": STATUS_TEXT.get(case.status, case.status),
        "service": case.service,
        "department": case.department,
        "category": case.category,
        "assigned_to": case.assigned_to,
        "contact_name": mask_name(case.contact_name),
        "contact_phone": mask_phone(case.contact_phone),
        "channel": case.channel,
        "created_at": _plain(case.created_at),
        "deadline": _plain(case.deadline),
        "card": calendar.card(now, case.deadline).value if not case.is_closed else "none",
    }
