"""The LP bound's whole-agents cut (``aggregate.whole_agents_cut``): it only raises the bound,
and the bound stays below every valid plan's objective, the proven optimum included."""

from __future__ import annotations

import pytest

from scheduler.params import ServiceTarget
from scheduler.roster.aggregate import aggregate_limits, lp_bound, whole_agents_cut
from scheduler.roster.grid import build_grid, eligibility, interval_ok_matrix
from scheduler.roster.objective import make_weights
from tests.roster.factory import CHAT, agent, make_requirements, simple_rules, window_need
from tests.roster.helpers import assert_valid, plan

RULES = simple_rules(cyclic=False, shift_lengths_hours=(4.0, 8.0), allowed_caps=(1, 2, 3, 4, 5, 6))


def _instance():  # type: ignore[no-untyped-def]
    # a quiet night (1.7 units: one whole agent, or 0.45 of a cap-6 one in the LP) and a
    # busier evening, for three cap-6 agents
    need = window_need(1, [(0, 6, 1.7), (18, 24, 5.0)])
    req = make_requirements(need)
    team = [agent(f"s{i}", cap=6) for i in range(3)]
    grid = build_grid(req, tuple(team), chat=CHAT, service=ServiceTarget(), rules=RULES)
    return req, team, grid


def test_the_cut_counts_whole_agents_at_night() -> None:
    _req, _team, grid = _instance()
    k, u = whole_agents_cut(grid, 2) or (0, 0.0)  # 02:00
    assert k == 1 and u == grid.units[0]
    assert whole_agents_cut(grid, 12) is None  # no sessions at noon: nothing to cut


def test_bound_with_the_cut_is_tighter_and_still_below_the_optimum() -> None:
    req, team, grid = _instance()
    people = tuple(team)
    elig = eligibility(grid, people)
    limits = aggregate_limits(grid, people, RULES, elig, interval_ok_matrix(grid, people))
    weights = make_weights(grid)
    loose = lp_bound(grid, limits, weights=weights, envelopes=None, time_limit_seconds=10)
    tight = lp_bound(
        grid, limits, weights=weights, envelopes=None, time_limit_seconds=10, whole_agents=True
    )
    assert tight.value > loose.value
    best = plan(req, team, RULES, seconds=20)
    assert_valid(best)
    assert best.status == "OPTIMAL"
    assert tight.value <= best.objective + 1e-6
    assert best.bound == pytest.approx(best.objective)
