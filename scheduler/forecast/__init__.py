"""History -> next week's sessions per clock hour, with an 80% band; rolling-origin backtest.

Public API::

    forecast_week(history, week_start, *, method="auto", promotions=None, holidays=True,
                  band=0.8) -> Forecast
    apply_overrides(forecast, {hour: sessions}, *, source=None) -> Forecast
    backtest(history, *, methods=ALL_METHODS, min_train_weeks=4, promotions=None,
             holidays=True, band=0.8, busiest_share=0.2) -> BacktestResult
    Promotion(name, start, end, multiplier, kind="custom")
    default_promotions(year) / weekly_live_streams(...) / promotions_from_rows(rows, source=...)
"""

from scheduler.forecast.backtest import ALL_METHODS, BacktestResult, backtest
from scheduler.forecast.effects import EVENT_COLUMNS
from scheduler.forecast.engine import DEFAULT_METHOD
from scheduler.forecast.events import (
    DEFAULT_DAY_MULTIPLIERS,
    PROMOTION_COLUMNS,
    Promotion,
    day_events,
    default_promotions,
    promotions_from_rows,
    weekly_live_streams,
)
from scheduler.forecast.methods import METHODS
from scheduler.forecast.weekly import (
    MAX_GAP_DAYS,
    apply_overrides,
    describe_events,
    events_frame,
    forecast_week,
)

__all__ = [
    "ALL_METHODS",
    "DEFAULT_DAY_MULTIPLIERS",
    "DEFAULT_METHOD",
    "EVENT_COLUMNS",
    "MAX_GAP_DAYS",
    "METHODS",
    "PROMOTION_COLUMNS",
    "BacktestResult",
    "Promotion",
    "apply_overrides",
    "backtest",
    "day_events",
    "default_promotions",
    "describe_events",
    "events_frame",
    "forecast_week",
    "promotions_from_rows",
    "weekly_live_streams",
]
