"""`make bench` (数据分析): the dashboard's queries on 1,000,000 synthetic cases in PostgreSQL.

Seeds a throwaway database (COPY) with a year of cases filed in time order (complaints, tickets, applications,
suggestions over the real categories, departments and services), evaluations and assistant turns, then times
each section of `GET /api/staff/analytics` (the same functions the route calls) for the ranges the console
offers, with and without filters. Goal: each under 500 ms. The generator is the bench's own: nothing here is
product data. `--cases N` for a smaller run; the database is dropped at the end (`--keep` keeps it, and
`--database URL` measures a kept one again, migrated to the latest revision first).

The per-day summaries (api/services/analytics_summary.py) are built once after seeding, as the first dashboard
read would, and timed; then a minute's worth of changes (cases closed, evaluations made) is summarised again,
as the next read does.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.categories import project_categories  # noqa: E402
from api.db import make_engine, make_session_factory, transaction  # noqa: E402
from api.migrate import upgrade  # noqa: E402
from api.services import analytics, analytics_summary  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.workdays import WorkCalendar  # noqa: E402
from knowledge.schema import load_categories, load_services  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402

ADMIN_URL = os.environ.get("POSTGRES_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
GOAL_MS = 500
DAYS = 365
KINDS = (("complaint", "TS", 0.40), ("ticket", "GD", 0.35), ("application", "LA", 0.15), ("suggestion", "JY", 0.10))
OPEN = {"complaint": "processing", "ticket": "dispatched", "application": "processing", "suggestion": "received"}
CLOSED = {"complaint": "resolved", "ticket": "resolved", "application": "done", "suggestion": "noted"}
CHANNELS = ("web", "wechat", "hotline", "api")
STREETS = ("梅山路", "皋城路", "佛子岭路", "解放路", "人民路", "长江路", "淠河路", "龙河路", "紫竹林路", "大别山路")
PROBLEMS = (
    "停水",
    "路灯不亮",
    "噪音扰民",
    "垃圾清运不及时",
    "井盖破损",
    "违章停车",
    "欠薪",
    "漏水",
    "异味",
    "施工扰民",
)


def _database() -> tuple[str, str]:
    name = f"luan_bench_analytics_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # Solid-state storage, as the production database (docs/analytics.md): with the default of 4 the planner
        # joins a month's evaluations to their cases by scanning all of them instead of using the case number.
        conn.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
    return name, f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def _drop(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _catalogue() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(level-1, level-2, department) triples and (service, department) pairs of the project's own files."""
    paths = KnowledgeSettings.from_env()
    routes = [
        (name, level2, entry.departments[0])
        for name, entry in project_categories().items()
        for level2 in entry.level2
        if entry.departments
    ]
    services = [
        (s.name, s.department) for s in load_services(paths.services_dir, load_categories(paths.categories_file))
    ]
    return routes, services


def _cases(count: int, now: datetime, rng: random.Random) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """(case row, kind, text) in filing order over the last DAYS days."""
    routes, services = _catalogue()
    start = now - timedelta(days=DAYS)
    step = DAYS * 86400 / count
    weights = [w for _, _, w in KINDS]
    daily: dict[tuple[str, str], int] = {}
    for i in range(count):
        created = start + timedelta(seconds=i * step + rng.random() * step)
        kind, prefix, _ = rng.choices(KINDS, weights)[0]
        day = created.strftime("%Y%m%d")
        seq = daily[(prefix, day)] = daily.get((prefix, day), 0) + 1
        level1: str | None
        level2: str | None
        level1, level2, department = rng.choice(routes)
        service, service_department = rng.choice(services)
        if kind == "application":
            level1 = level2 = None
            department = service_department
        age_days = (now - created).days
        closed = rng.random() < (0.97 if age_days > 7 else 0.4)
        deadline = created + timedelta(days=rng.choice((3, 4, 5))) if kind in ("complaint", "ticket") else None
        updated = created + timedelta(hours=rng.uniform(1, 24 * 7)) if closed else created
        yield (
            (
                i + 1,
                f"{prefix}{day}{seq:05d}",
                kind,
                CLOSED[kind] if closed else OPEN[kind],
                service if rng.random() < 0.6 else None,
                department,
                level1,
                level2,
                rng.choice(CHANNELS),
                f"agent{rng.randint(1, 40)}",
                deadline,
                created,
                min(updated, now),
            ),
            kind,
            f"{rng.choice(STREETS)}{rng.choice(PROBLEMS)}，请尽快处理。",
        )


CASE_COLUMNS = (
    "id, number, kind, status, service, department, category, subcategory, channel, assigned_to, deadline, "
    "created_at, updated_at"
)


