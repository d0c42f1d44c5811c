"""数据分析 in headless Debian chromium: a supervisor opens it from the console, reads the charts and their
tables, exports one, filters to nothing; an empty database; an agent is refused. Screenshots in
test-artifacts/analytics-*.png."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.gateway.conftest import PASSWORD
from tests.gateway.test_analytics import NOW, seed
from tests.web.conftest import Gateway
from tests.web.test_widget_console_e2e import ARTIFACTS, browser

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the module's fixture, shared

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def echarts() -> None:
    """The vendored chart library (make setup builds it; a no-op when it is there)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "vendor_echarts.sh")], check=True, timeout=300)


@pytest.fixture
def dashboard_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.routes.analytics.utcnow", lambda: NOW)


@pytest.fixture
def context(browser: Browser, gateway: Gateway, dashboard_clock: None) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.clock.set_fixed_time(NOW)  # the browser's 今天 is the server's
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(gateway.url) else None)
    yield context
    context.close()
    assert outside == [], outside  # no CDN: every script comes from the gateway


def login(page: Page, gateway: Gateway, username: str) -> None:
    page.goto(gateway.url + "/console")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"analytics-{name}.png"), full_page=True)


def open_dashboard(context: BrowserContext, gateway: Gateway, make_staff: Callable[[str, str], None]) -> Page:
    make_staff("lead1", "supervisor")
    page = context.new_page()
    login(page, gateway, "lead1")
    page.get_by_role("link", name="数据分析").click()
    expect(page.get_by_role("heading", name="数据分析", level=1)).to_be_visible()
    return page


def test_a_supervisor_reads_filters_and_exports(
    context: BrowserContext, gateway: Gateway, make_staff: Callable[[str, str], None]
) -> None:
    seed(gateway.settings)
    page = open_dashboard(context, gateway, make_staff)
    # The first report of a gateway loads jieba's dictionary (hot-topic labels): a few seconds.
    expect(page.get_by_role("status")).to_contain_text("2026-11-26 至 2026-12-02", timeout=30_000)
    kpis = page.get_by_role("region", name="概览")
    expect(kpis.get_by_text("4 件")).to_be_visible()
    expect(kpis.get_by_text("黄牌 1 · 红牌 1")).to_be_visible()
    # Every chart is an image with a text alternative and its table behind it.
    level1 = page.get_by_role("region", name="一级分类前10")
    expect(level1.get_by_role("img", name="一级分类前10图表，数据见下方表格").locator("canvas")).to_be_visible()
    level1.get_by_text("查看数据表").click()
    table = level1.get_by_role("table", name="一级分类前10")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_contain_text("城乡建设2")
    hot = page.get_by_role("region", name="热点话题（近7天与前7天比较）")
    expect(hot.get_by_role("table").get_by_text("供水供气：", exact=False)).to_be_visible()
    expect(page.get_by_role("region", name="超期未办结案件").get_by_text("GD2026112500001")).to_be_visible()
    page.wait_for_timeout(600)  # the charts' entry animation
    shot(page, "1-dashboard")

    with page.expect_download() as download:
        table.get_by_role("button", name="将“一级分类前10”导出为Excel").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True)) == [("一级分类", "件数"), ("城乡建设", 2), ("交通运输", 1)]

    # A filter without results: every panel says so.
    page.get_by_role("combobox", name="渠道").select_option(label="电话")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("status")).to_contain_text("渠道：电话")
    expect(kpis.get_by_text("0 件")).to_be_visible()
    expect(level1.get_by_text("暂无数据").first).to_be_visible()
    shot(page, "2-no-results")

    # An inverted custom range is explained, not drawn.
    page.get_by_label("自定义").check()
    page.get_by_label("开始日期").fill("2026-12-02")
    page.get_by_label("结束日期").fill("2026-11-01")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_have_text("开始日期不能晚于结束日期")
    shot(page, "3-inverted-range")


def test_an_empty_database(context: BrowserContext, gateway: Gateway, make_staff: Callable[[str, str], None]) -> None:
    page = open_dashboard(context, gateway, make_staff)
    expect(page.get_by_role("status")).to_contain_text("已显示", timeout=30_000)
    expect(page.get_by_role("region", name="每日受理量").get_by_text("暂无数据").first).to_be_visible()
    expect(page.get_by_role("region", name="概览").get_by_text("0 件")).to_be_visible()
    shot(page, "4-empty-database")


def test_an_agent_has_no_dashboard(
    context: BrowserContext, gateway: Gateway, make_staff: Callable[[str, str], None]
) -> None:
    make_staff("agent5", "agent")
    page = context.new_page()
    login(page, gateway, "agent5")
    expect(page.get_by_role("link", name="数据分析")).to_have_count(0)
    page.goto(gateway.url + "/analytics")
    expect(page.get_by_role("alert")).to_have_text("您的账号没有此操作的权限")
