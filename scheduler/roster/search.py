"""``solve``: one start, one loop of improvers, one incumbent, one evaluation.

- **Start**: a given plan (a re-plan's warm start, kept where the rules allow), or the
  aggregate model's shift counts per cap class (CP-SAT) named greedily; then the moves of
  ``REPAIR`` in order (``fill`` short intervals, ``trim`` shifts nobody needs).
- **Loop**: neighbourhood re-solves with the named CP-SAT model (some agents over some days,
  the rest fixed), each accepted when the plan's ``Cost`` does not get worse, until a stopping
  criterion says so: ``AnyOf(WorkBudget, NoImprovement, WallClock)`` (the work is spent,
  ``patience`` batches in a row bring nothing, or the wall-clock cap is near).
- **End**: the moves of ``FINISH`` (the cap policy: ``lowest`` lowers caps at no cost), then
  the caller's (a re-plan's ``PutBack``), then the one evaluation (a broken hard rule raises);
  the bound in agent-hours from the aggregate LP.

Work is counted in CP-SAT's deterministic seconds: the same inputs and seed give the same
roster; the wall-clock limit is only a safety cap.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from scheduler.errors import ctrl_c_deferred
from scheduler.params import SearchParams
from scheduler.roster.cost import Cost, Plan, cover_sum, evaluate, replies_centi, score, shortfall
from scheduler.roster.model import Outcome, Stop, aggregate_rows, relaxation, solve_named
from scheduler.roster.problem import RosterProblem, ShiftType
from scheduler.roster.rules import allows


@dataclass(frozen=True)
class Limits:
    """How much a solve may do: ``work`` in CP-SAT deterministic seconds (decides the result),
    ``wall_seconds`` a safety cap (only a much slower machine ever reaches it), ``workers``
    for the start model."""

    work: float
    wall_seconds: float
    workers: int = 2

    @classmethod
    def for_seconds(cls, seconds: float, search: SearchParams, workers: int = 2) -> Limits:
        """The work a time limit buys (``work_per_second``), the limit itself as the wall-clock
        cap: a plan normally ends inside the limit, and only a machine slower or busier than
        the one the work was measured on meets the cap (then the result depends on the
        clock)."""
        return cls(work=seconds * search.work_per_second, wall_seconds=seconds,
                   workers=workers)

    def scaled(self, share: float) -> Limits:
        """A share of the work under the same safety cap (a short re-plan's start alone can
        take a second of wall time on a busy machine)."""
        return Limits(self.work * share, self.wall_seconds, self.workers)


@dataclass
class Budget:
    """What is left of a command's time limit for its solves, in seconds of the limit. Each
    solve is handed its seconds by ``take`` and they are charged whatever the solve then takes
    on the clock, so the split, and with it the roster, is the same on every machine.

    A solve given ``s`` seconds spends ``replan_seconds`` of them on its start and cheap moves
    (keep or build the plan, ``fill``, ``trim``, the check) and the rest on the search, at
    ``work_per_second``; fewer than ``lns_work`` deterministic seconds buy no re-solve worth
    its model, so the solve then makes its cheap moves only. Every solve keeps the whole
    limit as its wall-clock safety cap."""

    seconds: float
    wall_seconds: float
    search: SearchParams
    workers: int = 2

    @classmethod
    def for_limit(cls, seconds: float, search: SearchParams, workers: int = 2) -> Budget:
        """The solves' part of a command's time limit: the limit less ``reserve_seconds``
        (what the rest of the command takes: start-up, forecast, the report's simulation and
        chances), but at least half of it."""
        return cls(max(seconds / 2, seconds - search.reserve_seconds), seconds, search, workers)

    def take(self, seconds: float, times: int = 1) -> Limits:
        """The limits of a solve given ``seconds`` (at most what is left), charged; ``times``:
        that many solves with the same limits, charged together."""
        given = min(max(0.0, seconds), self.seconds / times)
        self.seconds = max(0.0, self.seconds - given * times)
        work = (given - self.search.replan_seconds) * self.search.work_per_second
        return Limits(work if work >= self.search.lns_work else 0.0, self.wall_seconds,
                      self.workers)


@dataclass
class Run:
    """The search so far, as its stopping criteria read it: the incumbent's cost and the
    deterministic seconds the re-solves have used."""

    cost: Cost
    work: float = 0.0


@dataclass(frozen=True)
class WorkBudget:
    """Stop once ``work`` deterministic seconds are used (decides the result)."""

    work: float

    def __call__(self, run: Run) -> bool:
        return run.work >= self.work


class NoImprovement:
    """Stop after ``patience`` checks in a row without a cheaper incumbent."""

    def __init__(self, patience: int) -> None:
        self.patience, self.idle = patience, 0
        self.best: Cost | None = None

    def __call__(self, run: Run) -> bool:
        if self.best is None or run.cost < self.best:
            self.best, self.idle = run.cost, 0
        else:
            self.idle += 1
        return self.idle >= self.patience


class WallClock:
    """Stop when at most ``margin`` of ``seconds`` (from now, on ``clock``) are left: a safety
    cap only a much slower machine reaches."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.perf_counter,
                 margin: float = 0.5) -> None:
        self.clock, self.end, self.margin = clock, clock() + seconds, margin

    def left(self) -> float:
        return self.end - self.clock()

    def __call__(self, run: Run) -> bool:
        return self.left() <= self.margin


