"""The price of each level: the agent-hours a plan keeping the promise (of the plan's mode) in
50, 80, 90, 95 and 99% of the weeks costs, and the chance the point plan (no margin) keeps.

**The estimate** (``estimate``) is read off the margin search (``margin.margin_path``) run up to
the top level on the tuning weeks: at each level, the team the search reached there (agents on
duty in each hour of the week, at one reception cap), summed over the week's hours. Before a
plan that sum is the estimate of the agent-hours (on the bundled sample, plans at 90% came
within 3% below to 4% above it: whole shifts add hours where the need is ragged, mixed caps take
some away). It takes about a second on the sample, no roster search.

**After a plan** (``Frontier.anchored``) every sum is scaled by the plan's own agent-hours over
the sum at the chance its roster is reported to keep: the line runs through the plan, whose row
is its real agent-hours and chance (``estimated`` False); the other rows are estimates. (No
level is re-planned: a short re-plan per level would cost a roster search each.)

**The point plan** is staffed for the forecast alone: per-hour, each hour's team keeps the
target at its forecast count; daily and weekly, the margin search with the forecast as its one
week (the day, or the week, keeps the target at the forecast). Its chance is the promise's over
the tuning weeks. When the plan itself is the point plan (chance 0), its
row is the plan's.

Deterministic: the same forecast, weeks and seed give the same prices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduler.margin import MarginPath, TeamCurves, margin_path
from scheduler.params import Mode, ServiceTarget

LEVELS = (0.5, 0.8, 0.9, 0.95, 0.99)
"""The chances the price is shown at (the margin search runs up to the last)."""


@dataclass(frozen=True)
class Price:
    """One level: the ``chance`` the promise holds, the ``agent_hours`` it costs; ``estimated``
    unless they are a planned roster's own; ``point``: the plan staffed for the forecast alone
    (no margin)."""

    chance: float
    agent_hours: float
    estimated: bool = True
    point: bool = False


@dataclass(frozen=True)
class Frontier:
    """The margin search up to the top level (``path``) and the point plan's team and chance:
    what the prices are read from (``prices``, ``anchored``)."""

    path: MarginPath
    point_team: np.ndarray
    point_chance: float

    def hours_at(self, chance: float) -> float:
        """Agent-hours on duty of the search's team at ``chance`` (summed over the week)."""
        return float(self.path.team_for(chance).sum())

    def prices(self) -> tuple[Price, ...]:
        """Before a plan: the point plan, then each of ``LEVELS``, all estimates."""
        return (Price(self.point_chance, float(self.point_team.sum()), point=True),
                *(Price(c, self.hours_at(c)) for c in LEVELS))

    def anchored(self, *, agent_hours: float, chance: float, point: bool = False
                 ) -> tuple[Price, ...]:
        """After a plan of ``agent_hours`` whose roster keeps the promise with ``chance``
        (``point``: the plan is the point plan): its row, and the estimates scaled to run
        through it; a level at the plan's chance (the same whole percent) is the plan's row.
        The point plan first, then by chance."""
        base = self.hours_at(chance)
        scale = agent_hours / base if base > 0 else 1.0
        plan = Price(chance, agent_hours, estimated=False, point=point)
        first = plan if point else Price(
            self.point_chance, round(scale * float(self.point_team.sum()), 2), point=True)
        rows = [Price(c, round(scale * self.hours_at(c), 2)) for c in LEVELS
                if round(100 * c) != round(100 * chance)]
        if not point:
            rows.append(plan)
        return (first, *sorted(rows, key=lambda p: p.chance))


def estimate(path: MarginPath, forecast_sessions: np.ndarray, weeks: np.ndarray,
             service: ServiceTarget) -> Frontier:
    """The prices of ``path`` (the margin search of ``service``'s promise on the tuning
    ``weeks``, ``(S, 168)``, up to ``LEVELS[-1]``) and the point plan of ``forecast_sessions``
    (the module docstring)."""
    sessions = np.asarray(forecast_sessions, dtype=float)
    point = point_team(sessions, path.curves, service)
    return Frontier(path, point, team_chance(point, sessions, weeks, path.curves, service))


def point_team(forecast_sessions: np.ndarray, curves: TeamCurves, service: ServiceTarget
               ) -> np.ndarray:
    """The team staffed for the forecast alone (the module docstring)."""
    if Mode(service.mode) == Mode.PER_HOUR:
        return curves.fewest(forecast_sessions, service.target)
    return margin_path(forecast_sessions, forecast_sessions[None, :], curves, service,
                       chance=1.0).teams[-1]


def team_chance(team: np.ndarray, forecast_sessions: np.ndarray, weeks: np.ndarray,
                curves: TeamCurves, service: ServiceTarget) -> float:
    """The chance ``team`` keeps the promise over ``weeks`` (a margin search that stops where
    it starts: its first team's chance)."""
    return margin_path(forecast_sessions, weeks, curves, service, chance=0.0,
                       start=team).chances[0]
