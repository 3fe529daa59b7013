"""The rules of the week's context, alone on given shifts (no search): fairness's check, the
re-plan's cut-off and the pinned shifts."""

from __future__ import annotations

from dataclasses import replace

from scheduler.domain import Roster
from scheduler.roster.rules import Cutoff, Fairness, Pinned
from tests.roster.factory import agent, flat_need, make_requirements, simple_rules
from tests.roster.helpers import problem


def _week():  # type: ignore[no-untyped-def]
    p = problem(make_requirements(flat_need(7, 1.0)), [agent("a0"), agent("a1")],
                simple_rules(cyclic=False))
    nights = [next(st for st in p.types if st.day == d and p.at(st.start).hour == 23
                   and st.length * p.interval_minutes == 480) for d in range(3)]
    level = int(p.type_level[nights[0].index, int(p.agent_level[0])])
    return p, [st.index for st in nights], level


def test_fairness_flags_an_agent_two_shifts_above_another_not_one() -> None:
    p, (mon, tue, wed), lv = _week()
    rule = Fairness()
    one_more = ((0, mon, lv), (0, wed, lv), (1, tue, lv))
    assert rule.check(p, p.roster(one_more)) == []
    two_more = ((0, mon, lv), (0, wed, lv))
    found = rule.check(p, p.roster(two_more))
    assert {(v.agent_id, v.kind, v.key) for v in found} == {("a0", "soft", "fairness")}
    assert {v.message.split(" shifts")[0] for v in found} == {"night", "late"}
    assert "a0 has 2, a1 0" in found[0].message
    # the last published weeks count: a1 worked two nights then, so two now on a0 are even
    past = replace(p, history=((0, 0, 0), (2, 0, 2)))
    assert rule.check(past, past.roster(two_more)) == []
    assert rule.penalty(past, two_more) == 0 and rule.penalty(p, two_more) == 2 * 10 + 2 * 10


def test_the_cut_off_refuses_a_new_shift_before_it_not_a_kept_one() -> None:
    p, (mon, tue, wed), lv = _week()
    kept = p.shift(0, p.types[mon], lv)
    cut = p.with_fixed((kept,), first_start=p.at(48))  # Wednesday 00:00
    rule = Cutoff()
    assert rule.in_force(cut) and not rule.in_force(p)
    assert rule.check(cut, cut.roster(((0, mon, lv), (1, wed, lv)))) == []
    (v,) = rule.check(cut, cut.roster(((0, mon, lv), (1, tue, lv))))
    assert v.agent_id == "a1" and v.key == "cutoff" and "Tue 23:00" in v.message
    assert not cut.admitted()[tue].any() and cut.admitted()[wed].all()


def test_a_pinned_shift_dropped_or_re_capped_is_a_violation() -> None:
    p, (mon, _tue, _wed), lv = _week()
    kept = p.shift(0, p.types[mon], lv)
    q = p.with_fixed((kept,))
    rule = Pinned()
    assert rule.in_force(q) and not rule.in_force(p)
    assert rule.check(q, Roster(q.week_start, (kept,))) == []
    (v,) = rule.check(q, Roster(q.week_start, ()))
    assert v.agent_id == "a0" and v.key == "pinned" and v.kind == "hard"
    recapped = replace(kept, max_concurrent=kept.max_concurrent + 1)
    assert rule.check(q, Roster(q.week_start, (recapped,)))
