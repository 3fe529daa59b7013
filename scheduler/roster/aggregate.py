"""Stage A: integer counts of shifts by (start, length, break offset, cap level); no names.

Headcount limits are the named rules aggregated over the agents who could work a shift, which
keeps stage A a relaxation of stage B (its optimum and bound are bounds of the named plan):

- per interval and level: agents on duty at cap >= l <= agents with top cap >= l who may work
  that interval (availability, night and weekend eligibility);
- per day and level: shifts starting that day at cap >= l <= agents with top cap >= l who could
  work some shift that day (one shift a day each);
- per week and level: paid minutes of shifts at cap >= l <= the sum of those agents'
  ``max_hours_week``, and shifts <= the sum of the days they may work.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.domain import Agent
from scheduler.params import Rules
from scheduler.roster.coverage import add_coverage
from scheduler.roster.grid import Grid, max_days_worked
from scheduler.roster.objective import Envelopes, Weights
from scheduler.roster.solver import ProgressFn, SolveOutcome, solve


@dataclass(frozen=True)
class Aggregate:
    """Stage A's answer: how many shifts of each (type, level), and the solve's numbers."""

    counts: dict[tuple[int, int], int]
    outcome: SolveOutcome


@dataclass(frozen=True)
class Limits:
    """Aggregated headcount limits (see the module docstring)."""

    type_ub: np.ndarray
    """(types, L): agents with top >= l eligible for the type."""
    interval_ub: list[list[int]]
    day_ub: np.ndarray
    """(days, L)."""
    week_minutes: np.ndarray
    """(weeks, L)."""
    week_shifts: np.ndarray
    """(weeks, L)."""


def aggregate_limits(
    grid: Grid, agents: tuple[Agent, ...], rules: Rules, elig: np.ndarray, ok: np.ndarray
) -> Limits:
    """``elig``: (types, agents) eligibility; ``ok``: (T, agents) may work the interval."""
    levels = len(grid.caps)
    tops = np.array([-1 if (x := grid.top_level(a)) is None else x for a in agents], dtype=int)
    at_least = np.stack([tops >= lv for lv in range(levels)], axis=1)  # (A, L)
    type_ub = elig.astype(np.int64) @ at_least.astype(np.int64)
    interval_ub = (ok.astype(np.int64) @ at_least.astype(np.int64)).tolist()
    day_any = np.zeros((grid.days, len(agents)), dtype=bool)
    for st in grid.types:
        day_any[st.day] |= elig[st.index]
    day_ub = day_any.astype(np.int64) @ at_least.astype(np.int64)
    week_minutes = np.zeros((grid.weeks, levels), dtype=np.int64)
    week_shifts = np.zeros((grid.weeks, levels), dtype=np.int64)
    for w in range(grid.weeks):
        for i, a in enumerate(agents):
            for lv in range(levels):
                if at_least[i, lv]:
                    week_minutes[w, lv] += int(a.max_hours_week * 60)
                    week_shifts[w, lv] += max_days_worked(grid, a, rules, w)
    return Limits(type_ub, interval_ub, day_ub, week_minutes, week_shifts)


def _variables(grid: Grid, limits: Limits) -> list[tuple[int, int, int]]:
    """(type, level, upper bound) for every usable combination."""
    out: list[tuple[int, int, int]] = []
    for st in grid.types:
        duty = list(st.duty)
        for lv in range(len(grid.caps)):
            ub = int(limits.type_ub[st.index, lv])
            if ub > 0 and grid.allowed[duty, lv].all():
                out.append((st.index, lv, ub))
    return out


def solve_aggregate(
    grid: Grid,
    limits: Limits,
    *,
    weights: Weights,
    envelopes: Envelopes | None,
    hint: dict[tuple[int, int], int] | None,
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    progress: ProgressFn | None,
    t0: float,
) -> Aggregate:
    """Build and solve stage A."""
    model = cp_model.CpModel()
    levels = len(grid.caps)
    xs: dict[tuple[int, int], cp_model.IntVar] = {}
    ubs: dict[tuple[int, int], int] = {}
    for s, lv, ub in _variables(grid, limits):
        st = grid.types[s]
        ubs[(s, lv)] = ub
        xs[(s, lv)] = model.new_int_var(
            0,
            ub,
            f"shifts[{grid.label(st.start)},{st.length}i,brk{st.break_offset},cap{grid.caps[lv]}]",
        )
    cover: list[list[list[cp_model.IntVar]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    by_day: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    by_week: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    for (s, lv), var in xs.items():
        st = grid.types[s]
        for t in st.duty:
            cover[t][lv].append(var)
        for up in range(lv + 1):
            by_day[(st.day, up)].append(var)
            by_week[(st.week, up)].append((var, st.paid_minutes))
    n: list[list[cp_model.IntVar | int]] = []
    for t in range(grid.intervals):
        row: list[cp_model.IntVar | int] = []
        for lv in range(levels):
            if cover[t][lv]:
                v = model.new_int_var(
                    0,
                    int(limits.interval_ub[t][lv]),
                    f"on_duty[{grid.label(t)},cap{grid.caps[lv]}]",
                )
                model.add(v == sum(cover[t][lv]))
                row.append(v)
            else:
                row.append(0)
        n.append(row)
    for (day, lv), vs in by_day.items():
        model.add(sum(vs) <= int(limits.day_ub[day, lv]))
    for (week, lv), pairs in by_week.items():
        model.add(sum(p * v for v, p in pairs) <= int(limits.week_minutes[week, lv]))
        model.add(sum(v for v, _ in pairs) <= int(limits.week_shifts[week, lv]))
    cov = add_coverage(
        model,
        grid,
        n,
        weights=weights,
        envelopes=envelopes,
        headcount=limits.interval_ub,
        prefix="A.",
    )
    terms: list[cp_model.LinearExprT] = [
        weights.minute * grid.types[s].paid_minutes * v for (s, _lv), v in xs.items()
    ]
    terms += [w * e for e, w in cov.penalty]
    model.minimize(sum(terms))
    if hint:
        for key, var in xs.items():
            model.add_hint(var, min(int(hint.get(key, 0)), ubs[key]))
    solver, outcome = solve(
        model,
        stage="A",
        time_limit_seconds=time_limit_seconds,
        num_workers=num_workers,
        seed=seed,
        progress=progress,
        t0=t0,
    )
    counts: dict[tuple[int, int], int] = {}
    if outcome.status in ("OPTIMAL", "FEASIBLE"):
        for key, var in xs.items():
            val = int(solver.value(var))
            if val:
                counts[key] = val
    return Aggregate(counts, outcome)


def lp_bound(
    grid: Grid,
    limits: Limits,
    *,
    weights: Weights,
    envelopes: Envelopes | None,
    time_limit_seconds: float,
) -> float:
    """The continuous relaxation of stage A (GLOP): shift counts real, every interval's need
    relaxed to its cheapest level's. A lower bound of stage A and so of the named plan;
    NaN if GLOP does not finish."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with ortools
        return float("nan")
    solver.SetTimeLimit(int(max(0.1, time_limit_seconds) * 1000))
    inf = solver.infinity()
    levels = len(grid.caps)
    xs: dict[tuple[int, int], pywraplp.Variable] = {}
    for s, lv, ub in _variables(grid, limits):
        xs[(s, lv)] = solver.NumVar(0.0, float(ub), f"x_{s}_{lv}")
    cover: list[list[list[pywraplp.Variable]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    by_day: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    by_week: dict[tuple[int, int], list[tuple[pywraplp.Variable, int]]] = defaultdict(list)
    for (s, lv), var in xs.items():
        st = grid.types[s]
        for t in st.duty:
            cover[t][lv].append(var)
        for up in range(lv + 1):
            by_day[(st.day, up)].append(var)
            by_week[(st.week, up)].append((var, st.paid_minutes))
    objective = solver.Objective()
    for (s, _lv), var in xs.items():
        objective.SetCoefficient(var, float(weights.minute * grid.types[s].paid_minutes))
    replies: list[pywraplp.Variable] = []
    for t in range(grid.intervals):
        supplied = solver.Constraint(0.0, inf) if grid.sessions[t] > 0 else None
        for lv in range(levels):
            vs = cover[t][lv]
            if not vs:
                continue
            head = solver.Constraint(-inf, float(limits.interval_ub[t][lv]))
            for up in range(lv, levels):
                for v in cover[t][up]:
                    head.SetCoefficient(v, head.GetCoefficient(v) + 1.0)
            for v in vs:
                objective.SetCoefficient(v, objective.GetCoefficient(v) + weights.cap * lv)
                if supplied is not None:
                    supplied.SetCoefficient(v, supplied.GetCoefficient(v) + grid.units[lv])
        if supplied is None:
            continue
        short = solver.NumVar(0.0, inf, f"short_{t}")
        objective.SetCoefficient(short, float(weights.short[t]))
        supplied.SetCoefficient(short, 1.0)
        supplied.SetLb(float(grid.base_units[t]))
        if envelopes is not None:
            slope = 0.0
            cap_r = 0.0
            for lv in range(levels):
                lines = envelopes.lines[t][lv]
                if lines:
                    slope = max(slope, lines[0][0] / envelopes.denom[lv])
                    cap_r = max(cap_r, max(b for a, b in lines if a == 0) / envelopes.denom[lv])
            r = solver.NumVar(0.0, cap_r, f"r_{t}")
            c = solver.Constraint(-inf, 0.0)
            c.SetCoefficient(r, 1.0)
            for lv in range(levels):
                for v in cover[t][lv]:
                    c.SetCoefficient(v, c.GetCoefficient(v) - slope * grid.units[lv])
            replies.append(r)
    for (day, lv), vs in by_day.items():
        c = solver.Constraint(-inf, float(limits.day_ub[day, lv]))
        for v in vs:
            c.SetCoefficient(v, 1.0)
    for (week, lv), pairs in by_week.items():
        cm = solver.Constraint(-inf, float(limits.week_minutes[week, lv]))
        cs = solver.Constraint(-inf, float(limits.week_shifts[week, lv]))
        for v, p in pairs:
            cm.SetCoefficient(v, float(p))
            cs.SetCoefficient(v, 1.0)
    if envelopes is not None:
        gap = solver.NumVar(0.0, inf, "gap")
        objective.SetCoefficient(gap, float(weights.week))
        c = solver.Constraint(float(envelopes.target_centi), inf)
        c.SetCoefficient(gap, 1.0)
        for r in replies:
            c.SetCoefficient(r, 1.0)
    objective.SetMinimization()
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        return float("nan")
    return float(objective.Value())
