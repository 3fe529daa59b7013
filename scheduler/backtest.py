"""How would my plans have done? Plan each of the history's last weeks from the weeks before it
only, then replay the real week.

For each judged week: the history is cut at the week's Monday (the planner never reads the week
it is judged on), a plan is made exactly as ``scheduler plan`` would make it (at the chance
asked, and at the point forecast: the price of the margin), and the real week is played
against each roster in the simulator: the week's own per-session arrivals where a session log
covers it, otherwise arrivals drawn inside each real hourly count (uniform in the hour, seeded).
A busy hour on the real week has at least ``BUSY_SESSIONS`` real sessions. Next to each
promise's chance the plan predicted (``PlanSummary.chance``) stands whether the real week kept it,
judged by the same rule (``risk.promise_chances`` on the replayed rates, ``seen``), and how many
of its seven days kept the target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import pairwise

import numpy as np
import pandas as pd

from scheduler.domain import Agent, Arrivals, HourlyHistory, SessionLog, next_monday
from scheduler.errors import InputError
from scheduler.params import DEFAULT_PER_HOUR_SHARE, Mode, PlanParams, ServiceTarget
from scheduler.pipeline import run as run_plan
from scheduler.report import PlanResult
from scheduler.risk import REPLAYS, PromiseChances, promise_chances
from scheduler.simulate import simulate_roster

MIN_TRAIN_WEEKS = 4
"""Weeks of history a judged week needs before it (the forecast's backtest and band need them)."""

PLAN_SECONDS_PER_LIMIT_SECOND = 0.6
PLAN_EXTRA_SECONDS = 5.0
"""A backtest's plan's wall time on 2 cores: this many seconds per second of its time limit
(the share of the limit its solves get) plus these (the forecast, the staffing table, the LP
start, the report). A backtest's plan prices no rule and diagnoses nothing (``explain=False``),
so it ends well inside its limit. Measured on the sample's last judged week in a warm process
(as the app runs it; replications 3) on the shared 2-core machine at a load of 5: 10.8 and
11.2 s at a limit of 10 s, 22.4 and 23.0 s at 30 s, 14.3 s at the app's 16 s."""

REPLAY_SECONDS = 0.15
"""One replay of a real week in the simulator (5 took 0.6 s on the same machine)."""

COLUMNS = ("week_start", "plan", "chance_asked", "agent_hours", "weekly_three_min_rate",
           "min_daily_three_min_rate", "busy_hours", "busy_hours_at_target",
           "share_at_target", "expected_below", "seen_below", "real_sessions",
           "forecast_sessions", "chance_per_hour", "kept_per_hour", "chance_daily", "kept_daily",
           "days_kept", "chance_weekly", "kept_weekly")
"""Columns of ``BacktestReport.weeks`` (one row per judged week and plan): ``chance_<promise>``
the plan's predicted chance of keeping it, ``kept_<promise>`` whether the real week did,
``days_kept`` its days (of 7) at target."""


def column(what: str, promise: Mode) -> str:
    """The column of ``what`` (``chance`` or ``kept``) of a promise: ``chance_per_hour``, ..."""
    return f"{what}_{promise.value.replace('-', '_')}"


@dataclass(frozen=True)
class BacktestReport:
    """The judged weeks (``COLUMNS``) and the target they were judged against (the per-hour
    promise: ``per_hour_share`` of busy hours at it)."""

    weeks: pd.DataFrame
    target: float
    source: str
    per_hour_share: float = DEFAULT_PER_HOUR_SHARE

    def summary(self) -> pd.DataFrame:
        """Per plan: weeks, mean agent-hours, worst week's share of busy hours at target,
        weeks under 95% of them, weeks under the weekly target, mean |expected - seen| hours
        below target; per promise, the mean predicted chance (``chance_<promise>``) against the
        share of weeks that kept it (``kept_<promise>``)."""
        rows = []
        for plan, g in self.weeks.groupby("plan", sort=False):
            rows.append({
                "plan": plan, "weeks": len(g), "agent_hours": float(g["agent_hours"].mean()),
                "worst_share_at_target": float(g["share_at_target"].min()),
                "weeks_under_95": int((g["share_at_target"] < 0.95).sum()),
                "weeks_weekly_below_target": int((g["weekly_three_min_rate"]
                                                  < self.target).sum()),
                "mean_abs_expected_minus_seen": float(
                    (g["expected_below"] - g["seen_below"]).abs().mean()),
                **{column(what, m): float(g[column(what, m)].astype(float).mean())
                   for m in Mode for what in ("chance", "kept")},
            })
        return pd.DataFrame(rows)


RELIABILITY_BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)
"""Bins of predicted chance in the reliability table (the last one closed at 100%)."""


