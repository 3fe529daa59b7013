"""Explain a shortfall in sentences and find the cheapest fixes by what-if re-solves of stage A.

Sentences name the hours ("Mon 02:00–06:00"), by how much they are short (agents at the cap on
duty, and solo-chat units), why (nobody available, everyone available already on duty, the
staffing table has no team that meets the target, labour rules), and what would fix it
("add 2 agents available Mon 02:00–06:00", "allow cap 5", "allow 4-hour shifts"), each fix
checked by re-solving stage A with the change within a small time budget.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import replace

import numpy as np

from scheduler.domain import Agent, Requirements
from scheduler.params import ChatModel, Rules, ServiceTarget
from scheduler.roster.aggregate import Aggregate, Limits, aggregate_limits, solve_aggregate
from scheduler.roster.fallback import BLOCKING, AgentState
from scheduler.roster.grid import Grid, build_grid, eligibility, interval_ok_matrix
from scheduler.roster.objective import (
    Envelopes,
    Weights,
    build_envelopes,
    evaluate_coverage,
    make_weights,
)
from scheduler.roster.validate import Check

WHAT_IF_SECONDS = 20.0
"""At most this much wall time for all what-if re-solves together."""
MIN_WHAT_IF_SECONDS = 2.0
"""Below this budget the fixes are suggested analytically, not checked."""


def _runs(ts: list[int]) -> list[tuple[int, int]]:
    """Contiguous runs (first, last) of sorted interval indices."""
    out: list[tuple[int, int]] = []
    for t in ts:
        if out and t == out[-1][1] + 1:
            out[-1] = (out[-1][0], t)
        else:
            out.append((t, t))
    return out


def _short_units(grid: Grid, agg: Aggregate, env: Envelopes | None) -> tuple[int, int]:
    counts = np.zeros((grid.intervals, len(grid.caps)), dtype=np.int64)
    for (s, lv), c in agg.counts.items():
        for t in grid.types[s].duty:
            counts[t, lv] += c
    cov = evaluate_coverage(grid, counts, env)
    return int(cov.short.sum()), cov.weekly_gap


def _mask_for(grid: Grid, runs: list[tuple[int, int]]) -> tuple[tuple[bool, ...], ...]:
    """Availability covering the runs, padded on both sides to fit the shortest shift."""
    pad = max(1, min(grid.shift_minutes) // grid.interval_minutes)
    hours = set()
    for first, last in runs:
        for t in range(first - pad, last + pad + 1):
            hours.add(int(grid.hour_of_week[t % grid.intervals]))
    return tuple(tuple((d * 24 + h) in hours for h in range(24)) for d in range(7))


def diagnose(
    grid: Grid,
    agents: tuple[Agent, ...],
    check: Check,
    *,
    requirements: Requirements,
    rules: Rules,
    service: ServiceTarget,
    chat: ChatModel,
    limits: Limits,
    weights: Weights,
    envelopes: Envelopes | None,
    time_budget_seconds: float,
    num_workers: int,
    seed: int,
    picks: list[tuple[int, int, int]] | None = None,
) -> list[str]:
    """Sentences describing what is short, why, and the fixes that were checked to help.
    ``picks`` (agent, type, level), when given, lets the sentences name the rule that holds
    each agent who could otherwise cover a short hour."""
    cov = check.coverage
    short_ts = [int(t) for t in np.flatnonzero(cov.short > 0)]
    if not short_ts and cov.weekly_gap == 0:
        goal = (
            "the weekly 3-minute target is met and every interval meets the hourly floor"
            if envelopes is not None
            else "every interval meets the target at its highest cap on duty"
        )
        return [f"Fully covered: {goal}."]
    out: list[str] = []
    ok = interval_ok_matrix(grid, agents)
    usable = np.array([grid.top_level(a) is not None for a in agents], dtype=bool)
    elig = eligibility(grid, agents)
    workable = np.zeros((grid.intervals, len(agents)), dtype=bool)
    for st in grid.types:
        for t in st.duty:
            workable[t] |= elig[st.index]
    runs = _runs(short_ts)
    units = np.asarray(grid.units)
    cheapest = np.argmin(np.where(grid.allowed, grid.req_units, np.iinfo(np.int64).max), axis=1)
    no_team: np.ndarray = np.asarray(
        ~np.asarray(requirements.feasible)[:, list(grid.cap_index)].any(axis=1), dtype=bool
    )
    needs: list[int] = []
    for first, last in runs:
        ts = list(range(first, last + 1))
        lv = [int(cov.top[t]) if cov.top[t] >= 0 else int(cheapest[t]) for t in ts]
        need_agents = max(
            math.ceil(int(cov.short[t]) / int(units[x])) for t, x in zip(ts, lv, strict=True)
        )
        need_units = max(int(cov.short[t]) for t in ts) / 10
        cap = grid.caps[max(lv)]
        needs.append(need_agents)
        where = grid.span_label(first, last)
        avail = int(max((ok[t] & usable).sum() for t in ts)) if agents else 0
        can = int(max((workable[t] & usable).sum() for t in ts)) if agents else 0
        shortest = min(grid.shift_minutes) / 60
        if avail == 0:
            why = "no agent is available in these hours"
        elif can == 0:
            why = (
                f"{avail} agent{_s(avail)} {'is' if avail == 1 else 'are'} available here but "
                f"no whole shift (shortest {shortest:g} h) fits inside their availability"
            )
        elif all(no_team[t] for t in ts):
            why = (
                f"the staffing table has no team of up to {requirements.max_team} agents that "
                "meets the target at any allowed cap"
            )
        elif all(cov.agents[t] >= (workable[t] & usable).sum() for t in ts):
            why = (
                "the only agent who could work here is on duty"
                if can == 1
                else f"all {can} agents who could work here are on duty"
            )
        else:
            why = _held_by(grid, agents, rules, picks, ts, elig & usable[None, :]) or (
                "the agents who could work here cannot take another shift without breaking a "
                "labour rule (rest, weekly hours, days off, consecutive days)"
            )
        out.append(
            f"{where}: short by {need_agents} agent{_s(need_agents)} at cap {cap} "
            f"({need_units:g} solo-chat unit{_s(need_units)}); {why}."
        )
    if envelopes is not None and cov.weekly_gap > 0:
        out.append(
            f"The week's expected 3-minute replies fall {cov.weekly_gap / 100:g} sessions short "
            f"of {service.target:.0%} of all sessions."
        )
    out += _what_ifs(
        grid,
        agents,
        check,
        runs,
        needs,
        requirements=requirements,
        rules=rules,
        service=service,
        chat=chat,
        envelopes=envelopes,
        budget=min(WHAT_IF_SECONDS, time_budget_seconds),
        num_workers=num_workers,
        seed=seed,
    )
    del limits, weights
    return out


def _held_by(
    grid: Grid,
    agents: tuple[Agent, ...],
    rules: Rules,
    picks: list[tuple[int, int, int]] | None,
    ts: list[int],
    elig: np.ndarray,
) -> str | None:
    """Which labour rule holds each agent who is off duty in ``ts`` but eligible for a shift
    covering it: the rule that blocks most of those shifts (``AgentState.blocked_by``), as
    "held by labour rules: at their weekly hours (A01, A09); rest between shifts (A04)".
    None without ``picks`` or such agents."""
    if picks is None:
        return None
    own: dict[int, list[int]] = defaultdict(list)
    for i, s, _lv in picks:
        own[i].append(s)
    span = set(ts)
    covering = [st for st in grid.types if span.intersection(st.duty)]
    held: dict[str, list[str]] = defaultdict(list)
    free: list[str] = []
    for i, agent in enumerate(agents):
        if any(span.intersection(grid.types[s].duty) for s in own.get(i, [])):
            continue  # on duty here already
        mine = [st for st in covering if elig[st.index, i]]
        if not mine:
            continue
        state = AgentState(agent, -1, rules, grid)
        for s in own.get(i, []):
            state.take(grid.types[s])
        reasons = Counter(state.blocked_by(st) for st in mine)
        if reasons.get(None):
            free.append(agent.agent_id)
            continue
        rule = max(reasons, key=lambda r: (reasons[r], str(r)))
        held[BLOCKING[str(rule)]].append(agent.agent_id)
    if not held and not free:
        return None
    parts = [
        f"{rule} ({', '.join(sorted(ids)[:6])}{' …' if len(ids) > 6 else ''})"
        for rule, ids in sorted(held.items(), key=lambda x: -len(x[1]))
    ]
    n = sum(len(v) for v in held.values())
    texts = []
    if parts:
        texts.append(
            f"{n} agent{_s(n)} who could work here {'is' if n == 1 else 'are'} held by labour "
            "rules: " + "; ".join(parts)
        )
    if free:
        texts.append(
            f"{', '.join(sorted(free)[:6])} could still take a shift here (more solver time "
            "may cover it)"
        )
    return "; ".join(texts)


def _s(n: float) -> str:
    return "" if n == 1 else "s"


def _what_ifs(
    grid: Grid,
    agents: tuple[Agent, ...],
    check: Check,
    runs: list[tuple[int, int]],
    needs: list[int],
    *,
    requirements: Requirements,
    rules: Rules,
    service: ServiceTarget,
    chat: ChatModel,
    envelopes: Envelopes | None,
    budget: float,
    num_workers: int,
    seed: int,
) -> list[str]:
    base_short = int(check.coverage.short.sum())
    plan_hours = check.paid_minutes / 60
    base_gap = check.coverage.weekly_gap
    started = time.perf_counter()
    trials: list[tuple[str, list[Agent], Rules]] = []
    top_caps = [a.max_concurrent for a in agents]
    cap_new = max(
        [c for c in grid.caps if c <= (max(top_caps) if top_caps else max(grid.caps))],
        default=max(grid.caps),
    )
    extra: list[Agent] = []
    parts: list[str] = []
    shown = list(zip(runs, needs, strict=True))
    for (first, last), count in shown:
        run_mask = _mask_for(grid, [(first, last)])
        for _ in range(max(1, count)):
            extra.append(
                Agent(
                    f"__extra{len(extra)}",
                    cap_new,
                    max(rules.full_time_hours, 40.0),
                    available=run_mask,
                    night_ok=True,
                    weekend_ok=True,
                )
            )
        parts.append(
            f"{max(1, count)} agent{_s(max(1, count))} available {grid.span_label(first, last)}"
        )
    listed = ", ".join(parts[:4]) + (
        f" and {len(parts) - 4} more windows" if len(parts) > 4 else ""
    )
    trials.append((f"add {listed} (cap {cap_new})", [*agents, *extra], rules))
    higher = [c for c in requirements.caps if c > max(grid.caps)]
    if higher:
        k = higher[0]
        trials.append(
            (
                f"allow cap {k} (接待上限) in the rules",
                list(agents),
                replace(rules, allowed_caps=tuple(sorted({*rules.allowed_caps, k}))),
            )
        )
    floor_cap = min((a.max_concurrent for a in agents), default=max(grid.caps))
    raisable = [c for c in grid.caps if c > floor_cap]
    for k in sorted({raisable[0], raisable[-1]}) if raisable else []:
        trials.append(
            (
                f"allow cap {k}: raise the agents' reception cap (接待上限) to {k}",
                [replace(a, max_concurrent=max(a.max_concurrent, k)) for a in agents],
                rules,
            )
        )
    for hours in (4.0, 6.0):
        if hours not in rules.shift_lengths_hours:
            trials.append(
                (
                    f"allow {hours:g}-hour shifts",
                    list(agents),
                    replace(
                        rules,
                        shift_lengths_hours=tuple(sorted({*rules.shift_lengths_hours, hours})),
                    ),
                )
            )
            break
    results: list[tuple[int, float, int, str]] = []
    if budget < MIN_WHAT_IF_SECONDS:
        return [f"Suggested (not checked, no time left for what-if re-solves): {trials[0][0]}."]
    for k, (text, team, trial_rules) in enumerate(trials):
        left = budget - (time.perf_counter() - started)
        if left <= 0.2:
            break
        per = left / (len(trials) - k)
        g2 = build_grid(requirements, team, chat=chat, service=service, rules=trial_rules)
        env2 = build_envelopes(g2, requirements, service.target) if envelopes is not None else None
        elig2 = eligibility(g2, team)
        ok2 = interval_ok_matrix(g2, team)
        lim2 = aggregate_limits(g2, tuple(team), trial_rules, elig2, ok2)
        agg = solve_aggregate(
            g2,
            lim2,
            weights=make_weights(g2),
            envelopes=env2,
            hint=None,
            time_limit_seconds=per,
            num_workers=num_workers,
            seed=seed,
            progress=None,
            t0=started,
        )
        if agg.outcome.status == "UNKNOWN":
            continue
        short, gap = _short_units(g2, agg, env2)
        hours = sum(g2.types[s].paid_minutes * c for (s, _lv), c in agg.counts.items()) / 60
        if short < base_short or gap < base_gap:
            results.append((short + gap, hours, k, text))
    if not results:
        return [
            "No quick fix found: tried "
            + "; ".join(t for t, _, _ in trials)
            + ". Lower the target or add agents with wider availability."
        ]
    results.sort()  # closes most of the gap first, then fewest agent-hours
    lines = []
    for rank, (left_short, hours, _k, text) in enumerate(results):
        tail = (
            "closes the gap"
            if left_short == 0
            else f"leaves {left_short / 10:g} solo-unit-intervals short"
        )
        lead = "Cheapest fix" if rank == 0 else "Also helps"
        # the re-solve is a quick aggregate plan with the few seconds left, so its hours are
        # an upper estimate: said next to this plan's, not as what the fix costs
        lines.append(
            f"{lead}: {text} — {tail} (checked by a quick re-plan: {hours:g} agent-hours "
            f"there, {plan_hours:g} in this plan; a full re-plan usually needs fewer)."
        )
    return lines
