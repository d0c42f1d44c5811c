"""Per-day summaries behind the analytics dashboard (migration 0014): what a section adds up over a range, kept
per local day, so that a year is read from grouped rows rather than a million cases (scripts/bench_analytics.py).

Kept exact, not eventually right: every read first summarises again the days whose cases changed (`updated_at`,
indexed), got evaluations, or assistant turns since the last summary, in the reader's own transaction
(`refresh`, once per session); the 督办 scheduler's tick does the same every minute (api/supervision.py), so a
read seldom finds much to do. The days are those of filing for cases, of evaluating for evaluations: a case filed
a month ago and closed today has its filing day summarised again. What depends on the moment of reading (open
cases past their deadline, cards, the overdue list) and a department's assistant figures stay live queries.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, delete, func, insert, select
from sqlalchemy import case as sa_case
from sqlalchemy.orm import Session

from api.models import (
    AnalyticsCaseDay,
    AnalyticsCategoryDay,
    AnalyticsComplaintDay,
    AnalyticsConversationDay,
    AnalyticsLatencyDay,
    AnalyticsRatingDay,
    AnalyticsSummaryState,
    AnalyticsTurnDay,
    AssistantTurn,
    Case,
    Evaluation,
    utcnow,
)
from api.workdays import WorkCalendar
from contract import case_kinds

# A change is found by its `updated_at`, stamped when it is written but visible only once committed: the days
# changed this long before the last summary are looked at again, so a transaction committed up to this long
# after its write is never missed.
SETTLE = timedelta(minutes=2)
_STATE_ID = 1
_LOCK_KEY = zlib.crc32(b"analytics_summary")  # PostgreSQL: one summariser at a time
_REFRESHED = "analytics_summary_refreshed"  # Session.info: once per unit of work

# No status name is open for one kind and closed for another, so one list serves every kind.
CLOSED_STATUSES = tuple(
    sorted({s for spec in case_kinds.CASE_KINDS.values() for s in spec.statuses if spec.is_closed(s)})
)


_STEPS, _LAST_STEP = (1, 10, 100, 1000, 10_000), 100_000


def latency_step(bucket: int) -> int:
    """The width of a latency bucket starting at `bucket` ms: two significant digits (1 ms below 100 ms, 10 ms
    below 1 s, ...), so that a bucket holds a few per cent of the turns at most, whatever the spread."""
    return next((step for step in _STEPS if bucket < 100 * step), _LAST_STEP)


def _latency_bucket(column: Any) -> ColumnElement[int]:
    """The start of a latency's bucket, in SQL (`latency_step`)."""
    steps = [(column < 100 * step, column - column % step) for step in _STEPS]
    return sa_case(*steps, else_=column - column % _LAST_STEP)


