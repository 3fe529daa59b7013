"""Inputs that cannot be covered still give a partial plan with a diagnosis naming the hours,
the reason and a fix checked by a quick re-plan."""

from __future__ import annotations

from scheduler.roster import RosterResult
from tests.roster.factory import agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import assert_valid, covered, plan

DAY = mask({(d, h) for d in range(7) for h in range(8, 20)})
RULES = simple_rules(cyclic=False, shift_lengths_hours=(4.0, 8.0))


def _short(result: RosterResult) -> list[str]:
    return [f.text for f in result.diagnosis if f.kind == "where"]


def _fixes(result: RosterResult) -> list[str]:
    return [f.text for f in result.diagnosis if f.kind == "fix"]


def test_too_few_agents_gives_a_partial_plan_and_an_add_agents_fix() -> None:
    req = make_requirements(window_need(1, [(9, 17, 5.0)]))
    result = plan(req, [agent("a", available=DAY)], RULES)
    assert_valid(result)
    assert not covered(result)
    assert result.roster.shifts  # the one agent still works
    assert result.short_intervals == tuple(range(9, 17))
    (short,) = _short(result)
    assert short.startswith("Mon 09:00–17:00: 1 agent below the margin")
    assert any("add 1 agent available Mon 09:00–17:00" in s and "closes the gap" in s
               for s in _fixes(result))


def test_availability_leaving_night_hours_empty_is_named() -> None:
    req = make_requirements(window_need(1, [(2, 6, 1.0), (9, 13, 1.0)]))
    result = plan(req, [agent("a", cap=1, available=DAY)], RULES)
    assert_valid(result)
    assert result.short_intervals == (2, 3, 4, 5)
    (short,) = _short(result)
    assert short.startswith("Mon 02:00–06:00: 1 agent below the margin")
    assert "no agent is available" in short
    assert any("add 1 agent available Mon 02:00–06:00" in s for s in _fixes(result))


def test_caps_too_low_for_the_staffing_table() -> None:
    # 100 solo units at 12:00 need more than the table's 30 agents at every cap
    need = window_need(1, [(9, 17, 2.0)])
    need[12] = 100.0
    req = make_requirements(need)
    team = [agent(f"a{i}", available=DAY) for i in range(3)]
    result = plan(req, team, RULES)
    assert_valid(result)
    assert result.short_intervals == (12,)
    (short,) = _short(result)
    assert short.startswith("Mon 12:00–13:00") and "up to 30 agents" in short


def test_caps_too_low_for_the_agents_suggests_raising_theirs_not_allowing_allowed_ones() -> None:
    # caps 1-3 are allowed already; the lever not in use is a's own cap (1 + 2.5 solo units of 5)
    req = make_requirements(window_need(1, [(9, 17, 5.0)]))
    team = [agent("a", cap=1, available=DAY), agent("b", cap=3, available=DAY)]
    result = plan(req, team, RULES)
    assert_valid(result)
    assert not covered(result)
    hints = [f.text for f in result.diagnosis
             if "fix" in f.text or f.text.startswith("Also helps")]
    assert hints
    assert not [s for s in hints for k in RULES.allowed_caps if f"allow cap {k}" in s]
    assert any("raise the reception cap (接待上限) of the 1 agent below 3 to 3" in s
               and "closes the gap" in s for s in _fixes(result))


def test_no_agents_at_all_still_answers_with_hours_and_a_fix() -> None:
    req = make_requirements(window_need(1, [(9, 13, 1.0)]))
    result = plan(req, [], RULES)
    assert result.roster.shifts == ()
    assert result.short_intervals == (9, 10, 11, 12)
    assert result.diagnosis[0].text.startswith("Mon 09:00–13:00: 1 agent below the margin")
    assert any("add 1 agent available Mon 09:00–13:00" in s for s in _fixes(result))


def test_weekly_hours_binding_is_named_with_the_agent() -> None:
    # Monday and Tuesday 09:00-17:00 each need one agent; the only one may work 8 h a week
    req = make_requirements(window_need(2, [(9, 17, 2.5), (24 + 9, 24 + 17, 2.5)]))
    rules = simple_rules(cyclic=False)  # 8-hour shifts
    result = plan(req, [agent("a", max_hours=8.0, available=DAY)], rules)
    assert_valid(result)
    assert len(result.roster.shifts) == 1
    (short,) = _short(result)
    assert "held by labour rules" in short and "max_hours_week" in short and "(a)" in short


def test_rest_binding_is_named_with_the_agent() -> None:
    # Monday 18:00-22:00 and Tuesday 06:00-09:00: 8 h apart, less than the 11 h of rest
    night = mask({(d, h) for d in range(2) for h in range(24)})
    req = make_requirements(window_need(2, [(18, 22, 2.5), (24 + 6, 24 + 9, 2.5)]))
    rules = simple_rules(cyclic=False, shift_lengths_hours=(4.0,), start_step_minutes=60)
    result = plan(req, [agent("a", available=night)], rules)
    assert_valid(result)
    assert not covered(result)
    short = _short(result)
    assert short and all("rest between shifts" in s and "(a)" in s for s in short)


def test_days_off_binding_is_named() -> None:
    # every day 09:00-13:00 for one full-timer (2 days off): two days stay short
    req = make_requirements(window_need(7, [(d * 24 + 9, d * 24 + 13, 2.5) for d in range(7)]))
    result = plan(req, [agent("a", available=DAY)], RULES)
    assert_valid(result)
    short = _short(result)
    assert len(short) == 2
    assert all("days off" in s and "(a)" in s for s in short)
