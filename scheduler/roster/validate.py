"""A solver-independent validator: re-checks every rule on a roster and recomputes the objective.

Plain Python and numpy only (no ortools), so it can judge plans from any source: the solver,
the greedy fallback, or a roster the manager edited by hand.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from scheduler.domain import NIGHT_HOURS, Agent, Requirements, Roster, Shift
from scheduler.params import ChatModel, Rules, ServiceTarget
from scheduler.roster.catalogue import rule_names
from scheduler.roster.grid import (
    Grid,
    build_grid,
    days_in_week,
    days_off_required,
    fairness_groups,
    min_minutes_in_week,
)
from scheduler.roster.objective import (
    CoverageEval,
    Envelopes,
    ObjectiveTerms,
    build_envelopes,
    coverage_cost,
    evaluate_coverage,
    make_weights,
)
from scheduler.roster.result import Violation


@dataclass(frozen=True)
class _Placed:
    """A shift placed on the horizon: minutes from the origin (wrapped when cyclic)."""

    shift: Shift
    start: int
    minutes: int
    paid: int
    day: int
    week: int
    level: int | None
    duty: tuple[int, ...]
    hours: tuple[int, ...]
    """Hours of the week (0..167) the shift touches, break included."""


@dataclass(frozen=True)
class Check:
    """Everything the validator computed about one plan."""

    violations: tuple[Violation, ...]
    counts: np.ndarray
    """(T, L) agents on duty per interval and level."""
    coverage: CoverageEval
    terms: ObjectiveTerms
    paid_minutes: int


def _place(grid: Grid, shift: Shift) -> _Placed:
    m = grid.interval_minutes
    start = grid.offset_minutes(shift.start)
    minutes = round((shift.end - shift.start).total_seconds() / 60)
    b0 = b1 = -1
    if shift.break_start is not None and shift.break_end is not None:
        b0 = round((shift.break_start - shift.start).total_seconds() / 60)
        b1 = round((shift.break_end - shift.start).total_seconds() / 60)
    duty: list[int] = []
    first = math.ceil(start / m)
    t = first
    while t * m + m <= start + minutes:
        rel0, rel1 = t * m - start, t * m + m - start
        if not (b0 >= 0 and rel0 < b1 and b0 < rel1):
            duty.append(t % grid.intervals if grid.cyclic else t)
        t += 1
    hours: list[int] = []
    h = start // 60
    while h * 60 < start + minutes:
        hours.append(h % 168)
        h += 1
    day = (start // 1440) % grid.days if grid.cyclic else start // 1440
    return _Placed(
        shift=shift,
        start=start,
        minutes=minutes,
        paid=round(shift.paid_hours * 60),
        day=day,
        week=day // 7,
        level=grid.level_of_cap(shift.max_concurrent),
        duty=tuple(duty),
        hours=tuple(hours),
    )


def _violations_of_shift(
    grid: Grid, rules: Rules, names: dict[str, str], p: _Placed, agent: Agent
) -> list[Violation]:
    out: list[Violation] = []
    aid = agent.agent_id
    sh = p.shift
    when = f"{sh.start:%a %H:%M}–{sh.end:%H:%M}"

    def add(rule: str, message: str) -> None:
        out.append(Violation(names[rule], f"{aid} {when}: {message}", "hard", aid))

    if p.minutes not in grid.shift_minutes:
        add("shape", f"length {p.minutes / 60:g} h is not an allowed shift length")
    if p.start % rules.start_step_minutes:
        add("shape", f"start is not on the {rules.start_step_minutes}-minute grid")
    if not grid.cyclic and (p.start < 0 or p.start + p.minutes > grid.horizon_minutes):
        add("shape", "the shift runs outside the planning horizon")
    has_break = sh.break_start is not None and sh.break_end is not None
    if has_break:
        assert sh.break_start is not None and sh.break_end is not None
        if not (sh.start < sh.break_start < sh.break_end < sh.end):
            add("break", "the break is not inside the shift")
    needs = rules.break_after_hours > 0 and p.minutes > rules.break_after_hours * 60
    if needs and not has_break:
        add("break", f"a shift of {p.minutes / 60:g} h needs a {rules.break_minutes}-minute break")
    if needs and has_break and p.minutes - p.paid < rules.break_minutes:
        add("break", f"the break is shorter than {rules.break_minutes} minutes")
    bad_hours = [h for h in p.hours if not agent.available[h // 24][h % 24]]
    if bad_hours:
        h = bad_hours[0]
        add("availability", f"not available {grid_day(h)} {h % 24:02d}:00")
    if not agent.night_ok and any(h % 24 in NIGHT_HOURS for h in p.hours):
        add("night", "works night hours but is not night-eligible")
    if not agent.weekend_ok and any(h // 24 >= 5 for h in p.hours):
        add("weekend", "works weekend hours but is not weekend-eligible")
    if sh.max_concurrent > agent.max_concurrent:
        add("cap", f"cap {sh.max_concurrent} > the agent's max {agent.max_concurrent}")
    if p.level is None:
        add("cap", f"cap {sh.max_concurrent} is not among the allowed caps {list(grid.caps)}")
    else:
        bad = [t for t in p.duty if 0 <= t < grid.intervals and not grid.allowed[t, p.level]]
        if bad:
            add("cap_feasible", f"cap {sh.max_concurrent} is ruled out at {grid.label(bad[0])}")
    return out


def grid_day(hour_of_week: int) -> str:
    return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[hour_of_week // 24 % 7]


def _agent_violations(
    grid: Grid, rules: Rules, names: dict[str, str], agent: Agent, placed: list[_Placed]
) -> list[Violation]:
    out: list[Violation] = []
    aid = agent.agent_id

    def add(rule: str, message: str, kind: str = "hard") -> None:
        out.append(Violation(names[rule], f"{aid}: {message}", kind, aid))

    per_day: dict[int, int] = defaultdict(int)
    for p in placed:
        per_day[p.day] += 1
    for day, n in sorted(per_day.items()):
        if n > 1:
            add("one_per_day", f"{n} shifts start on day {day + 1} ({grid_day(day * 24)})")
    # rest and overlap, in circular order when cyclic
    order = sorted(placed, key=lambda p: p.start)
    rest = round(rules.min_rest_hours * 60)
    pairs = list(itertools.pairwise(order))
    if grid.cyclic and len(order) >= 2:
        pairs.append((order[-1], order[0]))
    for a, b in pairs:
        b_start = b.start if b.start >= a.start else b.start + grid.horizon_minutes
        if b is order[0] and a is order[-1]:
            b_start = b.start + grid.horizon_minutes
        gap = b_start - (a.start + a.minutes)
        if gap < 0:
            add("rest", f"shifts overlap ({a.shift.start:%a %H:%M} and {b.shift.start:%a %H:%M})")
        elif gap < rest:
            add(
                "rest",
                f"only {gap / 60:g} h rest between {a.shift.start:%a %H:%M} and "
                f"{b.shift.start:%a %H:%M} shifts",
            )
    for week in range(grid.weeks):
        mine = [p for p in placed if p.week == week]
        paid = sum(p.paid for p in mine)
        if paid > agent.max_hours_week * 60 + 1e-6:
            add("max_hours", f"{paid / 60:g} paid h in week {week + 1} > {agent.max_hours_week:g}")
        low = min_minutes_in_week(grid, agent, week)
        if paid < low:
            add("min_hours", f"{paid / 60:g} paid h in week {week + 1} < {low / 60:g}", "soft")
        worked = len({p.day for p in mine})
        allowed_days = max(0, min(days_in_week(grid, week), 7 - days_off_required(agent, rules)))
        if worked > allowed_days:
            add(
                "days_off",
                f"works {worked} days in week {week + 1}; at most {allowed_days} allowed",
            )
    worked_days = sorted({p.day for p in placed})
    longest = _longest_run(worked_days, grid.days, grid.cyclic)
    if longest > rules.max_consecutive_days:
        add(
            "consecutive",
            f"works {longest} consecutive days (max {rules.max_consecutive_days})",
        )
    return out


def _longest_run(days: list[int], horizon_days: int, cyclic: bool) -> int:
    if not days:
        return 0
    on = [False] * horizon_days
    for d in days:
        if 0 <= d < horizon_days:
            on[d] = True
    if cyclic and all(on):
        return horizon_days
    seq = on + on if cyclic else on
    best = run = 0
    for x in seq:
        run = run + 1 if x else 0
        best = max(best, run)
    return min(best, horizon_days)


def check_roster(
    roster: Roster,
    agents: tuple[Agent, ...] | list[Agent],
    *,
    grid: Grid,
    rules: Rules,
    service: ServiceTarget,
    envelopes: Envelopes | None,
) -> Check:
    """Validate a roster on a prepared grid (the fast path used by ``plan_roster``)."""
    names = rule_names(rules, service)
    by_id = {a.agent_id: a for a in agents}
    violations: list[Violation] = []
    counts = np.zeros((grid.intervals, len(grid.caps)), dtype=np.int64)
    placed_by_agent: dict[str, list[_Placed]] = defaultdict(list)
    paid_total = 0
    for sh in roster.shifts:
        agent = by_id.get(sh.agent_id)
        if agent is None:
            violations.append(
                Violation(names["availability"], f"unknown agent {sh.agent_id!r}", "hard")
            )
            continue
        p = _place(grid, sh)
        placed_by_agent[sh.agent_id].append(p)
        paid_total += p.paid
        violations.extend(_violations_of_shift(grid, rules, names, p, agent))
        if p.level is not None:
            for t in p.duty:
                if 0 <= t < grid.intervals:
                    counts[t, p.level] += 1
    nights, weekends = fairness_groups(grid, agents)
    night_count = np.zeros(len(agents), dtype=np.int64)
    weekend_count = np.zeros(len(agents), dtype=np.int64)
    deficit = 0
    for i, agent in enumerate(agents):
        placed = placed_by_agent.get(agent.agent_id, [])
        violations.extend(_agent_violations(grid, rules, names, agent, placed))
        night_count[i] = sum(1 for p in placed if any(h % 24 in NIGHT_HOURS for h in p.hours))
        weekend_count[i] = sum(1 for p in placed if any(h // 24 >= 5 for h in p.hours))
        for week in range(grid.weeks):
            paid = sum(p.paid for p in placed if p.week == week)
            deficit += max(0, min_minutes_in_week(grid, agent, week) - paid)
    cov = evaluate_coverage(grid, counts, envelopes)
    for t in (int(x) for x in np.flatnonzero(cov.short > 0)):
        violations.append(
            Violation(
                names["coverage"],
                f"{grid.label(t)}: short by {cov.short[t] / 10:g} solo-chat units",
                "coverage",
                interval=t,
            )
        )
    if envelopes is not None and cov.weekly_gap > 0:
        violations.append(
            Violation(
                names["coverage"],
                f"the week's expected 3-minute replies fall {cov.weekly_gap / 100:g} sessions "
                "short of the target",
                "coverage",
            )
        )
    weights = make_weights(grid)
    short_pts, cap_pts = coverage_cost(grid, weights, cov, counts)

    def spread(values: np.ndarray, group: tuple[int, ...]) -> int:
        if len(group) < 2:
            return 0
        sel = values[list(group)]
        return int(sel.max() - sel.min())

    fair = weights.fair * (spread(night_count, nights) + spread(weekend_count, weekends))
    fair += weights.pref * deficit
    terms = ObjectiveTerms(
        shortfall=short_pts,
        time=weights.minute * paid_total,
        cap=cap_pts,
        fairness=fair,
    )
    return Check(tuple(violations), counts, cov, terms, paid_total)


def validate_roster(
    roster: Roster,
    agents: tuple[Agent, ...] | list[Agent],
    rules: Rules,
    requirements: Requirements,
    chat: ChatModel,
    *,
    service: ServiceTarget | None = None,
) -> list[Violation]:
    """Re-check every rule on ``roster`` (no ortools): shapes, overlaps, rest, hours, days,
    availability, eligibility, caps, breaks and coverage per interval. Returns every violation;
    'coverage' ones are demand left uncovered, 'soft' ones missed preferences."""
    service = service or ServiceTarget(target=requirements.target)
    grid = build_grid(requirements, agents, chat=chat, service=service, rules=rules)
    env = build_envelopes(grid, requirements, service.target) if service.mode == "weekly" else None
    return list(
        check_roster(
            roster, agents, grid=grid, rules=rules, service=service, envelopes=env
        ).violations
    )
