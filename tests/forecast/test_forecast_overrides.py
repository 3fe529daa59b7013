"""Manager overrides replace exactly the hours they name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from scheduler.domain import Forecast, HourlyHistory
from scheduler.errors import InputError
from scheduler.forecast import apply_overrides, forecast_week

MakeHistory = Callable[..., HourlyHistory]


@pytest.fixture
def forecast(make_history: MakeHistory) -> Forecast:
    rng = np.random.default_rng(1)
    history = make_history(datetime(2030, 1, 7), rng.poisson(30, size=8 * 168))
    return forecast_week(history, date(2030, 3, 4), promotions=(), holidays=False)


def test_override_sets_value_and_flag_only_there(forecast: Forecast) -> None:
    hour = datetime(2030, 3, 6, 20)
    out = apply_overrides(forecast, {hour: 120.0})
    s = out.frame.set_index("timestamp")
    at = pd.Timestamp(hour)
    assert s.loc[at, "sessions"] == 120.0
    assert bool(s.loc[at, "overridden"])
    assert float(s.loc[at, "low"]) <= 120.0 <= float(s.loc[at, "high"])  # type: ignore[arg-type]
    assert int(out.frame["overridden"].sum()) == 1
    others = out.frame["timestamp"] != hour
    np.testing.assert_array_equal(
        out.frame.loc[others, "sessions"], forecast.frame.loc[others, "sessions"]
    )
    assert not forecast.frame["overridden"].any()  # the original is untouched
    assert out.method == forecast.method and "1 hour(s) overridden" in out.notes[-1]


def test_override_to_zero(forecast: Forecast) -> None:
    out = apply_overrides(forecast, {datetime(2030, 3, 4, 3): 0})
    row = out.frame.iloc[3]
    assert row["sessions"] == row["low"] == row["high"] == 0.0


@pytest.mark.parametrize(
    ("hour", "value", "fragment"),
    [
        (datetime(2030, 3, 11, 0), 5.0, "clock hour"),  # next week
        (datetime(2030, 3, 5, 9, 30), 5.0, "clock hour"),  # not on the hour
        (datetime(2030, 3, 5, 9), -1.0, ">= 0"),
        (datetime(2030, 3, 5, 9), float("nan"), ">= 0"),
    ],
)
def test_bad_overrides_are_input_errors(
    forecast: Forecast, hour: datetime, value: float, fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment) as err:
        apply_overrides(forecast, {hour: value}, source="overrides.csv")
    assert "overrides.csv" in str(err.value)
