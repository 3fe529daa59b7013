"""Targeted local search on a named plan (no ortools): cover short intervals, then trim hours.

CP-SAT's own neighbourhoods rarely find the few moves that close a shortfall on a small team
(measured on the sample week: minimising shortfall alone from scratch, the direct named model
still had 63 M points after 40 s), because closing a short night needs one specific agent to
take, move or stretch one specific shift under the rest, day and hour rules. This module makes
exactly those moves, priced with the objective's own terms (``objective``), and hands the
result to the direct model as its hint.

Moves, each kept only when it lowers the objective (shortfall + paid time + cap quality; the
fairness tier is left to CP-SAT):

- **add**: an agent takes one more shift covering the worst short interval;
- **move**: an agent's shift is replaced by another shape covering that interval (the agent's
  rules checked without the old shift), which also covers stretching and sliding it; only
  for agents who cannot simply add it;
- **raise**: an agent on duty there works at a higher cap (up to their own);
- **lower**: an agent on duty there works at a lower cap, which lowers the interval's
  requirement when that agent held its highest cap (the staffing table's need at cap 6 can be
  well above its need at cap 4);
- **trim**: a shift is dropped, or replaced by a shorter shape inside it, when that costs no
  more than the time it saves.

Per-hour mode only: the weekly mode's objective depends on the whole week's replies, so the
planner skips this step there.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from scheduler.domain import Agent
from scheduler.params import Rules
from scheduler.roster.fallback import AgentState
from scheduler.roster.grid import Grid, ShiftType
from scheduler.roster.objective import Weights, short_units

Pick = tuple[int, int, int]
"""(agent index, shift type, level)."""


class _Plan:
    """A named plan under local search: per-agent shifts and the on-duty counts by level."""

    def __init__(
        self,
        grid: Grid,
        agents: tuple[Agent, ...],
        rules: Rules,
        weights: Weights,
        picks: Iterable[Pick],
    ) -> None:
        self.grid, self.agents, self.rules, self.weights = grid, agents, rules, weights
        self.tops = [-1 if (x := grid.top_level(a)) is None else x for a in agents]
        self.shifts: list[list[tuple[int, int]]] = [[] for _ in agents]
        self.counts = np.zeros((grid.intervals, len(grid.caps)), dtype=np.int64)
        self.levels = np.arange(len(grid.caps), dtype=np.int64)
        self.w_short = np.asarray(weights.short, dtype=np.int64)
        self.duty = [np.asarray(st.duty, dtype=np.int64) for st in grid.types]
        self.duty_set = [frozenset(st.duty) for st in grid.types]
        self.paid = [st.paid_minutes for st in grid.types]
        for i, s, lv in picks:
            self.shifts[i].append((s, lv))
            self._duty(s, lv, +1)
        every = np.arange(grid.intervals)
        self.cost = self._points(every, self.counts)
        """(T,) current shortfall and cap-quality points per interval."""
        self._states: dict[tuple[int, tuple[int, int] | None], AgentState] = {}
        """``state`` memo, dropped for an agent whenever its shifts change."""
        self._levels: dict[tuple[int, int], int] = {}

    def _duty(self, s: int, lv: int, sign: int) -> None:
        self.counts[self.duty[s], lv] += sign

    def state(self, i: int, without: tuple[int, int] | None = None) -> AgentState:
        """Agent i's rule state with its shifts (less ``without``); read-only for callers."""
        key = (i, without)
        st = self._states.get(key)
        if st is None:
            st = AgentState(self.agents[i], self.tops[i], self.rules, self.grid)
            for s, lv in self.shifts[i]:
                if (s, lv) != without:
                    st.take(self.grid.types[s])
            self._states[key] = st
        return st

    def _points(self, idx: np.ndarray, sub: np.ndarray) -> np.ndarray:
        """Shortfall and cap-quality points of intervals ``idx`` with on-duty counts ``sub``
        (one row per interval), as ``objective`` prices them."""
        short = short_units(self.grid, idx, sub)[3]
        return self.w_short[idx] * short + self.weights.cap * (sub @ self.levels)

    def shortfall(self) -> np.ndarray:
        """(T,) shortfall points per interval."""
        every = np.arange(self.grid.intervals)
        return self.w_short * short_units(self.grid, every, self.counts)[3]

    def delta(self, out: list[tuple[int, int]], into: list[tuple[int, int]]) -> int:
        """Objective change (points) of removing shifts ``out`` and adding ``into``."""
        if len(out) + len(into) == 1:
            # one shift added or removed: its duty intervals are distinct, so no merging
            # (measured on a 200-agent week: 1.6x the repair's steps in the same time)
            (s, lv), sign = (into[0], 1) if into else (out[0], -1)
            idx = self.duty[s]
            sub = self.counts[idx]
            sub[:, lv] += sign
            change = int(self._points(idx, sub).sum()) - int(self.cost[idx].sum())
            return change + sign * self.weights.minute * self.paid[s]
        idx = np.unique(np.concatenate([self.duty[s] for s, _ in out + into]))
        sub = self.counts[idx]  # a copy (fancy indexing)
        for s, lv in out:
            sub[np.searchsorted(idx, self.duty[s]), lv] -= 1
        for s, lv in into:
            sub[np.searchsorted(idx, self.duty[s]), lv] += 1
        change = int(self._points(idx, sub).sum()) - int(self.cost[idx].sum())
        paid = sum(self.paid[s] for s, _ in into) - sum(self.paid[s] for s, _ in out)
        return change + self.weights.minute * paid

    def apply(self, i: int, out: tuple[int, int] | None, into: tuple[int, int] | None) -> None:
        self._states = {k: v for k, v in self._states.items() if k[0] != i}
        touched = []
        if out is not None:
            self.shifts[i].remove(out)
            self._duty(*out, -1)
            touched.append(self.duty[out[0]])
        if into is not None:
            self.shifts[i].append(into)
            self._duty(*into, +1)
            touched.append(self.duty[into[0]])
        if touched:
            idx = np.unique(np.concatenate(touched))
            self.cost[idx] = self._points(idx, self.counts[idx])

    def best_level(self, s: int, top: int) -> int:
        """The highest level <= top allowed over the whole of shift type s (-1: none)."""
        key = (s, top)
        lv = self._levels.get(key)
        if lv is None:
            span = list(self.grid.types[s].span)
            lv = top
            while lv >= 0 and not self.grid.allowed[span, lv].all():
                lv -= 1
            self._levels[key] = lv
        return lv

    def picks(self) -> list[Pick]:
        return [(i, s, lv) for i, own in enumerate(self.shifts) for s, lv in own]


