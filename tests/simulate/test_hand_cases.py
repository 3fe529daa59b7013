"""Hand-computable cases: each test states the timeline it expects and why.

All traces use deterministic handle times and explicit patience, so nothing random is drawn that
matters. The week starts Monday 2025-03-03.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from scheduler.domain import Arrivals, Roster, Shift
from scheduler.errors import InputError
from scheduler.params import ChatModel
from scheduler.simulate import SimulationResult, simulate_roster

WEEK = date(2025, 3, 3)
MON = datetime(2025, 3, 3)
NO_LEAVING = ChatModel(
    handle_seconds=600.0,
    base_reply_seconds=20.0,
    patience_seconds=math.inf,
    answer_seconds=180.0,
    throughput=(1.0, 1.5, 2.0),
)


def at(hours: float, day: int = 0) -> datetime:
    return MON + timedelta(days=day, hours=hours)


def hm(h: int, m: int = 0, s: int = 0, day: int = 0) -> datetime:
    return MON + timedelta(days=day, hours=h, minutes=m, seconds=s)


def trace(*rows: tuple[datetime, float, float]) -> Arrivals:
    """(start, solo handle seconds, patience seconds) rows."""
    return Arrivals(
        start=tuple(r[0] for r in rows),
        handle_seconds=tuple(r[1] for r in rows),
        patience_seconds=tuple(r[2] for r in rows),
    )


def one_agent(start: datetime, end: datetime, cap: int, **brk: datetime) -> Roster:
    return Roster(WEEK, (Shift("A", start, end, cap, brk.get("bs"), brk.get("be")),))


def run(
    roster: Roster, arrivals: Arrivals, chat: ChatModel = NO_LEAVING, **kw: bool
) -> SimulationResult:
    return simulate_roster(roster, arrivals, chat, seed=0, **kw)


def col(result: SimulationResult, name: str) -> list[object]:
    return list(result.sessions[name])


def test_single_agent_spaced_arrivals_never_wait() -> None:
    roster = one_agent(hm(9), hm(17), 1)
    arrivals = trace(
        (hm(10), 300.0, math.inf), (hm(10, 10), 300.0, math.inf), (hm(10, 20), 300.0, math.inf)
    )
    r = run(roster, arrivals)
    assert col(r, "queue_wait_seconds") == [0.0, 0.0, 0.0]
    assert col(r, "first_reply_seconds") == [20.0, 20.0, 20.0]  # base latency, one chat
    assert list(r.sessions["end"]) == [
        pd.Timestamp(hm(10, 5)),
        pd.Timestamp(hm(10, 15)),
        pd.Timestamp(hm(10, 25)),
    ]
    hour = r.hours[10]
    assert (hour.sessions, hour.replied, hour.replied_3min) == (3, 3, 3)
    assert hour.three_min_rate == 1.0 and hour.reply_rate == 1.0
    assert r.week.sessions == 3 and r.week.three_min_rate == 1.0


def test_reply_latency_alone_can_miss_the_deadline() -> None:
    slow = NO_LEAVING.with_(base_reply_seconds=181.0)
    r = run(one_agent(hm(9), hm(17), 1), trace((hm(10), 300.0, math.inf)), slow)
    assert col(r, "first_reply_seconds") == [181.0]
    assert r.week.replied == 1 and r.week.replied_3min == 0


def test_two_simultaneous_arrivals_cap1_second_waits_first_handle_time() -> None:
    r = run(
        one_agent(hm(9), hm(17), 1), trace((hm(10), 400.0, math.inf), (hm(10), 100.0, math.inf))
    )
    assert col(r, "queue_wait_seconds") == [0.0, 400.0]
    assert col(r, "first_reply_seconds") == [20.0, 420.0]
    assert col(r, "replied_3min") == [True, False]
    assert r.week.three_min_rate == 0.5 and r.week.reply_rate == 1.0


def test_cap2_two_chats_together_finish_at_stretched_times() -> None:
    # throughput(2) = 1.5: each of two chats runs at 0.75 of solo speed.
    # Chat 1 (300 s solo) ends at 300 / 0.75 = 400 s; chat 2 (600 s) has done 300 s by then and
    # finishes its other 300 s alone: 700 s.
    r = run(
        one_agent(hm(9), hm(17), 2), trace((hm(10), 300.0, math.inf), (hm(10), 600.0, math.inf))
    )
    ends = [(e - pd.Timestamp(hm(10))).total_seconds() for e in r.sessions["end"]]
    assert ends == pytest.approx([400.0, 700.0], abs=1e-6)
    # reply latency: 20 s with one chat, 20 * 2 / 1.5 with two
    assert col(r, "first_reply_seconds") == pytest.approx([20.0, 20.0 * 2 / 1.5])
    assert col(r, "concurrent_at_pickup") == [1, 2]


def test_cap2_second_chat_joining_midway_reschedules_the_first() -> None:
    # A (600 s) alone from 0 to 100 s: 100 s done. B (100 s) joins: both at 0.75 speed, B ends at
    # 100 + 100 / 0.75 = 233.33 s; A has then done 100 + 100 = 200 s and ends alone at
    # 233.33 + 400 = 633.33 s.
    r = run(
        one_agent(hm(9), hm(17), 2),
        trace((hm(10), 600.0, math.inf), (hm(10, 0, 100), 100.0, math.inf)),
    )
    ends = [(e - pd.Timestamp(hm(10))).total_seconds() for e in r.sessions["end"]]
    assert ends == pytest.approx([100.0 + 100.0 / 0.75 + 400.0, 100.0 + 100.0 / 0.75], abs=1e-6)


def test_patience_shorter_than_wait_abandons_and_stays_in_the_denominator() -> None:
    # cap 1, A busy from 10:00 to 10:10. B (patience 60 s) leaves at 10:01:10; C (patience
    # 1000 s) is picked up at 10:10:00 after waiting 580 s.
    r = run(
        one_agent(hm(9), hm(17), 1),
        trace(
            (hm(10), 600.0, math.inf), (hm(10, 0, 10), 300.0, 60.0), (hm(10, 0, 20), 300.0, 1000.0)
        ),
    )
    assert col(r, "abandoned") == [False, True, False]
    assert col(r, "replied") == [True, False, True]
    assert col(r, "queue_wait_seconds")[2] == 580.0
    assert math.isnan(col(r, "queue_wait_seconds")[1])  # type: ignore[arg-type]
    w = r.week
    assert (w.sessions, w.replied, w.abandoned, w.replied_3min) == (3, 2, 1, 1)
    assert w.reply_rate == pytest.approx(2 / 3) and w.abandonment_share == pytest.approx(1 / 3)


def test_patience_longer_than_wait_is_picked_up() -> None:
    r = run(one_agent(hm(9), hm(17), 1), trace((hm(10), 600.0, math.inf), (hm(10), 60.0, 601.0)))
    assert col(r, "abandoned") == [False, False] and col(r, "queue_wait_seconds") == [0.0, 600.0]


def test_shift_end_no_new_pickup_but_chat_in_progress_is_finished() -> None:
    # A works 09:00-10:00. S1 at 09:55 (600 s) is finished at 10:05, after the shift. S2 at 09:58
    # waits: A's slot frees at 10:05 but A is off duty. S3 arrives exactly at 10:00 (end is
    # exclusive). B starts at 11:00 and takes S2 then S3.
    roster = Roster(
        WEEK,
        (Shift("A", hm(9), hm(10), 1), Shift("B", hm(11), hm(12), 2)),
    )
    r = run(
        roster,
        trace((hm(9, 55), 600.0, math.inf), (hm(9, 58), 60.0, math.inf), (hm(10), 60.0, math.inf)),
        cyclic=False,
    )
    assert r.sessions["end"].iloc[0] == pd.Timestamp(hm(10, 5))
    assert col(r, "agent_id") == ["A", "B", "B"]
    assert col(r, "queue_wait_seconds") == [0.0, 62 * 60.0, 60 * 60.0]
    assert r.hours[9].mean_agents_on_duty == 1.0 and r.hours[10].mean_agents_on_duty == 0.0


def test_nobody_ever_on_duty_again_and_no_abandonment_leaves_session_unresolved() -> None:
    r = run(
        one_agent(hm(9), hm(10), 1),
        trace((hm(9, 30), 3600.0, math.inf), (hm(9, 40), 60.0, math.inf)),
        cyclic=False,
    )
    assert col(r, "replied") == [True, False]
    assert (r.week.sessions, r.week.replied, r.week.abandoned, r.week.unresolved) == (2, 1, 0, 1)
    assert r.week.reply_rate == 0.5


def test_break_no_pickups_during_break_chats_continue() -> None:
    # A: 09:00-13:00, break 11:00-11:30, cap 2. S1 at 10:59 (1200 s) runs through the break.
    # S2 at 11:10 waits for the break to end: picked up at 11:30.
    roster = one_agent(hm(9), hm(13), 2, bs=hm(11), be=hm(11, 30))
    r = run(roster, trace((hm(10, 59), 1200.0, math.inf), (hm(11, 10), 60.0, math.inf)))
    assert col(r, "queue_wait_seconds") == [0.0, 20 * 60.0]
    assert r.sessions["end"].iloc[0] == pd.Timestamp(hm(11, 19))  # alone all along
    assert r.hours[11].mean_agents_on_duty == pytest.approx(0.5)


def test_session_at_2359_counts_in_that_hour_and_day() -> None:
    r = run(
        one_agent(hm(0), hm(24, day=6), 1),
        trace(
            (hm(23, 59, 30), 60.0, math.inf),  # Monday 23:59:30
            (hm(0, day=1), 60.0, math.inf),  # Tuesday 00:00:00
            (hm(23, 59, 59, day=6), 60.0, math.inf),  # Sunday 23:59:59
        ),
    )
    assert r.hours[23].sessions == 1 and r.hours[23].start == hm(23)
    assert r.hours[24].sessions == 1 and r.hours[24].start == hm(0, day=1)
    assert r.hours[167].sessions == 1 and r.hours[167].start == hm(23, day=6)
    assert [d.sessions for d in r.days] == [1, 1, 0, 0, 0, 0, 1]
    assert [d.start.weekday() for d in r.days] == [0, 1, 2, 3, 4, 5, 6]
    assert r.week.sessions == 3


@pytest.mark.parametrize("outside", [hm(23, 59, day=-1), hm(0, day=7)])
def test_sessions_outside_the_natural_week_are_rejected(outside: datetime) -> None:
    with pytest.raises(InputError, match="outside the roster's week"):
        run(one_agent(hm(9), hm(17), 1), trace((outside, 60.0, math.inf)))


def test_sunday_late_session_is_drained_into_next_monday_and_counted_on_sunday() -> None:
    # Only shift: Monday 08:00-16:00. A session at Sunday 23:30 waits; with a cyclic roster the
    # next Monday's shift picks it up at 08:00 (8.5 h later). It counts on Sunday.
    roster = one_agent(hm(8), hm(16), 1)
    r = run(roster, trace((hm(23, 30, day=6), 60.0, math.inf)))
    assert col(r, "queue_wait_seconds") == [8.5 * 3600.0]
    assert r.days[6].replied == 1 and r.days[6].replied_3min == 0
    r2 = run(roster, trace((hm(23, 30, day=6), 60.0, math.inf)), cyclic=False)
    assert r2.days[6].replied == 0 and r2.week.unresolved == 1


def test_cyclic_sunday_night_shift_covers_monday_morning() -> None:
    # A works Sunday 22:00 -> Monday 06:00 (listed at the end of the week). Cyclic: it also
    # covers this Monday 00:00-06:00. Not cyclic: a Monday 03:00 session waits until Sunday 22:00.
    roster = one_agent(hm(22, day=6), hm(6, day=7), 1)
    arrivals = trace((hm(3), 60.0, math.inf))
    assert col(run(roster, arrivals), "queue_wait_seconds") == [0.0]
    wait = col(run(roster, arrivals, cyclic=False), "queue_wait_seconds")[0]
    assert wait == (6 * 24 + 22 - 3) * 3600.0


def test_shift_starting_the_sunday_before_also_covers_this_sunday_night() -> None:
    roster = one_agent(hm(22, day=-1), hm(6), 1)
    r = run(roster, trace((hm(3), 60.0, math.inf), (hm(23, day=6), 60.0, math.inf)))
    assert col(r, "queue_wait_seconds") == [0.0, 0.0]


def test_balanced_routing_least_loaded_then_lowest_id() -> None:
    roster = Roster(WEEK, (Shift("B", hm(9), hm(17), 3), Shift("A", hm(9), hm(17), 3)))
    long = 3 * 3600.0
    r = run(roster, trace(*[(hm(10, i), long, math.inf) for i in range(5)]))
    assert col(r, "agent_id") == ["A", "B", "A", "B", "A"]
    assert col(r, "concurrent_at_pickup") == [1, 1, 2, 2, 3]


def test_routing_skips_full_agents_and_respects_each_shifts_cap() -> None:
    roster = Roster(WEEK, (Shift("A", hm(9), hm(17), 1), Shift("B", hm(9), hm(17), 3)))
    r = run(roster, trace(*[(hm(10, i), 3 * 3600.0, math.inf) for i in range(4)]))
    assert col(r, "agent_id") == ["A", "B", "B", "B"]


def test_occupancy_utilisation_and_agents_on_duty() -> None:
    # One agent, cap 2, 10:00-11:00, holding one chat the whole hour: occupancy 1/2, busy 100%.
    r = run(one_agent(hm(10), hm(11), 2), trace((hm(10), 3600.0, math.inf)))
    h = r.hours[10]
    assert h.mean_agents_on_duty == 1.0
    assert h.occupancy == pytest.approx(0.5) and h.utilisation == pytest.approx(1.0)
    assert math.isnan(r.hours[11].occupancy)
    assert r.on_duty_agent_hours == pytest.approx(1.0)


def test_cap_outside_throughput_table_is_an_input_error() -> None:
    with pytest.raises(InputError, match="max_concurrent"):
        run(one_agent(hm(9), hm(17), 4), trace((hm(10), 60.0, math.inf)))


def test_trace_with_nan_draws_from_the_model() -> None:
    arrivals = Arrivals(start=(hm(10), hm(11)), handle_seconds=(math.nan, 100.0))
    r = simulate_roster(one_agent(hm(9), hm(17), 1), arrivals, NO_LEAVING, seed=1)
    handles = col(r, "handle_seconds")
    assert handles[1] == 100.0 and handles[0] > 0 and handles[0] != 100.0


def test_empty_roster_every_session_waits_and_leaves() -> None:
    chat = NO_LEAVING.with_(patience_seconds=300.0)
    r = run(Roster(WEEK, ()), trace((hm(10), 60.0, 30.0), (hm(11), 60.0, math.nan)), chat)
    assert (r.week.sessions, r.week.replied, r.week.abandoned) == (2, 0, 2)
    assert r.week.reply_rate == 0.0 and math.isnan(r.week.occupancy)
    assert r.sessions["end"].isna().all()
