"""The directory of smart-community incidents, maintained by administrators: communities, their grids (网格)
with officers and a backup officer, and buildings (each in exactly one grid); a CSV import of all of it.

Buildings are matched by their key (contract/community_places.py): "3栋", "3号楼" and "三幢" are one building.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api import audit
from api.community_schemas import (
    BuildingPublic,
    CommunityPublic,
    GridPublic,
    ImportResult,
    OfficerPublic,
)
from api.deps import Staff
from api.errors import ApiError
from api.models import Building, Community, Grid, GridOfficer, Incident, StaffUser
from api.security import Role
from contract.community_places import building_key, close_names, find_community

# The CSV's columns; `officer_username` may hold several officers of the grid separated by ";" or "|".
CSV_COLUMNS = ("community", "grid", "building", "officer_username", "backup_username")
MAX_IMPORT_ROWS = 5000


def community_names(session: Session, q: str | None = None, limit: int = 20) -> list[str]:
    """Known community names (for the dialogue to recognise them), those close to `q` first when given."""
    names = list(session.scalars(select(Community.name).order_by(Community.name)))
    if not q:
        return names[:limit]
    named = find_community(q, names)
    return list(dict.fromkeys([*([named] if named else []), *close_names(q, names, n=limit)]))[:limit]


def find_named_community(session: Session, name: str) -> Community:
    """The community a resident named (in full, or without "小区/社区"); 422 listing close names otherwise."""
    communities = {c.name: c for c in session.scalars(select(Community))}
    found = communities.get(name.strip()) or communities.get(find_community(name, communities) or "")
    if found is not None:
        return found
    close = close_names(name, list(communities))
    hint = f"您是不是指：{'、'.join(close)}？" if close else "请核对小区（社区）的名称。"
    raise ApiError(422, "unknown_community", f"没有找到“{name}”这个小区。{hint}", candidates=close)


def find_building(session: Session, community: Community, label: str) -> Building:
    """The community's building a resident named ("3栋", "三号楼"); 422 listing its buildings otherwise."""
    key = building_key(label)
    building = (
        session.scalars(select(Building).where(Building.community_id == community.id, Building.key == key)).first()
        if key
        else None
    )
    if building is not None:
        return building
    labels = list(session.scalars(select(Building.label).where(Building.community_id == community.id)))
    close = close_names(label, labels)
    hint = f"您是不是指：{'、'.join(close)}？" if close else f"{community.name}登记的楼栋有：{'、'.join(labels[:10])}。"
    raise ApiError(
        422, "unknown_building", f"{community.name}没有找到“{label}”。{hint}", candidates=close or labels[:10]
    )


def _officer(user: StaffUser) -> OfficerPublic:
    return OfficerPublic(username=user.username, display_name=user.display_name, away=user.away)


def directory(session: Session) -> list[CommunityPublic]:
    """Every community with its grids, their officers and backup, and its buildings."""
    users = {u.id: u for u in session.scalars(select(StaffUser).where(StaffUser.role == Role.GRID_OFFICER))}
    officers: dict[int, list[OfficerPublic]] = defaultdict(list)
    for link in session.scalars(select(GridOfficer).order_by(GridOfficer.staff_id)):
        if link.staff_id in users:
            officers[link.grid_id].append(_officer(users[link.staff_id]))
    buildings: dict[int, list[BuildingPublic]] = defaultdict(list)
    for b in session.scalars(select(Building).order_by(Building.id)):
        buildings[b.grid_id].append(BuildingPublic(id=b.id, key=b.key, label=b.label, grid_id=b.grid_id))
    grids: dict[int, list[GridPublic]] = defaultdict(list)
    for g in session.scalars(select(Grid).order_by(Grid.id)):
        backup = users.get(g.backup_officer_id) if g.backup_officer_id else None
        grids[g.community_id].append(
            GridPublic(
                id=g.id,
                name=g.name,
                officers=officers[g.id],
                backup=_officer(backup) if backup else None,
                buildings=buildings[g.id],
            )
        )
    return [
        CommunityPublic(id=c.id, name=c.name, district=c.district, sample=c.sample, grids=grids[c.id])
        for c in session.scalars(select(Community).order_by(Community.name))
    ]


def _grid_officer(session: Session, username: str) -> StaffUser:
    user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    if user is None or not user.active:
        raise ApiError(422, "unknown_officer", f"没有找到网格员账号“{username}”", username=username)
    if user.role != Role.GRID_OFFICER:
        raise ApiError(422, "not_a_grid_officer", f"账号“{username}”不是网格员", username=username)
    return user


def create_community(session: Session, staff: Staff, name: str, district: str | None) -> Community:
    if session.scalars(select(Community).where(Community.name == name)).first() is not None:
        raise ApiError(409, "community_exists", f"小区“{name}”已存在")
    community = Community(name=name, district=district, sample=False)
    session.add(community)
    session.flush()
    audit.record(session, staff.username, staff.role, "community_create", name)
    return community


