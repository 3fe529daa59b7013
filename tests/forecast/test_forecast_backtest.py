"""The rolling-origin backtest, on synthetic data and on the real call-centre history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from scheduler.domain import HourlyHistory
from scheduler.forecast import ALL_METHODS, backtest, forecast_week

MakeHistory = Callable[..., HourlyHistory]

START = datetime(2030, 1, 7)


@pytest.fixture
def noisy(make_history: MakeHistory) -> HourlyHistory:
    rng = np.random.default_rng(7)
    shape = 3 + 50 * np.sin(np.linspace(0, 7 * np.pi, 168)) ** 2
    return make_history(START, rng.poisson(np.tile(shape, 12)))


def test_table_shape_and_definitions(noisy: HourlyHistory) -> None:
    result = backtest(noisy, min_train_weeks=4, promotions=(), holidays=False)
    table = result.table
    assert list(table["method"]) == list(ALL_METHODS)
    assert set(table.columns) >= {"method", "weeks", "wape", "bias", "wape_busiest", "coverage"}
    assert (table["weeks"] == 8).all()  # weeks 5..12 of 12
    # WAPE and bias recomputed by hand from the hourly rows
    h = result.hours[result.hours["method"] == "seasonal_naive"]
    err = h["sessions"] - h["actual"]
    naive = result.score("seasonal_naive")
    assert naive["wape"] == pytest.approx(err.abs().sum() / h["actual"].sum())
    assert naive["bias"] == pytest.approx(err.sum() / h["actual"].sum())
    assert naive["wape_vs_naive"] == pytest.approx(0.0)
    text = result.format_table()
    assert "seasonal_naive" in text and "WAPE" in text and "8 target weeks" in text


def test_backtest_week_equals_forecast_from_the_cut_history(
    noisy: HourlyHistory, make_history: MakeHistory
) -> None:
    result = backtest(noisy, methods=["robust_mean", "auto"], promotions=(), holidays=False)
    week = START + timedelta(weeks=9)
    cut = noisy.frame[noisy.frame["timestamp"] < pd.Timestamp(week)]
    history = make_history(START, cut["sessions"].to_numpy())
    for method in ("robust_mean", "auto"):
        fc = forecast_week(history, week.date(), method=method, promotions=(), holidays=False)
        rows = result.hours[
            (result.hours["method"] == method) & (result.hours["timestamp"] >= week)
        ].head(168)
        np.testing.assert_allclose(rows["sessions"], fc.frame["sessions"])
        np.testing.assert_allclose(rows["low"], fc.frame["low"])
        np.testing.assert_allclose(rows["high"], fc.frame["high"])


def test_real_history_acceptance(real_history: HourlyHistory) -> None:
    """The default (auto) beats seasonal naive's WAPE by >= 10% over >= 8 weeks and its 80%
    band covers 75-85% of actual hours (Israeli bank calls, Jan-Aug 1999, Fri/Sat weekend)."""
    result = backtest(real_history, methods=["seasonal_naive", "auto"], promotions=())
    naive, auto = result.score("seasonal_naive"), result.score("auto")
    assert auto["weeks"] >= 8
    assert auto["wape"] <= 0.9 * naive["wape"]
    assert 0.75 <= auto["coverage"] <= 0.85
