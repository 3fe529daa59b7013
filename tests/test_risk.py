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
from scheduler.risk import SPIKE_QUANTILE, below_target, capacity, count_cdf, count_quantile


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
    # the point forecast when the confidence is 0
    assert count_quantile(20.0, 0.3, 0.0) == 20.0


def test_sized_sessions_per_interval() -> None:
    hours = week_hours(date(2026, 11, 23))
    sessions = np.zeros(168)
    sessions[10] = 40.0  # Monday 10:00: 40 expected sessions, two half-hours of 20
    sessions[11] = 0.4
    fc = Forecast(week_start=date(2026, 11, 23), method="test", frame=pd.DataFrame({
        "timestamp": pd.to_datetime(hours), "sessions": sessions, "low": sessions,
        "high": sessions, "overridden": False}), rel_error=tuple([0.3] * 168))
    params = PlanParams(service=ServiceTarget(confidence=0.9))
    _, sized = sized_sessions(fc, params)
    # the hour's count at its 0.9 quantile, split over the hour's two half-hours
    q = count_quantile(40.0, 0.3, 0.9)
    assert sized[20] == sized[21] == q / 2
    assert sized[22] == sized[23] == count_quantile(0.4, 0.3, 0.9) / 2
    assert sized[0] == 0.0
    _, point = sized_sessions(fc, PlanParams(service=ServiceTarget(confidence=0.0)))
    assert point[20] == 20.0


def test_the_floor_holds_at_a_spikes_count() -> None:
    hours = week_hours(date(2026, 11, 23))
    sessions = np.zeros(168)
    sessions[10] = 40.0
    fc = Forecast(week_start=date(2026, 11, 23), method="test", frame=pd.DataFrame({
        "timestamp": pd.to_datetime(hours), "sessions": sessions, "low": sessions,
        "high": sessions, "overridden": False}), rel_error=tuple([0.3] * 168))
    daily = PlanParams(service=ServiceTarget(confidence=0.9, mode="daily", hourly_floor=0.5))
    floor = floor_for(fc, daily.chat, daily)
    assert floor is not None and floor.target == 0.5
    # the hour's 0.99 quantile, split over its two half-hours, above the day's 0.9 sizing
    spike = count_quantile(40.0, 0.3, SPIKE_QUANTILE)
    assert floor.sessions[20] == floor.sessions[21] == spike / 2
    sized = requirements_for(fc, daily.chat, daily)
    assert spike / 2 > sized.sessions[20] == count_quantile(40.0, 0.3, 0.9) / 2
    assert floor.interval_starts == sized.interval_starts and floor.caps == sized.caps
    # the point plan's floor is at the point forecast; per-hour mode has none
    point = PlanParams(service=ServiceTarget(confidence=0.0, mode="daily", hourly_floor=0.5))
    point_floor = floor_for(fc, point.chat, point)
    assert point_floor is not None and point_floor.sessions[20] == 20.0
    assert floor_for(fc, PlanParams().chat, PlanParams()) is None
    # the headline says which staffing with margin the search aimed at, in each mode
    assert margin_of({"mode": "daily", "confidence": 0.9, "hourly_floor": 0.5}) == (
        "the 50% hourly floor at its hour's 99% count")
    assert margin_of({"mode": "per-hour", "confidence": 0.9}) == (
        "the staffing with margin sized at 90% confidence")
    assert margin_of({"mode": "daily", "confidence": 0.9, "chance": 0.8}) == (
        "the staffing with margin for a 80% chance of the promise")


def test_capacity_and_below_target() -> None:
    # a rate falling linearly from 1 at 0 sessions to 0 at 100: 80% holds up to 20 sessions
    assert capacity(lambda x: 1 - x / 100, 0.8, 5.0) == pytest.approx(20.0, abs=0.05)
    assert capacity(lambda x: 0.5, 0.8, 5.0) == 0.0
    two = below_target([0.5, 0.5])
    assert (two.expected, two.low, two.high, two.judged) == (1.0, 0, 2, 2)
    sure = below_target([1.0] * 10)
    assert (sure.expected, sure.low, sure.high) == (0.0, 0, 0)
    # 100 hours at 0.98: 2 expected; P(X <= 0) = 0.133 > 5%, P(X <= 4) = 0.949 < 95%
    many = below_target([0.98] * 100)
    assert many.expected == pytest.approx(2.0) and (many.low, many.high) == (0, 5)
