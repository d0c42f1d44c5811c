"""Smart-community incidents (社区事件, SQ): filing, assignment to a grid officer, and the officers' work.

Assignment: the officers of the building's grid take turns (round robin over those not away); when all of
them are away, the grid's backup officer gets it; with nobody available the incident stays `reported` for
an administrator. The turn is taken with one `UPDATE grids SET turn = turn + 1 … RETURNING`: the row stays
locked until the filing commits, so concurrent filings of one grid each get their own turn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api import audit
from api.case_views import receipt
from api.cases import change_status, file_case, find_case
from api.community_schemas import IncidentCreate, IncidentUpdatePublic, IncidentView
from api.deps import Staff
from api.errors import ApiError
from api.models import Community, Grid, GridOfficer, Incident, IncidentUpdate, Photo, StaffUser, utcnow
from api.runtime import Runtime
from api.security import Role
from api.services.case_routing import route_case
from api.services.communities import find_building, find_named_community
from api.services.photos import owned_photos
from contract.community_places import place_text, unit_key
from contract.personal_data import mask_name, mask_phone, mask_text
from contract.receipts import CaseReceipt


@dataclass(frozen=True)
class Notice:
    """What to tell the resident once the change has committed (api/resident_notices.py)."""

    sender: str | None
    channel: str
    number: str
    text: str
    ask_rating: bool = False


def next_officer(session: Session, grid: Grid) -> StaffUser | None:
    """The officer whose turn it is in the grid, else its backup, else None (see the module's docstring)."""
    available = list(
        session.scalars(
            select(StaffUser)
            .join(GridOfficer, GridOfficer.staff_id == StaffUser.id)
            .where(GridOfficer.grid_id == grid.id, StaffUser.active, StaffUser.away.is_(False))
            .where(StaffUser.role == Role.GRID_OFFICER)
            .order_by(StaffUser.id)
        )
    )
    if available:
        turn = session.execute(
            update(Grid).where(Grid.id == grid.id).values(turn=Grid.turn + 1).returning(Grid.turn)
        ).scalar_one()
        return available[(turn - 1) % len(available)]
    backup = session.get(StaffUser, grid.backup_officer_id) if grid.backup_officer_id else None
    return backup if backup is not None and backup.active and not backup.away else None


def _department(community: Community, grid: Grid) -> str:
    return f"{community.name}{grid.name}"[:64]


def file_incident(session: Session, runtime: Runtime, body: IncidentCreate) -> CaseReceipt:
    """File the report and assign it; the receipt names the grid and the officer (name masked)."""
    community = find_named_community(session, body.community)
    building = find_building(session, community, body.building) if body.building else None
    grids = list(session.scalars(select(Grid).where(Grid.community_id == community.id)))
    # Without a building the incident can still be placed when the community has a single grid.
    grid = session.get(Grid, building.grid_id) if building else (grids[0] if len(grids) == 1 else None)
    unit = unit_key(body.unit) if body.unit else None
    incident = Incident(
        incident_kind=body.kind,
        community_id=community.id,
        grid_id=grid.id if grid else None,
        building=building.key if building else None,
        unit=unit,
        description=body.description,
        photo_ids=owned_photos(session, body.photo_ids, body.sender),
        place=place_text(community.name, building.key if building else None, unit),
        department=_department(community, grid) if grid else community.name[:64],
        contact_phone=body.phone,
        contact_name=body.name,
        sender=body.sender,
        channel=body.channel,
    )
    # The grid handles it; the router names what it is about (城乡建设/物业与小区管理), so that the statistics
    # count community reports under the same 15 categories as every other case (the kind is `incident_kind`).
    route_case(session, runtime, incident, body.description, department=incident.department)
    file_case(session, incident, runtime.settings, runtime.calendar, actor=body.sender)
    officer = next_officer(session, grid) if grid else None
    if officer is not None:
        incident.assigned_to = officer.username
        change_status(session, incident, "assigned", audit.SYSTEM, audit.SYSTEM, f"派给网格员{officer.username}")
    shown = receipt(incident)
    if officer is not None:
        shown = replace(shown, department=f"{incident.department}（网格员{mask_name(officer.display_name)}）")
    return shown


def back_to_the_grid(session: Session, incident: Incident, reason: str) -> None:
    """不满意重办 of a resolved incident (api/services/reopening.py has set its status and deadline): the officer
    who resolved it takes it again when available, else the grid's next one; its response and resolution start
    over, and the resident's words join its updates (the earlier resolution stays there)."""
    officer = session.scalars(select(StaffUser).where(StaffUser.username == incident.assigned_to)).first()
    grid = session.get(Grid, incident.grid_id) if incident.grid_id else None
    if (officer is None or not officer.active or officer.away) and grid is not None:
        officer = next_officer(session, grid)
    incident.assigned_to = officer.username if officer is not None else None
    incident.accepted_at = incident.resolved_at = incident.result_note = None
    session.add(IncidentUpdate(incident_id=incident.id, kind="reopen", note=mask_text(reason), by=audit.RESIDENT))


def officer_grids(session: Session, staff: Staff) -> list[int]:
    user = session.scalars(select(StaffUser).where(StaffUser.username == staff.username)).one()
    return list(session.scalars(select(GridOfficer.grid_id).where(GridOfficer.staff_id == user.id)))


def _visible(staff: Staff, grid_ids: list[int]) -> object:
    """An officer's incidents: those of their grids and those assigned to them (as a backup elsewhere)."""
    return or_(Incident.grid_id.in_(grid_ids), Incident.assigned_to == staff.username)


def queue(session: Session, staff: Staff, open_only: bool, limit: int) -> list[IncidentView]:
    """The officer's incidents (an administrator's: all), those waiting longest first."""
    query = select(Incident)
    if staff.role == Role.GRID_OFFICER:
        query = query.where(_visible(staff, officer_grids(session, staff)))  # type: ignore[arg-type]
    if open_only:
        query = query.where(Incident.status != "resolved")
    incidents = list(session.scalars(query.order_by(Incident.created_at).limit(limit)))
    audit.record(session, staff.username, staff.role, "list", None, kind="incident", count=len(incidents))
    return [view(session, incident) for incident in incidents]


def _not_found() -> ApiError:
    return ApiError(404, "case_not_found", "未找到该编号对应的社区事件")


def find_incident(session: Session, number: str, *, for_update: bool = False) -> Incident:
    case = find_case(session, number, for_update=for_update)
    if not isinstance(case, Incident):
        raise _not_found()
    return case


def _own_incident(session: Session, staff: Staff, number: str) -> Incident:
    """The incident if this officer may work it (an administrator may work any); the same 404 otherwise."""
    incident = find_incident(session, number, for_update=True)
    if staff.role == Role.GRID_OFFICER and not (
        incident.assigned_to == staff.username or incident.grid_id in officer_grids(session, staff)
    ):
        raise _not_found()
    return incident


def read_incident(session: Session, staff: Staff, number: str) -> IncidentView:
    incident = _own_incident(session, staff, number)
    audit.record(session, staff.username, staff.role, "read", incident.number)
    return view(session, incident)


def view(session: Session, incident: Incident) -> IncidentView:
    community = session.get(Community, incident.community_id)
    grid = session.get(Grid, incident.grid_id) if incident.grid_id else None
    updates = session.scalars(
        select(IncidentUpdate).where(IncidentUpdate.incident_id == incident.id).order_by(IncidentUpdate.id)
    )
    return IncidentView(
        number=incident.number,
        status=incident.status,
        status_text=incident.status_text,
        incident_kind=incident.incident_kind,
        community=community.name if community else "",
        grid=grid.name if grid else None,
        place=incident.place or "",
        description=incident.description,
        photo_ids=list(incident.photo_ids),
        contact_name=mask_name(incident.contact_name),
        contact_phone=mask_phone(incident.contact_phone),
        assigned_to=incident.assigned_to,
        deadline=incident.deadline,
        created_at=incident.created_at,
        accepted_at=incident.accepted_at,
        resolved_at=incident.resolved_at,
        result_note=incident.result_note,
        updates=[
            IncidentUpdatePublic(kind=u.kind, note=u.note, photo_id=u.photo_id, by=u.by, at=u.at) for u in updates
        ],
    )


def _staff_photo(session: Session, photo_id: str | None) -> str | None:
    if photo_id is not None:
        photo = session.get(Photo, photo_id)
        if photo is None or photo.uploaded_by is None:
            raise ApiError(422, "unknown_photo", "没有找到这张照片，请重新上传", photo_id=photo_id)
    return photo_id


def _record(session: Session, staff: Staff, incident: Incident, kind: str, note: str | None, photo: str | None) -> None:
    session.add(IncidentUpdate(incident_id=incident.id, kind=kind, note=note, photo_id=photo, by=staff.username))


def accept(session: Session, staff: Staff, number: str) -> Notice:
    """The officer takes the incident on (meeting the response deadline if in time)."""
    incident = _own_incident(session, staff, number)
    change_status(session, incident, "accepted", staff.username, staff.role, None)
    incident.assigned_to = staff.username
    incident.accepted_at = utcnow()
    _record(session, staff, incident, "accept", None, None)
    return Notice(
        incident.sender,
        incident.channel,
        incident.number,
        f"您反映的社区事件（编号{incident.number}）已由网格员{mask_name(staff.display_name)}接单，会尽快处理。",
    )


def progress(session: Session, staff: Staff, number: str, note: str, photo_id: str | None) -> Notice:
    """A progress note (and photo) on an accepted incident; the first one moves it to in_progress."""
    incident = _own_incident(session, staff, number)
    if incident.status == "accepted":
        change_status(session, incident, "in_progress", staff.username, staff.role, note)
    elif incident.status != "in_progress":
        raise ApiError(409, "not_accepted", f"当前状态“{incident.status_text}”，请先接单再更新进展")
    _record(session, staff, incident, "progress", note, _staff_photo(session, photo_id))
    incident.updated_at = utcnow()
    photo = "（附现场照片）" if photo_id else ""
    text = f"您反映的社区事件（编号{incident.number}）有新进展：{note}{photo}"
    return Notice(incident.sender, incident.channel, incident.number, text)


def resolve(session: Session, staff: Staff, number: str, note: str, photo_id: str | None) -> Notice:
    """Resolved with a result the resident reads; the resident is then asked to rate it."""
    incident = _own_incident(session, staff, number)
    change_status(session, incident, "resolved", staff.username, staff.role, note)
    incident.resolved_at = utcnow()
    incident.result_note = note
    _record(session, staff, incident, "resolve", note, _staff_photo(session, photo_id))
    return Notice(
        incident.sender,
        incident.channel,
        incident.number,
        f"您反映的社区事件（编号{incident.number}）已处理完毕：{note}\n"
        "请为处理结果打个分；如果问题没有解决，可以点“不满意，申请重办”。",
        ask_rating=True,
    )
