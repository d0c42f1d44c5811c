"""Photos of community incidents, from residents (widget upload, WeChat image message) and grid officers.

Stored safely: the type is read from the file's first bytes (JPEG, PNG and WebP only; the name and the
declared content type are never believed), the size is capped at PHOTO_MAX_BYTES, and the file is written
under PHOTO_DIR by a random id the gateway chose, so no part of a path ever comes from the uploader. The
`photos` row says whose it is: `read_photo` serves it only to staff and to the resident who sent it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import audit
from api.db import transaction
from api.errors import ApiError
from api.models import Incident, IncidentUpdate, Photo
from api.settings import Settings

# The first bytes of JPEG and PNG files (a WebP file starts with RIFF, its size, then WEBP).
_JPEG, _PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
PHOTO_ID_PATTERN = r"^[A-Za-z0-9_-]{22}$"
# What transcripts and agents read instead of the `/share_photo` payload.
PHOTO_SHOWN = "[照片]"


@dataclass(frozen=True)
class PhotoFile:
    path: Path
    content_type: str


def photo_type(data: bytes) -> str | None:
    """The image type the bytes are (not the one an uploader claims), or None for anything else."""
    if data.startswith(_JPEG):
        return "image/jpeg"
    if data.startswith(_PNG):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _size_text(size: int) -> str:
    """5242880 → "5MB", 2048 → "2KB"."""
    return f"{size / (1024 * 1024):g}MB" if size >= 1024 * 1024 else f"{size // 1024}KB"


def _path(settings: Settings, photo_id: str) -> Path:
    return settings.photo_dir / photo_id


def store_photo(
    session: Session, settings: Settings, data: bytes, *, sender: str | None = None, staff: str | None = None
) -> Photo:
    """Check and keep one photo of a resident (`sender`) or a staff member; its row is added to `session`."""
    if len(data) > settings.photo_max_bytes:
        raise ApiError(
            413,
            "photo_too_large",
            f"照片太大了，请发送不超过{_size_text(settings.photo_max_bytes)}的照片",
            max_bytes=settings.photo_max_bytes,
        )
    content_type = photo_type(data)
    if content_type is None:
        raise ApiError(415, "photo_type", "只能发送 JPG、PNG 或 WebP 格式的照片", accepted=["jpeg", "png", "webp"])
    photo = Photo(
        id=secrets.token_urlsafe(16), content_type=content_type, size=len(data), sender=sender, uploaded_by=staff
    )
    settings.photo_dir.mkdir(parents=True, exist_ok=True)
    # O_EXCL: a new file (the id is random, but nothing existing is ever overwritten); owner-only access.
    fd = os.open(_path(settings, photo.id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    session.add(photo)
    session.flush()
    audit.record(session, staff or sender or audit.RESIDENT, "staff" if staff else audit.RESIDENT, "photo", photo.id)
    return photo


def owned_photos(session: Session, photo_ids: list[str], sender: str) -> list[str]:
    """The ids if every one is a photo this resident sent; a precise 422 otherwise (never another's photo)."""
    for photo_id in photo_ids:
        photo = session.get(Photo, photo_id)
        if photo is None or photo.sender != sender:
            raise ApiError(422, "unknown_photo", "没有找到您发送的这张照片，请重新发送", photo_id=photo_id)
    return photo_ids


def read_photo(session: Session, settings: Settings, photo_id: str, *, sender: str | None, staff: bool) -> PhotoFile:
    """The photo's file for staff or its resident; the same 404 for an unknown id and another's photo."""
    photo = session.get(Photo, photo_id)
    path = _path(settings, photo_id) if photo is not None else None
    allowed = photo is not None and (staff or (sender is not None and resident_may_see(session, photo, sender)))
    if photo is None or path is None or not path.is_file() or not allowed:
        raise ApiError(404, "photo_not_found", "没有找到这张照片")
    return PhotoFile(path, photo.content_type)


def keep_resident_photo(sessions: sessionmaker[Session], settings: Settings, data: bytes, sender: str) -> str:
    """Store a resident's photo in its own transaction; its id."""
    with transaction(sessions) as session:
        return store_photo(session, settings, data, sender=sender).id


def share_photo_message(photo_id: str) -> str:
    """What the gateway sends the assistant after storing a resident's photo, so the incident form takes it."""
    return '/share_photo{"photo_id":"' + photo_id + '"}'


def resident_may_see(session: Session, photo: Photo, sender: str) -> bool:
    """A resident sees the photos they sent, and the officers' photos on updates of their own incidents."""
    if photo.sender == sender:
        return True
    on_own_incident = (
        select(IncidentUpdate.id)
        .join(Incident, Incident.id == IncidentUpdate.incident_id)
        .where(IncidentUpdate.photo_id == photo.id, Incident.sender == sender)
    )
    return session.scalars(on_own_incident).first() is not None
