"""Play a roster against a week of sessions, once or many times."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from scheduler.domain import HOURS_PER_WEEK, Roster
from scheduler.params import ChatModel
from scheduler.simulate.engine import run_events
from scheduler.simulate.inputs import (
    WEEK_SECONDS,
    Demand,
    sessions_from_demand,
    team_from_roster,
    week_origin,
)
from scheduler.simulate.results import SimulationResult, as_json, build_result
from scheduler.simulate.sampling import HandleSampler, PatienceSampler


def _run_once(
    roster: Roster,
    demand: Demand,
    chat: ChatModel,
    rng: np.random.Generator,
    *,
    seed: int | None,
    handle: HandleSampler | None,
    cyclic: bool,
    patience: PatienceSampler | None = None,
) -> SimulationResult:
    team = team_from_roster(roster, chat, cyclic=cyclic)
    sessions = sessions_from_demand(demand, roster.week_start, chat, rng, handle=handle,
                                    patience=patience)
    run = run_events(
        sessions.start_seconds,
        sessions.handle_seconds,
        sessions.patience_seconds,
        team.duty,
        throughput=chat.throughput,
        base_reply_seconds=chat.base_reply_seconds,
        start_seconds=0.0,
        horizon_end_seconds=WEEK_SECONDS,
    )
    return build_result(
        run,
        sessions.start_seconds,
        sessions.handle_seconds,
        team.agent_ids,
        week_start=roster.week_start,
        chat=chat,
        seed=seed,
    )


def simulate_roster(
    roster: Roster,
    demand: Demand,
    chat: ChatModel,
    *,
    seed: int = 0,
    handle: HandleSampler | None = None,
    cyclic: bool = True,
) -> SimulationResult:
    """Simulate one week of ``roster`` against ``demand``.

    Args:
        roster: the week's shifts (agent, start, end, cap, optional break).
        demand: an ``Arrivals`` trace inside the roster's week (NaN handle/patience are drawn), a
            ``Forecast`` for the roster's week, or expected sessions per equal interval of the
            week (e.g. 168 hourly values), played as a Poisson process.
        chat: the chat model (see ``scheduler.params.ChatModel``).
        seed: seed of the numpy Generator; the same seed gives the same result.
        handle: solo handle-time sampler (see ``scheduler.simulate.sampling``); default
            exponential with mean ``chat.handle_seconds``.
        cyclic: play the roster as a standing week (Sunday-night shifts wrap into Monday and the
            next week's shifts serve sessions still waiting at Sunday 24:00). Without it nobody
            is on duty outside the listed shifts.

    Raises:
        InputError: a shift with ``end <= start`` or a cap outside the throughput table, a forecast
            for another week, sessions outside the week, malformed expected sessions.
    """
    return _run_once(
        roster,
        demand,
        chat,
        np.random.default_rng(seed),
        seed=seed,
        handle=handle,
        cyclic=cyclic,
    )


@dataclass(frozen=True)
class Estimate:
    """Mean over replications with a two-sided t confidence interval (NaN with one replication).

    ``values`` holds each replication's value (NaN-free: replications where the quantity is
    undefined, e.g. an hour without sessions, are left out and ``n`` counts the rest).
    """

    mean: float
    low: float
    high: float
    std: float
    n: int
    confidence: float

    @staticmethod
    def of(values: np.ndarray, *, confidence: float = 0.95) -> Estimate:
        v = np.asarray(values, dtype=float)
        v = v[~np.isnan(v)]
        n = len(v)
        if n == 0:
            return Estimate(math.nan, math.nan, math.nan, math.nan, 0, confidence)
        mean = float(v.mean())
        if n == 1:
            return Estimate(mean, math.nan, math.nan, math.nan, 1, confidence)
        std = float(v.std(ddof=1))
        half = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * std / math.sqrt(n)
        return Estimate(mean, mean - half, mean + half, std, n, confidence)

    def as_dict(self) -> dict[str, Any]:
        return as_json(self)


@dataclass(frozen=True)
class ReplicationSummary:
    """Independent replications of one roster week.

    Weekly estimates: ``three_min_rate``, ``reply_rate``, ``abandonment_share``,
    ``p90_wait_seconds``, ``occupancy``; ``daily_three_min_rate`` / ``daily_reply_rate``: one
    estimate per day (Monday first). Hourly arrays (168, Monday 00:00 first) are means over the
    replications in which the hour had sessions (NaN if none had): ``hourly_sessions``,
    ``hourly_three_min_rate`` (with a bootstrap interval over the runs,
    ``hourly_three_min_rate_low/high``, inside [0, 1]),
    ``hourly_reply_rate``, ``hourly_p90_wait_seconds``, ``hourly_mean_agents_on_duty``.
    ``runs`` keeps each replication's full result.
    """

    week_start: date
    replications: int
    seed: int
    confidence: float
    three_min_rate: Estimate
    reply_rate: Estimate
    abandonment_share: Estimate
    p90_wait_seconds: Estimate
    occupancy: Estimate
    daily_three_min_rate: tuple[Estimate, ...]
    daily_reply_rate: tuple[Estimate, ...]
    hour_starts: tuple[datetime, ...]
    hourly_sessions: np.ndarray
    hourly_three_min_rate: np.ndarray
    hourly_three_min_rate_low: np.ndarray
    hourly_three_min_rate_high: np.ndarray
    hourly_reply_rate: np.ndarray
    hourly_p90_wait_seconds: np.ndarray
    hourly_mean_agents_on_duty: np.ndarray
    runs: tuple[SimulationResult, ...]

    def hourly_frame(self) -> pd.DataFrame:
        """Per-hour means: ``hour_start``, ``sessions``, ``three_min_rate``,
        ``three_min_rate_low``, ``three_min_rate_high``, ``reply_rate``, ``p90_wait_seconds``,
        ``mean_agents_on_duty``."""
        return pd.DataFrame({"hour_start": pd.to_datetime(list(self.hour_starts)),
                             **{f.name.removeprefix("hourly_"): getattr(self, f.name)
                                for f in fields(self) if f.name.startswith("hourly_")}})

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable weekly and daily estimates (no hourly arrays)."""
        hourly = [f.name for f in fields(self) if f.name.startswith("hour")]
        return as_json(self, skip=(*hourly, "runs"))


