"""Sample data (样例) of smart-community incidents for a fresh `make run`: one community with three grids,
their buildings and grid officers, so that a report from the chat is assigned and can be worked on /grid.

The officers' password is GRID_DEMO_PASSWORD when set; otherwise one is generated and printed once, when the
accounts are created (like `create-admin` asks for one): it is stored only as a hash.
"""

from __future__ import annotations

import os
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Building, Community, Grid, GridOfficer, StaffUser
from api.security import Role, hash_password
from contract.community_places import building_key

SAMPLE_COMMUNITY = "样例·金安区某社区"
# grid -> (officers taking turns, backup officer, buildings)
SAMPLE_GRIDS = {
    "第一网格": (("grid1", "grid1b"), "grid3", ("1栋", "2栋", "3栋")),
    "第二网格": (("grid2",), "grid1", ("4栋", "5栋", "6号楼")),
    "第三网格": (("grid3",), "grid2", ("7栋", "8栋", "9栋")),
}
# Made-up names (样例): residents read them masked ("周*"), so a label like "样例网格员" would read "样*****".
SAMPLE_OFFICERS = {"grid1": "陈晓", "grid1b": "刘洋", "grid2": "周静", "grid3": "吴磊"}


def seed_sample_community(session: Session) -> str | None:
    """Add the sample community once; the officers' generated password when one was made (to print), else None."""
    if session.scalars(select(Community).where(Community.name == SAMPLE_COMMUNITY)).first() is not None:
        return None
    given = os.environ.get("GRID_DEMO_PASSWORD")
    password = given or secrets.token_urlsafe(9)
    officers: dict[str, StaffUser] = {}
    for username, name in SAMPLE_OFFICERS.items():
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None:
            user = StaffUser(
                username=username,
                display_name=name,
                role=Role.GRID_OFFICER.value,
                password_hash=hash_password(password),
            )
            session.add(user)
        officers[username] = user
    community = Community(name=SAMPLE_COMMUNITY, district="金安区", sample=True)
    session.add(community)
    session.flush()
    for grid_name, (names, backup, buildings) in SAMPLE_GRIDS.items():
        grid = Grid(community_id=community.id, name=grid_name, turn=0, backup_officer_id=officers[backup].id)
        session.add(grid)
        session.flush()
        session.add_all(GridOfficer(grid_id=grid.id, staff_id=officers[n].id) for n in names)
        session.add_all(
            Building(community_id=community.id, grid_id=grid.id, key=building_key(label) or label, label=label)
            for label in buildings
        )
    return None if given else password
