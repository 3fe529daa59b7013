"""The plain cost's soft terms by hand: the spread of weighed night (and late) shifts, and
the minutes below minimum hours."""

from __future__ import annotations

from scheduler.roster.cost import score
from tests.roster.factory import agent, flat_need, make_requirements, simple_rules
from tests.roster.helpers import problem


def test_two_nights_on_one_agent_cost_more_than_one_night_each() -> None:
    p = problem(make_requirements(flat_need(7, 1.0)), [agent("a0"), agent("a1")],
                simple_rules(cyclic=False))
    monday, tuesday = (next(st for st in p.types if st.day == d and p.at(st.start).hour == 23)
                       for d in (0, 1))
    assert monday.night and tuesday.night and not monday.weekend
    level = int(p.type_level[monday.index, int(p.agent_level[0])])
    same = ((0, monday.index, level), (0, tuesday.index, level))
    shared = ((0, monday.index, level), (1, tuesday.index, level))
    assert score(p, shared).soft == 0  # one night (and one late finish) each
    # a0 two nights, a1 none: a spread of 2 weighed nights (weight 10 each, equal
    # opportunities) and 2 weighed late finishes
    assert score(p, same).soft == 2 * 10 + 2 * 10


def test_minutes_below_minimum_hours_are_the_plain_costs_too() -> None:
    p = problem(make_requirements(flat_need(7, 1.0)), [agent("a0", min_hours=16.0)],
                simple_rules(cyclic=False))
    day = next(st for st in p.types if st.day == 2 and p.at(st.start).hour == 9)
    level = int(p.type_level[day.index, int(p.agent_level[0])])
    assert score(p, ((0, day.index, level),)).soft == 16 * 60 - 8 * 60  # a day shift, 8 h


def test_the_named_models_objective_weighs_the_same_spread() -> None:
    """With every Boolean fixed, the CP-SAT model's objective is higher for two nights on one
    agent than for one night each: its own fairness term, not only the plain cost's."""
    from scheduler.roster.model import build_named, run

    p = problem(make_requirements(flat_need(7, 1.0)), [agent("a0"), agent("a1")],
                simple_rules(cyclic=False))
    monday, tuesday = (next(st for st in p.types if st.day == d and p.at(st.start).hour == 23)
                       for d in (0, 1))
    def objective(chosen: set[tuple[int, int]]) -> float:
        nm, choice, _fixed = build_named(p, (), [0, 1], None)
        for a, s, _lv, y in choice:
            nm.model.add(y == int((a, s) in chosen))
        solver, out = run(nm.model, work=5.0, wall_seconds=30.0, workers=1, seed=0)
        assert out.status == "OPTIMAL", out.status
        return float(solver.objective_value)

    same = objective({(0, monday.index), (0, tuesday.index)})
    shared = objective({(0, monday.index), (1, tuesday.index)})
    assert same > shared