def _community(session: Session, community_id: int) -> Community:
    community = session.get(Community, community_id)
    if community is None:
        raise ApiError(404, "community_not_found", "没有找到这个小区")
    return community


def _grid(session: Session, grid_id: int) -> Grid:
    grid = session.get(Grid, grid_id)
    if grid is None:
        raise ApiError(404, "grid_not_found", "没有找到这个网格")
    return grid


def delete_community(session: Session, staff: Staff, community_id: int) -> None:
    community = _community(session, community_id)
    if session.scalars(select(Incident.id).where(Incident.community_id == community_id)).first() is not None:
        raise ApiError(409, "community_in_use", f"小区“{community.name}”已有事件记录，不能删除")
    session.delete(community)
    audit.record(session, staff.username, staff.role, "community_delete", community.name)


def _replace_officers(session: Session, grid: Grid, officers: Iterable[str]) -> None:
    users = [_grid_officer(session, username) for username in dict.fromkeys(officers)]
    session.execute(delete(GridOfficer).where(GridOfficer.grid_id == grid.id))
    session.add_all(GridOfficer(grid_id=grid.id, staff_id=user.id) for user in users)


def set_grid_officers(session: Session, grid: Grid, officers: Iterable[str], backup: str | None) -> None:
    """Replace the grid's officers and backup (usernames of active grid officers)."""
    _replace_officers(session, grid, officers)
    grid.backup_officer_id = _grid_officer(session, backup).id if backup else None


def create_grid(
    session: Session, staff: Staff, community_id: int, name: str, officers: list[str], backup: str | None
) -> Grid:
    community = _community(session, community_id)
    if session.scalars(select(Grid).where(Grid.community_id == community_id, Grid.name == name)).first():
        raise ApiError(409, "grid_exists", f"{community.name}已有网格“{name}”")
    grid = Grid(community_id=community_id, name=name, turn=0)
    session.add(grid)
    session.flush()
    set_grid_officers(session, grid, officers, backup)
    audit.record(session, staff.username, staff.role, "grid_create", f"{community.name}/{name}")
    return grid


def change_grid(session: Session, staff: Staff, grid_id: int, officers: list[str], backup: str | None) -> Grid:
    grid = _grid(session, grid_id)
    set_grid_officers(session, grid, officers, backup)
    audit.record(session, staff.username, staff.role, "grid_officers", str(grid.id), officers=officers, backup=backup)
    return grid


def delete_grid(session: Session, staff: Staff, grid_id: int) -> None:
    grid = _grid(session, grid_id)
    session.delete(grid)
    audit.record(session, staff.username, staff.role, "grid_delete", str(grid_id))


def create_building(session: Session, staff: Staff, community_id: int, label: str, grid_id: int) -> Building:
    community = _community(session, community_id)
    grid = _grid(session, grid_id)
    if grid.community_id != community.id:
        raise ApiError(422, "grid_elsewhere", f"网格“{grid.name}”不属于{community.name}")
    key = building_key(label)
    if key is None:
        raise ApiError(422, "unreadable_building", f"无法识别楼栋“{label}”，请写成“3栋”“3号楼”或“12#”")
    if session.scalars(select(Building).where(Building.community_id == community.id, Building.key == key)).first():
        raise ApiError(409, "building_exists", f"{community.name}已有{key}栋")
    building = Building(community_id=community.id, grid_id=grid.id, key=key, label=label)
    session.add(building)
    session.flush()
    audit.record(session, staff.username, staff.role, "building_create", f"{community.name}/{label}")
    return building


def delete_building(session: Session, staff: Staff, building_id: int) -> None:
    building = session.get(Building, building_id)
    if building is None:
        raise ApiError(404, "building_not_found", "没有找到这栋楼")
    session.delete(building)
    audit.record(session, staff.username, staff.role, "building_delete", str(building_id))


def set_away(session: Session, staff: Staff, username: str, away: bool) -> StaffUser:
    """An officer on leave (or back): while away, new incidents of their grids go to the grid's backup."""
    user = _grid_officer(session, username)
    user.away = away
    audit.record(session, staff.username, staff.role, "officer_away", username, away=away)
    return user


@dataclass
class _GridRows:
    officers: list[str] = field(default_factory=list)
    backup: str | None = None
    buildings: dict[str, str] = field(default_factory=dict)  # key -> label


