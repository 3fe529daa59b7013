"""Point-forecast methods on a week matrix.

Every method takes ``weeks``: a float array of shape ``(n, 168)``, one row per Monday-aligned
week, oldest first, in sessions per clock hour, with NaN where the hour is unknown (outside the
history, or masked as a holiday); the row to forecast is the week right after the last row.
Each returns the 168 expected sessions (>= 0) of that next week. Promotion hours have already
been divided by their multiplier, so these see the usual level.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping

import numpy as np

from scheduler.domain import HOURS_PER_WEEK as HOURS

DAYS = 7

MethodFn = Callable[[np.ndarray], np.ndarray]


def _fallback(weeks: np.ndarray, fc: np.ndarray) -> np.ndarray:
    """Fill slots a method could not estimate: the mean of the same clock hour on any day, else
    the overall mean, else 0."""
    out = fc.copy()
    bad = ~np.isfinite(out)
    if bad.any():
        by_hour = weeks.reshape(weeks.shape[0], DAYS, 24)
        with np.errstate(invalid="ignore"):
            cnt = np.isfinite(by_hour).sum(axis=(0, 1))
            hour_mean = np.where(
                cnt > 0, np.nansum(by_hour, axis=(0, 1)) / np.maximum(cnt, 1), np.nan
            )
        overall = float(np.nanmean(weeks)) if np.isfinite(weeks).any() else 0.0
        tiled = np.tile(hour_mean, DAYS)
        tiled = np.where(np.isfinite(tiled), tiled, overall)
        out[bad] = tiled[bad]
    return np.maximum(out, 0.0)


def seasonal_naive(weeks: np.ndarray) -> np.ndarray:
    """Same hour last week (the most recent week in which that hour is known)."""
    fc = np.full(HOURS, np.nan)
    for row in weeks[::-1]:
        take = ~np.isfinite(fc) & np.isfinite(row)
        fc[take] = row[take]
        if np.isfinite(fc).all():
            break
    return _fallback(weeks, fc)


def _nan_weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    ww = np.where(ok, w[:, None], 0.0)
    tot = ww.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, np.nansum(np.where(ok, x, 0.0) * ww, axis=0) / tot, np.nan)


def weighted_mean(weeks: np.ndarray, *, recent: int = 6) -> np.ndarray:
    """Mean of the same weekday-hour over the last ``recent`` weeks, linearly decaying weights
    (the last week weighs ``recent``, the oldest 1)."""
    x = weeks[-recent:]
    w = np.arange(1, x.shape[0] + 1, dtype=float)
    return _fallback(weeks, _nan_weighted_mean(x, w))


def trend_adjusted(weeks: np.ndarray, *, recent: int = 8, damping: float = 1.0) -> np.ndarray:
    """Per-hour mean over the last ``recent`` weeks plus a weekly trend shared by all hours.

    Fits ``y[week, hour] = a[hour] + b * week`` by least squares (one slope ``b`` pooled over the
    168 hours, in sessions per hour per week) and extrapolates one week past the last row,
    the slope times ``damping``. Exact for a linear trend.
    """
    x = weeks[-recent:]
    n = x.shape[0]
    idx = np.arange(n, dtype=float)[:, None] * np.ones((1, HOURS))
    ok = np.isfinite(x)
    cnt = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = np.where(cnt > 0, np.where(ok, idx, 0.0).sum(axis=0) / np.maximum(cnt, 1), np.nan)
        y_mean = np.where(cnt > 0, np.nansum(x, axis=0) / np.maximum(cnt, 1), np.nan)
    dt = np.where(ok, idx - t_mean, 0.0)
    dy = np.where(ok, x - y_mean, 0.0)
    den = float((dt * dt).sum())
    slope = float((dt * dy).sum()) / den if den > 0 else 0.0
    fc = y_mean + damping * slope * (n - t_mean)
    return _fallback(weeks, fc)


def _nan_trimmed_mean(x: np.ndarray, trim: float) -> np.ndarray:
    """Column-wise mean after dropping the ``trim`` share of values at each end (NaN ignored)."""
    s = np.sort(x, axis=0)  # NaN sort last
    n = np.isfinite(x).sum(axis=0)
    k = np.floor(trim * n).astype(int)
    rank = np.arange(x.shape[0])[:, None]
    keep = (rank >= k) & (rank < n - k) & np.isfinite(s)
    cnt = keep.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, np.where(keep, s, 0.0).sum(axis=0) / np.maximum(cnt, 1), np.nan)


def median_recent(weeks: np.ndarray, *, recent: int = 5) -> np.ndarray:
    """Median of the same weekday-hour over the last ``recent`` weeks."""
    x = weeks[-recent:]
    with np.errstate(invalid="ignore"):
        fc = _nan_trimmed_mean(x, 0.5 - 1e-9) if x.shape[0] else np.full(HOURS, np.nan)
        # the 0.5-trimmed mean keeps the middle one or two values: the median
    return _fallback(weeks, fc)


def outlier_days(
    weeks: np.ndarray, *, low: float = 0.5, high: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """``(n, 7)`` Booleans: days whose total is below ``low`` or above ``high`` times the median
    total of the same weekday over the given weeks (unannounced holidays, outages, one-off
    spikes), and each day's ratio to that median. Days with unknown hours are not judged."""
    n = weeks.shape[0]
    daily = weeks.reshape(n, DAYS, 24)
    full = np.isfinite(daily).all(axis=2)
    tot = np.where(full, daily.sum(axis=2, where=np.isfinite(daily)), np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = np.nanmedian(tot, axis=0) if n else np.full(DAYS, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = tot / ref
    bad = full & (ref > 24 * 0.5) & ((ratio < low) | (ratio > high))
    return bad, ratio


def outlier_day_mask(weeks: np.ndarray, *, low: float = 0.5, high: float = 2.0) -> np.ndarray:
    """Boolean ``(n, 168)``: True for the hours of the ``outlier_days``."""
    return np.repeat(outlier_days(weeks, low=low, high=high)[0], 24, axis=1)


def level_profile(
    weeks: np.ndarray,
    *,
    profile_weeks: int = 12,
    level_weeks: int = 8,
    trim: float = 0.2,
    day_pool: float = 0.0,
) -> np.ndarray:
    """Robust level x profile: weekly level times a pooled weekday-hour profile.

    1. Days whose total is far from their weekday's median are masked (``outlier_day_mask``).
    2. The profile (168 shares summing to 1) is the ``trim``-trimmed mean, over the last
       ``profile_weeks`` weeks, of each week's hours divided by that week's level; a week's level
       (sessions per week) is its known hours' sum over their profile share (so partial weeks
       count); two alternating passes.
    3. ``day_pool`` in [0, 1] shrinks each day's intraday shape toward the mean shape of all days
       (keeping each day's total): pooling across days cuts noise when days look alike.
    4. The next week's level is the recency-weighted mean of the last ``level_weeks`` levels.
    """
    x = weeks[-profile_weeks:].copy()
    n = x.shape[0]
    x[outlier_day_mask(x)] = np.nan
    ok = np.isfinite(x)
    if not ok.any():
        return _fallback(weeks, np.full(HOURS, np.nan))
    prof = _fallback(x, _nan_trimmed_mean(x, 0.0))
    levels = np.full(n, np.nan)
    for _ in range(2):
        tot_p = prof.sum()
        if tot_p <= 0:
            return _fallback(weeks, prof)
        prof = prof / tot_p
        known_share = np.where(ok, prof[None, :], 0.0).sum(axis=1)
        known_sum = np.where(ok, x, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            levels = np.where(known_share > 0.05, known_sum / known_share, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(levels[:, None] > 0, x / levels[:, None], np.nan)
        new = _nan_trimmed_mean(shares, trim)
        prof = np.where(np.isfinite(new), new, prof)
    prof = prof / max(prof.sum(), 1e-12)
    if day_pool > 0:
        day = prof.reshape(DAYS, 24)
        day_tot = day.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            shape = np.where(day_tot > 0, day / day_tot, 0.0)
        mean_shape = shape.mean(axis=0, keepdims=True)
        mixed = (1 - day_pool) * shape + day_pool * mean_shape
        prof = (mixed * day_tot).reshape(HOURS)
    lv = levels[np.isfinite(levels)][-level_weeks:]
    if lv.size == 0:
        return _fallback(weeks, np.full(HOURS, np.nan))
    w = np.arange(1, lv.size + 1, dtype=float)
    level = float((lv * w).sum() / w.sum())
    return _fallback(weeks, level * prof)


def robust_mean(weeks: np.ndarray, *, recent: int = 10, trim: float = 0.2) -> np.ndarray:
    """Trimmed mean of the same weekday-hour over the last ``recent`` weeks, after masking
    outlier days (``outlier_day_mask``)."""
    x = weeks[-recent:].copy()
    x[outlier_day_mask(x)] = np.nan
    return _fallback(weeks, _nan_trimmed_mean(x, trim))


def recent_level(
    weeks: np.ndarray, *, decay: float = 0.8, low: float = 2 / 3, high: float = 1.5
) -> np.ndarray:
    """``robust_mean`` carried at the level of the last fully known day.

    That day's total over the total ``robust_mean`` forecast for it from the weeks before its
    own (its one-step level error) scales the next week: a day ``k`` days after it by
    ``ratio ** decay ** k``. A shift in volume lasts a few days and fades (on the bank's days the
    log of this ratio correlates 0.56, 0.41, 0.27, 0.17 with itself 1, 2, 3, 4 days later). A
    ratio outside [``low``, ``high``] (an outage, a one-off spike) is not carried.
    """
    fc = robust_mean(weeks)
    days = weeks.reshape(-1, 24)
    known = np.flatnonzero(np.isfinite(days).all(axis=1))
    if known.size == 0 or known[-1] < DAYS:
        return fc
    last = int(known[-1])
    row, day = divmod(last, DAYS)
    before = robust_mean(weeks[:row])[day * 24 : (day + 1) * 24].sum()
    if before <= 0:
        return fc
    ratio = float(days[last].sum()) / before
    if not low <= ratio <= high:
        return fc
    lag = weeks.shape[0] * DAYS + np.repeat(np.arange(DAYS), 24) - last
    return fc * ratio ** (decay ** lag.astype(float))


METHODS: Mapping[str, MethodFn] = {
    "seasonal_naive": seasonal_naive,
    "weighted_mean": weighted_mean,
    "trend": trend_adjusted,
    "median": median_recent,
    "robust_mean": robust_mean,
    "level_profile": level_profile,
    "recent_level": recent_level,
}
"""The point methods by name, in the order the backtest table lists them."""
