"""The coverage constraint, shared by stage A (shift counts) and stage B (named shifts).

Per interval t, with ``n[t, l]`` agents on duty at cap level l and ``S_t = sum_l units[l] *
n[t, l]`` the capacity on duty (tenths of solo-chat units):

- ``u[t, l]`` (Boolean) is true exactly when some agent at level >= l is on duty:
  ``sum_{l' >= l} n[t, l'] == 0`` if not ``u[t, l]``, ``>= 1`` if ``u[t, l]`` (only_enforce_if,
  no big-M), and ``u[t, l+1] => u[t, l]``.
- The highest level on duty is l exactly when ``u[t, l] and not u[t, l+1]``; then
  ``S_t + short_t >= req_units[t, l]`` (the requirement at the highest cap on duty: every agent
  is assumed to run at that cap's reply latency, the conservative reading of the staffing table).
  When nobody is on duty, ``short_t >= base_units[t]`` (the cheapest level's requirement).
- Levels the staffing table rules out in t are fixed to ``n[t, l] = 0``.
- Weekly mode adds ``R_t`` (expected 3-minute replies, hundredths of a session), bounded by the
  integer upper concave envelope of the highest level on duty, and ``sum_t R_t + gap >= target
  * sessions``; per-interval requirements are then the hourly floor's.

This is the formulation recommended in the design brief with one change: the brief's
``z[t, k] => S_t >= required[t, k] * capacity(k)`` for *every* level up to the highest
enforces the maximum requirement over those levels, which over-staffs whenever a high cap needs
fewer solo units than a low one (more slots pool better). Fixing the *highest* level exactly
(the reverse implication ``u => some agent at >= l``) enforces only that level's need, as the
validator checks. Measured (benchmarks/results/roster_summary.md, 60 agents x 1 week, 45 s, 2
workers): stage A 1.07 M vs 5.10 M points, final objective 48.4 M vs 65.9 M, 39 vs 50 short
intervals; neither run had converged, so indicative only. ``FORMULATION = 'brief'`` keeps the
brief's form for that comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.roster.grid import Grid
from scheduler.roster.objective import Envelopes, Weights

LinearTerm = cp_model.LinearExprT
FORMULATION = "exact"
"""'exact' (default): the requirement of the highest level on duty. 'brief': the design brief's
``z[t, k] => S_t >= required[t, k] * capacity(k)`` for every level k up to the highest (kept
for the benchmark comparison). Not a user option."""


@dataclass(frozen=True)
class CoverageVars:
    """Handles the stages read back: shortfall per interval, replies, weekly gap."""

    short: dict[int, cp_model.IntVar]
    replies: dict[int, cp_model.IntVar]
    weekly_gap: cp_model.IntVar | None
    penalty: list[tuple[LinearTerm, int]]
    """(expression, weight) terms of the shortfall tier and the cap-quality tier."""


def on_duty_counts(
    model: cp_model.CpModel,
    grid: Grid,
    plus: Sequence[Sequence[Sequence[LinearTerm]]],
    minus: Sequence[Sequence[Sequence[LinearTerm]]],
    headcount: Sequence[Sequence[int]],
    prefix: str,
) -> list[list[cp_model.IntVar | int]]:
    """``n[t][l]`` for ``add_coverage``: agents on duty at level l in interval t, an IntVar
    equal to the shifts spanning t (``plus[t][l]``) minus those on break in t
    (``minus[t][l]``), at most ``headcount[t][l]``; the constant 0 where no shift spans t.
    Shared by stage A, stage B and the direct model."""
    n: list[list[cp_model.IntVar | int]] = []
    for t in range(grid.intervals):
        row: list[cp_model.IntVar | int] = []
        for lv in range(len(grid.caps)):
            if plus[t][lv]:
                on = model.new_int_var(
                    0,
                    int(headcount[t][lv]),
                    f"{prefix}on_duty[{grid.label(t)},cap{grid.caps[lv]}]",
                )
                model.add(
                    on
                    == cp_model.LinearExpr.sum(list(plus[t][lv]))
                    - cp_model.LinearExpr.sum(list(minus[t][lv]))
                )
                row.append(on)
            else:
                row.append(0)
        n.append(row)
    return n


def add_coverage(
    model: cp_model.CpModel,
    grid: Grid,
    n: Sequence[Sequence[cp_model.IntVar | int]],
    *,
    weights: Weights,
    envelopes: Envelopes | None,
    headcount: Sequence[Sequence[int]],
    prefix: str,
) -> CoverageVars:
    """Add coverage for every interval. ``n[t][l]`` are IntVars (or constants 0) counting agents
    on duty; ``headcount[t][l]`` bounds agents at level >= l on duty in t (availability)."""
    short: dict[int, cp_model.IntVar] = {}
    replies: dict[int, cp_model.IntVar] = {}
    penalty: list[tuple[LinearTerm, int]] = []
    levels = len(grid.caps)
    for t in range(grid.intervals):
        row = n[t]
        live = [lv for lv in range(levels) if not isinstance(row[lv], int)]
        for lv in range(levels):
            var = row[lv]
            if not isinstance(var, int) and not grid.allowed[t, lv]:
                model.add(var == 0)
        live = [lv for lv in live if grid.allowed[t, lv]]
        # headcount of agents at >= l available in t
        for lv in live:
            upper = [row[x] for x in live if x >= lv]
            model.add(sum(upper) <= headcount[t][lv])
        for lv in live:
            if lv > 0:
                penalty.append((row[lv], weights.cap * lv))
        need = int(grid.req_units[t][live].max()) if live else int(grid.base_units[t])
        if grid.sessions[t] <= 0 or (need <= 0 and envelopes is None):
            continue
        supplied = sum(grid.units[lv] * row[lv] for lv in live)
        hi = max(int(grid.base_units[t]), need, 0)
        sh = model.new_int_var(0, hi, f"{prefix}short[t{t}]")
        short[t] = sh
        penalty.append((sh, int(weights.short[t])))
        r_var: cp_model.IntVar | None = None
        if envelopes is not None:
            cap_r = max(
                (
                    b // envelopes.denom[lv]
                    for lv in live
                    for a, b in envelopes.lines[t][lv]
                    if a == 0
                ),
                default=0,
            )
            r_var = model.new_int_var(0, max(0, cap_r), f"{prefix}replies[t{t}]")
            replies[t] = r_var
        if not live:
            model.add(sh >= int(grid.base_units[t]))
            if r_var is not None:
                model.add(r_var == 0)
            continue
        u = {
            lv: model.new_bool_var(f"{prefix}on_at_or_above[t{t},cap{grid.caps[lv]}]")
            for lv in live
        }
        for i, lv in enumerate(live):
            upper = [row[x] for x in live if x >= lv]
            model.add(sum(upper) == 0).only_enforce_if(~u[lv])
            if FORMULATION == "exact":
                model.add(sum(upper) >= 1).only_enforce_if(u[lv])
            if i + 1 < len(live):
                model.add_implication(u[live[i + 1]], u[lv])
        for i, lv in enumerate(live):
            cond = [u[lv]] + ([~u[live[i + 1]]] if i + 1 < len(live) else [])
            if FORMULATION == "brief":
                cond = [u[lv]]
            req = int(grid.req_units[t, lv])
            if req > 0:
                model.add(supplied + sh >= req).only_enforce_if(cond)
            if r_var is not None and envelopes is not None:
                den = envelopes.denom[lv]
                for a, b in envelopes.lines[t][lv]:
                    model.add(den * r_var <= a * supplied + b).only_enforce_if(cond)
        lowest = live[0]
        base = int(grid.base_units[t])
        if base > 0:
            model.add(sh >= base).only_enforce_if(~u[lowest])
            # redundant but linear: whatever the top level, at least the cheapest need is met
            # (gives the LP relaxation the continuous cover bound)
            model.add(supplied + sh >= base)
        if r_var is not None:
            model.add(r_var == 0).only_enforce_if(~u[lowest])
    gap: cp_model.IntVar | None = None
    if envelopes is not None:
        gap = model.new_int_var(0, max(0, envelopes.target_centi), f"{prefix}weekly_gap")
        model.add(sum(replies.values()) + gap >= envelopes.target_centi)
        penalty.append((gap, weights.week))
    return CoverageVars(short=short, replies=replies, weekly_gap=gap, penalty=penalty)
