"""Command line of the gateway: `python -m api migrate | create-admin | seed-demo`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy import select

from api import standin
from api.budget_samples import seed_sample_rounds
from api.categories import project_categories
from api.community_samples import SAMPLE_OFFICERS, seed_sample_community
from api.db import make_engine, make_session_factory, transaction
from api.migrate import upgrade
from api.models import Consultation, StaffUser
from api.security import Role, hash_password
from api.settings import get_settings
from api.workdays import WorkCalendar

DEMO_CONSULTATIONS = (
    # Sample consultations so that a fresh `make run` has something to comment on.
    (
        "六安城区公交线路优化意见征集（示例）",
        "我们计划调整部分城区公交线路和班次，想听听您日常出行中遇到的问题和建议。",
        "市交通运输局",
    ),
    (
        "政务服务“一件事一次办”改进建议征集（示例）",
        "您在办理社保、公积金、户籍等事项时，哪些环节最麻烦？欢迎提出改进建议。",
        "市政务服务管理局",
    ),
)


def create_admin(username: str, display_name: str) -> None:
    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("新管理员密码（至少10位）: ")
    if len(password) < 10:
        sys.exit("密码至少需要10位")
    sessions = make_session_factory(make_engine(get_settings().database_url))
    with transaction(sessions) as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None:
            user = StaffUser(username=username, display_name=display_name, role=Role.ADMIN.value, password_hash="")
            session.add(user)
        user.role = Role.ADMIN.value
        user.password_hash = hash_password(password)
        user.active = True
    print(f"管理员账号 {username} 已就绪")


def seed_demo() -> None:
    settings = get_settings()
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        if session.scalar(select(Consultation.id).limit(1)) is None:
            for title, summary, department in DEMO_CONSULTATIONS:
                session.add(Consultation(title=title, summary=summary, department=department, status="open"))
        seed_sample_rounds(session, settings, WorkCalendar.from_file(settings.holidays_file, settings.timezone))
        # Every department's system is the local stand-in (scripts/standin_departments.py) until one is registered.
        standin.seed(session, project_categories(), settings)
        officers_password = seed_sample_community(session)
    if officers_password:
        print(f"样例网格员账号 {'、'.join(SAMPLE_OFFICERS)} 已创建，密码（只显示这一次）：{officers_password}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database schema up to date")
    admin = commands.add_parser(
        "create-admin", help="create (or reset) an administrator; password from ADMIN_PASSWORD or a prompt"
    )
    admin.add_argument("--username", default="admin")
    admin.add_argument("--display-name", default="系统管理员")
    commands.add_parser(
        "seed-demo", help="add sample consultations, budget rounds and a community to an empty database"
    )
    args = parser.parse_args(argv)
    if args.command == "migrate":
        upgrade(get_settings().database_url)
    elif args.command == "create-admin":
        create_admin(args.username, args.display_name)
    else:
        seed_demo()


if __name__ == "__main__":
    main()
