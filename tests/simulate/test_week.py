"""Whole weeks from expected sessions: Poisson arrivals, replications, exports."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from scheduler.domain import Forecast, Roster, Shift, week_hours
from scheduler.errors import InputError
from scheduler.params import ChatModel
from scheduler.simulate import (
    HOURLY_COLUMNS,
    constant_handle,
    simulate_replications,
    simulate_roster,
)

WEEK = date(2025, 3, 3)
MON = datetime(2025, 3, 3)


def round_the_clock(agents: int, cap: int) -> Roster:
    """``agents`` agents on duty 24/7 (one shift per agent per day)."""
    shifts = tuple(
        Shift(f"a{i}", MON + timedelta(days=d), MON + timedelta(days=d + 1), cap)
        for d in range(7)
        for i in range(agents)
    )
    return Roster(WEEK, shifts)


def forecast(values: np.ndarray, week_start: date = WEEK) -> Forecast:
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(week_hours(week_start)),
            "sessions": values,
            "low": values * 0.8,
            "high": values * 1.2,
            "overridden": False,
        }
    )
    return Forecast(week_start=week_start, frame=frame, method="test")


def test_poisson_arrivals_follow_the_expected_sessions_per_hour() -> None:
    # 10 sessions expected in each even hour, none in odd hours: odd hours stay empty, and the
    # weekly total is Poisson(840) (sd 29).
    values = np.where(np.arange(168) % 2 == 0, 10.0, 0.0)
    r = simulate_roster(round_the_clock(3, 3), forecast(values), ChatModel(), seed=4)
    counts = np.array([h.sessions for h in r.hours])
    assert counts[1::2].sum() == 0
    assert abs(counts.sum() - 840) < 4 * math.sqrt(840)
    assert all(math.isnan(h.three_min_rate) for h in r.hours[1::2])


def test_half_hour_expected_sessions_are_accepted() -> None:
    values = np.zeros(336)
    values[21] = 30.0  # Monday 10:30-11:00
    r = simulate_roster(round_the_clock(2, 3), values, ChatModel(), seed=0)
    starts = r.sessions["start"]
    assert len(starts) > 0
    assert (starts >= pd.Timestamp(MON + timedelta(hours=10.5))).all()
    assert (starts < pd.Timestamp(MON + timedelta(hours=11))).all()


def test_forecast_for_another_week_is_rejected() -> None:
    other = forecast(np.ones(168), WEEK + timedelta(days=7))
    with pytest.raises(InputError, match="week"):
        simulate_roster(round_the_clock(1, 1), other, ChatModel())


@pytest.mark.parametrize("bad", [np.ones(1000), -np.ones(168), np.full(168, np.nan)])
def test_malformed_expected_sessions_are_rejected(bad: np.ndarray) -> None:
    with pytest.raises(InputError):
        simulate_roster(round_the_clock(1, 1), bad, ChatModel())


def test_hourly_frame_has_the_export_columns_and_agrees_with_metrics() -> None:
    values = np.full(168, 8.0)
    r = simulate_roster(round_the_clock(2, 2), values, ChatModel(), seed=1)
    frame = r.hourly_frame()
    assert tuple(frame.columns) == HOURLY_COLUMNS
    assert list(frame.columns[:8]) == [
        "hour_start",
        "sessions",
        "replied",
        "replied_3min",
        "three_min_rate",
        "reply_rate",
        "p90_wait_seconds",
        "mean_agents_on_duty",
    ]
    assert len(frame) == 168
    assert frame["hour_start"].iloc[0] == pd.Timestamp(MON)
    assert frame["sessions"].sum() == r.week.sessions == len(r.sessions)
    assert frame["replied_3min"].sum() == r.week.replied_3min
    assert (frame["mean_agents_on_duty"] == 2.0).all()
    days = r.daily_frame()
    assert days["sessions"].sum() == r.week.sessions and len(days) == 7


def test_summary_is_json_serialisable_and_consistent() -> None:
    values = np.full(168, 20.0)
    values[:24] = 0.0  # empty Monday: NaN rates become null
    r = simulate_roster(round_the_clock(2, 3), values, ChatModel(), seed=2)
    s = r.to_summary(target=0.8)
    d = json.loads(json.dumps(s.as_dict()))
    assert d["sessions"] == r.week.sessions
    assert d["daily_three_min_rate"]["Mon"] is None
    assert d["three_min_rate"] == pytest.approx(r.week.three_min_rate)
    assert s.hours_below_target == sum(1 for h in r.hours if h.sessions and h.three_min_rate < 0.8)
    assert s.worst_hour_three_min_rate == min(h.three_min_rate for h in r.hours if h.sessions)


def test_weekly_rate_is_session_weighted_over_hours() -> None:
    r = simulate_roster(round_the_clock(1, 2), np.full(168, 5.0), ChatModel(), seed=3)
    assert r.week.replied_3min == sum(h.replied_3min for h in r.hours)
    assert r.week.three_min_rate == pytest.approx(r.week.replied_3min / r.week.sessions)
    assert r.week.three_min_rate <= r.week.reply_rate
    assert sum(d.replied for d in r.days) == r.week.replied


def test_more_agents_never_hurt_on_common_random_numbers() -> None:
    # Same seed => same arrivals and handle times; a fourth agent cannot make the week worse here.
    values = np.full(168, 30.0)
    chat = ChatModel()
    few = simulate_roster(round_the_clock(2, 3), values, chat, seed=5)
    more = simulate_roster(round_the_clock(4, 3), values, chat, seed=5)
    assert few.week.sessions == more.week.sessions
    assert more.week.three_min_rate > few.week.three_min_rate


def test_replications_same_seed_identical_different_seed_differs() -> None:
    roster = round_the_clock(2, 3)
    values = np.full(168, 12.0)
    chat = ChatModel()
    a = simulate_replications(roster, values, chat, replications=4, seed=11)
    b = simulate_replications(roster, values, chat, replications=4, seed=11)
    c = simulate_replications(roster, values, chat, replications=4, seed=12)
    assert a.three_min_rate == b.three_min_rate
    np.testing.assert_array_equal(a.hourly_three_min_rate, b.hourly_three_min_rate)
    assert a.three_min_rate.mean != c.three_min_rate.mean
    e = a.three_min_rate
    assert e.n == 4 and e.low < e.mean < e.high
    values_per_run = [r.week.three_min_rate for r in a.runs]
    assert e.mean == pytest.approx(np.mean(values_per_run))
    # t interval by hand: mean +- t(0.975, 3) * s / sqrt(4), t(0.975, 3) = 3.182446
    half = 3.182446 * np.std(values_per_run, ddof=1) / 2.0
    assert (e.high - e.low) / 2.0 == pytest.approx(half, rel=1e-5)
    json.dumps(a.as_dict())
    frame = a.hourly_frame()
    assert len(frame) == 168 and {"three_min_rate_low", "three_min_rate_high"} <= set(frame)


def test_adding_replications_keeps_the_earlier_ones() -> None:
    roster = round_the_clock(1, 2)
    values = np.full(168, 3.0)
    short = simulate_replications(roster, values, ChatModel(), replications=2, seed=0)
    long = simulate_replications(roster, values, ChatModel(), replications=3, seed=0)
    assert [r.week.three_min_rate for r in short.runs] == [
        r.week.three_min_rate for r in long.runs[:2]
    ]


def test_single_replication_has_no_interval() -> None:
    one = simulate_replications(
        round_the_clock(1, 1), np.full(168, 1.0), ChatModel(), replications=1
    )
    assert one.three_min_rate.n == 1 and math.isnan(one.three_min_rate.low)
    assert json.loads(json.dumps(one.as_dict()))["three_min_rate"]["low"] is None


def test_constant_handle_sampler_is_used_for_drawn_sessions() -> None:
    r = simulate_roster(
        round_the_clock(1, 1), np.full(168, 1.0), ChatModel(), seed=0, handle=constant_handle(42.0)
    )
    assert (r.sessions["handle_seconds"] == 42.0).all()


def test_hourly_interval_stays_inside_zero_and_one() -> None:
    # a light, well-staffed week: most hours at or near 100%, a few runs below; a t interval
    # on so few runs went above 1 (82 of 168 hours of the sample plan's hourly.csv)
    roster = round_the_clock(1, 2)
    values = np.full(168, 6.0)
    a = simulate_replications(roster, values, ChatModel(), replications=5, seed=3)
    frame = a.hourly_frame()
    seen = frame["three_min_rate_low"].notna()
    low, high = frame.loc[seen, "three_min_rate_low"], frame.loc[seen, "three_min_rate_high"]
    mean = frame.loc[seen, "three_min_rate"]
    assert seen.sum() > 100
    assert ((low >= 0) & (high <= 1) & (low <= mean + 1e-12) & (mean <= high + 1e-12)).all()
    assert (high < 1).any() and (low < high).any()
    # the same seed, the same interval
    again = simulate_replications(roster, values, ChatModel(), replications=5, seed=3)
    assert again.hourly_frame().equals(frame)
