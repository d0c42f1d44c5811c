"""数据分析: the dashboard's aggregates, computed by the database (GROUP BY, COUNT, SUM, AVG).

Case rows are never loaded to be counted: Python only reads grouped rows (at most one per day, category,
service or department) and the few rows it shows (the overdue list, a sample of texts to label a hot topic).
The same queries run on SQLite and PostgreSQL; the one dialect difference is the local date of a timestamp.

Choices worth knowing:
- Days are local (the calendar's time zone); a range is whole local days, `start` and `end` inclusive.
- A case's closing time is its `updated_at` once it is closed (the status change that closed it is its last
  change in the normal pipeline).
- Handling time counts working days between the local dates of filing and closing (same day: 0).
- Hot topics: the request router's level-2 category is the cluster (its meaning), labelled by the most
  salient words of its latest requests (jieba TF-IDF over at most SAMPLE_PER_TOPIC masked texts); the
  work per request is bounded by MAX_TOPICS clusters, whatever the data size.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, distinct, func, or_, select
from sqlalchemy import case as sa_case
from sqlalchemy.orm import Session

from api.analytics_schemas import (
    Assistant,
    Cards,
    Categories,
    CategoryCount,
    DailyVolume,
    Deadlines,
    DepartmentDeadlines,
    HotTopic,
    HotTopics,
    IncidentGrid,
    Incidents,
    NamedCount,
    OverdueCase,
    Rating,
    Satisfaction,
    ServiceCount,
    SubcategoryCount,
    Volumes,
)
from api.models import (
    AnalyticsCaseDay,
    AnalyticsCategoryDay,
    AnalyticsComplaintDay,
    AnalyticsConversationDay,
    AnalyticsLatencyDay,
    AnalyticsRatingDay,
    AnalyticsTurnDay,
    AssistantTurn,
    Case,
    Community,
    Complaint,
    Evaluation,
    Grid,
    Incident,
    Service,
    SupervisionEvent,
    Ticket,
)
from api.services import analytics_summary as summary
from api.services.analytics_summary import WorkdayIndex
from api.services.case_routing import split_category
from api.services.supervision import REOPEN, URGE
from api.workdays import HOURS_KINDS, Card, WorkCalendar
from contract import case_kinds
from contract.personal_data import mask_text

TOP = 10
OVERDUE_SHOWN = 50
HOT_WINDOW_DAYS = 7
MAX_TOPICS = 10
RISING_TOPICS = 5  # of MAX_TOPICS, kept for the clusters growing most (an emerging problem)
SAMPLE_PER_TOPIC = 40
KEYWORDS_PER_TOPIC = 3
NO_DEPARTMENT = "（未分派）"
NO_SERVICE = "（未注明事项）"
NO_GRID = "（未分网格）"

CHANNEL_NAMES = {"api": "接口", "web": "网站", "wechat": "微信", "hotline": "电话", "rasa": "智能助手"}
KIND_NAMES = {spec.kind: spec.name for spec in case_kinds.CASE_KINDS.values()}
# Words every request uses: no help in telling one topic from another.
_GENERIC_WORDS = frozenset(
    "投诉 反映 问题 希望 解决 处理 相关 部门 情况 要求 居民 市民 我们 你们 现在 已经 没有 一直 这个 那个 "
    "请问 怎么 什么 如何 可以 能否 希望 尽快 严重 影响 工单 咨询 热线 转人工".split()
)


@dataclass(frozen=True)
class Scope:
    """Whole local days `start`..`end` (inclusive), optionally one channel and one department; `now` is when
    open cases are judged (cards, overdue)."""

    start: date
    end: date
    calendar: WorkCalendar
    now: datetime
    channel: str | None = None
    department: str | None = None

    def instant(self, day: date) -> datetime:
        """The UTC moment a local day starts."""
        return summary.day_start(self.calendar, day)

    @property
    def start_at(self) -> datetime:
        return self.instant(self.start)

    @property
    def end_at(self) -> datetime:
        """Exclusive: the start of the day after `end`."""
        return self.instant(self.end + timedelta(days=1))


def _case_filters(scope: Scope, *, in_range: bool = True) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if in_range:
        filters += [Case.created_at >= scope.start_at, Case.created_at < scope.end_at]
    if scope.channel is not None:
        filters.append(Case.channel == scope.channel)
    if scope.department is not None:
        filters.append(Case.department == scope.department)
    return filters


def _days_filters(scope: Scope, table: Any) -> list[ColumnElement[bool]]:
    """The range and the channel on a per-day summary (api/services/analytics_summary.py)."""
    filters = [table.day >= scope.start, table.day <= scope.end]
    if scope.channel is not None:
        filters.append(table.channel == scope.channel)
    return filters


def _summary_filters(scope: Scope, table: Any) -> list[ColumnElement[bool]]:
    """The scope on a per-day summary of cases or evaluations."""
    filters = _days_filters(scope, table)
    if scope.department is not None:
        filters.append(table.department == scope.department)
    return filters


def _summarised(session: Session, scope: Scope) -> Session:
    """The session, its summaries brought up to date (once per session: a request's)."""
    summary.refresh(session, scope.calendar)
    return session


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _named(counts: Counter[str], names: dict[str, str]) -> list[NamedCount]:
    return [NamedCount(key=key, name=names.get(key, key), count=n) for key, n in counts.most_common()]


# ---- volumes ---------------------------------------------------------------------------------------------
def volumes(session: Session, scope: Scope) -> Volumes:
    keys = (AnalyticsCaseDay.day, AnalyticsCaseDay.kind, AnalyticsCaseDay.channel)
    rows = (
        _summarised(session, scope)
        .execute(
            select(*keys, func.sum(AnalyticsCaseDay.cases))
            .where(*_summary_filters(scope, AnalyticsCaseDay))
            .group_by(*keys)
            .order_by(*keys)
        )
        .all()
    )
    by_kind: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    daily = []
    for local_day, kind, channel, n in rows:
        by_kind[kind] += n
        by_channel[channel] += n
        daily.append(
            DailyVolume(
                day=local_day.isoformat(),
                kind=kind,
                kind_name=KIND_NAMES.get(kind, kind),
                channel=channel,
                channel_name=CHANNEL_NAMES.get(channel, channel),
                count=n,
            )
        )
    return Volumes(
        total=sum(by_kind.values()),
        by_kind=_named(by_kind, KIND_NAMES),
        by_channel=_named(by_channel, CHANNEL_NAMES),
        daily=daily,
    )


# ---- categories and services -----------------------------------------------------------------------------
def _top_services(rows: Iterable[Any]) -> list[ServiceCount]:
    return [ServiceCount(service=name, count=n) for name, n in rows]


def categories(session: Session, scope: Scope) -> Categories:
    keys = (AnalyticsCategoryDay.category, AnalyticsCategoryDay.subcategory)
    rows = (
        _summarised(session, scope)
        .execute(
            select(*keys, func.sum(AnalyticsCategoryDay.cases))
            .where(*_summary_filters(scope, AnalyticsCategoryDay))
            .group_by(*keys)
        )
        .all()
    )
    level1: Counter[str] = Counter()
    level2: Counter[tuple[str, str]] = Counter()
    for stored, subcategory, n in rows:
        # Rows dispatched before migration 0004 keep "level1/level2" in `category`.
        category, old_level2 = split_category(stored)
        level1[category or ""] += n
        if subcategory or old_level2:
            level2[(category or "", subcategory or old_level2 or "")] += n
    complained = func.sum(AnalyticsComplaintDay.cases)
    complaints = (
        select(AnalyticsComplaintDay.service, complained)
        .where(*_summary_filters(scope, AnalyticsComplaintDay))
        .group_by(AnalyticsComplaintDay.service)
        .order_by(complained.desc(), AnalyticsComplaintDay.service)
    )
    turns = func.sum(AnalyticsTurnDay.turns)
    asked = (
        select(AnalyticsTurnDay.service, turns)
        .where(*_turn_filters(scope, AnalyticsTurnDay), AnalyticsTurnDay.service.is_not(None))
        .group_by(AnalyticsTurnDay.service)
        .order_by(turns.desc(), AnalyticsTurnDay.service)
    )
    return Categories(
        level1=[CategoryCount(category=c, count=n) for c, n in level1.most_common(TOP)],
        level2=[SubcategoryCount(category=c, subcategory=s, count=n) for (c, s), n in level2.most_common(TOP)],
        services_asked=_top_services(session.execute(asked.limit(TOP))),
        services_complained=_top_services(session.execute(complaints.limit(TOP))),
    )


# ---- deadlines -------------------------------------------------------------------------------------------
def yellow_horizon(calendar: WorkCalendar, now: datetime) -> datetime:
    """Open cases due before this moment (and not yet overdue) carry a yellow card: `WorkCalendar.card` counts
    every working day up to the deadline's date as a whole one, so less than one working day is left exactly
    when the deadline falls before the next working day starts."""
    today = now.astimezone(calendar.tz).date()
    return datetime.combine(calendar.add_workdays(today, 1), time(0), tzinfo=calendar.tz)


def _yellow_in_hours(
    session: Session, calendar: WorkCalendar, open_now: list[ColumnElement[bool]], now: datetime
) -> int:
    """Open cases with a deadline in hours still to come and in its yellow part (`WorkCalendar.case_card`): few,
    as they are due within hours of their filing, so they are judged here rather than in SQL."""
    due = select(Case.kind, Case.created_at, Case.deadline).where(
        *open_now, Case.kind.in_(HOURS_KINDS), Case.deadline > now
    )
    return sum(calendar.case_card(now, *row) is Card.YELLOW for row in session.execute(due))


def deadlines(session: Session, scope: Scope) -> Deadlines:
    now = scope.now
    # Open and still held to the deadline (an accepted incident has met its response deadline).
    is_open = Case.status.in_(case_kinds.DEADLINE_RUNNING_STATUSES)
    days = AnalyticsCaseDay
    per_department = (
        _summarised(session, scope)
        .execute(
            select(
                days.department,
                func.sum(days.due),
                func.sum(days.on_time),
                func.sum(days.closed_late),
                func.sum(days.closed_due),
                func.sum(days.handling_workdays),
            )
            .where(*_summary_filters(scope, days))
            .group_by(days.department)
            .having(func.sum(days.due) > 0)
        )
        .all()
    )
    # An open case is late once its deadline has passed: a matter of the moment of reading, so counted live
    # (open cases are few, found by the (status, deadline) index).
    open_late: dict[str | None, int] = dict(
        session.execute(
            select(Case.department, func.count())
            .where(*_case_filters(scope), is_open, Case.deadline <= now)
            .group_by(Case.department)
        ).all()
    )
    followed_up = _followed_up(session, scope)
    rows = []
    all_closed = all_workdays = 0
    for department, n, good, closed_late, closed_n, workdays in per_department:
        good, bad = int(good), int(closed_late) + open_late.get(department, 0)
        all_closed, all_workdays = all_closed + int(closed_n), all_workdays + int(workdays)
        rows.append(
            DepartmentDeadlines(
                department=department or NO_DEPARTMENT,
                due=int(n),
                on_time=good,
                late=bad,
                on_time_rate=_rate(good, good + bad),
                average_workdays=round(int(workdays) / int(closed_n), 2) if closed_n else None,
                urged=followed_up.get(department, (0, 0))[0],
                reopened=followed_up.get(department, (0, 0))[1],
            )
        )
    rows.sort(key=lambda r: (r.on_time_rate is None, r.on_time_rate or 0.0, -r.due))
    all_good, all_bad = sum(r.on_time for r in rows), sum(r.late for r in rows)
    open_now = [*_case_filters(scope, in_range=False), is_open, Case.deadline.is_not(None)]
    red = func.sum(sa_case((Case.deadline <= now, 1), else_=0))
    by_workdays = and_(Case.deadline > now, Case.kind.not_in(HOURS_KINDS))
    yellow = func.sum(sa_case((by_workdays, 1), else_=0))
    red_n, yellow_n = session.execute(
        select(red, yellow).where(*open_now, Case.deadline < yellow_horizon(scope.calendar, now))
    ).one()
    yellow_n = int(yellow_n or 0) + _yellow_in_hours(session, scope.calendar, open_now, now)
    return Deadlines(
        on_time_rate=_rate(all_good, all_good + all_bad),
        average_workdays=round(all_workdays / all_closed, 2) if all_closed else None,
        departments=rows,
        cards=Cards(yellow=int(yellow_n or 0), red=int(red_n or 0)),
        overdue_total=int(red_n or 0),
        overdue=_overdue(session, scope, open_now, now),
    )


def _followed_up(session: Session, scope: Scope) -> dict[str | None, tuple[int, int]]:
    """Per department, how many of the cases filed in the range their residents urged (催办) and sent back as not
    satisfied (不满意重办): what residents think of its handling. Counted live: such events are few."""

    def cases_with(kind: str) -> ColumnElement[int]:
        return func.count(distinct(sa_case((SupervisionEvent.kind == kind, Case.id))))

    rows = session.execute(
        select(Case.department, cases_with(URGE), cases_with(REOPEN))
        .join(SupervisionEvent, SupervisionEvent.case_id == Case.id)
        .where(*_case_filters(scope), SupervisionEvent.kind.in_((URGE, REOPEN)))
        .group_by(Case.department)
    )
    return {department: (int(urged), int(reopened)) for department, urged, reopened in rows}


def _overdue(session: Session, scope: Scope, open_now: list[ColumnElement[bool]], now: datetime) -> list[OverdueCase]:
    rows = session.execute(
        select(Case.number, Case.kind, Case.department, Case.assigned_to, Case.deadline)
        .where(*open_now, Case.deadline <= now)
        .order_by(Case.deadline, Case.id)
        .limit(OVERDUE_SHOWN)
    ).all()
    today = now.astimezone(scope.calendar.tz).date()
    local = [(row, row.deadline.astimezone(scope.calendar.tz).date()) for row in rows]
    index = WorkdayIndex(scope.calendar, [today, *(d for _, d in local)])
    return [
        OverdueCase(
            number=row.number,
            kind_name=KIND_NAMES.get(row.kind, row.kind),
            department=row.department,
            assigned_to=row.assigned_to,
            deadline=row.deadline.isoformat(),
            overdue_workdays=index[today] - index[due],
        )
        for row, due in local
    ]


# ---- satisfaction ----------------------------------------------------------------------------------------
def satisfaction(session: Session, scope: Scope) -> Satisfaction:
    """Stars per service, department and day. An evaluation's department is its case's, else its service's."""
    days = AnalyticsRatingDay
    department = func.coalesce(days.department, Service.department)
    base = (
        select()
        .select_from(days)
        .outerjoin(Service, Service.name == days.service)
        .where(days.day >= scope.start, days.day <= scope.end)
    )
    if scope.channel is not None:
        base = base.where(days.channel == scope.channel)
    if scope.department is not None:
        base = base.where(department == scope.department)
    ratings = func.sum(days.ratings)
    measures = (ratings, func.sum(days.stars) * 1.0 / ratings, func.sum(days.good))
    _summarised(session, scope)

    def grouped(key: Any, empty: str, order_by_key: bool = False) -> list[Rating]:
        query = base.add_columns(key, *measures).group_by(key)
        query = query.order_by(key) if order_by_key else query.order_by(ratings.desc(), key)
        return [
            Rating(
                name=name.isoformat() if isinstance(name, date) else name or empty,
                count=n,
                average=round(float(avg), 2),
                share_4_5=round(int(good) / n, 4),
            )
            for name, n, avg, good in session.execute(query)
        ]

    count, average, good = session.execute(base.add_columns(*measures)).one()
    count = int(count or 0)
    return Satisfaction(
        count=count,
        average=round(float(average), 2) if count else None,
        share_4_5=_rate(int(good or 0), count),
        services=grouped(days.service, NO_SERVICE),
        departments=grouped(department, NO_DEPARTMENT),
        trend=grouped(days.day, "", order_by_key=True),
    )


# ---- the assistant ---------------------------------------------------------------------------------------
def _turns_query(scope: Scope, *columns: Any) -> Select[Any]:
    """Turns in the range; a department filter keeps the turns about that department's services."""
    query = select(*columns).where(AssistantTurn.at >= scope.start_at, AssistantTurn.at < scope.end_at)
    if scope.channel is not None:
        query = query.where(AssistantTurn.channel == scope.channel)
    if scope.department is not None:
        query = query.where(
            AssistantTurn.service.in_(select(Service.name).where(Service.department == scope.department))
        )
    return query


def _turn_filters(scope: Scope, table: Any) -> list[ColumnElement[bool]]:
    """The scope on a per-day summary of turns; a department filter keeps the turns about its services."""
    filters = _days_filters(scope, table)
    if scope.department is not None:
        filters.append(table.service.in_(select(Service.name).where(Service.department == scope.department)))
    return filters


def _rank(share: float, total: int) -> int:
    """The nearest rank of a percentile: ceil(share * total), at least 1."""
    return max(1, -(-int(share * total * 1000) // 1000))


def _percentile(histogram: Sequence[tuple[int, int]], share: float, rank: int | None = None) -> int | None:
    """Nearest-rank percentile over (value, count) rows sorted by value (or the value of a given rank)."""
    total = sum(n for _, n in histogram)
    if not total:
        return None
    rank, seen = rank or _rank(share, total), 0
    for value, n in histogram:
        seen += n
        if seen >= rank:
            return value
    return histogram[-1][0]


def _latency_percentile(session: Session, scope: Scope, buckets: Sequence[tuple[int, int]], share: float) -> int | None:
    """The percentile's bucket from the summary, then its exact value among the turns of that bucket only."""
    total = sum(n for _, n in buckets)
    if not total:
        return None
    rank = _rank(share, total)
    reached = list(accumulate(n for _, n in buckets))  # turns up to and including each bucket
    position = bisect_left(reached, rank)
    bucket, before = buckets[position][0], reached[position] - buckets[position][1]
    latency = AssistantTurn.latency_ms
    exact = session.execute(
        _turns_query(scope, latency, func.count())
        .where(latency >= bucket, latency < bucket + summary.latency_step(bucket))
        .group_by(latency)
        .order_by(latency)
    ).all()
    return _percentile([(int(value), int(n)) for value, n in exact], share, rank - before)


def _per_resident(scope: Scope) -> Any:
    """Each resident's flags over the range: answered, handed off, helped by a person or a case (1 or 0). From
    the per-day summary (one row per resident, day and channel), or live with a department filter, which keeps
    only the turns about its services."""
    if scope.department is None:
        days = AnalyticsConversationDay
        flags = [func.max(column).label(column.key) for column in (days.answered, days.handoff, days.helped)]
        return select(days.sender_hash, *flags).where(*_days_filters(scope, days)).group_by(days.sender_hash).subquery()
    outcome = AssistantTurn.outcome

    def flag(*outcomes: str) -> ColumnElement[int]:
        return func.max(sa_case((outcome.in_(outcomes), 1), else_=0))

    return (
        _turns_query(
            scope,
            AssistantTurn.sender_hash,
            flag("answered").label("answered"),
            flag("handoff").label("handoff"),
            flag("handoff", "case").label("helped"),
        )
        .group_by(AssistantTurn.sender_hash)
        .subquery()
    )


def _latency_percentiles(session: Session, scope: Scope, *shares: float) -> list[int | None]:
    """Answer latency percentiles: from the summary's buckets (their exact values read within the bucket), or
    from the exact histogram of a department's turns (few)."""
    if scope.department is None:
        days = AnalyticsLatencyDay
        buckets = session.execute(
            select(days.bucket, func.sum(days.turns))
            .where(*_days_filters(scope, days))
            .group_by(days.bucket)
            .order_by(days.bucket)
        ).all()
        pairs = [(int(bucket), int(n)) for bucket, n in buckets]
        return [_latency_percentile(session, scope, pairs, share) for share in shares]
    histogram = session.execute(
        _turns_query(scope, AssistantTurn.latency_ms, func.count())
        .group_by(AssistantTurn.latency_ms)
        .order_by(AssistantTurn.latency_ms)
    ).all()
    pairs = [(int(value), int(n)) for value, n in histogram]
    return [_percentile(pairs, share) for share in shares]


def assistant(session: Session, scope: Scope) -> Assistant:
    days = AnalyticsTurnDay
    turns, unanswered = (
        _summarised(session, scope)
        .execute(select(func.sum(days.turns), func.sum(days.unanswered)).where(*_turn_filters(scope, days)))
        .one()
    )
    turns, unanswered = int(turns or 0), int(unanswered or 0)
    per_resident = _per_resident(scope)
    conversations, self_served, handed = session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(sa_case((and_(per_resident.c.answered == 1, per_resident.c.helped == 0), 1), else_=0)), 0
            ),
            func.coalesce(func.sum(per_resident.c.handoff), 0),
        )
    ).one()
    p50, p95 = _latency_percentiles(session, scope, 0.5, 0.95)
    return Assistant(
        turns=turns,
        conversations=int(conversations),
        self_service_rate=_rate(int(self_served), int(conversations)),
        handoff_rate=_rate(int(handed), int(conversations)),
        fallback_rate=_rate(unanswered, turns),
        unanswered=unanswered,
        latency_p50_ms=p50,
        latency_p95_ms=p95,
    )


