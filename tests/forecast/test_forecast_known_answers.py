"""Known-answer cases: constant, pure weekly pattern, linear trend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pytest

from scheduler.domain import HourlyHistory
from scheduler.forecast import METHODS, forecast_week

MakeHistory = Callable[..., HourlyHistory]

START = datetime(2030, 1, 7)  # a Monday
TARGET = date(2030, 3, 4)  # 8 weeks later


@pytest.mark.parametrize("method", [*METHODS, "auto"])
def test_constant_series_forecasts_the_constant(make_history: MakeHistory, method: str) -> None:
    history = make_history(START, np.full(8 * 168, 7))
    fc = forecast_week(history, TARGET, method=method, promotions=(), holidays=False)
    frame = fc.frame
    assert len(frame) == 168
    assert list(frame.columns) == ["timestamp", "sessions", "low", "high", "overridden"]
    np.testing.assert_allclose(frame["sessions"], 7.0)
    # no residuals at all: the band collapses on the value
    np.testing.assert_allclose(frame["low"], 7.0)
    np.testing.assert_allclose(frame["high"], 7.0)
    assert not frame["overridden"].any()
    assert frame["timestamp"].iloc[0] == datetime(2030, 3, 4)
    assert frame["timestamp"].iloc[-1] == datetime(2030, 3, 10, 23)


@pytest.mark.parametrize("method", list(METHODS))
def test_pure_weekly_pattern_is_reproduced_exactly(make_history: MakeHistory, method: str) -> None:
    rng = np.random.default_rng(3)
    pattern = rng.integers(0, 60, size=168)
    history = make_history(START, np.tile(pattern, 8))
    fc = forecast_week(history, TARGET, method=method, promotions=(), holidays=False)
    np.testing.assert_allclose(fc.frame["sessions"], pattern, atol=1e-9)


def test_trend_method_extrapolates_a_linear_trend(make_history: MakeHistory) -> None:
    hours = np.arange(8 * 168)
    history = make_history(START, 10 + hours)  # +1 session per hour, +168 per week
    fc = forecast_week(history, TARGET, method="trend", promotions=(), holidays=False)
    expected = 10 + 8 * 168 + np.arange(168)
    np.testing.assert_allclose(fc.frame["sessions"], expected, rtol=1e-9)
    # a level method lags the trend: it is the trend adjustment doing the work
    flat = forecast_week(history, TARGET, method="weighted_mean", promotions=(), holidays=False)
    assert (flat.frame["sessions"].to_numpy() < expected - 100).all()


def test_history_not_aligned_to_monday_and_ending_midweek(make_history: MakeHistory) -> None:
    # starts on a Thursday 05:00, ends Wednesday 13:00 of the week before the target
    start = datetime(2030, 1, 10, 5)
    end = datetime(2030, 2, 27, 13)
    n = int((end - start).total_seconds() // 3600)
    history = make_history(start, np.full(n, 4))
    fc = forecast_week(history, TARGET, promotions=(), holidays=False)
    np.testing.assert_allclose(fc.frame["sessions"], 4.0)
    assert any("history ends 4 day(s)" in note for note in fc.notes)


def test_band_contains_the_forecast(make_history: MakeHistory) -> None:
    rng = np.random.default_rng(0)
    shape = 5 + 40 * np.sin(np.linspace(0, 14 * np.pi, 168)) ** 2
    history = make_history(START, rng.poisson(np.tile(shape, 8)))
    frame = forecast_week(history, TARGET, promotions=(), holidays=False).frame
    assert (frame["low"] <= frame["sessions"]).all()
    assert (frame["sessions"] <= frame["high"]).all()
    assert (frame["low"] >= 0).all()
    assert (frame["high"] > frame["low"]).mean() > 0.9


def test_one_week_of_history_gives_a_negative_binomial_band(make_history: MakeHistory) -> None:
    history = make_history(datetime(2030, 2, 25), np.full(168, 20))
    fc = forecast_week(history, TARGET, promotions=(), holidays=False)
    np.testing.assert_allclose(fc.frame["sessions"], 20.0)
    assert any("negative binomial" in note for note in fc.notes)
    assert (fc.frame["high"] > 20).all()


def test_recent_level_carries_the_last_days_level_and_lets_it_fade(
    make_history: MakeHistory,
) -> None:
    counts = np.full(8 * 168, 10)
    counts[-24:] = 13  # the last Sunday 30% above its usual level
    history = make_history(START, counts)
    fc = forecast_week(history, TARGET, method="recent_level", promotions=(), holidays=False)
    days_after = np.repeat(np.arange(1, 8), 24)
    np.testing.assert_allclose(fc.frame["sessions"], 10 * 1.3 ** 0.8**days_after, rtol=1e-9)


def test_recent_level_does_not_carry_a_one_off_day(make_history: MakeHistory) -> None:
    counts = np.full(8 * 168, 10)
    counts[-24:] = 25  # 2.5 times its usual: a spike, not a level
    history = make_history(START, counts)
    fc = forecast_week(history, TARGET, method="recent_level", promotions=(), holidays=False)
    np.testing.assert_allclose(fc.frame["sessions"], 10.0)


def test_a_closed_day_does_not_widen_the_forecast_error(make_history: MakeHistory) -> None:
    rng = np.random.default_rng(5)
    shape = 5 + 40 * np.sin(np.linspace(0, 14 * np.pi, 168)) ** 2
    counts = rng.poisson(np.tile(shape, 8))
    closed = counts.copy()
    closed[6 * 168 + 48 : 6 * 168 + 72] = 0  # the Wednesday of the seventh week
    rel = [np.asarray(forecast_week(make_history(START, c), TARGET, method="robust_mean",
                                    promotions=(), holidays=False).rel_error)
           for c in (counts, closed)]
    np.testing.assert_allclose(rel[1], rel[0], atol=0.02)
