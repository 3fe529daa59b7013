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
- **stretch**: an add or move that only the agent's weekly hours block, paid for by
  shortening another of the agent's shifts to a shape inside it. Tried only once the other
  moves and their chains are stuck on every short interval. Measured, the repair alone from
  an empty plan: sample week 3 -> 0 short intervals, small shop 4 -> 2, spike week (20 s)
  16 -> 14. Tried before the chains instead, the spike week reached 1, but the sample week
  and the small shop came out worse, so it waits;
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

Slot = tuple[int, int]
"""(shift type, level) of one shift."""


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
        self.prices: dict[tuple[Slot | None, Slot | None], int] = {}
        """``delta`` of one swap (out, into), kept until the plan changes: the scan over stuck
        intervals, the stretches and the trim price the same shapes again and again."""
        self._gain: tuple[np.ndarray, np.ndarray] | None = None
        """``marginals``, dropped whenever the plan changes."""

    def marginals(self) -> tuple[np.ndarray, np.ndarray]:
        """(T, L) change of an interval's points with one more (``up``) and one fewer
        (``down``; only meaningful where someone is on duty at that level) agent at each
        level. Points are a sum over intervals, so a single shift's add or removal costs the
        sum of its duty intervals' entries: one vectorised pass per plan change instead of
        one ``short_units`` call per priced shift. Measured, the repair alone from an empty
        plan: sample week 3.0 -> 2.1 s to the same plan, spike week at 20 s 13 -> 4 short
        intervals."""
        if self._gain is None:
            every = np.arange(self.grid.intervals)
            up = np.empty_like(self.counts)
            down = np.empty_like(self.counts)
            for lv in range(self.counts.shape[1]):
                sub = self.counts.copy()
                sub[:, lv] += 1
                up[:, lv] = self._points(every, sub) - self.cost
                sub[:, lv] -= 2
                np.maximum(sub, 0, out=sub)
                down[:, lv] = self._points(every, sub) - self.cost
            self._gain = (up, down)
        return self._gain

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
        """Objective change (points) of removing shifts ``out`` and adding ``into``. One
        shift added or removed, or one swapped for another at the same level or on other
        intervals, is priced from ``marginals`` (each interval changes by at most one agent);
        anything else by ``delta_exact``."""
        minute = self.weights.minute
        if len(out) + len(into) == 1:
            up, down = self.marginals()
            (s, lv), gain, sign = (into[0], up, 1) if into else (out[0], down, -1)
            return int(gain[self.duty[s], lv].sum()) + sign * minute * self.paid[s]
        if len(out) == 1 and len(into) == 1:
            (so, lo), (sn, ln) = out[0], into[0]
            old, new = self.duty_set[so], self.duty_set[sn]
            paid = minute * (self.paid[sn] - self.paid[so])
            if lo == ln:
                up, down = self.marginals()
                gained, lost = list(new - old), list(old - new)
                return int(up[gained, ln].sum()) + int(down[lost, lo].sum()) + paid
            if old.isdisjoint(new):
                up, down = self.marginals()
                return int(up[self.duty[sn], ln].sum()) + int(down[self.duty[so], lo].sum()) + paid
        return self.delta_exact(out, into)

    def delta_exact(self, out: list[tuple[int, int]], into: list[tuple[int, int]]) -> int:
        """``delta`` by re-pricing every interval the shifts touch."""
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
        self.prices.clear()
        self._gain = None
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


def _do(plan: _Plan, move: Move) -> None:
    _d, i, old, new, then = move
    if then is not None:
        plan.apply(i, then[0], then[1])
    plan.apply(i, old, new)


def _undo(plan: _Plan, move: Move) -> None:
    _d, i, old, new, then = move
    plan.apply(i, new, old)
    if then is not None:
        plan.apply(i, then[1], then[0])


def _inside(grid: Grid) -> dict[int, list[int]]:
    """Shift types by start interval (to find the shorter shapes inside a shift)."""
    out: dict[int, list[int]] = {}
    for st in grid.types:
        out.setdefault(st.start, []).append(st.index)
    return out


