"""Date helpers of the domain."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from scheduler.domain import Shift, next_monday, week_hours, week_start_of


def test_next_monday_after_a_history_ending_on_sunday_night() -> None:
    assert next_monday(datetime(2026, 11, 23, 0, 0)) == date(2026, 11, 23)  # Monday 00:00
    assert next_monday(datetime(2026, 11, 23, 0, 1)) == date(2026, 11, 30)  # just after it
    assert next_monday(datetime(2026, 11, 20, 13, 0)) == date(2026, 11, 23)  # a Friday


def test_week_helpers() -> None:
    assert week_start_of(date(2026, 11, 29)) == date(2026, 11, 23)
    hours = week_hours(date(2026, 11, 23))
    assert len(hours) == 168 and hours[-1] == datetime(2026, 11, 29, 23, 0)


def test_shift_paid_hours_and_duty_cross_midnight_with_break() -> None:
    s = Shift("A1", datetime(2026, 11, 29, 20), datetime(2026, 11, 30, 4), 3,
              datetime(2026, 11, 29, 23, 30), datetime(2026, 11, 30, 0, 0))
    assert s.paid_hours == 7.5
    assert s.on_duty(datetime(2026, 11, 30, 3, 59))
    assert not s.on_duty(datetime(2026, 11, 30, 4, 0))  # end is exclusive
    assert not s.on_duty(datetime(2026, 11, 29, 23, 45))  # on break


def test_night_weekend_and_late_shifts_by_hand() -> None:
    def at(day: int, hour: float) -> datetime:  # day 0: Monday 2026-11-23
        return datetime(2026, 11, 23 + day, int(hour), int(hour % 1 * 60))

    def shift(day: int, start: float, hours: float) -> Shift:
        begin = at(day, start)
        return Shift("A1", begin, begin + timedelta(hours=hours), 3)

    assert not shift(0, 7, 8).night and shift(0, 6.5, 8).night  # 06:30 works night time
    assert shift(0, 18.5, 5).night  # 18:30-23:30 works 23:00-23:30
    assert not shift(0, 18, 5).night  # 18:00-23:00 ends as the night starts
    assert not shift(4, 9, 8).weekend and shift(4, 20, 6).weekend  # Fri 20:00-Sat 02:00
    assert shift(5, 9, 8).weekend and shift(6, 9, 8).weekend
    assert not shift(0, 14, 8).late and shift(0, 14.5, 8).late  # ends 22:00 / 22:30
    assert shift(0, 20, 6).late  # past midnight


def test_the_grids_flags_are_the_shifts_own() -> None:
    """The roster problem's vectorised night, weekend and late flags of every shift type are
    what the dated shift says of itself (one definition, two speeds)."""
    from scheduler.params import Rules
    from tests.roster.factory import agent, flat_need, make_requirements
    from tests.roster.helpers import problem

    for rules in (Rules(), Rules(interval_minutes=15, start_step_minutes=30, cyclic=False)):
        p = problem(make_requirements(flat_need(7, 1.0, interval_minutes=rules.interval_minutes),
                                      interval_minutes=rules.interval_minutes),
                    [agent("a")], rules)
        for st in p.types:
            s = p.shift(0, st, 0)
            assert (s.night, s.weekend, s.late) == (st.night, st.weekend, st.late), (st, s)


def test_fair_counts_count_nights_weekends_and_late_finishes_of_past_weeks() -> None:
    from scheduler.context import fair_counts
    from scheduler.domain import Agent

    def s(who: str, day: int, start: int, hours: int) -> Shift:
        begin = datetime(2026, 11, 16 + day, start)
        return Shift(who, begin, begin + timedelta(hours=hours), 3)

    past = [s("A1", 0, 15, 8),  # Mon 15:00-23:00: late, not night (it ends as the night starts)
            s("A1", 5, 9, 8),  # Sat: weekend
            s("A2", 1, 16, 6),  # Tue 16:00-22:00: none of the three
            s("A2", 6, 19, 5),  # Sun 19:00-24:00: night (23:00), weekend, late
            s("X9", 2, 23, 4)]  # not in the team: not counted
    team = [Agent("A1", 3, 40.0), Agent("A2", 3, 40.0), Agent("A3", 3, 40.0)]
    assert fair_counts(past, team) == ((0, 1, 1), (1, 1, 1), (0, 0, 0))
