"""How likely each hour is to keep the target when next week's counts are not the forecast.

An interval's (or an hour's) count is a gamma-Poisson (negative binomial) variable around the
forecast ``m``: Poisson noise widened by the forecast's own relative error ``r`` measured in its
rolling backtest (``Forecast.rel_error``), variance ``m + (r * m)**2`` (``count_quantile``: the
count an hour stays under with probability ``p``). Its uses:

- **Risk** (``hour_risk``): a planned team handles at most ``capacity`` sessions in an hour at the
  target; the chance the hour keeps the target is the count's probability of staying at or under
  it (``coverage.csv``'s ``chance_meeting_target``, each hour alone; the busy hours expected
  below target are the promises', whose weeks carry the week's and the day's error too).
- **Promises** (``promise_chances``): over scenario weeks of hourly counts (``(n, 168)``, drawn
  with the week's and the day's error as well as the hour's), how often the planned team keeps
  the per-hour, daily and weekly promise, and the busy hours below target with a range that
  includes the week and day terms. The team's 3-minute rate as a function of an hour's count is
  tabulated once per hour (``rate_curves``), so a thousand weeks cost a few array operations.
  The model sees each interval's team in steady state; the event simulator, which plays shift
  changes and the carry-over from one hour to the next, gives the same rosters higher rates
  (on the bank's real weeks, hours the model put at 75-80% were simulated at 85%). So the
  model's rates are mapped onto the simulator's (``RateMap``), fitted on a few simulated weeks
  of the same roster, before the promises are judged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import stats

BUSY_SESSIONS = 5.0
"""A busy hour has at least this many sessions (expected, in a forecast; seen, on a real week)."""

def _nb(mean: float, rel: float) -> tuple[float, float] | None:
    """scipy's (n, p) of the negative binomial with this mean and variance ``mean + (rel *
    mean)**2``; None for a Poisson count (``rel`` 0)."""
    phi = rel * rel
    if phi <= 1e-12 or mean <= 0:
        return None
    n = 1.0 / phi
    return n, n / (n + mean)


def count_quantile(mean: float, rel: float, p: float) -> float:
    """The smallest whole count ``q`` with ``P(count <= q) >= p``; the mean itself when ``p`` is
    None-like (``p <= 0``: point forecast)."""
    if p <= 0 or mean <= 0:
        return max(0.0, mean)
    nb = _nb(mean, rel)
    q = stats.poisson.ppf(p, mean) if nb is None else stats.nbinom.ppf(p, *nb)
    return float(q)


def count_cdf(x: float, mean: float, rel: float) -> float:
    """``P(count <= x)`` (``x`` rounded down to a whole count)."""
    if mean <= 0:
        return 1.0
    k = math.floor(x + 1e-9)
    if k < 0:
        return 0.0
    nb = _nb(mean, rel)
    return float(stats.poisson.cdf(k, mean) if nb is None else stats.nbinom.cdf(k, *nb))


def capacity(rate_at: Callable[[float], float], target: float, guess: float) -> float:
    """The most sessions (of an hour, or an interval) at which ``rate_at(sessions)`` (the
    model's 3-minute rate, falling in the sessions) still meets ``target``; found by doubling
    from ``guess`` and bisection to 0.05 sessions. ``inf`` when it never falls below."""
    if rate_at(0.0) < target:
        return 0.0
    lo, hi = 0.0, max(1.0, guess)
    while rate_at(hi) >= target:
        lo, hi = hi, hi * 2
        if hi > 1e6:
            return math.inf
    while hi - lo > 0.05:
        mid = (lo + hi) / 2
        if rate_at(mid) >= target:
            lo = mid
        else:
            hi = mid
    return lo


@dataclass(frozen=True)
class BelowTarget:
    """Busy hours below target: expected number and its 90% range, of ``judged`` busy hours."""

    expected: float
    low: int
    high: int
    judged: int


SCENARIOS = 1_000
"""Scenario weeks behind a roster's promise chances: enough for the 99% level (ten weeks in a
thousand beyond it)."""

GRID_POINTS = 40
"""Counts per hour at which the model's 3-minute rate is computed; every whole count between an
hour's fewest and most sessions when there are at most this many, else this many spread evenly
(the rate in between interpolated)."""


RATE_BINS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0)
"""Bins of the model's hour rate in which ``rate_map`` compares it with the simulator's."""

MIN_BIN_HOURS = 10
"""Hours a bin needs before its mean takes part in ``rate_map`` (fewer: the bin is skipped and
the map runs straight across it)."""


@dataclass(frozen=True)
class RateMap:
    """From the queueing model's 3-minute rate of an hour to the simulator's for the same team
    and count: straight lines through ``(model[i], simulated[i])`` (both rising, from (0, 0) to
    (1, 1)). A real hour's rate (as the backtest judges it: ``REPLAYS`` plays of its arrivals
    pooled) scatters around that: ``spread`` times the variance of a share of its sessions,
    ``r (1 - r) / n`` (sessions in one hour wait on the same queue, and the model misses what
    each hour's own shift changes do, so they scatter more than independent ones would)."""

    model: tuple[float, ...]
    simulated: tuple[float, ...]
    spread: float = 1.0

    def __call__(self, rates: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(rates, dtype=float), self.model, self.simulated)

    def draw(self, rates: np.ndarray, sessions: np.ndarray, rng: np.random.Generator | None
             = None, *, normals: np.ndarray | None = None) -> np.ndarray:
        """One realised rate per hour: the mapped rate plus its scatter (normal, clipped to
        0..1) at ``sessions`` (the hour's count); ``normals``: the standard normal draws to
        scatter with (default: from ``rng``), so two teams can be judged on the same luck."""
        mean = self(rates)
        sd = np.sqrt(self.spread * mean * (1.0 - mean) / np.maximum(sessions, 1.0))
        if normals is None and rng is None:
            raise ValueError("RateMap.draw needs a seeded rng or the normals to scatter with")
        z = normals if normals is not None else rng.standard_normal(mean.shape)  # type: ignore[union-attr]
        return np.clip(mean + sd * z, 0.0, 1.0)


REPLAYS = 5
"""Simulated plays of a real week (the same arrivals, fresh service noise) whose pooled hour
rates judge it (``backtest``): the hour's rate given its arrivals, the one a promise is kept on."""


def rate_map(model: np.ndarray, plays: np.ndarray, sessions: np.ndarray) -> RateMap:
    """The ``RateMap`` of the model's hour rates against the simulator's for the same hours
    (``plays``: ``(hours, 2)``, two plays of the same arrivals; ``sessions`` each): in each bin
    of ``RATE_BINS`` of the model's rate with at least ``MIN_BIN_HOURS`` hours, the
    session-weighted mean of each; the simulator's means made non-decreasing (a busier hour
    never maps above a quieter one's). ``spread``: how far ``REPLAYS`` pooled plays fall from
    the map, over what shares of the hour's sessions would scatter: the two plays' mean's
    squared distance, less the service noise their difference shows that pooling more plays
    removes."""
    x = np.asarray(model, dtype=float)
    two = np.asarray(plays, dtype=float)
    y = two.mean(axis=1)
    w = np.asarray(sessions, dtype=float)
    xs, ys = [0.0], [0.0]
    bins = np.clip(np.searchsorted(RATE_BINS, x, side="right") - 1, 0, len(RATE_BINS) - 2)
    for b in range(len(RATE_BINS) - 1):
        inside = (bins == b) & (w > 0)
        if inside.sum() >= MIN_BIN_HOURS:
            xs.append(float(np.average(x[inside], weights=w[inside])))
            ys.append(float(np.average(y[inside], weights=w[inside])))
    if xs[-1] < 1.0:
        xs.append(1.0)
        ys.append(1.0)
    fit = RateMap(tuple(xs), tuple(np.maximum.accumulate(np.clip(ys, 0.0, 1.0)).tolist()))
    mean = fit(x)
    share = mean * (1.0 - mean) / np.maximum(w, 1.0)
    if share.sum() <= 0:
        return fit
    # one play's service noise s2 = E(y1 - y2)^2 / 2; the pair's mean carries s2 / 2 of it,
    # REPLAYS pooled plays s2 / REPLAYS
    noise = float(((two[:, 0] - two[:, 1]) ** 2).sum()) / 2.0
    pooled = float(((y - mean) ** 2).sum()) - noise * (0.5 - 1.0 / REPLAYS)
    return replace(fit, spread=max(pooled, 0.0) / float(share.sum()))


def count_scenarios(means: np.ndarray, rel: Sequence[float] | None, *, n: int,
                    seed: int | Sequence[int]) -> np.ndarray:
    """``(n, hours)`` whole session counts, each hour on its own: gamma-Poisson around its
    mean ``means[h]`` with the forecast's relative error ``rel[h]`` (Poisson where ``rel`` is
    None or 0), the count distribution of :func:`count_cdf`; seeded."""
    m = np.asarray(means, dtype=float)
    phi = np.zeros(m.size) if rel is None else np.asarray(rel, dtype=float) ** 2
    rng = np.random.default_rng(seed)
    spread = np.where(phi > 1e-12, phi, 1.0)
    level = rng.gamma(1.0 / spread, spread, size=(n, m.size))
    return rng.poisson(m * np.where(phi > 1e-12, level, 1.0)).astype(float)


@dataclass(frozen=True)
class RateCurves:
    """Per hour: the model's 3-minute rate of the planned team at a few of the hour's session
    counts (``counts[h]`` rising, ``rates[h]`` the rate at each); in between, linear."""

    counts: tuple[np.ndarray, ...]
    rates: tuple[np.ndarray, ...]

    def at(self, sessions: np.ndarray) -> np.ndarray:
        """The rate at each of ``(n, hours)`` counts (clamped to the hour's tabulated range)."""
        x = np.asarray(sessions, dtype=float)
        return np.column_stack([np.interp(x[:, h], self.counts[h], self.rates[h])
                                for h in range(x.shape[1])])


def rate_curves(rate_at: Sequence[Callable[[float], float]], sessions: np.ndarray, *,
                points: int = GRID_POINTS) -> RateCurves:
    """Tabulate each hour's rate function (``rate_at[h]``: the 3-minute rate at the hour's
    count) once, on whole counts from the fewest to the most sessions the hour has in
    ``sessions`` (``(n, hours)``): every count when there are at most ``points``, else
    ``points`` of them spread evenly."""
    x = np.asarray(sessions, dtype=float)
    grids = [np.unique(np.round(np.linspace(x[:, h].min(), x[:, h].max(),
                                            min(points, int(np.ptp(x[:, h])) + 1))))
             for h in range(x.shape[1])]
    return RateCurves(tuple(grids),
                      tuple(np.array([rate_at[h](float(k)) for k in g]) for h, g in
                            enumerate(grids)))


@dataclass(frozen=True)
class PromiseChances:
    """How often a roster keeps each promise over ``scenarios`` weeks of session counts:

    - ``per_hour``: at least ``per_hour_share`` of the week's busy hours (``BUSY_SESSIONS`` or
      more sessions in that week) keep the target, each by its sessions' own luck: an hour
      whose rate at its count is ``r`` keeps it when at least ``target`` of its ``x`` sessions
      are answered in time, a binomial ``(x, r)`` count;
    - ``daily``: every day (00:00-24:00) keeps it: the day's expected 3-minute replies over
      its sessions;
    - ``weekly``: the week keeps it.

    ``below``: the busy hours whose rate at their count is below target, their mean over the
    weeks and the 5%-95% range (``judged``: the busy hours of the mean week, rounded)."""

    per_hour: float
    daily: float
    weekly: float
    below: BelowTarget
    scenarios: int
    per_hour_share: float

    def as_dict(self) -> dict[str, Any]:
        """``{"per-hour": 0.71, "daily": 0.42, "weekly": 0.93, ...}`` (``summary.json``)."""
        return {"per-hour": self.per_hour, "daily": self.daily, "weekly": self.weekly,
                "per_hour_share": self.per_hour_share, "scenarios": self.scenarios,
                "expected_hours_below_target": round(self.below.expected, 2),
                "hours_below_range": [self.below.low, self.below.high],
                "busy_hours": self.below.judged}


def at_most(miss: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per row: the chance that at most ``allowed[row]`` of the independent events with
    chances ``miss[row]`` happen (a Poisson-binomial, counted up to the most allowed)."""
    top = int(allowed.max(initial=0)) + 1
    rows = miss.shape[0]
    dist = np.zeros((top + 1, rows))  # dist[k, row]: k events so far (a row per count: fast)
    dist[0] = 1.0
    moved = np.empty((top, rows))
    for q in np.ascontiguousarray(miss[:, np.any(miss != 0, axis=0)].T):  # q = 0 changes nothing
        np.multiply(dist[:-1], q, out=moved)
        dist[1:] *= 1 - q
        dist[1:] += moved
        dist[0] *= 1 - q
    cum = np.cumsum(dist, axis=0)
    return cum[np.minimum(allowed, top), np.arange(rows)]


def hour_misses(sessions: np.ndarray, rates: np.ndarray, target: float, *,
                busy: float = BUSY_SESSIONS, seen: bool = False) -> np.ndarray:
    """The chance each busy hour (``busy`` or more sessions) misses ``target``: an hour whose
    rate at its ``x`` sessions is ``r`` keeps it when at least ``target`` of them are answered
    in time, a binomial ``(x, r)`` count; ``seen``: the rate is what the hour did (0 or 1)."""
    x = np.asarray(sessions, dtype=float)
    r = np.clip(np.nan_to_num(np.asarray(rates, dtype=float), nan=1.0), 0.0, 1.0)
    need = np.ceil(target * x - 1e-9)  # sessions answered in time an hour needs
    luck = (r < target - 1e-12) if seen else stats.binom.cdf(need - 1, x.astype(int), r)
    return np.where(x >= busy, luck, 0.0)


def allowed_misses(sessions: np.ndarray, per_hour_share: float, busy: float = BUSY_SESSIONS
                   ) -> np.ndarray:
    """Per week: the busy hours the per-hour promise lets miss."""
    n_busy = (np.asarray(sessions) >= busy).sum(axis=1)
    return np.floor((1 - per_hour_share) * n_busy + 1e-9).astype(int)


def day_lack(sessions: np.ndarray, rates: np.ndarray, target: float) -> np.ndarray:
    """``(n, days)``: the 3-minute replies each day (blocks of 24 hours from the first) lacks
    at ``target`` (<= 0: the day keeps it; summed over the days: the week's)."""
    x = np.asarray(sessions, dtype=float)
    replies = x * np.clip(np.nan_to_num(np.asarray(rates, dtype=float), nan=1.0), 0.0, 1.0)
    return np.add.reduceat((target - 1e-12) * x - replies, np.arange(0, x.shape[1], 24), axis=1)


def promise_chances(sessions: np.ndarray, rates: np.ndarray, target: float, *,
                    per_hour_share: float, busy: float = BUSY_SESSIONS,
                    seen: bool = False) -> PromiseChances:
    """Each promise's chance over scenario weeks: ``sessions`` ``(n, hours)`` counts, ``rates``
    the 3-minute rate of each hour at its count (an hour without sessions counts as kept); the
    days are the hours' blocks of 24 from the first. ``seen``: the rates are what the weeks
    did (a simulation's, a real week's), so an hour keeps the target or not, without the luck
    of its sessions still to come."""
    x = np.asarray(sessions, dtype=float)
    r = np.clip(np.nan_to_num(np.asarray(rates, dtype=float), nan=1.0), 0.0, 1.0)
    judged = x >= busy
    below = (judged & (r < target - 1e-12)).sum(axis=1)
    n_busy = judged.sum(axis=1)
    miss = hour_misses(x, r, target, busy=busy, seen=seen)
    lack = day_lack(x, r, target)
    return PromiseChances(
        per_hour=float(at_most(miss, allowed_misses(x, per_hour_share, busy)).mean()),
        daily=float((lack <= 0).all(axis=1).mean()),
        weekly=float((lack.sum(axis=1) <= 0).mean()),
        below=BelowTarget(float(below.mean()), int(np.percentile(below, 5, method="lower")),
                          int(np.percentile(below, 95, method="higher")),
                          round(float(n_busy.mean()))),
        scenarios=int(x.shape[0]), per_hour_share=per_hour_share)
