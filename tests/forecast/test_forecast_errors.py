"""Clear errors instead of silent wrong forecasts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from scheduler.domain import HourlyHistory
from scheduler.errors import InputError
from scheduler.forecast import MAX_GAP_DAYS, backtest, forecast_week

MakeHistory = Callable[..., HourlyHistory]

START = datetime(2030, 1, 7)  # Monday
TARGET = date(2030, 3, 4)  # Monday, right after 8 weeks


@pytest.fixture
def history(make_history: MakeHistory) -> HourlyHistory:
    return make_history(START, np.full(8 * 168, 5), "chats.csv")


def test_week_start_must_be_a_monday(history: HourlyHistory) -> None:
    with pytest.raises(InputError) as err:
        forecast_week(history, date(2030, 3, 5), promotions=())
    text = str(err.value)
    assert "Monday" in text and "2030-03-05 is a Tue" in text and "2030-03-04" in text


def test_week_start_with_a_time_of_day_is_rejected(history: HourlyHistory) -> None:
    with pytest.raises(InputError, match="00:00 on a Monday"):
        forecast_week(history, datetime(2030, 3, 4, 8), promotions=())


def test_midnight_datetime_is_accepted(history: HourlyHistory) -> None:
    fc = forecast_week(history, datetime(2030, 3, 4), promotions=(), holidays=False)
    assert fc.week_start == date(2030, 3, 4)


def test_history_shorter_than_one_week(make_history: MakeHistory) -> None:
    short = make_history(datetime(2030, 2, 25, 1), np.full(167, 5), "chats.csv")
    with pytest.raises(InputError) as err:
        forecast_week(short, TARGET, promotions=())
    assert "167 hours" in str(err.value) and "chats.csv" in str(err.value)


def test_exactly_one_week_is_enough(make_history: MakeHistory) -> None:
    week = make_history(datetime(2030, 2, 25), np.full(168, 5))
    assert len(forecast_week(week, TARGET, promotions=(), holidays=False).frame) == 168


def test_history_overlapping_the_target_week(history: HourlyHistory) -> None:
    with pytest.raises(InputError, match="past the start of the target week"):
        forecast_week(history, date(2030, 2, 25), promotions=())


def test_history_ending_too_long_before_the_target_week(history: HourlyHistory) -> None:
    last_ok = TARGET + timedelta(days=MAX_GAP_DAYS)  # history ends Mon 4 Mar 00:00; +14 days
    assert forecast_week(history, last_ok, promotions=(), holidays=False).frame.shape[0] == 168
    with pytest.raises(InputError) as err:
        forecast_week(history, last_ok + timedelta(days=7), promotions=())
    assert "21 days before" in str(err.value) and f"{MAX_GAP_DAYS} days" in str(err.value)


def test_unknown_method_and_bad_band(history: HourlyHistory) -> None:
    with pytest.raises(InputError, match="unknown forecast method"):
        forecast_week(history, TARGET, method="prophet", promotions=())
    with pytest.raises(InputError, match="between 0 and 1"):
        forecast_week(history, TARGET, band=80, promotions=())


def test_backtest_needs_enough_weeks(make_history: MakeHistory) -> None:
    two_weeks = make_history(START, np.full(2 * 168, 5))
    with pytest.raises(InputError, match="no week to backtest"):
        backtest(two_weeks, min_train_weeks=4, promotions=())
