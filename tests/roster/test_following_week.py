"""A week that follows a published one (issue 21): last week's Sunday-night shift covers
Monday's first hours, its agent rests before working again, and days in a row count across the
boundary; nothing wraps."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from scheduler.context import roster_problem
from scheduler.domain import Agent, Shift
from scheduler.params import PlanParams, Rules, SearchParams
from scheduler.pipeline import plan_roster
from scheduler.report import interval_teams
from scheduler.roster import validate
from scheduler.roster.cost import cover_sum
from scheduler.roster.rules import Consecutive
from scheduler.simulate.inputs import team_from_roster
from tests.roster.factory import CHAT, MONDAY, flat_need, make_requirements, window_need

SUNDAY = MONDAY - timedelta(days=1)
RULES = Rules(interval_minutes=60, max_consecutive_days=6, min_days_off=1,
              min_days_off_full_time=1, min_rest_hours=11.0)
PARAMS = PlanParams(chat=CHAT, rules=RULES, time_limit_seconds=4.0, num_workers=1,
                    search=SearchParams())
AGENTS = tuple(Agent(f"A{i}", max_concurrent=3, max_hours_week=48.0) for i in range(1, 7))


def last_week() -> tuple[Shift, ...]:
    """A1 worked Wednesday to Sunday, the Sunday shift 22:00-06:00 into this Monday; A2 only
    Sunday, 09:00-17:00."""
    a1 = [Shift("A1", SUNDAY - timedelta(days=d) + timedelta(hours=9),
                SUNDAY - timedelta(days=d) + timedelta(hours=17), 3) for d in range(1, 5)]
    a1.append(Shift("A1", SUNDAY + timedelta(hours=22), MONDAY + timedelta(hours=6), 3))
    a2 = [Shift("A2", SUNDAY + timedelta(hours=9), SUNDAY + timedelta(hours=17), 2)]
    return (*a1, *a2)


def test_the_week_follows_the_published_week_before() -> None:
    req = make_requirements(flat_need(7, 2.0))
    before = last_week()
    p = roster_problem(req, AGENTS, PARAMS, before=before)
    assert not p.cyclic
    assert [Consecutive().lead(p, a) for a in range(6)] == [5, 1, 0, 0, 0, 0]
    # A1's Sunday-night shift is on duty Monday 00:00-06:00 (outside the plan), not later
    assert p.carried is not None
    assert (p.carried[:6] > 0).all() and (p.carried[6:] == 0).all()
    assert (cover_sum(p, ())[:6] == p.carried[:6]).all()
    result = plan_roster(req, AGENTS, PARAMS, before=before)
    roster = result.roster
    assert roster.before == (before[4],)
    assert not validate(p, roster) or all(v.kind == "soft" for v in validate(p, roster))
    week0, week1 = MONDAY, MONDAY + timedelta(days=7)
    assert all(week0 <= s.start and s.end <= week1 for s in roster.shifts)  # nothing wraps
    mine = sorted(roster.for_agent("A1"), key=lambda s: s.start)
    # 11 h rest after 06:00 Monday; and with five days in a row behind them, not both
    # Monday and Tuesday
    assert mine and mine[0].start >= MONDAY + timedelta(hours=17)
    days = {s.start.date() for s in mine}
    assert not {MONDAY.date(), (MONDAY + timedelta(days=1)).date()} <= days
    # the plan's coverage and the simulator both count A1 on Monday at 03:00
    assert 3 in interval_teams(roster, req)[3]
    team = team_from_roster(roster, CHAT)
    a1 = team.agent_ids.index("A1")
    assert a1 in {int(x) for x in np.flatnonzero(_on_duty(team, 3 * 3600.0))}


def _on_duty(team: object, t: float) -> np.ndarray:
    """Agents with an open duty period at ``t`` (seconds from Monday 00:00)."""
    duty = team.duty  # type: ignore[attr-defined]
    level = np.zeros(duty.n_agents, dtype=np.int64)
    for when, agent, delta in zip(duty.times_seconds, duty.agents, duty.deltas, strict=True):
        if when > t:
            break
        level[agent] += delta
    return level > 0


def test_days_in_a_row_across_the_boundary_inside_and_outside_the_limit() -> None:
    """Six days in a row before the week (the limit): Monday is not allowed; five: Monday is,
    but not Monday and Tuesday both."""
    req = make_requirements(flat_need(7, 1.0))
    rule = Consecutive()
    for lead, monday_ok, two_ok in ((6, False, False), (5, True, False), (4, True, True)):
        before = tuple(Shift("A1", SUNDAY - timedelta(days=d) + timedelta(hours=8),
                             SUNDAY - timedelta(days=d) + timedelta(hours=12), 3)
                       for d in range(lead))
        p = roster_problem(req, AGENTS, PARAMS, before=before)
        assert rule.lead(p, 0) == lead
        mon = next(st for st in p.types if st.start == 9 and st.length == 8)
        tue = next(st for st in p.types if st.start == 24 + 9 and st.length == 8)
        assert rule.allows(p, 0, mon, []) is monday_ok
        assert rule.allows(p, 0, tue, [mon]) is two_ok
        assert rule.allows(p, 1, tue, [mon])  # A2 worked nothing the week before


def test_nights_are_evened_out_with_the_weeks_before() -> None:
    """Three agents alike; one night shift is needed on each of four nights (Mon-Thu
    23:00-03:00). The two weeks before gave A1 eight nights and A2 and A3 none: this week A1
    gets none of the four (counted within the week alone, A1 would get one), at the same
    agent-hours."""
    need = window_need(7, [(24 * d + 23, 24 * d + 27, 1.0) for d in range(4)])
    req = make_requirements(need)
    team = AGENTS[:3]
    rules = Rules(interval_minutes=60, shift_lengths_hours=(4.0,), break_after_hours=0.0)
    params = PlanParams(chat=CHAT, rules=rules, time_limit_seconds=8.0, num_workers=1)
    past = tuple(Shift("A1", SUNDAY - timedelta(days=7 * w + d) + timedelta(hours=23),
                       SUNDAY - timedelta(days=7 * w + d) + timedelta(hours=27), 3)
                 for w in range(2) for d in range(1, 5))
    alone = plan_roster(req, team, params)
    fair = plan_roster(req, team, params, past_shifts=past)
    p = roster_problem(req, team, params, past_shifts=past)
    assert p.history[0][0] == 8 and p.history[1][0] == p.history[2][0] == 0
    nights = {a.agent_id: sum(1 for s in fair.roster.for_agent(a.agent_id)
                              if s.start.hour == 23) for a in team}
    assert sum(nights.values()) == 4 and nights["A1"] == 0
    assert fair.agent_hours == alone.agent_hours == 16.0
    # counted within the week alone, four nights over three agents give everyone one or two
    assert sum(1 for s in alone.roster.for_agent("A1") if s.start.hour == 23) >= 1
