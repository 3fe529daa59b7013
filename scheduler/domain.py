"""Domain types shared by every stage. Frozen; units in field names; shop-local naive datetimes.

Conventions
- Times are naive ``datetime`` in the shop's local time (China: UTC+8, no DST).
- A week starts on Monday 00:00. Weekday numbers follow Python: Monday = 0 ... Sunday = 6.
- Intervals are half-open ``[start, end)``.
- Table-like data (hourly series, per-session logs, per-interval results) is carried as a pandas
  DataFrame inside a frozen dataclass whose docstring names the columns; the constructor of the
  reader that built it has validated them, so downstream code may rely on them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

HOURS_PER_WEEK = 168
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
BREAK_ZH = "用餐"
"""A shift's meal break in every view of a roster (chart, tables, exports)."""
DAY_OFF_ZH = "休"
"""A day without a shift in every view of a roster; never a break (``BREAK_ZH``)."""

# 7 x 24 booleans, Monday first: True where the agent may work in that clock hour.
WeekMask = tuple[tuple[bool, ...], ...]
ALWAYS: WeekMask = tuple(tuple(True for _ in range(24)) for _ in range(7))

NIGHT_HOURS = frozenset({0, 1, 2, 3, 4, 5, 6, 23})
"""Clock hours counted as night work (23:00-07:00), for eligibility and fairness."""
WEEKEND_DAYS = frozenset({5, 6})
"""The weekend's days of the week (Monday 0): Saturday and Sunday."""
LATE_MINUTE = 22 * 60
"""A shift ending after this minute of its start day (22:00) is a late finish."""


