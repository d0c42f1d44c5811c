"""Which cases a staff member may read and change: the rule of a 12345 centre, in one place.

- The centre's own agents (no department), supervisors and admins work every case.
- An agent of a department works only the cases of that department: lists leave the others out, and a single
  case of another department (or one the centre has not dispatched yet) answers 404 `case_not_found`, for a
  read or a change alike, so that a number never tells whether a case exists.
- Handing one's own case to another department (dispatch, assign) is allowed: it goes back to the centre's
  routing. Taking another department's case is not: it cannot be found.
- Every refusal is audited (`case_refused`, with what was attempted).
- Grid officers are outside the 12345 hierarchy: no case here (their incidents: api/services/incidents.py).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import Session

from api import audit
from api.cases import find_case
from api.deps import Staff
from api.errors import ApiError
from api.models import Case
from api.security import Role

REFUSED = "case_refused"


def sees_all(staff: Staff) -> bool:
    return staff.role.allows(Role.AGENT) and (staff.department is None or staff.role.allows(Role.SUPERVISOR))


def may_see(staff: Staff, department: str | None) -> bool:
    """The staff member may read and change a case of this department (None: not dispatched yet)."""
    if sees_all(staff):
        return True
    return staff.role.allows(Role.AGENT) and department is not None and department == staff.department


def visible(staff: Staff) -> ColumnElement[bool]:
    """The cases the staff member may list, as a condition on `cases`."""
    if sees_all(staff):
        return true()
    if not staff.role.allows(Role.AGENT) or staff.department is None:
        return false()
    return Case.department == staff.department


def refuse(session: Session, staff: Staff, number: str | None, attempted: str, error: ApiError | None = None) -> None:
    """Audit the refused attempt and answer as for a number that does not exist (or with `error`).

    The entry is committed before raising, since the request's transaction is rolled back with the error: a
    caller refuses before it has changed anything, so nothing else is committed with it."""
    audit.record(session, staff.username, staff.role, REFUSED, number, attempted=attempted, department=staff.department)
    session.commit()
    raise error or ApiError(404, "case_not_found", "未找到该编号对应的事项，请核对编号")


def find_case_for(
    session: Session,
    staff: Staff,
    number: str,
    attempted: str,
    *,
    for_update: bool = False,
    error: ApiError | None = None,
) -> Case:
    """The case, if the staff member may work it (`attempted` names the read or change for the audit)."""
    case = find_case(session, number, for_update=for_update)
    if not may_see(staff, case.department):
        refuse(session, staff, case.number, attempted, error)
    return case
