"""The console's 未解答问题 in headless chromium: an administrator opens a group, adds its questions to a
service and sees them answered; an agent has no such button. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from api.db import make_engine, make_session_factory
from api.services import unanswered
from api.settings import REPO_ROOT
from tests.web.conftest import Gateway
from tests.web.test_moderation_console import login
from tests.web.test_widget_console_e2e import ARTIFACTS, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.browser

SERVICE = "机动车驾驶证换证"


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    """Not the session's shared index: attaching changes this test's service files."""
    return tmp_path / "index"


@pytest.fixture(autouse=True)
def services_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "services"
    shutil.copytree(REPO_ROOT / "knowledge" / "services", copy)
    monkeypatch.setenv("KNOWLEDGE_SERVICES_DIR", str(copy))
    return copy


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"inbox-{name}.png"), full_page=True)


def test_an_administrator_adds_a_group_to_a_service_and_sees_it_answered(
    browser: Browser,  # noqa: F811
    gateway: Gateway,
    make_staff: Callable[[str, str], None],
) -> None:
    make_staff("root", "admin")
    make_staff("agent9", "agent")
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for question in ("换本子要啥手续", "换本子需要啥手续呢", "换本子要啥手续", "明天六安下雨吗"):
        unanswered.keep(sessions, question, at)

    agent = login(browser, gateway, "agent9")
    expect(agent.get_by_role("heading", name="待分拨")).to_be_visible()
    expect(agent.get_by_role("button", name="未解答问题")).to_be_hidden()

    admin = login(browser, gateway, "root")
    admin.get_by_role("button", name="未解答问题").click()
    dialog = admin.get_by_role("dialog", name="未解答问题")
    expect(dialog).to_be_visible()
    rows = dialog.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("换本子要啥手续")
    expect(rows.first).to_contain_text("3")
    shot(admin, "1-list")

    dialog.get_by_role("button", name="换本子要啥手续").click()
    expect(dialog.get_by_role("table", name="该分组的问题（已脱敏）")).to_contain_text("仍不能回答")
    dialog.get_by_label("补充为以下事项的示例问题").select_option(SERVICE)
    dialog.get_by_role("button", name="补充并重新加载知识库").click()
    expect(dialog.get_by_text("已补充2条示例问题")).to_be_visible(timeout=30_000)
    expect(dialog.get_by_role("table", name="该分组的问题（已脱敏）")).to_contain_text(f"能回答（{SERVICE}）")
    expect(dialog).to_contain_text(f"已补充到事项：{SERVICE}")
    shot(admin, "2-attached")

    dialog.get_by_role("button", name="返回列表").click()
    expect(rows).to_have_count(1)
    dialog.get_by_role("button", name="明天六安下雨吗").click()
    dialog.get_by_role("button", name="标记为不属于服务范围").click()
    expect(dialog).to_contain_text("不属于服务范围（root")
    dialog.get_by_role("button", name="返回列表").click()
    expect(dialog.get_by_text("暂无待处理的未解答问题。")).to_be_visible()
    shot(admin, "3-empty")
    dialog.get_by_label("状态").select_option("全部")
    expect(rows).to_have_count(2)
