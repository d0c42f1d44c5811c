"""The answer of `GET /api/staff/analytics` (数据分析): one model per dashboard section.

Rows carry the Chinese names next to the codes (kind, channel), so the console's tables and the CSV/XLSX
exports show the same words without a second translation table.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Choice(BaseModel):
    key: str
    name: str


class NamedCount(Choice):
    count: int


class DailyVolume(BaseModel):
    day: str = Field(description="local date, YYYY-MM-DD")
    kind: str
    kind_name: str
    channel: str
    channel_name: str
    count: int


class Volumes(BaseModel):
    total: int
    by_kind: list[NamedCount]
    by_channel: list[NamedCount]
    daily: list[DailyVolume]


class CategoryCount(BaseModel):
    category: str
    count: int


class SubcategoryCount(BaseModel):
    category: str
    subcategory: str
    count: int


class ServiceCount(BaseModel):
    service: str
    count: int


class Categories(BaseModel):
    level1: list[CategoryCount] = Field(description="top 10 level-1 categories")
    level2: list[SubcategoryCount] = Field(description="top 10 level-2 categories")
    services_asked: list[ServiceCount] = Field(description="top 10 services residents asked the assistant about")
    services_complained: list[ServiceCount] = Field(description="top 10 services complained about")


class DepartmentDeadlines(BaseModel):
    department: str
    due: int = Field(description="cases with a deadline filed in the range")
    on_time: int = Field(description="closed by their deadline")
    late: int = Field(description="closed after it, or still open past it")
    on_time_rate: float | None = Field(description="on_time / (on_time + late); null while none is decided")
    average_workdays: float | None = Field(description="average handling time of the closed ones, working days")
    urged: int = Field(0, description="of the cases filed in the range, those their resident urged (催办)")
    reopened: int = Field(0, description="of the cases filed in the range, those sent back as not satisfied (重办)")


class OverdueCase(BaseModel):
    number: str
    kind_name: str
    department: str | None
    assigned_to: str | None
    deadline: str
    overdue_workdays: int


class Cards(BaseModel):
    yellow: int
    red: int


class Deadlines(BaseModel):
    on_time_rate: float | None
    average_workdays: float | None
    departments: list[DepartmentDeadlines]
    cards: Cards = Field(description="open cases now near (yellow) or past (red) their deadline")
    overdue_total: int
    overdue: list[OverdueCase] = Field(description="the most overdue open cases, oldest deadline first")


class Rating(BaseModel):
    name: str = Field(description="service, department or local date")
    count: int
    average: float
    share_4_5: float


class Satisfaction(BaseModel):
    count: int
    average: float | None
    share_4_5: float | None
    services: list[Rating]
    departments: list[Rating]
    trend: list[Rating] = Field(description="per local date")


class Assistant(BaseModel):
    turns: int
    conversations: int = Field(description="distinct residents (sender hashes)")
    self_service_rate: float | None = Field(description="conversations with an answer and no handoff or case")
    handoff_rate: float | None = Field(description="conversations handed to an agent")
    fallback_rate: float | None = Field(description="unanswered turns / turns")
    unanswered: int
    latency_p50_ms: int | None
    latency_p95_ms: int | None


class HotTopic(BaseModel):
    label: str
    category: str
    subcategory: str | None
    keywords: list[str]
    count: int = Field(description="requests in the last 7 days of the range")
    previous: int = Field(description="requests in the 7 days before")
    change: int


class HotTopics(BaseModel):
    start: str
    end: str
    topics: list[HotTopic]


class IncidentGrid(BaseModel):
    community: str
    grid: str
    open: int
    resolved: int
    response_hours: float | None = Field(description="average hours from filing to the officer accepting")
    resolution_hours: float | None = Field(description="average hours from filing to resolved")
    ratings: int
    average_stars: float | None


class Incidents(BaseModel):
    """Community incidents (SQ) filed in the range."""

    total: int
    response_hours: float | None
    resolution_hours: float | None
    grids: list[IncidentGrid] = Field(description="per community and grid")


class AnalyticsReport(BaseModel):
    start: str
    end: str
    channel: str | None
    department: str | None
    generated_at: str
    volumes: Volumes
    categories: Categories
    deadlines: Deadlines
    satisfaction: Satisfaction
    assistant: Assistant
    hot_topics: HotTopics
    incidents: Incidents


class TableColumn(BaseModel):
    key: str
    header: str
    percent: bool = False  # a share 0..1, shown as a percentage


class TableSpec(BaseModel):
    name: str = Field(description="export file name: /api/staff/analytics/{name}.csv or .xlsx")
    title: str
    path: list[str] = Field(description="where its rows are in the report")
    columns: list[TableColumn]


class AnalyticsOptions(BaseModel):
    departments: list[str]
    channels: list[Choice]
    max_days: int
    tables: list[TableSpec]