# ---- hot topics ------------------------------------------------------------------------------------------
def _keywords(texts: Iterable[str], exclude: set[str]) -> list[str]:
    # The jieba dictionary that routing and search hold already (knowledge/keywords.py: not a second one).
    from knowledge.keywords import salient_words
    from knowledge.settings import KnowledgeSettings
    from knowledge.text import Segmenter

    masked = "\n".join(mask_text(text, names=True) for text in texts)
    segmenter = Segmenter(KnowledgeSettings.from_env().dict_dir)
    words = []
    for word in salient_words(masked, segmenter, KEYWORDS_PER_TOPIC * 4):
        if len(word) >= 2 and not any(ch.isdigit() or ch == "*" for ch in word):
            if word not in _GENERIC_WORDS and word not in exclude:
                words.append(word)
    return words[:KEYWORDS_PER_TOPIC]


def hot_topics(session: Session, scope: Scope) -> HotTopics:
    """The last 7 days of the range against the 7 days before, per level-2 category of the router."""
    recent_start = scope.end - timedelta(days=HOT_WINDOW_DAYS - 1)
    recent_at = scope.instant(recent_start)
    window = replace(scope, start=recent_start - timedelta(days=HOT_WINDOW_DAYS))
    recent = func.sum(sa_case((Case.created_at >= recent_at, 1), else_=0))
    previous = func.sum(sa_case((Case.created_at < recent_at, 1), else_=0))
    rows = session.execute(
        select(Case.category, Case.subcategory, recent, previous)
        .where(*_case_filters(window), Case.category.is_not(None))
        .group_by(Case.category, Case.subcategory)
    ).all()
    clusters = [(c, s, int(r), int(p)) for c, s, r, p in rows if r]
    rising = sorted((c for c in clusters if c[2] > c[3]), key=lambda c: (c[3] - c[2], -c[2]))[:RISING_TOPICS]
    largest = sorted(clusters, key=lambda c: -c[2])
    chosen = list(dict.fromkeys([*rising, *largest]))[:MAX_TOPICS]
    texts = _sample_texts(session, window, recent_at, [(c, s) for c, s, _, _ in chosen])
    topics = []
    for stored, subcategory, n, before in chosen:
        category, old_level2 = split_category(stored)
        name = subcategory or old_level2 or category or ""
        words = _keywords(texts.get((stored, subcategory), []), {category or "", name})
        topics.append(
            HotTopic(
                label=f"{name}：{'、'.join(words)}" if words else name,
                category=category or "",
                subcategory=subcategory or old_level2,
                keywords=words,
                count=n,
                previous=before,
                change=n - before,
            )
        )
    return HotTopics(start=recent_start.isoformat(), end=scope.end.isoformat(), topics=topics)


