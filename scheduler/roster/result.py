"""What a roster solve returns, in the manager's units."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from scheduler.domain import Roster
from scheduler.roster.cost import Cost, Plan, cover_sum, on_duty, shortfall, weights
from scheduler.roster.diagnose import Finding, diagnose
from scheduler.roster.problem import SCALE, RosterProblem
from scheduler.roster.rules import Violation, rule_statements, validate


@dataclass(frozen=True)
class RuleCost:
    """What one labour rule costs this week: the agent-hours of a re-plan from this plan under
    the rules minus those of the same re-plan without the rule (0 when the difference is not
    positive), and the intervals below the margin the re-plan without it leaves and the one
    under the rules leaves (``short_intervals_with``; None when not recorded)."""

    rule: str
    statement: str
    hours: float
    short_intervals_without: int
    short_intervals_with: int | None = None

    @property
    def text(self) -> str:
        return f"{self.statement}: +{self.hours:.1f} h"


@dataclass(frozen=True, eq=False)
class RosterResult:
    """A plan found for a problem: the plan, its cost, the bound, what the search took. The
    rest is worked out from them when asked (once):

    - ``roster``: the dated shifts (``RosterProblem.roster``);
    - ``coverage``: per interval (``coverage_frame``): ``interval_start``, ``sessions``,
      ``required_agents`` (agents at the highest cap on duty that meet the target alone),
      ``scheduled_agents``, ``cap`` (highest cap on duty, 0 if nobody), ``cover_ratio`` (sum
      over the agents on duty of 1 / agents needed at their cap; >= 1 meets the target),
      ``shortfall_agents`` (agents at that cap that would close the gap);
    - ``short_intervals``, ``cap_mix`` (agent-hours on duty at each cap), ``violations`` (soft
      ones: a hard one raises), ``rules`` (the statements in force), ``diagnosis``
      (``diagnose``: why intervals are below the margin and what would fix it, worst first).

    ``bound_hours``: a proven lower bound on the paid agent-hours of any roster that leaves no
    interval short under the rules the aggregate model states (the LP relaxation of shift
    counts per cap class; None when even that cannot cover every interval, or not asked for).
    ``status``: 'OPTIMAL' (proved for the named problem) or 'FEASIBLE'. ``work``: CP-SAT
    deterministic seconds used.
    """

    problem: RosterProblem
    plan: Plan
    cost: Cost
    status: str
    bound_hours: float | None
    solve_seconds: float = 0.0
    work: float = 0.0
    messages: tuple[str, ...] = ()

    @cached_property
    def roster(self) -> Roster:
        return self.problem.roster(self.plan)

    @cached_property
    def coverage(self) -> pd.DataFrame:
        return coverage_frame(self.problem, self.plan)

    @property
    def short_intervals(self) -> tuple[int, ...]:
        if not self.cost.short_intervals:
            return ()
        return tuple(int(t) for t, c in enumerate(self.coverage["shortfall_agents"])
                     if c > 0 and self.problem.demand[t])

    @property
    def cap_mix(self) -> dict[int, float]:
        p = self.problem
        hours = on_duty(p, self.plan).sum(axis=0) * p.interval_minutes / 60
        return {int(c): float(h) for c, h in zip(p.caps, hours, strict=True) if h > 0}

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(v for v in validate(self.problem, self.roster) if v.kind == "soft")

    @property
    def rules(self) -> tuple[str, ...]:
        return rule_statements(self.problem)

    @cached_property
    def diagnosis(self) -> tuple[Finding, ...]:
        return diagnose(self.problem, self.plan, relaxation_covers=self.bound_hours is not None)

    @property
    def objective_points(self) -> int:
        return self.cost.points(weights(self.problem))

    @property
    def agent_hours(self) -> float:
        """Paid hours (breaks excluded) of the shifts in the horizon."""
        return self.cost.agent_hours

    @property
    def gap(self) -> float | None:
        """``(agent_hours - bound_hours) / agent_hours``; None when intervals are short or the
        period targets missed (the plan is then not comparable with a bound that covers
        everything), or with no bound or no shifts."""
        hours, bound = self.agent_hours, self.bound_hours
        if self.cost.short_intervals or self.cost.weekly_gap or bound is None or hours <= 0:
            return None
        return max(0.0, (hours - bound) / hours)

    @property
    def efficiency(self) -> float:
        """Agent-hours the requirement asks for (each interval at its cheapest cap) over the
        plan's agent-hours."""
        if self.agent_hours <= 0 or self.coverage.empty:
            return 0.0
        hours = self.coverage["min_agents"].sum() * self.coverage.attrs["interval_hours"]
        return float(hours) / self.agent_hours


def coverage_frame(p: RosterProblem, plan: Plan) -> pd.DataFrame:
    counts = on_duty(p, plan)
    cover = cover_sum(p, plan)
    on = counts > 0
    top = np.where(on.any(axis=1), on.shape[1] - 1 - np.argmax(on[:, ::-1], axis=1), -1)
    finite = np.where(np.isfinite(p.need), p.need, np.nan)
    cheapest = np.nan_to_num(_nanmin(finite), nan=0.0)
    at_top = np.where(top >= 0, finite[np.arange(p.intervals), np.maximum(top, 0)], cheapest)
    at_top = np.nan_to_num(at_top, nan=0.0)
    missing = shortfall(p, cover) / SCALE
    frame = pd.DataFrame({
        "interval_start": pd.to_datetime([p.at(t) for t in range(p.intervals)]),
        "sessions": p.sessions,
        "required_agents": np.ceil(at_top - 1e-9).astype(np.int64),
        "min_agents": cheapest,
        "scheduled_agents": counts.sum(axis=1),
        "cap": np.where(top >= 0, np.asarray(p.caps)[np.maximum(top, 0)], 0),
        "cover_ratio": np.where(p.demand, cover / SCALE, np.nan),
        "shortfall_agents": np.ceil(missing * np.where(at_top > 0, at_top, 1) - 1e-9
                                    ).astype(np.int64),
    })
    frame.attrs["interval_hours"] = p.interval_minutes / 60
    return frame


def _nanmin(a: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        masked = np.where(a > 0, a, np.inf)
        out = masked.min(axis=1)
    return np.where(np.isfinite(out), out, np.nan)
