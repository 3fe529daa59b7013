"""Where the margin goes: the fewest agent-hours whose team keeps a promise in at least ``c`` of
the scenario weeks.

A plan at the point forecast keeps the per-hour promise in a few weeks of a hundred; sizing
every hour at one quantile of its count keeps it at a price paid everywhere alike. Here the
margin is bought one agent-hour at a time where it buys the most of the promise on scenario
weeks (``scenarios.scenario_weeks``), seeded apart from the weeks the plan's chance is reported
on:

1. Each hour's team is ``n`` agents at one reception cap; its 3-minute rate at ``x`` sessions
   is the queueing model's (``TeamCurves``, tabulated once on a grid of counts).
2. Start from the team that keeps the hourly floor at the forecast (``ServiceTarget
   .hourly_floor``; a quiet hour is never left to starve).
3. The scenario weeks the promise can be kept in most cheaply (the ``c`` share with the
   smallest shortfall) are the ones to keep; each step adds an agent to the hour that shrinks
   their shortfall most: per-hour, the busy hours expected to miss; daily, the sessions each
   short day lacks at the target; weekly, those the week lacks. Hours whose misses only
   happen in weeks that are lost anyway get nothing: a per-hour promise lets its
   cheapest-to-lose hours go, a daily one buys the hours whose misses sink a day.
4. Stop when the promise holds in ``c`` of the weeks. Every step is recorded (``MarginPath``):
   the team at each chance, so the price of every level is read off the same path.

Deterministic: the same forecast, scenarios and seed give the same path (ties go to the
earliest hour).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduler.params import ChatModel, Mode, ServiceTarget
from scheduler.risk import allowed_misses, at_most, day_lack, hour_misses
from scheduler.staffing import HARD_MAX_AGENTS, homogeneous_service_curve

BATCH_SHARE = 0.004
"""Agents added a step, as a share of the team (at least one): a few at a time on a big team
(the same plans on the bank's weeks as one at a time, in a third of the time), one at a time
on a small one, where a whole step's worth can overshoot the chance asked."""

GRID_POINTS = 96
"""Counts at which a team's rate is tabulated (geometric from 1 to the most any hour sees)."""



@dataclass(frozen=True)
class TeamCurves:
    """The 3-minute rate of ``n`` agents at ``cap`` (``rates[n, g]``) at each of an hour's
    session counts ``counts[g]``; in between, linear."""

    cap: int
    counts: np.ndarray
    rates: np.ndarray

    @property
    def max_team(self) -> int:
        return int(self.rates.shape[0]) - 1

    def at(self, n: np.ndarray, sessions: np.ndarray) -> np.ndarray:
        """``(S, H)`` rates of teams ``n`` (``(H,)`` agents per hour) at counts ``sessions``."""
        x = np.clip(np.asarray(sessions, dtype=float), 0.0, self.counts[-1])
        i = np.clip(np.searchsorted(self.counts, x, side="right") - 1, 0, self.counts.size - 2)
        lo, hi = self.counts[i], self.counts[i + 1]
        w = (x - lo) / (hi - lo)
        k = np.broadcast_to(np.minimum(n, self.max_team), x.shape)
        return self.rates[k, i] * (1 - w) + self.rates[k, i + 1] * w

    def holds(self, n: int, target: float) -> float:
        """The most sessions ``n`` agents take in an hour at ``target`` (0 for no agents)."""
        if n <= 0:
            return 0.0
        r = self.rates[min(n, self.max_team)]
        ok = np.nonzero(r >= target)[0]
        if ok.size == 0:
            return 0.0
        g = int(ok.max())
        if g + 1 >= self.counts.size:
            return float(self.counts[-1])
        lo, hi = r[g], r[g + 1]
        return float(self.counts[g] + (self.counts[g + 1] - self.counts[g])
                     * (lo - target) / (lo - hi))

    def sized(self, team: np.ndarray, target: float) -> np.ndarray:
        """Per hour: the count a staffing table is sized for so that it asks for ``team[h]``
        agents at this cap: just under the most they hold at ``target`` (half a session, or
        halfway to what one agent fewer holds). A table sized lower would let a team of other
        caps that holds less pass for the same (0 for no agents)."""
        most = np.array([self.holds(k, target) for k in range(self.max_team + 1)])
        n = np.minimum(np.asarray(team, dtype=np.int64), self.max_team)
        top, below = most[n], most[np.maximum(n - 1, 0)]
        return np.where(n > 0, np.maximum(top - 0.5, (top + below) / 2), 0.0)

    def fewest(self, sessions: np.ndarray, target: float) -> np.ndarray:
        """Per hour: the fewest agents whose rate at ``sessions[h]`` meets ``target``."""
        r = self.at(np.arange(self.max_team + 1)[:, None],
                    np.broadcast_to(np.asarray(sessions, float), (self.max_team + 1,
                                                                  len(sessions))))
        ok = r >= target - 1e-12
        return np.where(ok.any(axis=0), ok.argmax(axis=0), self.max_team)


def team_curves(chat: ChatModel, cap: int, most: float, target: float) -> TeamCurves:
    """Tabulate ``n`` agents at ``cap`` up to the team that keeps ``target`` at ``most``
    sessions an hour (and a few more), at ``GRID_POINTS`` counts up to ``most``."""
    top = max(2.0, float(most))
    counts = np.unique(np.concatenate(([0.0], np.round(np.geomspace(1.0, top, GRID_POINTS),
                                                       1))))
    big = homogeneous_service_curve(top, cap, chat, max_agents=HARD_MAX_AGENTS)
    enough = np.nonzero(big >= target)[0]
    n_max = int(min(HARD_MAX_AGENTS, (enough[0] if enough.size else HARD_MAX_AGENTS) + 3))
    rates = np.column_stack([homogeneous_service_curve(float(x), cap, chat, max_agents=n_max)
                             for x in counts])
    return TeamCurves(cap, counts, np.maximum.accumulate(rates, axis=0))


@dataclass(frozen=True)
class MarginPath:
    """The teams the margin search went through: ``teams[j]`` (agents per hour of the week at
    ``curves.cap``) keeps the promise in ``chances[j]`` of the scenario weeks; ``teams[0]`` is
    the start (the hourly floor at the forecast)."""

    curves: TeamCurves
    teams: tuple[np.ndarray, ...]
    chances: tuple[float, ...]

    def team_for(self, chance: float) -> np.ndarray:
        """The first team on the path that keeps the promise in ``chance`` of the weeks (the
        last one when none does)."""
        j = next((j for j, c in enumerate(self.chances) if c >= chance - 1e-12),
                 len(self.chances) - 1)
        return self.teams[j]


def margin_path(forecast_sessions: np.ndarray, scenarios: np.ndarray, curves: TeamCurves,
                service: ServiceTarget, *, chance: float, start: np.ndarray | None = None,
                max_steps: int = 5_000) -> MarginPath:
    """Add agents hour by hour (the module docstring) until the promise of ``service.mode``
    holds in ``chance`` of ``scenarios`` (``(S, 168)`` hourly counts); ``BATCH_SHARE`` of the
    team (at least one agent) a step, each to the next best hour. ``start``: the team to start
    from (default: the hourly floor at ``forecast_sessions``)."""
    x = np.asarray(scenarios, dtype=float)
    s_count = x.shape[0]
    mode = Mode(service.mode)
    target = service.target
    n = (curves.fewest(np.asarray(forecast_sessions, float), service.hourly_floor)
         if start is None else np.asarray(start, dtype=np.int64).copy())
    n = np.minimum(n.astype(np.int64), curves.max_team)
    r = curves.at(n, x)
    r1 = curves.at(np.minimum(n + 1, curves.max_team), x)
    keep = int(np.ceil(chance * s_count - 1e-9))
    days = np.arange(x.shape[1]) // 24
    allowed = allowed_misses(x, service.per_hour_share)
    q, q1 = hour_misses(x, r, target), hour_misses(x, r1, target)

    def kept() -> np.ndarray:
        """Per scenario week: the chance the promise holds (per-hour) or whether it does."""
        if mode == Mode.PER_HOUR:
            return at_most(q, allowed)
        lack = day_lack(x, r, target)
        return ((lack <= 0).all(axis=1) if mode == Mode.DAILY else lack.sum(axis=1) <= 0
                ).astype(float)

    teams, chances = [n.copy()], [float(kept().mean())]
    for _ in range(max_steps):
        if chances[-1] >= chance - 1e-12:
            break
        if mode == Mode.PER_HOUR:
            chosen = np.argsort(q.sum(axis=1) - allowed, kind="stable")[:keep]
            gain = (q - q1)[chosen].sum(axis=0)
        else:
            lack = np.maximum(0.0, day_lack(x, r, target))
            if mode == Mode.WEEKLY:
                lack = np.repeat(lack.sum(axis=1, keepdims=True), lack.shape[1], axis=1)
            chosen = np.argsort(lack.sum(axis=1), kind="stable")[:keep]
            gain = np.minimum((x * (r1 - r))[chosen], lack[chosen][:, days]).sum(axis=0)
        gain = np.where(n < curves.max_team, gain, 0.0)
        batch = max(1, int(BATCH_SHARE * n.sum()))
        best = [int(h) for h in np.argsort(-gain, kind="stable")[:batch] if gain[h] > 1e-12]
        if not best:
            break
        for h in best:
            n[h] += 1
            r[:, h], q[:, h] = r1[:, h], q1[:, h]
            r1[:, h] = curves.at(np.minimum(n[h:h + 1] + 1, curves.max_team), x[:, h:h + 1])[:, 0]
            q1[:, h] = hour_misses(x[:, h:h + 1], r1[:, h:h + 1], target)[:, 0]
        teams.append(n.copy())
        chances.append(float(kept().mean()))
    return MarginPath(curves, tuple(teams), tuple(chances))