def _sample_texts(
    session: Session, window: Scope, recent_at: datetime, clusters: list[tuple[str | None, str | None]]
) -> dict[tuple[str | None, str | None], list[str]]:
    """The latest SAMPLE_PER_TOPIC complaint and ticket texts of each cluster (one query, a window function)."""
    if not clusters:
        return {}
    complaints, tickets = Complaint.__table__, Ticket.__table__  # the tables: the mapped classes would join cases again
    text = func.coalesce(complaints.c.description, tickets.c.summary)
    rank = func.row_number().over(
        partition_by=(Case.category, Case.subcategory), order_by=(Case.created_at.desc(), Case.id.desc())
    )
    in_clusters = or_(
        *(
            and_(Case.category == c, Case.subcategory == s if s is not None else Case.subcategory.is_(None))
            for c, s in clusters
        )
    )
    ranked = (
        select(Case.category, Case.subcategory, text.label("text"), rank.label("rank"))
        .select_from(Case)
        .outerjoin(complaints, complaints.c.id == Case.id)
        .outerjoin(tickets, tickets.c.id == Case.id)
        .where(*_case_filters(window, in_range=False), Case.created_at >= recent_at, Case.created_at < window.end_at)
        .where(in_clusters, text.is_not(None))
        .subquery()
    )
    samples: dict[tuple[str | None, str | None], list[str]] = {}
    for category, subcategory, body, _ in session.execute(select(ranked).where(ranked.c.rank <= SAMPLE_PER_TOPIC)):
        samples.setdefault((category, subcategory), []).append(body)
    return samples