def _shorter(plan: _Plan, inside: dict[int, list[int]], i: int, slot: Slot) -> list[Slot]:
    """The shapes strictly inside agent i's shift ``slot`` (fewer paid minutes), at the
    shift's level or the highest below it allowed there."""
    g = plan.grid
    s, lv = slot
    st = g.types[s]
    span = set(st.span)
    out: list[Slot] = []
    for start in st.span[: st.length]:
        for s2 in inside.get(start, []):
            st2 = g.types[s2]
            if st2.paid_minutes < st.paid_minutes and set(st2.span) <= span:
                lv2 = min(lv, plan.best_level(s2, plan.tops[i]))
                if lv2 >= 0:
                    out.append((s2, lv2))
    return out


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
    inside = _inside(grid)
    stuck: set[int] = set()
    stretching = False  # the stretch moves, once the cheaper moves are stuck everywhere
    while time.perf_counter() < cover_by:
        short = plan.shortfall()
        order = [int(t) for t in np.argsort(-short, kind="stable") if short[t] > 0]
        order = [t for t in order if t not in stuck]
        if not order:
            if stretching or not stuck:
                break
            stretching = True
            stuck.clear()
            continue
        t = order[0]
        moves = _moves(plan, elig, covering, inside, t, cover_by, stretch=stretching)
        if moves and moves[0][0] < 0:
            _do(plan, moves[0])
            stuck.clear()
            continue
        if not _chain(plan, elig, covering, inside, moves[:CHAIN_FIRST_MOVES], cover_by):
            stuck.add(t)
            continue
        stuck.clear()
    _trim(plan, inside, deadline)
    return plan.picks()


COVER_SHARE = 0.75
"""Share of the time for covering short intervals; the rest (at least) is for trimming."""

Move = tuple[int, int, Slot | None, Slot | None, tuple[Slot, Slot] | None]
"""(objective change, agent, shift removed, shift added, and for a ``stretch`` move the
agent's other shift that is shortened: (that shift, its shorter shape))."""

STRETCH_TRIES = 24
"""A stretch move is looked for on the best this many (by price) adds and moves that only the
agent's weekly hours block."""

CHAIN_FIRST_MOVES = 12
"""When no single move helps an interval, its best few moves are each tried as the first of
two (the second closing the worst interval the first opened)."""


def _moves(
    plan: _Plan,
    elig: np.ndarray,
    covering: list[list[int]],
    inside: dict[int, list[int]],
    t: int,
    deadline: float,
    *,
    stretch: bool = False,
) -> list[Move]:
    """Every add, move, raise and lower that may close interval t's shortfall, best first;
    with ``stretch``, when none of them lowers the objective, also the stretches of the best
    adds and moves that only weekly hours block."""
    grid = plan.grid
    out: list[Move] = []
    hours_only: list[tuple[int, int, Slot | None, Slot]] = []
    memo = plan.prices

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
                    out.append((price((s, lv), (s, up)), i, (s, lv), (s, up), None))
            for down in range(lv - 1, -1, -1):
                # a lower cap: less capacity, but when this shift holds the highest cap on
                # duty, the interval's requirement drops to the lower level's
                if plan.best_level(s, down) == down:
                    out.append((price((s, lv), (s, down)), i, (s, lv), (s, down), None))
        for s in covering[t]:
            if not elig[s, i]:
                continue
            st = grid.types[s]
            lv = plan.best_level(s, plan.tops[i])
            if lv < 0:
                continue
            why = state.blocked_by(st)
            if why is None:
                # the add covers t and gives nothing up: swaps are for agents who cannot add
                # (the trim drops a shift that is no longer needed)
                out.append((price(None, (s, lv)), i, None, (s, lv), None))
                continue
            if stretch and why == "max_hours":
                hours_only.append((price(None, (s, lv)), i, None, (s, lv)))
            for old in own:
                if old[0] == s:
                    continue
                why = without[old].blocked_by(st)
                if why is None:
                    out.append((price(old, (s, lv)), i, old, (s, lv), None))
                elif stretch and why == "max_hours":
                    hours_only.append((price(old, (s, lv)), i, old, (s, lv)))
        if time.perf_counter() >= deadline:
            break
    out.sort(key=lambda m: (m[0], m[1]))
    if stretch and not (out and out[0][0] < 0):
        hours_only.sort(key=lambda m: (m[0], m[1]))
        for d, i, was, new in hours_only[:STRETCH_TRIES]:
            if time.perf_counter() >= deadline:
                break
            found = _stretch(plan, inside, i, was, new, d)
            if found is not None:
                out.append(found)
        out.sort(key=lambda m: (m[0], m[1]))
    return out


