"""Working-day arithmetic for deadlines: weekends and the holiday calendar in data/holidays.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from contract.case_kinds import CASE_KINDS


class Card(StrEnum):
    """Deadline warning shown to agents (`WorkCalendar.card`): yellow when the deadline is near, red when overdue."""

    NONE = "none"
    YELLOW = "yellow"
    RED = "red"


# A deadline counted in hours from the filing (CaseKind.deadline_in_hours: 社区事件 answered within 4 hours) turns
# yellow in this last share of its window: one working day ahead, as for the others, is at once.
HOURS_YELLOW_SHARE = 0.25
HOURS_KINDS = tuple(spec.kind for spec in CASE_KINDS.values() if spec.deadline_in_hours)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date]
    extra_workdays: frozenset[date]
    tz: ZoneInfo

    @classmethod
    def from_file(cls, path: Path, tz: str = "Asia/Shanghai") -> WorkCalendar:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(
            holidays=frozenset(data.get("holidays") or ()),
            extra_workdays=frozenset(data.get("workdays") or ()),
            tz=ZoneInfo(tz),
        )

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_workdays(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself not counted)."""
        day = start
        left = count
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def deadline(self, filed_at: datetime, workdays: int) -> datetime:
        """End of the `workdays`-th working day after the filing day, in local time."""
        local_day = filed_at.astimezone(self.tz).date()
        return self.end_of(self.add_workdays(local_day, workdays))

    def end_of(self, day: date) -> datetime:
        """A deadline falling on `day`: its last second, local time."""
        return datetime.combine(day, time(23, 59, 59), tzinfo=self.tz)

    def working_days_left(self, now: datetime, deadline: datetime) -> float:
        """Working time left until the deadline, in working days (fractions for the current day)."""
        now_local = now.astimezone(self.tz)
        end_local = deadline.astimezone(self.tz)
        if now_local >= end_local:
            return 0.0
        left = 0.0
        today = now_local.date()
        if self.is_workday(today):
            midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=self.tz)
            left += (min(midnight, end_local) - now_local).total_seconds() / 86400
        day = today + timedelta(days=1)
        while day <= end_local.date():
            if self.is_workday(day):
                left += 1.0
            day += timedelta(days=1)
        return left

    def next_opening(self, now: datetime, opens: time, closes: time) -> datetime | None:
        """None while staff work (between `opens` and `closes` of a working day, local time); otherwise
        the local time they start again, so a resident waiting for an agent knows when to expect one."""
        local = now.astimezone(self.tz)
        day = local.date()
        if self.is_workday(day):
            if opens <= local.time() < closes:
                return None
            if local.time() < opens:
                return datetime.combine(day, opens, tzinfo=self.tz)
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return datetime.combine(day, opens, tzinfo=self.tz)

    def card(self, now: datetime, deadline: datetime | None, hours_from: datetime | None = None) -> Card:
        """Red once the deadline has passed. Yellow when less than one working day is left or, for a deadline
        counted in hours from `hours_from` (the filing), in the last HOURS_YELLOW_SHARE of that window."""
        if deadline is None:
            return Card.NONE
        if now >= deadline:
            return Card.RED
        if hours_from is not None:
            return Card.YELLOW if deadline - now <= (deadline - hours_from) * HOURS_YELLOW_SHARE else Card.NONE
        if self.working_days_left(now, deadline) < 1.0:
            return Card.YELLOW
        return Card.NONE

    def case_card(self, now: datetime, kind: str, filed_at: datetime, deadline: datetime | None) -> Card:
        """The card of a case of `kind` filed at `filed_at` (open: a closed case has none)."""
        return self.card(now, deadline, filed_at if kind in HOURS_KINDS else None)
