"""数据分析 (supervisors and above): the dashboard's report, its filter options and its tables as CSV/XLSX."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.analytics_schemas import AnalyticsOptions, AnalyticsReport, Choice
from api.deps import RuntimeDep, SessionDep, SupervisorDep
from api.errors import ApiError
from api.models import Service, utcnow
from api.runtime import Runtime
from api.services import analytics
from api.services.analytics_export import TABLES, rows, to_csv, to_xlsx
from contract.channels import CHANNELS

router = APIRouter(prefix="/api/staff/analytics", tags=["analytics"])

MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)
DEFAULT_DAYS = 7
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

FromQuery = Annotated[str | None, Query(alias="from", max_length=32, description="YYYY-MM-DD, local")]
ToQuery = Annotated[str | None, Query(alias="to", max_length=32, description="YYYY-MM-DD, local, inclusive")]
ChannelQuery = Annotated[str | None, Query(max_length=32)]
DepartmentQuery = Annotated[str | None, Query(max_length=64)]


def _date(value: str, label: str) -> date:
    try:
        if _DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ApiError(422, "invalid_date", f"{label}“{value}”不是有效日期，请按 YYYY-MM-DD 填写")


def _departments(runtime: Runtime, session: Session) -> list[str]:
    """Every department a case can be dispatched to: the catalogue's and the categories'."""
    named = set(session.scalars(select(Service.department).distinct()))
    named.update(d for entry in runtime.categories.values() for d in entry.departments)
    return sorted(named)


def _scope(
    runtime: Runtime,
    session: Session,
    start: str | None,
    end: str | None,
    channel: str | None,
    department: str | None,
) -> analytics.Scope:
    """The filters, checked: a clear 422 for a bad date, an inverted, absurd or too long range, an unknown
    channel or department."""
    calendar = runtime.calendar
    now = utcnow()
    today = now.astimezone(calendar.tz).date()
    last = _date(end, "结束日期") if end else today
    first = _date(start, "开始日期") if start else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ApiError(422, "inverted_range", "开始日期不能晚于结束日期")
    if first < EARLIEST or last > today:
        raise ApiError(422, "out_of_range", f"日期须在{EARLIEST.isoformat()}至今天（{today.isoformat()}）之间")
    if (last - first).days + 1 > MAX_DAYS:
        raise ApiError(422, "range_too_long", f"时间范围最长{MAX_DAYS}天，请缩小范围")
    if channel is not None and channel not in CHANNELS:
        raise ApiError(422, "unknown_channel", f"未知的渠道“{channel}”")
    if department is not None and department not in _departments(runtime, session):
        raise ApiError(422, "unknown_department", f"未知的部门“{department}”")
    return analytics.Scope(first, last, calendar, now, channel, department)


@router.get("", response_model=AnalyticsReport)
def report(
    staff: SupervisorDep,
    runtime: RuntimeDep,
    session: SessionDep,
    start: FromQuery = None,
    end: ToQuery = None,
    channel: ChannelQuery = None,
    department: DepartmentQuery = None,
) -> AnalyticsReport:
    """Volumes, categories, deadlines, satisfaction, the assistant and hot topics for whole local days
    `from`..`to` (default: the last 7 days), optionally one channel and one department."""
    scope = _scope(runtime, session, start, end, channel, department)
    sections = {name: compute(session, scope) for name, compute in analytics.SECTIONS.items()}
    return AnalyticsReport(
        start=scope.start.isoformat(),
        end=scope.end.isoformat(),
        channel=channel,
        department=department,
        generated_at=scope.now.isoformat(),
        **sections,
    )


@router.get("/options", response_model=AnalyticsOptions)
def options(staff: SupervisorDep, runtime: RuntimeDep, session: SessionDep) -> AnalyticsOptions:
    """What the filters offer, and every table with its Chinese headers (the console renders them)."""
    return AnalyticsOptions(
        departments=_departments(runtime, session),
        channels=[Choice(key=c, name=analytics.CHANNEL_NAMES.get(c, c)) for c in CHANNELS],
        max_days=MAX_DAYS,
        tables=list(TABLES.values()),
    )


@router.get(
    "/{table}.{fmt}",
    response_class=Response,
    responses={
        200: {"content": {media: {"schema": {"type": "string", "format": "binary"}} for media in _MEDIA.values()}}
    },
)
def export(
    table: str,
    fmt: str,
    staff: SupervisorDep,
    runtime: RuntimeDep,
    session: SessionDep,
    start: FromQuery = None,
    end: ToQuery = None,
    channel: ChannelQuery = None,
    department: DepartmentQuery = None,
) -> Response:
    """One table of the report as CSV (UTF-8 with BOM) or XLSX."""
    spec = TABLES.get(table)
    if spec is None or fmt not in _MEDIA:
        raise ApiError(404, "unknown_table", f"没有名为“{table}.{fmt}”的报表")
    scope = _scope(runtime, session, start, end, channel, department)
    table_rows = rows(spec, analytics.SECTIONS[spec.path[0]](session, scope))
    body = to_csv(spec, table_rows) if fmt == "csv" else to_xlsx(spec, table_rows)
    audit.record(session, staff.username, staff.role, "export", None, table=table, format=fmt, count=len(table_rows))
    filename = f"{table}_{scope.start.isoformat()}_{scope.end.isoformat()}.{fmt}"
    return Response(body, media_type=_MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'})
