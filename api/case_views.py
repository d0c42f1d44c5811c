"""How a case is shown: the receipt and public status residents get (contract/receipts.py), and the views
staff get (every column of its kind, personal data masked unless revealed and audited)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect

from api.models import Case, Complaint, Incident, Suggestion, Ticket
from api.schemas import CaseKindPublic, StatusText
from api.services.case_routing import split_category
from api.workdays import WorkCalendar
from contract.case_kinds import CaseKind
from contract.personal_data import mask_id_number, mask_name, mask_phone, mask_text
from contract.receipts import CaseReceipt, CaseStatus

_MASKS = {"contact_name": mask_name, "contact_phone": mask_phone, "id_number": mask_id_number}
_HIDDEN = {"id", "phone_last4"}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _shown_to_residents(case: Case) -> dict[str, Any]:
    """The fields of both the receipt and the public status."""
    return {
        "number": case.number,
        "kind": case.kind,
        "status": case.status,
        "department": case.department,
        "deadline": _plain(case.deadline),
        # Only applications have one; the other kinds are due by their deadline.
        "expected_completion": _plain(getattr(case, "expected_completion", None)),
    }


def receipt(case: Case, earlier: Case | None = None) -> CaseReceipt:
    """The answer to any filing; a case filed without a phone but with a query code shows the code; a repeat
    report names the earlier case it was linked to."""
    query_code = case.phone_last4 if not case.contact_phone else None
    category, subcategory = split_category(case.category)
    return CaseReceipt(
        **_shown_to_residents(case),
        service=case.service,
        query_code=query_code,
        category=category,
        subcategory=case.subcategory or subcategory,
        place=case.place,
        earlier_number=earlier.number if earlier else None,
        earlier_status=earlier.status_text if earlier else None,
    )


def public_status(case: Case) -> CaseStatus:
    """What a resident reads about a case, with the kind's own texts."""
    return CaseStatus(
        **_shown_to_residents(case),
        kind_text=case.SPEC.name,
        status_text=case.status_text,
        closed=case.is_closed,
        updated_at=_plain(case.updated_at),
    )


def kind_view(spec: CaseKind) -> CaseKindPublic:
    return CaseKindPublic(
        kind=spec.kind,
        prefix=spec.prefix,
        name=spec.name,
        statuses=[StatusText(status=status, text=text) for status, text in spec.statuses.items()],
        transitions={status: sorted(targets) for status, targets in spec.transitions.items()},
        has_deadline=spec.deadline_setting is not None,
    )


def _card(case: Case, calendar: WorkCalendar, now: datetime) -> str:
    return calendar.case_card(now, case.kind, case.created_at, case.deadline).value if case.deadline_runs else "none"


def resident_text(case: Case) -> str:
    """What the resident wrote in their own words, masked: a complaint's or incident's description, a ticket's
    summary, a suggestion's content; "" for kinds whose text is a form (applications)."""
    if isinstance(case, Complaint | Incident):
        text = case.description
    elif isinstance(case, Ticket):
        text = case.summary
    elif isinstance(case, Suggestion):
        text = case.content
    else:
        text = ""
    return mask_text(text)


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
    if view.get("category") and "/" in view["category"]:  # a row dispatched before migration 0004
        view["category"], level2 = split_category(view["category"])
        view["subcategory"] = view.get("subcategory") or level2
    view["status_text"] = case.status_text
    view["card"] = _card(case, calendar, now)
    view["allowed_status"] = case.SPEC.allowed(case.status)
    return view


def summary_view(case: Case, calendar: WorkCalendar, now: datetime) -> dict[str, Any]:
    """The row of a staff list: no personal data beyond the masked contact."""
    return {
        "number": case.number,
        "kind": case.kind,
        "status": case.status,
        "status_text": case.status_text,
        "service": case.service,
        "department": case.department,
        "category": split_category(case.category)[0],
        "assigned_to": case.assigned_to,
        "contact_name": mask_name(case.contact_name),
        "contact_phone": mask_phone(case.contact_phone),
        "channel": case.channel,
        "created_at": _plain(case.created_at),
        "deadline": _plain(case.deadline),
        "card": _card(case, calendar, now),
    }
