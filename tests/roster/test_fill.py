"""The greedy ``fill`` gives the plan its statement gives: for each short interval in turn, the
best allowed (agent, shift) of its ``fill_tries`` best options, else the swap of its
``swap_tries`` best options that leaves least cover missing, else it stays short. ``fill``
remembers what does not change between intervals; this test's greedy recomputes everything, on
random small weeks whose teams are tight enough to need swaps and leave intervals short."""

from __future__ import annotations

import random

import numpy as np
import pytest

from scheduler.params import SearchParams
from scheduler.roster import RosterProblem, search
from scheduler.roster.cost import Plan, cover_sum, shortfall
from scheduler.roster.rules import allows
from tests.roster.factory import agent, make_requirements, mask, simple_rules
from tests.roster.helpers import problem

Counts = dict[str, int]


def greedy(p: RosterProblem, plan: Plan, counts: Counts) -> Plan:
    """The fill as stated, nothing remembered (``counts``: adds, swaps, stuck intervals)."""
    mine = {a: [(s, lv) for a2, s, lv in plan if a2 == a] for a in range(len(p.agents))}
    stuck: set[int] = set()

    def cover() -> np.ndarray:
        return cover_sum(p, tuple((a, s, lv) for a, xs in mine.items() for s, lv in xs))

    def others(a: int, without: int | None = None) -> list:
        return [p.types[s] for s, _lv in mine[a] if s != without]

    while True:
        short = shortfall(p, cover())
        todo = [int(t) for t in np.nonzero(short)[0] if int(t) not in stuck]
        if not todo:
            return tuple(sorted((a, s, lv) for a, xs in mine.items() for s, lv in xs))
        options = []
        for s in p.on_duty_types()[todo[0]]:
            duty = list(p.types[s].duty)
            for a in map(int, np.nonzero(p.admitted()[s])[0]):
                lv = int(p.type_level[s, p.agent_level[a]])
                gain = int(np.minimum(short[duty], p.cover[duty, lv]).sum())
                if gain > 0:
                    options.append((-gain / p.types[s].paid_minutes, a, s, lv))
        options.sort()
        fits = [o for o in options[:p.search.fill_tries]
                if allows(p, o[1], p.types[o[2]], others(o[1])) is None]
        if fits:
            mine[fits[0][1]].append((fits[0][2], fits[0][3]))
            counts["adds"] += 1
            continue
        best = None
        for _r, a, s, lv in options[:p.search.swap_tries]:
            for s2, lv2 in list(mine[a]):
                if (a, s2, lv2) in p.pinned or p.types[s2].week != p.types[s].week or allows(
                        p, a, p.types[s], others(a, without=s2)) is not None:
                    continue
                mine[a].remove((s2, lv2))
                mine[a].append((s, lv))
                left = int(shortfall(p, cover()).sum())
                mine[a].remove((s, lv))
                mine[a].append((s2, lv2))
                if left < int(short.sum()) and (best is None or left < best[0]):
                    best = (left, a, s, lv, s2, lv2)
        if best is None:
            stuck.add(todo[0])
            counts["stuck"] += 1
            continue
        _left, a, s, lv, s2, lv2 = best
        mine[a].remove((s2, lv2))
        mine[a].append((s, lv))
        counts["swaps"] += 1


def week(seed: int, tries: SearchParams) -> tuple[RosterProblem, Plan]:
    """A random two-day week of hourly needs, a small tight team, and a random valid start."""
    rng = random.Random(seed)
    need = np.array([rng.choice((0.0, 1.0, 2.0, 3.5, 5.0)) if 7 <= h % 24 <= 22 else 0.0
                     for h in range(48)])
    hours = mask({(d, h) for d in range(2) for h in range(24) if rng.random() < 0.8})
    team = [agent(f"a{i}", cap=rng.choice((1, 2, 3)), max_hours=rng.choice((8.0, 12.0, 16.0)),
                  available=hours) for i in range(rng.randint(3, 6))]
    rules = simple_rules(cyclic=False, shift_lengths_hours=(4.0, 6.0, 8.0),
                         min_rest_hours=rng.choice((0.0, 11.0)))
    p = problem(make_requirements(need), team, rules, search=tries)
    options = [(a, s, int(p.type_level[s, p.agent_level[a]]))
               for s, a in zip(*np.nonzero(p.admitted()), strict=True)]
    start = search.keep_valid(p, tuple(rng.sample(options, min(len(options), 8))))
    return p, start


@pytest.mark.parametrize("tries", [SearchParams(), SearchParams(fill_tries=3, swap_tries=2)],
                         ids=["default tries", "few tries"])
def test_fill_gives_the_greedy_plan_of_its_statement(tries: SearchParams) -> None:
    counts: Counts = {"adds": 0, "swaps": 0, "stuck": 0}
    for seed in range(12):
        p, start = week(seed, tries)
        assert search.fill(p, start) == greedy(p, start, counts), seed
    assert min(counts.values()) > 0, counts  # the weeks needed each of the greedy's moves
