"""Objective weights and the plain-Python evaluation of coverage and cost (no ortools here).

The solver and the validator both price a plan with the functions below, so the validator's
recomputed objective must equal the solver's (it is checked on every plan).

Objective, in integer points (all terms >= 0), in this order of importance:

1. **Shortfall**, per tenth of a solo-chat unit missing in interval t:
   ``w_short[t] = W_SHORT * (1 + ceil(10 * sessions[t] / base_units[t]))`` — the factor grows with
   the sessions each missing unit affects. ``W_SHORT`` is one point more than the most a single
   shift can cost (longest shift's minutes x ``W_MINUTE`` + its intervals x the largest cap
   penalty), so covering a coverable shortfall always pays: no plan leaves demand uncovered
   where one more shift would cover it. Weekly mode: each hundredth of a session missing from
   the weekly target costs ``W_WEEK = ceil(W_SHORT / 10)`` (one whole session > one shift).
2. **Agent time**: ``W_MINUTE = 10`` per paid minute (breaks are not paid).
3. **Cap quality**: ``W_CAP = 20`` per agent-interval on duty per cap level above the lowest
   usable level. An agent-interval (>= 15 min) costs >= 150 points of time and the largest cap
   penalty of one agent-interval is 7 x 20 = 140 < 150, so at equal cover a shorter roster always
   wins over a lower-cap one, and at equal hours lower caps win.
4. **Fairness and preferences**: ``W_FAIR = 5`` per shift of spread (max - min) of night shifts
   and of weekend shifts among the agents eligible for them, ``W_PREF = 1`` per minute an agent
   works below ``min_hours_week``. These are small against one agent-interval (>= 150), so they
   never buy extra hours. (Stage A has no names, so these terms are 0 there: stage A's optimum
   is a lower bound of stage B's.)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from scheduler.domain import Requirements
from scheduler.roster.grid import Grid

W_MINUTE = 10
W_CAP = 20
W_FAIR = 5
W_PREF = 1
ENVELOPE_SCALE = 100_000
"""Integer scaling of envelope slopes/intercepts (a line 'successes <= a*n + b')."""
REPLY_SCALE = 100
"""Expected replies within the deadline are carried in hundredths of a session."""


@dataclass(frozen=True)
class Weights:
    """The objective's integer weights for one grid (see the module docstring)."""

    short: np.ndarray
    """(T,) points per tenth of a solo unit missing in interval t."""
    week: int
    """Points per hundredth of a session missing from the weekly target (weekly mode)."""
    minute: int = W_MINUTE
    cap: int = W_CAP
    fair: int = W_FAIR
    pref: int = W_PREF


def make_weights(grid: Grid) -> Weights:
    top = (len(grid.caps) - 1) * W_CAP
    one_shift = grid.max_len * grid.interval_minutes * W_MINUTE + grid.max_len * top
    w_short = one_shift + 1
    base = np.maximum(grid.base_units, 1).astype(float)
    factor = 1 + np.ceil(10.0 * grid.sessions / base)
    return Weights(short=(w_short * factor).astype(np.int64), week=math.ceil(w_short / 10))


@dataclass(frozen=True)
class Envelopes:
    """Per (interval, level) upper concave envelope of expected 3-minute replies as a function
    of the supplied capacity S (tenths of solo units), as integer lines: for every line
    ``(a, b)`` of ``lines[t][l]``, ``replies_centi * D <= a * S + b`` with ``D = denom[l]``."""

    lines: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]
    denom: tuple[int, ...]
    target_centi: int
    """ceil(100 * target * total sessions): the weekly goal in hundredths of a session."""


