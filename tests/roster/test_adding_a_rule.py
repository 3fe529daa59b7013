"""The README's worked example of adding a labour rule (at most N night shifts a week) runs as
written: the block is read from the README and put beside the rules, then its predicate is
checked alone, its versions against each other on random rosters, and a plan keeps it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given

import scheduler.roster.rules as rules_module
from scheduler.domain import NIGHT_HOURS, Shift
from scheduler.params import Rules
from scheduler.roster import RULES, RosterProblem
from scheduler.roster.rules import Rule
from tests.roster.factory import MONDAY, agent, make_requirements
from tests.roster.helpers import problem, solved
from tests.roster.test_rule_agreement import SETTINGS, Case, cases, cp_sat, one_by_one

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_rule(most: int) -> Rule:
    """The README's ``MostNights`` class, defined beside the rules as a contributor would."""
    section = README.read_text(encoding="utf-8").split("## Adding a labour rule", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None, "the README's section has no python block"
    space: dict[str, Any] = dict(vars(rules_module))
    exec(compile("from __future__ import annotations\n" + block.group(1), str(README), "exec"),
         space)
    rule = space["MostNights"](most)
    assert isinstance(rule, Rule)
    return rule


NIGHTS = Rules(interval_minutes=60, start_step_minutes=60, shift_lengths_hours=(8.0,),
               break_after_hours=0.0, min_rest_hours=8.0, max_consecutive_days=7,
               min_days_off=0, min_days_off_full_time=0, cyclic=False)
"""Eight-hour shifts on the hour, nothing else binding."""


def night_problem(agents: int) -> RosterProblem:
    """One agent needed 23:00-07:00 every night from Monday's (seven night shifts: the last
    one Sunday 16:00-24:00), ``agents`` night-eligible agents with hours to spare."""
    need = np.zeros(168)
    need[23:] = [1.0 if t % 24 in NIGHT_HOURS else 0.0 for t in range(23, 168)]
    team = [agent(f"n{i}", max_hours=56.0) for i in range(agents)]
    return problem(make_requirements(need), team, NIGHTS)


def nights(shifts: list[Shift]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in shifts:
        out[s.agent_id] = out.get(s.agent_id, 0) + s.night
    return out


def test_the_predicate_alone_inside_and_outside_the_limit() -> None:
    rule = readme_rule(2)
    p = night_problem(1)
    at = [MONDAY + timedelta(days=d, hours=23) for d in range(3)]
    three = [Shift("n0", t, t + timedelta(hours=8), 3) for t in at]
    assert list(rule.violations(p.agents[0], three[:2], p)) == []
    assert list(rule.violations(p.agents[0], three, p)) == ["3 night shifts in week 1"]
    day = MONDAY + timedelta(days=4, hours=9)  # a day shift is not a night one
    assert list(rule.violations(p.agents[0], [*three[:2], Shift("n0", day, day +
                                                                timedelta(hours=8), 3)], p)) == []
    assert rule.statement(p.rules) == "at most 2 night shifts a week"


@SETTINGS
@given(cases())
def test_its_versions_agree_on_random_rosters(case: Case) -> None:
    rule = readme_rule(1)
    p, plan = case.build()
    q = replace(p, constraints=(rule,))
    hard = rule.check(q, q.roster(plan))
    assert all(v.key == "most_nights" for v in hard)
    feasible, _ = cp_sat(q, plan)
    assert feasible == (not hard) == one_by_one(q, rule, plan), (hard, feasible)


def test_a_plan_keeps_it_and_without_it_does_not() -> None:
    """Seven nights, three agents: without the rule someone works three nights; with at most
    two each, the plan keeps it (validated) and leaves a night short instead."""
    p = night_problem(3)
    free = solved(p)
    assert len(free.short_intervals) == 0
    assert max(nights(list(free.roster.shifts)).values()) >= 3
    rule = readme_rule(2)
    kept = solved(replace(p, constraints=(*RULES, rule)))
    assert max(nights(list(kept.roster.shifts)).values()) <= 2
    assert rule.statement(p.rules) in kept.rules
    assert len(kept.short_intervals) > 0
