"""Helpers shared by the roster tests: build a tiny problem and solve it deterministically."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from scheduler.domain import Agent, Requirements, Roster
from scheduler.params import Rules, SearchParams, ServiceTarget
from scheduler.roster import Limits, RosterProblem, RosterResult, build_problem, solve, validate
from scheduler.roster.cost import evaluate
from tests.roster.factory import CHAT

SEED = 7
WORK = 3.0
"""CP-SAT deterministic seconds per test solve: small, and the same on every machine."""
SEARCH = SearchParams()
"""The search's tuning in the tests (unless a test passes its own)."""


def limits(work: float = WORK) -> Limits:
    """One worker, a deterministic work budget; the wall clock only as a safety cap."""
    return Limits(work=work, wall_seconds=60.0, workers=1)


def problem(
    req: Requirements,
    agents: Sequence[Agent],
    rules: Rules,
    *,
    service: ServiceTarget | None = None,
    search: SearchParams | None = None,
    floor: Requirements | None = None,
) -> RosterProblem:
    return build_problem(req, tuple(agents), chat=CHAT, service=service or ServiceTarget(),
                         rules=rules, search=search or SEARCH, floor=floor)


def solved(p: RosterProblem, *, work: float = WORK, start: Roster | None = None,
           bound: bool = True) -> RosterResult:
    """Solve ``p`` with one worker and seed 7 (reproducible)."""
    result = solve(p, limits=limits(work), seed=SEED,
                   start=None if start is None else p.plan_of(start), bound=bound)
    return result


def plan(
    req: Requirements,
    agents: Sequence[Agent],
    rules: Rules,
    *,
    service: ServiceTarget | None = None,
    search: SearchParams | None = None,
    work: float = WORK,
    hint: Roster | None = None,
) -> RosterResult:
    """Build the problem and solve it with one worker, seed 7 and ``work`` deterministic s."""
    return solved(problem(req, agents, rules, service=service, search=search), work=work,
                  start=hint)


def without(p: RosterProblem, key: str) -> RosterProblem:
    """``p`` with the rule ``key`` taken out of the model (its checks too)."""
    assert key in {r.key for r in p.constraints}, key
    return replace(p, constraints=tuple(r for r in p.constraints if r.key != key))


def hard_violations(p: RosterProblem, roster: Roster, key: str | None = None) -> list[str]:
    """Messages of the hard violations ``validate`` finds (of rule ``key`` only, if given)."""
    rule = None if key is None else next(r for r in p.constraints if r.key == key)
    statement = None if rule is None else rule.statement(p.rules)
    return [v.message for v in validate(p, roster)
            if v.kind == "hard" and (statement is None or v.rule == statement)]


def assert_valid(result: RosterResult) -> None:
    """No hard rule broken (the plain-Python validator), and the result's cost is the one the
    plan recomputes to."""
    p = result.problem
    assert p is not None
    hard = hard_violations(p, result.roster)
    assert not hard, hard
    assert evaluate(p, result.plan) == result.cost
    assert result.agent_hours == sum(s.paid_hours for s in result.roster.shifts)
    assert p.plan_of(result.roster) == result.plan


def covered(result: RosterResult) -> bool:
    """No interval short (and, in weekly mode, the week's target met)."""
    return not result.short_intervals and result.cost.weekly_gap == 0
