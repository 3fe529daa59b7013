"""Random inputs: arrivals, handle times, patience. Every draw goes through a numpy Generator."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from scheduler.params import ChatModel

HandleSampler = Callable[[np.random.Generator, int], np.ndarray]
"""``sampler(rng, n)`` returns ``n`` solo handle times in seconds (all > 0)."""

PatienceSampler = Callable[[np.random.Generator, int], np.ndarray]
"""``sampler(rng, n)`` returns ``n`` patience times in seconds (>= 0, ``inf`` = never leaves)."""


def exponential_handle(mean_seconds: float) -> HandleSampler:
    """Exponential solo handle times with the given mean (seconds). The model's default."""
    if mean_seconds <= 0:
        raise ValueError("mean_seconds must be > 0")

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(mean_seconds, size=n)

    return draw


def constant_handle(seconds: float) -> HandleSampler:
    """Every chat takes exactly ``seconds`` of solo work."""
    if seconds <= 0:
        raise ValueError("seconds must be > 0")

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, float(seconds))

    return draw


def lognormal_handle(mean_seconds: float, *, cv: float = 1.0) -> HandleSampler:
    """Lognormal solo handle times with the given mean (seconds) and coefficient of variation."""
    if mean_seconds <= 0 or cv <= 0:
        raise ValueError("mean_seconds and cv must be > 0")
    sigma2 = math.log1p(cv * cv)
    mu = math.log(mean_seconds) - sigma2 / 2.0

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(mu, math.sqrt(sigma2), size=n)

    return draw


def draw_handle(
    rng: np.random.Generator, n: int, chat: ChatModel, handle: HandleSampler | None
) -> np.ndarray:
    """``n`` solo handle times (seconds): ``handle`` if given, else exponential(chat mean)."""
    sampler = handle if handle is not None else exponential_handle(chat.handle_seconds)
    out = np.asarray(sampler(rng, n), dtype=float)
    if out.shape != (n,) or not np.all(out > 0) or not np.all(np.isfinite(out)):
        raise ValueError("a handle-time sampler must return n finite values > 0")
    return out


def empirical_patience(times: np.ndarray, survival: np.ndarray, tail_mean: float
                       ) -> PatienceSampler:
    """Patience drawn from a survival curve (e.g. Kaplan-Meier): ``survival[i]`` is the share
    still waiting just after ``times[i]`` (non-increasing). A draw ``u`` uniform on (0, 1) gives
    the first ``times[i]`` with ``survival[i] <= u``; beyond the curve's last time the rest leave
    at the exponential rate ``1 / tail_mean`` (``inf``: never)."""
    t = np.asarray(times, dtype=float)
    s = np.asarray(survival, dtype=float)
    if t.shape != s.shape or t.size == 0 or np.any(np.diff(t) < 0) or np.any(np.diff(s) > 0):
        raise ValueError("a survival curve needs matching, sorted times and non-increasing shares")

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        u = rng.random(n)
        tail = rng.exponential(1.0, size=n)  # always drawn: the stream does not depend on u
        k = np.searchsorted(-s, -u, side="left")  # first i with s[i] <= u
        out = np.empty(n)
        inside = k < t.size
        out[inside] = t[k[inside]]
        out[~inside] = t[-1] + tail[~inside] * tail_mean if math.isfinite(tail_mean) else math.inf
        return out

    return draw


def draw_patience(rng: np.random.Generator, n: int, chat: ChatModel,
                  patience: PatienceSampler | None = None) -> np.ndarray:
    """``n`` patience times (seconds): ``patience`` if given, else exponential with the chat's
    mean, ``inf`` if disabled.

    Always consumes ``n`` draws when abandonment is on, so the stream is the same whatever a
    trace supplies.
    """
    if patience is not None:
        out = np.asarray(patience(rng, n), dtype=float)
        if out.shape != (n,) or np.any(np.isnan(out)) or np.any(out < 0):
            raise ValueError("a patience sampler must return n values >= 0")
        return out
    theta = chat.abandonment_rate_per_second
    if theta == 0.0:
        return np.full(n, math.inf)
    return rng.exponential(1.0 / theta, size=n)


def poisson_arrivals(
    rng: np.random.Generator, expected: np.ndarray, interval_seconds: float, *, offset: float = 0.0
) -> np.ndarray:
    """Sorted arrival times (seconds) of a Poisson process with piecewise-constant rate.

    Interval ``i`` covers ``[offset + i * interval_seconds, offset + (i + 1) * interval_seconds)``
    and brings a Poisson(``expected[i]``) number of sessions, uniformly spread inside it (this is
    exactly the non-homogeneous Poisson process with that step rate).
    """
    expected = np.asarray(expected, dtype=float)
    if expected.ndim != 1 or not np.all(np.isfinite(expected)) or np.any(expected < 0):
        raise ValueError("expected sessions must be a 1-D array of finite values >= 0")
    counts = rng.poisson(expected)
    total = int(counts.sum())
    which = np.repeat(np.arange(len(expected)), counts)
    times = offset + (which + rng.random(total)) * interval_seconds
    times.sort()
    return times
