"""The roster's time grid: intervals, cap levels and candidate shift types (no ortools here).

Everything the two CP-SAT stages, the greedy fallback and the plain-Python validator share about
*time* lives here, so that they agree by construction:

- The horizon is ``T`` intervals of ``interval_minutes`` starting Monday 00:00 (a week: T = 336 at
  30 minutes). When ``rules.cyclic`` the timeline is a circle: interval ``T`` is interval 0, so a
  shift starting Sunday 20:00 for 8 h covers Monday 00:00-04:00 of the same (standing) week.
- Cap levels are the reception caps allowed both by the staffing table (``Requirements.caps``)
  and by ``rules.allowed_caps``. Capacities are integers in tenths of a solo-chat unit
  (``capacity(3) = 2.5`` -> 25) so that CP-SAT sees only integers.
- A shift type is (start interval, length in intervals, break offset or none). Shifts longer than
  ``rules.break_after_hours`` get a ``rules.break_minutes`` break at one of a few offsets around
  the middle of the shift (the optimiser picks the offset where coverage allows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from scheduler.domain import NIGHT_HOURS, Agent, Requirements, Roster, Shift
from scheduler.errors import InfeasiblePlanError, InputError
from scheduler.params import ChatModel, Rules, ServiceTarget

CAPACITY_SCALE = 10
"""Capacities are carried in tenths of a solo-chat unit (integers for CP-SAT)."""

MINUTES_PER_DAY = 1440
BREAK_WINDOW_MINUTES = 60
"""A meal break starts within +-60 minutes of the middle of its shift, every 30 minutes (every
interval when intervals are longer): at most 5 choices per shift."""
BREAK_STEP_MINUTES = 30
BREAK_MARGIN_MINUTES = 120
"""...and never in the first or last two hours of the shift."""


@dataclass(frozen=True)
class ShiftType:
    """One candidate shift shape on the absolute timeline of the horizon.

    ``start``/``length``/``break_offset``/``break_len`` are in intervals; ``break_offset`` is -1
    when the shift has no break. ``duty`` lists the intervals (modulo T) on which the agent takes
    chats (break excluded); ``span`` lists every interval of the shift including the break.
    """

    index: int
    start: int
    length: int
    break_offset: int
    break_len: int
    day: int
    """Day of the horizon the shift starts on (0 = the first Monday)."""
    week: int
    paid_minutes: int
    """Paid time in minutes (shift length minus the break)."""
    duty: tuple[int, ...]
    span: tuple[int, ...]
    night: bool
    """Some clock hour of the shift is in ``domain.NIGHT_HOURS``."""
    weekend: bool
    """Some clock hour of the shift is on a Saturday or Sunday."""
    wraps: bool
    """The shift runs past the end of the horizon and wraps to its start (cyclic week)."""

    @property
    def base(self) -> tuple[int, int]:
        """(start, length): the shape without its break choice."""
        return (self.start, self.length)


@dataclass(frozen=True)
class Grid:
    """The horizon, cap levels, requirement units and shift types of one roster problem."""

    week_start: date
    origin: datetime
    interval_minutes: int
    intervals: int
    days: int
    weeks: int
    cyclic: bool
    caps: tuple[int, ...]
    """Usable cap levels (ascending): allowed by the staffing table and by the rules."""
    cap_index: tuple[int, ...]
    """For each usable level, its column in ``Requirements.caps``."""
    units: tuple[int, ...]
    """Capacity of one agent at each level, in tenths of a solo-chat unit."""
    allowed: np.ndarray
    """(T, L) bool: level usable in interval t (``Requirements.feasible``; all levels when none
    is feasible, so that somebody may still be on duty and the shortfall is reported)."""
    req_agents: np.ndarray
    """(T, L) int: agents needed at each level (per-interval target, or the hourly floor in
    weekly mode)."""
    req_units: np.ndarray
    """(T, L) int: ``req_agents * units``, in tenths of a solo-chat unit."""
    base_units: np.ndarray
    """(T,) int: the cheapest requirement over allowed levels (what is missing when nobody is on
    duty)."""
    sessions: np.ndarray
    hour_of_week: np.ndarray
    """(T,) int: clock hour of the week (0..167) of each interval."""
    night: np.ndarray
    weekend: np.ndarray
    types: tuple[ShiftType, ...]
    shift_minutes: tuple[int, ...]
    max_len: int
    """Longest shift, in intervals."""

    def interval_start(self, t: int) -> datetime:
        return self.origin + timedelta(minutes=self.interval_minutes * t)

    @property
    def horizon_minutes(self) -> int:
        return self.intervals * self.interval_minutes

    def level_of_cap(self, cap: int) -> int | None:
        """Index of ``cap`` among the usable levels, or None."""
        return self.caps.index(cap) if cap in self.caps else None

    def top_level(self, agent: Agent) -> int | None:
        """Highest usable level the agent may run at (cap <= max_concurrent), or None."""
        best: int | None = None
        for level, cap in enumerate(self.caps):
            if cap <= agent.max_concurrent:
                best = level
        return best

    def label(self, t: int) -> str:
        """'Mon 02:00' for interval t (weekday + clock time)."""
        when = self.interval_start(t % self.intervals)
        return f"{when:%a} {when:%H:%M}"

    def span_label(self, first: int, last: int) -> str:
        """'Mon 02:00–06:00' for intervals first..last (inclusive)."""
        start = self.interval_start(first % self.intervals)
        end = start + timedelta(minutes=self.interval_minutes * (last - first + 1))
        return f"{start:%a} {start:%H:%M}–{end:%H:%M}"

    def shift_of(self, agent_id: str, st: ShiftType, cap: int) -> Shift:
        """The domain ``Shift`` for a shift type. A shift that wraps past the end of a cyclic
        horizon is dated one horizon earlier (it 'starts on the Sunday before and carries into
        Monday 00:00', as ``domain.Roster`` allows), so every shift lies within
        ``[origin - horizon, origin + horizon)`` and each worked hour is counted once."""
        start = self.interval_start(st.start)
        if st.wraps:
            start -= timedelta(minutes=self.horizon_minutes)
        end = start + timedelta(minutes=self.interval_minutes * st.length)
        b_start: datetime | None = None
        b_end: datetime | None = None
        if st.break_offset >= 0:
            b_start = start + timedelta(minutes=self.interval_minutes * st.break_offset)
            b_end = b_start + timedelta(minutes=self.break_minutes_of(st))
        return Shift(agent_id, start, end, cap, b_start, b_end)

    def break_minutes_of(self, st: ShiftType) -> int:
        return st.length * self.interval_minutes - st.paid_minutes

    def offset_minutes(self, when: datetime) -> int:
        """Minutes from the origin, modulo the horizon when cyclic."""
        minutes = int((when - self.origin).total_seconds() // 60)
        return minutes % self.horizon_minutes if self.cyclic else minutes


def _usable_levels(
    requirements: Requirements, rules: Rules
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    caps: list[int] = []
    idx: list[int] = []
    for k, cap in enumerate(requirements.caps):
        if cap in rules.allowed_caps:
            caps.append(cap)
            idx.append(k)
    if not caps:
        raise InfeasiblePlanError(
            f"no reception cap is allowed by both the staffing table {list(requirements.caps)} "
            f"and the rules {list(rules.allowed_caps)}: allow one of the table's caps"
        )
    return tuple(caps), tuple(idx)


def floor_requirements(requirements: Requirements, floor: float) -> np.ndarray:
    """(T, K) smallest n with ``service[t, k, n] >= floor`` (N + 1 where no n reaches it)."""
    service = np.asarray(requirements.service, dtype=float)
    ok = service >= floor - 1e-12
    n_max = service.shape[2] - 1
    first = np.where(ok.any(axis=2), ok.argmax(axis=2), n_max + 1)
    return first.astype(np.int64)


def build_grid(
    requirements: Requirements,
    agents: tuple[Agent, ...] | list[Agent],
    *,
    chat: ChatModel,
    service: ServiceTarget,
    rules: Rules,
) -> Grid:
    """Build the grid; raises ``InputError`` on a malformed ``Requirements``."""
    m = int(requirements.interval_minutes)
    t_count = requirements.intervals
    if t_count == 0:
        raise InputError("the staffing table has no intervals")
    if (t_count * m) % MINUTES_PER_DAY:
        raise InputError(
            "the staffing table must cover whole days",
            value=f"{t_count} intervals of {m} min",
        )
    origin = requirements.interval_starts[0]
    if origin.weekday() != 0 or origin.hour or origin.minute:
        raise InputError("the staffing table must start on a Monday at 00:00", value=origin)
    step = rules.start_step_minutes
    if step % m:
        raise InputError(
            f"start_step_minutes must be a multiple of the {m}-minute interval", value=step
        )
    days = t_count * m // MINUTES_PER_DAY
    weeks = math.ceil(days / 7)
    caps, cap_index = _usable_levels(requirements, rules)
    units = tuple(round(CAPACITY_SCALE * chat.capacity(c)) for c in caps)

    sessions = np.asarray(requirements.sessions, dtype=float).reshape(t_count)
    feasible = np.asarray(requirements.feasible, dtype=bool)[:, list(cap_index)]
    if service.mode == "weekly":
        req_all = floor_requirements(requirements, service.hourly_floor)
    else:
        req_all = np.asarray(requirements.required, dtype=np.int64)
    req = req_all[:, list(cap_index)].astype(np.int64)
    req = np.where(sessions[:, None] > 0, req, 0)
    allowed = feasible.copy()
    none_ok: np.ndarray = np.asarray(~allowed.any(axis=1), dtype=bool)
    allowed[none_ok, :] = True
    # a level that is not feasible still needs "more than the table has" agents
    n_cap = requirements.max_team + 1
    req = np.where(feasible | ~none_ok[:, None], req, np.maximum(req, n_cap))
    req_units = req * np.asarray(units, dtype=np.int64)[None, :]
    masked = np.where(allowed, req_units, np.iinfo(np.int64).max)
    base_units = masked.min(axis=1)

    minutes = np.arange(t_count) * m
    hour_of_week = (minutes // 60) % 168
    clock = hour_of_week % 24
    weekday = hour_of_week // 24
    night = np.isin(clock, sorted(NIGHT_HOURS))
    weekend = weekday >= 5

    types: list[ShiftType] = []
    lengths = sorted(
        {
            round(h * 60)
            for h in rules.shift_lengths_hours
            if h <= rules.max_shift_hours_per_day + 1e-9
        }
    )
    shift_minutes = tuple(x for x in lengths if x % m == 0)
    if not shift_minutes:
        raise InputError(
            "no shift length is a whole number of intervals and within the daily maximum",
            column="shift_lengths_hours",
            value=rules.shift_lengths_hours,
        )
    ipd = MINUTES_PER_DAY // m
    for start in range(0, t_count, step // m):
        for length_min in shift_minutes:
            length = length_min // m
            wraps = start + length > t_count
            if wraps and not rules.cyclic:
                continue
            span = tuple((start + i) % t_count for i in range(length))
            needs_break = rules.break_after_hours > 0 and length_min > rules.break_after_hours * 60
            offsets: list[int] = [-1]
            b_len = 0
            if needs_break:
                b_len = max(1, math.ceil(rules.break_minutes / m))
                mid = (length - b_len) // 2
                half = BREAK_WINDOW_MINUTES // m
                lo = max(1, BREAK_MARGIN_MINUTES // m)
                hi = length - b_len - max(1, BREAK_MARGIN_MINUTES // m)
                step_i = max(1, BREAK_STEP_MINUTES // m)
                offsets = [o for o in range(mid - half, mid + half + 1, step_i) if lo <= o <= hi]
                if not offsets:
                    offsets = [max(1, min(mid, length - b_len - 1))]
            for off in offsets:
                duty = tuple(
                    span[i] for i in range(length) if not (off >= 0 and off <= i < off + b_len)
                )
                paid = length_min - (rules.break_minutes if off >= 0 else 0)
                day = start // ipd
                types.append(
                    ShiftType(
                        index=len(types),
                        start=start,
                        length=length,
                        break_offset=off,
                        break_len=b_len if off >= 0 else 0,
                        day=day,
                        week=day // 7,
                        paid_minutes=paid,
                        duty=duty,
                        span=span,
                        night=bool(night[list(span)].any()),
                        weekend=bool(weekend[list(span)].any()),
                        wraps=wraps,
                    )
                )
    return Grid(
        week_start=origin.date(),
        origin=origin,
        interval_minutes=m,
        intervals=t_count,
        days=days,
        weeks=weeks,
        cyclic=rules.cyclic,
        caps=caps,
        cap_index=cap_index,
        units=units,
        allowed=allowed,
        req_agents=req,
        req_units=req_units,
        base_units=base_units.astype(np.int64),
        sessions=sessions,
        hour_of_week=hour_of_week,
        night=night,
        weekend=weekend,
        types=tuple(types),
        shift_minutes=shift_minutes,
        max_len=max(shift_minutes) // m,
    )


def agent_interval_ok(grid: Grid, agent: Agent) -> np.ndarray:
    """(T,) bool: the agent may work in interval t (availability mask, night and weekend
    eligibility)."""
    mask = np.array([agent.available[h // 24][h % 24] for h in range(168)], dtype=bool)
    ok = mask[grid.hour_of_week]
    if not agent.night_ok:
        ok &= ~grid.night
    if not agent.weekend_ok:
        ok &= ~grid.weekend
    return ok


def eligibility(grid: Grid, agents: tuple[Agent, ...] | list[Agent]) -> np.ndarray:
    """(types, agents) bool: every interval of the shift type (break included) is inside the
    agent's availability and eligibility, and the shift fits the agent's weekly hours."""
    if not grid.types or not agents:
        return np.zeros((len(grid.types), len(agents)), dtype=bool)
    ok = np.stack([agent_interval_ok(grid, a) for a in agents], axis=1)  # (T, A)
    bad = (~ok).astype(np.int32)
    out = np.zeros((len(grid.types), len(agents)), dtype=bool)
    for st in grid.types:
        out[st.index] = bad[list(st.span)].sum(axis=0) == 0
    paid = np.array([st.paid_minutes for st in grid.types])[:, None]
    limit = np.array([a.max_hours_week * 60 + 1e-6 for a in agents])[None, :]
    return out & (paid <= limit)


def days_off_required(agent: Agent, rules: Rules) -> int:
    """Days off per week: ``min_days_off_full_time`` for full-timers, else ``min_days_off``."""
    if agent.max_hours_week >= rules.full_time_hours:
        return max(rules.min_days_off, rules.min_days_off_full_time)
    return rules.min_days_off


def days_in_week(grid: Grid, week: int) -> int:
    return min(7, grid.days - 7 * week)


def max_days_worked(grid: Grid, agent: Agent, rules: Rules, week: int) -> int:
    """Most days the agent may work in calendar week ``week`` of the horizon (a partial last
    week counts its missing days as days off)."""
    return max(0, min(days_in_week(grid, week), 7 - days_off_required(agent, rules)))


def roster_from(grid: Grid, agents: tuple[Agent, ...], picks: list[tuple[str, int, int]]) -> Roster:
    """A ``Roster`` from (agent_id, shift type index, level) picks, sorted by start then agent."""
    shifts = [grid.shift_of(aid, grid.types[s], grid.caps[lvl]) for aid, s, lvl in picks]
    shifts.sort(key=lambda sh: (sh.start, sh.agent_id))
    return Roster(week_start=grid.week_start, shifts=tuple(shifts), agents=tuple(agents))


def fairness_groups(
    grid: Grid, agents: tuple[Agent, ...] | list[Agent]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Indices of the agents who can work some night interval, and some weekend interval: the
    groups whose spread of night / weekend shifts is kept small."""
    nights: list[int] = []
    weekends: list[int] = []
    for i, a in enumerate(agents):
        ok = agent_interval_ok(grid, a)
        if (ok & grid.night).any():
            nights.append(i)
        if (ok & grid.weekend).any():
            weekends.append(i)
    return tuple(nights), tuple(weekends)


def min_minutes_in_week(grid: Grid, agent: Agent, week: int) -> int:
    """The agent's ``min_hours_week`` in minutes, pro rata for a partial last week."""
    return round(agent.min_hours_week * 60 * days_in_week(grid, week) / 7)


def interval_ok_matrix(grid: Grid, agents: tuple[Agent, ...] | list[Agent]) -> np.ndarray:
    """(T, agents) bool: ``agent_interval_ok`` for every agent (shape (T, 0) with no agents)."""
    if not agents:
        return np.zeros((grid.intervals, 0), dtype=bool)
    return np.stack([agent_interval_ok(grid, a) for a in agents], axis=1)