def _parse(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    return header, [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _read_csv(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")  # Excel writes a BOM
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # Excel on a Chinese Windows saves CSV in GBK
        except UnicodeDecodeError:
            raise ApiError(422, "csv_encoding", "无法读取文件，请另存为 UTF-8 编码的 CSV") from None
    try:
        header, rows = _parse(text)
    except csv.Error as exc:
        raise ApiError(422, "csv_malformed", f"CSV 文件格式有误（{exc}），请用表格软件另存为 CSV 后再导入") from None
    missing = [c for c in CSV_COLUMNS[:4] if c not in header]
    if missing:
        raise ApiError(
            422,
            "csv_columns",
            f"CSV 缺少列：{'、'.join(missing)}。第一行应为：{','.join(CSV_COLUMNS)}",
            missing=missing,
        )
    if not rows:
        raise ApiError(422, "csv_empty", "CSV 文件里没有数据行")
    if len(rows) > MAX_IMPORT_ROWS:
        raise ApiError(422, "csv_too_long", f"一次最多导入{MAX_IMPORT_ROWS}行，请分批导入")
    return rows


def _check_rows(session: Session, rows: list[dict[str, str]]) -> dict[tuple[str, str], _GridRows]:
    """Every row checked before anything is written; all errors at once, each with its line number."""
    errors: list[str] = []
    grids: dict[tuple[str, str], _GridRows] = defaultdict(_GridRows)
    grid_of_building: dict[tuple[str, str], str] = {}
    officers_checked: dict[str, str | None] = {}

    def officer_error(username: str) -> str | None:
        if username not in officers_checked:
            try:
                _grid_officer(session, username)
                officers_checked[username] = None
            except ApiError as exc:
                officers_checked[username] = exc.message
        return officers_checked[username]

    for line, row in enumerate(rows, start=2):  # line 1 is the header
        community, grid, label = row.get("community", ""), row.get("grid", ""), row.get("building", "")
        empty = [name for name, value in (("community", community), ("grid", grid), ("building", label)) if not value]
        if empty:
            errors.append(f"第{line}行：{'、'.join(empty)}不能为空")
            continue
        if len(community) > 64 or len(grid) > 32 or len(label) > 32:
            errors.append(f"第{line}行：名称过长（小区最多64字，网格和楼栋最多32字）")
            continue
        key = building_key(label)
        if key is None:
            errors.append(f"第{line}行：无法识别楼栋“{label}”，请写成“3栋”“3号楼”或“12#”")
            continue
        earlier = grid_of_building.setdefault((community, key), grid)
        if earlier != grid:
            errors.append(f"第{line}行：{community}{label}已在前面的行里属于“{earlier}”，一栋楼只能属于一个网格")
            continue
        entry = grids[(community, grid)]
        entry.buildings[key] = label
        for username in filter(None, (u.strip() for u in row.get("officer_username", "").replace("|", ";").split(";"))):
            if message := officer_error(username):
                errors.append(f"第{line}行：{message}")
            elif username not in entry.officers:
                entry.officers.append(username)
        if backup := row.get("backup_username", ""):
            if message := officer_error(backup):
                errors.append(f"第{line}行：备岗{message}")
            elif entry.backup not in (None, backup):
                errors.append(f"第{line}行：网格“{grid}”的备岗网格员前面写的是“{entry.backup}”，同一网格只能有一位")
            else:
                entry.backup = backup
    if errors:
        summary = f"导入失败，共{len(errors)}处错误，未导入任何数据："
        raise ApiError(422, "csv_rows", summary + "；".join(errors[:20]), errors=errors)
    return grids


def import_csv(session: Session, staff: Staff, data: bytes) -> ImportResult:
    """Create or update communities, grids (officers, backup) and buildings from one CSV; all or nothing.

    A building listed under another grid than before moves there; a grid's officers become the ones listed
    (when the file lists any), its backup the one listed (when given).
    """
    rows = _read_csv(data)
    planned = _check_rows(session, rows)
    communities = {c.name: c for c in session.scalars(select(Community))}
    created = {"communities": 0, "grids": 0, "buildings": 0}
    for (community_name, grid_name), entry in planned.items():
        community = communities.get(community_name)
        if community is None:
            community = communities[community_name] = Community(name=community_name, sample=False)
            session.add(community)
            session.flush()
            created["communities"] += 1
        where = (Grid.community_id == community.id, Grid.name == grid_name)
        grid = session.scalars(select(Grid).where(*where)).first()
        if grid is None:
            grid = Grid(community_id=community.id, name=grid_name, turn=0)
            session.add(grid)
            session.flush()
            created["grids"] += 1
        if entry.officers:
            _replace_officers(session, grid, entry.officers)
        if entry.backup:
            grid.backup_officer_id = _grid_officer(session, entry.backup).id
        for key, label in entry.buildings.items():
            building = session.scalars(
                select(Building).where(Building.community_id == community.id, Building.key == key)
            ).first()
            if building is None:
                session.add(Building(community_id=community.id, grid_id=grid.id, key=key, label=label))
                created["buildings"] += 1
            else:
                building.grid_id, building.label = grid.id, label
        session.flush()
    audit.record(session, staff.username, staff.role, "community_import", None, rows=len(rows), **created)
    return ImportResult(rows=len(rows), **created)
