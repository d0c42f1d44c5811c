"""The dashboard's tables: their Chinese headers (one place, read by the console through the options endpoint
and by the exports), and their CSV and XLSX files."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import BaseModel

from api.analytics_schemas import TableColumn, TableSpec


def _table(name: str, title: str, path: str, *columns: tuple[str, str] | tuple[str, str, bool]) -> TableSpec:
    return TableSpec(
        name=name,
        title=title,
        path=path.split("."),
        columns=[TableColumn(key=c[0], header=c[1], percent=len(c) > 2) for c in columns],
    )


_COUNT = ("count", "件数")
_RATINGS = (("count", "评价数"), ("average", "平均星级"), ("share_4_5", "4-5星占比", True))
TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        _table("volumes_daily", "每日受理量（按类型、渠道）", "volumes.daily", ("day", "日期"), ("kind_name", "类型"),
               ("channel_name", "渠道"), _COUNT),
        _table("volumes_kinds", "受理量（按类型）", "volumes.by_kind", ("name", "类型"), _COUNT),
        _table("volumes_channels", "受理量（按渠道）", "volumes.by_channel", ("name", "渠道"), _COUNT),
        _table("categories_level1", "一级分类前10", "categories.level1", ("category", "一级分类"), _COUNT),
        _table("categories_level2", "二级分类前10", "categories.level2", ("category", "一级分类"),
               ("subcategory", "二级分类"), _COUNT),
        _table("services_asked", "咨询最多的服务事项", "categories.services_asked", ("service", "服务事项"),
               ("count", "咨询次数")),
        _table("services_complained", "投诉最多的服务事项", "categories.services_complained",
               ("service", "服务事项"), ("count", "投诉件数")),
        _table("hot_topics", "热点话题（近7天）", "hot_topics.topics", ("label", "话题"), ("category", "一级分类"),
               ("count", "近7天"), ("previous", "前7天"), ("change", "变化")),
        _table("deadlines_departments", "各部门按期办结", "deadlines.departments", ("department", "部门"),
               ("due", "应办件数"), ("on_time", "按期办结"), ("late", "超期"), ("on_time_rate", "按期率", True),
               ("average_workdays", "平均办理（工作日）"), ("urged", "群众催办"), ("reopened", "不满意重办")),
        _table("deadlines_cards", "在办案件预警", "deadlines.cards", ("yellow", "黄牌"), ("red", "红牌")),
        _table("overdue", "超期未办结案件", "deadlines.overdue", ("number", "编号"), ("kind_name", "类型"),
               ("department", "承办部门"), ("assigned_to", "承办人"), ("deadline", "办理期限"),
               ("overdue_workdays", "超期（工作日）")),
        _table("satisfaction_services", "各服务事项满意度", "satisfaction.services", ("name", "服务事项"), *_RATINGS),
        _table("satisfaction_departments", "各部门满意度", "satisfaction.departments", ("name", "部门"), *_RATINGS),
        _table("satisfaction_trend", "满意度趋势", "satisfaction.trend", ("name", "日期"), *_RATINGS),
        _table("assistant", "智能助手", "assistant", ("conversations", "会话数"), ("turns", "消息数"),
               ("self_service_rate", "自助解决率", True), ("handoff_rate", "转人工率", True),
               ("fallback_rate", "未能回答率", True), ("unanswered", "未解答问题"),
               ("latency_p50_ms", "响应时间P50（毫秒）"), ("latency_p95_ms", "响应时间P95（毫秒）")),
        _table("incidents_grids", "社区事件（按社区、网格）", "incidents.grids", ("community", "社区"),
               ("grid", "网格"), ("open", "未办结"), ("resolved", "已办结"), ("response_hours", "平均响应（小时）"),
               ("resolution_hours", "平均办结（小时）"), ("ratings", "评价数"), ("average_stars", "平均星级")),
    )
}  # fmt: skip


def rows(spec: TableSpec, section: BaseModel) -> list[dict[str, Any]]:
    """The table's rows in a computed section (`path[0]`); a single object is a one-row table."""
    value: Any = section.model_dump()
    for key in spec.path[1:]:
        value = value[key]
    return value if isinstance(value, list) else [value]


def _shown(value: Any, column: TableColumn) -> Any:
    if value is None:
        return ""
    return f"{value * 100:.1f}%" if column.percent else value


def to_csv(spec: TableSpec, table: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte order mark: Excel then opens the Chinese headers correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in spec.columns])
    for row in table:
        writer.writerow([_shown(row.get(c.key), c) for c in spec.columns])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(spec: TableSpec, table: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook  # only when a file is asked for

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = spec.title[:31]  # Excel's limit on sheet names
    sheet.append([c.header for c in spec.columns])
    for row in table:
        sheet.append([row.get(c.key) for c in spec.columns])
    for index, column in enumerate(spec.columns, start=1):
        if column.percent:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
