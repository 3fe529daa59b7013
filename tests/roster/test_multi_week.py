"""Horizons longer than a week are planned whole: the rules hold across the week's edge and the
cyclic wrap; weekly limits count per calendar week."""

from __future__ import annotations

from datetime import timedelta

from scheduler.domain import Roster, Shift
from tests.roster.factory import MONDAY, agent, make_requirements, simple_rules, window_need
from tests.roster.helpers import assert_valid, hard_violations, plan, problem


def test_two_weeks_respect_rest_and_consecutive_days_across_the_edges() -> None:
    days = 14
    # late evenings every day: Sunday 16:00-24:00 then Monday 02:00 would break the 11 h rest
    windows = [(d * 24 + 16, d * 24 + 24, 1.0) for d in range(days)]
    windows += [(d * 24 + 2, d * 24 + 6, 1.0) for d in range(days) if d % 7 == 0]
    req = make_requirements(window_need(days, windows))
    team = [agent(f"a{i}", cap=1, max_hours=40) for i in range(3)]
    rules = simple_rules(shift_lengths_hours=(4.0, 8.0), start_step_minutes=120)
    result = plan(req, team, rules)
    assert_valid(result)  # rest, consecutive days and days off hold over both edges and the wrap
    assert len({s.start.isocalendar().week for s in result.roster.shifts}) == 2
    assert result.bound_hours is not None and result.bound_hours <= result.agent_hours


def test_a_shift_may_cross_the_middle_edge_and_the_wrap() -> None:
    # one agent, demand Sunday 22:00 - Monday 02:00 of each week (the last one wrapping to the
    # first Monday), 4-hour shifts every 2 hours: one shift Sun 22:00 - Mon 02:00 covers each;
    # Sun 20-24 then Mon 00-04 would break the 11 h rest
    days = 14
    need = window_need(days, [(6 * 24 + 22, 6 * 24 + 24, 1.0), (7 * 24, 7 * 24 + 2, 1.0),
                              (13 * 24 + 22, 13 * 24 + 24, 1.0), (0, 2, 1.0)])
    rules = simple_rules(shift_lengths_hours=(4.0,), start_step_minutes=120)
    result = plan(make_requirements(need), [agent("a", cap=1, max_hours=40)], rules)
    assert_valid(result)
    assert result.short_intervals == ()
    crossing = [s for s in result.roster.shifts if s.start.weekday() == 6 and s.end.weekday() == 0]
    assert len(crossing) == 2  # one across the middle edge, one across the wrap
    assert result.agent_hours == 8.0


def test_weekly_hours_count_per_calendar_week() -> None:
    # 5 x 8 h in each of two weeks is 40 h a week: inside a 40-hour limit, 80 h in all
    req = make_requirements(window_need(14, []))
    p = problem(req, [agent("a", max_hours=40)], simple_rules())
    shifts = tuple(Shift("a", MONDAY + timedelta(days=d, hours=9),
                         MONDAY + timedelta(days=d, hours=17), 3)
                   for d in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11))
    assert hard_violations(p, Roster(MONDAY.date(), shifts)) == []
    sixth = Shift("a", MONDAY + timedelta(days=12, hours=9), MONDAY + timedelta(days=12, hours=17),
                  3)
    assert hard_violations(p, Roster(MONDAY.date(), (*shifts, sixth)), "max_hours")
