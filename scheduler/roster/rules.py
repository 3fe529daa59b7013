"""The labour rules, each written once: one class per rule holding

- ``statement``: the sentence a plan is explained with (parameters filled in);
- ``violations``: the rule itself, a predicate written from the statement over one agent's
  shifts in datetimes (the week before's included), yielding what is wrong; the validator
  (``check``) and the heuristics' incremental check (``allows``) derive from it;
- ``admits``: which (shift type, agent) candidates the rule allows at all (vectorised; for a
  rule judged ``per_shift`` it is the whole incremental check);
- ``add``: its CP-SAT constraint on a named model's shift Booleans;
- ``aggregate``: its relaxation over shift counts per cap level (the start model and the bound);
- ``relax``: the ``Rules`` without it, for what the rule costs in agent-hours.

An ``allows`` of a rule's own is a faster version of the derived one, used on the search's hot
path; ``tests/roster/test_rule_agreement.py`` checks that every version agrees with the predicate.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from scheduler.domain import LATE_MINUTE, NIGHT_HOURS, WEEKEND_DAYS, Agent, Roster, Shift
from scheduler.params import Rules
from scheduler.roster.problem import (
    BREAK_MARGIN_MINUTES,
    FAIR_KINDS,
    MINUTES_PER_DAY,
    Plan,
    RosterProblem,
    ShiftType,
)

if TYPE_CHECKING:
    from scheduler.roster.model import AggregateRows, NamedModel


@dataclass(frozen=True)
class Violation:
    """A rule a plan breaks: ``kind`` 'hard' (a labour rule or contract) or 'soft' (a
    preference, e.g. fewer hours than ``min_hours_week``); ``key`` the rule's."""

    rule: str
    message: str
    kind: str = "hard"
    agent_id: str = ""
    key: str = ""


