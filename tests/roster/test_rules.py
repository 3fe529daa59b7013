"""One test per labour rule: a tiny week where the rule binds. Solved with every rule, the plan
keeps it; solved with that rule taken out of the problem, the plan breaks it (the validator,
with every rule, says so). So each test fails when its rule stops constraining the search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from scheduler.domain import Agent, Requirements
from scheduler.params import Rules
from scheduler.roster import RULES, RosterProblem, RosterResult, Violation, validate
from tests.roster.factory import agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import assert_valid, hard_violations, problem, solved, without


@dataclass(frozen=True)
class Case:
    """A week where one rule binds; ``bound_by`` what the full plan gives up for it."""

    req: Requirements
    agents: list[Agent]
    rules: Rules
    bound_by: Callable[[RosterResult], bool]
    given: Callable[[RosterProblem], RosterProblem] = lambda p: p
    """The week's context: past weeks' counts, pinned shifts, a cut-off."""


def _daily(days: range, h0: int, h1: int, units: float = 1.0) -> list[tuple[int, int, float]]:
    return [(d * 24 + h0, d * 24 + h1, units) for d in days]


def _short(result: RosterResult) -> bool:
    return bool(result.short_intervals)


def shape() -> Case:
    # Monday 09:00-14:00 (5 h) with 4- or 8-hour shifts: one 8-hour shift; without the rule
    # the catalogue's 5-hour shift is cheaper
    return Case(make_requirements(window_need(1, [(9, 14, 1.0)])), [agent("a", cap=1)],
                simple_rules(cyclic=False, shift_lengths_hours=(4.0, 8.0)),
                lambda r: r.agent_hours == 8.0)


def break_() -> Case:
    # one agent for Monday 09:00-17:00: the meal break leaves half an hour short
    need = [0.0] * 48
    need[18:34] = [1.0] * 16
    return Case(make_requirements(need, interval_minutes=30), [agent("a", cap=1)],
                simple_rules(cyclic=False, interval_minutes=30, start_step_minutes=30,
                             break_after_hours=6.0, break_minutes=30),
                _short)


def availability() -> Case:
    # the agent is available 09:00-16:00: no 8-hour shift fits, so 09:00-17:00 stays short
    hours = mask({(0, h) for h in range(9, 16)})
    return Case(make_requirements(window_need(1, [(9, 17, 1.0)])),
                [agent("a", cap=1, available=hours)], simple_rules(cyclic=False), _short)


def cap() -> Case:
    # the only agent's max_concurrent (1) is below every allowed cap (2, 3)
    return Case(make_requirements(window_need(1, [(9, 17, 1.0)])), [agent("a", cap=1)],
                simple_rules(cyclic=False, allowed_caps=(2, 3)), _short)


def one_per_day() -> Case:
    # Monday 00:00-04:00 and 16:00-20:00: 12 h apart (rest holds), both start on Monday
    return Case(make_requirements(window_need(1, [(0, 4, 1.0), (16, 20, 1.0)])),
                [agent("a", cap=1)],
                simple_rules(cyclic=False, shift_lengths_hours=(4.0,)), _short)


def rest() -> Case:
    # Monday 16:00-24:00 and Tuesday 06:00-14:00: 6 h apart, less than 11 h of rest
    return Case(make_requirements(window_need(2, [(16, 24, 1.0), (30, 38, 1.0)])),
                [agent("a", cap=1)], simple_rules(cyclic=False), _short)


def max_hours() -> Case:
    # Monday and Tuesday 09:00-17:00 for an agent who may work 8 h a week
    return Case(make_requirements(window_need(2, _daily(range(2), 9, 17))),
                [agent("a", cap=1, max_hours=8)], simple_rules(cyclic=False), _short)


def min_hours() -> Case:
    # four 8-hour days for two agents; "a" wants 32 h a week: with the preference "a" takes
    # them all (the same agent-hours), without it the start spreads them over both
    return Case(make_requirements(window_need(4, _daily(range(4), 9, 17))),
                [agent("a", cap=1, min_hours=32), agent("b", cap=1)],
                simple_rules(cyclic=False),
                lambda r: r.agent_hours == 32.0)


def consecutive() -> Case:
    # five days in a row for one agent who may work at most 3 in a row (no days-off rule)
    return Case(make_requirements(window_need(5, _daily(range(5), 9, 17))),
                [agent("a", cap=1)],
                simple_rules(cyclic=False, max_consecutive_days=3, min_days_off=0,
                             min_days_off_full_time=0), _short)


def days_off() -> Case:
    # 4 hours every day for one full-timer (2 days off a week; at most 6 days in a row)
    return Case(make_requirements(window_need(7, _daily(range(7), 9, 13))),
                [agent("a", cap=1)],
                simple_rules(cyclic=False, shift_lengths_hours=(4.0,)), _short)


def fairness() -> Case:
    # Monday and Wednesday nights 23:00-07:00; "a" worked two nights in the last published
    # weeks, "b" none: with the preference "b" works both (2 each); without it the search
    # gives both to "a" (4 against 0)
    def past(p: RosterProblem) -> RosterProblem:
        return replace(p, history=((0, 0, 0), (2, 0, 2)))
    need = _daily(range(0, 3, 2), 23, 31)
    return Case(make_requirements(window_need(4, need)), [agent("b", cap=1), agent("a", cap=1)],
                simple_rules(cyclic=False), lambda r: {s.agent_id for s in r.roster.shifts}
                == {"b"}, past)


def pinned() -> Case:
    # a pinned Tuesday shift where nobody is needed: kept (8 h more) though Monday is all the
    # week needs
    def pin(p: RosterProblem) -> RosterProblem:
        tuesday = next(st for st in p.types if st.day == 1 and p.at(st.start).hour == 9
                       and st.length * p.interval_minutes == 480)
        return p.with_fixed((p.shift(0, tuesday, 0),))
    return Case(make_requirements(window_need(2, [(9, 17, 1.0)])), [agent("a", cap=1)],
                simple_rules(cyclic=False), lambda r: r.agent_hours == 16.0, pin)


def cutoff() -> Case:
    # a re-plan from Monday 12:00: the morning can no longer be covered
    def cut(p: RosterProblem) -> RosterProblem:
        return p.with_fixed((), first_start=p.at(12))
    return Case(make_requirements(window_need(1, [(9, 17, 1.0)])), [agent("a", cap=1)],
                simple_rules(cyclic=False), _short, cut)


CASES: dict[str, Callable[[], Case]] = {
    "shape": shape, "break": break_, "availability": availability, "cap": cap,
    "one_per_day": one_per_day, "rest": rest, "max_hours": max_hours, "min_hours": min_hours,
    "consecutive": consecutive, "days_off": days_off, "fairness": fairness, "pinned": pinned,
    "cutoff": cutoff,
}


def test_every_rule_has_a_binding_case() -> None:
    assert sorted(r.key for r in RULES) == sorted(CASES)


@pytest.mark.parametrize("key", list(CASES))
def test_rule_binds_and_removing_it_breaks_it(key: str) -> None:
    case = CASES[key]()
    full = case.given(problem(case.req, case.agents, case.rules))
    rule = next(r for r in full.constraints if r.key == key)
    assert rule.in_force(full)
    kept = solved(full, bound=False)
    assert_valid(kept)
    assert case.bound_by(kept)  # the rule costs this plan something
    loose = solved(without(full, key), bound=False)
    if rule.kind == "soft":  # the plan misses the preference for agent "a"
        def missed(r: RosterResult) -> list[Violation]:
            return [v for v in validate(full, r.roster) if v.key == key and v.kind == "soft"]
        assert not missed(kept)
        assert loose.agent_hours == kept.agent_hours  # a preference never buys hours
        assert {v.agent_id for v in missed(loose)} == {"a"}
    elif key == "pinned":  # the search keeps pins by construction: the rule is their check
        assert loose.roster.shifts == kept.roster.shifts
        monday = replace(kept.roster, shifts=tuple(
            s for s in kept.roster.shifts if s.start.weekday() == 0))
        assert hard_violations(full, monday, key)
    else:
        assert hard_violations(full, loose.roster, key)
        assert loose.cost < kept.cost  # breaking it is what the search would rather do
