"""How likely each hour is to keep the target when next week's counts are not the forecast.

An interval's (or an hour's) count is a gamma-Poisson (negative binomial) variable around the
forecast ``m``: Poisson noise widened by the forecast's own relative error ``r`` measured in its
rolling backtest (``Forecast.rel_error``), variance ``m + (r * m)**2``. Two uses:

- **Sizing** (``count_quantile``): an interval is staffed for the ``p``-quantile of its count,
  so the team keeps the target with probability at least ``p`` (the 3-minute rate falls as the
  count rises).
- **Risk** (``hour_risk``): a planned team handles at most ``capacity`` sessions in an hour at the
  target; the chance the hour keeps the target is the count's probability of staying at or under
  it. The expected number of busy hours below target is the sum of the misses' chances; its 90%
  range is that of independent hours (a Poisson-binomial), narrower than the truth when a whole
  week runs above its forecast.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

BUSY_SESSIONS = 5.0
"""A busy hour has at least this many sessions (expected, in a forecast; seen, on a real week)."""

SPIKE_QUANTILE = 0.99
"""The count of a spike: daily and weekly modes keep every interval at the hourly floor when
its hour brings this quantile of its count. (The days daily mode missed on the bank's real
weeks were sunk by one hour two to four times its forecast, in an hour the plan had thinned.)"""


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


def below_target(chances: Sequence[float]) -> BelowTarget:
    """Expected misses and the 5%-95% range of their number, for independent hours that keep
    the target with the given chances."""
    miss = [1.0 - float(c) for c in chances]
    dist = np.array([1.0])
    for q in miss:
        dist = np.convolve(dist, [1.0 - q, q])
    cum = np.cumsum(dist)
    low = int(np.searchsorted(cum, 0.05 - 1e-12))
    high = int(np.searchsorted(cum, 0.95 - 1e-12))
    return BelowTarget(float(sum(miss)), low, high, len(miss))
