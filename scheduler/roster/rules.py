"""The labour rules, each written once: one class per rule holding

- ``statement``: the sentence a plan is explained with (parameters filled in);
- ``admits``: which (shift type, agent) candidates the rule allows at all (vectorised);
- ``add``: its CP-SAT constraint on a named model's shift Booleans;
- ``allows``: the incremental check the heuristics use (one more shift for an agent);
- ``aggregate``: its relaxation over shift counts per cap level (the start model and the bound);
- ``check``: the plain-Python validator, written from the statement over the roster's shifts
  (datetimes), not from the model's grid;
- ``relax``: the ``Rules`` without it, for what the rule costs in agent-hours.

A rule whose method is not needed inherits the base class' no-op.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from scheduler.domain import NIGHT_HOURS, Agent, Roster, Shift
from scheduler.params import Rules
from scheduler.roster.problem import BREAK_MARGIN_MINUTES, RosterProblem, ShiftType

if TYPE_CHECKING:
    from scheduler.roster.model import AggregateRows, NamedModel


@dataclass(frozen=True)
class Violation:
    """A rule a plan breaks: ``kind`` 'hard' (a labour rule or contract) or 'soft' (a
    preference, e.g. fewer hours than ``min_hours_week``)."""

    rule: str
    message: str
    kind: str = "hard"
    agent_id: str = ""


class RuleViolationError(ValueError):
    """A plan breaks a hard rule (a bug in the search if it ever comes out of ``solve``)."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        super().__init__("; ".join(v.message for v in violations[:3]))