def _upper_hull(xs: list[float], ys: list[float]) -> list[tuple[float, float]]:
    hull: list[tuple[float, float]] = []
    for p in zip(xs, ys, strict=True):
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            # drop hull[-1] if it lies on or below the chord hull[-2] -> p
            if (y2 - y1) * (p[0] - x1) <= (p[1] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(p)
    return hull


def build_envelopes(grid: Grid, requirements: Requirements, target: float) -> Envelopes:
    """Upper concave envelopes of ``service[t, k, :] * sessions[t]`` for every usable level."""
    service = np.asarray(requirements.service, dtype=float)
    n_max = service.shape[2] - 1
    denom = tuple(ENVELOPE_SCALE * u // REPLY_SCALE for u in grid.units)
    lines: list[tuple[tuple[tuple[int, int], ...], ...]] = []
    for t in range(grid.intervals):
        per_level: list[tuple[tuple[int, int], ...]] = []
        s = float(grid.sessions[t])
        for level, k in enumerate(grid.cap_index):
            if s <= 0:
                per_level.append(())
                continue
            ys = [float(v) * s for v in service[t, k, :]]
            ys = list(np.maximum.accumulate(ys))  # non-decreasing by contract; enforce it
            hull = _upper_hull([float(n) for n in range(n_max + 1)], ys)
            units = grid.units[level]
            out: list[tuple[int, int]] = []
            # replies <= a*n + b with n = S / units  ->  D*R <= (E*a/units... ) scaled:
            # R_centi = 100*replies; D = E*units/100 -> D*R_centi = E*units*replies
            #   <= E*a*S + E*b*units
            for (x1, y1), (x2, y2) in itertools.pairwise(hull):
                a = (y2 - y1) / (x2 - x1)
                b = y1 - a * x1
                out.append((math.floor(ENVELOPE_SCALE * a), math.floor(ENVELOPE_SCALE * b * units)))
            out.append((0, math.floor(ENVELOPE_SCALE * ys[-1] * units)))
            per_level.append(tuple(out))
        lines.append(tuple(per_level))
    total = float(grid.sessions.sum())
    return Envelopes(
        lines=tuple(lines),
        denom=denom,
        target_centi=math.ceil(REPLY_SCALE * target * total - 1e-9),
    )


def replies_centi(env: Envelopes, t: int, level: int, supplied: int) -> int:
    """Expected replies within the deadline in interval t, hundredths of a session, when the
    highest cap on duty is ``level`` and ``supplied`` tenths of solo units are on duty."""
    lines = env.lines[t][level]
    if not lines:
        return 0
    best = min(a * supplied + b for a, b in lines)
    return max(0, best // env.denom[level])


@dataclass(frozen=True)
class CoverageEval:
    """Per-interval coverage of a plan. Arrays are (T,)."""

    supplied: np.ndarray
    """Capacity on duty, tenths of solo units."""
    agents: np.ndarray
    top: np.ndarray
    """Highest level on duty (-1: nobody)."""
    required: np.ndarray
    """Requirement at the highest level on duty (the cheapest level when nobody is on duty),
    tenths of solo units."""
    required_agents: np.ndarray
    short: np.ndarray
    """Missing capacity, tenths of solo units."""
    replies: np.ndarray
    """Expected replies within the deadline, hundredths of a session (weekly mode; else 0)."""
    weekly_gap: int
    """Hundredths of a session missing from the weekly target (0 in per-hour mode)."""


def short_units(
    grid: Grid, idx: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(supplied, top, required, short) of intervals ``idx`` whose on-duty counts by level are
    the rows of ``counts``: capacity on duty, the highest level on duty (-1: nobody), the
    requirement at that level (the cheapest level's when nobody is on duty) and what is
    missing, all in tenths of solo units. The one definition of shortfall, shared by the
    validator and the local search (``repair``)."""
    supplied = counts @ np.asarray(grid.units, dtype=np.int64)
    on = counts > 0
    top = np.where(on.any(axis=1), on.shape[1] - 1 - np.argmax(on[:, ::-1], axis=1), -1)
    required = np.where(
        top >= 0, grid.req_units[idx, np.maximum(top, 0)], grid.base_units[idx]
    )
    return supplied, top, required, np.maximum(0, required - supplied)


def evaluate_coverage(grid: Grid, counts: np.ndarray, env: Envelopes | None) -> CoverageEval:
    """Coverage from ``counts[t, l]`` = agents on duty at level l in interval t."""
    t_idx = np.arange(grid.intervals)
    supplied, top, required, short = short_units(grid, t_idx, counts)
    cheapest = np.argmin(np.where(grid.allowed, grid.req_units, np.iinfo(np.int64).max), axis=1)
    req_agents = grid.req_agents[t_idx, np.where(top >= 0, top, cheapest)]
    replies = np.zeros(grid.intervals, dtype=np.int64)
    gap = 0
    if env is not None:
        for t in range(grid.intervals):
            if top[t] >= 0:
                replies[t] = replies_centi(env, t, int(top[t]), int(supplied[t]))
        gap = max(0, env.target_centi - int(replies.sum()))
    return CoverageEval(
        supplied=supplied,
        agents=counts.sum(axis=1),
        top=top,
        required=required,
        required_agents=req_agents,
        short=short,
        replies=replies,
        weekly_gap=gap,
    )


@dataclass(frozen=True)
class ObjectiveTerms:
    """The objective split by tier (points)."""

    shortfall: int
    time: int
    cap: int
    fairness: int

    @property
    def total(self) -> int:
        return self.shortfall + self.time + self.cap + self.fairness


def coverage_cost(
    grid: Grid, weights: Weights, cov: CoverageEval, counts: np.ndarray
) -> tuple[int, int]:
    """(shortfall points, cap-quality points) of a coverage evaluation."""
    short = int((weights.short * cov.short).sum()) + weights.week * cov.weekly_gap
    levels = np.arange(counts.shape[1], dtype=np.int64)
    cap = weights.cap * int((counts * levels[None, :]).sum())
    return short, cap
