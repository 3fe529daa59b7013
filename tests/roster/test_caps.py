"""Reception caps (接待上限): per-agent maximum, allowed levels, infeasible levels, cap classes."""

from __future__ import annotations

from datetime import timedelta

from scheduler.domain import Roster, Shift
from scheduler.roster import validate_roster
from tests.roster.factory import (
    CHAT,
    MONDAY,
    agent,
    make_requirements,
    mask,
    simple_rules,
    window_need,
)
from tests.roster.helpers import assert_valid, covered, plan

MON_DAY = mask({(0, h) for h in range(8, 18)})


def test_cap_never_exceeds_the_agents_maximum() -> None:
    req = make_requirements(window_need(1, [(9, 17, 5.0)]))  # 5 solo units
    rules = simple_rules(cyclic=False)
    low = [agent(f"a{i}", cap=2, available=MON_DAY) for i in range(2)]  # 2 x 1.7 = 3.4
    result = plan(req, low, rules)
    assert_valid(result)
    assert not covered(result)
    assert all(s.max_concurrent <= 2 for s in result.roster.shifts)
    assert any("cap 3" in s for s in result.diagnosis)  # "allow cap 3: raise ... to 3"
    high = [agent(f"a{i}", cap=3, available=MON_DAY) for i in range(2)]  # 2 x 2.5 = 5
    result = plan(req, high, rules)
    assert_valid(result)
    assert covered(result)
    assert {s.max_concurrent for s in result.roster.shifts} == {3}


def test_lower_cap_preferred_at_equal_cost() -> None:
    req = make_requirements(window_need(1, [(9, 17, 1.7)]))
    result = plan(req, [agent("a", cap=3, available=MON_DAY)], simple_rules(cyclic=False))
    assert_valid(result)
    assert covered(result)
    assert [s.max_concurrent for s in result.roster.shifts] == [2]


def test_a_high_cap_agent_is_worth_more_than_one_low_cap_agent() -> None:
    caps = (1, 2, 3, 4, 5, 6)
    req = make_requirements(window_need(1, [(9, 17, 3.8)]), caps=caps)
    team = [agent("six", cap=6, available=MON_DAY)] + [
        agent(f"three{i}", cap=3, available=MON_DAY) for i in range(2)
    ]
    result = plan(req, team, simple_rules(cyclic=False, allowed_caps=caps))
    assert_valid(result)
    assert covered(result)
    assert [(s.agent_id, s.max_concurrent) for s in result.roster.shifts] == [("six", 6)]
    assert result.agent_hours == 8.0


def test_cap_ruled_out_by_the_staffing_table_is_not_used_there() -> None:
    # cap 3 ruled out at 12:00: one agent at cap 3 would do; instead 2 agents at cap 2
    req = make_requirements(window_need(1, [(9, 17, 2.5)]), infeasible={2: [12]})
    team = [agent(f"a{i}", cap=3, available=MON_DAY) for i in range(2)]
    result = plan(req, team, simple_rules(cyclic=False))
    assert_valid(result)
    assert covered(result)
    for s in result.roster.shifts:
        if s.max_concurrent == 3:
            assert not s.start.hour <= 12 < s.end.hour
    bad = Roster(
        MONDAY.date(), (Shift("a0", MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=17), 3),)
    )
    found = validate_roster(bad, team, simple_rules(cyclic=False), req, CHAT)
    assert any("rules it out" in v.rule for v in found)


def test_validator_flags_caps_above_the_agent_or_not_allowed() -> None:
    req = make_requirements(window_need(1, []))
    team = [agent("a", cap=2)]
    shift = Shift("a", MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=17), 3)
    found = validate_roster(Roster(MONDAY.date(), (shift,)), team, simple_rules(), req, CHAT)
    assert any("cap 3 > the agent's max 2" in v.message for v in found)
    shift = Shift("a", MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=17), 2)
    rules = simple_rules(allowed_caps=(1, 3))
    found = validate_roster(Roster(MONDAY.date(), (shift,)), team, rules, req, CHAT)
    assert any("not among the allowed caps" in v.message for v in found)