class AnyOf:
    """Stop when any of the criteria says so (each is asked every time: some count)."""

    combine = staticmethod(any)

    def __init__(self, *criteria: Callable[[Run], bool]) -> None:
        self.criteria = criteria

    def __call__(self, run: Run) -> bool:
        return self.combine([c(run) for c in self.criteria])


class AllOf(AnyOf):
    """Stop when all of the criteria say so."""

    combine = staticmethod(all)


@dataclass(frozen=True)
class Progress:
    """One report of a running solve: the incumbent and the bound in agent-hours."""

    stage: str
    agent_hours: float
    short_intervals: int
    bound_hours: float | None
    seconds: float


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Found:
    """What the search ends with (``result.build`` turns it into a ``RosterResult``)."""

    plan: Plan
    cost: Cost
    bound_hours: float | None
    proved: bool
    work: float
    seconds: float
    messages: tuple[str, ...]


class _Agents:
    """Each agent's shifts, for the incremental rule checks of the cheap moves."""

    def __init__(self, p: RosterProblem, plan: Plan) -> None:
        self.p = p
        self.of: dict[int, list[tuple[int, int]]] = {a: [] for a in range(len(p.agents))}
        for a, s, lv in plan:
            self.of[a].append((s, lv))

    def others(self, a: int, without: int | None = None) -> list[ShiftType]:
        return [self.p.types[s] for s, _lv in self.of[a] if s != without]

    def plan(self) -> Plan:
        return tuple(sorted((a, s, lv) for a, xs in self.of.items() for s, lv in xs))


def worse(p: RosterProblem, before: np.ndarray, after: np.ndarray) -> bool:
    """A change of cover from ``before`` to ``after`` makes some interval shorter or, in
    weekly mode, the weekly gap wider."""
    if (shortfall(p, after) > shortfall(p, before)).any():
        return True
    if p.envelope is None:
        return False
    return p.envelope.gap(replies_centi(p, after)) > p.envelope.gap(replies_centi(p, before))


def name_instances(p: RosterProblem, instances: list[tuple[int, int]]) -> Plan:
    """Give each aggregate shift (type, class) to an agent whom every rule allows: one of that
    class with the fewest paid minutes that week, else the nearest class; shifts nobody can
    take are dropped (the moves after it cover what they leave)."""
    book = _Agents(p, p.pinned)
    order = sorted(instances, key=lambda k: (p.types[k[0]].start, -p.types[k[0]].length, k))
    for s, cls in order:
        st = p.types[s]
        best = None
        for a in map(int, np.nonzero(p.admitted()[s])[0]):
            others = book.others(a)
            rank = (abs(int(p.agent_level[a]) - cls),
                    sum(o.paid_minutes for o in others if o.week == st.week), a)
            if (best is None or rank < best) and allows(p, a, st, others) is None:
                best = rank
        if best is not None:
            a = best[2]
            book.of[a].append((s, int(p.type_level[s, p.agent_level[a]])))
    return book.plan()


