"""Working-day deadlines around weekends, holidays and adjusted working days (调休), and the cards."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from api.settings import Settings
from api.workdays import Card, WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def calendar(tmp_path: Path) -> WorkCalendar:
    data = tmp_path / "holidays.yaml"
    data.write_text("holidays: [2026-10-01, 2026-10-02, 2026-10-05, 2026-10-06, 2026-10-07]\nworkdays: [2026-10-10]\n")
    return WorkCalendar.from_file(data)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


def test_weekend_is_skipped(calendar: WorkCalendar) -> None:
    # Filed Thursday: Friday, Monday, Tuesday.
    assert calendar.deadline(at("2026-11-19"), 3).date() == date(2026, 11, 24)
    # Filed on a Saturday: Monday, Tuesday, Wednesday.
    assert calendar.deadline(at("2026-11-21"), 3).date() == date(2026, 11, 25)


def test_holiday_is_skipped_and_adjusted_saturday_counts(calendar: WorkCalendar) -> None:
    # Filed 30 Sep: 1-7 Oct off, then Thu 8, Fri 9 and the adjusted working Saturday 10 Oct.
    assert calendar.deadline(at("2026-09-30"), 3).date() == date(2026, 10, 10)
    assert calendar.is_workday(date(2026, 10, 10))
    assert not calendar.is_workday(date(2026, 10, 5))


def test_deadline_is_end_of_local_day(calendar: WorkCalendar) -> None:
    # 23:30 UTC on Wed 18 Nov is already Thursday 07:30 in 六安.
    filed = datetime(2026, 11, 18, 23, 30, tzinfo=ZoneInfo("UTC"))
    due = calendar.deadline(filed, 3)
    assert due == datetime(2026, 11, 24, 23, 59, 59, tzinfo=TZ)


def test_cards(calendar: WorkCalendar) -> None:
    due = calendar.deadline(at("2026-11-19"), 3)  # Tue 24 Nov, end of day
    assert calendar.card(at("2026-11-20"), due) is Card.NONE
    # Monday 10:00: 14 h of Monday + all of Tuesday left.
    assert calendar.card(at("2026-11-23"), due) is Card.NONE
    # Tuesday morning: less than one working day left.
    assert calendar.card(at("2026-11-24", 9), due) is Card.YELLOW
    assert calendar.card(due + timedelta(seconds=1), due) is Card.RED
    assert calendar.card(at("2026-11-24"), None) is Card.NONE


def test_weekend_before_deadline_does_not_count_as_working_time(calendar: WorkCalendar) -> None:
    due = datetime(2026, 11, 23, 23, 59, 59, tzinfo=TZ)  # Monday
    # Saturday: the weekend is not working time, Monday is one full working day -> not yet yellow.
    assert calendar.working_days_left(at("2026-11-21"), due) == pytest.approx(1.0)
    assert calendar.card(at("2026-11-21"), due) is Card.NONE


def test_shipped_calendar_loads() -> None:
    shipped = WorkCalendar.from_file(Settings.model_fields["holidays_file"].default)
    assert not shipped.is_workday(date(2026, 10, 1))
    assert shipped.is_workday(date(2026, 9, 20))  # a Sunday made a working day


@pytest.mark.parametrize(
    ("now", "opening", "said"),
    [
        (at("2026-11-18", 10), None, None),  # a Wednesday morning: agents are at work
        (at("2026-11-18", 7), at("2026-11-18", 8).replace(minute=30), "今天上午8:30"),
        (at("2026-11-18", 18), at("2026-11-19", 8).replace(minute=30), "明天上午8:30"),
        (at("2026-11-21", 10), at("2026-11-23", 8).replace(minute=30), "11月23日（周一）上午8:30"),
        (at("2026-09-30", 20), at("2026-10-08", 8).replace(minute=30), "10月8日（周四）上午8:30"),  # 国庆
        (at("2026-10-09", 19), at("2026-10-10", 8).replace(minute=30), "明天上午8:30"),  # an adjusted Saturday
    ],
)
def test_when_agents_start_again(
    calendar: WorkCalendar, now: datetime, opening: datetime | None, said: str | None
) -> None:
    from datetime import time

    from api.replies import opening_text

    found = calendar.next_opening(now, time(8, 30), time(17, 30))
    assert found == opening
    if found is not None:
        assert opening_text(now, found) == said
