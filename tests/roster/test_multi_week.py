"""Horizons longer than a week are planned week by week and checked whole (edges included)."""

from __future__ import annotations

from tests.roster.factory import agent, make_requirements, simple_rules, window_need
from tests.roster.helpers import assert_valid, plan


def test_two_weeks_respect_rest_and_consecutive_days_across_the_edges() -> None:
    days = 14
    # late evenings every day: Sunday 16:00-24:00 then Monday 02:00 would break the 11 h rest
    windows = [(d * 24 + 16, d * 24 + 24, 1.0) for d in range(days)]
    windows += [(d * 24 + 2, d * 24 + 6, 1.0) for d in range(days) if d % 7 == 0]
    req = make_requirements(window_need(days, windows))
    team = [agent(f"a{i}", cap=1, max_hours=40) for i in range(3)]
    rules = simple_rules(shift_lengths_hours=(4.0, 8.0), start_step_minutes=120)
    result = plan(req, team, rules, seconds=12)
    assert_valid(result)  # rest, consecutive days and days off hold over both edges and the wrap
    assert len({s.start.isocalendar().week for s in result.roster.shifts}) == 2
    assert result.bound <= result.objective
