"""Reproducibility, warm start from a previous roster, the greedy fallback on time-out."""

from __future__ import annotations

import math

import pytest

from scheduler.domain import Agent, Requirements
from scheduler.roster import plan as plan_module
from scheduler.roster.named import Named
from scheduler.roster.solver import SolveOutcome
from tests.roster.factory import agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import assert_valid, plan

HOURS = mask({(d, h) for d in range(2) for h in range(6, 24)})
RULES = simple_rules(cyclic=False, shift_lengths_hours=(4.0, 6.0, 8.0), start_step_minutes=120)


def _req() -> Requirements:
    windows = [(d * 24 + 8, d * 24 + 22, 3.0) for d in range(2)]
    return make_requirements(window_need(2, windows))


def _team() -> list[Agent]:
    return [agent(f"a{i}", cap=2 + i % 2, available=HOURS) for i in range(6)]


def test_same_seed_same_plan() -> None:
    first = plan(_req(), _team(), RULES)
    second = plan(_req(), _team(), RULES)
    assert_valid(first)
    assert first.roster.shifts == second.roster.shifts
    assert first.objective == second.objective


def test_hint_from_a_previous_roster_gives_a_valid_plan_at_least_as_good() -> None:
    first = plan(_req(), _team(), RULES)
    again = plan(_req(), _team(), RULES, hint=first.roster)
    assert_valid(again)
    assert again.objective <= first.objective


def test_time_out_in_the_named_stage_falls_back_to_a_valid_greedy_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def timed_out(*args: object, **kwargs: object) -> Named:
        return Named([], SolveOutcome("UNKNOWN", math.nan, math.nan, 0.0), 0)

    monkeypatch.setattr(plan_module, "solve_named", timed_out)
    result = plan(_req(), _team(), RULES)
    assert result.status == "FALLBACK"
    assert any("greedy plan" in m for m in result.messages)
    assert_valid(result)  # valid, though not necessarily covering what the optimiser would


def test_time_out_in_both_stages_still_returns_a_valid_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scheduler.roster.aggregate import Aggregate

    def agg_timed_out(*args: object, **kwargs: object) -> Aggregate:
        return Aggregate({}, SolveOutcome("UNKNOWN", math.nan, math.nan, 0.0))

    def named_timed_out(*args: object, **kwargs: object) -> Named:
        return Named([], SolveOutcome("UNKNOWN", math.nan, math.nan, 0.0), 0)

    monkeypatch.setattr(plan_module, "solve_aggregate", agg_timed_out)
    monkeypatch.setattr(plan_module, "solve_named", named_timed_out)
    result = plan(_req(), _team(), RULES)
    assert result.status == "FALLBACK"
    assert_valid(result)
    assert result.roster.shifts


def _named_timed_out(*args: object, **kwargs: object) -> Named:
    return Named([], SolveOutcome("UNKNOWN", math.nan, math.nan, 0.0), 0)


def test_two_stages_repair_the_greedy_naming_before_stage_b(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the two-stage path (a large week's), forced on this small one
    monkeypatch.setattr(plan_module, "use_direct", lambda *args, **kwargs: False)
    result = plan(_req(), _team(), RULES)
    assert_valid(result)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    repaired = [i for i, m in enumerate(result.messages) if "then the targeted repair" in m]
    stage_b = [i for i, m in enumerate(result.messages) if m.startswith("stage B")]
    assert repaired and stage_b and repaired[0] < stage_b[0]
    assert result.shortfall_intervals == ()


def test_two_stages_keep_the_repaired_plan_when_stage_b_finds_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plan_module, "use_direct", lambda *args, **kwargs: False)
    monkeypatch.setattr(plan_module, "solve_named", _named_timed_out)
    result = plan(_req(), _team(), RULES)
    assert_valid(result)
    # stage A's shifts, named and repaired: an optimised plan (here it even meets the bound),
    # not the greedy fallback
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert not any("greedy plan" in m for m in result.messages)
    assert result.shortfall_intervals == ()


def test_two_stages_skip_stage_b_when_its_model_is_too_big_for_the_time_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plan_module, "use_direct", lambda *args, **kwargs: False)
    calls: list[object] = []

    def spy(*args: object, **kwargs: object) -> Named:
        calls.append(kwargs)
        return _named_timed_out()

    monkeypatch.setattr(plan_module, "solve_named", spy)
    # a solver that would need an hour for this model's pairs: stage B is not even built
    monkeypatch.setattr(plan_module, "STAGE_B_PAIRS_PER_SECOND", 1e-3)
    result = plan(_req(), _team(), RULES)
    assert calls == []
    assert any("stage B (CP-SAT over named shifts) skipped" in m for m in result.messages)
    assert_valid(result)
    assert result.status in ("OPTIMAL", "FEASIBLE")  # the repaired plan, not the fallback
    assert result.shortfall_intervals == ()
    # ...and with a fast one it is built and run
    monkeypatch.setattr(plan_module, "STAGE_B_PAIRS_PER_SECOND", 1e9)
    result = plan(_req(), _team(), RULES)
    assert calls
    assert not any("skipped" in m for m in result.messages)