# ---- community incidents ------------------------------------------------------------------------------


def _hours(session: Session, later: Any, earlier: Any) -> ColumnElement[float]:
    """Hours between two timestamp columns, in the database."""
    if session.get_bind().dialect.name == "postgresql":
        return (func.extract("epoch", later - earlier) / 3600.0).cast(Float)
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def _round(value: float | None) -> float | None:
    return round(float(value), 2) if value is not None else None


def incidents(session: Session, scope: Scope) -> Incidents:
    """Community incidents (SQ) filed in the range, per community and grid (an incident's department is its
    grid): open and resolved, average hours to the officer's response (accepted) and to the resolution, stars."""
    resolved = Incident.status == "resolved"
    response = _hours(session, Incident.accepted_at, Incident.created_at)
    resolution = _hours(session, Incident.resolved_at, Incident.created_at)
    keys = (Community.name, Grid.name)
    filed = (
        select(
            *keys,
            func.count(),
            func.sum(sa_case((resolved, 1), else_=0)),
            func.avg(sa_case((Incident.accepted_at.is_not(None), response))).cast(Float),
            func.avg(sa_case((resolved, resolution))).cast(Float),
        )
        .join(Community, Community.id == Incident.community_id)
        .outerjoin(Grid, Grid.id == Incident.grid_id)
        .where(*_case_filters(scope))
        .group_by(*keys)
        .order_by(*keys)
    )
    rated = {
        (community, grid): (n, avg)
        for community, grid, n, avg in session.execute(
            select(*keys, func.count(), func.avg(Evaluation.stars).cast(Float))
            .join(Incident, Incident.number == Evaluation.case_number)
            .join(Community, Community.id == Incident.community_id)
            .outerjoin(Grid, Grid.id == Incident.grid_id)
            .where(*_case_filters(scope))
            .group_by(*keys)
        )
    }
    grids = []
    for community, grid, n, done, response_hours, resolution_hours in session.execute(filed):
        ratings, stars = rated.get((community, grid), (0, None))
        grids.append(
            IncidentGrid(
                community=community,
                grid=grid or NO_GRID,
                open=n - int(done or 0),
                resolved=int(done or 0),
                response_hours=_round(response_hours),
                resolution_hours=_round(resolution_hours),
                ratings=ratings,
                average_stars=_round(stars),
            )
        )
    totals = session.execute(
        select(
            func.avg(sa_case((Incident.accepted_at.is_not(None), response))).cast(Float),
            func.avg(sa_case((resolved, resolution))).cast(Float),
        ).where(*_case_filters(scope))
    ).one()
    return Incidents(
        total=sum(g.open + g.resolved for g in grids),
        response_hours=_round(totals[0]),
        resolution_hours=_round(totals[1]),
        grids=grids,
    )


# The report's sections (the contract's keys), each computed on its own for an export.
SECTIONS: dict[str, Callable[[Session, Scope], Any]] = {
    "volumes": volumes,
    "categories": categories,
    "deadlines": deadlines,
    "satisfaction": satisfaction,
    "assistant": assistant,
    "hot_topics": hot_topics,
    "incidents": incidents,
}
