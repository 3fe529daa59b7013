"""The search: reproducible (same inputs and seed, same roster), a warm start from a previous
roster, its tuning read from a TOML file, its stopping criteria (each alone on a clock and a work
counter the test moves by hand, and combined) and its moves in order."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.domain import Agent, Requirements
from scheduler.io import read_params
from scheduler.params import SearchParams
from scheduler.report import roster_frame
from scheduler.roster import RosterProblem, RosterResult, RuleViolationError, search, solve
from scheduler.roster.cost import Cost, Plan
from scheduler.roster.search import AllOf, AnyOf, NoImprovement, Run, WallClock, WorkBudget
from tests.roster.factory import agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import SEED, assert_valid, limits, plan, problem

HOURS = mask({(d, h) for d in range(2) for h in range(6, 24)})
RULES = simple_rules(cyclic=False, shift_lengths_hours=(4.0, 6.0, 8.0), start_step_minutes=120)


def _req() -> Requirements:
    windows = [(d * 24 + 8, d * 24 + 22, 3.0) for d in range(2)]
    return make_requirements(window_need(2, windows))


def _team() -> list[Agent]:
    return [agent(f"a{i}", cap=2 + i % 2, available=HOURS) for i in range(6)]


def _resolves(result: RosterResult) -> int:
    """Neighbourhood re-solves the search reports having run."""
    (n,) = [int(m.group(1)) for s in result.messages
            if (m := re.search(r"(\d+) neighbourhood re-solves", s))]
    return n


def test_same_seed_same_plan() -> None:
    first = plan(_req(), _team(), RULES)
    second = plan(_req(), _team(), RULES)
    assert_valid(first)
    assert first.plan == second.plan
    assert first.cost == second.cost
    assert first.work == second.work
    assert roster_frame(first.roster).to_csv() == roster_frame(second.roster).to_csv()


def test_a_warm_start_from_a_previous_roster_is_valid_and_at_least_as_good() -> None:
    first = plan(_req(), _team(), RULES)
    again = plan(_req(), _team(), RULES, hint=first.roster)
    assert_valid(again)
    assert again.cost <= first.cost
    assert not any("no longer fit the rules" in m for m in again.messages)


def test_a_warm_start_drops_the_shifts_the_rules_no_longer_allow() -> None:
    first = plan(_req(), _team(), RULES)
    assert any(s.agent_id == "a0" for s in first.roster.shifts)
    # a0 may now work 2 h a week: the re-plan drops a0's shifts and covers those hours
    team = [replace(a, max_hours_week=2.0) if a.agent_id == "a0" else a for a in _team()]
    again = plan(_req(), team, RULES, hint=first.roster)
    assert_valid(again)
    assert not any(s.agent_id == "a0" for s in again.roster.shifts)
    assert any("no longer fit the rules" in m for m in again.messages)
    assert again.short_intervals == first.short_intervals == ()


def test_tuning_from_a_toml_file_changes_the_search(tmp_path: Path) -> None:
    toml = tmp_path / "tuning.toml"
    toml.write_text("patience = 1\n", encoding="utf-8")
    # neighbourhoods of a few agents (not the whole problem, which ends the search at once)
    small = SearchParams(lns_max_candidates=150)
    tuned = read_params(toml, small, what="tuning setting")
    assert tuned == replace(small, patience=1)
    default = plan(_req(), _team(), RULES, search=small)
    impatient = plan(_req(), _team(), RULES, search=tuned)
    assert_valid(impatient)
    # with patience 1 the search stops at the first neighbourhood that brings nothing
    assert _resolves(impatient) < _resolves(default)
    assert impatient.work <= default.work


def test_a_plan_the_whole_problem_re_solve_proves_optimal_is_said_optimal() -> None:
    # two days, so every neighbourhood frees every agent over the whole horizon: the first
    # re-solve is CP-SAT over the whole named problem, and it proves the start optimal (the
    # plan meets the LP bound); the search need not run `patience` more of the same
    result = plan(_req(), _team(), RULES)
    assert result.bound_hours == result.agent_hours
    assert result.status == "OPTIMAL"
    assert _resolves(result) < SearchParams().patience


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _cost(paid_minutes: int) -> Cost:
    return Cost(0, 0, 0, paid_minutes, 0, 0)


def test_the_work_budget_stops_once_the_work_is_spent() -> None:
    budget = WorkBudget(3.0)
    assert not budget(Run(_cost(60), work=2.9))
    assert budget(Run(_cost(60), work=3.0))
    assert budget(Run(_cost(60), work=3.5))


def test_no_improvement_stops_after_patience_checks_without_a_cheaper_incumbent() -> None:
    patience = NoImprovement(2)
    run = Run(_cost(600))
    assert not patience(run)  # the first incumbent
    assert not patience(run)  # one check without improvement
    run.cost = _cost(540)
    assert not patience(run)  # cheaper: the count starts again
    assert not patience(run)
    run.cost = _cost(540)  # as cheap, not cheaper
    assert patience(run)
    assert not NoImprovement(1)(run)
    assert NoImprovement(0)(run)


def test_the_wall_clock_stops_at_its_margin_from_the_end() -> None:
    clock = FakeClock()
    wall = WallClock(10.0, clock=clock, margin=0.5)
    run = Run(_cost(60))
    assert wall.left() == 10.0 and not wall(run)
    clock.now += 9.4
    assert not wall(run)
    clock.now += 0.1
    assert wall(run)


def test_criteria_combined_any_or_all_and_every_one_asked_each_time() -> None:
    clock = FakeClock()
    run = Run(_cost(60), work=1.0)
    wall, patience = WallClock(10.0, clock=clock), NoImprovement(3)
    either = AnyOf(WorkBudget(5.0), patience, wall)
    both = AllOf(WorkBudget(5.0), wall)
    assert not either(run) and not both(run)
    run.work = 5.0  # the budget is spent, the clock is not
    assert either(run) and not both(run)
    clock.now += 20.0
    assert either(run) and both(run)
    # AnyOf asked the patience criterion every time, even when the budget had already said stop
    assert patience.idle == 2 and patience(run)


def test_the_moves_after_the_search_run_in_order_and_their_plan_is_validated() -> None:
    p = problem(_req(), _team(), RULES)
    a0 = next(s for s in range(len(p.types)) if p.admitted()[s, 0])
    x = (0, a0, int(p.type_level[a0, p.agent_level[0]]))

    def drop_a0(q: RosterProblem, pl: Plan) -> Plan:
        return tuple(y for y in pl if y[0] != 0)

    def add_x(q: RosterProblem, pl: Plan) -> Plan:
        return tuple(sorted({*pl, x}))

    def overlap(q: RosterProblem, pl: Plan) -> Plan:
        a, s, lv = pl[0]
        st = q.types[s]
        other = next(o for o in q.types if o.start == st.start and o.length != st.length
                     and q.admitted()[o.index, a])
        return tuple(sorted({*pl, (a, other.index, lv)}))

    assert (search.fill, search.trim) == search.REPAIR
    assert (search.lower_caps,) == search.FINISH
    kept = solve(p, limits=limits(1.0), seed=SEED, finish=(drop_a0, add_x))
    assert [y for y in kept.plan if y[0] == 0] == [x]
    dropped = solve(p, limits=limits(1.0), seed=SEED, finish=(add_x, drop_a0))
    assert not [y for y in dropped.plan if y[0] == 0]
    with pytest.raises(RuleViolationError):
        solve(p, limits=limits(1.0), seed=SEED, finish=(overlap,))