class RuleViolationError(ValueError):
    """A plan breaks a hard rule (a bug in the search if it ever comes out of ``solve``)."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        super().__init__("; ".join(v.message for v in violations[:3]))


def _h(x: float) -> str:
    return f"{x:g}"


def minute(p: RosterProblem, t: datetime) -> int:
    """Minutes from the horizon's origin to ``t`` (on the circle when the week is cyclic)."""
    m = int((t - p.origin).total_seconds() // 60)
    return m % p.horizon_minutes if p.cyclic else m


def planned(p: RosterProblem, shifts: Sequence[Shift]) -> list[Shift]:
    """The shifts of the plan among an agent's, without the week before's."""
    return [s for s in shifts if s not in p.before]


def shifts_by_agent(p: RosterProblem, shifts: Sequence[Shift]) -> dict[str, list[Shift]]:
    """Each agent's shifts with their week before's (``p.before``), by start."""
    out: dict[str, list[Shift]] = defaultdict(list)
    for sh in (*p.before, *shifts):
        out[sh.agent_id].append(sh)
    for mine in out.values():
        mine.sort(key=lambda s: minute(p, s.start))
    return out


class Rule:
    """Base class: every hook a no-op. ``key`` names the rule in tests, violations and
    ``relax``; ``kind`` 'soft' for a preference (never forbids a shift); ``per_shift``: the
    predicate judges each shift alone, so ``admits`` is its incremental check; ``team``: the
    rule judges the whole roster, not one agent's shifts (no incremental check: the search
    keeps pinned shifts by construction, and fairness is a preference)."""

    key = ""
    kind = "hard"
    per_shift = False
    team = False
    """Judged over the whole roster (``check`` its own): its CP-SAT terms come after the
    coverage's in the named model."""

    def statement(self, rules: Rules) -> str:
        raise NotImplementedError

    def in_force(self, p: RosterProblem) -> bool:
        return True

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        """What the agent's shifts (by start, the week before's first) break of the rule."""
        return iter(())

    def admits(self, p: RosterProblem) -> np.ndarray | None:
        """(S, A) candidates the rule allows, or None (allows all)."""
        return None

    def add(self, nm: NamedModel) -> None:
        return None

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        """Agent ``a`` may work ``st`` besides ``others``: the predicate finds nothing."""
        if self.kind == "soft":
            return True
        mine = [p.shift(a, o, 0) for o in (*others, st)]
        agent = p.agents[a]
        return next(self.violations(agent, shifts_by_agent(p, mine)[agent.agent_id], p),
                    None) is None

    def aggregate(self, p: RosterProblem, rows: AggregateRows) -> None:
        return None

    def penalty(self, p: RosterProblem, plan: Plan) -> int:
        """A soft rule's cost of a plan (the plain cost's soft term; ``add`` puts the same
        expression in ``nm.soft``)."""
        return 0

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        """The validator: the predicate over every agent's shifts."""
        mine = shifts_by_agent(p, roster.shifts)
        return [Violation(self.statement(p.rules), f"{a.agent_id}: {message}", self.kind,
                          a.agent_id, self.key)
                for a in p.agents for message in self.violations(a, mine[a.agent_id], p)]

    def relax(self, rules: Rules) -> Rules | None:
        """The rules without this one (None: not a rule whose cost is reported)."""
        return None


class ShiftShape(Rule):
    key = "shape"
    per_shift = True

    def statement(self, rules: Rules) -> str:
        lengths = "/".join(_h(h) for h in rules.shift_lengths_hours)
        return (f"shifts of {lengths} h (<= {_h(rules.max_shift_hours_per_day)} h a day) "
                f"starting every {rules.start_step_minutes} min")

    def admits(self, p: RosterProblem) -> np.ndarray:
        ok = {round(h * 60) for h in p.rules.shift_lengths_hours
              if h <= p.rules.max_shift_hours_per_day + 1e-9}
        return np.array([[st.length * p.interval_minutes in ok] for st in p.types], dtype=bool)

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        ok = {round(h * 60) for h in p.rules.shift_lengths_hours
              if h <= p.rules.max_shift_hours_per_day + 1e-9}
        for sh in planned(p, shifts):
            minutes, start = (sh.end - sh.start).total_seconds() / 60, minute(p, sh.start)
            if minutes not in ok:
                yield f"{sh.start:%a %H:%M}: a {minutes / 60:g}-hour shift"
            if start % p.rules.start_step_minutes:
                yield f"{sh.start:%a %H:%M}: start off the start grid"
            if start < 0 or (start + minutes > p.horizon_minutes and not p.cyclic):
                yield f"{sh.start:%a %H:%M}: runs outside the horizon"

    def relax(self, rules: Rules) -> Rules:
        lo, hi = min(rules.shift_lengths_hours), max(rules.shift_lengths_hours)
        return replace(rules, shift_lengths_hours=tuple(
            float(h) for h in range(math.ceil(lo), math.floor(hi) + 1)))


class Break(Rule):
    key = "break"
    per_shift = True

    def statement(self, rules: Rules) -> str:
        if rules.break_after_hours <= 0:
            return "no meal breaks"
        return (f"a {rules.break_minutes}-minute meal break in shifts longer than "
                f"{_h(rules.break_after_hours)} h, not in their first or last 2 h")

    def in_force(self, p: RosterProblem) -> bool:
        return p.rules.break_after_hours > 0

    def _needs(self, rules: Rules, minutes: float) -> bool:
        return rules.break_after_hours > 0 and minutes > rules.break_after_hours * 60

    def admits(self, p: RosterProblem) -> np.ndarray:
        m = p.interval_minutes
        return np.array([[self._needs(p.rules, st.length * m) == (st.break_offset >= 0)]
                         for st in p.types], dtype=bool)

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        margin = timedelta(minutes=BREAK_MARGIN_MINUTES)
        for sh in planned(p, shifts):
            minutes = (sh.end - sh.start).total_seconds() / 60
            if sh.break_start is None or sh.break_end is None:
                if self._needs(p.rules, minutes):
                    yield f"{sh.start:%a %H:%M}: a {minutes / 60:g}-hour shift without a break"
                continue
            length = (sh.break_end - sh.break_start).total_seconds() / 60
            if not (sh.start + margin <= sh.break_start < sh.break_end <= sh.end - margin):
                yield f"{sh.start:%a %H:%M}: break too near an end"
            if self._needs(p.rules, minutes) and length < p.rules.break_minutes:
                yield f"{sh.start:%a %H:%M}: a {length:g}-minute break"

    def relax(self, rules: Rules) -> Rules:
        return replace(rules, break_after_hours=0.0)


class Availability(Rule):
    key = "availability"
    per_shift = True

    def statement(self, rules: Rules) -> str:
        return ("every hour of a shift inside the agent's availability; night hours "
                "(23:00–07:00) and weekends only for agents eligible for them")

    def admits(self, p: RosterProblem) -> np.ndarray:
        bad = (~p.ok).astype(np.int32)
        return np.array([bad[list(st.span)].sum(axis=0) == 0 for st in p.types], dtype=bool
                        ).reshape(len(p.types), len(p.agents))

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        for sh in planned(p, shifts):
            for t in sh.hours:
                d, h = t.weekday(), t.hour
                why = ("not available" if not agent.available[d][h]
                       else "not night-eligible" if h in NIGHT_HOURS and not agent.night_ok
                       else "not weekend-eligible" if d in WEEKEND_DAYS and not agent.weekend_ok
                       else "")
                if why:
                    yield f"{why} at {sh.start:%a} {h:02d}:00"
                    break

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        known = {a.agent_id for a in p.agents}
        return super().check(p, roster) + [
            Violation(self.statement(p.rules), f"{sh.agent_id}: not in the agents file",
                      agent_id=sh.agent_id, key=self.key)
            for sh in roster.shifts if sh.agent_id not in known]


class Cap(Rule):
    key = "cap"
    per_shift = True

    def statement(self, rules: Rules) -> str:
        return (f"each shift's cap among the allowed caps {list(rules.allowed_caps)} and "
                "<= the agent's max_concurrent")

    def admits(self, p: RosterProblem) -> np.ndarray:
        return np.broadcast_to(p.agent_level[None, :] >= 0, (len(p.types), len(p.agents)))

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        for sh in planned(p, shifts):
            if sh.max_concurrent not in p.rules.allowed_caps or (
                    sh.max_concurrent > agent.max_concurrent):
                yield f"{sh.start:%a %H:%M}: cap {sh.max_concurrent}"


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

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        for day, n in Counter(minute(p, sh.start) // MINUTES_PER_DAY for sh in shifts).items():
            if n > 1:
                yield f"{n} shifts start on day {day + 1}"


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

    def admits(self, p: RosterProblem) -> np.ndarray | None:
        """No shift before the rest after the agent's last shift of the week before is over."""
        if not p.before:
            return None
        rest = round(p.rules.min_rest_hours * 60)
        ends: dict[str, int] = {}
        for sh in p.before:
            ends[sh.agent_id] = max(ends.get(sh.agent_id, 0), minute(p, sh.end) + rest)
        starts = np.array([st.start * p.interval_minutes for st in p.types])[:, None]
        return starts >= np.array([ends.get(a.agent_id, 0) for a in p.agents])[None, :]

    def add(self, nm: NamedModel) -> None:
        # two shifts clash iff their arcs [start, end + rest) overlap; every overlapping pair
        # shares the start point of one of them, so one at-most-one per start point suffices
        p = nm.problem
        m, h = p.interval_minutes, p.horizon_minutes
        rest = round(p.rules.min_rest_hours * 60)
        for shifts in nm.shifts.values():
            a0 = np.array([st.start * m for st, _y in shifts], dtype=np.int64)
            a1 = np.array([(st.start + st.length) * m + rest for st, _y in shifts],
                          dtype=np.int64)
            seen: set[tuple[int, ...]] = set()
            for q in sorted(set(a0.tolist())):
                on = (a0 <= q) & (q < a1)
                if p.cyclic:
                    on |= ((a0 <= q + h) & (q + h < a1)) | ((a0 <= q - h) & (q - h < a1))
                group = tuple(np.nonzero(on)[0].tolist())
                if len(group) > 1 and group not in seen:
                    seen.add(group)
                    nm.model.add_at_most_one([shifts[k][1] for k in group])

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        return not any(self._arcs_clash(p, st, o) for o in others)

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        rest, horizon = timedelta(hours=p.rules.min_rest_hours), timedelta(
            minutes=p.horizon_minutes)
        times = sorted((p.origin + timedelta(minutes=minute(p, sh.start)), sh.end - sh.start)
                       for sh in shifts)
        pairs = list(itertools.pairwise(times))
        if p.cyclic and len(times) > 1:
            pairs.append((times[-1], (times[0][0] + horizon, times[0][1])))
        for (start, length), (nxt, _) in pairs:
            if nxt - (start + length) < rest:
                gap = (nxt - start - length).total_seconds() / 3600
                yield f"{gap:g} h between the shift ending {start + length:%a %H:%M} and the next"

    def relax(self, rules: Rules) -> Rules:
        return replace(rules, min_rest_hours=0.0)


def _paid_by_week(p: RosterProblem, shifts: Sequence[Shift]) -> Counter[int]:
    """Paid minutes (breaks excluded) of the plan's shifts per week of the horizon, by start."""
    out: Counter[int] = Counter()
    for sh in planned(p, shifts):
        out[minute(p, sh.start) // (7 * MINUTES_PER_DAY)] += round(sh.paid_hours * 60)
    return out


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

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        for week, paid in sorted(_paid_by_week(p, shifts).items()):
            if paid > agent.max_hours_week * 60 + 1e-6:
                yield f"{paid / 60:g} h in week {week + 1}"


class MinHours(Rule):
    """Soft: each minute below ``min_hours_week`` (pro rata in a partial week) is a penalty."""

    key = "min_hours"
    kind = "soft"

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

    def penalty(self, p: RosterProblem, plan: Plan) -> int:
        paid = np.zeros((len(p.agents), p.weeks), dtype=np.int64)
        for a, s, _lv in plan:
            paid[a, p.types[s].week] += p.types[s].paid_minutes
        return sum(max(0, self.low(p, a, week) - int(paid[a, week]))
                   for a in range(len(p.agents)) for week in range(p.weeks))

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        paid = _paid_by_week(p, shifts)
        for week in range(p.weeks):
            if paid[week] < round(agent.min_hours_week * 60 * p.days_in_week(week) / 7):
                yield (f"{paid[week] / 60:g} h in week {week + 1}, below "
                       f"{agent.min_hours_week:g} h")


class Consecutive(Rule):
    key = "consecutive"

    def statement(self, rules: Rules) -> str:
        return f"at most {rules.max_consecutive_days} consecutive working days"

    def in_force(self, p: RosterProblem) -> bool:
        return p.rules.max_consecutive_days < 7

    def lead(self, p: RosterProblem, a: int) -> int:
        """Days in a row agent ``a`` worked up to the horizon's start (the week before)."""
        lead = p._cache.get("lead")
        if lead is None:
            worked = {(s.agent_id, minute(p, s.start) // MINUTES_PER_DAY) for s in p.before}
            lead = p._cache["lead"] = [0] * len(p.agents)
            for i, agent in enumerate(p.agents):
                while (agent.agent_id, -lead[i] - 1) in worked:
                    lead[i] += 1
        return lead[a]

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
            lead = self.lead(p, a)
            if p.days + lead <= k:
                continue
            days: dict[int, list[Any]] = defaultdict(list)
            for st, y in shifts:
                days[st.day].append(y)
            first = 0 if p.cyclic else -min(lead, k)  # windows that reach into the horizon
            for d0 in range(first, p.days if p.cyclic else p.days - k):
                window = [(d0 + i) % p.days if p.cyclic else d0 + i for i in range(k + 1)]
                before = sum(1 for d in window if d < 0)
                if all(d < 0 or d in days for d in window):
                    nm.model.add(sum(y for d in window if d >= 0 for y in days[d])
                                 <= k - before)

    def allows(self, p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]
               ) -> bool:
        return not self._too_long(p, {o.day for o in others} | {st.day}, self.lead(p, a))

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        k = p.rules.max_consecutive_days
        days = sorted({minute(p, sh.start) // MINUTES_PER_DAY for sh in shifts})
        if p.cyclic and days:  # the week goes round: a run may pass Sunday into Monday
            if len(days) == p.days:
                days = list(range(2 * p.days)) if p.days > k else []
            else:
                days += [d + p.days for d in days]
        run = 0
        for i, d in enumerate(days):
            run = run + 1 if i and days[i - 1] == d - 1 else 1
            if run > k and d >= 0:
                yield f"works {run} days in a row up to day {d % p.days + 1}"
                return

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

    def in_force(self, p: RosterProblem) -> bool:
        return max(p.rules.min_days_off, p.rules.min_days_off_full_time) > 0

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

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        r = p.rules
        off = max(r.min_days_off, r.min_days_off_full_time) \
            if agent.max_hours_week >= r.full_time_hours else r.min_days_off
        worked = Counter(day // 7 for day in {minute(p, sh.start) // MINUTES_PER_DAY
                                               for sh in planned(p, shifts)})
        for week, n in sorted(worked.items()):
            if n > 7 - off:
                yield f"works {n} days in week {week + 1}"

    def relax(self, rules: Rules) -> Rules:
        if rules.min_days_off_full_time > rules.min_days_off:
            return replace(rules, min_days_off_full_time=rules.min_days_off)
        return replace(rules, min_days_off=0, min_days_off_full_time=0)


@dataclass(frozen=True)
class FairGroup:
    """One fairness term: the agents who may work ``kind`` shifts (``FAIR_KINDS``), each
    agent's count weighed by ``scale[a]`` (10 x the group's most opportunities / the agent's:
    how many days a week their availability allows such a shift) and started at
    ``offset[a]`` (their count over the last published weeks, weighed the same)."""

    kind: str
    scale: dict[int, int]
    offset: dict[int, int]

    def counts(self, p: RosterProblem, plan: Plan) -> dict[int, int]:
        """Each member's weighed count with ``plan``'s shifts."""
        out = dict(self.offset)
        for a, s, _lv in plan:
            if a in out and getattr(p.types[s], self.kind):
                out[a] += self.scale[a]
        return out


def opportunities(p: RosterProblem, kind: str) -> np.ndarray:
    """(A,) days of the week on which each agent may work a ``kind`` shift."""
    days = p.intervals * p.interval_minutes // MINUTES_PER_DAY
    if not p.agents:
        return np.zeros(0, dtype=np.int64)
    per_day = p.ok.reshape(days, -1, len(p.agents))
    if kind == "night":
        hours = p.night.reshape(days, -1)
    elif kind == "weekend":
        hours = p.weekend.reshape(days, -1)
    else:
        step = p.interval_minutes
        hours = np.tile((np.arange(MINUTES_PER_DAY // step) * step) >= LATE_MINUTE, (days, 1))
    return np.asarray((per_day & hours[:, :, None]).any(axis=1).sum(axis=0))


class Fairness(Rule):
    """Soft, team-level: the spread (most - fewest) of each kind's weighed counts
    (``FairGroup``) is a penalty; an agent with two or more such shifts above another who may
    work them as often is a soft violation."""

    key = "fairness"
    kind = "soft"
    team = True

    def statement(self, rules: Rules) -> str:
        return ("night, weekend and late-finish shifts spread evenly over the agents who may "
                "work them, counting the last published weeks (a preference)")

    def groups(self, p: RosterProblem) -> list[FairGroup]:
        """The fairness terms (computed once)."""
        cached = p._cache.get("fair")
        if cached is None:
            cached = []
            for k, kind in enumerate(FAIR_KINDS):
                opp = opportunities(p, kind)
                members = [int(a) for a in np.nonzero(opp)[0]]
                if len(members) < 2:
                    continue
                top = int(opp.max())
                scale = {a: round(10 * top / int(opp[a])) for a in members}
                offset = {a: scale[a] * (p.history[a][k] if p.history else 0) for a in members}
                cached.append(FairGroup(kind, scale, offset))
            p._cache["fair"] = cached
        return list(cached)

    def penalty(self, p: RosterProblem, plan: Plan) -> int:
        return sum(max(c.values()) - min(c.values())
                   for c in (g.counts(p, plan) for g in self.groups(p)))

    def add(self, nm: NamedModel) -> None:
        p, m = nm.problem, nm.model
        for g in self.groups(p):
            counts = g.counts(p, tuple(x for x in nm.fixed if x[0] not in nm.shifts))
            top = max(counts.values()) + 7 * p.weeks * max(g.scale.values())
            hi = m.new_int_var(0, top, f"{g.kind}_max")
            lo = m.new_int_var(0, top, f"{g.kind}_min")
            for a in counts:
                c = (counts[a] + sum(g.scale[a] * y for st, y in nm.shifts[a]
                                     if getattr(st, g.kind)) if a in nm.shifts else counts[a])
                m.add(hi >= c)
                m.add(lo <= c)
            nm.soft.append(hi - lo)

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        plan = p.plan_of(roster)
        out = []
        for g in self.groups(p):
            counts = g.counts(p, plan)
            shifts = {a: counts[a] / g.scale[a] for a in counts}  # this week's and past
            most = max(counts, key=lambda a: (shifts[a], -a))
            fewest = min((a for a in counts if g.scale[a] <= g.scale[most]),
                         key=lambda a: (shifts[a], a))
            if shifts[most] - shifts[fewest] >= 2:
                names = p.agents[most].agent_id, p.agents[fewest].agent_id
                out.append(Violation(
                    self.statement(p.rules), f"{g.kind} shifts: {names[0]} has "
                    f"{shifts[most]:g}, {names[1]} {shifts[fewest]:g} (and may work them as "
                    "often)", self.kind, names[0], self.key))
        return out


class Pinned(Rule):
    """Shifts already worked or promised (a re-plan's kept shifts, ``p.pinned``) stay as they
    are: the search never drops, moves or re-caps them; this is their check."""

    key = "pinned"
    team = True

    def statement(self, rules: Rules) -> str:
        return "shifts already worked or promised stay as they are"

    def in_force(self, p: RosterProblem) -> bool:
        return bool(p.pinned)

    def check(self, p: RosterProblem, roster: Roster) -> list[Violation]:
        kept = set(roster.shifts)
        return [Violation(self.statement(p.rules), f"{sh.agent_id}: the shift "
                          f"{sh.start:%a %H:%M}-{sh.end:%H:%M} was dropped or changed",
                          agent_id=sh.agent_id, key=self.key)
                for sh in (p.shift(a, p.types[s], lv) for a, s, lv in p.pinned)
                if sh not in kept]


class Cutoff(Rule):
    """A re-plan from a cut-off: no new shift starts before it (the kept ones are pinned)."""

    key = "cutoff"
    per_shift = True

    def statement(self, rules: Rules) -> str:
        return "no new shift starts before the re-plan's cut-off"

    def in_force(self, p: RosterProblem) -> bool:
        return p.first_start > 0

    def admits(self, p: RosterProblem) -> np.ndarray:
        return np.array([[st.start >= p.first_start] for st in p.types], dtype=bool)

    def violations(self, agent: Agent, shifts: Sequence[Shift], p: RosterProblem
                   ) -> Iterator[str]:
        cut = p.at(p.first_start)
        kept = {p.shift(a, p.types[s], lv) for a, s, lv in p.pinned}
        for sh in planned(p, shifts):
            if minute(p, sh.start) < p.first_start * p.interval_minutes and sh not in kept:
                yield f"{sh.start:%a %H:%M}: a new shift before the cut-off {cut:%a %H:%M}"


RULES: tuple[Rule, ...] = (ShiftShape(), Break(), Availability(), Cap(), OnePerDay(), Rest(),
                           MaxHours(), MinHours(), Consecutive(), DaysOff(), Fairness(),
                           Pinned(), Cutoff())
"""Every rule a plan is built and checked with."""


def rule_statements(p: RosterProblem) -> tuple[str, ...]:
    return tuple(r.statement(p.rules) for r in p.constraints if r.in_force(p))


def validate(p: RosterProblem, roster: Roster) -> tuple[Violation, ...]:
    """Every rule's check of a roster (hard and soft)."""
    return tuple(v for r in p.constraints if r.in_force(p) for v in r.check(p, roster))


def allows(p: RosterProblem, a: int, st: ShiftType, others: Sequence[ShiftType]) -> str | None:
    """The statement of the first rule that forbids giving agent ``a`` shift ``st`` besides
    ``others`` (None: allowed)."""
    if not p.admitted()[st.index, a]:
        return "not a shift this agent may work (availability, shape, cap or weekly hours)"
    for r in p.constraints:
        if r.in_force(p) and not (r.per_shift or r.team) and not r.allows(p, a, st, others):
            return r.statement(p.rules)
    return None
