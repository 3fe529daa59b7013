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

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.domain import Agent
from scheduler.params import Rules
from scheduler.roster.coverage import add_coverage, on_duty_counts
from scheduler.roster.fallback import greedy_aggregate
from scheduler.roster.grid import Grid, max_days_worked
from scheduler.roster.objective import Envelopes, Weights
from scheduler.roster.solver import ProgressFn, SolveOutcome, solve


@dataclass(frozen=True)
class Aggregate:
    """Stage A's answer: how many shifts of each (type, level), and the solve's numbers. When
    the solve timed out without a plan (status 'UNKNOWN'), ``counts`` is the greedy hint."""

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
    rest_points: tuple[int, ...]
    """Shift start intervals at which the rest cut is stated."""
    rest_ub: np.ndarray
    """(points, L): agents with top >= l who could work some shift whose rest arc
    ``[start, end + min_rest)`` contains the point. An agent's rest arcs never overlap (that is
    the rest rule), so shifts whose arcs contain a point are at most that many: the rule
    aggregated, a valid cut that keeps stage A close to what names can staff."""
    shape_points: dict[tuple[int, int], tuple[int, ...]]
    """(start, length) -> indices into ``rest_points`` its rest arc contains."""


def rest_arc(grid: Grid, start: int, length: int, rules: Rules) -> list[int]:
    """Intervals of a shift's rest arc [start, end + min_rest), modulo T when cyclic."""
    rest_i = math.ceil(rules.min_rest_hours * 60 / grid.interval_minutes)
    arc = range(start, start + length + rest_i)
    if grid.cyclic:
        return sorted({t % grid.intervals for t in arc})
    return [t for t in arc if t < grid.intervals]


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
    shapes: dict[tuple[int, int], int] = {}
    for st in grid.types:
        shapes.setdefault(st.base, st.index)
    points = tuple(sorted({start for start, _ in shapes}))
    where = {p: i for i, p in enumerate(points)}
    contain = np.zeros((len(points), len(shapes)), dtype=np.float32)
    shape_elig = np.zeros((len(shapes), len(agents)), dtype=np.float32)
    shape_points: dict[tuple[int, int], tuple[int, ...]] = {}
    for j, ((start, length), idx) in enumerate(shapes.items()):
        shape_elig[j] = elig[idx]
        inside = [where[t] for t in rest_arc(grid, start, length, rules) if t in where]
        shape_points[(start, length)] = tuple(inside)
        contain[inside, j] = 1.0
    can = (contain @ shape_elig) > 0  # (points, agents)
    rest_ub = can.astype(np.int64) @ at_least.astype(np.int64)
    return Limits(
        type_ub, interval_ub, day_ub, week_minutes, week_shifts, points, rest_ub, shape_points
    )


@dataclass(frozen=True)
class ShapeVar:
    """One (shape, level) count of stage A and its break split.

    ``variants`` are the shift types of the shape (one per break offset, or the single type
    without a break); when there are several, ``break_at[i]`` lists the intervals the i-th
    variant's break takes out of duty."""

    shape: tuple[int, int]
    level: int
    ub: int
    span: tuple[int, ...]
    variants: tuple[int, ...]
    break_at: tuple[tuple[int, ...], ...]
    paid: int
    day: int
    week: int
    points: tuple[int, ...]
    """Rest-cut points (indices into ``Limits.rest_points``) the shift's rest arc contains."""


