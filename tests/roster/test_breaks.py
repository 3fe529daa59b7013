"""Meal breaks: long shifts get one, placed where coverage allows."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler.domain import Roster, Shift
from tests.roster.factory import MONDAY, agent, make_requirements, mask, simple_rules
from tests.roster.helpers import assert_valid, covered, hard_violations, plan, problem

RULES = simple_rules(
    interval_minutes=30,
    start_step_minutes=30,
    shift_lengths_hours=(6.0, 8.0),
    break_after_hours=6.0,
    break_minutes=30,
    cyclic=False,
)


def _need() -> list[float]:
    need = [0.0] * 48
    for t in range(16, 32):  # 08:00-16:00
        need[t] = 1.0
    need[25] = 0.0  # nobody needed 12:30-13:00 (a break an hour after the shift's middle)
    return need


def test_break_goes_where_no_one_is_needed() -> None:
    req = make_requirements(_need(), interval_minutes=30)
    team = [agent("a", cap=1, available=mask({(0, h) for h in range(8, 16)}))]
    result = plan(req, team, RULES)
    assert_valid(result)
    assert covered(result)
    (shift,) = result.roster.shifts
    assert shift.break_start == MONDAY + timedelta(hours=12.5)
    assert shift.paid_hours == 7.5
    assert result.agent_hours == 7.5


def _check(*shifts: Shift) -> list[str]:
    p = problem(make_requirements([0.0] * 48, interval_minutes=30), [agent("a")], RULES)
    return hard_violations(p, Roster(MONDAY.date(), shifts), "break")


def _at(hours: float) -> datetime:
    return MONDAY + timedelta(hours=hours)


def test_validator_requires_a_break_in_shifts_longer_than_the_limit() -> None:
    assert not _check(Shift("a", _at(8), _at(14), 1))  # 6 h: at the limit, no break needed
    assert _check(Shift("a", _at(8), _at(16), 1))  # 8 h without a break


def test_validator_keeps_the_break_two_hours_from_either_end() -> None:
    def with_break(b0: float) -> Shift:
        return Shift("a", _at(8), _at(16), 1, _at(b0), _at(b0 + 0.5))

    assert not _check(with_break(10.0))  # 2 h after the start: inside
    assert _check(with_break(9.5))  # 1.5 h after the start: just outside
    assert not _check(with_break(13.5))  # ends 2 h before the end: inside
    assert _check(with_break(14.0))
    assert _check(with_break(16.0))  # not inside the shift at all
