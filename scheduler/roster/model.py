"""The two CP-SAT models and the LP bound, all over the same linear coverage.

- ``AggregateRows``: shift counts ``x[s, c]`` per shift type and agent class (the agents' cap
  level), the rules' relaxations as rows ``sum coef * x <= rhs``. Its LP (HiGHS) gives the
  bound in agent-hours and, rounded, the search's start.
- ``NamedModel``: one Boolean per (agent, shift type) of a neighbourhood (some agents over some
  days), the other shifts fixed; every rule adds its constraint; solved by CP-SAT from a hint.

The named model minimises ``Cost.points``; its work is bounded in CP-SAT's deterministic
seconds. HiGHS' LP is deterministic.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

from scheduler.roster.cost import Plan, Weights, cover_sum, replies_centi, weights
from scheduler.roster.problem import SCALE, SLACK, RosterProblem, ShiftType


@dataclass(frozen=True)
class Outcome:
    """A CP-SAT run: status name, objective bound (points), deterministic seconds used."""

    status: str
    bound: float
    work: float


class Stop:
    """Stops the CP-SAT solves of a search (``run`` in other threads) through CP-SAT's own
    ``stop_search``: each returns as at a time limit, ``run`` then raises KeyboardInterrupt
    from Python, and no solve starts after ``stop``. A solve that starts in the instant
    ``stop`` runs ends at its own limits (``lns_work``)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._live: set[cp_model.CpSolver] = set()
        self.asked = False

    def stop(self) -> None:
        with self._lock:
            self.asked = True
            for solver in self._live:
                solver.stop_search()

    @contextmanager
    def watching(self, solver: cp_model.CpSolver) -> Iterator[None]:
        with self._lock:
            if self.asked:
                raise KeyboardInterrupt
            self._live.add(solver)
        try:
            yield
        finally:
            with self._lock:
                self._live.discard(solver)
        if self.asked:
            raise KeyboardInterrupt


def run(model: cp_model.CpModel, *, work: float, wall_seconds: float, workers: int,
        seed: int, stop: Stop | None = None) -> tuple[cp_model.CpSolver, Outcome]:
    """Solve with a deterministic work limit (the wall-clock limit only as a safety cap);
    several workers interleave deterministically. Presolve's clique merging is capped: on a
    neighbourhood it took most of a second of work for nothing. CP-SAT's own Ctrl-C handler
    is off: solves in several threads swapped it in and out and a Ctrl-C aborted the process
    (``std::bad_function_call``); ``stop`` stops this solve instead (see ``Stop``)."""
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.catch_sigint_signal = False
    prm.merge_at_most_one_work_limit = 1e5
    prm.max_deterministic_time = max(0.01, work)
    prm.max_time_in_seconds = max(0.1, wall_seconds)
    prm.num_workers = max(1, workers)
    prm.random_seed = seed
    if workers > 1:
        prm.interleave_search = True
    with stop.watching(solver) if stop is not None else nullcontext():
        status = solver.solve(model)
    return solver, Outcome(solver.status_name(status), solver.best_objective_bound,
                           solver.deterministic_time)


