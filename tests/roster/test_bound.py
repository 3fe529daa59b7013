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


def test_the_top_level_hull_is_tighter_still_and_below_the_optimum() -> None:
    # one cap-6 agent and three cap-3 ones. 5.0 units from 18:00: at cap 3 the table needs 2
    # agents (5.0 units), at cap 6 also 2 (7.6 units). The plain LP pairs the cap-6 agent's
    # 3.8 units with cap 3's need; the hull knows a cap-6 agent on duty brings cap 6's need
    need = window_need(1, [(0, 6, 1.7), (18, 24, 5.0)])
    req = make_requirements(need)
    team = [agent("six", cap=6)] + [agent(f"t{i}", cap=3) for i in range(3)]
    people = tuple(team)
    grid = build_grid(req, people, chat=CHAT, service=ServiceTarget(), rules=RULES)
    elig = eligibility(grid, people)
    limits = aggregate_limits(grid, people, RULES, elig, interval_ok_matrix(grid, people))
    weights = make_weights(grid)

    def bound(**cuts: bool) -> float:
        found = lp_bound(
            grid, limits, weights=weights, envelopes=None, time_limit_seconds=10, **cuts
        )
        return found.value

    plain, whole = bound(), bound(whole_agents=True)
    hull = bound(whole_agents=True, top_level_hull=True)
    assert hull > whole >= plain
    # at 30 s the planner itself uses the hull (plan.HULL_MIN_SECONDS)
    best = plan(req, team, RULES, seconds=30)
    assert_valid(best)
    assert best.status == "OPTIMAL"
    assert hull <= best.objective + 1e-6
    assert best.lp_bound == pytest.approx(hull)
