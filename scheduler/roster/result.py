"""Typed results of the roster stage."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scheduler.domain import Roster
from scheduler.roster.objective import ObjectiveTerms


@dataclass(frozen=True)
class SolveProgress:
    """One progress report of a solve: a new incumbent or a stage boundary.

    ``stage`` is 'A' (aggregate shifts), 'B' (named assignment), 'LP' (relaxation bound),
    'what-if' (diagnosis re-solves) or 'fallback'. Objective and bound are in objective points
    (see ``scheduler.roster.objective``); ``seconds`` is wall time since ``plan_roster`` began.
    """

    stage: str
    objective: float
    bound: float
    seconds: float


@dataclass(frozen=True)
class Violation:
    """A rule a plan breaks, found by the plain-Python validator.

    ``kind``: 'hard' (a labour rule or a contract broken: must not happen in a returned plan),
    'coverage' (demand not covered: expected where agents run out, also listed in the
    diagnosis) or 'soft' (a preference missed, e.g. fewer hours than ``min_hours_week``).
    """

    rule: str
    message: str
    kind: str = "hard"
    agent_id: str = ""
    interval: int = -1


@dataclass(frozen=True)
class RosterResult:
    """A roster and everything needed to judge it.

    - ``status``: 'OPTIMAL' (proved optimal for the named problem), 'FEASIBLE' (a plan within
      the time limit; see ``gap``) or 'FALLBACK' (the solver found nothing in time: a greedy
      plan, not optimised).
    - ``objective``: the plan's objective in points, as recomputed by the validator.
    - ``bound``: the best proven lower bound of the named problem (max of stage A's CP-SAT
      bound and the LP relaxation bound); ``gap = (objective - bound) / objective``.
    - ``coverage``: one row per interval: ``interval_start``, ``sessions``,
      ``required_agents`` (at the highest cap on duty; the cheapest level when nobody is),
      ``scheduled_agents``, ``supplied_capacity`` (solo-chat units), ``required_capacity``,
      ``cap`` (highest cap on duty, 0 if nobody), ``shortfall_capacity`` (solo units),
      ``shortfall_agents`` (agents at that cap that would close it), ``expected_replies``
      (weekly mode: expected 3-minute replies; NaN in per-hour mode).
    - ``shortfall_intervals``: indices of the intervals with a shortfall.
    - ``diagnosis``: human sentences: what is short, why, and the cheapest fixes found.
    - ``violations``: everything the validator found (no 'hard' ones in a returned plan unless a
      bug; they are reported, not hidden).
    - ``stage_a_value`` / ``stage_a_bound``: the aggregate model's objective and CP-SAT bound;
      ``lp_bound``: the continuous relaxation's value (a bound of both stages).
    - ``rules``: readable names of the rules the plan was built and checked with.
    """

    roster: Roster
    status: str
    objective: float
    bound: float
    gap: float
    solve_seconds: float
    agent_hours: float
    coverage: pd.DataFrame
    shortfall_intervals: tuple[int, ...]
    diagnosis: tuple[str, ...]
    violations: tuple[Violation, ...]
    stage_a_value: float
    stage_a_bound: float
    lp_bound: float
    rules: tuple[str, ...]
    messages: tuple[str, ...] = ()
    """Solver notes (time-outs, fallbacks, stage statuses)."""
    objective_terms: ObjectiveTerms | None = None
    """The validator's objective split by tier."""

    @property
    def hard_violations(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.kind == "hard")

    @property
    def efficiency(self) -> float:
        """Required agent-hours over scheduled agent-hours (schedule efficiency, 0..1)."""
        if self.agent_hours <= 0:
            return 0.0
        df = self.coverage
        if df.empty:
            return 0.0
        minutes = (
            (df["interval_start"].iloc[1] - df["interval_start"].iloc[0]).total_seconds() / 60
            if len(df) > 1
            else 60.0
        )
        needed = float(df["required_agents"].clip(lower=0).sum()) * minutes / 60
        return needed / self.agent_hours
