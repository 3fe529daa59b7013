"""``plan_roster``: stage A (aggregate shifts) -> LP bound -> stage B (names) -> validation ->
diagnosis. Every status of every solve is handled; a plan always comes back."""

from __future__ import annotations

import functools
import math
import time
from dataclasses import replace
from datetime import timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from scheduler.domain import Agent, Requirements, Roster, Shift
from scheduler.params import ChatModel, Rules, ServiceTarget
from scheduler.roster.aggregate import (
    Limits,
    Relaxation,
    aggregate_limits,
    lp_bound,
    solve_aggregate,
)
from scheduler.roster.catalogue import rule_names
from scheduler.roster.diagnose import diagnose
from scheduler.roster.fallback import assign_instances, greedy_cover
from scheduler.roster.grid import (
    Grid,
    build_grid,
    eligibility,
    interval_ok_matrix,
    roster_from,
)
from scheduler.roster.named import candidate_types, direct_size, solve_named, use_direct
from scheduler.roster.objective import Envelopes, Weights, build_envelopes, make_weights
from scheduler.roster.repair import repair
from scheduler.roster.result import RosterResult, SolveProgress, Violation
from scheduler.roster.solver import ProgressFn
from scheduler.roster.validate import Check, check_roster
from scheduler.roster.weeks import edge_safe_agents, join, week_slice

SHARE_A = 0.35
SHARE_A_PER_HOUR = 0.2
"""Two stages in per-hour mode: stage A gets 20%, so that the targeted repair of its named
shifts gets more. Measured on 200 agents x 28 days at 120 s (stage B skipped there, see
``STAGE_B_PAIRS_PER_SECOND``): 201 short half-hours with 35%, 117 with 20%, 140 with 12%."""
SHARE_LP = 0.05
LP_SECONDS = 8.0
"""On a small week the LP bound gets at least this (at most 30% of the time): measured 6.3 s
for the sample week with the whole-agents cut (``aggregate.whole_agents_cut``), 2.9 s without
it. Larger weeks keep ``SHARE_LP`` (their LP mostly seeds stage A)."""
WHOLE_AGENTS_MIN_SECONDS = 25.0
"""The whole-agents cut only from this time limit up: below it the slower LP would leave the
search too little time (measured at 15 s: the LP with the cut timed out, no bound at all)."""
HULL_MIN_SECONDS = 30.0
"""Small weeks from this time limit up: the LP states each interval's cover as the convex hull
of its top-level disjunction (``aggregate._add_top_level_hull``): measured on the sample week,
bound 264,565 -> 274,560, LP 5.1 s -> 6.6 s."""
SHARE_B = 0.40
SHARE_REPAIR = 0.35
"""Two stages, per-hour mode: up to 15% of the time for the targeted repair (``repair``) of
the greedy naming of stage A's shifts, before stage B, and as much again for stage B's plan
when time is left."""
SHARE_DIAGNOSIS = 0.10
SHARE_B_END = 0.85
"""Stage B stops by 85% of the time, its model's build time included (CP-SAT overran its
limit by 1.7 s of 10.7 on a 200-agent week): the diagnosis' share absorbs the rest."""
SMALL_REPAIR_SHARE = 0.5
SMALL_REPAIR_MAX_SECONDS = 8.0
SMALL_LNS_MAX_SECONDS = 5.0
SMALL_PATIENCE_ROUNDS = 2
PROVE_MAX_BOOLEANS = 1_500
"""A small week: each round gives the repair 35% of the time left (at most 6 s), then the
direct model's neighbourhoods at most 8 s, until ``SHARE_POLISH_END`` of the time."""
SHARE_LP_WEEKS = 0.15
"""Multi-week horizons: up to 15% of the time for the whole horizon's LP bound (12 s measured
for 200 agents x 28 days), then the weeks share the rest."""
SHARE_WEEKS_PLAN = 0.8
SHARE_WEEKS_END = 0.95
"""Multi-week horizons: the weeks are planned by 80% of the time; from then (or from when they
finish) to 95%, the targeted repair of the whole horizon; the rest is for validation and the
diagnosis. Measured on 200 agents x 28 days at 120 s, one run each: with the weeks taking all
but what they happened to leave, 0 and 108 short half-hours in two runs; with 80%, 4 short
(15.3 M points); with 60%, 4 short (17.6 M points; the repair stopped early, stuck)."""
SHARE_POLISH_END = 0.85
"""Small instances (``named.use_direct``): whatever stage B leaves of the first 85% of the time
goes to the direct named model, hinted with stage B's plan (so it can only improve on it)."""
SHARE_B_POLISH = 0.15
SHARE_A_POLISH = 0.2
"""Small instances: stage A gets 20% and stage B (restricted to stage A's shapes) at most 15%
of the time, so that the direct model's agent neighbourhoods get the rest up to 85% (measured
on the small shop: the neighbourhoods improve the plan fastest there) — only up to
``POLISH_FIRST_MAX`` (agent, shape) Booleans."""
POLISH_FIRST_MAX = 4_000
"""Measured (2 workers): the small shop (3,024 Booleans, 15 s) goes from 8-13 M points and
16-36 short intervals to 0.15-1.4 M and 0-5 with the shares above; the sample week (5,167, 30 s)
got worse with them (13.6-17.2 M vs 4.8-12.9 M), so above this size stage A and B keep their
usual shares and the direct model gets only the time they leave."""
SHARE_B0 = 0.3
STAGE_B_PAIRS_PER_SECOND = 2_500.0
"""Stage B is skipped when its eligible (agent, shift type) pairs would need longer than the
time it has left: measured on a 200-agent week (65,194 pairs, 76-95k candidates), CP-SAT's
first plan came after 27 s on 2 workers, and inside a 4-week plan (about 20 s a week) stage B
never got one, its model's build alone using the time. The repair gets that time instead."""
"""Share of stage B's time for naming stage A's shifts exactly (only when the greedy cannot)."""
"""Time budget split: stage A, LP bound, stage B; the rest (>= 10%) is for the diagnosis'
what-if re-solves when some demand is left uncovered."""


