"""Department systems in the console, in headless chromium: an agent looks a property up across departments and
sees the parts that answered next to the one that did not (the tax department is down); a wrong certificate gets
a Chinese message; an administrator retries a dead delivery from 部门投递失败. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from api import standin
from api.db import make_engine, make_session_factory, transaction
from api.models import DepartmentDelivery
from contract.property_lookup import PROPERTY_SOURCES
from scripts.standin_departments import create_app as create_standin
from tests.gateway.server import free_port, serve
from tests.web.conftest import Gateway, wcag_violations
from tests.web.test_moderation_console import login, token
from tests.web.test_widget_console_e2e import ARTIFACTS, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.browser
HOUSING = "市住房和城乡建设局"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"departments-{name}.png"), full_page=True)


def test_property_lookup_and_dead_letters(
    browser: Browser,  # noqa: F811
    gateway: Gateway,
    http: httpx.Client,
    make_staff: Callable[[str, str], None],
    axe_script: str,
) -> None:
    make_staff("agent5", "agent")
    make_staff("root", "admin")
    admin = token(http, "root")
    down = f"http://127.0.0.1:{free_port()}"
    with serve(create_standin(gateway.settings, gateway.url)) as url:
        for source in PROPERTY_SOURCES:
            lookup = f"{down}/tax/property" if source.source == "tax" else f"{url}/{source.source}/property"
            body = {
                "webhook_url": f"{down}/webhooks/{quote(source.department)}",
                "lookup_url": lookup,
                "signing_secret": standin.signing_secret(gateway.settings.standin_secret, source.department),
            }
            assert http.put(f"/api/staff/departments/{source.department}", json=body, headers=admin).status_code == 200

        agent = login(browser, gateway, "agent5")
        expect(agent.get_by_role("button", name="部门投递失败")).to_be_hidden()
        agent.get_by_role("button", name="不动产查询").click()
        agent.get_by_label("不动产权证号").fill("皖(2026)六安市不动产权第0012345号")
        agent.get_by_role("button", name="查询", exact=True).click()
        view = agent.locator("#departments-view")
        expect(view).to_contain_text("部分信息暂时查不到：税务信息。")
        expect(view.get_by_role("heading", name="土地信息（市自然资源和规划局）")).to_be_visible()
        expect(view.get_by_role("cell", name="89.52平方米")).to_be_visible()
        expect(view).to_contain_text("税务信息暂时查不到：国家税务总局六安市税务局的系统连接不上，请稍后再试。")
        assert wcag_violations(agent, axe_script) == []
        shot(agent, "1-partial")
        agent.get_by_label("不动产权证号").fill("六安123")
        agent.get_by_role("button", name="查询", exact=True).click()
        expect(agent.get_by_role("alert")).to_contain_text("不动产权证号格式不对")
        assert wcag_violations(agent, axe_script) == []
        shot(agent, "2-invalid")

    # A complaint for the housing department, whose webhook is down: after its last retry it is dead.
    complaint = {"description": "小区电梯三天两头坏，物业不修", "phone": "13812345678", "department": HOUSING}
    number = http.post("/api/complaints", json=complaint).json()["number"]
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        session.execute(
            update(DepartmentDelivery).values(
                dead=True, attempts=6, last_error="ConnectError: All connection attempts failed"
            )
        )
    root = login(browser, gateway, "root")
    root.get_by_role("button", name="部门投递失败").click()
    expect(root.get_by_role("heading", name="部门投递失败（1条）")).to_be_visible()
    expect(root.get_by_role("cell", name=number, exact=True)).to_be_visible()
    assert wcag_violations(root, axe_script) == []
    shot(root, "3-dead-letters")
    root.get_by_role("button", name=f"重新投递{number}（{HOUSING}）").click()
    expect(root.get_by_role("status").filter(has_text="已重新排队投递")).to_contain_text(number)
    expect(root.get_by_text("暂无投递失败的记录。")).to_be_visible()
    assert wcag_violations(root, axe_script) == []
    shot(root, "4-retried")
    with transaction(sessions) as session:
        delivery = session.scalars(select(DepartmentDelivery)).one()
        assert delivery.dead is False and delivery.attempts <= 1  # back in the queue (maybe tried once since)
