"""Sample budget rounds (样例) for `python -m api seed-demo`: one round taking proposals and one voting, with
projects written for this project, so that the budget page and the chat have something on a fresh machine."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.cases import change_status, file_case
from api.models import BudgetRound, Proposal, utcnow
from api.settings import Settings
from api.workdays import WorkCalendar
from contract.budget import PROPOSALS, VOTING

SAMPLE_AREA = "样例街道"
# (title, description, place, reviewed cost in yuan): 6,100,000 together, twice the voting round's budget.
VOTING_PROJECTS = (
    ("老旧小区加装电梯（样例）", "为3栋、5栋两栋六层老楼各加装一部电梯，方便老人上下。", "样例社区3栋、5栋", 1_600_000),
    ("社区食堂（样例）", "利用社区服务中心一楼开办老年助餐食堂，午餐每份补贴5元。", "样例社区服务中心", 900_000),
    ("口袋公园（样例）", "把菜市场旁的闲置空地改造成带座椅和绿化的小公园。", "样例路菜市场东侧", 650_000),
    ("电动自行车充电棚（样例）", "在小区内建两处带消防设施的集中充电棚，杜绝飞线充电。", "样例社区南门、北门", 400_000),
    ("背街小巷路灯（样例）", "为三条背街小巷补装节能路灯，解决夜间出行照明。", "样例巷、样例里、样例弄", 350_000),
    ("社区儿童之家（样例）", "改造闲置用房为儿童阅读和托管空间，提供课后看护。", "样例社区党群服务中心二楼", 2_200_000),
)


def seed_sample_rounds(session: Session, settings: Settings, calendar: WorkCalendar) -> None:
    """Add the two sample rounds unless sample rounds exist already."""
    if session.scalar(select(BudgetRound.id).where(BudgetRound.sample.is_(True)).limit(1)) is not None:
        return
    today = utcnow().astimezone(calendar.tz).date()
    session.add(_round("2027年度社区微更新项目征集（样例）", PROPOSALS, today + timedelta(days=30), today))
    voting = _round("2026年度民生实事项目投票（样例）", VOTING, today - timedelta(days=20), today)
    session.add(voting)
    session.flush()
    for title, description, place, cost in VOTING_PROJECTS:
        proposal = Proposal(
            round_id=voting.id, title=title, description=description, place=place, rough_cost_yuan=cost, channel="web"
        )
        file_case(session, proposal, settings, calendar, actor=audit.SYSTEM, role=audit.SYSTEM)
        change_status(session, proposal, "accepted", audit.SYSTEM, audit.SYSTEM, "样例数据")
        proposal.cost_estimate_yuan = cost
        proposal.review_reason = "样例：项目可行，费用经评审核定。"
        proposal.reviewed_by = audit.SYSTEM


def _round(title: str, phase: str, proposals_until: date, today: date) -> BudgetRound:
    """A round whose later phases end 10 and 30 days after its proposals (voting at least a week from today)."""
    return BudgetRound(
        title=title,
        area=SAMPLE_AREA,
        budget_yuan=3_000_000,
        max_choices=3,
        phase=phase,
        proposals_until=proposals_until,
        review_until=proposals_until + timedelta(days=10),
        voting_until=max(proposals_until + timedelta(days=30), today + timedelta(days=7)),
        opened_by=audit.SYSTEM,
        sample=True,
    )
