"""A resident says the department is wrong ("部门不对") right after filing: the router's other choices for the
request, and moving it to the one the resident picks. Only the resident who filed it, only while nobody has
started on it (status still the first one), and only to one of the router's choices or its category's
departments: a resident cannot send a case anywhere they like."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api import audit
from api.cases import find_case
from api.categories import Category
from api.errors import ApiError
from api.models import Case, Complaint, Ticket, utcnow

RESIDENT = "resident"


@dataclass(frozen=True)
class Choice:
    category: str
    subcategory: str | None
    department: str


def _own_open_case(session: Session, number: str, sender: str) -> Case:
    case = find_case(session, number, for_update=True)
    if not isinstance(case, Complaint | Ticket) or case.sender != sender:
        # Same answer as an unknown number: nobody learns which numbers exist.
        raise ApiError(404, "case_not_found", "没有找到您提交的这个诉求")
    if case.status != case.SPEC.initial_status:
        raise ApiError(409, "already_in_progress", "该诉求已由部门受理办理，如需更改请联系12345热线")
    return case


def choices(session: Session, categories: dict[str, Category], number: str, sender: str) -> tuple[Case, list[Choice]]:
    """The case and the departments it may go to instead, the router's order first, its own excluded."""
    case = _own_open_case(session, number, sender)
    found: list[Choice] = []
    for alternative in case.routing_alternatives or []:
        category = str(alternative.get("category") or "")
        entry = categories.get(category)
        departments = [alternative.get("department")] + list(entry.departments if entry else ())
        for department in departments:
            if department and department != case.department and all(c.department != department for c in found):
                found.append(Choice(category, alternative.get("subcategory"), str(department)))
    return case, found


def move(session: Session, categories: dict[str, Category], number: str, sender: str, department: str) -> Case:
    """Send the case to `department`, one of its `choices`; the case records that the resident chose it."""
    case, allowed = choices(session, categories, number, sender)
    choice = next((c for c in allowed if c.department == department), None)
    if choice is None:
        raise ApiError(422, "department_not_offered", f"“{department}”不在可选的承办部门中")
    case.department, case.category, case.subcategory = choice.department, choice.category, choice.subcategory
    case.routed_by = RESIDENT
    case.updated_at = utcnow()
    audit.record(session, RESIDENT, RESIDENT, "change_department", case.number, department=department)
    return case
