"""Every rule's versions agree with its predicate (issue 28).

On many small random rosters, for each rule alone: with every Boolean of the named CP-SAT model
fixed to the roster, the model is feasible exactly when the predicate (``violations``) finds
nothing, and exactly when the heuristics' incremental check accepts the shifts one by one (a
rule's own faster ``allows`` answers as the one derived from the predicate at every step); a
soft rule's CP-SAT penalty is its plain penalty (for minimum hours, the shortfall the
predicate reports). A roster every rule accepts
satisfies every rule's LP rows. Then, per rule, the predicate alone on given shifts, inside and
outside its limit, with no search.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from scheduler.domain import ALWAYS, Agent, Roster, Shift
from scheduler.params import Rules
from scheduler.roster import RULES, RosterProblem
from scheduler.roster.model import AggregateRows, aggregate_rows, build_named, run
from scheduler.roster.rules import Rule, allows
from tests.roster.factory import MONDAY, agent, flat_need, make_requirements, mask
from tests.roster.helpers import problem

Plan = tuple[tuple[int, int, int], ...]


class Case(NamedTuple):
    """A drawn week, small enough to read when a test fails: see ``cases``."""

    rules: dict[str, Any]
    agents: tuple[tuple[int, str, float, float, bool, bool], ...]
    """(cap, availability 'always'/'days'/'hours', max hours, min hours, nights, weekends)."""
    before: tuple[int, int]
    """a0's days in a row before the week and the hour its Sunday shift ends (not cyclic)."""
    picks: tuple[tuple[int, int, int], ...]
    """(agent, day, index among the catalogue's shifts starting that day)."""
    cut: int = 0
    """A re-plan's cut-off, hours from Monday 00:00 (0: none)."""

    def build(self) -> tuple[RosterProblem, Plan]:
        team = []
        for i, (cap, free, most, least, nights, weekends) in enumerate(self.agents):
            hours = (ALWAYS if free == "always"
                     else mask({(d, h) for d in range(7) for h in range(24) if d % (i + 2)})
                     if free == "days" else mask({(d, h) for d in range(7) for h in range(6, 22)}))
            team.append(agent(f"a{i}", cap=cap, available=hours, max_hours=most,
                              min_hours=least, night_ok=nights, weekend_ok=weekends))
        p = problem(make_requirements(flat_need(7, 1.0)), team, Rules(**self.rules))
        days, end = self.before
        if not p.cyclic:
            p = replace(p, before=tuple(
                Shift("a0", MONDAY - timedelta(days=d, hours=32 - end),
                      MONDAY - timedelta(days=d, hours=24 - end), 1) for d in range(days)))
        if self.cut:
            p = p.with_fixed((), first_start=p.at(self.cut))
        by_day: dict[int, list[int]] = {}
        for shift in p.types:
            by_day.setdefault(shift.day, []).append(shift.index)
        picks = {(a % len(team), by_day[d][k % len(by_day[d])]) for a, d, k in self.picks}
        return p, tuple(sorted((a, s, _level(p, a, s)) for a, s in picks))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A week of 60-minute intervals, two or three agents, rules drawn tight, a week before
    (when not cyclic), now and then a re-plan's cut-off, and a roster of shifts drawn day by
    day from the whole catalogue (shapes the rules do not admit included)."""
    breaks = draw(st.booleans())
    rules = {
        "interval_minutes": 60, "start_step_minutes": 60, "cyclic": draw(st.booleans()),
        "shift_lengths_hours": (4.0, 6.0, 8.0) if breaks else (4.0, 8.0),
        "break_after_hours": 6.0 if breaks else 0.0, "break_minutes": 30,
        "max_shift_hours_per_day": draw(st.sampled_from([8.0, 6.0])),
        "min_rest_hours": draw(st.sampled_from([0.0, 8.0, 12.0, 16.0])),
        "max_consecutive_days": draw(st.integers(2, 7)),
        "min_days_off": draw(st.integers(0, 3)),
        "min_days_off_full_time": draw(st.integers(0, 4)),
        "full_time_hours": draw(st.sampled_from([16.0, 40.0])),
        "allowed_caps": draw(st.sampled_from([(1, 2, 3), (2, 3)]))}
    agents = draw(st.lists(st.tuples(
        st.integers(1, 3), st.sampled_from(["always", "days", "hours"]),
        st.sampled_from([8.0, 16.0, 24.0, 48.0]), st.sampled_from([0.0, 6.0, 20.0]),
        st.booleans(), st.booleans()), min_size=2, max_size=3))
    before = (draw(st.integers(0, 4)), draw(st.sampled_from([17, 23, 26, 30])))
    picks = [(a, d, draw(st.integers(0, 300))) for a in range(len(agents))
             for d in sorted(draw(st.sets(st.integers(0, 6))))]
    picks += draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 6), st.integers(0, 300)),
                           max_size=2))  # a second shift on a day, now and then
    return Case(rules, tuple(agents), before, tuple(picks), draw(st.sampled_from([0, 0, 30, 80])))


def _level(p: RosterProblem, a: int, s: int) -> int:
    top = int(p.agent_level[a])
    return int(p.type_level[s, top]) if top >= 0 else 0


def alone(p: RosterProblem, rule: Rule) -> RosterProblem:
    """``p`` with ``rule`` alone; days in a row beside one shift a day, which every rule set
    holds (its CP-SAT windows count days by shifts)."""
    return replace(p, constraints=tuple(r for r in RULES if r is rule or (
        rule.key == "consecutive" and r.key == "one_per_day")))


def cp_sat(p: RosterProblem, plan: Plan) -> tuple[bool, int]:
    """The named model over every agent and day with each Boolean fixed to ``plan``: feasible,
    and its soft penalty (the rules' ``soft`` terms at the optimum)."""
    nm, choice, _fixed = build_named(p, (), list(range(len(p.agents))), None)
    chosen = {(a, s) for a, s, _lv in plan}
    if not chosen <= {(a, s) for a, s, _lv, _y in choice}:
        return False, 0  # a shift the model has no Boolean for
    for a, s, _lv, y in choice:
        nm.model.add(y == int((a, s) in chosen))
    soft = nm.model.new_int_var(0, 10**9, "soft")
    nm.model.add(soft == sum(nm.soft))
    solver, out = run(nm.model, work=5.0, wall_seconds=30.0, workers=1, seed=0)
    assert out.status in ("OPTIMAL", "INFEASIBLE"), out.status
    return out.status == "OPTIMAL", solver.value(soft) if out.status == "OPTIMAL" else 0


def one_by_one(p: RosterProblem, rule: Rule, plan: Plan) -> bool:
    """The incremental check accepts the shifts in start order; a rule's own ``allows``
    answers as the derived one at every step."""
    others: dict[int, list] = {a: [] for a in range(len(p.agents))}
    for a, s, _lv in sorted(plan, key=lambda x: (p.types[x[1]].start, x)):
        shift = p.types[s]
        if p.admitted()[s, a] and not rule.per_shift:  # the faster override is the derived one
            assert rule.allows(p, a, shift, others[a]) == Rule.allows(rule, p, a, shift,
                                                                       others[a])
        if allows(p, a, shift, others[a]) is not None:
            return False
        others[a].append(shift)
    return True


def shortfall_minutes(p: RosterProblem, roster: Roster) -> int:
    """Minutes below ``min_hours_week`` (pro rata), summed over agents and weeks: the min-hours
    statement, counted by hand."""
    total = 0
    for agent_ in p.agents:
        paid = sum(round(sh.paid_hours * 60) for sh in roster.for_agent(agent_.agent_id))
        total += max(0, round(agent_.min_hours_week * 60) - paid)
    return total


SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    phases=[Phase.explicit, Phase.generate],  # shrinking a slow case: minutes
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


SIMPLE = {"interval_minutes": 60, "break_after_hours": 0.0, "cyclic": False}
"""Found by this test: four days in a row before the week, at most two: a window wholly in the
week before made the days in a row model infeasible whatever the plan."""
TOO_MANY_BEFORE = Case({**SIMPLE, "max_consecutive_days": 2},
                       ((3, "always", 48.0, 0.0, True, True), (1, "always", 16.0, 0.0, True, True)),
                       (4, 23), ((0, 2, 0),))

ROUND_THE_WEEK = Case({**SIMPLE, "cyclic": True, "min_rest_hours": 12.0},
                      ((3, "always", 48.0, 0.0, True, False), (1, "always", 16.0, 0.0, True, True)),
                      (0, 23), ((0, 6, 20 * 5 + 4), (0, 0, 6 * 5), (0, 5, 9 * 5 + 4)))
"""Sunday 20:00-04:00 then Monday 06:00 (rest across the wrap) and a Saturday shift for an
agent who works no weekends (the catalogue: five lengths, 4-8 h, at each hour)."""

BREAKLESS = Case({**SIMPLE, "break_after_hours": 6.0, "break_minutes": 30,
                  "shift_lengths_hours": (4.0, 6.0, 8.0)},
                 ((3, "always", 48.0, 0.0, True, True), (1, "always", 16.0, 0.0, True, True)),
                 (0, 23), ((0, 0, 9 * 11 + 7),))
"""Monday 09:00-17:00 without a meal break (the catalogue's 11 shapes a start hour: 4-6 h,
then 7 h and 8 h each without and with a break at three offsets). Found by the mutation run:
40 drawn weeks held one such shift only once, so switching off the break rule's candidate
filter (its only CP-SAT version) passed."""


@SETTINGS
@given(cases())
@example(TOO_MANY_BEFORE)
@example(ROUND_THE_WEEK)
@example(BREAKLESS)
def test_every_version_of_a_rule_agrees_with_its_predicate(case: Case) -> None:
    p, plan = case.build()
    roster = p.roster(plan)
    for rule in RULES:
        if not rule.in_force(p):
            continue
        q = alone(p, rule)
        assert all(v.key == r.key and v.kind == r.kind
                   for r in q.constraints for v in r.check(q, roster))
        hard = [v for r in q.constraints for v in r.check(q, roster) if v.kind == "hard"]
        feasible, penalty = cp_sat(q, plan)
        accepted = one_by_one(q, rule, plan)
        assert feasible == (not hard) == accepted, (rule.key, hard, feasible, accepted)
        if rule.kind == "soft" and feasible:
            assert penalty == rule.penalty(q, plan), rule.key
        if rule.key == "min_hours" and feasible:
            assert penalty == shortfall_minutes(q, roster)
            assert bool(rule.check(q, roster)) == (penalty > 0), (rule.key, penalty)


@SETTINGS
@given(cases())
def test_a_valid_roster_satisfies_every_rules_lp_rows(case: Case) -> None:
    p, drawn = case.build()
    others: dict[int, list] = {a: [] for a in range(len(p.agents))}
    plan = []
    for a, s, lv in sorted(drawn, key=lambda x: (p.types[x[1]].start, x)):
        if allows(p, a, p.types[s], others[a]) is None:  # every rule
            others[a].append(p.types[s])
            plan.append((a, s, lv))
    roster = p.roster(tuple(plan))
    assert not [v for v in (x for r in RULES if r.in_force(p) for x in r.check(p, roster))
                if v.kind == "hard"]
    counts: dict[tuple[int, int], int] = {}
    for a, s, _lv in plan:
        key = (s, int(p.agent_level[a]))
        counts[key] = counts.get(key, 0) + 1
    for rule in (*RULES, None):  # None: the rows every rule set shares (no overlap)
        if rule is None:
            rows = aggregate_rows(p)
        else:
            rows = AggregateRows(p, p.admitted())
            if not rule.in_force(p):
                continue
            rule.aggregate(p, rows)
        assert set(counts) <= set(rows.keys)
        for terms, rhs in rows.rows:
            assert sum(c * counts.get(k, 0) for k, c in terms.items()) <= rhs, rule


# --------------------------------------------------------------------------- each rule alone
def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def shifts(*spans: tuple[int, float, float], cap: int = 2) -> list[Shift]:
    """Shifts of agent 'a' from (day, start hour, hours)."""
    return [Shift("a", at(d, h), at(d, h + n), cap) for d, h, n in spans]


WEEK = [(d, 9, 8) for d in range(5)]
FULL = Agent("a", max_concurrent=3, max_hours_week=40.0)


@pytest.mark.parametrize(("key", "rules", "who", "given", "broken"), [
    ("shape", {}, FULL, shifts((0, 9, 8)), False),
    ("shape", {}, FULL, shifts((0, 9, 5)), True),
    ("shape", {"max_shift_hours_per_day": 8.0}, FULL, shifts((0, 9, 10)), True),
    ("shape", {}, FULL, shifts((0, 9.5, 8)), True),
    ("break", {"break_after_hours": 6.0}, FULL, shifts((0, 9, 6)), False),
    ("break", {"break_after_hours": 6.0}, FULL, shifts((0, 9, 8)), True),
    ("availability", {}, FULL, shifts((0, 9, 8)), False),
    ("availability", {}, replace(FULL, weekend_ok=False), shifts((5, 9, 8)), True),
    ("availability", {}, replace(FULL, night_ok=False), shifts((0, 22, 4)), True),
    ("availability", {}, replace(FULL, available=mask({(0, h) for h in range(9, 16)})),
     shifts((0, 9, 8)), True),
    ("cap", {}, FULL, shifts((0, 9, 8), cap=3), False),
    ("cap", {}, replace(FULL, max_concurrent=2), shifts((0, 9, 8), cap=3), True),
    ("cap", {"allowed_caps": (1, 3)}, FULL, shifts((0, 9, 8), cap=2), True),
    ("one_per_day", {"min_rest_hours": 0.0}, FULL, shifts((0, 0, 4), (1, 0, 4)), False),
    ("one_per_day", {"min_rest_hours": 0.0}, FULL, shifts((0, 0, 4), (0, 12, 4)), True),
    ("rest", {"min_rest_hours": 11.0}, FULL, shifts((0, 9, 8), (1, 4, 8)), False),
    ("rest", {"min_rest_hours": 11.0}, FULL, shifts((0, 9, 8), (1, 3, 8)), True),
    ("rest", {"min_rest_hours": 11.0}, FULL, shifts((6, 20, 8), (0, 14, 8)), True),  # wraps
    ("max_hours", {}, FULL, shifts(*WEEK), False),
    ("max_hours", {}, replace(FULL, max_hours_week=39.0), shifts(*WEEK), True),
    ("min_hours", {}, replace(FULL, min_hours_week=40.0), shifts(*WEEK), False),
    ("min_hours", {}, replace(FULL, min_hours_week=41.0), shifts(*WEEK), True),
    ("consecutive", {"max_consecutive_days": 5}, FULL, shifts(*WEEK), False),
    ("consecutive", {"max_consecutive_days": 4}, FULL, shifts(*WEEK), True),
    ("consecutive", {"max_consecutive_days": 4}, FULL,  # Sat, Sun, Mon, Tue, Wed round the week
     shifts((5, 9, 8), (6, 9, 8), (0, 9, 8), (1, 9, 8), (2, 9, 8)), True),
    ("days_off", {"min_days_off_full_time": 2}, FULL, shifts(*WEEK), False),
    ("days_off", {"min_days_off_full_time": 3}, FULL, shifts(*WEEK), True),
    ("days_off", {"min_days_off_full_time": 3}, replace(FULL, max_hours_week=39.0),
     shifts(*WEEK), False),  # not full-time: min_days_off (1) is the limit
])
def test_the_predicate_alone(key: str, rules: dict, who: Agent, given: list[Shift],
                             broken: bool) -> None:
    base = {"interval_minutes": 60, "break_after_hours": 0.0, "min_days_off": 1,
            "min_days_off_full_time": 1, "allowed_caps": (1, 2, 3), "cyclic": True}
    p = problem(make_requirements(flat_need(7, 1.0)), [who], Rules(**{**base, **rules}))
    rule = next(r for r in RULES if r.key == key)
    assert bool(list(rule.violations(who, given, p))) is broken


def test_rest_and_days_in_a_row_count_the_week_before() -> None:
    """A Sunday shift ending 23:00 the week before: Monday 09:00 is 10 h later (less than 11 h
    rest), 10:00 is 11 h; four days in a row before the week and Monday make five."""
    before = tuple(shifts(*((-d, 15, 8) for d in range(1, 5))))
    p = replace(problem(make_requirements(flat_need(7, 1.0)), [FULL],
                        Rules(interval_minutes=60, cyclic=False, min_rest_hours=11.0,
                              max_consecutive_days=4)), before=before)
    rest, consecutive = (next(r for r in RULES if r.key == k) for k in ("rest", "consecutive"))
    assert list(rest.violations(FULL, [*before, *shifts((0, 9, 8))], p))
    assert not list(rest.violations(FULL, [*before, *shifts((0, 10, 8))], p))
    assert list(consecutive.violations(FULL, [*before, *shifts((0, 10, 8))], p))
    assert not list(consecutive.violations(FULL, [*before, *shifts((1, 10, 8))], p))
    # and the validator sees them
    assert {v.key for v in rest.check(p, Roster(MONDAY.date(), tuple(shifts((0, 9, 8)))))} \
        == {"rest"}