def _picks_of_roster(
    grid: Grid, agents: tuple[Agent, ...], roster: Roster
) -> list[tuple[int, int, int]]:
    """Map a previous roster's shifts onto (agent, type, level) where they fit the grid."""
    index = {a.agent_id: i for i, a in enumerate(agents)}
    by_shape: dict[tuple[int, int, int], int] = {}
    for st in grid.types:
        by_shape[(st.start, st.length, st.break_offset)] = st.index
    m = grid.interval_minutes
    out: list[tuple[int, int, int]] = []
    for sh in roster.shifts:
        i = index.get(sh.agent_id)
        lv = grid.level_of_cap(sh.max_concurrent)
        if i is None or lv is None:
            continue
        start = grid.offset_minutes(sh.start)
        length = int((sh.end - sh.start).total_seconds() // 60)
        off = -1
        if sh.break_start is not None:
            off = int((sh.break_start - sh.start).total_seconds() // 60) // m
        s = by_shape.get((start // m, length // m, off))
        if s is not None and start % m == 0:
            out.append((i, s, lv))
    return out


def coverage_frame(grid: Grid, check: Check) -> pd.DataFrame:
    """One row per interval (see ``RosterResult.coverage``)."""
    cov = check.coverage
    caps = np.asarray(grid.caps)
    top = cov.top
    cap = np.where(top >= 0, caps[np.maximum(top, 0)], 0)
    units = np.asarray(grid.units)
    cheapest = np.argmin(np.where(grid.allowed, grid.req_units, np.iinfo(np.int64).max), axis=1)
    per_agent = units[np.where(top >= 0, top, cheapest)]
    weekly = cov.replies.any() or cov.weekly_gap > 0
    return pd.DataFrame(
        {
            "interval_start": pd.to_datetime(
                [grid.interval_start(t) for t in range(grid.intervals)]
            ),
            "sessions": grid.sessions.astype(float),
            "required_agents": cov.required_agents.astype(np.int64),
            "scheduled_agents": cov.agents.astype(np.int64),
            "supplied_capacity": cov.supplied / 10.0,
            "required_capacity": cov.required / 10.0,
            "cap": cap.astype(np.int64),
            "shortfall_capacity": cov.short / 10.0,
            "shortfall_agents": np.ceil(cov.short / per_agent).astype(np.int64),
            "expected_replies": cov.replies / 100.0 if weekly else np.full(grid.intervals, np.nan),
        }
    )


def plan_roster(
    requirements: Requirements,
    agents: tuple[Agent, ...] | list[Agent],
    *,
    chat: ChatModel,
    service: ServiceTarget,
    rules: Rules,
    time_limit_seconds: float,
    num_workers: int = 2,
    seed: int = 0,
    progress: ProgressFn | None = None,
    hint: Roster | None = None,
) -> RosterResult:
    """Plan the week's shifts and per-shift reception caps for named agents.

    Always first the LP bound (``aggregate.lp_bound``, at least ``LP_SECONDS``). Then:

    - a small week in per-hour mode (``named.use_direct``): from an empty plan (or ``hint``),
      rounds of targeted repair (``repair``) and the direct named model until 85% of the time
      (``_search_small``; solved whole, with its bound, up to ``PROVE_MAX_BOOLEANS``);
    - otherwise the two stages: stage A (aggregate shift counts; 35%, 20% in per-hour mode),
      in per-hour mode the greedy naming of its shifts and their targeted repair, then stage B
      (CP-SAT naming, hinted; skipped when its model is too big for the time left, see
      ``STAGE_B_PAIRS_PER_SECOND``, the repair getting that time), then the targeted repair of
      stage B's plan.

    What is left goes to the diagnosis' what-if re-solves. ``num_workers`` CP-SAT workers,
    ``seed`` its random seed. ``progress`` receives a ``SolveProgress`` per incumbent and per
    stage. ``hint``: a previous roster (warm start for what-if re-plans). The returned plan is
    always validated; demand left uncovered is explained in ``diagnosis``. A horizon of several
    weeks is planned one week at a time (``weeks``), the edges between weeks kept safe, then
    repaired and validated whole; its bound is the whole horizon's LP relaxation.
    """
    t0 = time.perf_counter()
    team = tuple(agents)
    grid = build_grid(requirements, team, chat=chat, service=service, rules=rules)
    if grid.weeks > 1:
        return _plan_weeks(
            requirements,
            team,
            grid=grid,
            chat=chat,
            service=service,
            rules=rules,
            time_limit_seconds=time_limit_seconds,
            num_workers=num_workers,
            seed=seed,
            progress=progress,
            t0=t0,
        )
    return _plan_one(
        requirements,
        team,
        grid=grid,
        chat=chat,
        service=service,
        rules=rules,
        time_limit_seconds=time_limit_seconds,
        num_workers=num_workers,
        seed=seed,
        progress=progress,
        hint=hint,
        t0=t0,
        what_ifs=True,
    )


def _plan_one(
    requirements: Requirements,
    team: tuple[Agent, ...],
    *,
    grid: Grid,
    chat: ChatModel,
    service: ServiceTarget,
    rules: Rules,
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    progress: ProgressFn | None,
    hint: Roster | None,
    t0: float,
    what_ifs: bool,
    own_bound: bool = True,
) -> RosterResult:
    """One week (or a shorter horizon): LP -> stage A -> stage B -> validation -> diagnosis;
    ``what_ifs``: check the fixes by re-solving; ``own_bound``: solve this week's LP bound.
    Both are off for a week inside a multi-week plan, whose bound is the whole horizon's LP
    (measured on a 200-agent week at 22 s: its own LP took 5 s to build and did not finish,
    the what-ifs 3 s)."""
    weights = make_weights(grid)
    env = build_envelopes(grid, requirements, service.target) if service.mode == "weekly" else None
    elig = eligibility(grid, team)
    ok = interval_ok_matrix(grid, team)
    limits = aggregate_limits(grid, team, rules, elig, ok)
    polish = use_direct(grid, team, elig)
    polish_first = polish and direct_size(grid, team, elig) <= POLISH_FIRST_MAX
    messages: list[str] = []

    def report(stage: str, objective: float, bound: float) -> None:
        if progress is not None:
            progress(SolveProgress(stage, objective, bound, time.perf_counter() - t0))

    hint_picks = _picks_of_roster(grid, team, hint) if hint is not None else []
    hint_counts: dict[tuple[int, int], int] = {}
    for _i, s, lv in hint_picks:
        hint_counts[(s, lv)] = hint_counts.get((s, lv), 0) + 1

    # ---- LP relaxation (bound, and the rounding that seeds stage A's hint)
    lp_for = functools.partial(lp_bound, grid, limits, weights=weights, envelopes=env)
    hull = polish and time_limit_seconds >= HULL_MIN_SECONDS
    relaxed = Relaxation(math.nan, {})
    if own_bound:
        relaxed = lp_for(
            time_limit_seconds=max(
                SHARE_LP * time_limit_seconds,
                min(LP_SECONDS, 0.3 * time_limit_seconds) if polish else 1.0,
            ),
            whole_agents=polish and time_limit_seconds >= WHOLE_AGENTS_MIN_SECONDS,
            top_level_hull=hull,
        )
        if hull and math.isnan(relaxed.value):
            # the tighter LP did not finish in its time (a slower PC): the plain one, quickly
            relaxed = lp_for(time_limit_seconds=SHARE_LP * time_limit_seconds)
        report("LP", relaxed.value, relaxed.value)
        messages.append(
            f"LP relaxation: {relaxed.value:,.0f}"
            if not math.isnan(relaxed.value)
            else "the LP relaxation did not finish in its time (a slow or busy PC): no bound, "
            "so the gap shows 100%; a longer time limit gives it the time it needs"
        )
    lp = relaxed.value

    finish = functools.partial(
        _finish,
        grid,
        team,
        requirements=requirements,
        chat=chat,
        service=service,
        rules=rules,
        weights=weights,
        env=env,
        limits=limits,
        lp=lp,
        messages=messages,
        time_limit_seconds=time_limit_seconds,
        num_workers=num_workers,
        seed=seed,
        t0=t0,
        what_ifs=what_ifs,
    )
    if polish and env is None:
        # ---- a small week: greedy -> (repair, direct-model neighbourhoods) rounds
        found = _search_small(
            grid,
            team,
            rules,
            elig=elig,
            weights=weights,
            headcount=limits.interval_ub,
            service=service,
            start=hint_picks,
            deadline=t0 + SHARE_POLISH_END * time_limit_seconds,
            num_workers=num_workers,
            seed=seed,
            progress=progress,
            t0=t0,
        )
        messages.append(found.note)
        if not found.solved:
            messages.append(
                "the solver found no plan within its time limit: returning the plan of the "
                "targeted repair (a greedy plan: valid, not optimised by CP-SAT); give it more time"
            )
            report("fallback", math.nan, math.nan)
        return finish(
            found.picks,
            status="FEASIBLE" if found.solved else "FALLBACK",
            bounds=[lp, found.bound],
            solver_objective=math.nan,
            stage_a=(math.nan, math.nan),
            proved=found.proved,
        )

    # ---- stage A
    share_a = SHARE_A_POLISH if polish_first else SHARE_A if env is not None else SHARE_A_PER_HOUR
    a_limit = max(0.5, share_a * time_limit_seconds - (time.perf_counter() - t0))
    agg = solve_aggregate(
        grid,
        limits,
        weights=weights,
        envelopes=env,
        hint=hint_counts or None,
        time_limit_seconds=a_limit,
        num_workers=num_workers,
        seed=seed,
        progress=progress,
        t0=t0,
        relaxed=relaxed.counts,
    )
    a_value, a_bound = agg.outcome.objective, agg.outcome.bound
    messages.append(
        f"stage A (aggregate shifts): {agg.outcome.status} in {agg.outcome.seconds:.1f} s"
    )
    instances = [key for key, c in agg.counts.items() for _ in range(c)]
    if agg.outcome.status == "UNKNOWN":
        messages.append(
            "stage A found no plan within its time limit: the named stage starts from the "
            "rounded LP relaxation topped up greedily; give the solver more time for a better plan"
        )
        if not instances:
            instances = [(s, lv) for _i, s, lv in greedy_cover(grid, team, rules, elig)]

    # ---- naming: stage A's shifts given to agents greedily, the rest topped up greedily
    b_hint, left = assign_instances(grid, team, rules, elig, instances)
    if left:
        b_hint = greedy_cover(grid, team, rules, elig, b_hint)
    if hint_picks:
        b_hint = hint_picks
    # ---- per-hour mode: the targeted repair of the named plan, before CP-SAT's stage B
    # (measured on a 200-agent week: stage B's CP-SAT took 27 s to a first plan with 29 short
    # half-hours; the repair of the greedy naming reached 2 short in 3.4 s)
    repair_for = functools.partial(
        _repair_step,
        grid,
        team,
        rules,
        elig=elig,
        weights=weights,
        service=service,
    )
    repaired = math.nan  # the validated objective of the repaired naming (nan: not repaired)
    pairs = int(elig[candidate_types(grid, team, {s for s, _lv in instances})].sum())
    repair_seconds = min(
        SHARE_REPAIR * time_limit_seconds,
        (1 - SHARE_DIAGNOSIS) * time_limit_seconds - (time.perf_counter() - t0),
    )
    b_window = SHARE_B_END * time_limit_seconds - (time.perf_counter() - t0) - repair_seconds
    skip_b = env is None and bool(b_hint) and pairs > STAGE_B_PAIRS_PER_SECOND * b_window
    if skip_b:
        repair_seconds = SHARE_B_END * time_limit_seconds - (time.perf_counter() - t0)
    if env is None and b_hint:
        step = repair_for(b_hint, seconds=repair_seconds)
        if step is not None:
            b_hint, before, repaired, r_limit = step
            messages.append(
                f"stage A's shifts named greedily, then the targeted repair "
                f"({r_limit:.1f} s at most): {before:,.0f} -> {repaired:,.0f} points"
            )
    if skip_b and not math.isnan(repaired):
        messages.append(
            f"stage B (CP-SAT over named shifts) skipped: its {pairs:,} (agent, shift) pairs "
            f"need about {pairs / STAGE_B_PAIRS_PER_SECOND:.0f} s to a first plan, more than "
            f"the {max(0.0, b_window):.0f} s it had; the repair got its time"
        )
        ok_a = agg.outcome.status in ("OPTIMAL", "FEASIBLE")
        if not ok_a:
            report("fallback", math.nan, math.nan)
        return finish(
            b_hint,
            status="FEASIBLE" if ok_a else "FALLBACK",
            bounds=[b for b in (a_bound, lp) if not math.isnan(b)],
            solver_objective=math.nan,
            stage_a=(a_value, a_bound),
            proved=False,
        )
    # ---- stage B: CP-SAT over named shifts, hinted with that plan
    used = {s for s, _lv in instances} | {s for _i, s, _lv in b_hint}
    types = candidate_types(grid, team, used)
    full = len(types) == len(grid.types)
    levels_for: dict[int, set[int]] | None = None
    if not full:
        by_shape: dict[tuple[int, int], set[int]] = {}
        for s, lv in instances:
            by_shape.setdefault(grid.types[s].base, set()).add(lv)
        for _i, s, lv in b_hint:
            by_shape.setdefault(grid.types[s].base, set()).add(lv)
        levels_for = {s: by_shape.get(grid.types[s].base, set()) for s in types}
    remaining = time_limit_seconds - (time.perf_counter() - t0)
    b_limit = max(
        0.5,
        min(SHARE_B * time_limit_seconds, remaining - SHARE_DIAGNOSIS * time_limit_seconds),
    )
    if polish_first:
        b_limit = min(b_limit, max(0.5, SHARE_B_POLISH * time_limit_seconds))
    if agg.counts and not hint_picks and left and full and math.isnan(repaired):
        # the greedy could not name every stage A shift: ask CP-SAT to name them exactly
        b0_limit = SHARE_B0 * b_limit
        b0 = solve_named(
            grid,
            team,
            rules,
            elig=elig,
            types=sorted({s for s, _lv in instances}),
            levels_for=None,
            weights=weights,
            envelopes=env,
            headcount=limits.interval_ub,
            hint=b_hint,
            time_limit_seconds=b0_limit,
            num_workers=num_workers,
            seed=seed,
            progress=progress,
            t0=t0,
            exact=agg.counts,
            deadline=t0 + SHARE_B_END * time_limit_seconds,
        )
        messages.append(
            f"naming stage A's shifts exactly: {b0.outcome.status} in {b0.outcome.seconds:.1f} s"
        )
        if b0.picks:
            b_hint = b0.picks
        b_limit = max(0.5, b_limit - b0.outcome.seconds)
    name_shifts = functools.partial(
        solve_named,
        grid,
        team,
        rules,
        elig=elig,
        types=types,
        weights=weights,
        envelopes=env,
        headcount=limits.interval_ub,
        num_workers=num_workers,
        seed=seed,
        progress=progress,
        t0=t0,
    )
    named = name_shifts(
        levels_for=levels_for,
        hint=b_hint,
        time_limit_seconds=b_limit,
        deadline=t0 + SHARE_B_END * time_limit_seconds,
    )
    what = (
        f"stage B (named, {named.candidates} candidate shifts"
        f"{'' if full else ', restricted to stage A shapes'})"
    )
    if named.outcome.status == "UNKNOWN" and named.outcome.seconds == 0.0:
        messages.append(f"{what}: not solved, too little time left once its model was built")
    else:
        messages.append(f"{what}: {named.outcome.status} in {named.outcome.seconds:.1f} s")
    direct_bound = math.nan
    p_limit = SHARE_POLISH_END * time_limit_seconds - (time.perf_counter() - t0)
    proved = full and named.outcome.status == "OPTIMAL"
    if polish and named.picks and not proved and p_limit >= 1.0:
        better = name_shifts(
            levels_for=None, hint=named.picks, time_limit_seconds=p_limit, direct=True
        )
        messages.append(
            f"direct named model ({better.candidates} agent-shape Booleans, every shape, "
            f"hinted with stage B's plan): {better.outcome.status} in "
            f"{better.outcome.seconds:.1f} s, {named.outcome.objective:,.0f} -> "
            f"{better.outcome.objective:,.0f} points"
        )
        if better.outcome.status in ("OPTIMAL", "FEASIBLE"):
            direct_bound = better.outcome.bound
            if better.picks and better.outcome.objective <= named.outcome.objective:
                named = better
                full = True
    picks = named.picks
    status = "FEASIBLE"
    solver_ok = named.outcome.status in ("OPTIMAL", "FEASIBLE")
    if not math.isnan(repaired) and (
        not picks or _validated(grid, team, picks, rules=rules, service=service, env=env) > repaired
    ):
        # stage B did not improve on the repaired plan (or found none in its time)
        picks, solver_ok = b_hint, False
        if agg.outcome.status not in ("OPTIMAL", "FEASIBLE") and not named.picks:
            status = "FALLBACK"
            report("fallback", math.nan, math.nan)
    elif named.outcome.status == "UNKNOWN":
        messages.append(
            "the named stage found no plan within its time limit: returning a greedy plan "
            "(valid but not optimised); give the solver more time"
        )
        picks = greedy_cover(grid, team, rules, elig, b_hint)
        status = "FALLBACK"
        report("fallback", math.nan, math.nan)

    if env is None and picks and solver_ok:
        # stage B changed the plan: one more targeted repair with the time left
        step = repair_for(
            picks,
            seconds=min(
                SHARE_REPAIR * time_limit_seconds,
                (1 - SHARE_DIAGNOSIS) * time_limit_seconds - (time.perf_counter() - t0),
            ),
        )
        if step is not None:
            fixed, before, after, r_limit = step
            messages.append(
                f"targeted repair of stage B's plan ({r_limit:.1f} s): "
                f"{before:,.0f} -> {after:,.0f} points"
            )
            if after < before:
                picks = fixed
                solver_ok = False
    bounds = [b for b in (a_bound, lp, direct_bound) if not math.isnan(b)]
    if full and named.outcome.status in ("OPTIMAL", "FEASIBLE"):
        bounds.append(named.outcome.bound)
    return finish(
        picks,
        status=status,
        bounds=bounds,
        solver_objective=named.outcome.objective if solver_ok else math.nan,
        stage_a=(a_value, a_bound),
        proved=full and named.outcome.status == "OPTIMAL" and solver_ok,
    )


def _repair_step(
    grid: Grid,
    team: tuple[Agent, ...],
    rules: Rules,
    picks: list[tuple[int, int, int]],
    *,
    elig: np.ndarray,
    weights: Weights,
    service: ServiceTarget,
    seconds: float,
) -> tuple[list[tuple[int, int, int]], float, float, float] | None:
    """The targeted repair of ``picks`` (per-hour mode) for at most ``seconds``: (repaired
    picks, validated objective before, after, seconds given); None when under half a second
    is left."""
    if seconds < 0.5:
        return None
    before = _validated(grid, team, picks, rules=rules, service=service, env=None)
    fixed = repair(grid, team, rules, elig, picks, weights, time_limit_seconds=seconds)
    after = _validated(grid, team, fixed, rules=rules, service=service, env=None)
    return fixed, before, after, seconds


def _validated(
    grid: Grid,
    team: tuple[Agent, ...],
    picks: list[tuple[int, int, int]],
    *,
    rules: Rules,
    service: ServiceTarget,
    env: Envelopes | None,
) -> float:
    """The validator's objective of a plan (inf when it breaks a hard rule)."""
    roster = roster_from(grid, team, [(team[i].agent_id, s, lv) for i, s, lv in picks])
    check = check_roster(roster, team, grid=grid, rules=rules, service=service, envelopes=env)
    if any(v.kind == "hard" for v in check.violations):
        return math.inf
    return float(check.terms.total)


class SmallSearch(NamedTuple):
    """What ``_search_small`` found."""

    picks: list[tuple[int, int, int]]
    note: str
    bound: float
    """The direct model's bound when it was solved whole (nan otherwise)."""
    proved: bool
    solved: bool
    """Some CP-SAT solve returned a plan (else the plan is the repaired greedy one)."""


def _search_small(
    grid: Grid,
    team: tuple[Agent, ...],
    rules: Rules,
    *,
    elig: np.ndarray,
    weights: Weights,
    headcount: list[list[int]],
    service: ServiceTarget,
    start: list[tuple[int, int, int]],
    deadline: float,
    num_workers: int,
    seed: int,
    progress: ProgressFn | None,
    t0: float,
) -> SmallSearch:
    """A small week (``named.use_direct``), per-hour mode: rounds of targeted repair
    (``repair``) and the direct named model's neighbourhoods hinted with the repaired plan,
    until ``deadline`` or ``SMALL_PATIENCE_ROUNDS`` rounds without progress; the best plan by
    the validator's objective. Up to ``PROVE_MAX_BOOLEANS`` (agent, shape) Booleans the
    direct model is solved whole instead of by neighbourhoods, so its bound counts and it may
    prove the plan optimal."""
    # the greedy cover is the plan to beat (and the answer when there is no time at all);
    # the repair itself starts from ``start`` (measured: from an empty plan it does better)
    best = list(start) or greedy_cover(grid, team, rules, elig)
    best_value = _validated(grid, team, best, rules=rules, service=service, env=None)
    first = best_value
    rounds = idle = 0
    current = list(start)
    bound, proved, solved = math.nan, False, False
    size = direct_size(grid, team, elig)
    while deadline - time.perf_counter() > 0.5:
        rounds += 1
        round_start = best_value
        left = deadline - time.perf_counter()
        r_limit = min(SMALL_REPAIR_MAX_SECONDS, max(0.3, SMALL_REPAIR_SHARE * left))
        current = repair(grid, team, rules, elig, current, weights, time_limit_seconds=r_limit)
        value = _validated(grid, team, current, rules=rules, service=service, env=None)
        if value < best_value:
            best, best_value = current, value
            if progress is not None:
                progress(SolveProgress("B", value, math.nan, time.perf_counter() - t0))
        left = deadline - time.perf_counter()
        if left <= 0.5:
            break
        prove = size <= PROVE_MAX_BOOLEANS
        named = solve_named(
            grid,
            team,
            rules,
            elig=elig,
            types=[],
            levels_for=None,
            weights=weights,
            envelopes=None,
            headcount=headcount,
            hint=current,
            time_limit_seconds=left if prove else min(SMALL_LNS_MAX_SECONDS, left),
            num_workers=num_workers,
            seed=seed + rounds,
            progress=progress,
            t0=t0,
            direct=True,
            lns=not prove,
        )
        improved = False
        if named.picks:
            solved = True
            current = named.picks
            value = _validated(grid, team, current, rules=rules, service=service, env=None)
            if value < best_value:
                best, best_value, improved = current, value, True
        if prove and named.outcome.status in ("OPTIMAL", "FEASIBLE"):
            bound = named.outcome.bound
            proved = named.outcome.status == "OPTIMAL" and best is current
            break
        idle = 0 if improved or value < round_start else idle + 1
        if idle >= SMALL_PATIENCE_ROUNDS:
            break
    origin = "from the previous roster" if start else "from an empty plan, greedy cover to beat"
    note = (
        f"small week: {rounds} round(s) of targeted repair and direct-model neighbourhoods "
        f"({origin}): {first:,.0f} -> {best_value:,.0f} points"
    )
    return SmallSearch(best, note, bound, proved, solved)


def _finish(
    grid: Grid,
    team: tuple[Agent, ...],
    picks: list[tuple[int, int, int]],
    *,
    requirements: Requirements,
    chat: ChatModel,
    service: ServiceTarget,
    rules: Rules,
    weights: Weights,
    env: Envelopes | None,
    limits: Limits,
    status: str,
    bounds: list[float],
    solver_objective: float,
    stage_a: tuple[float, float],
    lp: float,
    messages: list[str],
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    t0: float,
    what_ifs: bool,
    proved: bool = False,
) -> RosterResult:
    """Validate the chosen plan, set its bound, gap and status, and diagnose what is short."""

    roster = roster_from(grid, team, [(team[i].agent_id, s, lv) for i, s, lv in picks])
    check = check_roster(roster, team, grid=grid, rules=rules, service=service, envelopes=env)
    violations = list(check.violations)
    objective = float(check.terms.total)
    if not math.isnan(solver_objective) and objective > solver_objective + 0.5:
        violations.append(
            Violation(
                "objective",
                f"validator objective {objective:.0f} > solver objective "
                f"{solver_objective:.0f} (a modelling bug)",
            )
        )
    bounds = [b for b in bounds if not math.isnan(b)]
    bound = max(bounds) if bounds else 0.0
    bound = min(bound, objective)
    gap = (objective - bound) / max(objective, 1.0)
    if status != "FALLBACK" and (gap <= 1e-9 or proved):
        status = "OPTIMAL"
    frame = coverage_frame(grid, check)
    short = tuple(int(t) for t in np.flatnonzero(check.coverage.short > 0))
    elapsed_so_far = time.perf_counter() - t0
    sentences = diagnose(
        grid,
        team,
        check,
        requirements=requirements,
        rules=rules,
        service=service,
        chat=chat,
        limits=limits,
        weights=weights,
        envelopes=env,
        time_budget_seconds=max(0.5, time_limit_seconds - elapsed_so_far) if what_ifs else 0.0,
        num_workers=num_workers,
        seed=seed,
        picks=picks,
    )
    names = rule_names(rules, service)
    return RosterResult(
        roster=roster,
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        solve_seconds=time.perf_counter() - t0,
        agent_hours=check.paid_minutes / 60.0,
        coverage=frame,
        shortfall_intervals=short,
        diagnosis=tuple(sentences),
        violations=tuple(violations),
        stage_a_value=stage_a[0],
        stage_a_bound=stage_a[1],
        lp_bound=lp,
        rules=tuple(names.values()),
        messages=tuple(messages),
        objective_terms=check.terms,
    )


def _plan_weeks(
    requirements: Requirements,
    team: tuple[Agent, ...],
    *,
    grid: Grid,
    chat: ChatModel,
    service: ServiceTarget,
    rules: Rules,
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    progress: ProgressFn | None,
    t0: float,
) -> RosterResult:
    """A horizon of several weeks, one week at a time (see ``weeks``) until ``SHARE_WEEKS_PLAN``
    of the time, then the targeted repair of the whole horizon until ``SHARE_WEEKS_END``, then
    validated whole.
    The bound is the LP relaxation of the whole horizon (per-week stage A bounds are bounds of
    the narrowed week problems only, so they are summed into ``stage_a_*`` for information)."""
    elig = eligibility(grid, team)
    limits = aggregate_limits(grid, team, rules, elig, interval_ok_matrix(grid, team))
    weights = make_weights(grid)
    env = build_envelopes(grid, requirements, service.target) if service.mode == "weekly" else None
    lp = lp_bound(
        grid,
        limits,
        weights=weights,
        envelopes=env,
        time_limit_seconds=max(2.0, SHARE_LP_WEEKS * time_limit_seconds),
    ).value
    if progress is not None:
        progress(SolveProgress("LP", lp, lp, time.perf_counter() - t0))
    week_rules = replace(rules, cyclic=False)
    parts: list[Roster] = []
    results: list[RosterResult] = []
    messages = [
        f"LP relaxation of the whole horizon: {lp:,.0f}"
        if not math.isnan(lp)
        else "the LP relaxation of the whole horizon did not finish in its time: no bound"
    ]
    horizon = timedelta(minutes=grid.horizon_minutes)
    for w in range(grid.weeks):
        start = grid.origin + timedelta(days=7 * w)
        before = list(parts[-1].shifts) if parts else []
        after: list[Shift] = []
        if rules.cyclic and w == grid.weeks - 1 and parts:
            after = [
                replace(s, start=s.start + horizon, end=s.end + horizon) for s in parts[0].shifts
            ]
        if rules.cyclic and w == 0 and grid.weeks > 1:
            before = []
        people = edge_safe_agents(
            team,
            week_start=start,
            before=before,
            after=after,
            after_start=start + timedelta(days=7),
            rest_hours=rules.min_rest_hours,
            max_consecutive_days=rules.max_consecutive_days,
        )
        left = SHARE_WEEKS_PLAN * time_limit_seconds - (time.perf_counter() - t0)
        week_req = week_slice(requirements, w)
        part = _plan_one(
            week_req,
            people,
            grid=build_grid(week_req, people, chat=chat, service=service, rules=week_rules),
            chat=chat,
            service=service,
            rules=week_rules,
            time_limit_seconds=max(1.0, left / (grid.weeks - w)),
            num_workers=num_workers,
            seed=seed,
            progress=progress,
            hint=None,
            t0=time.perf_counter(),
            what_ifs=False,
            own_bound=False,
        )
        results.append(part)
        parts.append(part.roster)
        messages.append(f"week {w + 1}: {part.status}; " + "; ".join(part.messages))
    roster = join(grid.origin, team, parts)
    check = check_roster(roster, team, grid=grid, rules=rules, service=service, envelopes=env)
    left = SHARE_WEEKS_END * time_limit_seconds - (time.perf_counter() - t0)
    if env is None and check.terms.shortfall > 0 and left >= 1.0:
        # the time the weeks left: the targeted repair on the whole horizon, where it can
        # also move shifts across the weeks' edges
        picks = _picks_of_roster(grid, team, roster)
        if len(picks) == len(roster.shifts):
            step = _repair_step(
                grid, team, rules, picks, elig=elig, weights=weights, service=service, seconds=left
            )
            if step is not None and step[2] < step[1]:
                fixed, was, now, given = step
                roster = roster_from(grid, team, [(team[i].agent_id, s, lv) for i, s, lv in fixed])
                check = check_roster(
                    roster, team, grid=grid, rules=rules, service=service, envelopes=env
                )
                messages.append(
                    f"the whole horizon, targeted repair with the time the weeks left "
                    f"({given:.1f} s at most): {was:,.0f} -> {now:,.0f} points"
                )
    objective = float(check.terms.total)
    bound = min(lp, objective) if not math.isnan(lp) else math.nan
    gap = (objective - bound) / max(objective, 1.0)
    status = "FALLBACK" if any(r.status == "FALLBACK" for r in results) else "FEASIBLE"
    sentences = diagnose(
        grid,
        team,
        check,
        requirements=requirements,
        rules=rules,
        service=service,
        chat=chat,
        limits=limits,
        weights=weights,
        envelopes=env,
        time_budget_seconds=0.0,
        num_workers=num_workers,
        seed=seed,
    )
    return RosterResult(
        roster=roster,
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        solve_seconds=time.perf_counter() - t0,
        agent_hours=check.paid_minutes / 60.0,
        coverage=coverage_frame(grid, check),
        shortfall_intervals=tuple(int(t) for t in np.flatnonzero(check.coverage.short > 0)),
        diagnosis=tuple(sentences),
        violations=check.violations,
        stage_a_value=float(sum(r.stage_a_value for r in results)),
        stage_a_bound=float(sum(r.stage_a_bound for r in results)),
        lp_bound=lp,
        rules=tuple(rule_names(rules, service).values()),
        messages=tuple(messages),
        objective_terms=check.terms,
    )