def reliability(weeks: pd.DataFrame, *, by_promise: bool = True) -> pd.DataFrame:
    """Were the predicted chances honest? Every (roster, real week, promise) of ``weeks``
    (``COLUMNS``) is one pair: the chance the plan predicted and whether the real week kept it.
    Per bin of predicted chance (``RELIABILITY_BINS``; per promise unless ``by_promise`` is
    False): the pairs, their mean predicted chance and the share kept."""
    pairs = pd.concat([pd.DataFrame({
        "promise": m.value, "predicted": weeks[column("chance", m)].astype(float),
        "kept": weeks[column("kept", m)].astype(float)}) for m in Mode], ignore_index=True)
    pairs = pairs.dropna()
    pairs["bin"] = pd.cut(pairs["predicted"], list(RELIABILITY_BINS), right=False,
                          labels=[f"{lo:.0%}–{min(hi, 1):.0%}" for lo, hi in
                                  pairwise(RELIABILITY_BINS)])
    keys = ["promise", "bin"] if by_promise else ["bin"]
    out = (pairs.groupby(keys, observed=True, sort=True)
           .agg(pairs=("kept", "size"), predicted=("predicted", "mean"), kept=("kept", "mean"))
           .reset_index())
    out["bin"] = out["bin"].astype(str)
    return out

