"""Inputs that cannot be covered still give a partial plan with a diagnosis naming the hours."""

from __future__ import annotations

from scheduler.params import ServiceTarget
from scheduler.roster import plan_roster
from tests.roster.factory import CHAT, agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import assert_valid, covered, plan

DAY = mask({(d, h) for d in range(7) for h in range(8, 20)})
RULES = simple_rules(cyclic=False, shift_lengths_hours=(4.0, 8.0))


def test_too_few_agents_gives_a_partial_plan_and_an_add_agents_fix() -> None:
    req = make_requirements(window_need(1, [(9, 17, 5.0)]))
    result = plan(req, [agent("a", available=DAY)], RULES)
    assert_valid(result)
    assert not covered(result)
    assert result.roster.shifts  # the one agent still works
    text = " ".join(result.diagnosis)
    assert "Mon 09:00–17:00: short by 1 agent at cap 3" in text
    assert "add 1 agent available Mon 09:00–17:00" in text
    assert "closes the gap" in text
    # the re-plan's hours are said next to this plan's (8 h: the one agent's shift), not as
    # the cost of the fix: two agents' 8-hour shifts there
    assert "quick re-plan: 16 agent-hours there, 8 in this plan" in text


def test_availability_leaving_night_hours_empty_is_named() -> None:
    req = make_requirements(window_need(1, [(2, 6, 1.0), (9, 13, 1.0)]))
    result = plan(req, [agent("a", cap=1, available=DAY)], RULES)
    assert_valid(result)
    assert result.shortfall_intervals == (2, 3, 4, 5)
    assert result.diagnosis[0] == (
        "Mon 02:00–06:00: short by 1 agent at cap 1 (1 solo-chat unit); "
        "no agent is available in these hours."
    )
    assert any("add 1 agent available Mon 02:00–06:00" in s for s in result.diagnosis)


def test_caps_too_low_for_the_staffing_table() -> None:
    # 100 solo units at 12:00 need more than the table's 30 agents at every cap
    need = window_need(1, [(9, 17, 2.0)])
    need[12] = 100.0
    req = make_requirements(need)
    team = [agent(f"a{i}", available=DAY) for i in range(3)]
    result = plan(req, team, RULES)
    assert_valid(result)
    assert 12 in result.shortfall_intervals
    assert any(
        s.startswith("Mon 12:00–13:00") and "no team of up to 30 agents" in s
        for s in result.diagnosis
    )


def test_caps_too_low_for_the_agents_suggests_allowing_a_higher_cap() -> None:
    req = make_requirements(window_need(1, [(9, 17, 2.5)]))
    result = plan(req, [agent("a", cap=1, available=DAY)], RULES)
    assert_valid(result)
    assert not covered(result)
    assert any("allow cap" in s and "closes the gap" in s for s in result.diagnosis)


def test_no_agents_at_all_still_answers_with_hours_and_a_fix() -> None:
    req = make_requirements(window_need(1, [(9, 13, 1.0)]))
    result = plan_roster(
        req,
        [],
        chat=CHAT,
        service=ServiceTarget(),
        rules=RULES,
        time_limit_seconds=5,
        num_workers=1,
    )
    assert result.roster.shifts == ()
    assert result.diagnosis[0].startswith("Mon 09:00–13:00: short by 1 agent")
    assert any("add 1 agent available Mon 09:00–13:00" in s for s in result.diagnosis)


def test_weekly_hours_binding_is_named_with_the_agent() -> None:
    # Monday and Tuesday 09:00-17:00 each need one agent; the only one may work 8 h a week
    req = make_requirements(window_need(2, [(9, 17, 2.5), (24 + 9, 24 + 17, 2.5)]))
    result = plan(req, [agent("a", max_hours=8.0, available=DAY)], RULES)
    assert_valid(result)
    assert len(result.roster.shifts) == 1
    short = [s for s in result.diagnosis if "short by" in s]
    assert len(short) == 1
    assert "held by labour rules: at their weekly hours (a)" in short[0]


def test_rest_binding_is_named_with_the_agent() -> None:
    # Monday 18:00-22:00 and Tuesday 06:00-09:00: 8 h apart, less than the 11 h of rest
    night = mask({(d, h) for d in range(2) for h in range(24)})
    req = make_requirements(window_need(2, [(18, 22, 2.5), (24 + 6, 24 + 9, 2.5)]))
    rules = simple_rules(cyclic=False, shift_lengths_hours=(4.0,), start_step_minutes=60)
    result = plan(req, [agent("a", available=night)], rules)
    assert_valid(result)
    assert not covered(result)
    short = [s for s in result.diagnosis if "short by" in s]
    assert short and all("rest between shifts (a)" in s for s in short)


def test_days_off_binding_is_named() -> None:
    # every day 09:00-13:00 for one full-timer (2 days off): two days stay short
    req = make_requirements(window_need(7, [(d * 24 + 9, d * 24 + 13, 2.5) for d in range(7)]))
    result = plan(req, [agent("a", available=DAY)], RULES)
    assert_valid(result)
    short = [s for s in result.diagnosis if "short by" in s]
    assert len(short) == 2
    assert all("days off (a)" in s for s in short)