def keep_valid(p: RosterProblem, plan: Plan) -> Plan:
    """The pinned shifts and a warm start's other shifts that every rule still allows (in start
    order)."""
    book = _Agents(p, p.pinned)
    pinned = set(p.pinned)
    for a, s, _lv in sorted((x for x in plan if x not in pinned),
                            key=lambda x: (p.types[x[1]].start, x[0])):
        if p.agent_level[a] >= 0 and allows(p, a, p.types[s], book.others(a)) is None:
            book.of[a].append((s, int(p.type_level[s, p.agent_level[a]])))
    return book.plan()


def fill(p: RosterProblem, plan: Plan) -> Plan:
    """Cover short intervals greedily: for each short interval in turn, the (agent, shift) every
    rule allows that closes the most missing cover per paid minute (of its ``fill_tries`` best
    options); when the rules block every such shift, the best swap (of its ``swap_tries`` best
    options): one of the agent's shifts that week given up for it, if that leaves less cover
    missing overall.

    Most short intervals of a tight week are ones nothing can fill, and neighbouring ones share
    most of their shifts, so what does not change between them is worked out once: each shift's
    options until the cover under it changes, the best of them the rules allow and what a swap
    leaves short until the cover changes, the rules' verdict on an (agent, shift) until that
    agent's shifts change."""
    book = _Agents(p, plan)
    cover = cover_sum(p, plan)
    short = shortfall(p, cover)
    admitted = p.admitted()
    by_t = p.on_duty_types()
    stuck: set[int] = set()
    pinned = set(p.pinned)
    Option = tuple[float, int, int, int]  # (-gain per paid minute, agent, shift, level)
    ranked: dict[int, list[Option]] = {}
    best_of: dict[int, Option | None] = {}
    verdicts: dict[int, dict[tuple[int, int | None], bool]] = {}
    """agent -> (shift, the shift given up for it or None) -> every rule allows it."""
    swaps: dict[tuple[int, int, int, int, int], int] = {}
    """(agent, shift, level, shift given up, its level) -> cover units left short."""

    def options(s: int) -> list[Option]:
        """The shift's (agent, level) options that close missing cover, best first."""
        if s not in ranked:
            st = p.types[s]
            duty = list(st.duty)
            gains = np.minimum(short[duty][:, None], p.cover[duty]).sum(axis=0)  # per level
            lvs = ((a, int(p.type_level[s, p.agent_level[a]]))
                   for a in map(int, np.nonzero(admitted[s])[0]))
            ranked[s] = sorted((-gains[lv] / st.paid_minutes, a, s, lv) for a, lv in lvs
                               if gains[lv] > 0)
        return ranked[s]

    def allowed(a: int, s: int, without: int | None = None) -> bool:
        mine = verdicts.setdefault(a, {})
        if (s, without) not in mine:
            mine[s, without] = allows(p, a, p.types[s], book.others(a, without)) is None
        return mine[s, without]

    def best(s: int) -> Option | None:
        """The shift's best option the rules allow."""
        if s not in best_of:
            best_of[s] = next((o for o in options(s) if allowed(o[1], s)), None)
        return best_of[s]

    def change(a: int, s: int, lv: int, sign: int) -> None:
        nonlocal short
        duty = list(p.types[s].duty)
        cover[duty] += sign * p.cover[duty, lv]
        short = shortfall(p, cover)
        if sign > 0:
            book.of[a].append((s, lv))
        else:
            book.of[a].remove((s, lv))
        for t in duty:  # the shifts whose gains changed
            for s_t in by_t[t]:
                ranked.pop(s_t, None)
        best_of.clear()
        swaps.clear()
        verdicts.pop(a, None)

    def left_after(a: int, s: int, lv: int, s2: int, lv2: int) -> int:
        """Cover units short were agent ``a`` to give up (s2, lv2) for (s, lv)."""
        mine = book.of[a]  # the order trying it leaves (which swap of equal ones wins)
        mine.remove((s2, lv2))
        mine.append((s, lv))
        mine.remove((s, lv))
        mine.append((s2, lv2))
        key = (a, s, lv, s2, lv2)
        if key not in swaps:
            new = cover.copy()
            gone, duty = list(p.types[s2].duty), list(p.types[s].duty)
            new[gone] -= p.cover[gone, lv2]
            new[duty] += p.cover[duty, lv]
            swaps[key] = int(shortfall(p, new).sum())
        return swaps[key]

    while True:
        todo = [t for t in map(int, np.nonzero(short)[0]) if t not in stuck]
        if not todo:
            return book.plan()
        lists = [options(s) for s in by_t[todo[0]]]
        # the first option the rules allow, if it is among the fill_tries best of all
        found = min((o for o in map(best, by_t[todo[0]]) if o is not None), default=None)
        if found is not None and sum(map(len, lists)) > p.search.fill_tries and sum(
                bisect.bisect_left(xs, found) for xs in lists) >= p.search.fill_tries:
            found = None
        if found is not None:
            change(found[1], found[2], found[3], +1)
            continue
        total = int(short.sum())
        swap: tuple[int, int, int, int, int, int] | None = None
        for _r, a, s, lv in itertools.islice(heapq.merge(*lists), p.search.swap_tries):
            for s2, lv2 in list(book.of[a]):
                if (a, s2, lv2) in pinned or p.types[s2].week != p.types[s].week or (
                        not allowed(a, s, without=s2)):
                    continue
                left = left_after(a, s, lv, s2, lv2)
                if left < total and (swap is None or left < swap[0]):
                    swap = (left, a, s, lv, s2, lv2)
        if swap is None:
            stuck.add(todo[0])
            continue
        _left, a, s, lv, s2, lv2 = swap
        change(a, s2, lv2, -1)
        change(a, s, lv, +1)