def _stretch(
    plan: _Plan,
    inside: dict[int, list[int]],
    i: int,
    old: Slot | None,
    new: Slot,
    price: int,
) -> Move | None:
    """The cheapest way to pay for agent i's ``old`` -> ``new`` (which only the weekly hours
    block; ``price`` its objective change) by shortening another of i's shifts to a shape
    inside it; None if none is legal. Shortenings are tried cheapest first, each priced alone
    (memoised in ``plan.prices``) when it shares no interval with ``old`` and ``new``, so the
    first legal one of each shift is its best."""
    g = plan.grid
    best: Move | None = None
    week = g.types[new[0]].week
    moved = plan.duty_set[new[0]] | (plan.duty_set[old[0]] if old is not None else frozenset())
    for other in plan.shifts[i]:
        if other == old or g.types[other[0]].week != week:
            continue
        base = AgentState(plan.agents[i], plan.tops[i], plan.rules, g)
        for sl in plan.shifts[i]:
            if sl not in (old, other):
                base.take(g.types[sl[0]])
        options: list[tuple[int, Slot]] = []
        for short in _shorter(plan, inside, i, other):
            if plan.duty_set[other[0]].isdisjoint(moved):
                d = plan.prices.get((other, short))
                if d is None:
                    d = plan.prices[(other, short)] = plan.delta([other], [short])
                d += price
            else:
                d = plan.delta([other] + ([] if old is None else [old]), [short, new])
            options.append((d, short))
        options.sort()
        for d, short in options:
            if best is not None and d >= best[0]:
                break
            if not base.can_take(g.types[short[0]]):
                continue
            trial = base.copy()
            trial.take(g.types[short[0]])
            if trial.can_take(g.types[new[0]]):
                best = (d, i, old, new, (other, short))
                break
    return best


def _chain(
    plan: _Plan,
    elig: np.ndarray,
    covering: list[list[int]],
    inside: dict[int, list[int]],
    firsts: list[Move],
    deadline: float,
) -> bool:
    """Try each first move followed by the best move on the worst interval it left short;
    keep the first pair that lowers the objective. Returns whether one was kept."""
    for first in firsts:
        if time.perf_counter() >= deadline:
            return False
        before = plan.shortfall()
        _do(plan, first)
        after = plan.shortfall()
        worse = np.flatnonzero(after > before)
        if len(worse):
            t2 = int(worse[np.argmax(after[worse])])
            second = _moves(plan, elig, covering, inside, t2, deadline)
            if second and first[0] + second[0][0] < 0:
                _do(plan, second[0])
                return True
        _undo(plan, first)
    return False


def _trim(plan: _Plan, inside: dict[int, list[int]], deadline: float) -> None:
    """Drop shifts, or swap them for a shorter shape inside them, where that costs no more
    than the paid time it saves; longest shifts first, in passes until one changes nothing.
    A swap's price depends only on the plan's counts, so it is memoised between changes
    (``plan.prices``; many agents hold the same shift)."""
    g = plan.grid
    memo = plan.prices
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
            options: list[Slot | None] = [None, *_shorter(plan, inside, i, (s, lv))]
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
                plan.apply(i, (s, lv), best[1])  # which also drops the prices
                improved = True