BOOTSTRAP_RESAMPLES = 400


def _bootstrap_interval(rate: np.ndarray, confidence: float, seed: int
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Per column of ``rate`` (runs x hours, NaN: no session that run): the percentile
    bootstrap interval of the mean over runs (resampling runs, seeded), so it stays inside the
    runs' own range, within [0, 1]; NaN where fewer than two runs saw sessions."""
    runs = rate.shape[0]
    rng = np.random.default_rng([seed, 7919])
    pick = rng.integers(0, runs, size=(BOOTSTRAP_RESAMPLES, runs))
    sample = rate[pick]  # resamples x runs x hours
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(sample, axis=1)
        tail = (1.0 - confidence) / 2.0
        low = np.nanquantile(means, tail, axis=0)
        high = np.nanquantile(means, 1.0 - tail, axis=0)
    few = np.count_nonzero(~np.isnan(rate), axis=0) < 2
    low[few] = np.nan
    high[few] = np.nan
    return low, high


def simulate_replications(
    roster: Roster,
    demand: Demand,
    chat: ChatModel,
    *,
    replications: int = 20,
    seed: int = 0,
    confidence: float = 0.95,
    handle: HandleSampler | None = None,
    cyclic: bool = True,
    patience: PatienceSampler | None = None,
) -> ReplicationSummary:
    """Simulate the week ``replications`` times with independent random streams.

    The streams are ``numpy.random.SeedSequence(seed).spawn(replications)``: the same ``seed``
    gives identical results, and adding replications keeps the earlier ones unchanged. Other
    arguments as :func:`simulate_roster`; ``confidence`` is the level of the t intervals;
    ``patience`` draws the patience times (default: exponential with the chat's mean).
    """
    if replications < 1:
        raise ValueError("replications must be >= 1")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    children = np.random.SeedSequence(seed).spawn(replications)
    runs = tuple(
        _run_once(
            roster,
            demand,
            chat,
            np.random.default_rng(child),
            seed=None,
            handle=handle,
            cyclic=cyclic,
            patience=patience,
        )
        for child in children
    )

    def est(values: list[float]) -> Estimate:
        return Estimate.of(np.asarray(values), confidence=confidence)

    def hourly(attr: str) -> np.ndarray:
        return np.array([[getattr(h, attr) for h in r.hours] for r in runs], dtype=float)

    def nanmean(x: np.ndarray) -> np.ndarray:
        cnt = np.count_nonzero(~np.isnan(x), axis=0)
        out = np.full(x.shape[1], np.nan)
        ok = cnt > 0
        out[ok] = np.nansum(x[:, ok], axis=0) / cnt[ok]
        return out

    rate = hourly("three_min_rate")
    low, high = _bootstrap_interval(rate, confidence, seed)
    origin = week_origin(roster.week_start)
    return ReplicationSummary(
        week_start=roster.week_start,
        replications=replications,
        seed=seed,
        confidence=confidence,
        three_min_rate=est([r.week.three_min_rate for r in runs]),
        reply_rate=est([r.week.reply_rate for r in runs]),
        abandonment_share=est([r.week.abandonment_share for r in runs]),
        p90_wait_seconds=est([r.week.p90_wait_seconds for r in runs]),
        occupancy=est([r.week.occupancy for r in runs]),
        daily_three_min_rate=tuple(est([r.days[d].three_min_rate for r in runs]) for d in range(7)),
        daily_reply_rate=tuple(est([r.days[d].reply_rate for r in runs]) for d in range(7)),
        hour_starts=tuple(origin + timedelta(hours=h) for h in range(HOURS_PER_WEEK)),
        hourly_sessions=hourly("sessions").mean(axis=0),
        hourly_three_min_rate=nanmean(rate),
        hourly_three_min_rate_low=low,
        hourly_three_min_rate_high=high,
        hourly_reply_rate=nanmean(hourly("reply_rate")),
        hourly_p90_wait_seconds=nanmean(hourly("p90_wait_seconds")),
        hourly_mean_agents_on_duty=hourly("mean_agents_on_duty").mean(axis=0),
        runs=runs,
    )
