"""Stage B: named assignment — a small CP-SAT over (agent, shift type, level) Booleans.

Candidates are the shift types stage A used (all break offsets of those shapes), or every shift
type when the instance is small enough; they are filtered by the rules' ``allows`` predicates.
Coverage is the same per-interval constraint as stage A's, now on named shifts, so stage B
re-optimises when stage A's shifts cannot all be staffed; stage A's value then bounds it.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from scheduler.domain import Agent
from scheduler.params import Rules
from scheduler.roster.coverage import add_coverage, on_duty_counts
from scheduler.roster.grid import Grid
from scheduler.roster.objective import Envelopes, Weights
from scheduler.roster.result import SolveProgress
from scheduler.roster.rules import RULES, NamedContext, Penalty
from scheduler.roster.solver import ProgressFn, SolveOutcome, solve

MIN_SOLVE_SECONDS = 1.0
"""``solve_named`` with a deadline: the least solve time worth starting a solve for."""
FULL_CANDIDATES_LIMIT = 60_000
"""Use every shift type in stage B when agents x types x levels stays under this."""


@dataclass(frozen=True)
class Named:
    """Stage B's answer: (agent index, type, level) picks and the solve's numbers."""

    picks: list[tuple[int, int, int]]
    outcome: SolveOutcome
    candidates: int


def candidate_types(grid: Grid, agents: tuple[Agent, ...], used: set[int]) -> list[int]:
    """Every type when small; else the types stage A used plus the other break offsets of the
    same shapes."""
    if len(grid.types) * len(agents) * len(grid.caps) <= FULL_CANDIDATES_LIMIT:
        return [st.index for st in grid.types]
    shapes = {grid.types[s].base for s in used}
    return [st.index for st in grid.types if st.base in shapes]


def solve_named(
    grid: Grid,
    agents: tuple[Agent, ...],
    rules: Rules,
    *,
    elig: np.ndarray,
    types: list[int],
    levels_for: dict[int, set[int]] | None,
    weights: Weights,
    envelopes: Envelopes | None,
    headcount: list[list[int]],
    hint: list[tuple[int, int, int]],
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    progress: ProgressFn | None,
    t0: float,
    exact: dict[tuple[int, int], int] | None = None,
    direct: bool = False,
    lns: bool = True,
    deadline: float | None = None,
) -> Named:
    """Build and solve stage B. ``levels_for[type]`` restricts the levels tried for a type (the
    levels stage A used, plus each agent's own top level); None tries every level.

    ``exact``: name stage A's shifts as they are — for each (type, level), exactly that many
    agents (every other candidate dropped), no coverage constraint, only the rules' penalties
    in the objective. A feasibility-style phase whose answer hints the full stage B.

    ``direct``: solve the whole named problem instead (``solve_direct``; ``types``,
    ``levels_for`` and ``exact`` are then ignored).

    ``deadline`` (a ``time.perf_counter()`` reading): the solve also stops by then, the model's
    build time included (a 200-agent week takes seconds to build); with less than
    ``MIN_SOLVE_SECONDS`` (or the time limit, if shorter) left after building, the answer is
    UNKNOWN without solving."""
    if direct:
        return solve_direct(
            grid,
            agents,
            rules,
            elig=elig,
            weights=weights,
            envelopes=envelopes,
            headcount=headcount,
            hint=hint,
            time_limit_seconds=time_limit_seconds,
            num_workers=num_workers,
            seed=seed,
            progress=progress,
            t0=t0,
            lns=lns,
        )
    model = cp_model.CpModel()
    tops = tuple(-1 if (x := grid.top_level(a)) is None else x for a in agents)
    ctx = NamedContext(model, grid, rules, agents, weights, elig, tops)
    filters = [r.allows for r in RULES if r.allows is not None]
    hinted = set(hint)
    for s in types:
        st = grid.types[s]
        ctx._rep.setdefault(st.base, st)
        ctx.shape_paid[st.base] = st.paid_minutes
        for i in (int(x) for x in np.flatnonzero(elig[s])):
            wanted: list[int] = list(range(tops[i] + 1))
            if exact is not None:
                wanted = [lv for lv in range(tops[i] + 1) if exact.get((s, lv), 0) > 0]
            elif levels_for is not None:
                lv_set = {lv for lv in levels_for.get(s, set()) if lv <= tops[i]}
                if any(lv > tops[i] for lv in levels_for.get(s, set())) and tops[i] >= 0:
                    lv_set.add(tops[i])
                wanted = sorted(lv_set)
            for lv in wanted:
                if all(f(ctx, i, st, lv) for f in filters):
                    var = model.new_bool_var(
                        f"B.works[{agents[i].agent_id},{grid.label(st.start)},{st.length}i,"
                        f"brk{st.break_offset},cap{grid.caps[lv]}]"
                    )
                    ctx.cands.append((i, s, lv, var))
    by_shape: dict[tuple[int, tuple[int, int]], list[cp_model.IntVar]] = defaultdict(list)
    for i, s, _lv, var in ctx.cands:
        by_shape[(i, grid.types[s].base)].append(var)
    for (i, shape), vs in by_shape.items():
        if len(vs) == 1:
            y = vs[0]
        else:
            y = model.new_bool_var(f"B.works_shape[{agents[i].agent_id},{shape}]")
            model.add(sum(vs) == y)
        ctx.shapes.setdefault(i, {})[shape] = y
    penalties: list[Penalty] = []
    for rule in RULES:
        if rule.add is not None:
            penalties += rule.add(ctx)
    terms: list[cp_model.LinearExprT] = [w * e for e, w in penalties]
    if exact is not None:
        by_key: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for _i, s, lv, var in ctx.cands:
            by_key[(s, lv)].append(var)
        for key, count in exact.items():
            if len(by_key.get(key, [])) < count:
                return Named([], SolveOutcome("INFEASIBLE", math.nan, math.nan, 0.0), 0)
            model.add(sum(by_key[key]) == count)
    else:
        terms += _coverage_terms(ctx, weights=weights, envelopes=envelopes, headcount=headcount)
    model.minimize(sum(terms))
    for i, s, lv, var in ctx.cands:
        model.add_hint(var, (i, s, lv) in hinted)
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left < min(time_limit_seconds, MIN_SOLVE_SECONDS):
            return Named([], SolveOutcome("UNKNOWN", math.nan, math.nan, 0.0), len(ctx.cands))
        time_limit_seconds = min(time_limit_seconds, left)
    solver, outcome = solve(
        model,
        stage="B" if exact is None else "B0",
        time_limit_seconds=time_limit_seconds,
        num_workers=num_workers,
        seed=seed,
        progress=progress,
        t0=t0,
        infeasible_ok=exact is not None,
    )
    picks: list[tuple[int, int, int]] = []
    if outcome.status in ("OPTIMAL", "FEASIBLE"):
        picks = [(i, s, lv) for i, s, lv, var in ctx.cands if solver.value(var)]
    return Named(picks, outcome, len(ctx.cands))


def _coverage_terms(
    ctx: NamedContext,
    *,
    weights: Weights,
    envelopes: Envelopes | None,
    headcount: list[list[int]],
) -> list[cp_model.LinearExprT]:
    """Coverage on named shifts (shared with stage A) and the time cost; returns the terms.

    Named Booleans are first summed per (shift type, level) and per (shape, level); on-duty
    counts are then "shapes over their span minus breaks", as in stage A. This keeps the model
    to ~ (candidates + intervals x shapes) terms instead of candidates x shift length (measured
    on 200 agents x 1 week: 1.57 M -> ~0.25 M linear terms, and presolve from ~30 s to a few)."""
    grid, model = ctx.grid, ctx.model
    levels = len(grid.caps)
    per_type: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for _i, s, lv, var in ctx.cands:
        per_type[(s, lv)].append(var)
    per_shape: dict[tuple[tuple[int, int], int], list[tuple[int, cp_model.IntVar]]] = defaultdict(
        list
    )
    for (s, lv), vs in per_type.items():
        st = grid.types[s]
        if len(vs) == 1:
            z = vs[0]
        else:
            z = model.new_int_var(
                0,
                len(vs),
                f"B.count[{grid.label(st.start)},{st.length}i,"
                f"brk{st.break_offset},cap{grid.caps[lv]}]",
            )
            model.add(z == sum(vs))
        per_shape[(st.base, lv)].append((s, z))
    plus: list[list[list[cp_model.LinearExpr]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    minus: list[list[list[cp_model.LinearExpr]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    terms: list[cp_model.LinearExprT] = []
    for (_shape, lv), parts in per_shape.items():
        first = grid.types[parts[0][0]]
        total = cp_model.LinearExpr.sum([z for _, z in parts])
        for t in first.span:
            plus[t][lv].append(total)
        terms.append(weights.minute * first.paid_minutes * total)
        for s, z in parts:
            st = grid.types[s]
            for k in range(st.break_len):
                minus[st.span[st.break_offset + k]][lv].append(z)
    n = on_duty_counts(model, grid, plus, minus, headcount, "B.")
    cov = add_coverage(
        model, grid, n, weights=weights, envelopes=envelopes, headcount=headcount, prefix="B."
    )
    terms += [w * e for e, w in cov.penalty]
    return terms


DIRECT_MAX_SHAPE_VARIABLES = 30_000
"""Plan a single week with the direct named model (``solve_direct``) when the number of
(agent, shift shape) Booleans is at most this; above it, stage A's shapes restrict stage B. The
sample week (17 agents x 672 shapes) has ~8k, a 40-agent week ~20k, a 200-agent week ~110k."""


AGENT_LNS_ROUNDS_SECONDS = 1.0
"""Direct model with a hint: starting from the hinted plan, rounds of agent neighbourhoods:
every agent but ``AGENT_LNS_FREE`` random ones keeps its shifts, the rest is re-solved for at
most this many seconds; a better plan is kept. 0 switches it off."""
AGENT_LNS_FREE = 3

DIRECT_PRESOLVE = True
"""CP-SAT presolve for the direct model, without probing (measured on the small shop at 15 s:
with full presolve no plan came back, without presolve 11.6 M points, without probing 6.7 M)."""


def direct_size(grid: Grid, agents: tuple[Agent, ...], elig: np.ndarray) -> int:
    """Number of (agent, shape) Booleans of the direct model: shapes (start, length) whose
    representative type the agent is eligible for."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for st in grid.types:
        if st.base in seen:
            continue
        seen.add(st.base)
        total += int(elig[st.index].sum())
    return total


def use_direct(grid: Grid, agents: tuple[Agent, ...], elig: np.ndarray) -> bool:
    """The model choice rule: the direct named model for one week (or less) of at most
    ``DIRECT_MAX_SHAPE_VARIABLES`` (agent, shape) Booleans; the two stages otherwise."""
    return grid.weeks == 1 and direct_size(grid, agents, elig) <= DIRECT_MAX_SHAPE_VARIABLES


def solve_direct(
    grid: Grid,
    agents: tuple[Agent, ...],
    rules: Rules,
    *,
    elig: np.ndarray,
    weights: Weights,
    envelopes: Envelopes | None,
    headcount: list[list[int]],
    hint: list[tuple[int, int, int]],
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    progress: ProgressFn | None,
    t0: float,
    lns: bool = True,
) -> Named:
    """The whole named problem in one CP-SAT model, without stage A's restriction.
    With a ``hint`` and ``lns``, the time goes to agent and day-window neighbourhoods of the
    hinted plan (``_agent_lns``); otherwise to one CP-SAT search (hinted), which can prove
    optimality on a small instance.

    Only ``works[agent, shape]`` (shape = start, length) are per-agent Booleans; the cap level
    and the break offset are chosen per shape as integer counts, which is exact:

    - Break offsets change neither an agent's rest, hours, days nor availability (all use the
      shift's span and paid minutes), so any split of a shape's shifts over offsets can be given
      to any of its agents.
    - The levels an agent may take on a shape are a prefix (up to its top cap) of the levels
      allowed over the shape's span; with nested prefixes, counts ``c[shape, level]`` can be
      given to the shape's agents iff for every level l the shifts at >= l are at most the
      shape's agents whose top is >= l (Hall's condition for nested sets). Picks are read back
      greedily: highest levels to the agents with the highest top.

    So the model has ~ agents x shapes Booleans (the sample week: ~8k) instead of agents x
    types x levels (~200k), and its optimum and bound are those of the named problem. Returns
    picks (agent, type, level) like ``solve_named``.
    """
    model = cp_model.CpModel()
    levels = len(grid.caps)
    tops = tuple(-1 if (x := grid.top_level(a)) is None else x for a in agents)
    ctx = NamedContext(model, grid, rules, agents, weights, elig, tops)
    filters = [r.allows for r in RULES if r.allows is not None]
    variants: dict[tuple[int, int], list[int]] = defaultdict(list)
    for st in grid.types:
        variants[st.base].append(st.index)
    on_shape: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    shape_levels: dict[tuple[int, int], list[int]] = {}
    for base, vs in variants.items():
        rep = grid.types[vs[0]]
        span = list(rep.span)
        ok_levels = [lv for lv in range(levels) if grid.allowed[span, lv].all()]
        if not ok_levels:
            continue
        low = ok_levels[0]
        shape_levels[base] = ok_levels
        ctx._rep.setdefault(base, rep)
        ctx.shape_paid[base] = rep.paid_minutes
        for i in (int(x) for x in np.flatnonzero(elig[rep.index])):
            if tops[i] < low or not all(f(ctx, i, rep, low) for f in filters):
                continue
            y = model.new_bool_var(
                f"D.works[{agents[i].agent_id},{grid.label(rep.start)},{rep.length}i]"
            )
            ctx.shapes.setdefault(i, {})[base] = y
            on_shape[base].append((i, y))
    penalties: list[Penalty] = []
    for rule in RULES:
        if rule.add is not None:
            penalties += rule.add(ctx)
    terms: list[cp_model.LinearExprT] = [w * e for e, w in penalties]
    plus: list[list[list[cp_model.LinearExprT]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    minus: list[list[list[cp_model.LinearExprT]]] = [
        [[] for _ in range(levels)] for _ in range(grid.intervals)
    ]
    count: dict[tuple[tuple[int, int], int], cp_model.IntVar] = {}
    split: dict[tuple[int, int], cp_model.IntVar] = {}
    for base, members in on_shape.items():
        rep = grid.types[variants[base][0]]
        name = f"{grid.label(rep.start)},{rep.length}i"
        ok_levels = shape_levels[base]
        total = cp_model.LinearExpr.sum([y for _, y in members])
        terms.append(weights.minute * rep.paid_minutes * total)
        cs: list[cp_model.IntVar] = []
        for lv in ok_levels:
            able = [y for i, y in members if tops[i] >= lv]
            if not able:
                continue
            c = model.new_int_var(0, len(able), f"D.count[{name},cap{grid.caps[lv]}]")
            count[(base, lv)] = c
            cs.append(c)
            for t in rep.span:
                plus[t][lv].append(c)
        model.add(sum(cs) == total)
        for lv in ok_levels[1:]:
            upper = [count[(base, x)] for x in ok_levels if x >= lv and (base, x) in count]
            able = [y for i, y in members if tops[i] >= lv]
            if upper:
                model.add(sum(upper) <= sum(able))
        vs = variants[base]
        for lv in ok_levels:
            if (base, lv) not in count:
                continue
            c = count[(base, lv)]
            if len(vs) == 1:
                parts = {vs[0]: c}
            else:
                parts = {
                    v: model.new_int_var(
                        0,
                        len(members),
                        f"D.break_at[{name},cap{grid.caps[lv]},+{grid.types[v].break_offset}i]",
                    )
                    for v in vs
                }
                model.add(sum(parts.values()) == c)
            for v, p in parts.items():
                split[(v, lv)] = p
                st = grid.types[v]
                for k in range(st.break_len):
                    minus[st.span[st.break_offset + k]][lv].append(p)
    n = on_duty_counts(model, grid, plus, minus, headcount, "D.")
    cov = add_coverage(
        model, grid, n, weights=weights, envelopes=envelopes, headcount=headcount, prefix="D."
    )
    terms += [w * e for e, w in cov.penalty]
    model.minimize(sum(terms))
    _hint_direct(model, grid, ctx, count, split, hint)
    started = time.perf_counter()
    values: list[int] = []
    if lns and AGENT_LNS_ROUNDS_SECONDS > 0 and hint:
        values, best = _hinted_solution(model, seed=seed, time_limit_seconds=time_limit_seconds)
    if values:
        outcome = SolveOutcome("FEASIBLE", best, math.nan, time.perf_counter() - started)
        values, best = _agent_lns(
            model,
            ctx,
            values,
            best,
            short=cov.short,
            deadline=started + time_limit_seconds,
            num_workers=num_workers,
            seed=seed,
            progress=progress,
            t0=t0,
        )
        outcome = SolveOutcome("FEASIBLE", best, math.nan, time.perf_counter() - started)
    else:
        solver, outcome = solve(
            model,
            stage="B",
            presolve=DIRECT_PRESOLVE,
            probing=False,
            time_limit_seconds=time_limit_seconds,
            num_workers=num_workers,
            seed=seed,
            progress=progress,
            t0=t0,
        )
        if outcome.status not in ("OPTIMAL", "FEASIBLE"):
            return Named([], outcome, sum(len(m) for m in on_shape.values()))
        values = list(solver.response_proto.solution)
    picks: list[tuple[int, int, int]] = []

    def val(var: cp_model.IntVar) -> int:
        return int(values[var.index])

    for base, members in on_shape.items():
        who = sorted((i for i, y in members if val(y)), key=lambda i: -tops[i])
        lv_list = sorted(
            (
                lv
                for lv in shape_levels[base]
                if (base, lv) in count
                for _ in range(val(count[(base, lv)]))
            ),
            reverse=True,
        )
        by_level: dict[int, list[int]] = defaultdict(list)
        for i, lv in zip(who, lv_list, strict=True):
            by_level[lv].append(i)
        for lv, people in by_level.items():
            offs = [v for v in variants[base] for _ in range(val(split[(v, lv)]))]
            for i, v in zip(sorted(people), offs, strict=True):
                picks.append((i, v, lv))
    return Named(picks, outcome, sum(len(m) for m in on_shape.values()))


def _hinted_solution(
    model: cp_model.CpModel, *, seed: int, time_limit_seconds: float
) -> tuple[list[int], float]:
    """The model's solution with its decision Booleans fixed to their hints (propagation
    completes it), as values by proto index, and its objective; ([], nan) if that fails."""
    trial = model.clone()
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.max_time_in_seconds = max(0.5, 0.5 * time_limit_seconds)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.stop_after_first_solution = True
    if solver.solve(trial) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(solver.response_proto.solution), float(solver.objective_value)
    return [], math.nan


def _agent_lns(
    model: cp_model.CpModel,
    ctx: NamedContext,
    values: list[int],
    best: float,
    *,
    short: dict[int, cp_model.IntVar] | None = None,
    deadline: float,
    num_workers: int,
    seed: int,
    progress: ProgressFn | None,
    t0: float,
) -> tuple[list[int], float]:
    """Agent neighbourhoods (see ``AGENT_LNS_ROUNDS_SECONDS``): returns the best full solution
    (values by proto index) and its objective (points). Seeded, so reproducible with 1 worker
    up to the time limits."""
    rng = random.Random(seed)
    people = sorted(ctx.shapes)
    free_n = min(len(people), AGENT_LNS_FREE)
    grid = ctx.grid
    per_day = grid.intervals // max(1, grid.days)
    rounds = 0
    while free_n and deadline - time.perf_counter() > 0.2 and best > 0.5:
        rounds += 1
        free = set(rng.sample(people, free_n))
        days: set[int] = set()
        if rounds % 2 == 0 and grid.days > 2:
            free = set()
            # a window of days, every agent free there: aimed at a day with shortfall
            short_days = sorted(
                {t // per_day for t, v in (short or {}).items() if values[v.index] > 0}
            )
            d = rng.choice(short_days) if short_days else rng.randrange(grid.days)
            d = (d - rng.randrange(2)) % grid.days
            days = {d, (d + 1) % grid.days}
        sub = model.clone()
        for i in people:
            for shape, y in ctx.shapes[i].items():
                if i in free or ctx.shape_type(shape).day % grid.days in days:
                    continue
                v = values[y.index]
                dom = sub.proto.variables[y.index].domain
                dom.clear()
                dom.extend([v, v])
        sub.clear_hints()
        for k, v in enumerate(values):
            sub.add_hint(sub.get_int_var_from_proto_index(k), v)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(
            0.05, min(AGENT_LNS_ROUNDS_SECONDS, deadline - time.perf_counter())
        )
        solver.parameters.num_workers = max(1, int(num_workers))
        solver.parameters.random_seed = int(seed)
        solver.parameters.cp_model_presolve = False
        code = solver.solve(sub)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < best - 0.5:
            values = list(solver.response_proto.solution)
            best = float(solver.objective_value)
            if progress is not None:
                progress(SolveProgress("B", best, math.nan, time.perf_counter() - t0))
    return values, best


def _hint_direct(
    model: cp_model.CpModel,
    grid: Grid,
    ctx: NamedContext,
    count: dict[tuple[tuple[int, int], int], cp_model.IntVar],
    split: dict[tuple[int, int], cp_model.IntVar],
    hint: list[tuple[int, int, int]],
) -> None:
    """Hint the direct model with (agent, type, level) picks (greedy naming of stage A, or a
    previous roster); picks the model has no variable for are skipped."""
    works: set[tuple[int, tuple[int, int]]] = set()
    counts: dict[tuple[tuple[int, int], int], int] = defaultdict(int)
    splits: dict[tuple[int, int], int] = defaultdict(int)
    for i, s, lv in hint:
        base = grid.types[s].base
        if base in ctx.shapes.get(i, {}) and (base, lv) in count and (s, lv) in split:
            works.add((i, base))
            counts[(base, lv)] += 1
            splits[(s, lv)] += 1
    for i, shapes in ctx.shapes.items():
        for base, y in shapes.items():
            model.add_hint(y, (i, base) in works)
    for shape_level, c in count.items():
        model.add_hint(c, counts.get(shape_level, 0))
    counted = {c.index for c in count.values()}
    for type_level, p in split.items():
        if p.index not in counted:  # a shape without break choices: its count is its split
            model.add_hint(p, splits.get(type_level, 0))
