"""Greedy, rule-respecting assignment (no ortools): stage B's hint and the time-out fallback.

``AgentState.can_take`` checks the per-agent rules incrementally (one shift a day, rest and no
overlap including the cyclic wrap, weekly hours, days off, consecutive days); candidate
filters (availability, eligibility, caps) come from ``grid.eligibility``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scheduler.domain import Agent
from scheduler.params import Rules
from scheduler.roster.grid import Grid, ShiftType, max_days_worked

BLOCKING = {
    "one_per_day": "already on a shift that day",
    "max_hours": "at their weekly hours",
    "rest": "rest between shifts",
    "days_off": "days off",
    "consecutive": "consecutive working days",
}
"""The per-agent rules ``AgentState.blocked_by`` names, in a manager's words."""

ROUND_UP_FROM = 0.25
"""LP-guided rounding rounds a shift count up when its fractional part is at least this."""


@dataclass
class AgentState:
    """The shifts given to one agent so far (mutable; local to a greedy pass). The days worked
    and the shifts' minute spans are kept up to date by ``take``, so ``blocked_by`` (called
    hundreds of thousands of times by the repair) does no rebuilding."""

    agent: Agent
    top: int
    rules: Rules
    grid: Grid
    shifts: list[ShiftType] = field(default_factory=list)
    paid: dict[int, int] = field(default_factory=dict)
    days: set[int] = field(default_factory=set)
    spans: list[tuple[int, int]] = field(default_factory=list)
    """(start, end) minute of each shift on the horizon's timeline."""
    week_days: dict[int, int] = field(default_factory=dict)
    """Days worked per calendar week of the horizon."""
    _most_days: dict[int, int] = field(default_factory=dict)
    """``max_days_worked`` per week (constant for the agent; memoised)."""

    def copy(self) -> AgentState:
        """An independent copy (the memo of constants is shared)."""
        return AgentState(
            self.agent,
            self.top,
            self.rules,
            self.grid,
            list(self.shifts),
            dict(self.paid),
            set(self.days),
            list(self.spans),
            dict(self.week_days),
            self._most_days,
        )

    def can_take(self, st: ShiftType) -> bool:
        return self.blocked_by(st) is None

    def blocked_by(self, st: ShiftType) -> str | None:
        """The first per-agent rule one more shift ``st`` would break (a ``BLOCKING`` key),
        or None when the agent can take it."""
        g = self.grid
        m = g.interval_minutes
        if st.day in self.days:
            return "one_per_day"
        if self.paid.get(st.week, 0) + st.paid_minutes > self.agent.max_hours_week * 60 + 1e-6:
            return "max_hours"
        rest = round(self.rules.min_rest_hours * 60)
        h = g.horizon_minutes
        a0, a1 = st.start * m - rest, (st.start + st.length) * m + rest
        wraps = (-h, 0, h) if g.cyclic else (0,)
        for b0, b1 in self.spans:
            for shift in wraps:
                if a0 < b1 + shift and b0 + shift < a1:
                    return "rest"
        most = self._most_days.get(st.week)
        if most is None:
            most = self._most_days[st.week] = max_days_worked(g, self.agent, self.rules, st.week)
        if 1 + self.week_days.get(st.week, 0) > most:
            return "days_off"
        if _run_through(self.days, st.day, g.days, g.cyclic) > self.rules.max_consecutive_days:
            return "consecutive"
        return None

    def take(self, st: ShiftType) -> None:
        m = self.grid.interval_minutes
        self.shifts.append(st)
        self.paid[st.week] = self.paid.get(st.week, 0) + st.paid_minutes
        if st.day not in self.days:
            self.week_days[st.day // 7] = self.week_days.get(st.day // 7, 0) + 1
        self.days.add(st.day)
        self.spans.append((st.start * m, (st.start + st.length) * m))


def _run_through(days: set[int], day: int, horizon: int, cyclic: bool) -> int:
    """Length of the run of consecutive working days through ``day`` once it is added to
    ``days`` (wrapping when cyclic). The other runs are unchanged by adding ``day``."""
    run = 1
    for step in (-1, 1):
        d = day + step
        while run < horizon:
            if cyclic:
                d %= horizon
            elif not 0 <= d < horizon:
                break
            if d not in days:
                break
            run += 1
            d += step
    return min(run, horizon)


def assign_instances(
    grid: Grid,
    agents: tuple[Agent, ...],
    rules: Rules,
    elig: np.ndarray,
    instances: list[tuple[int, int]],
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """Give each (shift type, level) instance to an agent: scarcest instances first (fewest
    agents who could take them at that cap), each to the least flexible agent who can (fewest
    shift types they are eligible for, top cap closest to the level, fewest hours so far),
    respecting every per-agent rule. A second pass offers what is left at lower caps.
    Returns ((agent index, type, level) picks, unassigned instances)."""
    tops = np.array([-1 if (t := grid.top_level(a)) is None else t for a in agents], dtype=int)
    states = [AgentState(a, int(t), rules, grid) for a, t in zip(agents, tops, strict=True)]
    flex = elig.sum(axis=0) if len(agents) else np.zeros(0)
    scarcity = {(s, lv): int((elig[s] & (tops >= lv)).sum()) for s, lv in set(instances)}
    order = sorted(
        instances,
        key=lambda x: (scarcity[x], -x[1], -grid.types[x[0]].length, grid.types[x[0]].start),
    )
    picks: list[tuple[int, int, int]] = []
    left: list[tuple[int, int]] = []
    for lower in (False, True):
        todo, left = (order, []) if not lower else (left, [])
        for s, lv in todo:
            st = grid.types[s]
            best: tuple[int, int] | None = None
            levels = range(lv - 1, -1, -1) if lower else (lv,)
            for level in levels:
                if not grid.allowed[list(st.span), level].all():
                    continue
                cands = [
                    int(i)
                    for i in np.flatnonzero(elig[s] & (tops >= level))
                    if states[int(i)].can_take(st)
                ]
                if cands:
                    i = min(
                        cands,
                        key=lambda j: (
                            int(tops[j]) - level,
                            int(flex[j]),
                            sum(states[j].paid.values()),
                            j,
                        ),
                    )
                    best = (i, level)
                    break
            if best is None:
                left.append((s, lv))
                continue
            states[best[0]].take(st)
            picks.append((best[0], s, best[1]))
    return picks, left


def greedy_cover(
    grid: Grid,
    agents: tuple[Agent, ...],
    rules: Rules,
    elig: np.ndarray,
    picks: list[tuple[int, int, int]] | None = None,
) -> list[tuple[int, int, int]]:
    """Add shifts, interval by interval, until each interval's requirement at its highest cap
    is met or no agent can take another shift covering it. Starts from ``picks`` if given."""
    picks = list(picks or [])
    tops = [grid.top_level(a) for a in agents]
    states = [
        AgentState(a, -1 if t is None else t, rules, grid)
        for a, t in zip(agents, tops, strict=True)
    ]
    levels = len(grid.caps)
    counts = np.zeros((grid.intervals, levels), dtype=np.int64)
    for i, s, lv in picks:
        states[i].take(grid.types[s])
        for t in grid.types[s].duty:
            counts[t, lv] += 1
    units = np.asarray(grid.units, dtype=np.int64)
    covering: list[list[int]] = [[] for _ in range(grid.intervals)]
    for st in grid.types:
        for t in st.duty:
            covering[t].append(st.index)
    # per type, the highest level allowed over its whole duty up to each agent's top level
    # (-1: none), and its eligible agents: looked up, not recomputed per agent (measured on a
    # 200-agent week: 7 s per call before, most of it in these checks)
    fits = np.array([grid.allowed[list(st.duty)].all(axis=0) for st in grid.types]).reshape(
        len(grid.types), levels
    )
    level_at = np.where(fits, np.arange(levels)[None, :], -1)
    level_at = np.maximum.accumulate(level_at, axis=1)  # (types, top) -> level
    eligible = [np.flatnonzero(elig[s]) for s in range(len(grid.types))]
    paid = np.array([sum(x.paid.values()) for x in states], dtype=np.int64)

    def deficit(t: int) -> int:
        row = counts[t]
        if grid.sessions[t] <= 0:
            return 0
        if not row.any():
            return int(grid.base_units[t])
        top = int(np.flatnonzero(row)[-1])
        return max(0, int(grid.req_units[t, top]) - int((row * units).sum()))

    for t in range(grid.intervals):
        if deficit(t) <= 0:
            continue
        options = sorted(
            covering[t],
            key=lambda s: (grid.types[s].duty.index(t), -grid.types[s].length),
        )
        guard = 0
        while deficit(t) > 0 and guard < len(agents):
            guard += 1
            rank = np.empty(len(agents), dtype=np.int64)
            rank[np.argsort(paid, kind="stable")] = np.arange(len(agents))
            done = False
            for s in options:
                st = grid.types[s]
                who = eligible[s]
                for i in who[np.argsort(rank[who])]:
                    i = int(i)
                    top = states[i].top
                    if top < 0:
                        continue
                    lv = int(level_at[s, top])
                    if lv < 0 or not states[i].can_take(st):
                        continue
                    states[i].take(st)
                    paid[i] += st.paid_minutes
                    picks.append((i, s, lv))
                    for x in st.duty:
                        counts[x, lv] += 1
                    done = True
                    break
                if done:
                    break
            if not done:
                break
    return picks


def greedy_aggregate(
    grid: Grid,
    *,
    type_ub: np.ndarray,
    interval_ub: list[list[int]],
    day_ub: np.ndarray,
    week_minutes: np.ndarray,
    week_shifts: np.ndarray,
    rest_ub: np.ndarray,
    shape_points: dict[tuple[int, int], tuple[int, ...]],
    initial: dict[tuple[int, int], float] | None = None,
) -> dict[tuple[int, int], int]:
    """A quick cover with shift counts (no names), from ``initial`` counts (e.g. the rounded-down
    LP relaxation, which respects every limit): walking through the intervals, while one is
    short of its need at its highest cap on duty, add the longest shift starting at or before
    it (latest such start) at the highest level the headcount limits still allow. Used as stage
    A's solution hint so CP-SAT starts from a feasible, reasonable plan."""
    levels = len(grid.caps)
    units = np.asarray(grid.units, dtype=np.int64)
    counts = np.zeros((grid.intervals, levels), dtype=np.int64)
    at_least = np.zeros((grid.intervals, levels), dtype=np.int64)  # agents on duty at >= l
    day_used = np.zeros_like(day_ub)
    week_used = np.zeros_like(week_minutes)
    week_count = np.zeros_like(week_shifts)
    rest_used = np.zeros_like(rest_ub)
    out: dict[tuple[int, int], int] = {}

    shape_count: dict[tuple[tuple[int, int], int], int] = {}

    def place(st: ShiftType, lv: int, times: int = 1) -> None:
        out[(st.index, lv)] = out.get((st.index, lv), 0) + times
        shape_count[(st.base, lv)] = shape_count.get((st.base, lv), 0) + times
        for x in st.duty:
            counts[x, lv] += times
            at_least[x, : lv + 1] += times
        day_used[st.day, : lv + 1] += times
        week_used[st.week, : lv + 1] += st.paid_minutes * times
        week_count[st.week, : lv + 1] += times
        rest_used[list(shape_points[st.base]), : lv + 1] += times

    by_start: dict[int, list[ShiftType]] = {}
    for st in grid.types:
        by_start.setdefault(st.start, []).append(st)
    starts = sorted(by_start)
    # longest first, break in the middle option first
    for s in starts:
        by_start[s].sort(key=lambda x: (-x.length, abs(x.break_offset - x.length // 2)))
    iub = np.asarray(interval_ub, dtype=np.int64)

    def deficit(t: int) -> int:
        if grid.sessions[t] <= 0:
            return 0
        row = counts[t]
        if not row.any():
            return int(grid.base_units[t])
        top = int(np.flatnonzero(row)[-1])
        return max(0, int(grid.req_units[t, top]) - int((row * units).sum()))

    def fits(st: ShiftType, lv: int) -> bool:
        """Every aggregated limit of stage A still holds with one more such shift."""
        if shape_count.get((st.base, lv), 0) >= type_ub[st.index, lv]:
            return False
        if not grid.allowed[list(st.span), lv].all():
            return False
        duty = list(st.duty)
        if (at_least[duty, : lv + 1] >= iub[duty, : lv + 1]).any():
            return False
        if (day_used[st.day, : lv + 1] >= day_ub[st.day, : lv + 1]).any():
            return False
        if (week_count[st.week, : lv + 1] >= week_shifts[st.week, : lv + 1]).any():
            return False
        pts = list(shape_points[st.base])
        if pts and (rest_used[pts, : lv + 1] >= rest_ub[pts, : lv + 1]).any():
            return False
        room = week_minutes[st.week, : lv + 1] - week_used[st.week, : lv + 1]
        return bool((room >= st.paid_minutes).all())

    for (s_idx, lv), c in sorted((initial or {}).items()):
        whole = math.floor(c + 1e-6)
        if whole > 0:
            place(grid.types[s_idx], lv, whole)
    # LP-guided rounding: the larger fractional parts first, each if every limit still holds
    fractions = sorted(
        ((c - math.floor(c + 1e-6), key) for key, c in (initial or {}).items()),
        key=lambda x: (-x[0], x[1]),
    )
    for frac, (s_idx, lv) in fractions:
        if frac >= ROUND_UP_FROM and fits(grid.types[s_idx], lv):
            place(grid.types[s_idx], lv)

    for t in range(grid.intervals):
        for _ in range(200):
            if deficit(t) <= 0:
                break
            placed = False
            # latest start at or before t whose shift still covers t (wrapping when cyclic)
            for back in range(grid.max_len):
                s0 = t - back
                if s0 < 0 and not grid.cyclic:
                    break
                s0 %= grid.intervals
                for st in by_start.get(s0, []):
                    if t not in st.duty:
                        continue
                    for lv in range(levels - 1, -1, -1):
                        if fits(st, lv):
                            place(st, lv)
                            placed = True
                            break
                    if placed:
                        break
                if placed:
                    break
            if not placed:
                break
    return out
