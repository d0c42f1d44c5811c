"""A department reports back on a case it was dispatched (docs/departments.md "Reporting back"): accepted, a
progress note, or resolved with its result; and reads the resident's contact on an open case to call back.
The case moves along its kind's pipeline to the status its kind's `report_statuses` names
(contract/case_kinds.py), the report is audited, and the resident is told (api/routes/departments.py sends
`notice`)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from api import audit, replies
from api.cases import change_status, find_case
from api.errors import ApiError
from api.models import Case, Incident, utcnow
from contract.case_kinds import CaseKind
from contract.personal_data import mask_text

DEPARTMENT_ROLE = "department"


@dataclass(frozen=True)
class Reported:
    case: Case
    notice: str  # what the resident is told


def path_to(spec: CaseKind, current: str, target: str) -> list[str]:
    """The statuses from `current` to `target` along the kind's transitions, fewest steps and only through
    statuses reports set (an application's progress report while it is only submitted: accepted, then
    processing); [] when it cannot get there (there already, past it, or only through another's decision)."""
    reported = set(spec.report_statuses.values())
    previous: dict[str, str] = {}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        if status == target:
            steps = []
            while status != current:
                steps.append(status)
                status = previous[status]
            return steps[::-1]
        for following in sorted(spec.transitions.get(status, ())):
            if following in reported and following not in previous and following != current:
                previous[following] = status
                queue.append(following)
    return []


def _incident_step(incident: Incident, status: str, now: datetime, remark: str | None) -> None:
    """An incident keeps its own times of response and resolution (the analytics' hours, the deadline met) and
    its result, as when its officer takes these steps (api/services/incidents.py)."""
    if status == "accepted":
        incident.accepted_at = now
    elif status == "resolved":
        incident.resolved_at, incident.result_note = now, mask_text(remark) if remark else None


def _own_case(session: Session, department: str, number: str) -> Case:
    try:
        case = find_case(session, number, for_update=True)
    except ApiError:
        case = None
    if case is None or case.department != department:
        # The same answer as an unknown number: a department cannot probe other departments' numbers.
        raise ApiError(404, "case_not_found", "未找到该编号对应的事项，请核对编号")
    return case


def contact(session: Session, department: str, number: str) -> Case:
    """The resident's contact on one of the department's open cases, for the handler who must call back: the
    webhook carries it masked, so that it reaches only who asks for it, and every reading is audited."""
    case = _own_case(session, department, number)
    if case.is_closed:
        raise ApiError(409, "case_closed", f"该事项当前为“{case.status_text}”，不再提供联系方式", status=case.status)
    audit.record(session, department, DEPARTMENT_ROLE, "department_read_contact", case.number)
    return case


def report(session: Session, department: str, number: str, kind: str, note: str | None, result: str | None) -> Reported:
    case = _own_case(session, department, number)
    if case.is_closed:
        raise ApiError(409, "case_closed", f"该事项当前为“{case.status_text}”，不能再报告进展", status=case.status)
    remark = result if kind == "resolved" else note
    target = case.SPEC.report_statuses.get(kind)
    now = utcnow()
    for status in path_to(case.SPEC, case.status, target) if target else []:
        change_status(session, case, status, department, DEPARTMENT_ROLE, mask_text(remark) if remark else None)
        if isinstance(case, Incident):
            _incident_step(case, status, now, remark)
    case.updated_at = now
    audit.record(
        session, department, DEPARTMENT_ROLE, f"department_{kind}", case.number,
        note=mask_text(remark) if remark else None, status=case.status,
    )  # fmt: skip
    notice = replies.department_report(case.SPEC.name, case.number, department, kind, remark, case.SPEC.reopenable)
    return Reported(case, notice)
