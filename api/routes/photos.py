"""Residents' photos: a widget upload that goes on to the assistant as `/share_photo{"photo_id": …}` (the
incident form takes it), and a resident's view of the photos of their own incidents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from api.conversation import converse
from api.deps import ResidentLimit, RuntimeDep, SessionDep
from api.errors import ApiError
from api.replies import TOO_FAST
from api.schemas import Sender
from api.senders import SENDER_REFUSED, WebSenderQuery, web_sender
from api.services import photos

router = APIRouter(prefix="/api", tags=["photos"], dependencies=[ResidentLimit])


@router.post("/chat/photo", responses=SENDER_REFUSED)
async def chat_photo(
    request: Request,
    runtime: RuntimeDep,
    issued: Annotated[Sender, Form(alias="sender")],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    """A photo from the widget (multipart: sender as issued by /api/chat/session, file): stored, then the
    conversation goes on with it. 415 for anything but JPEG, PNG or WebP (by content), 413 over PHOTO_MAX_BYTES."""
    sender = web_sender(runtime.settings, issued)
    if not runtime.limiter.allow(f"sender:{sender}"):
        raise ApiError(429, "rate_limited", TOO_FAST)
    data = await file.read(runtime.settings.photo_max_bytes + 1)
    photo_id = await run_in_threadpool(photos.keep_resident_photo, runtime.sessions, runtime.settings, data, sender)
    messages = await converse(request.app, "web", sender, photos.share_photo_message(photo_id), photos.PHOTO_SHOWN)
    return {"photo_id": photo_id, "messages": messages}


@router.get("/photos/{photo_id}", response_class=FileResponse, responses=SENDER_REFUSED)
def resident_photo(
    photo_id: Annotated[str, Path(pattern=photos.PHOTO_ID_PATTERN)],
    sender: WebSenderQuery,
    runtime: RuntimeDep,
    session: SessionDep,
) -> FileResponse:
    """A photo the resident (the widget's issued sender) sent, or an officer's photo on one of their incidents;
    404 for any other."""
    found = photos.read_photo(session, runtime.settings, photo_id, sender=sender, staff=False)
    return FileResponse(found.path, media_type=found.content_type, headers={"Cache-Control": "private, max-age=3600"})
