"""社区网格 in the console, in headless chromium: an administrator imports the directory from a CSV file (first a
faulty one, whose every row error is listed in Chinese and nothing imported; then one saved by Excel in GBK),
marks an officer away and back, sets a grid's officers and backup (an unknown account refused in Chinese),
adds and deletes buildings, grids and a community. What the page shows is checked against the API, each step
with axe-core (WCAG 2 A/AA). Agents have no such section. Screenshots: test-artifacts/community-*.png."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.gateway.test_incidents import COMMUNITY, DIRECTORY_CSV, OFFICERS, add_staff
from tests.web.conftest import Gateway, wcag_violations
from tests.web.test_moderation_console import login, token
from tests.web.test_widget_console_e2e import ARTIFACTS, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.browser
# Row 2 names an account that does not exist, row 3 a building nobody can read, row 4 moves 1栋 to a second
# grid, row 5 gives a backup who is not a grid officer.
FAULTY_CSV = (
    "community,grid,building,officer_username,backup_username\n"
    f"{COMMUNITY},一网格,1栋,nobody1,\n"
    f"{COMMUNITY},一网格,楼下,officer_a,\n"
    f"{COMMUNITY},二网格,1号楼,officer_c,\n"
    f"{COMMUNITY},二网格,3栋,officer_c,root\n"
)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"community-{name}.png"), full_page=True)


def grid_of(http: httpx.Client, admin: dict[str, str], community: str, grid: str) -> dict[str, Any]:
    [found] = [
        g
        for c in http.get("/api/staff/communities", headers=admin).json()
        if c["name"] == community
        for g in c["grids"]
        if g["name"] == grid
    ]
    return dict(found)


def import_file(page: Page, name: str, data: bytes) -> None:
    page.get_by_label("CSV文件").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name="导入", exact=True).click()


def test_an_administrator_keeps_the_community_directory(
    browser: Browser,  # noqa: F811
    gateway: Gateway,
    http: httpx.Client,
    make_staff: Callable[[str, str], None],
    axe_script: str,
) -> None:
    make_staff("root", "admin")
    make_staff("agent5", "agent")
    for username, name in OFFICERS.items():
        add_staff(gateway.settings, username, name, "grid_officer")
    admin = token(http, "root")

    agent = login(browser, gateway, "agent5")
    expect(agent.get_by_role("button", name="不动产查询")).to_be_visible()  # the header is ready
    expect(agent.get_by_role("button", name="社区网格")).to_be_hidden()

    page = login(browser, gateway, "root")
    page.on("dialog", lambda dialog: dialog.accept())  # the deletes' confirmations
    page.get_by_role("button", name="社区网格").click()
    view = page.locator("#community-view")
    expect(view.get_by_role("heading", name="社区网格（0个小区）")).to_be_visible()
    expect(view).to_contain_text("还没有登记小区")
    assert wcag_violations(page, axe_script) == []

    import_file(page, "faulty.csv", FAULTY_CSV.encode())
    errors = view.locator(".community-errors")
    expect(errors).to_contain_text("导入失败，共4处错误，未导入任何数据：")
    expect(errors.locator("li")).to_have_text(
        [
            "第2行：没有找到网格员账号“nobody1”",
            "第3行：无法识别楼栋“楼下”，请写成“3栋”“3号楼”或“12#”",
            f"第4行：{COMMUNITY}1号楼已在前面的行里属于“一网格”，一栋楼只能属于一个网格",
            "第5行：备岗账号“root”不是网格员",
        ]
    )
    assert http.get("/api/staff/communities", headers=admin).json() == []
    assert wcag_violations(page, axe_script) == []
    shot(page, "1-import-errors")

    import_file(page, "directory.csv", DIRECTORY_CSV.encode("gb18030"))  # as Excel saves it on Chinese Windows
    expect(view.get_by_role("status")).to_have_text("已导入3行：新增小区1个、网格2个、楼栋3栋。")
    expect(view.get_by_role("heading", name="社区网格（1个小区）")).to_be_visible()
    first = view.get_by_role("table", name=f"{COMMUNITY}一网格的网格员")
    expect(first.get_by_role("row")).to_have_count(4)  # header, two taking turns, the backup
    expect(first.get_by_role("row", name="备岗 赵网格（officer_c） 在岗")).to_be_visible()
    expect(view.get_by_role("list", name=f"{COMMUNITY}一网格的楼栋")).to_contain_text("1栋")
    expect(view.get_by_role("list", name=f"{COMMUNITY}二网格的楼栋")).to_contain_text("三幢")
    assert wcag_violations(page, axe_script) == []
    shot(page, "2-imported")

    # On leave: new incidents go to the grid's other officer (docs/community.md), and back again.
    first.get_by_role("button", name="标记休假：王网格（officer_a）").click()
    expect(view.get_by_role("status")).to_contain_text("王网格（officer_a）已标记休假")
    expect(first.get_by_role("row", name="轮流接单 王网格（officer_a） 休假中")).to_be_visible()
    assert [o["away"] for o in grid_of(http, admin, COMMUNITY, "一网格")["officers"]] == [True, False]
    shot(page, "3-away")
    first.get_by_role("button", name="标记返岗：王网格（officer_a）").click()
    expect(view.get_by_role("status")).to_contain_text("王网格（officer_a）已返岗")
    assert [o["away"] for o in grid_of(http, admin, COMMUNITY, "一网格")["officers"]] == [False, False]

    officers = view.get_by_role("form", name=f"设置{COMMUNITY}二网格的网格员")
    officers.get_by_label("网格员账号（轮流接单，多个用分号隔开）").fill("officer_c; nobody2")
    officers.get_by_role("button").click()
    expect(view.get_by_role("status")).to_have_text("没有找到网格员账号“nobody2”")
    officers.get_by_label("网格员账号（轮流接单，多个用分号隔开）").fill("officer_c;officer_b")
    officers.get_by_label("备岗网格员账号（可不填）").fill("officer_a")
    officers.get_by_role("button").click()
    expect(view.get_by_role("status")).to_have_text(f"已保存“{COMMUNITY}二网格”的网格员。")
    second = grid_of(http, admin, COMMUNITY, "二网格")
    assert sorted(o["username"] for o in second["officers"]) == ["officer_b", "officer_c"]
    assert second["backup"]["username"] == "officer_a"

    building = view.get_by_role("form", name=f"为{COMMUNITY}新增楼栋")
    building.get_by_label("新楼栋（如3栋、3号楼、12#）").fill("5号楼")
    building.get_by_label("所属网格").select_option(label="二网格")
    building.get_by_role("button").click()
    expect(view.get_by_role("list", name=f"{COMMUNITY}二网格的楼栋")).to_contain_text("5号楼")
    building.get_by_label("新楼栋（如3栋、3号楼、12#）").fill("五栋")  # the same building as 5号楼
    building.get_by_role("button").click()
    expect(view.get_by_role("status")).to_have_text(f"{COMMUNITY}已有5栋")
    view.get_by_role("button", name=f"删除楼栋{COMMUNITY}三幢").click()
    expect(view.get_by_role("status")).to_have_text(f"已删除{COMMUNITY}三幢。")
    labels = [b["label"] for b in grid_of(http, admin, COMMUNITY, "二网格")["buildings"]]
    assert labels == ["5号楼"]
    assert wcag_violations(page, axe_script) == []
    shot(page, "4-officers-and-buildings")

    view.get_by_label("小区（社区）名称").fill("样例·新建小区")
    view.get_by_label("所属县区（可不填）").fill("裕安区")
    view.get_by_role("button", name="新增小区", exact=True).click()
    expect(view.get_by_role("heading", name="样例·新建小区（裕安区）")).to_be_visible()
    grid = view.get_by_role("form", name="为样例·新建小区新增网格")
    grid.get_by_label("新网格名称").fill("东网格")
    grid.get_by_label("网格员账号（轮流接单，多个用分号隔开）").fill("officer_b")
    grid.get_by_role("button").click()
    expect(view.get_by_role("table", name="样例·新建小区东网格的网格员")).to_contain_text("李网格（officer_b）")
    assert wcag_violations(page, axe_script) == []
    shot(page, "5-new-community")
    view.get_by_role("button", name="删除网格样例·新建小区东网格").click()
    expect(view.get_by_role("status")).to_have_text("已删除“样例·新建小区东网格”。")
    view.get_by_role("button", name="删除小区样例·新建小区").click()
    expect(view.get_by_role("status")).to_have_text("已删除小区“样例·新建小区”。")
    assert [c["name"] for c in http.get("/api/staff/communities", headers=admin).json()] == [COMMUNITY]

    # Another section of the console takes the view's place.
    page.get_by_role("button", name="不动产查询").click()
    expect(view).to_be_hidden()
    expect(page.get_by_label("不动产权证号")).to_be_visible()
