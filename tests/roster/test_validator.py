"""The plain-Python validator catches each hand-made violation, and passes a clean plan."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from scheduler.domain import Agent, Roster, Shift
from scheduler.params import Rules
from scheduler.roster import Violation, validate_roster
from tests.roster.factory import CHAT, MONDAY, agent, make_requirements, mask, simple_rules

RULES = simple_rules()
REQ = make_requirements([0.0] * (7 * 24))


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def shift(day: int, hour: float, *, hours: float = 8, cap: int = 1, who: str = "a") -> Shift:
    return Shift(who, at(day, hour), at(day, hour + hours), cap)


def check(shifts: list[Shift], agents: list[Agent], rules: Rules = RULES) -> list[Violation]:
    return [
        v
        for v in validate_roster(Roster(MONDAY.date(), tuple(shifts)), agents, rules, REQ, CHAT)
        if v.kind == "hard"
    ]


def test_a_clean_plan_has_no_violations() -> None:
    assert check([shift(d, 9) for d in range(5)], [agent("a")]) == []


@pytest.mark.parametrize(
    ("shifts", "who", "expected"),
    [
        ([shift(0, 0), shift(0, 12)], agent("a"), "one shift per agent per day"),
        ([shift(0, 9), shift(1, 2)], agent("a"), "rest between shifts"),
        ([shift(d, 9) for d in range(5)], agent("a", max_hours=32), "max_hours_week"),
        (
            [shift(d, 9) for d in range(7)],
            agent("a", max_hours=56),
            "consecutive working days",
        ),
        ([shift(d, 9) for d in range(6)], agent("a", max_hours=48), "days off per week"),
        ([shift(0, 9)], agent("a", available=mask({(0, h) for h in range(9, 16)})), "availability"),
        ([shift(0, 22)], agent("a", night_ok=False), "night hours"),
        ([shift(5, 9)], agent("a", weekend_ok=False), "Saturday/Sunday"),
        ([shift(0, 9, cap=3)], agent("a", cap=2), "max_concurrent"),
        ([shift(0, 9, hours=5)], agent("a"), "shifts of 8 h"),
        ([shift(0, 9, who="ghost")], agent("a"), "availability"),
    ],
)
def test_each_hand_made_violation_is_caught(shifts: list[Shift], who: Agent, expected: str) -> None:
    found = check(shifts, [who])
    assert any(expected in v.rule for v in found), [v.rule for v in found]


def test_consecutive_days_wrap_around_the_cyclic_week() -> None:
    # Fri, Sat, Sun, then Mon..Wed of the same standing week: 7 in a row via the wrap
    days = [4, 5, 6, 0, 1, 2, 3]
    rules = simple_rules(min_days_off=0, min_days_off_full_time=0)
    found = check([shift(d, 9) for d in days], [agent("a", max_hours=56)], rules)
    assert any("consecutive" in v.rule for v in found)
    six = [4, 5, 6, 0, 1, 2]
    assert check([shift(d, 9) for d in six], [agent("a", max_hours=56)], rules) == []


def test_sunday_night_shift_and_monday_morning_break_rest_via_the_wrap() -> None:
    sunday_late = Shift("a", at(-1, 20), at(0, 4), 1)  # dated the Sunday before, as plans are
    found = check([sunday_late, shift(0, 12)], [agent("a")])
    assert any("rest" in v.rule for v in found)
    found = check([sunday_late, shift(0, 15)], [agent("a")])
    assert found == []


def test_coverage_shortfall_is_reported_as_coverage_not_hard() -> None:
    req = make_requirements([1.0] * 24 + [0.0] * (6 * 24))
    found = validate_roster(Roster(MONDAY.date(), (shift(0, 0),)), [agent("a")], RULES, req, CHAT)
    coverage = [v for v in found if v.kind == "coverage"]
    assert len(coverage) == 16  # 08:00-24:00 uncovered
    assert coverage[0].interval == 8
    assert not [v for v in found if v.kind == "hard"]
