"""The directory of smart-community incidents: community names for the dialogue (service token), and the
administrators' communities, grids, buildings and officers (API, CSV import; console section community.js)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api.community_schemas import (
    BuildingCreate,
    BuildingPublic,
    CommunityCreate,
    CommunityPublic,
    GridChange,
    GridCreate,
    ImportResult,
    OfficerAway,
    OfficerPublic,
    RowRef,
    Username,
)
from api.db import transaction
from api.deps import AdminDep, RowId, RuntimeDep, ServiceTokenDep, SessionDep, Staff
from api.errors import ApiError
from api.runtime import Runtime
from api.services import communities

router = APIRouter(tags=["communities"])
CSV_MAX_BYTES = 1024 * 1024


@router.get("/api/communities", dependencies=[ServiceTokenDep])
def community_names(session: SessionDep, q: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, list[str]]:
    """Known community names, those matching or close to `q` first: the dialogue recognises a resident's."""
    return {"communities": communities.community_names(session, q)}


@router.get("/api/staff/communities", response_model=list[CommunityPublic])
def directory(staff: AdminDep, session: SessionDep) -> list[CommunityPublic]:
    return communities.directory(session)


@router.post("/api/staff/communities", status_code=201, response_model=CommunityPublic)
def create_community(body: CommunityCreate, staff: AdminDep, session: SessionDep) -> CommunityPublic:
    community = communities.create_community(session, staff, body.name, body.district)
    return CommunityPublic(id=community.id, name=community.name, district=community.district, sample=False, grids=[])


@router.delete("/api/staff/communities/{community_id}", response_model=RowRef)
def delete_community(community_id: RowId, staff: AdminDep, session: SessionDep) -> RowRef:
    communities.delete_community(session, staff, community_id)
    return RowRef(id=community_id)


@router.post("/api/staff/communities/{community_id}/grids", status_code=201)
def create_grid(community_id: RowId, body: GridCreate, staff: AdminDep, session: SessionDep) -> RowRef:
    grid = communities.create_grid(session, staff, community_id, body.name, body.officers, body.backup)
    return RowRef(id=grid.id)


@router.put("/api/staff/grids/{grid_id}")
def change_grid(grid_id: RowId, body: GridChange, staff: AdminDep, session: SessionDep) -> RowRef:
    grid = communities.change_grid(session, staff, grid_id, body.officers, body.backup)
    return RowRef(id=grid.id)


@router.delete("/api/staff/grids/{grid_id}", response_model=RowRef)
def delete_grid(grid_id: RowId, staff: AdminDep, session: SessionDep) -> RowRef:
    communities.delete_grid(session, staff, grid_id)
    return RowRef(id=grid_id)


@router.post("/api/staff/communities/{community_id}/buildings", status_code=201)
def create_building(community_id: RowId, body: BuildingCreate, staff: AdminDep, session: SessionDep) -> BuildingPublic:
    building = communities.create_building(session, staff, community_id, body.label, body.grid_id)
    return BuildingPublic(id=building.id, key=building.key, label=building.label, grid_id=building.grid_id)


@router.delete("/api/staff/buildings/{building_id}", response_model=RowRef)
def delete_building(building_id: RowId, staff: AdminDep, session: SessionDep) -> RowRef:
    communities.delete_building(session, staff, building_id)
    return RowRef(id=building_id)


@router.put("/api/staff/officers/{username}/away", response_model=OfficerPublic)
def set_away(username: Username, body: OfficerAway, staff: AdminDep, session: SessionDep) -> OfficerPublic:
    user = communities.set_away(session, staff, username, body.away)
    return OfficerPublic(username=user.username, display_name=user.display_name, away=user.away)


@router.post(
    "/api/staff/communities/import",
    response_model=ImportResult,
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_csv(request: Request, staff: AdminDep, runtime: RuntimeDep) -> ImportResult:
    """The CSV as the request body (`text/csv`), columns community,grid,building,officer_username,
    backup_username; all rows are checked first, and on any error nothing is imported (422 listing every
    row's error in Chinese)."""
    data = await request.body()
    if len(data) > CSV_MAX_BYTES:
        raise ApiError(413, "csv_too_large", "文件过大，请分批导入（每次不超过1MB）")
    return await run_in_threadpool(_import, runtime, staff, data)


def _import(runtime: Runtime, staff: Staff, data: bytes) -> ImportResult:
    with transaction(runtime.sessions) as session:
        return communities.import_csv(session, staff, data)
