"""Half-hours below the staffing with margin (the search's cover target) in sentences: where,
by how much, why, and fixes checked by quick re-plans.

"Mon 02:00–06:00: 1 agent below the margin at cap 3; no agent is available in these hours."
(Short, below the need at the forecast itself, is the report's word: ``report``.) Why: nobody
available, no whole shift fits the availability, no team meets the target, everyone who could
is on duty, or the labour rule that holds each agent who could cover it. Fixes name only levers
not in use (more agents, a cap the rules do not allow yet, a higher cap for the agents below
it, a shift length the rules lack) and are checked with the aggregate model and a little work.
Each sentence is a ``Finding`` that says what it concerns, so the worst come first.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from scheduler.domain import Agent
from scheduler.roster.cost import Plan, cover_sum, replies_centi, shortfall
from scheduler.roster.model import aggregate_rows, relaxation
from scheduler.roster.problem import SCALE, RosterProblem, build_problem
from scheduler.roster.rules import allows


@dataclass(frozen=True)
class Finding:
    """One sentence of the diagnosis and what ranks it: the half-hours below the margin it
    concerns, ``start`` to ``end`` (None: the whole week: the weekly target, why, the fixes),
    the most agents missing in one of them, the agent-hours missing over them (each
    half-hour's missing agents times its length) and the sessions they were sized for.
    ``kind``: "where" (a window of the week), "week" (the weekly or daily 3-minute target),
    "why" (what holds every window) or "fix" (a lever checked by counting agents per
    half-hour, the cheapest first); "" in a summary written before kinds were recorded."""

    text: str
    kind: str = "where"
    start: datetime | None = None
    end: datetime | None = None
    agents_below: int = 0
    agent_hours_below: float = 0.0
    sized_sessions: float = 0.0


def worst_first(findings: list[Finding]) -> tuple[Finding, ...]:
    """The most agent-hours below the margin first, then the most sessions sized for; in the
    order made on a tie (a note on the whole week concerns every half-hour below it, so it
    comes before the windows)."""
    order = sorted(range(len(findings)), key=lambda k: (-findings[k].agent_hours_below,
                                                        -findings[k].sized_sessions, k))
    return tuple(findings[k] for k in order)


def _s(n: float) -> str:
    return "" if n == 1 else "s"


def _runs(ts: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for t in ts:
        if out and t == out[-1][1] + 1:
            out[-1] = (out[-1][0], t)
        else:
            out.append((t, t))
    return out


def diagnose(p: RosterProblem, plan: Plan, *, relaxation_covers: bool
             ) -> tuple[Finding, ...]:
    """Sentences on the intervals below the plan's cover target, worst first (``worst_first``);
    ``relaxation_covers``: the aggregate LP covers every interval with this team (then no fix
    is tried, see ``_fixes``)."""
    cover = cover_sum(p, plan)
    short = shortfall(p, cover)
    ts = [int(t) for t in np.nonzero(short)[0]]
    gap = 0
    if p.envelope is not None:
        gap = p.envelope.gap(replies_centi(p, cover))
    if not ts and not gap:
        goal = (f"the {'weekly' if len(p.envelope.periods) == 1 else 'daily'} 3-minute target "
                "is met and every interval meets the hourly floor"
                if p.envelope is not None else "every interval meets the target")
        return (Finding(f"Fully covered in the staffing model: {goal}.", "why"),)
    usable = p.agent_level >= 0
    admitted = p.admitted()
    workable = np.zeros((p.intervals, len(p.agents)), dtype=bool)
    for st in p.types:
        workable[list(st.duty)] |= admitted[st.index]
    mine: dict[int, list[int]] = defaultdict(list)
    for a, s, _lv in plan:
        mine[a].append(s)
    out: list[Finding] = []
    runs = _runs(ts)
    needs: list[int] = []
    for first, last in runs:
        span = list(range(first, last + 1))
        best_need = [float(np.min(p.need[t][p.need[t] > 0], initial=math.inf)) for t in span]
        missing = [max(1, math.ceil(short[t] / SCALE * n - 1e-9) if math.isfinite(n) else 1)
                   for t, n in zip(span, best_need, strict=True)]
        needs.append(max(missing))
        avail = int(max((p.ok[t] & usable).sum() for t in span))
        can = int(max((workable[t] & usable).sum() for t in span))
        on = {a for a, ss in mine.items() if any(set(span) & set(p.types[s].duty) for s in ss)}
        if avail == 0:
            why = "no agent is available in these hours"
        elif can == 0:
            why = (f"{avail} agent{_s(avail)} {'is' if avail == 1 else 'are'} available here "
                   "but no whole shift fits inside their availability")
        elif all(not math.isfinite(n) for n in best_need):
            why = ("the staffing table has no team that meets the target at any allowed cap "
                   f"(up to {p.requirements.max_team} agents)")
        elif all(len(on) >= (workable[t] & usable).sum() for t in span):
            why = ("the only agent who could work here is on duty" if can == 1
                   else f"all {can} agents who could work here are on duty")
        else:
            why = _held_by(p, mine, span, on) or "the agents who could work here are held by " \
                "labour rules"
        cap = max((p.caps[p.agent_level[a]] for a in on), default=max(p.caps))
        out.append(Finding(
            f"{p.label(first, last)}: {needs[-1]} agent{_s(needs[-1])} below the margin at "
            f"cap {cap}; {why}.", "where", start=p.at(first),
            end=p.at(first) + timedelta(minutes=p.interval_minutes * len(span)),
            agents_below=needs[-1], agent_hours_below=sum(missing) * p.interval_minutes / 60,
            sized_sessions=float(np.asarray(p.sessions, dtype=float)[span].sum())))

    def week(text: str, kind: str) -> Finding:
        return Finding(text, kind, agent_hours_below=sum(f.agent_hours_below for f in out),
                       sized_sessions=sum(f.sized_sessions for f in out))

    notes = []
    if gap:
        notes.append(week(f"The week's expected 3-minute replies are {gap / 100:g} sessions "
                          f"below {p.service.target:.0%} of all sessions.", "week"))
    if relaxation_covers:
        notes.append(week(
            "With the team as it is, counting agents per half-hour alone covers every "
            "interval: the half-hours below the margin come from the rules that count leaves "
            "out (rest, consecutive days, shift shapes) or from search time. A longer time "
            "limit, or the rule costs, show which.", "why"))
    else:
        notes += [week(text, kind) for kind, text in
                  _fixes(p, runs, needs, int(short.sum()) + gap)]
    return worst_first(out + notes)


def _held_by(p: RosterProblem, mine: dict[int, list[int]], span: list[int], on: set[int]
             ) -> str | None:
    """The rule that blocks most shifts over ``span`` for each off-duty agent who could work
    it: "2 agents who could work here are held by labour rules: rest … (A04); …"."""
    admitted = p.admitted()
    covering = [p.types[s] for s in sorted({s for t in span for s in p.on_duty_types()[t]})]
    held: dict[str, list[str]] = defaultdict(list)
    free: list[str] = []
    for a, agent in enumerate(p.agents):
        if a in on or p.agent_level[a] < 0:
            continue
        options = [st for st in covering if admitted[st.index, a]]
        if not options:
            continue
        others = [p.types[s] for s in mine.get(a, [])]
        reasons = Counter(allows(p, a, st, others) for st in options)
        if reasons.get(None):
            free.append(agent.agent_id)
            continue
        held[max(reasons, key=lambda r: (reasons[r], str(r))) or ""].append(agent.agent_id)
    n = sum(len(v) for v in held.values())
    texts = []
    if held:
        parts = [f"{rule} ({', '.join(sorted(ids)[:6])}{' …' if len(ids) > 6 else ''})"
                 for rule, ids in sorted(held.items(), key=lambda x: -len(x[1]))]
        texts.append(f"{n} agent{_s(n)} who could work here {'is' if n == 1 else 'are'} held by"
                     " labour rules: " + "; ".join(parts))
    if free:
        texts.append(f"{', '.join(sorted(free)[:6])} could still take a shift here (more time "
                     "may cover it)")
    return "; ".join(texts) or None


def _mask(p: RosterProblem, first: int, last: int) -> tuple[tuple[bool, ...], ...]:
    """Availability over a run, padded to fit the shortest shift."""
    pad = max(1, round(min(p.rules.shift_lengths_hours) * 60) // p.interval_minutes)
    hours = {int((t % p.intervals) * p.interval_minutes // 60 % 168)
             for t in range(first - pad, last + pad + 1)}
    return tuple(tuple(d * 24 + h in hours for h in range(24)) for d in range(7))


def _fixes(p: RosterProblem, runs: list[tuple[int, int]], needs: list[int], missing: int
           ) -> list[tuple[str, str]]:
    """Each fix checked on the aggregate model: its LP with the fix, rounded to whole shifts
    (no names, so an upper estimate of what the fix closes; a relaxation, so it cannot tell
    the rules it does not state)."""
    rules, team = p.rules, list(p.agents)
    cap_new = max((c for c in p.caps if c <= max((a.max_concurrent for a in team),
                                                 default=max(p.caps))), default=max(p.caps))
    extra = [Agent(f"__extra{k}", cap_new, max(rules.full_time_hours, 40.0),
                   available=_mask(p, first, last))
             for (first, last), n in zip(runs, needs, strict=True) for k in range(n)]
    where = ", ".join(f"{n} agent{_s(n)} available {p.label(f, la)}"
                      for (f, la), n in list(zip(runs, needs, strict=True))[:4])
    more = f" and {len(runs) - 4} more windows" if len(runs) > 4 else ""
    if not runs:  # only the weekly target is missed: one more agent, any hours
        extra = [Agent("__extra0", cap_new, max(rules.full_time_hours, 40.0))]
        where = "1 agent available all week"
    trials = [(f"add {where}{more} (cap {cap_new})", team + extra, rules)]
    higher = [c for c in p.requirements.caps if c > max(p.caps)]
    if higher:
        trials.append((f"allow cap {higher[0]} (接待上限) in the rules", team,
                       replace(rules, allowed_caps=tuple(sorted({*rules.allowed_caps,
                                                                 higher[0]})))))
    low = min((a.max_concurrent for a in team), default=max(p.caps))
    raisable = [c for c in p.caps if c > low]  # allowed already: the agents' own caps hold it
    for k in sorted({raisable[0], raisable[-1]}) if raisable else []:
        n = sum(a.max_concurrent < k for a in team)
        trials.append((f"raise the reception cap (接待上限) of the {n} agent{_s(n)} below {k} "
                       f"to {k}",
                       [replace(a, max_concurrent=max(a.max_concurrent, k)) for a in team],
                       rules))
    for hours in (4.0, 6.0):
        if hours not in rules.shift_lengths_hours:
            trials.append((f"allow {hours:g}-hour shifts", team, replace(
                rules, shift_lengths_hours=tuple(sorted({*rules.shift_lengths_hours, hours})))))
            break
    if p.days > 7:  # each trial is an LP of the whole horizon: only the first on long ones
        trials = trials[:1]
    found = []
    for k, (text, agents, trial_rules) in enumerate(trials):
        q = build_problem(p.requirements, agents, chat=p.chat, service=p.service,
                          rules=trial_rules, search=p.search, floor=p.floor)
        relaxed = relaxation(q, aggregate_rows(q))
        plan = tuple((0, s, int(q.type_level[s, c])) for (s, c), n in relaxed.counts.items()
                     for _ in range(n))
        cover = cover_sum(q, plan)
        left = int(shortfall(q, cover).sum())
        if q.envelope is not None:
            left += q.envelope.gap(replies_centi(q, cover))
        if left < missing:
            hours = sum(q.types[s].paid_minutes for _a, s, _lv in plan) / 60
            found.append((left, hours, k, text))
    if not found:
        return [("why", "No quick fix found: tried " + "; ".join(t for t, _, _ in trials)
                 + ". Lower the target or add agents with wider availability.")]
    lines = []
    for rank, (left, hours, _k, text) in enumerate(sorted(found)):
        tail = "closes the gap" if left == 0 else "covers part of the gap"
        lines.append(("fix", f"{'Cheapest fix' if rank == 0 else 'Also helps'}: {text} — "
                      f"{tail} (checked by counting agents per half-hour: about {hours:g} "
                      "agent-hours)."))
    return lines


def unusable_agents(p: RosterProblem) -> tuple[str, ...]:
    """Agents no shift is open to, each with the rules that close every shift to them."""
    out = []
    for a, agent in enumerate(p.agents):
        if p.admitted()[:, a].any():
            continue
        closed = [r.statement(p.rules) for r in p.constraints if r.in_force(p) and (
            got := r.admits(p)) is not None and not got[:, min(a, got.shape[1] - 1)].any()]
        out.append(f"agent {agent.agent_id} can never be scheduled (max "
                   f"{agent.max_hours_week:g} h a week, cap {agent.max_concurrent}): "
                   + "; ".join(closed or ["no shift keeps every rule"]))
    return tuple(out)
