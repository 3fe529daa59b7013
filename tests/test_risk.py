"""Sizing for the forecast's uncertainty and each hour's risk (issue 19): the count
distribution against hand-computed cases."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from scheduler.domain import Forecast, week_hours
from scheduler.params import PlanParams, ServiceTarget
from scheduler.pipeline import floor_for, margin_of, requirements_for, sized_sessions
from scheduler.risk import capacity, count_cdf, count_quantile


def _nb_cdf(k: int, mean: float, rel: float) -> float:
    """P(X <= k) of a gamma-Poisson count with variance mean + (rel * mean)**2, from its pmf
    written out: C(x + n - 1, x) q^n (1 - q)^x, n = 1 / rel**2, q = n / (n + mean)."""
    n = 1.0 / rel**2
    q = n / (n + mean)
    return sum(math.exp(math.lgamma(x + n) - math.lgamma(n) - math.lgamma(x + 1)
                        + n * math.log(q) + x * math.log(1 - q)) for x in range(k + 1))


def test_poisson_quantile_by_hand() -> None:
    # Poisson(4): P(X <= 6) = 0.889, P(X <= 7) = 0.949
    cdf = [sum(math.exp(-4) * 4**x / math.factorial(x) for x in range(k + 1)) for k in (6, 7)]
    assert cdf[0] < 0.9 < cdf[1]
    assert count_quantile(4.0, 0.0, 0.9) == 7
    assert count_cdf(6.5, 4.0, 0.0) == pytest.approx(cdf[0])


def test_widened_quantile_by_hand() -> None:
    # mean 20, the forecast off by 30%: variance 20 + 36 = 56
    q = count_quantile(20.0, 0.3, 0.9)
    assert _nb_cdf(int(q) - 1, 20.0, 0.3) < 0.9 <= _nb_cdf(int(q), 20.0, 0.3)
    assert count_cdf(q, 20.0, 0.3) == pytest.approx(_nb_cdf(int(q), 20.0, 0.3))
    # wider than Poisson's
    assert q > count_quantile(20.0, 0.0, 0.9)
    # the forecast itself at p = 0
    assert count_quantile(20.0, 0.3, 0.0) == 20.0


def test_sized_sessions_per_interval() -> None:
    hours = week_hours(date(2026, 11, 23))
    sessions = np.zeros(168)
    sessions[10] = 40.0  # Monday 10:00: 40 expected sessions, two half-hours of 20
    sessions[11] = 0.4
    fc = Forecast(week_start=date(2026, 11, 23), method="test", frame=pd.DataFrame({
        "timestamp": pd.to_datetime(hours), "sessions": sessions, "low": sessions,
        "high": sessions, "overridden": False}), rel_error=tuple([0.3] * 168))
    # the point plan (chance 0): the forecast, split over the hour's two half-hours
    _, point = sized_sessions(fc, PlanParams(service=ServiceTarget(chance=0.0)))
    assert point[20] == point[21] == 20.0 and point[22] == point[23] == 0.2
    assert point[0] == 0.0
    # a chance: the count its margin team holds, the same in both half-hours, above the
    # forecast in the busy hour (a 30% error needs a margin at 90%)
    _, sized = sized_sessions(fc, PlanParams(service=ServiceTarget(chance=0.9)))
    assert sized[20] == sized[21] > 20.0
    # no chance given: the mode's default, which is a margin too
    _, default = sized_sessions(fc, PlanParams())
    assert default[20] > 20.0


def test_the_floor_is_at_the_forecast() -> None:
    hours = week_hours(date(2026, 11, 23))
    sessions = np.zeros(168)
    sessions[10] = 40.0
    fc = Forecast(week_start=date(2026, 11, 23), method="test", frame=pd.DataFrame({
        "timestamp": pd.to_datetime(hours), "sessions": sessions, "low": sessions,
        "high": sessions, "overridden": False}), rel_error=tuple([0.3] * 168))
    # a daily point plan's floor: the hourly floor at the forecast, beside its table
    point = PlanParams(service=ServiceTarget(chance=0.0, mode="daily", hourly_floor=0.5))
    floor = floor_for(fc, point.chat, point)
    assert floor is not None and floor.target == 0.5 and floor.sessions[20] == 20.0
    sized = requirements_for(fc, point.chat, point)
    assert floor.interval_starts == sized.interval_starts and floor.caps == sized.caps
    # a plan for a chance (any mode) and a per-hour point plan have none
    assert floor_for(fc, PlanParams().chat, PlanParams()) is None
    daily = PlanParams(service=ServiceTarget(chance=0.9, mode="daily", hourly_floor=0.5))
    assert floor_for(fc, daily.chat, daily) is None
    per_hour_point = PlanParams(service=ServiceTarget(chance=0.0))
    assert floor_for(fc, per_hour_point.chat, per_hour_point) is None
    # the headline says which staffing with margin the search aimed at, in each mode
    assert margin_of({"mode": "daily", "chance": 0.0, "hourly_floor": 0.5}) == (
        "the 50% hourly floor at the forecast")
    assert margin_of({"mode": "daily", "chance": 0.8}) == (
        "the staffing with margin for a 80% chance of the promise")
    # a plan folder made when the margin was a confidence still reads as it was planned
    assert margin_of({"mode": "per-hour", "confidence": 0.9, "chance": 0.0}) == (
        "the staffing with margin sized at 90% confidence")


def test_capacity() -> None:
    # a rate falling linearly from 1 at 0 sessions to 0 at 100: 80% holds up to 20 sessions
    assert capacity(lambda x: 1 - x / 100, 0.8, 5.0) == pytest.approx(20.0, abs=0.05)
    assert capacity(lambda x: 0.5, 0.8, 5.0) == 0.0
