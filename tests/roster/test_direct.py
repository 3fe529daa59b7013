"""The direct named model (``named.solve_direct``) and the rule that chooses it."""

from __future__ import annotations

import time

import pytest

from scheduler.params import ServiceTarget
from scheduler.roster import named as named_module
from scheduler.roster.aggregate import aggregate_limits
from scheduler.roster.grid import build_grid, eligibility, interval_ok_matrix, roster_from
from scheduler.roster.named import direct_size, solve_named, use_direct
from scheduler.roster.objective import make_weights
from scheduler.roster.validate import check_roster
from tests.roster.factory import CHAT, agent, make_requirements, mask, simple_rules, window_need

DAYS = mask({(d, h) for d in range(2) for h in range(6, 24)})
RULES = simple_rules(
    cyclic=False,
    shift_lengths_hours=(4.0, 8.0),
    start_step_minutes=60,
    break_after_hours=6.0,
    break_minutes=60,
)


def _instance() -> tuple[object, ...]:
    # one day, a peak that needs a cap-3 agent next to cap-2 ones; 8-hour shifts carry a
    # break at one of several offsets
    req = make_requirements(window_need(1, [(8, 20, 3.0), (12, 16, 5.5)]))
    team = tuple(
        [agent(f"c2_{i}", cap=2, available=DAYS) for i in range(4)]
        + [agent(f"c3_{i}", cap=3, available=DAYS) for i in range(2)]
    )
    grid = build_grid(req, team, chat=CHAT, service=ServiceTarget(), rules=RULES)
    return req, team, grid


def test_direct_model_plan_is_valid_covers_and_prices_like_the_validator() -> None:
    _req, team, grid = _instance()
    elig = eligibility(grid, team)
    limits = aggregate_limits(grid, team, RULES, elig, interval_ok_matrix(grid, team))
    weights = make_weights(grid)
    named = solve_named(
        grid,
        team,
        RULES,
        elig=elig,
        types=[],
        levels_for=None,
        weights=weights,
        envelopes=None,
        headcount=limits.interval_ub,
        hint=[],
        time_limit_seconds=10.0,
        num_workers=1,
        seed=3,
        progress=None,
        t0=time.perf_counter(),
        direct=True,
    )
    assert named.outcome.status in ("OPTIMAL", "FEASIBLE")
    picks = [(team[i].agent_id, s, lv) for i, s, lv in named.picks]
    roster = roster_from(grid, team, picks)
    check = check_roster(
        roster, team, grid=grid, rules=RULES, service=ServiceTarget(), envelopes=None
    )
    assert not [v for v in check.violations if v.kind == "hard"]
    assert int(check.coverage.short.sum()) == 0
    # the per-shape level and break counts are read back exactly: same price both ways
    assert check.terms.total == pytest.approx(named.outcome.objective)
    # levels were given within each agent's maximum, breaks at the grid's offsets
    by_id = {a.agent_id: a for a in team}
    assert all(s.max_concurrent <= by_id[s.agent_id].max_concurrent for s in roster.shifts)


def test_model_choice_rule_small_week_direct_large_or_multi_week_two_stage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _req, team, grid = _instance()
    elig = eligibility(grid, team)
    size = direct_size(grid, team, elig)
    assert 0 < size <= len(team) * len({st.base for st in grid.types})
    assert use_direct(grid, team, elig)
    monkeypatch.setattr(named_module, "DIRECT_MAX_SHAPE_VARIABLES", size - 1)
    assert not use_direct(grid, team, elig)
    monkeypatch.undo()
    long_req = make_requirements(window_need(14, [(8, 20, 1.0)]))
    long_grid = build_grid(long_req, team, chat=CHAT, service=ServiceTarget(), rules=RULES)
    assert long_grid.weeks == 2
    assert not use_direct(long_grid, team, eligibility(long_grid, team))


def test_stage_b_with_a_deadline_counts_its_build_time() -> None:
    _req, team, grid = _instance()
    elig = eligibility(grid, team)
    limits = aggregate_limits(grid, team, RULES, elig, interval_ok_matrix(grid, team))
    args = {
        "elig": elig,
        "types": [st.index for st in grid.types],
        "levels_for": None,
        "weights": make_weights(grid),
        "envelopes": None,
        "headcount": limits.interval_ub,
        "hint": [],
        "time_limit_seconds": 5.0,
        "num_workers": 1,
        "seed": 0,
        "progress": None,
        "t0": time.perf_counter(),
    }
    # the deadline has passed once the model is built: no solve, an honest UNKNOWN
    late = solve_named(grid, team, RULES, deadline=time.perf_counter(), **args)
    assert late.outcome.status == "UNKNOWN" and late.outcome.seconds == 0.0
    assert late.picks == [] and late.candidates > 0
    # with time left it solves
    on_time = solve_named(grid, team, RULES, deadline=time.perf_counter() + 5.0, **args)
    assert on_time.outcome.status in ("OPTIMAL", "FEASIBLE")
    assert on_time.picks
