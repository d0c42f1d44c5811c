"""Request and response bodies of smart-community incidents (社区事件): the administrators' directory of
communities, grids, buildings and officers, residents' filings, and the grid officers' work."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.schemas import Channel, Grievance, PersonName, Phone, Sender, Strict
from api.services.photos import PHOTO_ID_PATTERN
from contract.community_places import INCIDENT_KINDS

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Username = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_.-]{3,64}$")]
IncidentKind = Annotated[str, StringConstraints(pattern="^(" + "|".join(INCIDENT_KINDS) + ")$")]
PhotoId = Annotated[str, StringConstraints(pattern=PHOTO_ID_PATTERN)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class CommunityCreate(Strict):
    name: Name
    district: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None


class GridCreate(Strict):
    name: Label
    officers: list[Username] = []
    backup: Username | None = None


class GridChange(Strict):
    """The grid's officers (taking turns) and its backup, replaced as a whole."""

    officers: list[Username]
    backup: Username | None = None


class BuildingCreate(Strict):
    label: Label  # "3栋", "3号楼", "12#"
    grid_id: int


class OfficerAway(Strict):
    away: bool


class RowRef(BaseModel):
    """The id of a row just created, changed or deleted."""

    id: int


class OfficerPublic(BaseModel):
    username: str
    display_name: str
    away: bool


class BuildingPublic(BaseModel):
    id: int
    key: str
    label: str
    grid_id: int


class GridPublic(BaseModel):
    id: int
    name: str
    officers: list[OfficerPublic]
    backup: OfficerPublic | None
    buildings: list[BuildingPublic]


class CommunityPublic(BaseModel):
    id: int
    name: str
    district: str | None
    sample: bool
    grids: list[GridPublic]


class ImportResult(BaseModel):
    rows: int
    communities: int
    grids: int
    buildings: int


class IncidentCreate(Strict):
    kind: IncidentKind
    community: Name
    building: Label | None = None
    unit: Label | None = None
    description: Grievance
    phone: Phone
    name: PersonName | None = None
    channel: Channel = "api"
    sender: Sender
    photo_ids: Annotated[list[PhotoId], Field(max_length=9)] = []


class IncidentUpdatePublic(BaseModel):
    kind: str
    note: str | None
    photo_id: str | None
    by: str
    at: datetime


class IncidentView(BaseModel):
    """An incident as its officer (or an administrator) works it; the resident's phone is masked."""

    number: str
    status: str
    status_text: str
    incident_kind: str
    community: str
    grid: str | None
    place: str
    description: str
    photo_ids: list[str]
    contact_name: str | None
    contact_phone: str | None
    assigned_to: str | None
    deadline: datetime | None
    created_at: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    result_note: str | None
    updates: list[IncidentUpdatePublic]


class OfficerNote(Strict):
    note: Note
    photo_id: PhotoId | None = None


class PhotoStored(BaseModel):
    photo_id: str