def local_day(session: Session, column: Any, calendar: WorkCalendar) -> ColumnElement[date]:
    """The local date of a UTC timestamp column in the calendar's time zone (a date, not text: grouping and
    sorting a million dates is much cheaper than formatted strings)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(calendar.tz.key, column), type_=Date)
    # SQLite keeps UTC text; the zone's offset is fixed (China has had no daylight saving time since 1991).
    offset = datetime.now(calendar.tz).utcoffset() or timedelta(0)
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes", type_=Date)


def day_start(calendar: WorkCalendar, day: date) -> datetime:
    """The UTC moment a local day starts."""
    return datetime.combine(day, time(0), tzinfo=calendar.tz).astimezone(UTC)


class WorkdayIndex:
    """Working days from a reference date, so that the working days between two dates are a difference."""

    def __init__(self, calendar: WorkCalendar, days: Iterable[date]) -> None:
        wanted = sorted(set(days))
        self._index: dict[date, int] = {}
        if not wanted:
            return
        count, day = 0, wanted[0]
        while day <= wanted[-1]:
            count += calendar.is_workday(day)
            self._index[day] = count
            day += timedelta(days=1)

    def __getitem__(self, day: date) -> int:
        return self._index[day]


def calendar_key(calendar: WorkCalendar) -> str:
    """Names the calendar the handling times were counted with: another one summarises every day again."""
    text = "|".join(
        [calendar.tz.key, *map(str, sorted(calendar.holidays)), "+", *map(str, sorted(calendar.extra_workdays))]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def refresh(session: Session, calendar: WorkCalendar) -> None:
    """Summarise again the days changed since the last summary (every day the first time, or with another
    calendar), in the session's transaction: the reader sees its own up-to-date summary, and it is kept when
    the transaction commits."""
    if session.info.get(_REFRESHED):
        return
    started = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
    state = session.get(AnalyticsSummaryState, _STATE_ID, populate_existing=True)
    key = calendar_key(calendar)
    if state is None or state.calendar_key != key:
        _summarise_cases(session, calendar, None)
        _summarise_ratings(session, calendar, None)
        _summarise_turns(session, calendar, None)
        recent = _recent(session, calendar, started - SETTLE)
    else:
        recent = _recent(session, calendar, state.summarised_at - SETTLE)
        seen_cases = {tuple(entry) for entry in state.recent["cases"]}
        seen_evaluations, seen_turns = set(state.recent["evaluations"]), set(state.recent["turns"])
        changed = [(number, day) for id_, at, number, day in recent.cases if (id_, at) not in seen_cases]
        rating_days = {day for id_, day in recent.evaluations if id_ not in seen_evaluations}
        if changed:
            # An evaluation counts under its case's department, channel and service: a changed case changes them.
            evaluated = local_day(session, Evaluation.created_at, calendar)
            numbers = sorted({number for number, _ in changed})
            rating_days.update(session.scalars(select(evaluated).where(Evaluation.case_number.in_(numbers)).distinct()))
        _summarise_cases(session, calendar, {day for _, day in changed})
        _summarise_ratings(session, calendar, rating_days)
        _summarise_turns(session, calendar, {day for id_, day in recent.turns if id_ not in seen_turns})
    seen = {
        "cases": [[id_, at] for id_, at, _, _ in recent.cases],
        "evaluations": [id_ for id_, _ in recent.evaluations],
        "turns": [id_ for id_, _ in recent.turns],
    }
    if state is None:
        session.add(AnalyticsSummaryState(id=_STATE_ID, summarised_at=started, calendar_key=key, recent=seen))
    else:
        state.summarised_at, state.calendar_key, state.recent = started, key, seen
    session.flush()
    session.info[_REFRESHED] = True


@dataclass(frozen=True)
class _Recent:
    cases: list[tuple[int, str, str, date]]  # id, updated_at (ISO), number, local filing day
    evaluations: list[tuple[int, date]]  # id, local day
    turns: list[tuple[int, date]]  # id, local day


def _recent(session: Session, calendar: WorkCalendar, since: datetime) -> _Recent:
    """The cases changed and the evaluations made since `since`, as far as this transaction sees them."""
    filed = local_day(session, Case.created_at, calendar)
    evaluated = local_day(session, Evaluation.created_at, calendar)
    said = local_day(session, AssistantTurn.at, calendar)
    return _Recent(
        cases=[
            (id_, at.isoformat(), number, day)
            for id_, at, number, day in session.execute(
                select(Case.id, Case.updated_at, Case.number, filed).where(Case.updated_at >= since)
            )
        ],
        evaluations=[
            (id_, day)
            for id_, day in session.execute(select(Evaluation.id, evaluated).where(Evaluation.created_at >= since))
        ],
        turns=[
            (id_, day) for id_, day in session.execute(select(AssistantTurn.id, said).where(AssistantTurn.at >= since))
        ],
    )


def _days_filter(
    session: Session, calendar: WorkCalendar, column: Any, days: set[date] | None
) -> list[ColumnElement[bool]]:
    if days is None:
        return []
    first, last = min(days), max(days)
    return [
        column >= day_start(calendar, first),
        column < day_start(calendar, last + timedelta(days=1)),
        local_day(session, column, calendar).in_(sorted(days)),
    ]


def _replace(session: Session, table: Any, days: set[date] | None, rows: list[dict[str, Any]]) -> None:
    session.execute(delete(table) if days is None else delete(table).where(table.day.in_(sorted(days))))
    if rows:
        session.execute(insert(table), rows)


def _summarise_cases(session: Session, calendar: WorkCalendar, days: set[date] | None) -> None:
    if days is not None and not days:
        return
    day = local_day(session, Case.created_at, calendar)
    within = _days_filter(session, calendar, Case.created_at, days)
    keys = (day, Case.kind, Case.channel, Case.department)
    due = Case.deadline.is_not(None)
    closed = and_(due, Case.status.in_(CLOSED_STATUSES))
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for filed, kind, channel, department, n, n_due, on_time, late in session.execute(
        select(
            *keys,
            func.count(),
            func.sum(sa_case((due, 1), else_=0)),
            func.sum(sa_case((and_(closed, Case.updated_at <= Case.deadline), 1), else_=0)),
            func.sum(sa_case((and_(closed, Case.updated_at > Case.deadline), 1), else_=0)),
        )
        .where(*within)
        .group_by(*keys)
    ):
        totals[(filed, kind, channel, department)] = {
            "day": filed, "kind": kind, "channel": channel, "department": department, "cases": n,
            "due": int(n_due or 0), "on_time": int(on_time or 0), "closed_late": int(late or 0),
            "closed_due": 0, "handling_workdays": 0,
        }  # fmt: skip
    # Handling time: working days from the local filing date to the local closing date of each closed case.
    closed_on = local_day(session, Case.updated_at, calendar)
    pairs = session.execute(
        select(*keys, closed_on, func.count()).where(*within, closed).group_by(*keys, closed_on)
    ).all()
    index = WorkdayIndex(calendar, (d for row in pairs for d in (row[0], row[4])))
    for filed, kind, channel, department, closed_day, n in pairs:
        entry = totals[(filed, kind, channel, department)]
        entry["closed_due"] += n
        entry["handling_workdays"] += n * (index[closed_day] - index[filed])
    _replace(session, AnalyticsCaseDay, days, list(totals.values()))

    categories = (day, Case.channel, Case.department, Case.category, Case.subcategory)
    _replace(
        session,
        AnalyticsCategoryDay,
        days,
        [
            {"day": d, "channel": ch, "department": dep, "category": c, "subcategory": s, "cases": n}
            for d, ch, dep, c, s, n in session.execute(
                select(*categories, func.count()).where(*within, Case.category.is_not(None)).group_by(*categories)
            )
        ],
    )
    complained = (day, Case.channel, Case.department, Case.service)
    _replace(
        session,
        AnalyticsComplaintDay,
        days,
        [
            {"day": d, "channel": ch, "department": dep, "service": s, "cases": n}
            for d, ch, dep, s, n in session.execute(
                select(*complained, func.count())
                .where(*within, Case.kind == case_kinds.COMPLAINT.kind, Case.service.is_not(None))
                .group_by(*complained)
            )
        ],
    )


def _summarise_ratings(session: Session, calendar: WorkCalendar, days: set[date] | None) -> None:
    if days is not None and not days:
        return
    keys = (
        local_day(session, Evaluation.created_at, calendar),
        Case.channel,
        Case.department,
        func.coalesce(Evaluation.service, Case.service),
    )
    rows = session.execute(
        select(*keys, func.count(), func.sum(Evaluation.stars), func.sum(sa_case((Evaluation.stars >= 4, 1), else_=0)))
        .select_from(Evaluation)
        .outerjoin(Case, Case.number == Evaluation.case_number)
        .where(*_days_filter(session, calendar, Evaluation.created_at, days))
        .group_by(*keys)
    )
    _replace(
        session,
        AnalyticsRatingDay,
        days,
        [
            {
                "day": d,
                "channel": ch,
                "department": dep,
                "service": s,
                "ratings": n,
                "stars": int(stars),
                "good": int(good),
            }
            for d, ch, dep, s, n, stars, good in rows
        ],
    )


def _summarise_turns(session: Session, calendar: WorkCalendar, days: set[date] | None) -> None:
    if days is not None and not days:
        return
    day = local_day(session, AssistantTurn.at, calendar)
    within = _days_filter(session, calendar, AssistantTurn.at, days)
    outcome = AssistantTurn.outcome

    def flag(*outcomes: str) -> ColumnElement[int]:
        return func.max(sa_case((outcome.in_(outcomes), 1), else_=0))

    asked = (day, AssistantTurn.channel, AssistantTurn.service)
    _replace(
        session,
        AnalyticsTurnDay,
        days,
        [
            {"day": d, "channel": ch, "service": s, "turns": n, "unanswered": int(unanswered)}
            for d, ch, s, n, unanswered in session.execute(
                select(*asked, func.count(), func.sum(sa_case((outcome == "unanswered", 1), else_=0)))
                .where(*within)
                .group_by(*asked)
            )
        ],
    )
    residents = (day, AssistantTurn.channel, AssistantTurn.sender_hash)
    _replace(
        session,
        AnalyticsConversationDay,
        days,
        [
            {"day": d, "channel": ch, "sender_hash": h, "answered": a, "handoff": o, "helped": p}
            for d, ch, h, a, o, p in session.execute(
                select(*residents, flag("answered"), flag("handoff"), flag("handoff", "case"))
                .where(*within)
                .group_by(*residents)
            )
        ],
    )
    buckets = (day, AssistantTurn.channel, _latency_bucket(AssistantTurn.latency_ms))
    _replace(
        session,
        AnalyticsLatencyDay,
        days,
        [
            {"day": d, "channel": ch, "bucket": b, "turns": n}
            for d, ch, b, n in session.execute(select(*buckets, func.count()).where(*within).group_by(*buckets))
        ],
    )
