"""Smart-community incidents (社区事件, SQ): residents file them (the action server, with the service token and
the resident's sender, or an API client); grid officers work them on /grid (their queue, accept, progress
with note and photo, resolve). Every step of an officer reaches the resident in their channel
(api/resident_notices.py); after the resolution the resident's next message may be the 1-5 star rating."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.community_schemas import IncidentCreate, IncidentView, OfficerNote, PhotoStored
from api.db import transaction
from api.deps import ResidentLimit, RuntimeDep, SessionDep, Staff, current_staff
from api.errors import ApiError
from api.resident_notices import tell_outcome
from api.runtime import Runtime
from api.security import Role
from api.senders import CHANNEL_REFUSED, ResidentCallerDep
from api.services import incidents, photos
from contract.receipts import CaseReceipt

router = APIRouter(tags=["incidents"])
_T = TypeVar("_T")

NumberPath = Annotated[str, Path(max_length=24)]


def _officer_or_admin(staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
    if staff.role not in (Role.GRID_OFFICER, Role.ADMIN):
        raise ApiError(403, "forbidden", "您的账号没有此操作的权限")
    return staff


OfficerDep = Annotated[Staff, Depends(_officer_or_admin)]


@router.post(
    "/api/incidents",
    status_code=201,
    response_model=CaseReceipt,
    dependencies=[ResidentLimit],
    responses=CHANNEL_REFUSED,
)
def file_incident(
    body: IncidentCreate, caller: ResidentCallerDep, runtime: RuntimeDep, session: SessionDep
) -> CaseReceipt:
    """A resident's report: 201 and the receipt (SQ number, response deadline, grid and officer, name masked).
    An unknown community or building: 422 (`unknown_community`, `unknown_building`) with `candidates`."""
    return incidents.file_incident(session, runtime, caller.body(body))


@router.get("/api/grid/me")
def me(staff: OfficerDep) -> dict[str, str]:
    return {"username": staff.username, "display_name": staff.display_name, "role": staff.role}


@router.get("/api/grid/incidents", response_model=list[IncidentView])
def officer_queue(
    staff: OfficerDep,
    session: SessionDep,
    open_only: Annotated[bool, Query(alias="open")] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[IncidentView]:
    """The officer's incidents (their grids', and those given to them as a backup), oldest first."""
    return incidents.queue(session, staff, open_only, limit)


@router.get("/api/grid/incidents/{number}", response_model=IncidentView)
def read_incident(number: NumberPath, staff: OfficerDep, session: SessionDep) -> IncidentView:
    return incidents.read_incident(session, staff, number)


def _in_transaction(runtime: Runtime, work: Callable[[Session], _T]) -> _T:
    with transaction(runtime.sessions) as session:
        return work(session)


async def _tell(request: Request, runtime: Runtime, notice: incidents.Notice) -> IncidentView:
    """Tell the resident (after the change has committed), and return the incident as it is now."""
    # A resolution gets 回访 as any case that can be redone: the stars and 不满意，申请重办.
    await tell_outcome(request.app, notice.sender, notice.channel, notice.number, notice.text, notice.ask_rating)
    return await run_in_threadpool(
        _in_transaction, runtime, lambda s: incidents.view(s, incidents.find_incident(s, notice.number))
    )


@router.post("/api/grid/incidents/{number}/accept", response_model=IncidentView)
async def accept(request: Request, number: NumberPath, staff: OfficerDep, runtime: RuntimeDep) -> IncidentView:
    notice = await run_in_threadpool(_in_transaction, runtime, lambda s: incidents.accept(s, staff, number))
    return await _tell(request, runtime, notice)


@router.post("/api/grid/incidents/{number}/updates", response_model=IncidentView)
async def add_update(
    request: Request, number: NumberPath, body: OfficerNote, staff: OfficerDep, runtime: RuntimeDep
) -> IncidentView:
    notice = await run_in_threadpool(
        _in_transaction, runtime, lambda s: incidents.progress(s, staff, number, body.note, body.photo_id)
    )
    return await _tell(request, runtime, notice)


@router.post("/api/grid/incidents/{number}/resolve", response_model=IncidentView)
async def resolve(
    request: Request, number: NumberPath, body: OfficerNote, staff: OfficerDep, runtime: RuntimeDep
) -> IncidentView:
    notice = await run_in_threadpool(
        _in_transaction, runtime, lambda s: incidents.resolve(s, staff, number, body.note, body.photo_id)
    )
    return await _tell(request, runtime, notice)


@router.post("/api/grid/photos", status_code=201, response_model=PhotoStored)
async def upload_photo(staff: OfficerDep, runtime: RuntimeDep, file: Annotated[UploadFile, File()]) -> PhotoStored:
    """An officer's photo (JPEG, PNG or WebP, at most PHOTO_MAX_BYTES), to attach to an update."""
    data = await file.read(runtime.settings.photo_max_bytes + 1)
    photo = await run_in_threadpool(
        _in_transaction, runtime, lambda s: photos.store_photo(s, runtime.settings, data, staff=staff.username)
    )
    return PhotoStored(photo_id=photo.id)


@router.get("/api/grid/photos/{photo_id}", response_class=FileResponse)
def staff_photo(
    photo_id: Annotated[str, Path(pattern=photos.PHOTO_ID_PATTERN)],
    staff: OfficerDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> FileResponse:
    found = photos.read_photo(session, runtime.settings, photo_id, sender=None, staff=True)
    return FileResponse(found.path, media_type=found.content_type, headers={"Cache-Control": "private, max-age=3600"})