@dataclass(frozen=True)
class HourlyHistory:
    """Sessions started per clock hour, contiguous, sorted.

    ``frame`` columns: ``timestamp`` (datetime64, on the hour), ``sessions`` (int64 >= 0),
    ``avg_handle_seconds`` (float64, NaN where unknown), ``first_reply_seconds`` (float64 mean
    first human reply time, NaN where unknown), ``replied_share`` (float64 in [0, 1], NaN where
    unknown). Optional columns are always present (all-NaN when the file had none).
    """

    frame: pd.DataFrame
    source: str
    warnings: tuple[str, ...] = ()

    @property
    def start(self) -> datetime:
        return pd.Timestamp(self.frame["timestamp"].iloc[0]).to_pydatetime()

    @property
    def end(self) -> datetime:
        """End (exclusive) of the last hour covered."""
        return pd.Timestamp(self.frame["timestamp"].iloc[-1]).to_pydatetime() + timedelta(hours=1)

    @property
    def hours(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class SessionLog:
    """One row per chat session, sorted by start.

    ``frame`` columns: ``start`` (datetime64), ``first_reply`` (datetime64, NaT if never replied
    by a human or unknown), ``end`` (datetime64, NaT if unknown), ``abandoned`` (bool: the buyer
    left before a human reply), ``handle_seconds`` (float64, NaN if unknown), ``wait_seconds``
    (float64: first_reply - start, or time to abandonment; NaN if unknown), ``agent_id``
    (string, may be empty).
    """

    frame: pd.DataFrame
    source: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agent:
    """A named agent and the limits the manager set for them."""

    agent_id: str
    max_concurrent: int
    """The most chats this agent may hold at once (接待上限), 1..8."""
    max_hours_week: float
    name: str = ""
    min_hours_week: float = 0.0
    available: WeekMask = ALWAYS
    night_ok: bool = True
    weekend_ok: bool = True

    @property
    def label(self) -> str:
        return self.name or self.agent_id

    def is_available(self, when: datetime) -> bool:
        """Whether the agent may work in the clock hour containing ``when``."""
        return self.available[when.weekday()][when.hour]

    def without(self, week_start: date, start: datetime, end: datetime) -> Agent:
        """This agent unavailable in every clock hour of the week of ``week_start`` that
        ``[start, end)`` touches (leave, a day off, rest after last week's last shift)."""
        origin = datetime.combine(week_start, datetime.min.time())
        off = range(max(0, math.floor((start - origin).total_seconds() / 3600)),
                    min(HOURS_PER_WEEK, math.ceil((end - origin).total_seconds() / 3600)))
        if not off:
            return self
        return replace(self, available=tuple(
            tuple(ok and 24 * d + h not in off for h, ok in enumerate(day))
            for d, day in enumerate(self.available)))


@dataclass(frozen=True)
class Request:
    """An agent's leave or day off: unavailable over ``[start, end)``."""

    agent_id: str
    start: datetime
    end: datetime
    kind: str

    @property
    def text(self) -> str:
        return f"{self.agent_id} {self.kind} {self.start:%a %m-%d %H:%M}-{self.end:%a %H:%M}"


@dataclass(frozen=True)
class ErrorLayers:
    """The shop's own forecast error, in layers (log-scale standard deviations of the actual /
    forecast ratio beyond Poisson noise): week level, day within its week, hour within its day,
    and a spike tail: the share of hours that come in far above their forecast and the
    multipliers seen there."""

    week_sd: float
    day_sd: float
    hour_sd: float
    spike_rate: float
    spike_multipliers: tuple[float, ...]
    weeks: int
    """Backtest weeks behind the estimates (0: the history allowed none; the layers are the
    documented default)."""
    notes: tuple[str, ...] = ()
    drift_sd: float = 0.0
    """How far the rest of a day strays from its first part's level (log scale, beyond the
    hour layer and Poisson noise): what a morning's counts cannot tell of the afternoon
    (``scenarios.level_given``; 0 in a plan stored before it was measured)."""


@dataclass(frozen=True)
class Forecast:
    """Expected sessions for each clock hour of a target week (168 rows, Monday 00:00 first).

    ``frame`` columns: ``timestamp`` (datetime64), ``sessions`` (float64 expected),
    ``low``/``high`` (float64, the ``band`` prediction interval), ``overridden`` (bool: the
    manager replaced the forecast of this hour).
    """

    week_start: date
    frame: pd.DataFrame
    method: str
    band: float = 0.8
    notes: tuple[str, ...] = ()
    events: pd.DataFrame | None = None
    """Every calendar event and outlier day in the history and the target week, with its prior,
    estimated and used effect and the evidence (``forecast.effects.EVENT_COLUMNS``)."""
    wape: float | None = None
    naive_wape: float | None = None
    backtest_weeks: int = 0
    """The method's and seasonal naive's WAPE over the last ``backtest_weeks`` weeks (rolling
    origin); None when the history is too short to score them."""
    rel_error: tuple[float, ...] | None = None
    """Per hour of the week (168): the forecast's relative error beyond Poisson noise, measured
    in its rolling backtest: an hour's count has variance ``sessions + (rel_error * sessions)**2``.
    None: unknown (sizing then uses the point forecast's Poisson noise only)."""
    layers: ErrorLayers | None = None
    """The same backtest's error in layers (week, day, hour, spikes: ``scenarios``), which the
    scenario weeks a plan's promise chances are judged on are drawn from; None: unknown (then
    each hour is drawn alone from ``rel_error``)."""


@dataclass(frozen=True)
class Shift:
    """One agent's shift: works ``[start, end)`` at ``max_concurrent`` chats, minus the break."""

    agent_id: str
    start: datetime
    end: datetime
    max_concurrent: int
    break_start: datetime | None = None
    break_end: datetime | None = None

    @property
    def paid_hours(self) -> float:
        """Hours worked, breaks excluded."""
        total = (self.end - self.start).total_seconds()
        if self.break_start is not None and self.break_end is not None:
            total -= (self.break_end - self.break_start).total_seconds()
        return total / 3600.0

    def ended_at(self, when: datetime) -> Shift:
        """The shift ended at ``when`` (a cut-off, an agent gone sick): a break taken before
        it stays (up to ``when``), one due after it goes."""
        if self.break_start is None or self.break_end is None or self.break_start >= when:
            return replace(self, end=when, break_start=None, break_end=None)
        return replace(self, end=when, break_end=min(self.break_end, when))

    @property
    def hours(self) -> list[datetime]:
        """The clock hours the shift touches (break included), each as its hour's start."""
        first = self.start.replace(minute=0, second=0, microsecond=0)
        begun = -((first - self.end) // timedelta(hours=1))  # hours begun before the end
        return [first + timedelta(hours=k) for k in range(begun)]

    @property
    def night(self) -> bool:
        """A night shift: any hour of it in 23:00-07:00 (``NIGHT_HOURS``)."""
        return any(h.hour in NIGHT_HOURS for h in self.hours)

    @property
    def weekend(self) -> bool:
        """A weekend shift: any hour of it on Saturday or Sunday."""
        return any(h.weekday() in WEEKEND_DAYS for h in self.hours)

    @property
    def late(self) -> bool:
        """A late finish: it ends after 22:00 of its start day (``LATE_MINUTE``)."""
        start = self.start.hour * 60 + self.start.minute
        return start + (self.end - self.start).total_seconds() / 60 > LATE_MINUTE

    def on_duty(self, when: datetime) -> bool:
        """Whether the agent takes new chats at ``when`` (on shift and not on break)."""
        if not (self.start <= when < self.end):
            return False
        return not (
            self.break_start is not None
            and self.break_end is not None
            and self.break_start <= when < self.break_end
        )


@dataclass(frozen=True)
class Roster:
    """Who works when in the week starting ``week_start`` (Monday). A cyclic roster may include a
    shift that starts on the Sunday before and carries into Monday 00:00."""

    week_start: date
    shifts: tuple[Shift, ...]
    agents: tuple[Agent, ...] = ()
    before: tuple[Shift, ...] = ()
    """Shifts of the published week before that run into this one: on duty here, not this
    week's (no agent-hours). A roster with them is not a standing week: nothing wraps."""

    def for_agent(self, agent_id: str) -> tuple[Shift, ...]:
        return tuple(s for s in self.shifts if s.agent_id == agent_id)


def carried_in(before: Sequence[Shift], week_start: date) -> tuple[Shift, ...]:
    """The shifts of the week before that run past its Sunday 24:00 into ``week_start``."""
    week0 = datetime.combine(week_start, datetime.min.time())
    return tuple(sorted((s for s in before if s.start < week0 < s.end),
                        key=lambda s: (s.start, s.agent_id)))


@dataclass(frozen=True)
class Arrivals:
    """A trace of session start times (sorted) for a simulation, with optional per-session
    solo handle times and patience (seconds); NaN means "draw from the model"."""

    start: tuple[datetime, ...]
    handle_seconds: tuple[float, ...] = ()
    patience_seconds: tuple[float, ...] = ()


def week_start_of(day: date) -> date:
    """The Monday of the week containing ``day``."""
    return day - timedelta(days=day.weekday())


def next_monday(after: datetime) -> date:
    """The first Monday at or after ``after`` (the week to plan after a history ending then)."""
    day = after.date() if after.time() == datetime.min.time() else after.date() + timedelta(1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def week_hours(week_start: date) -> list[datetime]:
    """The 168 clock-hour starts of the week beginning on Monday ``week_start``."""
    base = datetime.combine(week_start, datetime.min.time())
    return [base + timedelta(hours=h) for h in range(HOURS_PER_WEEK)]


@dataclass(frozen=True)
class Requirements:
    """What each interval of a week needs, per allowed reception-cap level (staffing's output,
    the roster's input).

    Shapes: T intervals, K cap levels, N+1 team sizes (n = 0..N).
    - ``interval_starts``: T naive datetimes, ``interval_minutes`` apart, first = Monday 00:00.
    - ``sessions``: (T,) float, expected sessions started in each interval.
    - ``caps``: K allowed cap levels, ascending.
    - ``feasible``: (T, K) bool; False where the cap's reply latency alone (or any team up to N)
      cannot meet the target: that level must not be used in that interval.
    - ``required``: (T, K) int64, smallest n agents, all at cap ``caps[k]``, meeting the target
      (0 where no sessions are expected; N + 1 where not ``feasible``).
    - ``service``: (T, K, N + 1) float, expected 3-minute reply rate with n agents at cap
      ``caps[k]`` (n = 0 gives 0 when sessions > 0, 1 when none are expected). Non-decreasing in n.
    - ``target``: the per-interval target these requirements were computed for.
    """

    interval_starts: tuple[datetime, ...]
    interval_minutes: int
    sessions: np.ndarray
    caps: tuple[int, ...]
    feasible: np.ndarray
    required: np.ndarray
    service: np.ndarray
    target: float

    @property
    def intervals(self) -> int:
        return len(self.interval_starts)

    @property
    def max_team(self) -> int:
        return int(self.service.shape[2]) - 1
