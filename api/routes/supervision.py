"""督办 (deadline supervision) for staff: the console's list, supervisors' notes and deadline extensions.

The yellow and red cards are recorded by the scheduler (api/supervision.py); every event is pushed to the
consoles on `GET /api/staff/handoff/events` once its transaction has committed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import StringConstraints
from starlette.concurrency import run_in_threadpool

from api import audit
from api.db import transaction
from api.deps import AgentDep, RuntimeDep, SessionDep, SupervisorDep
from api.handoff import AGENTS_TOPIC, HandoffHub
from api.models import utcnow
from api.runtime import Runtime
from api.schemas import Strict, SupervisionNotice
from api.services import supervision

router = APIRouter(prefix="/api/staff", tags=["supervision"])

CaseNumberPath = Annotated[str, Path(max_length=24)]
Remark = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class SupervisionNote(Strict):
    note: Remark


class DeadlineExtension(Strict):
    new_deadline: date
    reason: Remark


async def _publish(request: Request, event: dict[str, Any]) -> None:
    hub: HandoffHub = request.app.state.handoff
    await hub.bus.publish(AGENTS_TOPIC, event)


@router.get("/supervision", response_model=list[SupervisionNotice])
def recent_supervision(
    staff: AgentDep,
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=90)] = 14,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """督办 on open cases of the last `days` days, newest first: of the cases the staff member may see (an
    agent of a department: its department's; the centre's agents and supervisors: all)."""
    events = supervision.recent(session, staff, utcnow() - timedelta(days=days), limit)
    audit.record(session, staff.username, staff.role, "list", None, kind="supervision", count=len(events))
    return events


def _note(runtime: Runtime, number: str, note: str, username: str, role: str) -> dict[str, Any]:
    with transaction(runtime.sessions) as session:
        return supervision.add_note(session, number, note, username, role, utcnow())


def _extend(runtime: Runtime, number: str, body: DeadlineExtension, username: str, role: str) -> dict[str, Any]:
    with transaction(runtime.sessions) as session:
        return supervision.extend_deadline(
            session, runtime.calendar, number, body.new_deadline, body.reason, username, role, utcnow()
        )


@router.post("/cases/{number}/supervision-notes", status_code=201, response_model=SupervisionNotice)
async def add_note(
    request: Request, number: CaseNumberPath, body: SupervisionNote, staff: SupervisorDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """A 督办 note on an open case (audited, in the case's history, pushed to its department's agents)."""
    event = await run_in_threadpool(_note, runtime, number, body.note, staff.username, staff.role)
    await _publish(request, event)
    return event


@router.post("/cases/{number}/deadline-extensions", status_code=201, response_model=SupervisionNotice)
async def extend_deadline(
    request: Request, number: CaseNumberPath, body: DeadlineExtension, staff: SupervisorDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Move an open case's deadline to the end of a later working day (at most a year ahead), with a reason;
    audited and in the case's history. A card already given stays; the new deadline gets its own."""
    event = await run_in_threadpool(_extend, runtime, number, body, staff.username, staff.role)
    await _publish(request, event)
    return event
