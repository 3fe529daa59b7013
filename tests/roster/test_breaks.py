"""Meal breaks: long shifts get one, placed where coverage allows."""

from __future__ import annotations

from datetime import timedelta

from scheduler.domain import Roster, Shift
from scheduler.roster import validate_roster
from tests.roster.factory import CHAT, MONDAY, agent, make_requirements, mask, simple_rules
from tests.roster.helpers import assert_valid, covered, plan

RULES = simple_rules(
    interval_minutes=30,
    start_step_minutes=30,
    break_after_hours=6.0,
    break_minutes=30,
    cyclic=False,
)


def _need() -> list[float]:
    need = [0.0] * 48
    for t in range(16, 32):  # 08:00-16:00
        need[t] = 1.0
    need[24] = 0.0  # nobody needed 12:00-12:30
    return need


def test_break_goes_where_no_one_is_needed() -> None:
    req = make_requirements(_need(), interval_minutes=30)
    team = [agent("a", cap=1, available=mask({(0, h) for h in range(8, 16)}))]
    result = plan(req, team, RULES)
    assert_valid(result)
    assert covered(result)
    (shift,) = result.roster.shifts
    assert shift.break_start == MONDAY + timedelta(hours=12)
    assert shift.paid_hours == 7.5
    assert result.agent_hours == 7.5


def test_validator_requires_a_break_in_long_shifts() -> None:
    req = make_requirements([0.0] * 48, interval_minutes=30)
    team = [agent("a")]
    no_break = Shift("a", MONDAY + timedelta(hours=8), MONDAY + timedelta(hours=16), 1)
    found = validate_roster(Roster(MONDAY.date(), (no_break,)), team, RULES, req, CHAT)
    assert any("needs a 30-minute break" in v.message for v in found)
    outside = Shift(
        "a",
        MONDAY + timedelta(hours=8),
        MONDAY + timedelta(hours=16),
        1,
        MONDAY + timedelta(hours=16),
        MONDAY + timedelta(hours=16, minutes=30),
    )
    found = validate_roster(Roster(MONDAY.date(), (outside,)), team, RULES, req, CHAT)
    assert any("not inside the shift" in v.message for v in found)