def trim(p: RosterProblem, plan: Plan, agents: set[int] | None = None) -> Plan:
    """Drop or shorten shifts whose cover nobody misses (no interval gets shorter), longest
    first: a shift is dropped or replaced by a shorter one with the same start or the same
    end. ``agents``: only their shifts (default: everyone's)."""
    book = _Agents(p, plan)
    cover = cover_sum(p, plan)
    admitted = p.admitted()
    pinned = set(p.pinned)
    same_day: dict[int, list[ShiftType]] = {}
    for st in p.types:
        same_day.setdefault(st.day, []).append(st)

    def harmless(remove: ShiftType, lv: int, add: ShiftType | None) -> bool:
        new = cover.copy()
        new[list(remove.duty)] -= p.cover[list(remove.duty), lv]
        if add is not None:
            new[list(add.duty)] += p.cover[list(add.duty), lv]
        return not worse(p, cover, new)

    changed = True
    while changed:
        changed = False
        order = sorted(((a, s, lv) for a, xs in book.of.items() for s, lv in xs
                        if (agents is None or a in agents) and (a, s, lv) not in pinned),
                       key=lambda x: (-p.types[x[1]].paid_minutes, p.types[x[1]].start, x[0]))
        for a, s, lv in order:
            st = p.types[s]
            options: list[ShiftType | None] = [None]
            for other in same_day[st.day]:
                if other.paid_minutes < st.paid_minutes and admitted[other.index, a] and (
                        other.start == st.start or (other.start + other.length)
                        == (st.start + st.length)):
                    options.append(other)
            options.sort(key=lambda o: 0 if o is None else o.paid_minutes)
            for opt in options:
                if opt is not None and (int(p.type_level[opt.index, p.agent_level[a]]) != lv
                                        or allows(p, a, opt, book.others(a, s)) is not None):
                    continue
                if harmless(st, lv, opt):
                    book.of[a].remove((s, lv))
                    cover[list(st.duty)] -= p.cover[list(st.duty), lv]
                    if opt is not None:
                        book.of[a].append((opt.index, lv))
                        cover[list(opt.duty)] += p.cover[list(opt.duty), lv]
                    changed = True
                    break
    return book.plan()


def lower_caps(p: RosterProblem, plan: Plan) -> Plan:
    """The ``lowest`` cap policy (any other: ``plan`` as it is): each shift's cap lowered one
    level at a time while no interval gets shorter and the weekly gap does not grow (no extra
    agent-hours), latest starting shifts first."""
    if p.rules.cap_policy != "lowest":
        return plan
    out = list(plan)
    cover = cover_sum(p, plan)
    pinned = set(p.pinned)
    for i, (a, s, lv) in sorted(enumerate(plan), key=lambda x: -p.types[x[1][1]].start):
        if (a, s, lv) in pinned:
            continue
        duty = list(p.types[s].duty)
        while lv > 0:
            new = cover.copy()
            new[duty] += p.cover[duty, lv - 1] - p.cover[duty, lv]
            if worse(p, cover, new):
                break
            cover, lv = new, lv - 1
        out[i] = (a, s, lv)
    return tuple(sorted(out))