def _covering(grid: Grid) -> list[list[int]]:
    """Per interval, one shift type per (start, length) whose duty covers it: the break variant
    with the break nearest the middle (fewer candidates; CP-SAT re-places breaks later)."""
    best: dict[tuple[int, tuple[int, int]], ShiftType] = {}
    for st in grid.types:
        mid = abs(st.break_offset - st.length // 2) if st.break_offset >= 0 else 0
        for t in st.duty:
            key = (t, st.base)
            cur = best.get(key)
            if cur is None or mid < abs(cur.break_offset - cur.length // 2):
                best[key] = st
    out: list[list[int]] = [[] for _ in range(grid.intervals)]
    for (t, _base), st in best.items():
        out[t].append(st.index)
    return out


def repair(
    grid: Grid,
    agents: tuple[Agent, ...],
    rules: Rules,
    elig: np.ndarray,
    picks: list[Pick],
    weights: Weights,
    *,
    time_limit_seconds: float,
) -> list[Pick]:
    """Improve ``picks`` with the moves of the module docstring until no move helps or the time
    runs out. Deterministic (no randomness); every rule of ``AgentState.can_take`` holds on the
    result whenever it held on ``picks``."""
    started = time.perf_counter()
    deadline = started + max(0.0, time_limit_seconds)
    cover_by = started + COVER_SHARE * max(0.0, time_limit_seconds)
    plan = _Plan(grid, agents, rules, weights, picks)
    covering = _covering(grid)
    stuck: set[int] = set()
    while time.perf_counter() < cover_by:
        short = plan.shortfall()
        order = [int(t) for t in np.argsort(-short, kind="stable") if short[t] > 0]
        order = [t for t in order if t not in stuck]
        if not order:
            break
        t = order[0]
        moves = _moves(plan, elig, covering, t, cover_by)
        if moves and moves[0][0] < 0:
            plan.apply(*moves[0][1:])
            stuck.clear()
            continue
        if not _chain(plan, elig, covering, moves[:CHAIN_FIRST_MOVES], cover_by):
            stuck.add(t)
            continue
        stuck.clear()
    _trim(plan, deadline)
    return plan.picks()


COVER_SHARE = 0.75
"""Share of the time for covering short intervals; the rest (at least) is for trimming."""

Move = tuple[int, int, tuple[int, int] | None, tuple[int, int] | None]
"""(objective change, agent, shift removed, shift added)."""

CHAIN_FIRST_MOVES = 12
"""When no single move helps an interval, its best few moves are each tried as the first of
two (the second closing the worst interval the first opened)."""


def _moves(
    plan: _Plan, elig: np.ndarray, covering: list[list[int]], t: int, deadline: float
) -> list[Move]:
    """Every add, move, raise and lower that may close interval t's shortfall, best first."""
    grid = plan.grid
    out: list[Move] = []
    memo: dict[tuple[tuple[int, int] | None, tuple[int, int] | None], int] = {}

    def single(out: tuple[int, int] | None, into: tuple[int, int] | None) -> int:
        key = (out, into)
        if key not in memo:
            memo[key] = plan.delta([] if out is None else [out], [] if into is None else [into])
        return memo[key]

    def price(old: tuple[int, int] | None, new: tuple[int, int]) -> int:
        """Objective change of swapping ``old`` (or nothing) for ``new``; the same for every
        agent, so memoised per pair. Points are a sum over intervals, so when the two shifts
        share no interval the change is the sum of removing one and adding the other."""
        if old is None or plan.duty_set[old[0]].isdisjoint(plan.duty_set[new[0]]):
            return (0 if old is None else single(old, None)) + single(None, new)
        return single(old, new)

    for i in range(len(plan.agents)):
        if plan.tops[i] < 0:
            continue
        own = list(plan.shifts[i])
        state = plan.state(i)
        without = {old: plan.state(i, without=old) for old in own}
        for s, lv in own:
            if t not in plan.duty_set[s]:
                continue
            if lv < plan.tops[i]:
                up = plan.best_level(s, plan.tops[i])
                if up > lv:
                    out.append((price((s, lv), (s, up)), i, (s, lv), (s, up)))
            for down in range(lv - 1, -1, -1):
                # a lower cap: less capacity, but when this shift holds the highest cap on
                # duty, the interval's requirement drops to the lower level's
                if plan.best_level(s, down) == down:
                    out.append((price((s, lv), (s, down)), i, (s, lv), (s, down)))
        for s in covering[t]:
            if not elig[s, i]:
                continue
            st = grid.types[s]
            lv = plan.best_level(s, plan.tops[i])
            if lv < 0:
                continue
            if state.can_take(st):
                # the add covers t and gives nothing up: swaps are for agents who cannot add
                # (the trim drops a shift that is no longer needed)
                out.append((price(None, (s, lv)), i, None, (s, lv)))
                continue
            for old in own:
                if old[0] != s and without[old].can_take(st):
                    out.append((price(old, (s, lv)), i, old, (s, lv)))
        if time.perf_counter() >= deadline:
            break
    out.sort(key=lambda m: (m[0], m[1]))
    return out


def _chain(
    plan: _Plan,
    elig: np.ndarray,
    covering: list[list[int]],
    firsts: list[Move],
    deadline: float,
) -> bool:
    """Try each first move followed by the best move on the worst interval it left short;
    keep the first pair that lowers the objective. Returns whether one was kept."""
    for d1, i, old, new in firsts:
        if time.perf_counter() >= deadline:
            return False
        before = plan.shortfall()
        plan.apply(i, old, new)
        after = plan.shortfall()
        worse = np.flatnonzero(after > before)
        if len(worse):
            t2 = int(worse[np.argmax(after[worse])])
            second = _moves(plan, elig, covering, t2, deadline)
            if second and d1 + second[0][0] < 0:
                plan.apply(*second[0][1:])
                return True
        # undo the first move
        plan.apply(i, new, old)
    return False


def _trim(plan: _Plan, deadline: float) -> None:
    """Drop shifts, or swap them for a shorter shape inside them, where that costs no more
    than the paid time it saves; longest shifts first, in passes until one changes nothing.
    A swap's price depends only on the plan's counts, so it is memoised between changes
    (many agents hold the same shift)."""
    g = plan.grid
    inside: dict[int, list[int]] = {}
    for st in g.types:
        inside.setdefault(st.start, []).append(st.index)
    memo: dict[tuple[tuple[int, int], tuple[int, int] | None], int] = {}
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        order = sorted(
            ((i, sl) for i, own in enumerate(plan.shifts) for sl in own),
            key=lambda x: (-g.types[x[1][0]].paid_minutes, x[0], x[1]),
        )
        for i, (s, lv) in order:
            if time.perf_counter() >= deadline:
                return
            st = g.types[s]
            options: list[tuple[int, int] | None] = [None]
            span = set(st.span)
            for start in st.span[: st.length]:
                for s2 in inside.get(start, []):
                    st2 = g.types[s2]
                    if st2.paid_minutes < st.paid_minutes and set(st2.span) <= span:
                        lv2 = min(lv, plan.best_level(s2, plan.tops[i]))
                        if lv2 >= 0:
                            options.append((s2, lv2))
            best: tuple[int, tuple[int, int] | None] | None = None
            for opt in options:
                d = memo.get(((s, lv), opt))
                if d is None:
                    d = plan.delta([(s, lv)], [] if opt is None else [opt])
                    memo[((s, lv), opt)] = d
                if d < 0 and (best is None or d < best[0]):
                    if opt is not None:
                        rest = plan.state(i, without=(s, lv))
                        if not rest.can_take(g.types[opt[0]]):
                            continue
                    best = (d, opt)
            if best is not None:
                plan.apply(i, (s, lv), best[1])
                memo.clear()
                improved = True
