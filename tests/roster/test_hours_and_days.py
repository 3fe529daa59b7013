"""Weekly hours (max hard, min soft), consecutive working days and days off."""

from __future__ import annotations

from tests.roster.factory import agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import assert_valid, covered, plan

DAYTIME = mask({(d, h) for d in range(7) for h in range(9, 17)})


def _daily(days: range) -> list[tuple[int, int, float]]:
    return [(d * 24 + 9, d * 24 + 17, 1.0) for d in days]


def test_max_hours_40_cannot_cover_a_48_hour_need_but_48_can() -> None:
    req = make_requirements(window_need(7, _daily(range(6))))
    rules = simple_rules(min_days_off_full_time=1)
    tight = plan(req, [agent("a", cap=1, max_hours=40, available=DAYTIME)], rules)
    assert_valid(tight)
    assert tight.agent_hours == 40.0
    assert len(tight.short_intervals) == 8  # one 8-hour day left
    roomy = plan(req, [agent("a", cap=1, max_hours=48, available=DAYTIME)], rules)
    assert_valid(roomy)
    assert covered(roomy)
    assert roomy.agent_hours == 48.0


def test_min_hours_is_soft_and_never_buys_hours() -> None:
    req = make_requirements(window_need(7, _daily(range(1))))
    result = plan(req, [agent("a", cap=1, min_hours=16, available=DAYTIME)], simple_rules())
    assert_valid(result)
    assert result.agent_hours == 8.0
    soft = [v for v in result.violations if v.kind == "soft"]
    assert soft and "min_hours_week" in soft[0].rule
    assert list(result.violations) == soft  # a result carries its soft violations only


def test_consecutive_days_limit() -> None:
    req = make_requirements(window_need(7, _daily(range(7))))
    a = agent("a", cap=1, max_hours=56, available=DAYTIME)
    six = simple_rules(min_days_off=0, min_days_off_full_time=0, max_consecutive_days=6)
    result = plan(req, [a], six)
    assert_valid(result)
    assert result.agent_hours == 48.0  # 6 of 7 days, the wrap counts Sunday -> Monday
    seven = simple_rules(min_days_off=0, min_days_off_full_time=0, max_consecutive_days=7)
    result = plan(req, [a], seven)
    assert_valid(result)
    assert covered(result)


def test_days_off_part_timer_one_full_timer_two() -> None:
    req = make_requirements(window_need(7, _daily(range(7))))
    rules = simple_rules(min_days_off=1, min_days_off_full_time=2, full_time_hours=40)
    part = plan(req, [agent("p", cap=1, max_hours=56, available=DAYTIME)], rules)
    assert_valid(part)
    assert part.agent_hours == 40.0  # full-timer (56 >= 40): 5 days
    part = plan(req, [agent("p", cap=1, max_hours=39, available=DAYTIME)], rules)
    assert_valid(part)
    assert part.agent_hours == 32.0  # 39 h allows 4 shifts of 8 h; 1 day off is not binding
    rules_pt = simple_rules(min_days_off=1, min_days_off_full_time=2, full_time_hours=60)
    part = plan(req, [agent("p", cap=1, max_hours=56, available=DAYTIME)], rules_pt)
    assert_valid(part)
    assert part.agent_hours == 48.0  # part-timer (56 < 60): 6 days


def test_a_shift_longer_than_the_agents_week_is_never_a_candidate() -> None:
    """An agent with 6 h a week gets no Boolean for an 8-hour shift at all (``admits``), while
    an agent with 40 h does: the weekly limit prunes the model before any search."""
    from tests.roster.factory import flat_need
    from tests.roster.helpers import problem

    p = problem(make_requirements(flat_need(7, 1.0)), [agent("short", max_hours=6.0),
                                                      agent("full")],
                simple_rules(shift_lengths_hours=(4.0, 8.0)))
    long = [st.index for st in p.types if st.paid_minutes > 6 * 60]
    short = [st.index for st in p.types if st.paid_minutes <= 6 * 60]
    assert long and short
    assert not p.admitted()[long, 0].any() and p.admitted()[long, 1].any()
    assert p.admitted()[short, 0].any()
