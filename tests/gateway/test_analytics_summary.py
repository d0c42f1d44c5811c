"""数据分析 per-day summaries (api/services/analytics_summary.py): over random cases, evaluations and assistant turns,
then random changes (cases closed, reopened, moved to another department; new filings, evaluations and turns),
the dashboard's sections read from the summaries equal the figures counted here in Python from the rows
themselves, and the summaries kept up to date change by change equal summaries built afresh (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine, make_session_factory, transaction
from api.models import (
    AnalyticsCaseDay,
    AnalyticsCategoryDay,
    AnalyticsComplaintDay,
    AnalyticsConversationDay,
    AnalyticsLatencyDay,
    AnalyticsRatingDay,
    AnalyticsSummaryState,
    AnalyticsTurnDay,
    Application,
    AssistantTurn,
    Case,
    Complaint,
    Evaluation,
    Service,
    Ticket,
    utcnow,
)
from api.services import analytics, analytics_summary
from api.settings import Settings
from api.workdays import WorkCalendar

HOUSING, TRANSPORT = "市住房和城乡建设局", "市交通运输局"
WATER, ROAD = "样例供水报装", "样例道路占用许可"  # sample services of these tests (样例)
SERVICE_DEPARTMENTS = {WATER: HOUSING, ROAD: TRANSPORT}
MODELS: list[type[Case]] = [Complaint, Ticket, Application]
CHANNELS = ["web", "wechat", "hotline"]
DEPARTMENTS = [HOUSING, TRANSPORT, None]
SERVICES = [WATER, ROAD, None]
CATEGORIES = [
    ("城乡建设", "供水供气"),
    ("交通运输", "道路养护"),
    ("交通运输", None),
    ("城乡建设/供水供气", None),
    (None, None),
]
OUTCOMES = ["answered", "unanswered", "handoff", "case", "other"]
DAYS = 12  # data and scopes within the last DAYS local days
SUMMARY_TABLES = [
    AnalyticsCaseDay,
    AnalyticsCategoryDay,
    AnalyticsComplaintDay,
    AnalyticsRatingDay,
    AnalyticsTurnDay,
    AnalyticsConversationDay,
    AnalyticsLatencyDay,
]

cases = st.lists(
    st.fixed_dictionaries(
        {
            "model": st.integers(0, len(MODELS) - 1),
            "channel": st.sampled_from(CHANNELS),
            "department": st.sampled_from(DEPARTMENTS),
            "service": st.sampled_from(SERVICES),
            "category": st.sampled_from(CATEGORIES),
            "filed_hours_ago": st.integers(0, 24 * DAYS - 1),
            "deadline_hours": st.none() | st.integers(1, 24 * 6),
            "closed_after_hours": st.none() | st.integers(0, 24 * 8),
        }
    ),
    min_size=5,
    max_size=25,
)
evaluations = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from(SERVICES), st.integers(1, 5), st.integers(0, 24 * DAYS - 1)),
    min_size=2,
    max_size=12,
)
turns = st.lists(
    st.tuples(
        st.sampled_from(["h1", "h2", "h3", "h4"]),
        st.sampled_from(CHANNELS),
        st.sampled_from(OUTCOMES),
        # Values sharing a bucket (two significant digits), so that a percentile's exact value within it counts.
        st.sampled_from([5, 120, 121, 125, 129, 1000, 1010, 1050, 1099, 11_000, 11_900]) | st.integers(0, 12_000),
        st.sampled_from(SERVICES),
        st.integers(0, 24 * DAYS - 1),
    ),
    min_size=10,
    max_size=40,
)
changes = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from(["close", "reopen", "move"]), st.sampled_from(DEPARTMENTS)),
    min_size=1,
    max_size=8,
)
scopes = st.tuples(
    st.integers(0, DAYS - 1), st.integers(1, DAYS), st.sampled_from([None, *CHANNELS]), st.sampled_from([None, HOUSING])
)


def _closed_status(model: type[Case]) -> str:
    return next(s for s in model.SPEC.statuses if model.SPEC.is_closed(s))


def _add_case(session: Session, number: int, spec: dict[str, Any], now: datetime) -> None:
    model = MODELS[spec["model"]]
    hours = spec["filed_hours_ago"]
    created = now - timedelta(hours=hours, minutes=number % 60 if hours else 0)  # a new filing: stamped now
    closed = spec["closed_after_hours"]
    category, subcategory = spec["category"]
    extra: dict[str, Any] = {
        Complaint: {"description": "样例投诉"},
        Ticket: {"summary": "样例工单", "origin": "agent"},
        Application: {"id_number": "-", "expected_completion": now.date()},
    }[model]
    session.add(
        model(
            number=f"{model.SPEC.prefix}2026{number:08d}",
            kind=model.SPEC.kind,
            status=_closed_status(model) if closed is not None else model.SPEC.initial_status,
            channel=spec["channel"],
            department=spec["department"],
            service=spec["service"],
            category=category,
            subcategory=subcategory,
            deadline=created + timedelta(hours=spec["deadline_hours"]) if spec["deadline_hours"] else None,
            created_at=created,
            updated_at=min(created + timedelta(hours=closed), now) if closed is not None else created,
            **extra,
        )
    )


def _add_activity(
    session: Session, numbers: list[str], evaluations: list[Any], turns: list[Any], now: datetime
) -> None:
    for case_index, service, stars, hours_ago in evaluations:
        number = numbers[case_index % len(numbers)] if numbers and case_index % 3 else None
        session.add(
            Evaluation(case_number=number, service=service, stars=stars, created_at=now - timedelta(hours=hours_ago))
        )
    for sender, channel, outcome, latency, service, hours_ago in turns:
        session.add(
            AssistantTurn(
                at=now - timedelta(hours=hours_ago),
                channel=channel,
                sender_hash=sender,
                outcome=outcome,
                latency_ms=latency,
                service=service,
            )
        )


def _change(session: Session, changes: list[Any]) -> None:
    """Changes as the gateway makes them: `updated_at` stamped now."""
    rows = session.scalars(select(Case).order_by(Case.id)).all()
    for index, action, department in changes:
        if not rows:
            return
        case = rows[index % len(rows)]
        if action == "close":
            case.status = _closed_status(type(case))
        elif action == "reopen":
            case.status = case.SPEC.initial_status
        else:
            case.department = department
        session.flush()


def _summaries(session: Session) -> dict[str, Counter[tuple[Any, ...]]]:
    tables: dict[str, Counter[tuple[Any, ...]]] = {}
    for table in SUMMARY_TABLES:
        columns = [c for c in table.__table__.columns if c.key != "id"]
        tables[table.__tablename__] = Counter(tuple(row) for row in session.execute(select(*columns)))
    return tables


def _rebuilt(sessions: sessionmaker[Session], calendar: WorkCalendar) -> dict[str, Counter[tuple[Any, ...]]]:
    """The summaries built afresh from every row (then rolled back)."""
    with sessions() as session:
        session.execute(delete(AnalyticsSummaryState))
        analytics_summary.refresh(session, calendar)
        tables = _summaries(session)
        session.rollback()
    return tables


# ---- the figures counted here, from the rows ----------------------------------------------------------------
def _local(moment: datetime, calendar: WorkCalendar) -> date:
    return moment.astimezone(calendar.tz).date()


def _workdays_between(calendar: WorkCalendar, first: date, last: date) -> int:
    return sum(calendar.is_workday(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))


def _nearest_rank(values: list[int], share: float) -> int | None:
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-int(share * len(ordered) * 1000) // 1000))
    return ordered[rank - 1]


def _expected(session: Session, scope: analytics.Scope) -> dict[str, Any]:
    calendar, now = scope.calendar, scope.now
    in_range = [
        c
        for c in session.scalars(select(Case))
        if scope.start <= _local(c.created_at, calendar) <= scope.end
        and scope.channel in (None, c.channel)
        and scope.department in (None, c.department)
    ]
    by_number = {c.number: c for c in session.scalars(select(Case))}
    volumes = Counter((_local(c.created_at, calendar).isoformat(), c.kind, c.channel) for c in in_range)
    level1 = Counter(c.category.split("/")[0] for c in in_range if c.category)
    complained = Counter(c.service for c in in_range if c.kind == "complaint" and c.service)

    departments: dict[str | None, list[int]] = {}
    for c in in_range:
        if c.deadline is None:
            continue
        entry = departments.setdefault(c.department, [0, 0, 0, 0, 0])
        entry[0] += 1
        if c.is_closed:
            entry[1 if c.updated_at <= c.deadline else 2] += 1
            entry[3] += 1
            entry[4] += _workdays_between(calendar, _local(c.created_at, calendar), _local(c.updated_at, calendar))
        elif c.SPEC.deadline_runs(c.status) and c.deadline <= now:  # only kinds held to a deadline turn late
            entry[2] += 1

    ratings: dict[str, list[int]] = {}
    for e in session.scalars(select(Evaluation)):
        case = by_number.get(e.case_number or "")
        service = e.service or (case.service if case else None)
        department = (case.department if case else None) or SERVICE_DEPARTMENTS.get(service or "")
        if not scope.start <= _local(e.created_at, calendar) <= scope.end:
            continue
        if scope.channel is not None and (case is None or case.channel != scope.channel):
            continue
        if scope.department not in (None, department):
            continue
        ratings.setdefault(service or analytics.NO_SERVICE, []).append(e.stars)

    department_services = {s for s, d in SERVICE_DEPARTMENTS.items() if d == scope.department}
    said = [
        t
        for t in session.scalars(select(AssistantTurn))
        if scope.start <= _local(t.at, calendar) <= scope.end
        and scope.channel in (None, t.channel)
        and (scope.department is None or t.service in department_services)
    ]
    residents: dict[str, set[str]] = {}
    for t in said:
        residents.setdefault(t.sender_hash, set()).add(t.outcome)
    return {
        "volumes": dict(volumes),
        "level1": dict(level1),
        "complained": dict(complained),
        "asked": dict(Counter(t.service for t in said if t.service)),
        "deadlines": {
            d or analytics.NO_DEPARTMENT: (due, good, bad, round(days / closed, 2) if closed else None)
            for d, (due, good, bad, closed, days) in departments.items()
        },
        "ratings": {s: (len(v), round(sum(v) / len(v), 2)) for s, v in ratings.items()},
        "assistant": (
            len(said),
            sum(t.outcome == "unanswered" for t in said),
            len(residents),
            sum("answered" in o and not o & {"handoff", "case"} for o in residents.values()),
            sum("handoff" in o for o in residents.values()),
            _nearest_rank([t.latency_ms for t in said], 0.5),
            _nearest_rank([t.latency_ms for t in said], 0.95),
        ),
    }


def _read(session: Session, scope: analytics.Scope) -> dict[str, Any]:
    volumes = analytics.volumes(session, scope)
    categories = analytics.categories(session, scope)
    deadlines = analytics.deadlines(session, scope)
    satisfaction = analytics.satisfaction(session, scope)
    assistant = analytics.assistant(session, scope)
    return {
        "volumes": {(d.day, d.kind, d.channel): d.count for d in volumes.daily},
        "level1": {c.category: c.count for c in categories.level1},
        "complained": {s.service: s.count for s in categories.services_complained},
        "asked": {s.service: s.count for s in categories.services_asked},
        "deadlines": {d.department: (d.due, d.on_time, d.late, d.average_workdays) for d in deadlines.departments},
        "ratings": {r.name: (r.count, r.average) for r in satisfaction.services},
        "assistant": (
            assistant.turns,
            assistant.unanswered,
            assistant.conversations,
            round((assistant.self_service_rate or 0) * assistant.conversations),
            round((assistant.handoff_rate or 0) * assistant.conversations),
            assistant.latency_p50_ms,
            assistant.latency_p95_ms,
        ),
    }


@pytest.fixture
def sessions(settings: Settings) -> sessionmaker[Session]:
    factory = make_session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        session.add_all(
            Service(name=name, department=department, category="样例", online=True, process_days=3, fee="免费",
                    place="线上", materials=[])
            for name, department in SERVICE_DEPARTMENTS.items()
        )  # fmt: skip
    return factory


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases, evaluations, turns, changes, cases, evaluations, turns, scopes)
def test_summaries_answer_as_the_rows_do(
    settings: Settings,
    sessions: sessionmaker[Session],
    first_cases: list[dict[str, Any]],
    first_evaluations: list[Any],
    first_turns: list[Any],
    changed: list[Any],
    new_cases: list[dict[str, Any]],
    new_evaluations: list[Any],
    new_turns: list[Any],
    scope_values: tuple[int, int, str | None, str | None],
) -> None:
    calendar = WorkCalendar.from_file(settings.holidays_file, settings.timezone)
    now = utcnow()
    with transaction(sessions) as session:  # each example starts from no data
        for table in [*SUMMARY_TABLES, AnalyticsSummaryState, Evaluation, AssistantTurn, *MODELS, Case]:
            session.execute(delete(table))
    with transaction(sessions) as session:
        for n, spec in enumerate(first_cases):
            _add_case(session, n, spec, now)
        session.flush()
        _add_activity(session, list(session.scalars(select(Case.number))), first_evaluations, first_turns, now)
    with transaction(sessions) as session:
        analytics_summary.refresh(session, calendar)

    # What happens next is summarised again by the next read only.
    later = utcnow()
    with transaction(sessions) as session:
        _change(session, changed)
        for n, spec in enumerate(new_cases, start=len(first_cases)):
            _add_case(session, n, {**spec, "filed_hours_ago": 0, "closed_after_hours": None}, later)
        session.flush()
        _add_activity(
            session,
            list(session.scalars(select(Case.number))),
            [(i, s, stars, 0) for i, s, stars, _ in new_evaluations],
            [(h, ch, o, ms, s, 0) for h, ch, o, ms, s, _ in new_turns],
            later,
        )

    ends_ago, length, channel, department = scope_values
    today = _local(later, calendar)
    end = today - timedelta(days=ends_ago)
    scope = analytics.Scope(end - timedelta(days=length - 1), end, calendar, utcnow(), channel, department)
    with transaction(sessions) as session:
        assert _read(session, scope) == _expected(session, scope)
        kept = _summaries(session)
    assert kept == _rebuilt(sessions, calendar)


def test_a_change_committed_after_the_summary_is_summarised_at_the_next_read(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    """A case stamped before the last summary but committed after it (a slow transaction) is not missed; the
    state then names it among the changes seen, so the next read does not summarise its day again."""
    if settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: no transaction commits after another one began")
    calendar = WorkCalendar.from_file(settings.holidays_file, settings.timezone)
    now = utcnow()
    spec = {"model": 0, "channel": "web", "department": HOUSING, "service": WATER, "category": CATEGORIES[0],
            "filed_hours_ago": 30, "deadline_hours": 48, "closed_after_hours": None}  # fmt: skip
    with transaction(sessions) as session:
        _add_case(session, 1, spec, now)
    slow = sessions()
    slow.begin()
    _add_case(slow, 2, {**spec, "filed_hours_ago": 0}, utcnow())  # stamped now, committed later
    slow.flush()
    with transaction(sessions) as session:
        analytics_summary.refresh(session, calendar)
    slow.commit()
    slow.close()
    scope = analytics.Scope(_local(now, calendar) - timedelta(days=5), _local(now, calendar), calendar, utcnow())
    with transaction(sessions) as session:
        assert analytics.volumes(session, scope).total == 2
        late = session.scalars(select(Case.id).where(Case.number.endswith("00000002"))).one()
        assert [id_ for id_, _ in session.get_one(AnalyticsSummaryState, 1).recent["cases"]] == [late]
        summarised = set(session.scalars(select(AnalyticsCaseDay.id)))
    with transaction(sessions) as session:  # seen: its day is not summarised again (its rows would be new)
        analytics_summary.refresh(session, calendar)
        assert set(session.scalars(select(AnalyticsCaseDay.id))) == summarised
