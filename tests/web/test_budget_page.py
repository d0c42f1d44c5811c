"""参与式预算 page in headless Debian chromium on a phone-sized screen: a resident proposes a project, confirms
their phone with the code read from the development SMS sender, votes, is refused a ballot with too many
projects, and changes their vote. Screenshots in test-artifacts/budget-*.png."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from api.budget_samples import VOTING_PROJECTS, seed_sample_rounds
from api.db import make_engine, make_session_factory, transaction
from api.workdays import WorkCalendar
from tests.gateway.conftest import PASSWORD
from tests.web.conftest import Gateway, wcag_violations
from tests.web.test_widget_console_e2e import ARTIFACTS, browser

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the module's fixture, shared

PHONE = "13700001234"


@pytest.fixture
def context(browser: Browser, gateway: Gateway) -> Iterator[BrowserContext]:
    settings = gateway.settings
    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        seed_sample_rounds(session, settings, WorkCalendar.from_file(settings.holidays_file, settings.timezone))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(gateway.url) else None)
    yield context
    context.close()
    assert outside == [], outside  # nothing from outside the gateway


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"budget-{name}.png"), full_page=True)


def test_a_resident_proposes_verifies_votes_and_changes_the_vote(
    context: BrowserContext, gateway: Gateway, axe_script: str
) -> None:
    page = context.new_page()
    page.goto(gateway.url + "/budget")
    expect(page.get_by_role("heading", name=re.compile("社区微更新项目征集"))).to_be_visible()
    expect(page.get_by_text("跳过它", exact=False)).to_be_visible()  # the funding rule is stated
    assert wcag_violations(page, axe_script) == []

    page.get_by_label("项目名称").fill("楼道扶手")
    page.get_by_role("button", name="提交提议").click()
    expect(page.get_by_text("请把项目名称、说明、大致费用、地点和手机号都填上。")).to_be_visible()
    page.get_by_label("项目说明").fill("为老旧楼道加装扶手，方便老人上下楼（样例）")
    page.get_by_label("大致费用（元）").fill("80000")
    page.get_by_label("地点").fill("样例社区7栋")
    page.get_by_label("手机号（用于查询评审进度）").fill(PHONE)
    page.get_by_role("button", name="提交提议").click()
    expect(page.get_by_text(re.compile(r"提议已提交，编号：YS\d{13}"))).to_be_visible()
    assert wcag_violations(page, axe_script) == []
    shot(page, "proposed")

    page.get_by_label("选择轮次").select_option(label="2026年度民生实事项目投票（样例） · 投票中")
    expect(page.get_by_role("heading", name="投票", exact=True)).to_be_visible()
    expect(page.locator("#projects > li")).to_have_count(len(VOTING_PROJECTS))
    page.get_by_label("手机号", exact=True).fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text(re.compile("验证码已发送"))).to_be_visible()
    text = gateway.app.state.runtime.sms.last_to(PHONE)
    code = re.search(r"\d{6}", text).group(0)  # type: ignore[union-attr]
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="验证", exact=True).click()
    expect(page.get_by_text("手机号已验证，请选择项目投票。")).to_be_visible()

    titles = [title for title, *_ in VOTING_PROJECTS]
    for title in titles[:4]:
        page.get_by_role("checkbox", name=re.compile(re.escape(title))).check()
    page.get_by_role("button", name="提交选票").click()
    expect(page.get_by_text(re.compile("每张选票最多选3个项目"))).to_be_visible()
    assert wcag_violations(page, axe_script) == []
    shot(page, "too-many")

    page.get_by_role("checkbox", name=re.compile(re.escape(titles[3]))).uncheck()
    page.get_by_role("checkbox", name=re.compile(re.escape(titles[2]))).uncheck()
    page.get_by_role("button", name="提交选票").click()
    expect(page.get_by_text(re.compile("投票成功：共选2个项目"))).to_be_visible()
    shot(page, "voted")

    page.reload()
    expect(page.get_by_text("您已投票，可以修改后重新提交。")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile(re.escape(titles[0])))).to_be_checked()
    page.get_by_role("checkbox", name=re.compile(re.escape(titles[0]))).uncheck()
    page.get_by_role("checkbox", name=re.compile(re.escape(titles[5]))).check()
    page.get_by_role("button", name="提交选票").click()
    expect(page.get_by_text(re.compile("已改票：共选2个项目"))).to_be_visible()
    assert wcag_violations(page, axe_script) == []
    shot(page, "changed")


def test_a_supervisor_reviews_a_proposal_in_the_staff_section(
    context: BrowserContext,
    gateway: Gateway,
    http: httpx.Client,
    make_staff: Callable[[str, str], None],
    axe_script: str,
) -> None:
    make_staff("lead3", "supervisor")
    [round_id] = [r["id"] for r in http.get("/api/budget/rounds", params={"phase": "proposals"}).json()]
    body = {"title": "小区路灯", "description": "样例：小区北门一段路没有路灯，晚上看不清", "cost_yuan": 60000}
    body |= {"place": "样例社区北门", "phone": PHONE}
    filed = http.post(f"/api/budget/rounds/{round_id}/proposals", json=body)
    number = filed.json()["number"]

    page = context.new_page()
    page.goto(gateway.url + "/console")  # the staff section uses the tab's console login
    page.get_by_label("用户名").fill("lead3")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    page.goto(gateway.url + "/budget")
    staff = page.locator("#staff")
    expect(staff.get_by_role("heading", name="工作人员")).to_be_visible()
    expect(staff).to_contain_text(f"{number} 小区路灯")
    expect(staff).to_contain_text("联系电话 137****1234")  # masked for staff too
    assert wcag_violations(page, axe_script) == []
    shot(page, "staff-review")

    staff.get_by_label("评审意见（公开）").fill("样例：与市政亮化工程重复，已转交城管部门")
    staff.get_by_role("button", name="不通过").click()
    expect(staff.get_by_role("status")).to_have_text("已保存。")
    expect(staff).to_contain_text("未通过")
    assert wcag_violations(page, axe_script) == []
    shot(page, "staff-rejected")
