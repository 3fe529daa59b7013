"""The plain-Python validator catches each hand-made violation, and passes a clean plan."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from scheduler.domain import Agent, Roster, Shift
from scheduler.params import Rules
from scheduler.roster import RuleViolationError
from scheduler.roster.cost import evaluate
from scheduler.roster.result import coverage_frame
from tests.roster.factory import MONDAY, agent, make_requirements, mask, simple_rules
from tests.roster.helpers import hard_violations, problem

RULES = simple_rules()
REQ = make_requirements([0.0] * (7 * 24))


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def shift(day: int, hour: float, *, hours: float = 8, cap: int = 1, who: str = "a") -> Shift:
    return Shift(who, at(day, hour), at(day, hour + hours), cap)


def check(shifts: list[Shift], agents: list[Agent], rules: Rules = RULES,
          key: str | None = None) -> list[str]:
    return hard_violations(problem(REQ, agents, rules), Roster(MONDAY.date(), tuple(shifts)), key)


def test_a_clean_plan_has_no_violations() -> None:
    assert check([shift(d, 9) for d in range(5)], [agent("a")]) == []


@pytest.mark.parametrize(
    ("shifts", "who", "key"),
    [
        ([shift(0, 0), shift(0, 12)], agent("a"), "one_per_day"),
        ([shift(0, 9), shift(1, 2)], agent("a"), "rest"),
        ([shift(d, 9) for d in range(5)], agent("a", max_hours=32), "max_hours"),
        ([shift(d, 9) for d in range(7)], agent("a", max_hours=56), "consecutive"),
        ([shift(d, 9) for d in range(6)], agent("a", max_hours=48), "days_off"),
        ([shift(0, 9)], agent("a", available=mask({(0, h) for h in range(9, 16)})),
         "availability"),
        ([shift(0, 22)], agent("a", night_ok=False), "availability"),
        ([shift(5, 9)], agent("a", weekend_ok=False), "availability"),
        ([shift(0, 9, cap=3)], agent("a", cap=2), "cap"),
        ([shift(0, 9, hours=5)], agent("a"), "shape"),
        ([shift(0, 9, who="ghost")], agent("a"), "availability"),
    ],
)
def test_each_hand_made_violation_is_caught(shifts: list[Shift], who: Agent, key: str) -> None:
    assert check(shifts, [who], key=key)


@pytest.mark.parametrize(
    ("shifts", "who"),
    [
        ([shift(0, 9), shift(1, 4)], agent("a")),  # 11 h of rest: at the limit
        ([shift(d, 9) for d in range(5)], agent("a", max_hours=40)),  # 40 h, at the limit
        ([shift(d, 9) for d in range(6)], agent("a", max_hours=48)),  # a part-timer: 1 day off
        ([shift(0, 9)], agent("a", available=mask({(0, h) for h in range(9, 17)}))),
        ([shift(0, 15)], agent("a", night_ok=False)),  # ends 23:00, the night's first hour
        ([shift(4, 16)], agent("a", weekend_ok=False)),  # ends Saturday 00:00
    ],
)
def test_just_inside_each_limit_passes(shifts: list[Shift], who: Agent) -> None:
    rules = simple_rules(full_time_hours=50)
    assert check(shifts, [who], rules) == []


def test_consecutive_days_wrap_around_the_cyclic_week() -> None:
    # Fri, Sat, Sun, then Mon..Wed of the same standing week: 7 in a row via the wrap
    days = [4, 5, 6, 0, 1, 2, 3]
    rules = simple_rules(min_days_off=0, min_days_off_full_time=0)
    found = check([shift(d, 9) for d in days], [agent("a", max_hours=56)], rules, "consecutive")
    assert found
    six = [4, 5, 6, 0, 1, 2]
    assert check([shift(d, 9) for d in six], [agent("a", max_hours=56)], rules) == []


def test_sunday_night_shift_and_monday_morning_break_rest_via_the_wrap() -> None:
    sunday_late = Shift("a", at(-1, 20), at(0, 4), 1)  # dated the Sunday before, as plans are
    assert check([sunday_late, shift(0, 12)], [agent("a")], key="rest")
    assert check([sunday_late, shift(0, 15)], [agent("a")]) == []


def test_without_the_wrap_a_shift_may_not_run_past_the_week() -> None:
    late = Shift("a", at(6, 20), at(7, 4), 1)  # Sunday 20:00 - Monday 04:00 of the next week
    assert check([late], [agent("a")], key="shape") == []
    assert check([late], [agent("a")], simple_rules(cyclic=False), key="shape")
    last = shift(6, 16)  # ends at the horizon's last instant
    assert check([last], [agent("a")], simple_rules(cyclic=False)) == []


def test_coverage_shortfall_is_not_a_rule_violation() -> None:
    req = make_requirements([1.0] * 24 + [0.0] * (6 * 24))
    p = problem(req, [agent("a")], RULES)
    roster = Roster(MONDAY.date(), (shift(0, 0),))
    assert hard_violations(p, roster) == []
    short = coverage_frame(p, p.plan_of(roster))["shortfall_agents"].to_numpy()
    assert [t for t, n in enumerate(short) if n > 0] == list(range(8, 24))  # 08:00-24:00


def test_evaluate_raises_on_a_broken_hard_rule() -> None:
    p = problem(REQ, [agent("a", max_hours=32)], RULES)
    roster = Roster(MONDAY.date(), tuple(shift(d, 9) for d in range(5)))
    with pytest.raises(RuleViolationError):
        evaluate(p, p.plan_of(roster))
