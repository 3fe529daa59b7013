"""Reception caps (接待上限): per-agent maximum, allowed levels, infeasible levels, cap policy."""

from __future__ import annotations

from datetime import timedelta

from scheduler.domain import Roster, Shift
from scheduler.roster.result import coverage_frame
from tests.roster.factory import MONDAY, agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import assert_valid, covered, hard_violations, plan, problem

MON_DAY = mask({(0, h) for h in range(8, 18)})


def test_cap_never_exceeds_the_agents_maximum() -> None:
    req = make_requirements(window_need(1, [(9, 17, 5.0)]))  # 5 solo units
    rules = simple_rules(cyclic=False)
    low = [agent(f"a{i}", cap=2, available=MON_DAY) for i in range(2)]  # 2 x 1.7 = 3.4
    result = plan(req, low, rules)
    assert_valid(result)
    assert not covered(result)
    assert all(s.max_concurrent <= 2 for s in result.roster.shifts)
    fixes = [f.text for f in result.diagnosis if "closes the gap" in f.text]
    assert any("of the 2 agents below 3 to 3" in s for s in fixes)
    high = [agent(f"a{i}", cap=3, available=MON_DAY) for i in range(2)]  # 2 x 2.5 = 5
    result = plan(req, high, rules)
    assert_valid(result)
    assert covered(result)
    assert {s.max_concurrent for s in result.roster.shifts} == {3}


def test_cap_policy_max_runs_at_the_agents_cap_and_lowest_lowers_it_at_no_cost() -> None:
    req = make_requirements(window_need(1, [(9, 17, 1.7)]))  # one agent at cap 2 is enough
    team = [agent("a", cap=3, available=MON_DAY)]
    highest = plan(req, team, simple_rules(cyclic=False, cap_policy="max"))
    lowest = plan(req, team, simple_rules(cyclic=False, cap_policy="lowest"))
    for result in (highest, lowest):
        assert_valid(result)
        assert covered(result)
        assert result.agent_hours == 8.0
    assert [s.max_concurrent for s in highest.roster.shifts] == [3]
    assert [s.max_concurrent for s in lowest.roster.shifts] == [2]


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
    rules = simple_rules(cyclic=False)
    result = plan(req, team, rules)
    assert_valid(result)
    assert covered(result)
    for s in result.roster.shifts:
        if s.max_concurrent == 3:
            assert not s.start.hour <= 12 < s.end.hour
    # a cap-3 shift through 12:00 (made by hand) covers every hour but that one
    p = problem(req, team, rules)
    bad = Roster(MONDAY.date(), (Shift("a0", MONDAY + timedelta(hours=9),
                                       MONDAY + timedelta(hours=17), 3),))
    short = coverage_frame(p, p.plan_of(bad))["shortfall_agents"]
    assert [t for t, n in enumerate(short) if n > 0] == [12]


def test_validator_flags_caps_above_the_agent_or_not_allowed() -> None:
    req = make_requirements(window_need(1, []))
    team = [agent("a", cap=2)]

    def check(cap: int, allowed: tuple[int, ...]) -> list[str]:
        shift = Shift("a", MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=17), cap)
        p = problem(req, team, simple_rules(allowed_caps=allowed))
        return hard_violations(p, Roster(MONDAY.date(), (shift,)), "cap")

    assert not check(2, (1, 2, 3))  # at the agent's max: inside
    assert check(3, (1, 2, 3))  # one above it
    assert check(2, (1, 3))  # not among the allowed caps
