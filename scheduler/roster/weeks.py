"""Multi-week horizons: plan week by week ("a small CP-SAT per week"), then check the whole.

Each calendar week is planned (``plan._plan_one``, without an LP bound or what-if re-solves of
its own) on its own slice of the staffing table, with the week's edges made safe by narrowing
each agent's availability:
- rest after the previous week's last shift: no hour before its end + ``min_rest_hours``;
- consecutive days: a forced day off early in the week when the previous week ended with a
  run of working days;
- the cyclic wrap (last week -> first week) the same way, against the first week's plan.
Shifts do not cross week edges while the weeks are planned (each week is planned non-cyclic),
which keeps every week's problem small; the targeted repair of the joined roster over the whole
horizon (``plan.SHARE_WEEKS_PLAN`` to ``SHARE_WEEKS_END`` of the time) may then move shifts
across the edges to cover what they left short.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta

from scheduler.domain import Agent, Requirements, Roster, Shift

HOURS = 168


def week_slice(requirements: Requirements, week: int) -> Requirements:
    """The staffing table's intervals of calendar week ``week`` (starting Monday 00:00)."""
    per_week = HOURS * 60 // requirements.interval_minutes
    lo, hi = week * per_week, min((week + 1) * per_week, requirements.intervals)
    return replace(
        requirements,
        interval_starts=requirements.interval_starts[lo:hi],
        sessions=requirements.sessions[lo:hi],
        feasible=requirements.feasible[lo:hi],
        required=requirements.required[lo:hi],
        service=requirements.service[lo:hi],
    )


def _block(mask: list[list[bool]], start_hour: int, end_hour: int) -> None:
    """Make hours [start_hour, end_hour) of the week (0 = Monday 00:00) unavailable."""
    for h in range(max(0, start_hour), min(HOURS, end_hour)):
        mask[h // 24][h % 24] = False


def _run_from_end(days: set[int], last: int) -> int:
    run = 0
    while last - run in days:
        run += 1
    return run


def edge_safe_agents(
    agents: tuple[Agent, ...],
    *,
    week_start: datetime,
    before: list[Shift],
    after: list[Shift],
    after_start: datetime,
    rest_hours: float,
    max_consecutive_days: int,
) -> tuple[Agent, ...]:
    """Agents with availability narrowed so that the week planned from ``week_start`` respects
    rest and consecutive days against ``before`` (shifts ending before or at the week's start)
    and ``after`` (shifts of the week that follows, starting at ``after_start``)."""
    out = []
    for a in agents:
        mask = [list(day) for day in a.available]
        mine_before = [s for s in before if s.agent_id == a.agent_id]
        mine_after = [s for s in after if s.agent_id == a.agent_id]
        if mine_before:
            free_at = max(s.end for s in mine_before) + timedelta(hours=rest_hours)
            hours = math.ceil((free_at - week_start).total_seconds() / 3600)
            _block(mask, 0, hours)
            days = {(s.start - week_start).days for s in mine_before}
            run = _run_from_end(days, -1)
            if run:
                _block(
                    mask, 24 * (max_consecutive_days - run), 24 * (max_consecutive_days - run + 1)
                )
        if mine_after:
            first = min(s.start for s in mine_after) - timedelta(hours=rest_hours)
            hours = math.floor((first - week_start).total_seconds() / 3600)
            _block(mask, hours, HOURS)
            days = {(s.start - after_start).days for s in mine_after}
            run = 0
            while run in days:
                run += 1
            if run:
                off = 6 - (max_consecutive_days - run)
                _block(mask, 24 * off, 24 * (off + 1))
        out.append(replace(a, available=tuple(tuple(day) for day in mask)))
    return tuple(out)


def join(week_start: datetime, agents: tuple[Agent, ...], parts: list[Roster]) -> Roster:
    shifts = sorted((s for r in parts for s in r.shifts), key=lambda s: (s.start, s.agent_id))
    return Roster(week_start=week_start.date(), shifts=tuple(shifts), agents=agents)