class _Neighbourhoods:
    """Which agents and days the next re-solve frees: every other time the agents who could
    cover a random short interval (when there is one), else random agents; over the whole
    horizon when at least two agents fit in ``lns_max_candidates`` Booleans, else over a
    window of ``lns_window_days`` around that interval (or a random window). Seeded: the same
    seed gives the same sequence."""

    def __init__(self, p: RosterProblem, seed: int) -> None:
        self.p = p
        self.rng = random.Random(seed)
        adm = p.admitted()
        self.per_day = np.zeros((len(p.agents), p.days), dtype=np.int64)
        for st in p.types:
            self.per_day[:, st.day] += adm[st.index]
        self.turn = 0

    def batch(self, short: np.ndarray, size: int) -> list[tuple[list[int], range | None]]:
        """``size`` neighbourhoods with disjoint agents (re-solved side by side)."""
        out: list[tuple[list[int], range | None]] = []
        taken: set[int] = set()
        for _ in range(max(1, size)):
            agents, days = self.next(short, taken)
            if agents:
                out.append((agents, days))
                taken.update(agents)
        return out

    def next(self, short: np.ndarray, taken: set[int] | None = None
             ) -> tuple[list[int], range | None]:
        p, rng = self.p, self.rng
        self.turn += 1
        agents = [a for a in range(len(p.agents)) if a not in (taken or set())]
        rng.shuffle(agents)
        day = rng.randrange(p.days)
        if short.any() and self.turn % 2:
            t = int(rng.choice(list(np.nonzero(short)[0])))
            day = t * p.interval_minutes // 1440
            agents.sort(key=lambda a: not p.ok[t, a])
        budget = p.search.lns_max_candidates
        whole = sorted(self.per_day.sum(axis=1))
        if len(whole) >= 2 and whole[len(whole) // 2] * 2 <= budget:
            days = range(p.days)
        else:
            width = min(p.days, p.search.lns_window_days)
            first = max(0, min(p.days - width, day - width // 2))
            days = range(first, first + width)
        out, used = [], 0
        for a in agents:
            c = int(self.per_day[a, days.start:days.stop].sum())
            if c and used + c <= budget:
                out.append(a)
                used += c
        return sorted(out), None if len(days) == p.days else days


def _resolve(p: RosterProblem, plan: Plan, job: tuple[int, list[int], range | None], *,
             work: float, wall_seconds: float, stop: Stop) -> tuple[Plan | None, Outcome]:
    seed, agents, days = job
    return solve_named(p, plan, agents, days, work=work, wall_seconds=wall_seconds, seed=seed,
                       stop=stop)


def _merge(p: RosterProblem, plan: Plan, batch: list[tuple[list[int], range | None]],
           new: list[Plan | None]) -> Plan:
    """The plan with every neighbourhood's re-solve applied (their agents are disjoint, so the
    rules, all per agent, still hold)."""

    def freed(x: tuple[int, int, int], hood: tuple[list[int], range | None]) -> bool:
        return x[0] in hood[0] and (hood[1] is None or p.types[x[1]].day in hood[1])

    kept = [x for x in plan if not any(freed(x, h) for h in batch)]
    for hood, got in zip(batch, new, strict=True):
        source = got if got is not None else plan
        kept += [x for x in source if freed(x, hood)]
    return tuple(sorted(kept))


class PutBack:
    """The re-plan's least-disruption move: put back the ``published`` assignments the search
    changed, one at a time in start order (the agent's clashing shifts that day given up), each
    kept while every rule allows it, no more intervals are short, the period targets are no
    further off and the paid minutes stay within ``slack_minutes`` of the plan's."""

    def __init__(self, published: Plan, slack_minutes: int) -> None:
        self.published, self.slack = published, slack_minutes

    def __call__(self, p: RosterProblem, plan: Plan) -> Plan:
        base = score(p, plan)
        current = list(plan)
        for x in sorted(set(self.published) - set(plan),
                        key=lambda y: (p.types[y[1]].start, y[0])):
            a, s, _lv = x
            st = p.types[s]
            if not p.admitted()[s, a]:
                continue
            mine = [y for y in current if y[0] == a]
            clash = [y for y in mine if y not in p.pinned and p.types[y[1]].day == st.day]
            if allows(p, a, st, [p.types[y[1]] for y in mine if y not in clash]) is not None:
                continue
            trial = tuple(sorted([y for y in current if y not in clash] + [x]))
            c = score(p, trial)
            if (c.short_intervals <= base.short_intervals and c.weekly_gap <= base.weekly_gap
                    and c.paid_minutes <= base.paid_minutes + self.slack):
                current = list(trial)
        return tuple(sorted(current))


Operator = Callable[[RosterProblem, Plan], Plan]
REPAIR: tuple[Operator, ...] = (fill, trim)
"""The cheap moves after the start, in order: cover what is short, drop what nobody needs."""
FINISH: tuple[Operator, ...] = (lower_caps,)
"""The moves after the search, in order, before the caller's own (``finish``)."""


def solve_plan(p: RosterProblem, limits: Limits, *, seed: int = 0, start: Plan | None = None,
               progress: ProgressFn | None = None, bound: bool = True,
               finish: Sequence[Operator] = ()) -> Found:
    """The search (see the module docstring); ``bound``: solve the LP for the bound (always
    when there is no start: it is the start); ``finish``: moves after ``FINISH``'s (the plan
    they give is evaluated like any other: a broken hard rule raises)."""
    t0 = time.perf_counter()
    clock = WallClock(limits.wall_seconds)
    messages: list[str] = []
    relaxed = relaxation(p, aggregate_rows(p)) if bound or start is None else None
    hours = None if relaxed is None or relaxed.bound_minutes is None else (
        relaxed.bound_minutes / 60)

    def report(stage: str, cost: Cost) -> None:
        if progress is not None:
            progress(Progress(stage, cost.agent_hours, cost.short_intervals, hours,
                              time.perf_counter() - t0))

    if start is not None:
        plan = keep_valid(p, start)
        if len(plan) < len(start):
            messages.append(f"{len(start) - len(plan)} shift(s) of the start plan no longer "
                            "fit the rules and were dropped")
    else:
        assert relaxed is not None
        plan = name_instances(p, [k for k, c in relaxed.counts.items() for _ in range(c)])
        messages.append("start: the aggregate model's LP of shift counts per cap class, "
                        "rounded and named")
    for op in REPAIR:
        plan = op(p, plan)
    run = Run(score(p, plan))
    report("start", run.cost)
    hoods = _Neighbourhoods(p, seed)
    stop = AnyOf(WorkBudget(limits.work), NoImprovement(p.search.patience), clock)
    steps, proved = 0, False
    # the re-solves run in the pool's threads; a Ctrl-C stops them (``Stop``) and is raised
    # here once they have returned
    interrupt = Stop()
    with ctrl_c_deferred(interrupt.stop), ThreadPoolExecutor(max(1, limits.workers)) as pool:
        while not proved and not stop(run):
            batch = hoods.batch(shortfall(p, cover_sum(p, plan)) > 0, limits.workers)
            if not batch:
                continue
            work = min(p.search.lns_work, (limits.work - run.work) / len(batch))
            each = functools.partial(_resolve, p, plan, wall_seconds=clock.left(),
                                     stop=interrupt, work=work)
            solved = list(pool.map(each, [(seed + steps + k, *h) for k, h in enumerate(batch)]))
            if interrupt.asked:
                break
            steps += len(batch)
            run.work += sum(out.work for _new, out in solved)
            tries = [(new, set(hood[0])) for (new, _o), hood in zip(solved, batch,
                                                                           strict=True) if new]
            if len(tries) > 1:
                tries.append((_merge(p, plan, batch, [n for n, _o in solved]),
                              set().union(*(set(h[0]) for h in batch))))
            best = min(((score(p, n), n) for n in (trim(p, new, who) for new, who in tries)),
                       default=None)
            proved = any(h[1] is None and len(h[0]) == len(p.agents) and o.status == "OPTIMAL"
                         for (_n, o), h in zip(solved, batch, strict=True))
            if best is not None and (best[0] < run.cost or (proved and best[0] <= run.cost)):
                plan, run.cost = best[1], best[0]
                report("search", run.cost)
    messages.append(f"search: {steps} neighbourhood re-solves, {run.work:.1f} deterministic s")
    for op in (*FINISH, *finish):
        plan = op(p, plan)
    cost = evaluate(p, plan)
    report("done", cost)
    return Found(plan, cost, hours, proved, run.work, time.perf_counter() - t0,
                 tuple(messages))
