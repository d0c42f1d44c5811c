"""The console's 督办 in headless chromium: a red card pushed by the gateway's scheduler reaches the case's
department's agent and a supervisor (list and notice) but not another department's agent; the supervisor adds
a note and extends the deadline from the case view. A department's agent sees only its department's tickets,
the centre's agent all (api/case_access.py). Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import StaffUser
from api.security import hash_password
from api.workdays import WorkCalendar
from tests.gateway.conftest import PASSWORD, make_settings
from tests.gateway.server import serve
from tests.web.conftest import wcag_violations
from tests.web.test_widget_console_e2e import ARTIFACTS, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.browser
HR = "市人力资源和社会保障局"
CITY = "市城市管理局"
HOUSING = "市住房和城乡建设局"
TRANSPORT = "市交通运输局"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"supervision-{name}.png"), full_page=True)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, object, WorkCalendar]]:
    """The gateway with its scheduler ticking every 0.2 s, and three staff accounts."""
    database_url = f"sqlite:///{tmp_path / 'supervision.db'}"
    upgrade(database_url)
    settings = make_settings(database_url, supervision_interval_seconds=0.2)
    sessions = make_session_factory(make_engine(database_url))
    with transaction(sessions) as session:
        for username, role, department in (
            ("hr7", "agent", HR),
            ("city7", "agent", CITY),
            ("chief", "supervisor", None),
            ("housing7", "agent", HOUSING),
            ("centre7", "agent", None),
        ):
            session.add(
                StaffUser(
                    username=username,
                    display_name=f"{username}坐席",
                    role=role,
                    department=department,
                    password_hash=hash_password(PASSWORD),
                )
            )
    app = create_app(settings)
    with serve(app) as url:
        yield url, app, WorkCalendar.from_file(settings.holidays_file, settings.timezone)


def login(browser: Browser, url: str, username: str) -> Page:  # noqa: F811
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    page.goto(url + "/console")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("● 实时更新中")).to_be_visible()
    return page


def test_a_red_card_reaches_the_right_consoles_and_a_supervisor_acts_on_it(
    browser: Browser,  # noqa: F811
    served: tuple[str, object, WorkCalendar],
) -> None:
    url, app, calendar = served
    with httpx.Client(base_url=url, timeout=20) as http:
        body = {"description": "社保卡补办两周还没拿到", "phone": "13812345678", "service": "社会保障卡申领"}
        case = http.post("/api/complaints", json=body).json()
    number, deadline = case["number"], datetime.fromisoformat(case["deadline"])

    hr, city, chief = (login(browser, url, name) for name in ("hr7", "city7", "chief"))
    expect(chief.get_by_role("list", name="督办")).to_contain_text("暂无督办")
    expect(city.get_by_role("list", name="督办")).to_contain_text("暂无本部门的督办")

    app.state.supervision.clock = lambda: deadline + timedelta(minutes=1)  # type: ignore[attr-defined]
    for page in (hr, chief):
        expect(page.get_by_role("alert")).to_contain_text(f"红牌督办：{number} 已超期")
        expect(page.get_by_role("list", name="督办")).to_contain_text(number)
        expect(page.get_by_role("heading", name="督办")).to_contain_text("（1）")
    shot(hr, "1-agent-pushed")
    expect(city.get_by_role("list", name="督办")).to_contain_text("暂无本部门的督办")
    expect(city.get_by_role("alert")).to_be_hidden()

    chief.get_by_role("list", name="督办").get_by_text(number).click()
    history = chief.get_by_role("list", name="督办记录")
    expect(history).to_contain_text("红牌督办")
    expect(history).to_contain_text("系统")
    chief.get_by_label("意见").fill("请今天内联系居民说明进度")
    chief.locator(".supervision-form").first.get_by_role("button", name="提交").click()
    expect(history).to_contain_text("督办意见")
    expect(chief.get_by_role("list", name="督办记录")).to_contain_text("请今天内联系居民说明进度")

    # A weekend day is refused with the server's message; a later working day is taken.
    due = deadline.astimezone(calendar.tz).date()
    saturday = due + timedelta(days=(5 - due.weekday()) % 7 or 7)
    while calendar.is_workday(saturday):
        saturday += timedelta(days=7)
    extension = chief.locator(".supervision-form").nth(1)
    extension.get_by_label("新的办理时限").fill(saturday.isoformat())
    extension.get_by_label("延期理由").fill("需到现场核实")
    extension.get_by_role("button", name="提交").click()
    expect(extension.get_by_role("status")).to_contain_text("不是工作日")
    later = calendar.add_workdays(due, 2)
    extension.get_by_label("新的办理时限").fill(later.isoformat())
    extension.get_by_role("button", name="提交").click()
    expect(chief.get_by_role("list", name="督办记录")).to_contain_text("需到现场核实")
    shot(chief, "2-supervisor-case")

    # The agent is told of both, live.
    expect(hr.get_by_role("list", name="督办")).to_contain_text("时限延至")
    expect(hr.get_by_role("heading", name="督办")).to_contain_text("（3）")
    shot(hr, "3-agent-list")
    expect(city.get_by_role("list", name="督办")).to_contain_text("暂无本部门的督办")


def test_a_departments_agent_sees_only_its_departments_tickets(
    browser: Browser,  # noqa: F811
    served: tuple[str, object, WorkCalendar],
    axe_script: str,
) -> None:
    url, app, _ = served
    token = app.state.runtime.settings.service_token  # type: ignore[attr-defined]
    with httpx.Client(base_url=url, timeout=20, headers={"X-Service-Token": token}) as http:
        housing, transport = (
            http.post("/api/tickets", json={"summary": summary, "department": department}).json()["number"]
            for summary, department in (("公租房申请进度查询", HOUSING), ("出租车拒载", TRANSPORT))
        )

    page = login(browser, url, "housing7")
    tickets = page.get_by_role("list", name="未办结工单")
    expect(tickets).to_contain_text(housing)
    expect(page.get_by_role("heading", name="未办结工单")).to_contain_text("（1）")
    expect(tickets).not_to_contain_text(transport)
    expect(page.locator("#who")).to_contain_text(f"（{HOUSING}）")
    expect(page.get_by_role("list", name="督办")).to_contain_text("暂无本部门的督办")
    expect(page.get_by_role("list", name="待分拨")).to_contain_text("暂无待分拨事项")
    assert wcag_violations(page, axe_script) == []
    shot(page, "4-department-agent")

    centre = login(browser, url, "centre7")
    for number in (housing, transport):
        expect(centre.get_by_role("list", name="未办结工单")).to_contain_text(number)
    expect(centre.get_by_role("list", name="督办")).to_contain_text("暂无督办")
    shot(centre, "5-centre-agent")