def _h(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Placed:
    """A domain shift read back onto the horizon, from its datetimes alone."""

    shift: Shift
    start: int
    """Minutes from the horizon's origin (modulo the horizon when cyclic)."""
    minutes: int
    paid: int
    day: int
    week: int


def place(p: RosterProblem, sh: Shift) -> Placed:
    start = int((sh.start - p.origin).total_seconds() // 60)
    if p.cyclic:
        start %= p.horizon_minutes
    minutes = round((sh.end - sh.start).total_seconds() / 60)
    day = start // 1440
    return Placed(sh, start, minutes, round(sh.paid_hours * 60), day, day // 7)


def by_agent(p: RosterProblem, roster: Roster) -> dict[str, list[Placed]]:
    out: dict[str, list[Placed]] = defaultdict(list)
    for sh in roster.shifts:
        out[sh.agent_id].append(place(p, sh))
    for shifts in out.values():
        shifts.sort(key=lambda x: x.start)
    return out


def clock_hours(sh: Shift) -> list[tuple[int, int]]:
    """(weekday, hour) of every clock hour the shift touches, break included."""
    out = []
    t = sh.start.replace(minute=0, second=0, microsecond=0)
    while t < sh.end:
        out.append((t.weekday(), t.hour))
        t += timedelta(hours=1)
    return out


class Rule:
    """Base class: every hook a no-op. ``key`` names the rule in tests and in ``relax``."""

    key = ""

    def statement(self, rules: Rules) -> str:
        raise NotImplementedError

    def in_force(self, rules: Rules) -> bool:
        return True

    def admits(self, p: RosterProblem) -> np.ndarray | None:
        """(S, A) candidates the rule allows, or None (allows all)."""
        return None

    def add(self, nm: NamedModel) -> None:
        return None

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        return True

    def aggregate(self, p: RosterProblem, rows: AggregateRows) -> None:
        return None

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        return []

    def relax(self, rules: Rules) -> Rules | None:
        """The rules without this one (None: not a rule whose cost is reported)."""
        return None

    def _v(self, p: RosterProblem, agent_id: str, message: str, kind: str = "hard"
           ) -> Violation:
        return Violation(self.statement(p.rules), f"{agent_id}: {message}", kind, agent_id)


def _agents_of(p: RosterProblem) -> dict[str, Agent]:
    return {a.agent_id: a for a in p.agents}


class ShiftShape(Rule):
    key = "shape"

    def statement(self, rules: Rules) -> str:
        lengths = "/".join(_h(h) for h in rules.shift_lengths_hours)
        return (f"shifts of {lengths} h (<= {_h(rules.max_shift_hours_per_day)} h a day) "
                f"starting every {rules.start_step_minutes} min")

    def admits(self, p: RosterProblem) -> np.ndarray:
        ok = {round(h * 60) for h in p.rules.shift_lengths_hours
              if h <= p.rules.max_shift_hours_per_day + 1e-9}
        return np.array([[st.length * p.interval_minutes in ok] for st in p.types], dtype=bool)

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        ok = {round(h * 60) for h in p.rules.shift_lengths_hours}
        out = []
        for sh in roster.shifts:
            x = place(p, sh)
            when = f"{sh.start:%a %H:%M}"
            if x.minutes not in ok or x.minutes > p.rules.max_shift_hours_per_day * 60:
                out.append(self._v(p, sh.agent_id, f"{when}: a {x.minutes / 60:g}-hour shift"))
            if x.start % p.rules.start_step_minutes:
                out.append(self._v(p, sh.agent_id, f"{when}: start off the start grid"))
            if not p.cyclic and (x.start < 0 or x.start + x.minutes > p.horizon_minutes):
                out.append(self._v(p, sh.agent_id, f"{when}: runs outside the horizon"))
        return out

    def relax(self, rules: Rules) -> Rules:
        lo, hi = min(rules.shift_lengths_hours), max(rules.shift_lengths_hours)
        return replace(rules, shift_lengths_hours=tuple(
            float(h) for h in range(math.ceil(lo), math.floor(hi) + 1)))


class Break(Rule):
    key = "break"

    def statement(self, rules: Rules) -> str:
        if rules.break_after_hours <= 0:
            return "no meal breaks"
        return (f"a {rules.break_minutes}-minute meal break in shifts longer than "
                f"{_h(rules.break_after_hours)} h, not in their first or last 2 h")

    def in_force(self, rules: Rules) -> bool:
        return rules.break_after_hours > 0

    def _needs(self, rules: Rules, minutes: float) -> bool:
        return rules.break_after_hours > 0 and minutes > rules.break_after_hours * 60

    def admits(self, p: RosterProblem) -> np.ndarray:
        m = p.interval_minutes
        return np.array([[self._needs(p.rules, st.length * m) == (st.break_offset >= 0)]
                         for st in p.types], dtype=bool)

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        out = []
        margin = timedelta(minutes=BREAK_MARGIN_MINUTES)
        for sh in roster.shifts:
            minutes = (sh.end - sh.start).total_seconds() / 60
            has = sh.break_start is not None and sh.break_end is not None
            when = f"{sh.start:%a %H:%M}"
            if self._needs(p.rules, minutes) and not has:
                out.append(self._v(p, sh.agent_id, f"{when}: a {minutes / 60:g}-hour shift "
                                                   "without a break"))
            if has:
                assert sh.break_start is not None and sh.break_end is not None
                length = (sh.break_end - sh.break_start).total_seconds() / 60
                if not (sh.start + margin <= sh.break_start < sh.break_end <= sh.end - margin):
                    out.append(self._v(p, sh.agent_id, f"{when}: break too near an end"))
                if self._needs(p.rules, minutes) and length < p.rules.break_minutes:
                    out.append(self._v(p, sh.agent_id, f"{when}: a {length:g}-minute break"))
        return out

    def relax(self, rules: Rules) -> Rules:
        return replace(rules, break_after_hours=0.0)


class Availability(Rule):
    key = "availability"

    def statement(self, rules: Rules) -> str:
        return ("every hour of a shift inside the agent's availability; night hours "
                "(23:00–07:00) and weekends only for agents eligible for them")

    def admits(self, p: RosterProblem) -> np.ndarray:
        bad = (~p.ok).astype(np.int32)
        return np.array([bad[list(st.span)].sum(axis=0) == 0 for st in p.types], dtype=bool
                        ).reshape(len(p.types), len(p.agents))

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        agents = _agents_of(p)
        out = []
        for sh in roster.shifts:
            a = agents.get(sh.agent_id)
            if a is None:
                out.append(self._v(p, sh.agent_id, "not in the agents file"))
                continue
            for d, h in clock_hours(sh):
                why = ("not available" if not a.available[d][h]
                       else "not night-eligible" if h in NIGHT_HOURS and not a.night_ok
                       else "not weekend-eligible" if d >= 5 and not a.weekend_ok else "")
                if why:
                    out.append(self._v(p, sh.agent_id, f"{why} at {sh.start:%a} {h:02d}:00"))
                    break
        return out


class Cap(Rule):
    key = "cap"

    def statement(self, rules: Rules) -> str:
        return (f"each shift's cap among the allowed caps {list(rules.allowed_caps)} and "
                "<= the agent's max_concurrent")

    def admits(self, p: RosterProblem) -> np.ndarray:
        return np.broadcast_to(p.agent_level[None, :] >= 0, (len(p.types), len(p.agents)))

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        agents = _agents_of(p)
        out = []
        for sh in roster.shifts:
            a = agents.get(sh.agent_id)
            if sh.max_concurrent not in p.rules.allowed_caps or (
                    a is not None and sh.max_concurrent > a.max_concurrent):
                out.append(self._v(p, sh.agent_id, f"{sh.start:%a %H:%M}: cap "
                                                   f"{sh.max_concurrent}"))
        return out


class OnePerDay(Rule):
    key = "one_per_day"

    def statement(self, rules: Rules) -> str:
        return "at most one shift per agent per day (by start day)"

    def add(self, nm: NamedModel) -> None:
        for shifts in nm.shifts.values():
            days: dict[int, list[Any]] = defaultdict(list)
            for st, y in shifts:
                days[st.day].append(y)
            for ys in days.values():
                if len(ys) > 1:
                    nm.model.add_at_most_one(ys)

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        return all(o.day != st.day for o in others)

    def aggregate(self, p: RosterProblem, rows: AggregateRows) -> None:
        for lv, team in rows.teams().items():
            for day in range(p.days):
                keys = [k for k in rows.keys_of_level(lv) if p.types[k[0]].day == day]
                cap = int(rows.admitted[[k[0] for k in keys]][:, team].any(axis=0).sum()) \
                    if keys else 0
                rows.add({k: 1 for k in keys}, cap)

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        out = []
        for aid, shifts in by_agent(p, roster).items():
            for day, n in Counter(x.day for x in shifts).items():
                if n > 1:
                    out.append(self._v(p, aid, f"{n} shifts start on day {day + 1}"))
        return out


class Rest(Rule):
    key = "rest"

    def statement(self, rules: Rules) -> str:
        return f"no overlapping shifts; rest between shifts >= {_h(rules.min_rest_hours)} h"

    def _arcs_clash(self, p: RosterProblem, a: ShiftType, b: ShiftType) -> bool:
        m, rest = p.interval_minutes, round(p.rules.min_rest_hours * 60)
        h = p.horizon_minutes
        a0, a1 = a.start * m, (a.start + a.length) * m + rest
        b0, b1 = b.start * m, (b.start + b.length) * m + rest
        shifts = (-h, 0, h) if p.cyclic else (0,)
        return any(a0 < b1 + d and b0 + d < a1 for d in shifts)

    def add(self, nm: NamedModel) -> None:
        # two shifts clash iff their arcs [start, end + rest) overlap; every overlapping pair
        # shares the start point of one of them, so one at-most-one per start point suffices
        p = nm.problem
        m, h = p.interval_minutes, p.horizon_minutes
        rest = round(p.rules.min_rest_hours * 60)
        for shifts in nm.shifts.values():
            arcs = [(st.start * m, (st.start + st.length) * m + rest, y) for st, y in shifts]
            seen: set[tuple[int, ...]] = set()
            for q in sorted({a0 for a0, _, _ in arcs}):
                group = tuple(k for k, (a0, a1, _) in enumerate(arcs)
                              if a0 <= q < a1 or (p.cyclic and (a0 <= q + h < a1
                                                                 or a0 <= q - h < a1)))
                if len(group) > 1 and group not in seen:
                    seen.add(group)
                    nm.model.add_at_most_one([arcs[k][2] for k in group])

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        return not any(self._arcs_clash(p, st, o) for o in others)

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        rest = timedelta(hours=p.rules.min_rest_hours)
        horizon = timedelta(minutes=p.horizon_minutes)
        out = []
        for aid, shifts in by_agent(p, roster).items():
            times = [(p.origin + timedelta(minutes=x.start),
                      p.origin + timedelta(minutes=x.start + x.minutes)) for x in shifts]
            pairs = list(itertools.pairwise(times))
            if p.cyclic and len(times) > 1:
                pairs.append((times[-1], (times[0][0] + horizon, times[0][1] + horizon)))
            for (_, end), (start, _) in pairs:
                if start - end < rest:
                    gap = (start - end).total_seconds() / 3600
                    out.append(self._v(p, aid, f"{gap:g} h between the shift ending "
                                               f"{end:%a %H:%M} and the next"))
        return out

    def relax(self, rules: Rules) -> Rules:
        return replace(rules, min_rest_hours=0.0)


class MaxHours(Rule):
    key = "max_hours"

    def statement(self, rules: Rules) -> str:
        return "paid hours per calendar week (breaks excluded) <= the agent's max_hours_week"

    def _limit(self, p: RosterProblem, a: int) -> int:
        return int(p.agents[a].max_hours_week * 60 + 1e-6)

    def admits(self, p: RosterProblem) -> np.ndarray:
        paid = np.array([st.paid_minutes for st in p.types])[:, None]
        return paid <= np.array([self._limit(p, a) for a in range(len(p.agents))])[None, :]

    def add(self, nm: NamedModel) -> None:
        for a, shifts in nm.shifts.items():
            weeks: dict[int, list[Any]] = defaultdict(list)
            for st, y in shifts:
                weeks[st.week].append((st.paid_minutes, y))
            for terms in weeks.values():
                if sum(c for c, _ in terms) > self._limit(nm.problem, a):
                    nm.model.add(sum(c * y for c, y in terms) <= self._limit(nm.problem, a))

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        used = sum(o.paid_minutes for o in others if o.week == st.week)
        return used + st.paid_minutes <= self._limit(p, a)

    def aggregate(self, p: RosterProblem, rows: AggregateRows) -> None:
        for lv, team in rows.teams().items():
            total = sum(self._limit(p, a) for a in team)
            for week in range(p.weeks):
                rows.add({k: p.types[k[0]].paid_minutes for k in rows.keys_of_level(lv)
                          if p.types[k[0]].week == week}, total)

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        agents = _agents_of(p)
        out = []
        for aid, shifts in by_agent(p, roster).items():
            per_week: Counter[int] = Counter()
            for x in shifts:
                per_week[x.week] += x.paid
            limit = agents[aid].max_hours_week * 60 if aid in agents else 0
            for week, paid in per_week.items():
                if paid > limit + 1e-6:
                    out.append(self._v(p, aid, f"{paid / 60:g} h in week {week + 1}"))
        return out


class MinHours(Rule):
    """Soft: each minute below ``min_hours_week`` (pro rata in a partial week) is a penalty."""

    key = "min_hours"

    def statement(self, rules: Rules) -> str:
        return "paid hours per week >= the agent's min_hours_week (a preference)"

    def low(self, p: RosterProblem, a: int, week: int) -> int:
        return round(p.agents[a].min_hours_week * 60 * p.days_in_week(week) / 7)

    def add(self, nm: NamedModel) -> None:
        for a, shifts in nm.shifts.items():
            for week in range(nm.problem.weeks):
                low = self.low(nm.problem, a, week)
                if low <= 0:
                    continue
                deficit = nm.model.new_int_var(0, low, f"below_min[{a},{week}]")
                nm.model.add(deficit + sum(st.paid_minutes * y for st, y in shifts
                                           if st.week == week) >= low)
                nm.soft.append(deficit)

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        placed = by_agent(p, roster)
        out = []
        for a, agent in enumerate(p.agents):
            for week in range(p.weeks):
                paid = sum(x.paid for x in placed.get(agent.agent_id, []) if x.week == week)
                if paid < self.low(p, a, week):
                    out.append(self._v(p, agent.agent_id, f"{paid / 60:g} h in week {week + 1},"
                                       f" below {agent.min_hours_week:g} h", "soft"))
        return out


class Consecutive(Rule):
    key = "consecutive"

    def statement(self, rules: Rules) -> str:
        return f"at most {rules.max_consecutive_days} consecutive working days"

    def in_force(self, rules: Rules) -> bool:
        return rules.max_consecutive_days < 7

    def _lead(self, p: RosterProblem, a: int) -> int:
        """Days in a row agent ``a`` worked up to the horizon's start (the week before)."""
        return p.lead_days[a] if p.lead_days and not p.cyclic else 0

    def _too_long(self, p: RosterProblem, days: set[int], lead: int = 0) -> bool:
        k = p.rules.max_consecutive_days
        if p.cyclic and len(days) == p.days:
            return p.days > k
        run, best = lead, 0
        order = list(range(p.days)) * (2 if p.cyclic else 1)
        for d in order:
            run = run + 1 if d in days else 0
            best = max(best, run)
        return best > k

    def add(self, nm: NamedModel) -> None:
        p, k = nm.problem, nm.problem.rules.max_consecutive_days
        for a, shifts in nm.shifts.items():
            lead = self._lead(p, a)
            if p.days + lead <= k:
                continue
            days: dict[int, list[Any]] = defaultdict(list)
            for st, y in shifts:
                days[st.day].append(y)
            first = 0 if p.cyclic else -lead
            for d0 in range(first, p.days if p.cyclic else p.days - k):
                window = [(d0 + i) % p.days if p.cyclic else d0 + i for i in range(k + 1)]
                before = sum(1 for d in window if d < 0)
                if all(d < 0 or d in days for d in window):
                    nm.model.add(sum(y for d in window if d >= 0 for y in days[d])
                                 <= k - before)

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        return not self._too_long(p, {o.day for o in others} | {st.day}, self._lead(p, a))

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        index = {a.agent_id: i for i, a in enumerate(p.agents)}
        out = []
        for aid, shifts in by_agent(p, roster).items():
            lead = self._lead(p, index[aid]) if aid in index else 0
            if self._too_long(p, {x.day for x in shifts}, lead):
                out.append(self._v(p, aid, "works more consecutive days than allowed"
                                   + (f" (with {lead} day(s) in a row the week before)"
                                      if lead else "")))
        return out

    def relax(self, rules: Rules) -> Rules:
        return replace(rules, max_consecutive_days=7)


class DaysOff(Rule):
    key = "days_off"

    def statement(self, rules: Rules) -> str:
        s = f"days off per week >= {rules.min_days_off}"
        if rules.min_days_off_full_time > rules.min_days_off:
            s += (f" (>= {rules.min_days_off_full_time} for full-timers, "
                  f">= {_h(rules.full_time_hours)} h/week)")
        return s

    def in_force(self, rules: Rules) -> bool:
        return max(rules.min_days_off, rules.min_days_off_full_time) > 0

    def most_days(self, p: RosterProblem, a: int, week: int) -> int:
        r = p.rules
        off = (max(r.min_days_off, r.min_days_off_full_time)
               if p.agents[a].max_hours_week >= r.full_time_hours else r.min_days_off)
        return max(0, min(p.days_in_week(week), 7 - off))

    def add(self, nm: NamedModel) -> None:
        for a, shifts in nm.shifts.items():
            for week in range(nm.problem.weeks):
                days: dict[int, list[Any]] = defaultdict(list)
                for st, y in shifts:
                    if st.week == week:
                        days[st.day].append(y)
                most = self.most_days(nm.problem, a, week)
                if len(days) <= most:
                    continue
                worked = []
                for ys in days.values():
                    w = nm.model.new_bool_var("")
                    nm.model.add_max_equality(w, ys)
                    worked.append(w)
                nm.model.add(sum(worked) <= most)

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        days = {o.day for o in others if o.week == st.week}
        return st.day in days or len(days) < self.most_days(p, a, st.week)

    def aggregate(self, p: RosterProblem, rows: AggregateRows) -> None:
        if not any(isinstance(r, OnePerDay) for r in p.constraints):
            return  # shifts count days only while one shift a day holds
        for lv, team in rows.teams().items():
            for week in range(p.weeks):
                rows.add({k: 1 for k in rows.keys_of_level(lv) if p.types[k[0]].week == week},
                         sum(self.most_days(p, a, week) for a in team))

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        index = {a.agent_id: i for i, a in enumerate(p.agents)}
        out = []
        for aid, shifts in by_agent(p, roster).items():
            for week in range(p.weeks):
                days = {x.day for x in shifts if x.week == week}
                if aid in index and len(days) > self.most_days(p, index[aid], week):
                    out.append(self._v(p, aid, f"works {len(days)} days in week {week + 1}"))
        return out

    def relax(self, rules: Rules) -> Rules:
        if rules.min_days_off_full_time > rules.min_days_off:
            return replace(rules, min_days_off_full_time=rules.min_days_off)
        return replace(rules, min_days_off=0, min_days_off_full_time=0)


RULES: tuple[Rule, ...] = (ShiftShape(), Break(), Availability(), Cap(), OnePerDay(), Rest(),
                           MaxHours(), MinHours(), Consecutive(), DaysOff())
"""Every rule a plan is built and checked with."""


def rule_statements(p: RosterProblem) -> tuple[str, ...]:
    return tuple(r.statement(p.rules) for r in p.constraints if r.in_force(p.rules))


def validate(p: RosterProblem, roster: Roster) -> tuple[Violation, ...]:
    """Every rule's check of a roster (hard and soft)."""
    return tuple(v for r in p.constraints if r.in_force(p.rules) for v in r.check(p, roster))


def allows(p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]) -> str | None:
    """The statement of the first rule that forbids giving agent ``a`` shift ``st`` besides
    ``others`` (None: allowed)."""
    if not p.admitted()[st.index, a]:
        return "not a shift this agent may work (availability, shape, cap or weekly hours)"
    for r in p.constraints:
        if r.in_force(p.rules) and not r.allows(p, a, st, others):
            return r.statement(p.rules)
    return None
