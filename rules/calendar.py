"""Working time: reminders and escalation count only working hours of working days.

Weekends, holidays and the working day come from configuration; pure and deterministic, so the
approval workflow computes its own deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator


class WorkCalendar(BaseModel):
    timezone: str = "Europe/Moscow"
    day_start: time = time(9)
    day_end: time = time(18)
    weekends: list[int] = Field(default=[5, 6], description="0 = Monday … 6 = Sunday")
    holidays: list[date] = []
    # Working days that fall on a weekend (Russia moves days off around holidays).
    workdays: list[date] = []

    @model_validator(mode="after")
    def _day(self) -> WorkCalendar:
        if self.day_end <= self.day_start and self.day_end != time(0):
            raise ValueError("the working day ends before it starts")
        return self

    @property
    def always(self) -> bool:
        """Every hour of every day counts (tests, round-the-clock plants)."""
        return not self.weekends and not self.holidays and self.day_start == time(0) and self.day_end == time(0)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() not in self.weekends and day not in self.holidays

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time after `start`."""
        if self.always:
            return start + duration
        zone = ZoneInfo(self.timezone)
        moment = start.astimezone(zone)
        left = duration
        for _ in range(3660):  # ten years of days: a calendar with no working time never loops forever
            day = moment.date()
            opens = datetime.combine(day, self.day_start, zone)
            closes = datetime.combine(day + timedelta(days=1), time(0), zone) if self.day_end == time(0) else datetime.combine(day, self.day_end, zone)
            if self.is_working_day(day) and moment < closes:
                moment = max(moment, opens)
                if moment + left <= closes:
                    return (moment + left).astimezone(UTC)
                left -= closes - moment
            moment = datetime.combine(day + timedelta(days=1), time(0), zone)
        raise ValueError("the calendar has no working time")
