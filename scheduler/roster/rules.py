"""Stage B's rules: one named function per rule, registered with its readable name.

Each rule either filters candidates (``allows``: the candidate (agent, shift type, level) is
never created when it breaks the rule) or adds its hard part to the model (``add``) and returns
its penalty terms as (expression, weight) pairs. ``RULES`` is the registry; names come from
``catalogue.rule_names`` so the validator reports under the same names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from scheduler.domain import Agent
from scheduler.params import Rules
from scheduler.roster.grid import (
    Grid,
    ShiftType,
    fairness_groups,
    max_days_worked,
    min_minutes_in_week,
)
from scheduler.roster.objective import Weights

Penalty = tuple[cp_model.LinearExprT, int]


@dataclass
class NamedContext:
    """The named model under construction (mutable while rules add to it)."""

    model: cp_model.CpModel
    grid: Grid
    rules: Rules
    agents: tuple[Agent, ...]
    weights: Weights
    elig: np.ndarray
    """(types, agents) availability/eligibility of every shift type for every agent."""
    tops: tuple[int, ...]
    """Each agent's highest usable level (-1: none)."""
    cands: list[tuple[int, int, int, cp_model.IntVar]] = field(default_factory=list)
    """(agent, type, level, Boolean) candidates."""
    shapes: dict[int, dict[tuple[int, int], cp_model.IntVar]] = field(default_factory=dict)
    """agent -> (start, length) -> Boolean 'works this shape' (any break, any level)."""
    shape_paid: dict[tuple[int, int], int] = field(default_factory=dict)

    def shape_type(self, shape: tuple[int, int]) -> ShiftType:
        return self._rep[shape]

    _rep: dict[tuple[int, int], ShiftType] = field(default_factory=dict)

    def day_terms(self, i: int) -> dict[int, list[cp_model.IntVar]]:
        out: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for shape, y in self.shapes.get(i, {}).items():
            out[self._rep[shape].day].append(y)
        return out


Allows = Callable[[NamedContext, int, ShiftType, int], bool]
Adds = Callable[[NamedContext], list[Penalty]]


@dataclass(frozen=True)
class NamedRule:
    """A registered rule: its id (key into ``catalogue.rule_names``), a candidate filter and/or
    a model builder."""

    key: str
    allows: Allows | None = None
    add: Adds | None = None


# --- candidate filters -------------------------------------------------------------------


def allows_availability(ctx: NamedContext, i: int, st: ShiftType, lv: int) -> bool:
    """Every interval of the shift (break included) inside the agent's availability mask."""
    return bool(ctx.elig[st.index, i])


def allows_night(ctx: NamedContext, i: int, st: ShiftType, lv: int) -> bool:
    """Night hours only for night-eligible agents."""
    return ctx.agents[i].night_ok or not st.night


def allows_weekend(ctx: NamedContext, i: int, st: ShiftType, lv: int) -> bool:
    """Weekend hours only for weekend-eligible agents."""
    return ctx.agents[i].weekend_ok or not st.weekend


def allows_cap(ctx: NamedContext, i: int, st: ShiftType, lv: int) -> bool:
    """The shift's cap is an allowed level and <= the agent's max_concurrent."""
    return 0 <= lv <= ctx.tops[i]


def allows_cap_feasible(ctx: NamedContext, i: int, st: ShiftType, lv: int) -> bool:
    """No level in an interval where the staffing table rules it out (checked over the whole
    shift, break included, exactly as stage A does, so stage A stays a relaxation)."""
    return bool(ctx.grid.allowed[list(st.span), lv].all())


def allows_shape(ctx: NamedContext, i: int, st: ShiftType, lv: int) -> bool:
    """Shift types come from the grid (allowed lengths, start step, daily maximum); a shift no
    longer than the agent's weekly maximum."""
    return st.paid_minutes <= ctx.agents[i].max_hours_week * 60 + 1e-6


def allows_break(ctx: NamedContext, i: int, st: ShiftType, lv: int) -> bool:
    """Long shifts carry a break at a grid offset (built into the shift types)."""
    needs = ctx.rules.break_after_hours > 0 and (
        st.length * ctx.grid.interval_minutes > ctx.rules.break_after_hours * 60
    )
    return needs == (st.break_offset >= 0)


# --- model rules ---------------------------------------------------------------------------


def add_one_per_day(ctx: NamedContext) -> list[Penalty]:
    """At most one shift per agent per day (by start day)."""
    for i in range(len(ctx.agents)):
        for ys in ctx.day_terms(i).values():
            if len(ys) > 1:
                ctx.model.add_at_most_one(ys)
    return []


def add_rest(ctx: NamedContext) -> list[Penalty]:
    """No overlap and rest >= min_rest_hours between any two shifts of an agent, including across
    the cyclic wrap. Two shifts conflict iff their arcs [start, end + rest) overlap; on a circle
    every overlapping pair shares the start point of one of them, so one at-most-one per start
    point of an agent's candidate shapes covers every pair."""
    g = ctx.grid
    m = g.interval_minutes
    h = g.horizon_minutes
    rest = round(ctx.rules.min_rest_hours * 60)
    for i in range(len(ctx.agents)):
        shapes = ctx.shapes.get(i, {})
        if len(shapes) < 2:
            continue
        arcs = [(st * m, (st + ln) * m + rest, y) for (st, ln), y in shapes.items()]
        points = sorted({a for a, _, _ in arcs})
        seen: set[tuple[int, ...]] = set()
        for p in points:
            group = []
            for k, (a0, a1, y) in enumerate(arcs):
                inside = a0 <= p < a1
                if g.cyclic and not inside:
                    inside = a0 <= p + h < a1 or a0 <= p - h < a1
                if inside:
                    group.append((k, y))
            key = tuple(k for k, _ in group)
            if len(group) > 1 and key not in seen:
                seen.add(key)
                ctx.model.add_at_most_one([y for _, y in group])
    return []


