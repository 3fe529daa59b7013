"""The search: reproducible (same inputs and seed, same roster), a warm start from a previous
roster, and its tuning read from a TOML file."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from scheduler.domain import Agent, Requirements
from scheduler.io import read_params
from scheduler.params import SearchParams
from scheduler.pipeline import roster_frame
from tests.roster.factory import agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import Planned, assert_valid, plan

HOURS = mask({(d, h) for d in range(2) for h in range(6, 24)})
RULES = simple_rules(cyclic=False, shift_lengths_hours=(4.0, 6.0, 8.0), start_step_minutes=120)


def _req() -> Requirements:
    windows = [(d * 24 + 8, d * 24 + 22, 3.0) for d in range(2)]
    return make_requirements(window_need(2, windows))


def _team() -> list[Agent]:
    return [agent(f"a{i}", cap=2 + i % 2, available=HOURS) for i in range(6)]


def _resolves(result: Planned) -> int:
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
