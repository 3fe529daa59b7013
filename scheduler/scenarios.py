"""The shop's own forecast error in layers, and scenario weeks drawn from it.

``error_layers`` reads the forecast's rolling backtest (``scheduler.forecast.backtest``: each past
week forecast from the weeks before it only, as ``forecast_week`` would) and splits its error,
beyond Poisson noise, into layers that multiply the forecast:

- the **week**'s level (one factor for the whole week),
- each **day** within its week (one factor per day),
- each **hour** within its day (one factor per hour),
- a **spike** tail: the share of hours that come in at least ``SPIKE_RATIO`` times what the rest
  of their day implies, and the multipliers seen there.

All are measured on each day's ``PEAK_HOURS`` busiest hours by forecast, where the staffing is
tight (see there). Each smooth layer is a log-normal factor of mean 1; ``*_sd`` is its log-scale
standard deviation.
Each is a moment estimate, less what the layers under it and Poisson noise explain: the hour
against the rest of its day, the day against the rest of its week, and the week's total, so that
scenario weeks' totals spread about their forecast as the backtest's do.

``scenario_weeks`` draws whole hourly counts ``Poisson(forecast * week * day * hour)`` from the
layers, seeded; every factor has mean 1, so the scenarios' mean is the forecast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from scheduler.domain import ErrorLayers, Forecast, HourlyHistory
from scheduler.errors import InputError
from scheduler.forecast import BacktestResult, Promotion, backtest
from scheduler.forecast.engine import DEFAULT_DISPERSION, LOW_DAY_SHARE
from scheduler.forecast.weekly import AUTO

HOURS = 168

PEAK_HOURS = 8
"""The layers are measured on each day's busiest hours by forecast (the platform's peaks,
10-12, 14-17 and 20-23, are 8 hours): there the team is sized tight and a miss costs the
promise. Quieter hours swing wider relative to their forecast (on the bank, the days that came
in 15-60% above forecast ran 26% over it in their 8 busiest hours and twice over it in the
rest), but a team sized for its peaks has slack there: measured on every hour, the layers
pushed that wider swing onto the peaks, and plans kept their days far more often on real weeks
than their scenario weeks said (at confidence 0.8: 62% of real weeks against 43% predicted; on
the peaks alone 55%)."""

SPIKE_RATIO = 2.0
"""A spike: an hour that comes in at least this many times what the rest of its day implies
(on the bank, single hours two to four times their forecast sank the days that missed)."""

SPIKE_MIN_SESSIONS = 15.0
"""Spikes are counted only among hours expected to bring at least this many sessions: there a
count twice the expected one is not Poisson noise (``P(Poisson(15) >= 30) = 0.0002``)."""

SPIKE_PRIOR_HOURS = 168
"""Prior of the spike rate: no spike in this many judged hours (one week), so a short history's
one or two spikes are not read as a high rate. A documented choice, not fitted on any data."""

WEEK_PRIOR_SHARE = 0.5
"""Prior split of the level error between the week and the day: this share of the day totals'
log-variance (beyond hours and Poisson) is the week's. No knowledge which way it goes; not
fitted on any data."""

WEEK_PRIOR_WEEKS = 4
"""Backtest weeks at which the week totals' own spread weighs as much as the prior split: with
``n`` weeks it weighs ``n / (n + WEEK_PRIOR_WEEKS)`` (the day totals, seven a week, are known
sooner than the week's)."""


DRIFT_CUTS = (10, 14, 18)
"""The clock hours a day is split at to measure how far the rest of a day drifts from its
first part (``drift_sd``): the moments a manager looks at the day so far."""

DRIFT_MIN_SESSIONS = 20.0
"""A split is measured only where each part expects at least this many sessions."""


def error_layers(
    history: HourlyHistory,
    *,
    method: str = AUTO,
    promotions: Iterable[Promotion] | None = None,
    holidays: bool = True,
    min_train_weeks: int = 4,
) -> ErrorLayers:
    """The forecast's error on ``history``, in layers, from its rolling backtest.

    Args:
        method: the forecast method, as ``forecast_week`` takes it (``auto``: chosen again on
            each past week from the weeks before it, as the backtest does).
        promotions, holidays: the calendar, as ``forecast_week`` takes it.
        min_train_weeks: weeks of history a backtest week needs before it.

    A history too short for any backtest week gives default layers (``weeks`` 0): the
    forecast's default dispersion (``DEFAULT_DISPERSION``, variance ``f + 0.1 f**2``) split
    evenly between week, day and hour, no spikes.
    """
    try:
        result = backtest(history, methods=(method,), promotions=promotions,
                          holidays=holidays, min_train_weeks=min_train_weeks)
    except InputError as err:
        if not err.reason.startswith("no week to backtest"):
            raise
        return _default_layers(f"no backtest week (the history needs {min_train_weeks + 1} "
                               "weeks)")
    return layers_from_backtest(result, method=method)


def _default_layers(why: str) -> ErrorLayers:
    """The forecast's default dispersion split evenly between week, day and hour, no spikes."""
    sd = math.sqrt(math.log1p(DEFAULT_DISPERSION) / 3)
    return ErrorLayers(sd, sd, sd, 0.0, (), 0, (
        f"{why}: default error, relative variance {DEFAULT_DISPERSION} split evenly between "
        "week, day and hour, no spikes",))


def layers_from_backtest(result: BacktestResult, *, method: str = AUTO) -> ErrorLayers:
    """``error_layers`` from a backtest already run (its ``method`` rows)."""
    hours = result.hours[result.hours["method"] == method]
    if hours.empty:
        raise InputError(f"the backtest has no forecast by method {method}", value=method)
    actual = hours["actual"].to_numpy(dtype=float).reshape(-1, HOURS)
    fc = hours["sessions"].to_numpy(dtype=float).reshape(-1, HOURS)
    return layers_from_residuals(actual, fc)


def peak_hours(fc: np.ndarray) -> np.ndarray:
    """Where ``fc`` (``(weeks, 168)`` forecasts) is one of its day's ``PEAK_HOURS`` busiest
    hours (ties to the earlier hour)."""
    f = np.asarray(fc, dtype=float).reshape(-1, 7, 24)
    rank = np.argsort(np.argsort(-f, axis=2, kind="stable"), axis=2, kind="stable")
    return (rank < PEAK_HOURS).reshape(-1, HOURS)


def _log_sd(v: float) -> float:
    """The log-scale sd of a mean-1 log-normal factor of variance ``v``."""
    return math.sqrt(math.log1p(max(v, 0.0)))


def layers_from_residuals(actual: np.ndarray, fc: np.ndarray) -> ErrorLayers:
    """The layers from ``(weeks, 168)`` actual counts and their rolling-origin forecasts, on
    each day's ``PEAK_HOURS`` busiest hours by forecast (the others left out).

    Days under ``LOW_DAY_SHARE`` of their forecast (closures, outages: agents idle, never
    short) are left out, as in the forecast's own error. The forecasts are first scaled by the
    backtest's overall actual / forecast (the bias, in the notes): the layers are spread about
    the forecast's mean.

    1. Spikes and the hour layer: each hour against its forecast scaled to the rest of its day
       (spike hours left out of the day), so an hour's error is its own. A spike is an hour of
       at least ``SPIKE_MIN_SESSIONS`` expected that brings ``SPIKE_RATIO`` times that. The hour
       layer's variance is the moment estimate on the other hours, weighted by the expected
       count squared, less Poisson noise and the noise of the day's own level.
    2. Day: each day's actual / forecast over its week's (spike hours out of both), squared
       deviations less what its hours, Poisson noise and its own share of the week explain.
    3. Week: the variance of the week totals' actual / forecast (spike hours out) less what
       days, hours and Poisson noise give it. With few weeks it is shrunk toward the prior
       split: ``WEEK_PRIOR_SHARE`` of the day totals' level error is the week's, weighing as
       ``WEEK_PRIOR_WEEKS`` weeks.
    """
    n = np.asarray(actual).shape[0]
    raw_y, raw_f = np.asarray(actual, dtype=float), np.asarray(fc, dtype=float)
    peak = peak_hours(raw_f)
    y = np.where(peak, raw_y, 0.0)
    f = np.where(peak, raw_f, 0.0)
    day_y = y.reshape(n, 7, 24).sum(axis=2)
    day_f = f.reshape(n, 7, 24).sum(axis=2)
    keep_day = (day_f > 0) & (day_y >= LOW_DAY_SHARE * day_f)
    if keep_day.sum() < 2:
        return _default_layers(f"fewer than 2 days with a forecast in {n} backtest week(s)")
    keep = np.repeat(keep_day, 24, axis=1)
    notes: list[str] = []
    if (~keep_day).any():
        notes.append(f"{int((~keep_day).sum())} day(s) under {LOW_DAY_SHARE:.0%} of their "
                     "forecast left out (closures, outages)")
    bias = float(y[keep].sum() / max(f[keep].sum(), 1e-9))
    notes.append(f"the backtest's actual / forecast over {n} week(s): {bias:.3f} (the layers "
                 "spread about it)")
    f = np.where(keep, f * bias, 0.0)
    y = np.where(keep, y, 0.0)

    # 1. spikes and the hour layer, each hour against the rest of its day
    spike = np.zeros_like(keep)
    for _ in range(2):
        mu, rest_y, rest_f = _rest_of_day(y, f, keep & ~spike)
        eligible = keep & (mu >= SPIKE_MIN_SESSIONS)
        spike = eligible & (y >= SPIKE_RATIO * mu)
    mult = np.sort(y[spike] / mu[spike])
    judged = int(eligible.sum())
    p = float(spike.sum()) / (judged + SPIKE_PRIOR_HOURS)
    notes.append(f"spikes (>= {SPIKE_RATIO:g}x the rest of the day implies, in hours of >= "
                 f"{SPIKE_MIN_SESSIONS:g} sessions expected): {int(spike.sum())} of {judged} "
                 "hours")
    cal = keep & ~spike & (mu > 0) & (rest_y > 0)
    fc_sq = np.where(cal, f, 0.0) ** 2
    day_sq = np.repeat(fc_sq.reshape(n, 7, 24).sum(axis=2), 24, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        others = np.where(cal, (day_sq - fc_sq) / np.maximum(rest_f, 1e-9) ** 2, 0.0)
        excess = np.where(cal, (y - mu) ** 2 - mu - mu**2 / np.maximum(rest_y, 1e-9), 0.0)
    v_hour = max(0.0, float(excess.sum()) / max(float((mu[cal] ** 2 * (1 + others[cal])).sum()),
                                                 1e-9))

    # 2. day within its week, from the days' totals against their week's (spike hours out:
    # they are drawn on their own)
    y, f = np.where(spike, 0.0, y), np.where(spike, 0.0, f)
    dy = y.reshape(n, 7, 24).sum(axis=2)
    df = f.reshape(n, 7, 24).sum(axis=2)
    wk_y, wk_f = dy.sum(axis=1), df.sum(axis=1)
    good_wk = wk_f > 0
    good_d = keep_day & good_wk[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(good_d, df / wk_f[:, None], 0.0)
        ratio_d = np.where(good_d, dy / df, 0.0)
        within = np.where(good_d, ratio_d / (wk_y / wk_f)[:, None], 1.0)
        # a day total's own noise: its hours and Poisson
        own = np.where(good_d, (f.reshape(n, 7, 24) ** 2).sum(axis=2) / df**2 * v_hour
                       + dy / df**2, 0.0)
    sq_share = (share**2).sum(axis=1, keepdims=True)
    others = (share**2 * own).sum(axis=1, keepdims=True)
    noise = np.where(good_d, (1 - 2 * share) * own + others, 0.0)
    weight = np.where(good_d, 1 - 2 * share + sq_share, 0.0)
    # each day weighs by its share of the week: a short day's large swings count as little as
    # its sessions do
    day_var = max(0.0, float((share * ((within - 1) ** 2 - noise))[good_d].sum())
                  / max(float((share * weight).sum()), 1e-9))

    # 3. the week's level, from the spread of the week totals
    weeks = int(good_wk.sum())
    r_w = wk_y[good_wk] / wk_f[good_wk]
    v_w_seen = (float(np.var(r_w, ddof=1)) if weeks > 1 else 0.0) - float(
        np.mean(wk_y[good_wk] / wk_f[good_wk] ** 2))
    a = float(sq_share[good_wk].mean())
    b = float(((f[good_wk] / wk_f[good_wk, None]) ** 2).sum(axis=1).mean()) * v_hour
    week_seen = (1 + v_w_seen) / (1 + a * day_var + b * (1 + day_var)) - 1
    r_d = ratio_d[good_d]
    h_d = float(own[good_d].mean() - (dy[good_d] / df[good_d] ** 2).mean())
    both = max(0.0, (1 + float(np.var(r_d, ddof=1)) - float((dy[good_d] / df[good_d] ** 2)
                                                             .mean())) / (1 + h_d) - 1)
    week_prior = (1 + both) ** WEEK_PRIOR_SHARE - 1
    trust = weeks / (weeks + WEEK_PRIOR_WEEKS)
    week_var = max(0.0, trust * week_seen + (1 - trust) * week_prior)
    notes.append(f"week level {_log_sd(week_seen):.1%} from {weeks} week total(s), weighed "
                 f"{trust:.0%} against {_log_sd(week_prior):.1%}, {WEEK_PRIOR_SHARE:.0%} of the "
                 "day totals' level error (the prior)")
    layers = ErrorLayers(
        week_sd=_log_sd(week_var),
        day_sd=_log_sd(day_var),
        hour_sd=_log_sd(v_hour),
        spike_rate=p,
        spike_multipliers=tuple(round(float(m), 3) for m in mult),
        weeks=n,
        notes=tuple(notes),
    )
    drift, splits = _drift(raw_y, raw_f * bias, keep_day, layers)
    return replace(layers, drift_sd=drift, notes=(*notes, (
        f"the rest of a day drifts {drift:.1%} from its first part ({splits} day(s) split at "
        f"{', '.join(f'{c}:00' for c in DRIFT_CUTS)})")))


def _observed(f: np.ndarray, y: np.ndarray, layers: ErrorLayers
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each day's level as ``y`` (168 counts, NaN where not seen) shows it against ``f``:
    ``log((sum y + 0.5) / (sum f + 0.5))`` over its seen hours (7, NaN for a day with none),
    the noise of that figure (its hours' own layer and Poisson), and the hours used (spikes
    against the rest of their day's seen hours left out: they say nothing of the day; a day's
    lone seen hour has no rest to be judged against and is kept)."""
    seen = ~np.isnan(y) & (f > 0)
    counts = np.nan_to_num(y)
    used = seen
    for _ in range(2):  # the layers' own spike rule (``_rest_of_day``), on the seen hours
        mu = _rest_of_day(counts[None], f[None], used[None])[0][0]
        spike = seen & (mu >= SPIKE_MIN_SESSIONS) & (counts >= SPIKE_RATIO * mu)
        used = seen & ~spike
    yd = np.where(used, y, 0.0).reshape(7, 24)
    fd = np.where(used, f, 0.0).reshape(7, 24)
    total_f, total_y = fd.sum(axis=1), yd.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(total_f > 0, np.log((total_y + 0.5) / (total_f + 0.5)), np.nan)
        noise = np.where(total_f > 0, (fd**2).sum(axis=1) / np.maximum(total_f, 1e-9) ** 2
                         * math.expm1(layers.hour_sd**2) + 1.0 / (total_f + 0.5), np.nan)
    return z, noise, used


def _drift(actual: np.ndarray, fc: np.ndarray, keep_day: np.ndarray, layers: ErrorLayers
           ) -> tuple[float, int]:
    """``drift_sd``: how far the rest of a day's level strays from its first part's, beyond
    what their hours' own layer and Poisson noise give, on the backtest's days split at each of
    ``DRIFT_CUTS`` (each part expecting at least ``DRIFT_MIN_SESSIONS``): the two parts' log
    levels differ by ``d``, ``E d**2 = 2 drift**2 + noise``. With the split count."""
    diffs: list[np.ndarray] = []
    noises: list[np.ndarray] = []
    hour = np.arange(HOURS) % 24
    for week_y, week_f, days in zip(actual, fc, keep_day, strict=True):
        for cut in DRIFT_CUTS:
            first, rest = hour < cut, hour >= cut
            za, na, _ = _observed(week_f, np.where(first, week_y, np.nan), layers)
            zb, nb, _ = _observed(week_f, np.where(rest, week_y, np.nan), layers)
            fa = np.where(first, week_f, 0.0).reshape(7, 24).sum(axis=1)
            fb = np.where(rest, week_f, 0.0).reshape(7, 24).sum(axis=1)
            ok = days & (fa >= DRIFT_MIN_SESSIONS) & (fb >= DRIFT_MIN_SESSIONS)
            diffs.append((za - zb)[ok])
            noises.append((na + nb)[ok])
    d, noise = np.concatenate(diffs), np.concatenate(noises)
    if d.size == 0:
        return 0.0, 0
    # a robust spread (the median absolute deviation, as a normal's sd): a few days whose
    # evening was an outage or a promotion's rush are not what a morning can foretell
    spread = (1.4826 * float(np.median(np.abs(d - np.median(d))))) ** 2
    return math.sqrt(max(0.0, (spread - float(np.median(noise))) / 2)), int(d.size)


def _rest_of_day(
    y: np.ndarray, f: np.ndarray, use: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each hour's forecast scaled to the rest of its day (the day's ``use`` hours other than
    itself): the expected count, and the rest's actual and forecast sums."""
    n = y.shape[0]
    yu, fu = np.where(use, y, 0.0), np.where(use, f, 0.0)
    day_y = np.repeat(yu.reshape(n, 7, 24).sum(axis=2), 24, axis=1)
    day_f = np.repeat(fu.reshape(n, 7, 24).sum(axis=2), 24, axis=1)
    rest_y, rest_f = day_y - yu, day_f - fu
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(rest_f > 0, f * rest_y / np.maximum(rest_f, 1e-9), 0.0)
    return mu, rest_y, rest_f


def _factor(rng: np.random.Generator, sd: float, shape: tuple[int, ...]) -> np.ndarray:
    """Log-normal factors of mean 1 and log-scale sd ``sd``."""
    return np.exp(sd * rng.standard_normal(shape) - sd * sd / 2)


@dataclass(frozen=True)
class Level:
    """What the counts so far say of the week's level and each day's (``level_given``): the
    log-scale mean and covariance of ``(week, day 1..7)``'s factors, the prior's where nothing
    is known yet; ``used`` the finished hours that informed it (spikes left out)."""

    mean: np.ndarray
    cov: np.ndarray
    used: np.ndarray
    partial: np.ndarray
    """The days seen only in part (today): the rest of each drifts from what was seen."""
    drift_sd: float = 0.0

    def day_factor(self) -> np.ndarray:
        """Each day's expected ``week * day`` factor (7), what its forecast is multiplied by
        (the drift of a day seen in part has mean 1: it moves the range, not the figure)."""
        m, v = self.day_log()
        return np.exp(m + v / 2)

    def day_log(self) -> tuple[np.ndarray, np.ndarray]:
        """Each day's log-scale level for the hours still to come: mean and variance (with the
        drift of a day seen in part)."""
        m = self.mean[0] + self.mean[1:]
        v = self.cov[0, 0] + np.diag(self.cov)[1:] + 2 * self.cov[0, 1:]
        drift = np.where(self.partial, self.drift_sd**2, 0.0)
        return m - drift / 2, v + drift

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` draws of the week's factor ``(n, 1)`` and the days' ``(n, 7)`` for the hours
        still to come (a day seen in part with its drift)."""
        # eigh, not Cholesky: a layer measured at 0 leaves the covariance singular
        x = rng.multivariate_normal(self.mean, self.cov, size=n, method="eigh")
        drift = np.where(self.partial, self.drift_sd, 0.0)
        days = x[:, 1:] + drift * rng.standard_normal((n, 7)) - drift**2 / 2
        return np.exp(x[:, :1]), np.exp(days)


def level_given(forecast: np.ndarray, layers: ErrorLayers, known: np.ndarray | None) -> Level:
    """The week's and each day's level given the counts of the hours already finished
    (``known``: 168 counts, NaN where not known yet): the layers' log-normal factors are the
    prior (mean 1 each), and each day with finished hours is one observation of ``week * day``,
    ``log(sum of its counts / sum of their forecast)``, whose noise is what its hours' own layer
    and Poisson noise give that sum (a linear Gaussian update, the day's counts as one figure),
    plus, for a day seen only in part, how far the rest of a day drifts from its first part
    (``drift_sd``). An hour that came in ``SPIKE_RATIO`` times what the rest of its day implies
    (and at least ``SPIKE_MIN_SESSIONS`` expected there) is a spike, drawn on its own in the
    model, and says nothing of its day: it is left out. How far a morning moves the rest of the
    day is thus the shop's own: its day, week, hour and drift layers, from its rolling
    backtest."""
    f = np.asarray(forecast, dtype=float)
    sw, sd = layers.week_sd**2, layers.day_sd**2
    mean = np.concatenate([[-sw / 2], np.full(7, -sd / 2)])
    cov = np.diag(np.concatenate([[sw], np.full(7, sd)]))
    if known is None:
        return Level(mean, cov, np.zeros(HOURS, dtype=bool), np.zeros(7, dtype=bool),
                     layers.drift_sd)
    y = np.asarray(known, dtype=float)
    if y.shape != (HOURS,):
        raise InputError(f"168 hourly counts are needed, got {y.size}")
    z, noise, used = _observed(f, y, layers)
    seen = (~np.isnan(y) & (f > 0)).reshape(7, 24)
    partial = seen.any(axis=1) & ~(seen | (f.reshape(7, 24) <= 0)).all(axis=1)
    days = np.nonzero(~np.isnan(z))[0]
    if days.size == 0:
        return Level(mean, cov, used, partial, layers.drift_sd)
    r = noise[days] + np.where(partial[days], layers.drift_sd**2, 0.0)
    h = np.zeros((days.size, 8))
    h[:, 0] = 1.0
    h[np.arange(days.size), 1 + days] = 1.0
    gain = cov @ h.T @ np.linalg.inv(h @ cov @ h.T + np.diag(r))
    mean = mean + gain @ (z[days] - h @ mean)
    cov = cov - gain @ h @ cov
    return Level(mean, (cov + cov.T) / 2, used, partial, layers.drift_sd)


def scenario_weeks(forecast: Forecast, layers: ErrorLayers, *, n: int,
                   seed: int | Sequence[int], known: np.ndarray | None = None) -> np.ndarray:
    """(n, 168) hourly session counts, whole numbers, seeded.

    Week ``k``, hour ``h`` brings ``Poisson(sessions[h] * week[k] * day[k, d(h)] *
    hour[k, h])``: ``week`` and ``day`` log-normal factors of mean 1 and the layers' sds;
    ``hour`` one too, or, with chance ``spike_rate``, one of the multipliers seen (all hour
    factors divided by their mean, so they keep mean 1). The same seed gives the same weeks.

    ``known``: the counts of the hours already finished (168, NaN where not yet): those hours
    are their counts in every scenario, and the week's and days' factors are drawn from what
    the counts say of them (``level_given``), not from the layers alone.
    """
    if n < 1:
        raise InputError("the number of scenario weeks must be at least 1", value=n)
    f = forecast.frame["sessions"].to_numpy(dtype=float)
    if f.shape != (HOURS,):
        raise InputError(f"a forecast of 168 hours is needed, got {f.size}")
    rng = np.random.default_rng(seed)
    if known is None:
        week = _factor(rng, layers.week_sd, (n, 1))
        days = _factor(rng, layers.day_sd, (n, 7))
    else:
        week, days = level_given(f, layers, known).draw(rng, n)
    day = np.repeat(days, 24, axis=1)
    hour = _factor(rng, layers.hour_sd, (n, HOURS))
    if layers.spike_rate > 0 and layers.spike_multipliers:
        mult = np.asarray(layers.spike_multipliers, dtype=float)
        p = layers.spike_rate
        spike = rng.random((n, HOURS)) < p
        hour = np.where(spike, rng.choice(mult, size=(n, HOURS)), hour)
        hour /= 1 - p + p * float(mult.mean())
    counts = rng.poisson(np.maximum(f, 0.0) * week * day * hour).astype(np.int64)
    if known is not None:
        seen = ~np.isnan(np.asarray(known, dtype=float))
        counts[:, seen] = np.asarray(known, dtype=float)[seen].astype(np.int64)
    return counts
