"""End to end in headless Debian chromium: a resident on the demo page asks, escalates, an agent answers
from the console, resolves, and the resident rates. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import Complaint, Evaluation, Ticket
from api.senders import web_sender
from tests.gateway.conftest import PASSWORD
from tests.web.conftest import ANSWER, FakeRasa, Gateway

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"handoff-{name}.png"))


def test_resident_to_agent_and_back(
    browser: Browser, gateway: Gateway, fake_rasa: FakeRasa, make_staff: Callable[[str, str], None]
) -> None:
    outside: list[str] = []
    resident_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    resident_context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(gateway.url) else None)
    resident = resident_context.new_page()
    resident.goto(gateway.url + "/")
    expect(resident.get_by_role("heading", name="六安市人民政府")).to_be_visible()

    # The resident opens the widget with the keyboard and asks a question.
    launcher = resident.get_by_role("button", name="在线咨询")
    launcher.focus()
    resident.keyboard.press("Enter")
    dialog = resident.get_by_role("dialog", name="六安政务智能助手")
    expect(dialog).to_be_visible()
    box = resident.get_by_role("textbox", name="输入您的问题")
    box.fill("社保卡怎么办理")
    box.press("Enter")
    expect(dialog.get_by_text(ANSWER)).to_be_visible()
    shot(resident, "1-resident-answer")

    # Escalation through the assistant's button: a GD ticket, then the bot goes quiet.
    dialog.get_by_role("button", name="转人工客服").last.click()
    escalated = dialog.get_by_text(re.compile(r"工单编号：GD\d{8,}"))
    expect(escalated).to_be_visible()
    number = re.search(r"GD\d{8,}", escalated.inner_text()).group(0)  # type: ignore[union-attr]
    box.fill("我的社保卡丢了，怎么挂失补办？")
    box.press("Enter")
    expect(dialog.get_by_text("您的消息已转给12345人工客服")).to_be_visible()
    shot(resident, "2-resident-waiting")

    # An agent logs in to the console and opens the waiting conversation.
    make_staff("agent9", "agent")
    agent = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    agent.goto(gateway.url + "/console")
    agent.get_by_label("用户名").fill("agent9")
    agent.get_by_label("密码").fill(PASSWORD)
    agent.get_by_role("button", name="登录").click()
    queue = agent.get_by_role("list", name="待接入会话")
    entry = queue.get_by_text(number)
    expect(entry).to_be_visible()
    expect(queue.get_by_text("我的社保卡丢了")).to_be_visible()
    entry.click()
    expect(agent.get_by_role("list", name="对话记录").get_by_text("我的社保卡丢了，怎么挂失补办？")).to_be_visible()
    insert = agent.get_by_role("button", name=re.compile("插入参考答案：")).first
    expect(insert).to_be_visible()
    shot(agent, "3-console-conversation")

    # One click inserts the suggested answer; the agent edits it and sends.
    insert.click()
    reply_box = agent.get_by_label("回复居民")
    suggested = reply_box.input_value()
    assert suggested.strip()
    reply_box.fill("您好，社保卡可以先电话挂失。" + suggested[:40])
    agent.get_by_role("button", name="发送回复").click()
    expect(dialog.get_by_text("您好，社保卡可以先电话挂失。")).to_be_visible(timeout=10_000)
    expect(dialog.get_by_text("人工客服 agent9坐席")).to_be_visible()
    shot(resident, "4-resident-agent-reply")

    # The agent dispatches the ticket and resolves it; the resident is asked to rate and does.
    agent.get_by_label("一级分类").select_option("劳动和社会保障")
    agent.get_by_label("二级分类").select_option("社会保障卡")
    agent.get_by_role("button", name="派单").click()
    expect(agent.get_by_text("已派单至市人力资源和社会保障局")).to_be_visible()
    agent.get_by_role("button", name="办结并邀请评价").click()
    expect(agent.get_by_text("工单已办结，已邀请居民评价。")).to_be_visible()
    expect(queue.get_by_text(number)).to_have_count(0)
    shot(agent, "5-console-resolved")

    expect(dialog.get_by_text("请为我们的服务打分")).to_be_visible(timeout=10_000)
    dialog.get_by_role("button", name="5分 非常满意").click()
    expect(dialog.get_by_text("感谢您的评价")).to_be_visible()
    shot(resident, "6-resident-rated")

    # History survives a reload; large text is available; nothing left the gateway.
    resident.reload()
    expect(dialog.get_by_text("您好，社保卡可以先电话挂失。")).to_be_visible()
    large = dialog.get_by_role("button", name="大字模式")
    large.click()
    expect(large).to_have_attribute("aria-pressed", "true")
    shot(resident, "7-resident-reloaded-large-text")
    assert outside == []

    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert (ticket.status, ticket.category, ticket.subcategory) == ("resolved", "劳动和社会保障", "社会保障卡")
        assert session.scalars(select(Evaluation.stars).where(Evaluation.case_number == number)).one() == 5
    assert fake_rasa.resumed and all(m["metadata"]["channel"] == "web" for m in fake_rasa.messages)


def test_the_widget_asks_for_its_id_once_and_replaces_one_the_gateway_refuses(
    browser: Browser, gateway: Gateway, fake_rasa: FakeRasa
) -> None:
    """A browser still holding an id the widget made up itself (before ids were issued) gets a new one."""
    issued: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.on("request", lambda r: issued.append(r.url) if r.url.endswith("/api/chat/session") else None)
    page = context.new_page()
    page.goto(gateway.url + "/")
    page.evaluate(
        "() => { localStorage.setItem('luan-chat:sender', JSON.stringify('web-' + '0'.repeat(32)));"
        " localStorage.setItem('luan-chat:open', 'true'); }"
    )
    page.reload()
    dialog = page.get_by_role("dialog", name="六安政务智能助手")
    box = page.get_by_role("textbox", name="输入您的问题")
    box.fill("社保卡怎么办理")
    box.press("Enter")
    expect(dialog.get_by_text(ANSWER)).to_have_count(1)
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('luan-chat:sender'))")
    assert web_sender(gateway.settings, stored) == fake_rasa.messages[-1]["sender"]

    page.reload()  # kept: asked once
    box.fill("公积金怎么提取")
    box.press("Enter")
    expect(dialog.get_by_text(ANSWER)).to_have_count(2)
    assert page.evaluate("() => JSON.parse(localStorage.getItem('luan-chat:sender'))") == stored
    assert fake_rasa.messages[-1]["sender"] == web_sender(gateway.settings, stored) and len(issued) == 1
    expect(dialog.get_by_text("连接中断")).to_have_count(0)  # the stream is connected under the new id
    context.close()


ALTERNATIVES = [
    {"category": "城乡建设", "subcategory": "物业与小区管理", "department": "市住房和城乡建设局", "score": 0.62},
    {"category": "环境保护", "subcategory": "噪声扰民", "department": "市生态环境局", "score": 0.3},
    {"category": "政法", "subcategory": None, "department": None, "score": 0.08},
]


def test_console_triage_dispatch_starts_on_the_prediction(
    browser: Browser, gateway: Gateway, make_staff: Callable[[str, str], None]
) -> None:
    """A case in triage (待分拨): its 派单 form starts on the router's choice, an alternative fills it in one
    click, and the dispatch ends triage."""
    with httpx.Client(base_url=gateway.url, timeout=20) as http:
        response = http.post("/api/complaints", json={"description": "楼下饭店每天夜里噪音很大，吵得睡不着"})
        assert response.status_code == 201, response.text
    number = response.json()["number"]
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        case = session.scalars(select(Complaint).where(Complaint.number == number)).one()
        case.category, case.subcategory, case.department = "城乡建设", "物业与小区管理", None
        case.routed_by, case.routing_confidence, case.routing_alternatives = "model", 0.62, ALTERNATIVES

    make_staff("agent8", "agent")
    agent = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    agent.goto(gateway.url + "/console")
    agent.get_by_label("用户名").fill("agent8")
    agent.get_by_label("密码").fill(PASSWORD)
    agent.get_by_role("button", name="登录").click()
    triage = agent.get_by_role("list", name="待分拨")
    entry = triage.get_by_text(number)
    expect(entry).to_be_visible()
    expect(triage.get_by_text("建议 城乡建设（62%）")).to_be_visible()
    entry.click()

    # Pre-filled with the router's category, subcategory and (its) department.
    expect(agent.get_by_label("一级分类")).to_have_value("城乡建设")
    expect(agent.get_by_label("二级分类")).to_have_value("物业与小区管理")
    expect(agent.get_by_label("承办部门")).to_have_value("市住房和城乡建设局")
    suggestions = agent.get_by_role("list", name="智能分类建议")
    expect(suggestions.get_by_role("button")).to_have_count(3)
    expect(suggestions.get_by_role("button").first).to_have_attribute("aria-pressed", "true")
    shot(agent, "8-console-triage-prefilled")

    # One click on the second alternative fills the form with it.
    noise = suggestions.get_by_role("button", name=re.compile("噪声扰民.*30%"))
    noise.click()
    expect(agent.get_by_label("一级分类")).to_have_value("环境保护")
    expect(agent.get_by_label("二级分类")).to_have_value("噪声扰民")
    expect(agent.get_by_label("承办部门")).to_have_value("市生态环境局")
    expect(noise).to_have_attribute("aria-pressed", "true")
    shot(agent, "9-console-alternative-chosen")

    agent.get_by_role("button", name="派单", exact=True).click()
    expect(agent.get_by_text("已派单至市生态环境局（环境保护）")).to_be_visible()
    expect(triage.get_by_text(number)).to_have_count(0)
    shot(agent, "10-console-triage-dispatched")
    with transaction(sessions) as session:
        case = session.scalars(select(Complaint).where(Complaint.number == number)).one()
        assert (case.category, case.subcategory, case.department, case.routed_by) == (
            "环境保护",
            "噪声扰民",
            "市生态环境局",
            "agent8",
        )
