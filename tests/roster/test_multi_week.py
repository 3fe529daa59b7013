"""Horizons longer than a week are planned week by week and checked whole (edges included)."""

from __future__ import annotations

import math

import pytest

from scheduler.domain import Agent, Requirements
from scheduler.params import Rules
from scheduler.roster.aggregate import Relaxation
from scheduler.roster.grid import Grid
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


def test_the_weeks_of_a_longer_horizon_share_its_one_lp_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # each week used to solve an LP of its own (5 s to build for 200 agents, and no use: the
    # bound is the whole horizon's) and the diagnosis' what-if re-solves
    from scheduler.roster import diagnose as diagnose_module
    from scheduler.roster import plan as plan_module

    lps: list[int] = []
    real_lp = plan_module.lp_bound

    def counting_lp(grid: Grid, *args: object, **kwargs: object) -> Relaxation:
        lps.append(grid.days)
        return real_lp(grid, *args, **kwargs)  # type: ignore[arg-type]

    budgets: list[float] = []
    real_diagnose = plan_module.diagnose

    def spying_diagnose(*args: object, **kwargs: object) -> list[str]:
        budgets.append(float(kwargs["time_budget_seconds"]))  # type: ignore[arg-type]
        return real_diagnose(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_module, "lp_bound", counting_lp)
    monkeypatch.setattr(plan_module, "diagnose", spying_diagnose)
    assert diagnose_module.diagnose is real_diagnose
    days = 14
    windows = [(d * 24 + 9, d * 24 + 21, 2.0) for d in range(days)]
    req = make_requirements(window_need(days, windows))
    team = [agent(f"a{i}", cap=2, max_hours=40) for i in range(5)]
    rules = simple_rules(shift_lengths_hours=(4.0, 8.0), start_step_minutes=120)
    result = plan(req, team, rules, seconds=12)
    assert_valid(result)
    assert lps == [14]  # the horizon's LP only
    assert len(budgets) == 3 and budgets[:2] == [0.0, 0.0]  # two weeks, then the horizon
    assert not any("LP relaxation:" in m for m in result.messages)
    assert math.isfinite(result.bound) and result.bound <= result.objective


def _across_the_edge() -> tuple[Requirements, list[Agent], Rules]:
    # one agent, demand Sunday 22:00 - Monday 02:00 of each week (the last one wrapping to the
    # first Monday), 4-hour shifts every 2 hours: one shift Sun 22:00 - Mon 02:00 covers it;
    # the weeks, planned one by one, cannot cross their edge, and Sun 20-24 then Mon 00-04
    # would break the 11 h rest
    days = 14
    need = window_need(days, [(6 * 24 + 22, 6 * 24 + 24, 1.0), (7 * 24, 7 * 24 + 2, 1.0),
                              (13 * 24 + 22, 13 * 24 + 24, 1.0), (0, 2, 1.0)])
    rules = simple_rules(shift_lengths_hours=(4.0,), start_step_minutes=120)
    return make_requirements(need), [agent("a", cap=1, max_hours=40)], rules


def test_the_time_the_weeks_leave_repairs_the_whole_horizon_across_the_edges() -> None:
    req, team, rules = _across_the_edge()
    result = plan(req, team, rules, seconds=12)
    assert_valid(result)
    assert result.shortfall_intervals == ()
    assert any(m.startswith("the whole horizon, targeted repair") for m in result.messages)
    crossing = [s for s in result.roster.shifts if s.start.weekday() == 6 and s.end.weekday() == 0]
    assert len(crossing) == 2  # one across the middle edge, one across the wrap


def test_without_that_time_the_weeks_alone_leave_the_edges_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scheduler.roster import plan as plan_module

    monkeypatch.setattr(plan_module, "SHARE_WEEKS_END", 0.0)
    req, team, rules = _across_the_edge()
    result = plan(req, team, rules, seconds=12)
    assert_valid(result)
    assert result.shortfall_intervals != ()
