"""An independent LP lower bound on agent-hours, solved by HiGHS (``scipy.optimize.linprog``).

Built from the staffing table (``Requirements``), the team and the rules only; it shares no code
with ``scheduler.roster`` (so it checks the planner's reported bound, it does not repeat it).

The aggregate cover LP (a relaxation of every roster the planner may return):

- ``x[s, l] >= 0``: shifts of type s (start every ``start_step_minutes`` over the whole horizon,
  each allowed length, wrapping at the end when the week is cyclic) worked at cap level l.
- coverage, per interval t: ``sum_{s on t, l} capacity(cap_l) * x[s, l] + short[t] >= need[t]``,
  with ``need[t] = min over caps allowed in t of required[t, k] * capacity(cap_k)`` (solo-chat
  units: the cheapest way the staffing table allows). Breaks are ignored for coverage (a shift is
  counted on duty for its whole span) but not for pay, which keeps the LP a relaxation.
- headcount, per interval t and level l: shifts at level >= l on duty <= agents with cap >= l
  available in that hour (availability, night and weekend permissions).
- one shift per agent and day, per level l: shifts at level >= l starting that day <= agents
  with cap >= l.
- hours, per week and level l: paid hours at level >= l <= the sum of ``max_hours_week`` of the
  agents with cap >= l.

Objective: ``M * sum short + sum paid_hours * x`` with M large (shortfall first, as the planner).
The returned ``agent_hours`` is a lower bound on the paid agent-hours of any plan with the LP's
(minimal) shortfall; with zero shortfall it bounds every full-cover plan.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from scheduler.domain import NIGHT_HOURS, Agent, Requirements
from scheduler.params import ChatModel, Rules

SHORT_PENALTY = 1000.0
"""Cost of one missing solo-chat unit in one interval, in agent-hours (far above any shift)."""


@dataclass(frozen=True)
class HighsBound:
    status: str
    agent_hours: float
    shortfall_units: float
    """Minimal total missing capacity (solo-chat units x intervals) the LP could not cover."""
    seconds: float
    variables: int
    constraints: int
    required_agent_hours_cheapest: float
    """Hours of need at the cheapest cap per interval (agents), for an efficiency ratio."""

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status, "agent_hours": round(self.agent_hours, 2),
            "shortfall_units": round(self.shortfall_units, 3), "seconds": round(self.seconds, 3),
            "variables": self.variables, "constraints": self.constraints,
            "required_agent_hours_cheapest": round(self.required_agent_hours_cheapest, 2),
        }


def _may_work(agent: Agent, when) -> bool:
    if not agent.is_available(when):
        return False
    if not agent.night_ok and when.hour in NIGHT_HOURS:
        return False
    return agent.weekend_ok or when.weekday() < 5


def highs_bound(req: Requirements, agents: tuple[Agent, ...], rules: Rules,
                chat: ChatModel) -> HighsBound:
    started = time.perf_counter()
    m = req.interval_minutes
    t_count = req.intervals
    per_day = 1440 // m
    days = t_count // per_day
    weeks = math.ceil(days / 7)
    top_cap = max(a.max_concurrent for a in agents)
    levels = [k for k, c in enumerate(req.caps) if c in rules.allowed_caps and c <= top_cap]
    caps = [req.caps[k] for k in levels]
    units = np.array([chat.capacity(c) for c in caps])
    sessions = np.asarray(req.sessions, dtype=float)
    feasible = np.asarray(req.feasible, dtype=bool)[:, levels]
    required = np.asarray(req.required, dtype=float)[:, levels]
    none_ok = ~feasible.any(axis=1)
    big = float(req.max_team + 1)
    need_by_level = np.where(feasible, required, np.inf)
    need_by_level[none_ok] = np.maximum(required[none_ok], big)
    need = np.min(need_by_level * units[None, :], axis=1)
    need = np.where(sessions > 0, need, 0.0)
    need_agents = np.min(need_by_level, axis=1)
    need_agents = np.where(sessions > 0, need_agents, 0.0)
    cheapest_hours = float(need_agents[np.isfinite(need_agents)].sum()) * m / 60.0
    usable = np.where(none_ok[:, None], True, feasible)  # may a level count in t

    # shift types
    lengths = sorted({round(h * 60) for h in rules.shift_lengths_hours
                      if h <= rules.max_shift_hours_per_day + 1e-9 and round(h * 60) % m == 0})
    step = rules.start_step_minutes // m
    types: list[tuple[int, int, float]] = []  # (start, length in intervals, paid hours)
    for start in range(0, t_count, step):
        for lm in lengths:
            ln = lm // m
            if start + ln > t_count and not rules.cyclic:
                continue
            brk = rules.break_minutes if (rules.break_after_hours > 0
                                          and lm > rules.break_after_hours * 60) else 0
            types.append((start, ln, (lm - brk) / 60.0))
    n_s, n_l = len(types), len(caps)
    n_x = n_s * n_l
    n_var = n_x + t_count

    def xi(s: int, lv: int) -> int:
        return s * n_l + lv

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    rhs: list[float] = []
    r = 0
    # coverage (as <=: -sum - short <= -need)
    cover: list[list[int]] = [[] for _ in range(t_count)]
    for s, (start, ln, _paid) in enumerate(types):
        for i in range(ln):
            cover[(start + i) % t_count].append(s)
    for t in range(t_count):
        for s in cover[t]:
            for lv in range(n_l):
                if usable[t, lv]:
                    rows.append(r)
                    cols.append(xi(s, lv))
                    vals.append(-units[lv])
        rows.append(r)
        cols.append(n_x + t)
        vals.append(-1.0)
        rhs.append(-need[t])
        r += 1
    # headcount per interval and level threshold
    origin = req.interval_starts[0]
    for t in range(t_count):
        when = origin + timedelta(minutes=m * t)
        avail = [a for a in agents if _may_work(a, when)]
        for lv in range(n_l):
            cnt = sum(1 for a in avail if a.max_concurrent >= caps[lv])
            for s in cover[t]:
                for lv2 in range(lv, n_l):
                    rows.append(r)
                    cols.append(xi(s, lv2))
                    vals.append(1.0)
            rhs.append(float(cnt))
            r += 1
    # one shift per agent and day; hours per week
    for lv in range(n_l):
        cnt = sum(1 for a in agents if a.max_concurrent >= caps[lv])
        hours = sum(a.max_hours_week for a in agents if a.max_concurrent >= caps[lv])
        for d in range(days):
            for s, (start, _ln, _paid) in enumerate(types):
                if start // per_day == d:
                    for lv2 in range(lv, n_l):
                        rows.append(r)
                        cols.append(xi(s, lv2))
                        vals.append(1.0)
            rhs.append(float(cnt))
            r += 1
        for w in range(weeks):
            for s, (start, _ln, paid) in enumerate(types):
                if start // per_day // 7 == w:
                    for lv2 in range(lv, n_l):
                        rows.append(r)
                        cols.append(xi(s, lv2))
                        vals.append(paid)
            rhs.append(float(hours))
            r += 1
    a_ub = coo_matrix((vals, (rows, cols)), shape=(r, n_var)).tocsr()
    cost = np.zeros(n_var)
    for s, (_start, _ln, paid) in enumerate(types):
        cost[s * n_l:(s + 1) * n_l] = paid
    cost[n_x:] = SHORT_PENALTY
    res = linprog(cost, A_ub=a_ub, b_ub=np.asarray(rhs), bounds=(0, None), method="highs")
    seconds = time.perf_counter() - started
    if res.status != 0:
        return HighsBound(f"failed: {res.message}", math.nan, math.nan, seconds, n_var, r,
                          cheapest_hours)
    x = res.x
    hours_lb = float(cost[:n_x] @ x[:n_x])
    short = float(x[n_x:].sum())
    return HighsBound("optimal", hours_lb, short, seconds, n_var, r, cheapest_hours)