def seed(url: str, count: int, now: datetime) -> None:
    rng = random.Random(14)
    started = time.perf_counter()
    numbers: list[str] = []
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        rows: dict[str, list[tuple[object, str]]] = {kind: [] for kind, _, _ in KINDS}
        with cur.copy(f"COPY cases ({CASE_COLUMNS}) FROM STDIN") as cases:
            for row, kind, text in _cases(count, now, rng):
                cases.write_row(row)
                rows[str(kind)].append((row[0], text))
                if rng.random() < 0.2:
                    numbers.append(str(row[1]))
        conn.commit()
        with cur.copy("COPY complaints (id, description) FROM STDIN") as copy:
            for case_id, text in rows["complaint"]:
                copy.write_row((case_id, text))
        with cur.copy("COPY tickets (id, summary, origin, transcript, suggestions) FROM STDIN") as copy:
            for case_id, text in rows["ticket"]:
                copy.write_row((case_id, text, "bot", "[]", "[]"))
        with cur.copy("COPY applications (id, id_number, expected_completion) FROM STDIN") as copy:
            for case_id, _ in rows["application"]:
                copy.write_row((case_id, "-", now.date()))
        with cur.copy("COPY suggestions (id, content, likes) FROM STDIN") as copy:
            for case_id, text in rows["suggestion"]:
                copy.write_row((case_id, text, 0))
        _, services = _catalogue()
        with cur.copy("COPY evaluations (case_number, service, stars, created_at) FROM STDIN") as copy:
            for number in numbers:
                copy.write_row((number, None, rng.choice((1, 2, 3, 4, 4, 5, 5, 5)), _after(number, rng, now)))
        with cur.copy(
            "COPY assistant_turns (at, channel, sender_hash, outcome, latency_ms, service) FROM STDIN"
        ) as copy:
            outcomes = ("answered",) * 7 + ("unanswered", "handoff", "case", "other")
            start = now - timedelta(days=DAYS)
            for i in range(count):
                at = start + timedelta(seconds=i * DAYS * 86400 / count)
                service = rng.choice(services)[0] if rng.random() < 0.7 else None
                resident = f"{i // 4:016x}"  # a conversation: about 4 turns in a row
                if i % 4 == 0:  # on one channel: a sender is a WeChat account, a web session, a phone line
                    channel = rng.choice(CHANNELS)
                copy.write_row((at, channel, resident, rng.choice(outcomes), int(rng.lognormvariate(6, 0.6)), service))
        conn.execute("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"seeded {count:,} cases, {len(numbers):,} evaluations, {count:,} turns in {elapsed:.0f} s")


def _after(number: str, rng: random.Random, now: datetime) -> datetime:
    filed = datetime.strptime(number[2:10], "%Y%m%d").replace(tzinfo=UTC)
    return min(filed + timedelta(days=rng.uniform(1, 10)), now)


def _summarise(sessions: Any, calendar: WorkCalendar, what: str) -> None:
    started = time.perf_counter()
    with transaction(sessions) as session:
        analytics_summary.refresh(session, calendar)
    print(f"summaries: {what} in {(time.perf_counter() - started) * 1000:.0f} ms")


def summarise(url: str, now: datetime, changes: int = 60) -> None:
    """Build the summaries, then change `changes` cases of random days of the last month (closed now) and
    summarise again: the work a dashboard read does after a minute of the centre's activity."""
    settings = Settings(database_url=url)
    calendar = WorkCalendar.from_file(settings.holidays_file, settings.timezone)
    sessions = make_session_factory(make_engine(url))
    _summarise(sessions, calendar, "brought up to date (every day the first time)")
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE cases SET updated_at = %s WHERE id IN "
            "(SELECT id FROM cases WHERE created_at > %s ORDER BY random() LIMIT %s)",
            (now, now - timedelta(days=30), changes),
        )
    _summarise(sessions, calendar, f"{changes} cases changed on days of the last month summarised again")


def measure(url: str, now: datetime, repeat: int) -> bool:
    settings = Settings(database_url=url)
    calendar = WorkCalendar.from_file(settings.holidays_file, settings.timezone)
    sessions = make_session_factory(make_engine(url))
    today = now.astimezone(calendar.tz).date()
    routes, _ = _catalogue()
    month = today - timedelta(days=29)
    scopes = [
        ("近7天", analytics.Scope(today - timedelta(days=6), today, calendar, now)),
        ("近30天", analytics.Scope(month, today, calendar, now)),
        ("近30天·微信·一个部门", analytics.Scope(month, today, calendar, now, "wechat", routes[0][2])),
        ("366天（最长）", analytics.Scope(today - timedelta(days=365), today, calendar, now)),
    ]  # fmt: skip
    ok = True
    print(f"{'section':<14}{'median ms':>10}{'max ms':>9}  range")
    for label, scope in scopes:
        for name, compute in analytics.SECTIONS.items():
            times = []
            for _ in range(repeat + 1):  # the first run warms up (jieba's dictionary, the connection pool)
                with sessions() as session:
                    started = time.perf_counter()
                    compute(session, scope)
                    times.append((time.perf_counter() - started) * 1000)
            median = statistics.median(times[1:])
            ok &= median < GOAL_MS
            flag = "" if median < GOAL_MS else "  over the goal"
            print(f"{name:<14}{median:>10.0f}{max(times[1:]):>9.0f}  {label}{flag}")
    return ok


def _today_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--database", help="measure this kept database again instead of seeding one")
    args = parser.parse_args()
    if args.database:
        upgrade(args.database)
        now = _today_utc()
        summarise(args.database, now)
        measure(args.database, now, args.repeat)
        return
    name, url = _database()
    try:
        upgrade(url)
        now = _today_utc()
        seed(url, args.cases, now)
        summarise(url, now)
        ok = measure(url, now, args.repeat)
        print(f"goal: every section under {GOAL_MS} ms: {'met' if ok else 'NOT met'}")
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            _drop(name)


if __name__ == "__main__":
    main()
