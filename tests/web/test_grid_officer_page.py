"""The grid officer page (/grid) in headless chromium on a phone-sized screen: an officer logs in, sees only
their grid's incident, accepts it, adds a progress note with a photo and resolves it; the resident's stream
gets every step. axe-core checks the login and the queue against WCAG 2 A/AA. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.main import create_app
from api.settings import Settings
from tests.gateway.conftest import PASSWORD
from tests.gateway.server import serve
from tests.gateway.test_incidents import chat_report, file, incident_settings, seed_directory
from tests.senders import internal_sender, issued_sender
from tests.web.conftest import wcag_violations
from tests.web.test_widget_console_e2e import ARTIFACTS, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.browser
# A real 1×1 PNG, so the page shows it.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"grid-{name}.png"), full_page=True)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = incident_settings(f"sqlite:///{tmp_path / 'grid.db'}", tmp_path / "photos")
    with serve(create_app(settings)) as url:
        yield url, settings


def test_an_officer_works_an_incident_from_a_phone(
    browser: Browser,  # noqa: F811
    served: tuple[str, Settings],
    axe_script: str,
) -> None:
    url, settings = served
    with httpx.Client(base_url=url, timeout=20) as http:
        seed_directory(http, settings)
        resident = issued_sender(http)
        # Filed as the chat files them (the action server's token): only then are they the widget resident's.
        chat = chat_report(settings)
        mine = file(http, chat, sender=internal_sender(resident))["number"]  # officer_a's turn in 一网格
        other = file(http, chat, building="3栋", sender=internal_sender(issued_sender(http)))["number"]  # officer_c

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(url + "/grid")
    assert wcag_violations(page, axe_script) == []
    page.get_by_label("用户名").fill("officer_a")
    page.get_by_label("密码").fill("wrong-password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).not_to_be_empty()
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("王网格")).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_be_hidden()
    card = page.locator("li.incident", has_text=mine)
    expect(card).to_contain_text("报修 · 样例·梅山社区1栋2单元")
    expect(card).to_contain_text("138****5678")
    expect(page.get_by_text(other)).to_have_count(0)
    assert wcag_violations(page, axe_script) == []
    shot(page, "1-queue")

    card.get_by_role("button", name="接单").click()
    expect(page.get_by_role("status")).to_contain_text("已接单")
    card = page.locator("li.incident", has_text=mine)
    card.get_by_label("进展或处理结果（居民会收到）").fill("已联系物业，明天上午更换灯泡")
    card.get_by_label("现场照片（可选）").set_input_files(
        files=[{"name": "light.png", "mimeType": "image/png", "buffer": PNG}]
    )
    card.get_by_role("button", name="更新进展").click()
    expect(page.get_by_role("status")).to_contain_text("进展已更新")
    card = page.locator("li.incident", has_text=mine)
    expect(card.locator(".photos img")).to_have_count(1)
    expect(card).to_contain_text("网格员正在处理")
    assert wcag_violations(page, axe_script) == []
    shot(page, "2-in-progress")

    card.get_by_label("进展或处理结果（居民会收到）").fill("灯泡已更换，楼道恢复照明")
    card.get_by_role("button", name="办结").click()
    expect(page.get_by_role("status")).to_contain_text("已办结")
    expect(page.get_by_text("暂无待处理的事件")).to_be_visible()
    page.get_by_label("显示已办结").check()
    expect(page.locator("li.incident", has_text=mine)).to_contain_text("处理结果：灯泡已更换，楼道恢复照明")
    shot(page, "3-resolved")

    [photo] = list(settings.photo_dir.iterdir())
    with httpx.Client(base_url=url, timeout=20) as http:
        # The resident sees the officer's photo of their incident; the incident's updates are all there.
        assert http.get(f"/api/photos/{photo.name}", params={"sender": resident}).content == PNG
        officer = http.post("/api/auth/login", json={"username": "officer_a", "password": PASSWORD}).json()
        seen = http.get(f"/api/grid/incidents/{mine}", headers={"Authorization": f"Bearer {officer['access_token']}"})
    assert [u["kind"] for u in seen.json()["updates"]] == ["accept", "progress", "resolve"]


def test_a_resident_sends_a_photo_from_the_widget(
    browser: Browser,  # noqa: F811
    served: tuple[str, Settings],
    axe_script: str,
) -> None:
    url, settings = served
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(url + "/")
    page.get_by_role("button", name="💬 在线咨询").click()
    expect(page.get_by_role("button", name="发送照片")).to_be_visible()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "corridor.png", "mimeType": "image/png", "buffer": PNG}]
    )
    log = page.get_by_role("log", name="对话记录")
    expect(log).to_contain_text("[照片] corridor.png")
    # The conversation went on (Rasa is not running here: the gateway keeps the message for an agent).
    expect(log).to_contain_text("不会丢失")
    expect(page.get_by_text("智能助手正在输入…")).to_be_hidden()
    [photo] = list(settings.photo_dir.iterdir())
    assert photo.read_bytes() == PNG
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "image/png", "buffer": b"not an image"}]
    )
    expect(log).to_contain_text("只能发送 JPG、PNG 或 WebP 格式的照片")
    assert wcag_violations(page, axe_script) == []
    shot(page, "4-widget-photo")
