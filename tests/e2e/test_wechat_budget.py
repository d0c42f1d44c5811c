"""Participatory budget voting done entirely in the WeChat chat (issue 16): the openid is the voter's verified
identity (actions/budget.py's ballot form). Through the real stack: wechatpy's encrypted pushes to `/wechat`, the
trained assistant, the action server and the gateway's budget API, on seed-demo's round open for voting."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scripts.stack import ROOT
from tests.channels.fake_wechat_api import FakeWeChatApi
from tests.e2e.conftest import LiveStack
from tests.e2e.wechat_resident import WeChatResident, wechat_stack

pytestmark = pytest.mark.rasa

PASSWORD = "budget-admin-password"
ROUND = "2026年度民生实事项目投票（样例）"


@pytest.fixture(scope="module")
def budget_stack() -> Iterator[tuple[LiveStack, FakeWeChatApi]]:
    # A generous reply budget: every answer comes back as the passive reply, so each push reads as one turn.
    with wechat_stack(WECHAT_REPLY_BUDGET_SECONDS="30") as (stack, api):
        env = dict(os.environ, DATABASE_URL=stack.database_url, ADMIN_PASSWORD=PASSWORD, PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-m", "api", "create-admin", "--username", "budget-admin"], env=env, check=True)
        yield stack, api


def ballot(listing: str) -> dict[str, int]:
    """The projects as the chat numbers them: title -> number to reply."""
    return {title: int(index) for index, title in re.findall(r"^(\d+)\. (.+?)（约", listing, flags=re.MULTILINE)}


def test_voting_changing_the_ballot_and_the_counts_from_wechat(budget_stack: tuple[LiveStack, FakeWeChatApi]) -> None:
    stack, api = budget_stack
    voter = WeChatResident("oLuAn_voter_000000000000001", stack.gateway, api)

    listing = voter.say("我要投票")
    assert ROUND in listing and "最多选3个" in listing and "序号" in listing, listing
    projects = ballot(listing)
    assert len(projects) >= 4, listing
    first, second, third, fourth = list(projects)[:4]

    confirm = voter.say(f"{projects[first]} {projects[third]}")
    assert first in confirm and third in confirm and "确认投票" in confirm, confirm
    cast = voter.say("1")  # the first numbered choice: 确认投票
    assert "投票成功" in cast and first in cast and third in cast, cast

    # Changed: the same openid's ballot is replaced, not added.
    assert ballot(voter.say("我要投票")) == projects
    too_many = voter.say("1 2 3 4")
    assert "最多只能选3个" in too_many, too_many
    assert second in voter.say(str(projects[second]))
    changed = voter.say("确认")
    assert "已为您改票" in changed and second in changed and first not in changed, changed

    other = WeChatResident("oLuAn_voter_000000000000002", stack.gateway, api)
    other.say("我要投票")
    other.say(f"{projects[second]} {projects[fourth]}")
    assert "投票成功" in other.say("1")

    # A third resident is confirming when the vote closes: the ballot is refused in Chinese, nothing is counted.
    late = WeChatResident("oLuAn_voter_000000000000003", stack.gateway, api)
    late.say("我要投票")
    assert "确认投票" in late.say(str(projects[first]))
    http = httpx.Client(base_url=stack.gateway, timeout=60)
    round_id = _round_id(http)
    closed = http.post(f"/api/staff/budget/rounds/{round_id}/phase", json={"phase": "results"}, headers=_admin(http))
    assert closed.status_code == 200, closed.text
    refused = late.say("1")
    assert "投票已于" in refused and "截止" in refused and "投票成功" not in refused, refused
    assert "没有正在投票" in late.say("我要投票")

    votes = {p["title"]: p["votes"] for p in http.get(f"/api/budget/rounds/{round_id}").json()["projects"]}
    assert votes[first] == 0 and votes[third] == 0  # the first ballot was replaced
    assert votes[second] == 2 and votes[fourth] == 1
    assert sum(v or 0 for v in votes.values()) == 3


def _round_id(http: httpx.Client) -> int:
    rounds: list[dict[str, Any]] = http.get("/api/budget/rounds", params={"phase": "voting"}).json()
    return int(next(r["id"] for r in rounds if r["title"] == ROUND))


def _admin(http: httpx.Client) -> dict[str, str]:
    login = http.post("/api/auth/login", json={"username": "budget-admin", "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}