# --------------------------------------------------------------------------- aggregate
@dataclass
class AggregateRows:
    """Shift counts by (type, class) and the rules' relaxations over them."""

    problem: RosterProblem
    admitted: np.ndarray
    keys: list[tuple[int, int]] = field(default_factory=list)
    rows: list[tuple[dict[tuple[int, int], int], int]] = field(default_factory=list)
    cuts: list[tuple[dict[tuple[int, int], int], int]] = field(default_factory=list)
    """Rows valid only when every interval is covered (the bound's LP)."""

    def __post_init__(self) -> None:
        for cls in sorted(self.teams()):
            team = self.teams()[cls]
            for s in np.nonzero(self.admitted[:, team].any(axis=1))[0]:
                self.keys.append((int(s), cls))

    def teams(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for a, lv in enumerate(self.problem.agent_level):
            if lv >= 0:
                out[int(lv)].append(a)
        return dict(out)

    def keys_of_level(self, cls: int) -> list[tuple[int, int]]:
        return [k for k in self.keys if k[1] == cls]

    def add(self, terms: dict[tuple[int, int], int], rhs: int) -> None:
        if terms and sum(max(0, c) for c in terms.values()) > rhs:
            self.rows.append((terms, rhs))

    def level(self, key: tuple[int, int]) -> int:
        return int(self.problem.type_level[key[0], key[1]])


def aggregate_rows(p: RosterProblem) -> AggregateRows:
    rows = AggregateRows(p, p.admitted())
    for r in p.constraints:
        if r.in_force(p):
            r.aggregate(p, rows)
    # no agent is on two shifts at once (every rule set forbids overlaps): at most the class'
    # agents who could be on duty at t
    span = np.zeros((p.intervals, len(p.types)), dtype=bool)
    for st in p.types:
        span[list(st.span), st.index] = True
    could = (sparse.csr_matrix(span.astype(np.float32)) @ rows.admitted.astype(np.float32)) > 0
    for cls, team in rows.teams().items():
        keys = rows.keys_of_level(cls)
        for t in range(p.intervals):
            rows.add({k: 1 for k in keys if span[t, k[0]]}, int(could[t, team].sum()))
    # whole agents: an interval needs at least as many agents on duty as its requirement over
    # the best single agent's cover (a valid cut that closes most of the LP's night-time gap)
    duty = _duty_index(p, rows.keys)
    fixed = cover_sum(p, p.pinned)
    for t in map(int, np.nonzero(p.demand)[0]):
        js = duty.get(t, [])
        best = max((int(p.cover[t, rows.level(rows.keys[j])]) for j in js), default=0)
        if best > 0 and fixed[t] < SCALE - SLACK:
            least = -(-(SCALE - SLACK - int(fixed[t])) // best)
            rows.cuts.append(({rows.keys[j]: -1 for j in js}, -least))
    return rows


def _duty_index(p: RosterProblem, keys: list[tuple[int, int]]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for j, (s, _c) in enumerate(keys):
        for t in p.types[s].duty:
            out[t].append(j)
    return out


def _coverage(m: cp_model.CpModel, p: RosterProblem, w: Weights, terms: dict[int, Any],
              base: np.ndarray, touched: set[int]) -> list[Any]:
    """Coverage of the touched intervals (cover ``terms[t] + base[t]``); returns objective
    terms. Weekly and daily modes add expected replies per interval and each period's target
    (untouched intervals' replies from ``base``)."""
    obj: list[Any] = []
    replies: dict[int, Any] = {}
    for t in sorted(touched):
        expr = terms.get(t, 0) + int(base[t])
        if p.demand[t]:
            need = SCALE - SLACK - int(base[t])
            if need > 0:
                short = m.new_int_var(0, need, f"short[{t}]")
                m.add(expr + short >= SCALE - SLACK)
                obj.append(w.unit * short)
        if p.envelope is not None and p.envelope.lines[t]:
            top = p.envelope.lines[t][-1][1] // SCALE
            r = m.new_int_var(0, max(0, top), f"replies[{t}]")
            for a, b in p.envelope.lines[t]:
                m.add(SCALE * r <= a * expr + b)
            replies[t] = r
    if p.envelope is not None:
        rest = replies_centi(p, base)
        for t0, t1, need in p.envelope.periods:
            fixed = int(sum(rest[t] for t in range(t0, t1) if t not in touched))
            gap = m.new_int_var(0, max(0, need), f"gap[{t0}]")
            m.add(sum(replies[t] for t in range(t0, t1) if t in replies) + fixed + gap >= need)
            obj.append(w.unit * gap)
    return obj


@dataclass(frozen=True)
class Relaxation:
    """The aggregate model's LP (HiGHS): ``bound_minutes`` is a lower bound on the paid minutes
    of any roster that leaves no interval short (and meets the weekly target in weekly mode)
    under the rules it models, None when even the LP cannot; ``counts`` its shift counts per
    (type, class), rounded to whole shifts (the search's start)."""

    bound_minutes: float | None
    counts: dict[tuple[int, int], int]


def relaxation(p: RosterProblem, rows: AggregateRows) -> Relaxation:
    """Solve the LP with every interval covered (with the whole-agents cuts); when that is
    infeasible, the LP that prices each missing cover unit at a day of paid time instead
    (no bound then, only the start)."""
    hard = _lp(p, rows, short_price=None)
    if hard is not None:
        value, x = hard
        bound: float | None = value
    else:
        soft = _lp(p, rows, short_price=1440.0)
        bound, x = None, (soft[1] if soft is not None else np.zeros(len(rows.keys)))
    counts = {k: int(np.floor(v + 0.5)) for k, v in zip(rows.keys, x, strict=False)
              if v >= 0.5}
    return Relaxation(bound, counts)


def _lp(p: RosterProblem, rows: AggregateRows, *, short_price: float | None
        ) -> tuple[float, np.ndarray] | None:
    keys = rows.keys
    n = len(keys)
    index = {k: j for j, k in enumerate(keys)}
    env = p.envelope
    live = [t for t in range(p.intervals) if env is not None and env.lines[t]]
    demand = [int(t) for t in np.nonzero(p.demand)[0]]
    extra = {t: n + i for i, t in enumerate(live)}  # expected replies (weekly mode)
    shorts = {t: n + len(live) + i for i, t in enumerate(demand)} if short_price else {}
    nv = n + len(live) + len(shorts)
    data: list[float] = []
    ri: list[int] = []
    ci: list[int] = []
    rhs: list[float] = []

    def row(coefs: dict[int, float], b: float) -> None:
        for j, c in coefs.items():
            ri.append(len(rhs))
            ci.append(j)
            data.append(c)
        rhs.append(b)

    for terms, b in rows.rows + (rows.cuts if short_price is None else []):
        row({index[k]: float(c) for k, c in terms.items()}, float(b))
    duty = _duty_index(p, keys)
    fixed = cover_sum(p, p.pinned)
    for t in range(p.intervals):
        cov = {j: -float(p.cover[t, rows.level(keys[j])]) for j in duty.get(t, [])}
        need = SCALE - SLACK - int(fixed[t])
        if p.demand[t] and need > 0:
            if not cov and short_price is None:
                return None
            row({**cov, **({shorts[t]: -1.0} if t in shorts else {})}, -need)
        if t in extra and env is not None:
            for a, b in env.lines[t]:
                row({**{j: a * c for j, c in cov.items()}, extra[t]: float(SCALE)},
                    float(b + a * int(fixed[t])))
    if env is not None and short_price is None:
        for t0, t1, need in env.periods:
            row({extra[t]: -1.0 for t in range(t0, t1) if t in extra}, -float(need))
    cost = np.zeros(nv)
    for j, (s, _c) in enumerate(keys):
        cost[j] = p.types[s].paid_minutes
    for j in shorts.values():
        cost[j] = short_price or 0.0
    a_ub = sparse.csr_matrix((data, (ri, ci)), shape=(len(rhs), nv))
    res = linprog(cost, A_ub=a_ub, b_ub=np.asarray(rhs), bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    pinned = sum(p.types[s].paid_minutes for _a, s, _lv in p.pinned)
    return float(res.fun) + pinned, np.asarray(res.x[:n])


# --------------------------------------------------------------------------- named
@dataclass
class NamedModel:
    """A named neighbourhood under construction: ``shifts[a]`` lists (type, Boolean) of each
    agent in it (a shift kept from the current plan is a Boolean fixed to 1). Rules add their
    constraints; ``soft`` collects soft penalty expressions."""

    model: cp_model.CpModel
    problem: RosterProblem
    shifts: dict[int, list[tuple[ShiftType, Any]]]
    soft: list[Any] = field(default_factory=list)
    fixed: list[tuple[int, int, int]] = field(default_factory=list)
    """The plan's assignments outside the neighbourhood (and the pinned ones)."""


def build_named(p: RosterProblem, plan: Plan, agents: list[int], days: range | None
                ) -> tuple[NamedModel, list[tuple[int, int, int, Any]], list[tuple[int, int, int]]]:
    """The named model of a neighbourhood: (model, its (agent, type, level, Boolean) choices,
    the assignments kept fixed). See ``solve_named``."""
    w = weights(p)
    m = cp_model.CpModel()
    free = set(agents)
    admitted = p.admitted()
    pinned = set(p.pinned)
    fixed = [x for x in plan if x[0] not in free or x in pinned
             or (days is not None and p.types[x[1]].day not in days)]
    current = {(a, s) for a, s, _lv in plan if a in free}
    nm = NamedModel(m, p, {a: [] for a in agents}, fixed=fixed)
    choice: list[tuple[int, int, int, Any]] = []
    for a in agents:
        top = int(p.agent_level[a])
        for a2, s, _lv in fixed:
            if a2 == a:
                nm.shifts[a].append((p.types[s], m.new_constant(1)))
        for s in map(int, np.nonzero(admitted[:, a])[0]):
            st = p.types[s]
            if days is None or st.day in days:
                y = m.new_bool_var(f"y[{a},{s}]")
                m.add_hint(y, (a, s) in current)
                nm.shifts[a].append((st, y))
                choice.append((a, s, int(p.type_level[s, top]), y))
    base = cover_sum(p, tuple(fixed))
    terms: dict[int, Any] = defaultdict(int)
    for _a, s, lv, y in choice:
        for t in p.types[s].duty:
            terms[t] += int(p.cover[t, lv]) * y
    in_force = [r for r in p.constraints if r.in_force(p)]
    for r in in_force:
        if not r.team:
            r.add(nm)
    obj: list[Any] = [w.minute * p.types[s].paid_minutes * y for _a, s, _lv, y in choice]
    obj += _coverage(m, p, w, terms, base, set(terms))
    for r in in_force:
        if r.team:
            r.add(nm)
    obj += [w.soft * e for e in nm.soft]
    m.minimize(sum(obj))
    return nm, choice, fixed


def solve_named(p: RosterProblem, plan: Plan, agents: list[int], days: range | None, *,
                work: float, wall_seconds: float, seed: int, stop: Stop | None = None
                ) -> tuple[Plan | None, Outcome]:
    """Re-plan the shifts of ``agents`` starting on ``days`` (all days: None) with every rule,
    the rest of the plan fixed. Returns the new plan (None if CP-SAT found none) and the
    outcome. One worker: a neighbourhood is small, and one worker is deterministic. ``stop``:
    see ``run``."""
    nm, choice, fixed = build_named(p, plan, agents, days)
    solver, out = run(nm.model, work=work, wall_seconds=wall_seconds, workers=1, seed=seed,
                      stop=stop)
    if out.status not in ("OPTIMAL", "FEASIBLE"):
        return None, out
    chosen = [(a, s, lv) for a, s, lv, y in choice if solver.value(y)]
    return tuple(sorted(fixed + chosen)), out
