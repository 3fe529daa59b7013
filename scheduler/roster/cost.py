"""A plan and what it costs, in the manager's units (no ortools here).

A ``Plan`` is a sorted tuple of (agent, shift type, cap level) assignments. ``Cost`` compares
lexicographically: short intervals, how short they are, the weekly gap (weekly mode), paid
minutes, cap-level intervals (lower caps reply faster), then the soft terms (fairness spread of
nights and weekends, minutes below ``min_hours_week``). The CP-SAT models weigh the same terms
with ``WEIGHTS`` so that each tier outweighs everything below it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from scheduler.roster.problem import SCALE, SLACK, Plan, RosterProblem
from scheduler.roster.rules import RuleViolationError, validate


class Weights(NamedTuple):
    minute: int
    unit: int
    interval: int
    soft: int = 1


def weights(p: RosterProblem) -> Weights:
    """A missing cover unit costs more than any one shift; a short interval more than all its
    units; a paid minute more than any soft term's change one shift can make."""
    w_min = 10
    unit = w_min * 1440 + 1
    return Weights(minute=w_min, unit=unit, interval=unit * SCALE)


class Cost(NamedTuple):
    """Lexicographic: compare with ``<``."""

    short_intervals: int
    short_units: int
    weekly_gap: int
    """Hundredths of a session missing from the weekly 3-minute target (weekly mode)."""
    paid_minutes: int
    cap_intervals: int
    soft: int

    @property
    def agent_hours(self) -> float:
        return self.paid_minutes / 60

    def points(self, w: Weights) -> int:
        """The CP-SAT models' objective for this cost (internal; managers read the fields)."""
        return (w.interval * self.short_intervals + w.unit * (self.short_units + self.weekly_gap)
                + w.minute * self.paid_minutes + w.soft * self.soft)


def on_duty(p: RosterProblem, plan: Plan) -> np.ndarray:
    """(T, L) agents on duty per interval and cap level."""
    out = np.zeros((p.intervals, len(p.caps)), dtype=np.int64)
    for _a, s, lv in plan:
        out[list(p.types[s].duty), lv] += 1
    return out


def cover_sum(p: RosterProblem, plan: Plan) -> np.ndarray:
    """(T,) cover units on duty (SCALE = the interval's requirement met), with the shifts
    outside the plan (``p.carried``)."""
    own = (on_duty(p, plan) * p.cover).sum(axis=1)
    return own if p.carried is None else own + p.carried


def shortfall(p: RosterProblem, cover: np.ndarray) -> np.ndarray:
    """(T,) cover units missing (0 where covered or no demand). The one definition."""
    return np.where(p.demand, np.maximum(0, SCALE - SLACK - cover), 0)


def replies_centi(p: RosterProblem, cover: np.ndarray) -> np.ndarray:
    """Weekly and daily modes: (T,) expected replies within the deadline, hundredths of a
    session."""
    assert p.envelope is not None
    out = np.zeros(p.intervals, dtype=np.int64)
    for t, lines in enumerate(p.envelope.lines):
        if lines and cover[t] > 0:
            out[t] = max(0, min(a * int(cover[t]) + b for a, b in lines) // SCALE)
    return out


def soft_terms(p: RosterProblem, plan: Plan) -> int:
    """The soft rules' penalties (fairness spread, minutes below ``min_hours_week``)."""
    return sum(r.penalty(p, plan) for r in p.constraints if r.in_force(p))


def score(p: RosterProblem, plan: Plan) -> Cost:
    """The cost of a plan, without checking its rules (the search's fast path)."""
    cover = cover_sum(p, plan)
    short = shortfall(p, cover)
    gap = 0
    if p.envelope is not None:
        gap = p.envelope.gap(replies_centi(p, cover))
    counts = on_duty(p, plan)
    return Cost(
        short_intervals=int((short > 0).sum()),
        short_units=int(short.sum()),
        weekly_gap=gap,
        paid_minutes=sum(p.types[s].paid_minutes for _a, s, _lv in plan),
        cap_intervals=int((counts * np.arange(len(p.caps))[None, :]).sum()),
        soft=soft_terms(p, plan),
    )


def evaluate(p: RosterProblem, plan: Plan) -> Cost:
    """The cost of a plan; raises ``RuleViolationError`` if it breaks a hard rule."""
    hard = [v for v in validate(p, p.roster(plan)) if v.kind == "hard"]
    if hard:
        raise RuleViolationError(hard)
    return score(p, plan)