def shape_vars(grid: Grid, limits: Limits) -> list[ShapeVar]:
    """Every usable (shape, level): some agent with top >= level may work it, and the level is
    allowed over the whole shift."""
    by_shape: dict[tuple[int, int], list[int]] = defaultdict(list)
    for st in grid.types:
        by_shape[st.base].append(st.index)
    out: list[ShapeVar] = []
    for shape, variants in by_shape.items():
        first = grid.types[variants[0]]
        span = list(first.span)
        breaks = tuple(tuple(sorted(set(first.span) - set(grid.types[v].duty))) for v in variants)
        for lv in range(len(grid.caps)):
            ub = int(limits.type_ub[first.index, lv])
            if ub > 0 and grid.allowed[span, lv].all():
                out.append(
                    ShapeVar(
                        shape,
                        lv,
                        ub,
                        first.span,
                        tuple(variants),
                        breaks,
                        first.paid_minutes,
                        first.day,
                        first.week,
                        limits.shape_points[shape],
                    )
                )
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
    relaxed: dict[tuple[int, int], float] | None = None,
) -> Aggregate:
    """Build and solve stage A. Shifts are counted per (shape, level) with a split over break
    offsets, so coverage sums ~ shapes + breaks instead of every (shape, break) variant; day and
    week limits go through per-level totals (a few terms per cumulative limit)."""
    model = cp_model.CpModel()
    levels = len(grid.caps)
    svars = shape_vars(grid, limits)
    plus: list[list[list[cp_model.IntVar]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    minus: list[list[list[cp_model.IntVar]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    by_day: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    by_week: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    variant_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    ubs: dict[tuple[int, int], int] = {}
    resting: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    time_terms: list[cp_model.LinearExprT] = []
    for sv in svars:
        start, length = sv.shape
        name = f"{grid.label(start)},{length}i,cap{grid.caps[sv.level]}"
        x = model.new_int_var(0, sv.ub, f"A.shifts[{name}]")
        for t in sv.span:
            plus[t][sv.level].append(x)
        by_day[(sv.day, sv.level)].append(x)
        by_week[(sv.week, sv.level)].append((x, sv.paid))
        time_terms.append(weights.minute * sv.paid * x)
        for q in sv.points:
            resting[(q, sv.level)].append((x, sv.ub))
        if len(sv.variants) == 1:
            variant_vars[(sv.variants[0], sv.level)] = x
            ubs[(sv.variants[0], sv.level)] = sv.ub
            for t in sv.break_at[0]:
                minus[t][sv.level].append(x)
            continue
        parts = []
        for v, brk in zip(sv.variants, sv.break_at, strict=True):
            off = grid.types[v].break_offset
            b = model.new_int_var(0, sv.ub, f"A.break_at[{name},+{off}i]")
            parts.append(b)
            variant_vars[(v, sv.level)] = b
            ubs[(v, sv.level)] = sv.ub
            for t in brk:
                minus[t][sv.level].append(b)
        model.add(sum(parts) == x)
    n = on_duty_counts(model, grid, plus, minus, limits.interval_ub, "A.")
    _add_level_totals(model, grid, by_day, by_week, limits)
    for q in range(len(limits.rest_points)):
        tot = [sum(v for v, _ in resting.get((q, lv), [])) for lv in range(levels)]
        most = [sum(ub for _, ub in resting.get((q, lv), [])) for lv in range(levels)]
        for lv in range(levels):
            if sum(most[lv:]) > int(limits.rest_ub[q, lv]):
                model.add(sum(tot[lv:]) <= int(limits.rest_ub[q, lv]))
    cov = add_coverage(
        model,
        grid,
        n,
        weights=weights,
        envelopes=envelopes,
        headcount=limits.interval_ub,
        prefix="A.",
    )
    terms = time_terms + [w * e for e, w in cov.penalty]
    model.minimize(sum(terms))
    if not hint:
        hint = greedy_aggregate(
            grid,
            type_ub=limits.type_ub,
            interval_ub=limits.interval_ub,
            day_ub=limits.day_ub,
            week_minutes=limits.week_minutes,
            week_shifts=limits.week_shifts,
            rest_ub=limits.rest_ub,
            shape_points=limits.shape_points,
            initial=relaxed,
        )
    for sv in svars:
        if len(sv.variants) == 1:
            key = (sv.variants[0], sv.level)
            model.add_hint(variant_vars[key], min(int(hint.get(key, 0)), sv.ub))
            continue
        left = sv.ub
        for v in sv.variants:
            want = min(int(hint.get((v, sv.level), 0)), left)
            left -= want
            model.add_hint(variant_vars[(v, sv.level)], want)
    solver, outcome = solve(
        model,
        stage="A",
        presolve=False,
        time_limit_seconds=time_limit_seconds,
        num_workers=num_workers,
        seed=seed,
        progress=progress,
        t0=t0,
    )
    counts: dict[tuple[int, int], int] = {}
    if outcome.status in ("OPTIMAL", "FEASIBLE"):
        for key, var in variant_vars.items():
            val = int(solver.value(var))
            if val:
                counts[key] = val
    else:
        # time out before CP-SAT reported a plan: its hint (the rounded LP topped up
        # greedily, feasible for every aggregated limit) is the plan
        counts = {key: c for key, c in hint.items() if c > 0 and key in variant_vars}
    return Aggregate(counts, outcome)


def _add_level_totals(
    model: cp_model.CpModel,
    grid: Grid,
    by_day: dict[tuple[int, int], list[cp_model.IntVar]],
    by_week: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]],
    limits: Limits,
) -> None:
    """Per-level day and week totals, then the cumulative (level >= l) limits on them."""
    levels = len(grid.caps)
    for day in range(grid.days):
        tot = [sum(by_day.get((day, lv), [])) for lv in range(levels)]
        for lv in range(levels):
            if any(by_day.get((day, x)) for x in range(lv, levels)):
                model.add(sum(tot[lv:]) <= int(limits.day_ub[day, lv]))
    for week in range(grid.weeks):
        mins = [sum(p * v for v, p in by_week.get((week, lv), [])) for lv in range(levels)]
        cnt = [sum(v for v, _ in by_week.get((week, lv), [])) for lv in range(levels)]
        for lv in range(levels):
            if any(by_week.get((week, x)) for x in range(lv, levels)):
                model.add(sum(mins[lv:]) <= int(limits.week_minutes[week, lv]))
                model.add(sum(cnt[lv:]) <= int(limits.week_shifts[week, lv]))


@dataclass(frozen=True)
class Relaxation:
    """The LP relaxation's value (a lower bound; NaN if GLOP did not finish) and its shift
    counts per (shift type, level)."""

    value: float
    counts: dict[tuple[int, int], float]


def whole_agents_cut(grid: Grid, t: int) -> tuple[int, float] | None:
    """``(k, u)`` of the valid inequality ``agents on duty + short / u >= k`` for interval t:
    whatever the highest level L on duty, it needs ``req_agents[t, L] >= k`` whole agents
    (k = the fewest over the allowed levels) and each missing one leaves at least ``u`` (the
    fewest units of an allowed level) uncovered, because with units non-decreasing in the level
    nobody on duty supplies more than an agent at L. It makes the LP count whole agents at
    night (1 agent, not 0.45 of a cap-6 one). None when it cannot help or the units are not
    monotone."""
    allowed = np.flatnonzero(grid.allowed[t])
    units = np.asarray(grid.units)
    if len(allowed) == 0 or grid.sessions[t] <= 0 or (np.diff(units) < 0).any():
        return None
    k = int(grid.req_agents[t, allowed].min())
    if k <= 0:
        return None
    return k, float(units[allowed].min())


def _add_top_level_hull(
    solver: pywraplp.Solver,
    grid: Grid,
    headcount: list[int],
    t: int,
    on_t: list[list[tuple[pywraplp.Variable, float]]],
    short: pywraplp.Variable,
) -> None:
    """Interval t's cover as the disjunction "the highest level on duty is L" (or nobody is on
    duty), in its convex-hull (Balas) form. The on-duty counts ``n[l]`` split into parts
    ``m[l, L] >= 0``, one per possible top level L, with weights ``y[L]`` (summing to 1 with
    ``y_none``). Part L has only levels <= L, at least ``y[L]`` agents at L, level L's
    headcount limits scaled by ``y[L]``, and meets level L's requirement scaled by ``y[L]``
    (in units and, with units non-decreasing in the level, in whole agents: ``agents +
    short / units[L] >= req_agents[t, L]``, as in ``whole_agents_cut``); nobody on duty leaves
    the cheapest level's requirement short.

    Any plan is a point of it (``y = 1`` at its top level), so the LP stays a relaxation. The
    plain cover lets the LP pair cap-6 capacity with the cheapest level's requirement; here a
    cap-6 agent on duty brings cap 6's requirement with it, in proportion to how few agents
    may work at cap 6 (measured on the sample week: bound 264,565 -> 274,560)."""
    inf = solver.infinity()
    levels = [lv for lv in range(len(grid.caps)) if on_t[lv]]
    monotone = not (np.diff(np.asarray(grid.units)) < 0).any()
    total = solver.Constraint(1.0, 1.0)
    y_none = solver.NumVar(0.0, 1.0, f"top_none{t}")
    total.SetCoefficient(y_none, 1.0)
    split = solver.Constraint(0.0, 0.0)  # short = s_none + sum_L s[L]
    split.SetCoefficient(short, 1.0)
    s_none = solver.NumVar(0.0, inf, f"short_none{t}")
    split.SetCoefficient(s_none, -1.0)
    nobody = solver.Constraint(0.0, inf)
    nobody.SetCoefficient(s_none, 1.0)
    nobody.SetCoefficient(y_none, -float(grid.base_units[t]))
    link: dict[int, pywraplp.Constraint] = {}
    for lv in levels:  # n[l] = sum_L m[l, L]
        link[lv] = solver.Constraint(0.0, 0.0)
        for v, coef in on_t[lv]:
            link[lv].SetCoefficient(v, link[lv].GetCoefficient(v) + coef)
    for top in levels:
        y = solver.NumVar(0.0, 1.0, f"top{t}_{top}")
        total.SetCoefficient(y, 1.0)
        s_top = solver.NumVar(0.0, inf, f"short{t}_{top}")
        split.SetCoefficient(s_top, -1.0)
        part = {lv: solver.NumVar(0.0, inf, f"m{t}_{lv}_{top}") for lv in levels if lv <= top}
        for lv, m in part.items():
            link[lv].SetCoefficient(m, -1.0)
            head = solver.Constraint(-inf, 0.0)
            head.SetCoefficient(y, -float(headcount[lv]))
            for up, m_up in part.items():
                if up >= lv:
                    head.SetCoefficient(m_up, 1.0)
        at_top = solver.Constraint(0.0, inf)
        at_top.SetCoefficient(part[top], 1.0)
        at_top.SetCoefficient(y, -1.0)
        need = solver.Constraint(0.0, inf)
        need.SetCoefficient(s_top, 1.0)
        need.SetCoefficient(y, -float(grid.req_units[t, top]))
        for lv, m in part.items():
            need.SetCoefficient(m, float(grid.units[lv]))
        if monotone and grid.req_agents[t, top] > 0:
            heads = solver.Constraint(0.0, inf)
            heads.SetCoefficient(s_top, 1.0 / grid.units[top])
            heads.SetCoefficient(y, -float(grid.req_agents[t, top]))
            for m in part.values():
                heads.SetCoefficient(m, 1.0)


def _on_duty_columns(
    solver: pywraplp.Solver, on: list[list[list[tuple[pywraplp.Variable, float]]]]
) -> list[list[list[tuple[pywraplp.Variable, float]]]]:
    """One LP column per (interval, level) for the agents on duty, defined by an equality row
    over the shift counts (a break variant's -1 merged with its shift's +1), so that the
    headcount, cover and hull rows name one column instead of every shift: the same LP (same
    values), with 37% fewer coefficient calls. Measured: 200 agents x 28 days 16.9 -> 12.5 s;
    the sample week's hull LP 5.4 -> 3.5 s."""
    out: list[list[list[tuple[pywraplp.Variable, float]]]] = []
    for t, row in enumerate(on):
        cols: list[list[tuple[pywraplp.Variable, float]]] = []
        for lv, terms in enumerate(row):
            merged: dict[int, tuple[pywraplp.Variable, float]] = {}
            for v, coef in terms:
                before = merged.get(v.index())
                merged[v.index()] = (v, coef + (before[1] if before else 0.0))
            live = [(v, c) for v, c in merged.values() if c != 0.0]
            if not live:
                cols.append([])
                continue
            n = solver.NumVar(0.0, solver.infinity(), f"on{t}_{lv}")
            define = solver.Constraint(0.0, 0.0)
            define.SetCoefficient(n, -1.0)
            for v, c in live:
                define.SetCoefficient(v, c)
            cols.append([(n, 1.0)])
        out.append(cols)
    return out


def lp_bound(
    grid: Grid,
    limits: Limits,
    *,
    weights: Weights,
    envelopes: Envelopes | None,
    time_limit_seconds: float,
    whole_agents: bool = False,
    top_level_hull: bool = False,
) -> Relaxation:
    """The continuous relaxation of stage A (GLOP): the same shift counts, break split,
    headcount, day and week limits, made real; each interval needs only its cheapest level's
    requirement (stage A enforces the highest level on duty's, which is at least that). A lower
    bound of stage A and so of the named plan. ``whole_agents`` adds ``whole_agents_cut`` per
    interval (a tighter bound, a slower LP: the planner uses it on small weeks only).
    ``top_level_hull`` replaces each interval's cover by ``_add_top_level_hull`` (tighter
    still; small weeks only). Solved by HiGHS' LP when OR-Tools has it (measured on the sample
    week with the hull: 5.6 s, against 49 s for GLOP), else GLOP."""
    solver = pywraplp.Solver.CreateSolver("HIGHS_LP")
    if solver is not None:
        solver.SuppressOutput()
        # HiGHS prints a banner on stdout (the CLI's) unless told not to
        solver.SetSolverSpecificParametersAsString("output_flag=false")
    else:  # pragma: no cover - OR-Tools built without HiGHS
        solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with ortools
        return Relaxation(float("nan"), {})
    solver.SetTimeLimit(int(max(0.1, time_limit_seconds) * 1000))
    inf = solver.infinity()
    levels = len(grid.caps)
    svars = shape_vars(grid, limits)
    objective = solver.Objective()
    on: list[list[list[tuple[pywraplp.Variable, float]]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    by_day: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    by_week: dict[tuple[int, int], list[tuple[pywraplp.Variable, int]]] = defaultdict(list)
    variant_vars: dict[tuple[int, int], pywraplp.Variable] = {}
    resting: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    for k, sv in enumerate(svars):
        x = solver.NumVar(0.0, float(sv.ub), f"x{k}")
        for q in sv.points:
            resting[(q, sv.level)].append(x)
        objective.SetCoefficient(x, float(weights.minute * sv.paid))
        for t in sv.span:
            on[t][sv.level].append((x, 1.0))
        by_day[(sv.day, sv.level)].append(x)
        by_week[(sv.week, sv.level)].append((x, sv.paid))
        if len(sv.variants) == 1:
            variant_vars[(sv.variants[0], sv.level)] = x
            for t in sv.break_at[0]:
                on[t][sv.level].append((x, -1.0))
            continue
        split = solver.Constraint(0.0, 0.0)
        split.SetCoefficient(x, -1.0)
        for v, brk in zip(sv.variants, sv.break_at, strict=True):
            b = solver.NumVar(0.0, float(sv.ub), f"b{k}_{v}")
            split.SetCoefficient(b, 1.0)
            variant_vars[(v, sv.level)] = b
            for t in brk:
                on[t][sv.level].append((b, -1.0))
    on = _on_duty_columns(solver, on)
    replies: list[pywraplp.Variable] = []

    def add_terms(
        c: pywraplp.Constraint, terms: list[tuple[pywraplp.Variable, float]], scale: float
    ) -> None:
        for v, coef in terms:
            c.SetCoefficient(v, c.GetCoefficient(v) + scale * coef)

    for t in range(grid.intervals):
        for lv in range(levels):
            if any(on[t][up] for up in range(lv, levels)):
                head = solver.Constraint(-inf, float(limits.interval_ub[t][lv]))
                for up in range(lv, levels):
                    add_terms(head, on[t][up], 1.0)
            if on[t][lv] and lv > 0:
                add_terms(objective, on[t][lv], float(weights.cap * lv))
        if grid.sessions[t] <= 0:
            continue
        short = solver.NumVar(0.0, inf, f"short{t}")
        objective.SetCoefficient(short, float(weights.short[t]))
        if top_level_hull:
            # implies the plain cover and the whole-agents cut below (not repeated: measured,
            # the redundant rows made HiGHS 3x slower)
            _add_top_level_hull(solver, grid, limits.interval_ub[t], t, on[t], short)
        else:
            cover = solver.Constraint(float(grid.base_units[t]), inf)
            cover.SetCoefficient(short, 1.0)
            for lv in range(levels):
                add_terms(cover, on[t][lv], float(grid.units[lv]))
        whole = whole_agents_cut(grid, t) if whole_agents and not top_level_hull else None
        if whole is not None:
            k, u_lo = whole
            heads = solver.Constraint(float(k), inf)
            heads.SetCoefficient(short, 1.0 / u_lo)
            for lv in range(levels):
                add_terms(heads, on[t][lv], 1.0)
        if envelopes is not None:
            slope = 0.0
            cap_r = 0.0
            for lv in range(levels):
                lines = envelopes.lines[t][lv]
                if lines:
                    slope = max(slope, lines[0][0] / envelopes.denom[lv])
                    cap_r = max(cap_r, max(b for a, b in lines if a == 0) / envelopes.denom[lv])
            r = solver.NumVar(0.0, cap_r, f"r{t}")
            c = solver.Constraint(-inf, 0.0)
            c.SetCoefficient(r, 1.0)
            for lv in range(levels):
                add_terms(c, on[t][lv], -slope * grid.units[lv])
            replies.append(r)
    for day in range(grid.days):
        for lv in range(levels):
            vs = [v for up in range(lv, levels) for v in by_day.get((day, up), [])]
            if vs:
                c = solver.Constraint(-inf, float(limits.day_ub[day, lv]))
                for v in vs:
                    c.SetCoefficient(v, 1.0)
    for week in range(grid.weeks):
        for lv in range(levels):
            pairs = [p for up in range(lv, levels) for p in by_week.get((week, up), [])]
            if pairs:
                cm = solver.Constraint(-inf, float(limits.week_minutes[week, lv]))
                cs = solver.Constraint(-inf, float(limits.week_shifts[week, lv]))
                for v, paid in pairs:
                    cm.SetCoefficient(v, float(paid))
                    cs.SetCoefficient(v, 1.0)
    for q in range(len(limits.rest_points)):
        for lv in range(levels):
            vs = [v for up in range(lv, levels) for v in resting.get((q, up), [])]
            if vs:
                c = solver.Constraint(-inf, float(limits.rest_ub[q, lv]))
                for v in vs:
                    c.SetCoefficient(v, 1.0)
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
        return Relaxation(float("nan"), {})
    values = {key: v.solution_value() for key, v in variant_vars.items()}
    return Relaxation(float(objective.Value()), {k: x for k, x in values.items() if x > 1e-9})