def _full_weeks(history: HourlyHistory) -> tuple[date, int]:
    """The Monday after the history's last full week, and how many full Monday-to-Sunday
    weeks the history holds."""
    end = history.end + timedelta(hours=1)
    last_end = end.date() - timedelta(days=end.date().weekday())
    first = next_monday(history.start)
    return last_end, max(0, (last_end - first).days // 7)


def full_weeks(history: HourlyHistory) -> int:
    """Full Monday-to-Sunday weeks in the history."""
    return _full_weeks(history)[1]


def judged_weeks(history: HourlyHistory, n: int) -> list[date]:
    """The Mondays of the history's last ``n`` full weeks (InputError when fewer than ``n``
    have ``MIN_TRAIN_WEEKS`` full weeks before them)."""
    if n < 1:
        raise InputError("--weeks: expected a whole number >= 1", value=n)
    last_end, full = _full_weeks(history)
    if full < n + MIN_TRAIN_WEEKS:
        raise InputError(
            f"the history holds {full} full Monday-to-Sunday weeks; backtesting {n} weeks "
            f"needs {n + MIN_TRAIN_WEEKS} ({n} judged plus {MIN_TRAIN_WEEKS} to forecast the "
            "first of them from)", file=history.source)
    return [last_end - timedelta(weeks=k) for k in range(n, 0, -1)]


def cut_history(history: HourlyHistory, before: date) -> HourlyHistory:
    """The history up to (not including) Monday ``before`` 00:00."""
    f = history.frame
    keep = pd.to_datetime(f["timestamp"]) < pd.Timestamp(before)
    return replace(history, frame=f[keep].reset_index(drop=True))


def cut_log(log: SessionLog, before: date) -> SessionLog:
    """The session log up to Monday ``before`` 00:00."""
    f = log.frame
    return replace(log, frame=f[f["start"] < pd.Timestamp(before)].reset_index(drop=True))


def real_arrivals(history: HourlyHistory, log: SessionLog | None, week: date, seed: int
                  ) -> Arrivals:
    """The week's real arrivals: the log's session starts where it covers the week, otherwise
    each hour's real count drawn uniformly inside the hour (seeded)."""
    t0 = pd.Timestamp(week)
    t1 = t0 + pd.Timedelta(weeks=1)
    if log is not None and len(log.frame) and log.frame["start"].min() <= t0 \
            and log.frame["start"].max() >= t1 - pd.Timedelta(hours=1):
        f = log.frame
        starts = f.loc[(f["start"] >= t0) & (f["start"] < t1), "start"]
        return Arrivals(start=tuple(t.to_pydatetime() for t in starts))
    f = history.frame
    ts = pd.to_datetime(f["timestamp"])
    week_rows = f[(ts >= t0) & (ts < t1)]
    rng = np.random.default_rng(seed)
    out: list[datetime] = []
    for stamp, count in zip(pd.to_datetime(week_rows["timestamp"]), week_rows["sessions"],
                            strict=True):
        offsets = np.sort(rng.uniform(0, 3600, int(count)))
        out += [stamp.to_pydatetime() + timedelta(seconds=float(s)) for s in offsets]
    return Arrivals(start=tuple(out))


def kept_promises(sessions: np.ndarray, rates: np.ndarray, service: ServiceTarget
                  ) -> dict[str, float]:
    """Which promises a real week kept: ``sessions`` its hourly real counts from Monday 00:00,
    ``rates`` the 3-minute rate each hour got. Judged as a plan's chances are
    (``risk.promise_chances``, ``seen``): busy hours (>= ``risk.BUSY_SESSIONS`` sessions) and
    those below target, ``kept_per_hour`` (at least ``service.per_hour_share`` of busy hours at
    target), ``kept_daily`` (every day's rate), ``kept_weekly`` (the week's), ``days_kept``."""
    def judge(hours: slice) -> PromiseChances:
        return promise_chances(sessions[None, hours], rates[None, hours], service.target,
                               per_hour_share=service.per_hour_share, seen=True)
    week = judge(slice(None))
    days = sum(judge(slice(d, d + 24)).daily for d in range(0, len(sessions), 24))
    busy, below = week.below.judged, round(week.below.expected)
    return {"busy_hours": busy, "busy_hours_at_target": busy - below,
            "share_at_target": (busy - below) / busy if busy else 1.0, "seen_below": below,
            "kept_per_hour": week.per_hour == 1.0, "kept_daily": week.daily == 1.0,
            "kept_weekly": week.weekly == 1.0, "days_kept": int(days)}


def replay(plan: PlanResult, arrivals: Arrivals, *, seed: int, replays: int = REPLAYS
           ) -> dict[str, float]:
    """Play the real week against the plan's roster ``replays`` times (the same arrivals):
    pooled weekly and worst daily 3-minute rate, real sessions, and the promises kept
    (:func:`kept_promises` on each hour's pooled rate)."""
    hours = np.sum([simulate_roster(plan.roster.roster, arrivals, plan.chat, seed=seed + k)
                    .hourly_frame()[["sessions", "replied_3min"]].to_numpy(dtype=float)
                    for k in range(replays)], axis=0)
    real = hours[:, 0] / replays
    days = hours.reshape(-1, 24, 2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(hours[:, 0] > 0, hours[:, 1] / hours[:, 0], 1.0)
        daily = np.where(days[:, 0] > 0, days[:, 1] / days[:, 0], 1.0)
    weekly = float(hours[:, 1].sum() / hours[:, 0].sum()) if hours[:, 0].sum() else 1.0
    return {"weekly_three_min_rate": weekly, "min_daily_three_min_rate": float(daily.min()),
            "real_sessions": float(real.sum()),
            **kept_promises(real, rate, plan.params.service)}


def expected_seconds(weeks: int, params: PlanParams, *, point: bool = True) -> float:
    """What :func:`backtest_plans` of ``weeks`` weeks takes on 2 cores (measured, see
    ``PLAN_SECONDS_PER_LIMIT_SECOND``): each week's plans at ``params.time_limit_seconds`` (two
    when ``point`` and the chance asked is not 0) and their replays."""
    plans = 2 if point and params.service.level > 0 else 1
    plan = params.time_limit_seconds * PLAN_SECONDS_PER_LIMIT_SECOND + PLAN_EXTRA_SECONDS
    return weeks * plans * (plan + REPLAYS * REPLAY_SECONDS)


def backtest_plans(history: HourlyHistory, agents: Sequence[Agent], *, weeks: int,
                   params: PlanParams, sessions: SessionLog | None = None,
                   point: bool = True, explicit: Sequence[str] = (),
                   only: Sequence[date] | None = None,
                   progress: Callable[[int, int, str], None] | None = None,
                   keep: Callable[[date, str, PlanResult], None] | None = None
                   ) -> BacktestReport:
    """Plan and replay each of the history's last ``weeks`` weeks (see the module docstring):
    one row per week and plan (``margin``: at the chance asked, ``params.service.level``;
    ``point``: at the point forecast, when ``point`` and the chance is not already 0).
    ``only``: judge just these of the last ``weeks`` weeks. ``progress(done, total, what)`` is
    called before each plan; ``keep(week, plan, result)`` after each (to store its roster)."""
    targets = [w for w in judged_weeks(history, weeks) if only is None or w in only]
    plans = [("margin", params)]
    if point and params.service.level > 0:
        plans.append(("point", replace(params, service=replace(params.service, chance=0.0))))
    total = len(targets) * len(plans)
    rows = []
    done = 0
    for week in targets:
        past = cut_history(history, week)
        log = cut_log(sessions, week) if sessions is not None else None
        arrivals = real_arrivals(history, sessions, week, params.seed)
        for name, p in plans:
            if progress is not None:
                progress(done, total, f"week of {week}: {name} plan")
            result = run_plan(past, agents, week_start=week, params=p, sessions=log,
                              explicit=explicit, handle_given="handle_seconds" in explicit,
                              explain=False)
            seen = replay(result, arrivals, seed=p.seed)
            if keep is not None:
                keep(week, name, result)
            s = result.summary
            rows.append({"week_start": week, "plan": name, "chance_asked": p.service.level,
                         "agent_hours": s.agent_hours,
                         "expected_below": float(s.chance["expected_hours_below_target"]),
                         "forecast_sessions": s.forecast_sessions, **seen,
                         **{column("chance", m): float(s.chance.get(m, np.nan)) for m in Mode}})
            done += 1
    if progress is not None:
        progress(done, total, "done")
    return BacktestReport(pd.DataFrame(rows, columns=list(COLUMNS)), params.service.target,
                          history.source or "", params.service.per_hour_share)