def add_max_hours(ctx: NamedContext) -> list[Penalty]:
    """Paid minutes per calendar week <= max_hours_week (breaks excluded)."""
    for i, agent in enumerate(ctx.agents):
        per_week: dict[int, list[Penalty]] = defaultdict(list)
        for shape, y in ctx.shapes.get(i, {}).items():
            per_week[ctx.shape_type(shape).week].append((y, ctx.shape_paid[shape]))
        for terms in per_week.values():
            if sum(p for _, p in terms) > agent.max_hours_week * 60:
                ctx.model.add(sum(p * y for y, p in terms) <= int(agent.max_hours_week * 60))
    return []


def add_min_hours(ctx: NamedContext) -> list[Penalty]:
    """Soft: each minute below min_hours_week (pro rata in a partial week) costs W_PREF."""
    out: list[Penalty] = []
    for i, agent in enumerate(ctx.agents):
        for week in range(ctx.grid.weeks):
            low = min_minutes_in_week(ctx.grid, agent, week)
            if low <= 0:
                continue
            terms = [
                (y, ctx.shape_paid[shape])
                for shape, y in ctx.shapes.get(i, {}).items()
                if ctx.shape_type(shape).week == week
            ]
            deficit = ctx.model.new_int_var(0, low, f"B.below_min[{agent.agent_id},w{week}]")
            ctx.model.add(deficit + sum(p * y for y, p in terms) >= low)
            out.append((deficit, ctx.weights.pref))
    return out


def add_consecutive(ctx: NamedContext) -> list[Penalty]:
    """At most max_consecutive_days working days in any window (wrapping when cyclic)."""
    g = ctx.grid
    k = ctx.rules.max_consecutive_days
    if g.days <= k:
        return []
    starts = range(g.days) if g.cyclic else range(g.days - k)
    for i in range(len(ctx.agents)):
        days = ctx.day_terms(i)
        if len(days) <= k:
            continue
        for d0 in starts:
            window = [y for d in range(d0, d0 + k + 1) for y in days.get(d % g.days, [])]
            covered = {d % g.days for d in range(d0, d0 + k + 1) if days.get(d % g.days)}
            if len(covered) > k:
                ctx.model.add(sum(window) <= k)
    return []


def add_days_off(ctx: NamedContext) -> list[Penalty]:
    """Days worked per calendar week <= 7 - days off (2 for full-timers by default)."""
    for i, agent in enumerate(ctx.agents):
        days = ctx.day_terms(i)
        for week in range(ctx.grid.weeks):
            cap = max_days_worked(ctx.grid, agent, ctx.rules, week)
            week_days = [d for d in days if d // 7 == week]
            if len(week_days) > cap:
                ctx.model.add(sum(y for d in week_days for y in days[d]) <= cap)
    return []


def _spread(
    ctx: NamedContext, group: tuple[int, ...], pick: Callable[[ShiftType], bool], name: str
) -> list[Penalty]:
    if len(group) < 2:
        return []
    counts = []
    most = 0
    for i in group:
        ys = [y for shape, y in ctx.shapes.get(i, {}).items() if pick(ctx.shape_type(shape))]
        most = max(most, len(ys))
        counts.append(sum(ys))
    hi = ctx.model.new_int_var(0, max(most, 0), f"B.{name}_max")
    lo = ctx.model.new_int_var(0, max(most, 0), f"B.{name}_min")
    for c in counts:
        ctx.model.add(hi >= c)
        ctx.model.add(lo <= c)
    return [(hi - lo, ctx.weights.fair)]


def add_fair_nights(ctx: NamedContext) -> list[Penalty]:
    """Soft: spread of night shifts among night-eligible agents (W_FAIR per shift)."""
    nights, _ = fairness_groups(ctx.grid, ctx.agents)
    return _spread(ctx, nights, lambda st: st.night, "nights")


def add_fair_weekends(ctx: NamedContext) -> list[Penalty]:
    """Soft: spread of weekend shifts among weekend-eligible agents (W_FAIR per shift)."""
    _, weekends = fairness_groups(ctx.grid, ctx.agents)
    return _spread(ctx, weekends, lambda st: st.weekend, "weekends")


RULES: tuple[NamedRule, ...] = (
    NamedRule("shape", allows=allows_shape),
    NamedRule("break", allows=allows_break),
    NamedRule("availability", allows=allows_availability),
    NamedRule("night", allows=allows_night),
    NamedRule("weekend", allows=allows_weekend),
    NamedRule("cap", allows=allows_cap),
    NamedRule("cap_feasible", allows=allows_cap_feasible),
    NamedRule("one_per_day", add=add_one_per_day),
    NamedRule("rest", add=add_rest),
    NamedRule("max_hours", add=add_max_hours),
    NamedRule("min_hours", add=add_min_hours),
    NamedRule("consecutive", add=add_consecutive),
    NamedRule("days_off", add=add_days_off),
    NamedRule("fair_nights", add=add_fair_nights),
    NamedRule("fair_weekends", add=add_fair_weekends),
)
"""Stage B's rules in the order they are applied; coverage (``coverage.add_coverage``) is the
last, shared with stage A."""
