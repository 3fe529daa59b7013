"""``AgentState.blocked_by``, the per-agent rule check the greedy, the repair and the diagnosis
share, agrees with the plain-Python validator on random plans: it allows a shift exactly when
the validator finds no hard violation with that shift added. The state is kept incrementally
(days, minute spans), so this also checks the bookkeeping."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.params import Rules, ServiceTarget
from scheduler.roster.fallback import AgentState
from scheduler.roster.grid import Grid, build_grid, roster_from
from scheduler.roster.validate import check_roster
from tests.roster.factory import CHAT, agent, make_requirements, simple_rules

GRIDS: dict[tuple[bool, int], tuple[Grid, Rules]] = {}


def _grid(cyclic: bool, days: int) -> tuple[Grid, Rules]:
    key = (cyclic, days)
    if key not in GRIDS:
        rules = simple_rules(
            cyclic=cyclic,
            shift_lengths_hours=(4.0, 8.0, 10.0),
            min_rest_hours=11.0,
            max_consecutive_days=3,
            min_days_off=1,
            min_days_off_full_time=2,
        )
        need = np.zeros(days * 24)
        grid = build_grid(
            make_requirements(need),
            (agent("a", max_hours=30.0),),
            chat=CHAT,
            service=ServiceTarget(),
            rules=rules,
        )
        GRIDS[key] = (grid, rules)
    return GRIDS[key]


def _validator_ok(grid: Grid, rules: Rules, types: list[int], hours: float) -> bool:
    team = (agent("a", max_hours=hours),)
    roster = roster_from(grid, team, [("a", s, 0) for s in types])
    check = check_roster(
        roster, team, grid=grid, rules=rules, service=ServiceTarget(), envelopes=None
    )
    return not [v for v in check.violations if v.kind == "hard"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cyclic=st.booleans(),
    days=st.sampled_from([7, 14]),
    hours=st.sampled_from([20.0, 30.0, 40.0]),
    picks=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=14),
)
def test_blocked_by_agrees_with_the_validator(
    cyclic: bool, days: int, hours: float, picks: list[int]
) -> None:
    grid, rules = _grid(cyclic, days)
    # shifts near each other (the first 3 days and the horizon's last day, where a cyclic
    # plan wraps), so that rest, day and run limits are hit often
    near = [x for x in grid.types if x.start < 72 or x.start >= grid.intervals - 24]
    state = AgentState(agent("a", max_hours=hours), 0, rules, grid)
    taken: list[int] = []
    for p in picks:
        shift = near[p % len(near)]
        allowed = state.blocked_by(shift) is None
        assert allowed == _validator_ok(grid, rules, [*taken, shift.index], hours), (
            f"{state.blocked_by(shift)} for {grid.label(shift.start)} +{shift.length} "
            f"after {[grid.label(grid.types[s].start) for s in taken]}"
        )
        if allowed:
            state.take(shift)
            taken.append(shift.index)


def test_rest_between_consecutive_days_agrees_with_the_validator_for_every_pair() -> None:
    # every shift starting on Sunday, then every shift starting on Monday (wrapping to the
    # horizon's start: the cyclic week's Sunday night -> Monday), in both orders of taking
    grid, rules = _grid(True, 7)
    sunday = [x for x in grid.types if x.day == 6]
    monday = [x for x in grid.types if x.day == 0]
    checked = 0
    for first, second in [(a, b) for a in sunday for b in monday]:
        for one, two in ((first, second), (second, first)):
            state = AgentState(agent("a"), 0, rules, grid)
            state.take(one)
            expected = _validator_ok(grid, rules, [one.index, two.index], 40.0)
            assert (state.blocked_by(two) is None) == expected, (
                f"{grid.label(one.start)} +{one.length}, then {grid.label(two.start)} "
                f"+{two.length}: {state.blocked_by(two)}"
            )
            checked += 1
    assert checked == 2 * len(sunday) * len(monday) > 0
