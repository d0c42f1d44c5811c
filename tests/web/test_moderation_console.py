"""The console's 待审核建议 in headless chromium: a supervisor rejects one held suggestion and edits another,
an administrator edits the sensitive-word list, an agent sees none of it. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.gateway.conftest import PASSWORD
from tests.web.conftest import Gateway
from tests.web.test_widget_console_e2e import ARTIFACTS, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.browser


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"moderation-{name}.png"), full_page=True)


def login(browser: Browser, gateway: Gateway, username: str) -> Page:  # noqa: F811
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    page.goto(gateway.url + "/console")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    return page


def token(http: httpx.Client, username: str) -> dict[str, str]:
    response = http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def suggest(http: httpx.Client, cid: int, content: str) -> dict[str, Any]:
    body = {"consultation_id": cid, "sender": "r1", "content": content, "phone": "13812345678"}
    response = http.post("/api/suggestions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_review_queue_and_word_list(
    browser: Browser,  # noqa: F811
    gateway: Gateway,
    http: httpx.Client,
    make_staff: Callable[[str, str], None],
) -> None:
    for username, role in (("chief", "supervisor"), ("root", "admin"), ("agent9", "agent")):
        make_staff(username, role)
    consultation = {"title": "城区公交线路优化", "summary": "请对公交线路提出建议"}
    cid = http.post("/api/staff/consultations", json=consultation, headers=token(http, "chief")).json()["id"]
    advert = suggest(http, cid, "代开发票，价格优惠，有需要的联系")["number"]
    rude = suggest(http, cid, "那个狗官根本不管事，建议公交站台加装遮阳棚")["number"]

    agent = login(browser, gateway, "agent9")
    expect(agent.get_by_role("heading", name="待分拨")).to_be_visible()
    expect(agent.get_by_role("heading", name="待审核建议")).to_be_hidden()

    chief = login(browser, gateway, "chief")
    queue = chief.get_by_role("list", name="待审核建议")
    expect(chief.get_by_role("heading", name="待审核建议")).to_contain_text("（2）")
    queue.get_by_text(advert).click()
    expect(chief.locator("#moderation-view mark")).to_have_text("代开发票")
    shot(chief, "1-held")

    reason = "内容为商业广告，与本次征集无关"
    chief.get_by_label("理由（必填）").fill(reason)
    chief.get_by_role("button", name="不予公开").click()
    expect(chief.get_by_text("已决定不予公开，居民查询时会看到理由。")).to_be_visible()
    expect(chief.get_by_role("heading", name="待审核建议")).to_contain_text("（1）")
    shot(chief, "2-rejected")
    status = http.get(f"/api/status/{advert}", params={"phone_last4": "5678"}).json()
    assert status["status_text"] == f"经审核未予公开，原因：{reason}"

    queue.get_by_text(rude).click()
    chief.get_by_label("公开的文本").fill("建议公交站台加装遮阳棚")
    chief.get_by_label("修改说明（必填，随原文存档）").fill("删去辱骂用语")
    chief.get_by_role("button", name="修改后公开").click()
    expect(chief.get_by_text("已公开。")).to_be_visible()
    expect(chief.locator("#moderation-view").get_by_text("那个狗官根本不管事，建议公交站台加装遮阳棚")).to_be_visible()
    expect(queue).to_contain_text("暂无待审核的建议")
    shot(chief, "3-edited")
    top = http.get(f"/api/consultations/{cid}/suggestions/top").json()
    assert top == [{"number": rude, "content": "建议公交站台加装遮阳棚", "likes": 0}]

    # A supervisor reads the word list; only an administrator changes it.
    chief.get_by_role("button", name="敏感词表").click()
    expect(chief.get_by_role("cell", name="狗官", exact=True)).to_be_visible()
    expect(chief.get_by_role("button", name="添加")).to_have_count(0)

    admin = login(browser, gateway, "root")
    admin.get_by_role("button", name="敏感词表").click()
    admin.get_by_label("添加敏感词").fill("遮 阳 棚")
    admin.get_by_role("button", name="添加").click()
    expect(admin.get_by_role("cell", name="遮阳棚", exact=True)).to_be_visible()
    admin.get_by_label("添加敏感词").fill("遮阳棚")
    admin.get_by_role("button", name="添加").click()
    expect(admin.get_by_role("alert")).to_contain_text("已在敏感词表中")
    shot(admin, "4-words")
    admin.get_by_role("button", name="移除敏感词“遮阳棚”").click()
    expect(admin.get_by_role("cell", name="遮阳棚", exact=True)).to_have_count(0)
