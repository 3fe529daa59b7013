"""What a simulated week reports, the way the platform counts it.

Sessions are counted by their START time, in clock hours 00:00-24:00 of every day of the natural
week (Monday-Sunday). A session is

- *replied* if an agent picked it up before the buyer left (the reply rate's numerator),
- *replied within 3 minutes* if it was replied and ``wait + reply latency <= answer_seconds``,
- *abandoned* if the buyer left before a pickup,
- *unresolved* if the run ended with it still waiting (only possible when abandonment is off and
  nobody comes on duty again); it counts as not replied.

"Wait" in the percentiles is the time to the first human reply (queue wait plus the agent's reply
latency), over replied sessions only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from scheduler.domain import DAYS, HOURS_PER_WEEK
from scheduler.params import ChatModel
from scheduler.simulate.engine import RawRun, integrate_agents

HOURLY_COLUMNS = (
    "hour_start",
    "sessions",
    "replied",
    "replied_3min",
    "three_min_rate",
    "reply_rate",
    "p90_wait_seconds",
    "mean_agents_on_duty",
    "abandoned",
    "p50_wait_seconds",
    "p99_wait_seconds",
    "occupancy",
    "utilisation",
)
"""Columns of :meth:`SimulationResult.hourly_frame`; the first eight are the export's contract."""


def ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def as_json(result: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of the dataclass ``result`` (those not in ``skip``) as JSON values: dates as
    ISO text (datetimes to the minute), NaN as None, a tuple of the seven days as ``{"Mon": ...}``
    and a nested result by its ``as_dict``."""
    return {f.name: _json(getattr(result, f.name)) for f in fields(result) if f.name not in skip}


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isnan(value) else float(value)
    if isinstance(value, tuple):
        return {d: _json(v) for d, v in zip(DAYS, value, strict=True)}
    return value.as_dict() if hasattr(value, "as_dict") else value


@dataclass(frozen=True)
class PeriodMetrics:
    """Counts and rates for sessions started in ``[start, start + hours)``.

    Rates are NaN when no session started in the period; ``occupancy`` and ``utilisation`` are
    NaN when nobody was on duty.
    - ``occupancy``: chats held by agents on duty / their caps, time-averaged (busy slots /
      offered slots). Chats an agent finishes after its shift or during its break are not counted.
    - ``utilisation``: share of on-duty agent time spent holding at least one chat.
    - ``mean_agents_on_duty``: agents taking chats, time-averaged over the period.
    """

    start: datetime
    hours: int
    sessions: int
    replied: int
    replied_3min: int
    abandoned: int
    unresolved: int
    three_min_rate: float
    reply_rate: float
    abandonment_share: float
    p50_wait_seconds: float
    p90_wait_seconds: float
    p99_wait_seconds: float
    mean_agents_on_duty: float
    occupancy: float
    utilisation: float

    @property
    def sessions_per_hour(self) -> float:
        return self.sessions / self.hours


@dataclass(frozen=True)
class SimulationSummary:
    """The week in a few numbers, for ``summary.json``. :meth:`as_dict` is JSON-serialisable
    (datetimes as ISO strings, NaN as ``None``)."""

    week_start: date
    seed: int | None
    sessions: int
    replied: int
    replied_3min: int
    abandoned: int
    three_min_rate: float
    reply_rate: float
    abandonment_share: float
    p50_wait_seconds: float
    p90_wait_seconds: float
    p99_wait_seconds: float
    occupancy: float
    utilisation: float
    on_duty_agent_hours: float
    daily_three_min_rate: tuple[float, ...]
    daily_reply_rate: tuple[float, ...]
    worst_hour_start: datetime | None
    worst_hour_three_min_rate: float
    target: float | None
    hours_below_target: int | None

    def as_dict(self) -> dict[str, Any]:
        return as_json(self)


@dataclass(frozen=True)
class SimulationResult:
    """One simulated week of a roster.

    ``sessions`` columns (one row per session started in the week, by start):
    ``start`` (datetime64), ``queue_wait_seconds`` (arrival to pickup, NaN if never picked up),
    ``first_reply_seconds`` (arrival to first human reply, NaN if never replied),
    ``replied`` (bool), ``replied_3min`` (bool), ``abandoned`` (bool), ``agent_id`` (str, "" if
    never picked up), ``concurrent_at_pickup`` (chats the agent held after picking it up, 0 if
    never), ``handle_seconds`` (solo work, s), ``end`` (datetime64 when the chat was finished,
    NaT if never picked up).
    """

    week_start: date
    chat: ChatModel
    seed: int | None
    week: PeriodMetrics
    days: tuple[PeriodMetrics, ...]
    hours: tuple[PeriodMetrics, ...]
    on_duty_agent_hours: float
    sessions: pd.DataFrame

    def hourly_frame(self) -> pd.DataFrame:
        """One row per clock hour of the week, columns :data:`HOURLY_COLUMNS`."""
        return _frame(self.hours)

    def daily_frame(self) -> pd.DataFrame:
        """One row per day (Monday first), same columns with ``day_start`` for ``hour_start``."""
        return _frame(self.days).rename(columns={"hour_start": "day_start"})

    def to_summary(self, *, target: float | None = None) -> SimulationSummary:
        """The week's headline numbers; with ``target``, also how many hours (with sessions)
        fell below it on the 3-minute rate."""
        rates = np.array([h.three_min_rate for h in self.hours])
        has = ~np.isnan(rates)
        worst_start: datetime | None = None
        worst = math.nan
        if has.any():
            i = int(np.nanargmin(rates))
            worst_start, worst = self.hours[i].start, float(rates[i])
        week = {f.name for f in fields(PeriodMetrics)}
        return SimulationSummary(
            week_start=self.week_start,
            seed=self.seed,
            **{f.name: getattr(self.week, f.name) for f in fields(SimulationSummary)
               if f.name in week},
            on_duty_agent_hours=self.on_duty_agent_hours,
            daily_three_min_rate=tuple(d.three_min_rate for d in self.days),
            daily_reply_rate=tuple(d.reply_rate for d in self.days),
            worst_hour_start=worst_start,
            worst_hour_three_min_rate=worst,
            target=target,
            hours_below_target=(
                None if target is None else int(np.count_nonzero(rates[has] < target))
            ),
        )


def _frame(periods: tuple[PeriodMetrics, ...]) -> pd.DataFrame:
    return pd.DataFrame({"hour_start": pd.to_datetime([p.start for p in periods]),
                         **{c: [getattr(p, c) for p in periods] for c in HOURLY_COLUMNS[1:]}})


def percentiles(values: np.ndarray) -> tuple[float, float, float]:
    if len(values) == 0:
        return (math.nan, math.nan, math.nan)
    p = np.percentile(values, (50.0, 90.0, 99.0))
    return (float(p[0]), float(p[1]), float(p[2]))


def build_result(
    run: RawRun,
    start_seconds: np.ndarray,
    handle_seconds: np.ndarray,
    agent_ids: tuple[str, ...],
    *,
    week_start: date,
    chat: ChatModel,
    seed: int | None,
) -> SimulationResult:
    """Aggregate one run into hourly, daily and weekly metrics (sessions by start time)."""
    origin = datetime.combine(week_start, datetime.min.time())
    n_hours = HOURS_PER_WEEK
    hour = np.minimum((start_seconds // 3600.0).astype(np.int64), n_hours - 1)
    replied = ~np.isnan(run.pickup_seconds)
    queue_wait = run.pickup_seconds - start_seconds
    first_reply = queue_wait + run.reply_latency_seconds
    on_time = replied & (first_reply <= chat.answer_seconds + 1e-9)
    abandoned = run.abandoned

    edges = np.arange(n_hours + 1, dtype=float) * 3600.0
    on, offered, busy_slots, busy_time = integrate_agents(run, edges)

    def period(
        label: datetime,
        hours: int,
        sel: np.ndarray | slice,
        h0: int,
        h1: int,
    ) -> PeriodMetrics:
        n = len(hour[sel])
        r = int(np.count_nonzero(replied[sel]))
        s3 = int(np.count_nonzero(on_time[sel]))
        ab = int(np.count_nonzero(abandoned[sel]))
        fr = first_reply[sel]
        p50, p90, p99 = percentiles(fr[~np.isnan(fr)])
        on_s = float(on[h0:h1].sum())
        return PeriodMetrics(
            start=label,
            hours=hours,
            sessions=n,
            replied=r,
            replied_3min=s3,
            abandoned=ab,
            unresolved=n - r - ab,
            three_min_rate=ratio(s3, n),
            reply_rate=ratio(r, n),
            abandonment_share=ratio(ab, n),
            p50_wait_seconds=p50,
            p90_wait_seconds=p90,
            p99_wait_seconds=p99,
            mean_agents_on_duty=on_s / (hours * 3600.0),
            occupancy=ratio(float(busy_slots[h0:h1].sum()), float(offered[h0:h1].sum())),
            utilisation=ratio(float(busy_time[h0:h1].sum()), on_s),
        )

    # sessions are sorted by start, so each hour is a contiguous slice
    bounds = np.searchsorted(hour, np.arange(n_hours + 1))
    hours = tuple(
        period(origin + timedelta(hours=h), 1, slice(bounds[h], bounds[h + 1]), h, h + 1)
        for h in range(n_hours)
    )
    days = tuple(
        period(
            origin + timedelta(days=d),
            24,
            slice(bounds[24 * d], bounds[24 * d + 24]),
            24 * d,
            24 * d + 24,
        )
        for d in range(7)
    )
    week = period(origin, n_hours, slice(0, len(hour)), 0, n_hours)

    ids = np.array(("", *agent_ids), dtype=object)
    t0 = np.datetime64(origin, "ns")

    def stamp(seconds: np.ndarray) -> np.ndarray:
        out = np.full(len(seconds), np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = ~np.isnan(seconds)
        out[ok] = t0 + np.round(seconds[ok] * 1e9).astype("timedelta64[ns]")
        return out

    sessions = pd.DataFrame(
        {
            "start": stamp(start_seconds),
            "queue_wait_seconds": queue_wait,
            "first_reply_seconds": first_reply,
            "replied": replied,
            "replied_3min": on_time,
            "abandoned": abandoned,
            "agent_id": ids[run.agent + 1],
            "concurrent_at_pickup": run.held_at_pickup,
            "handle_seconds": handle_seconds,
            "end": stamp(run.done_seconds),
        }
    )
    return SimulationResult(
        week_start=week_start,
        chat=chat,
        seed=seed,
        week=week,
        days=days,
        hours=hours,
        on_duty_agent_hours=float(on.sum()) / 3600.0,
        sessions=sessions,
    )
