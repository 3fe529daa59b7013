"""The roster problem, built once: time grid, shift types, agents, their cap levels and what
each interval needs from each cap level (no ortools here).

- The horizon is ``T`` intervals of ``interval_minutes`` from a Monday 00:00 (a week at 30
  minutes: T = 336). When ``rules.cyclic`` the horizon is a circle: a shift starting Sunday
  20:00 covers Monday 00:00-04:00 of the same standing week.
- A shift type is (start, length, break offset). Shifts longer than ``rules.break_after_hours``
  carry a ``rules.break_minutes`` break at one of three offsets around their middle.
- Each agent works at one cap level, the cap policy's: ``max`` runs every shift at the highest
  allowed cap <= the agent's ``max_concurrent``; ``lowest`` starts there and lowers a shift's cap
  afterwards wherever that costs no agent-hours (``search.lower_caps``).
- **Coverage, linear with mixed caps.** ``need[t, l]`` is the fractional number of agents at cap
  level ``l`` that meet interval t's target (interpolated on the staffing table's service curve
  between whole agents). A team covers t when ``sum_l x_l(t) / need[t, l] >= 1``, with ``x_l(t)``
  its agents on duty at level ``l``. In integers: each agent on duty adds
  ``cover[t, l] = round(SCALE / need[t, l])`` and t is covered at ``SCALE - SLACK``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np

from scheduler.domain import (
    LATE_MINUTE,
    NIGHT_HOURS,
    WEEKEND_DAYS,
    Agent,
    Requirements,
    Roster,
    Shift,
    carried_in,
)
from scheduler.errors import InfeasiblePlanError, InputError
from scheduler.params import ChatModel, Rules, SearchParams, ServiceTarget

SCALE = 10_000
"""An interval's requirement in cover units (one interval fully covered)."""
SLACK = 20
"""Rounding allowance: an interval counts as covered at ``SCALE - SLACK`` (0.2% of one
requirement; each agent's rounded share is off by at most half a unit)."""
MINUTES_PER_DAY = 1440
BREAK_OFFSETS_MINUTES = (-60, 0, 60)
"""A meal break starts at the middle of its shift or an hour either side..."""
BREAK_MARGIN_MINUTES = 120
"""...never in the first or last two hours of the shift."""
FAIR_KINDS = ("night", "weekend", "late")
"""What fairness evens out across agents: night shifts (any hour in 23:00-07:00), weekend
shifts and late finishes (after 22:00)."""
Plan = tuple[tuple[int, int, int], ...]
"""(agent, shift type, level) assignments, sorted."""
REPLY_SCALE = 100
"""Weekly mode: expected replies within the deadline in hundredths of a session."""


@dataclass(frozen=True)
class ShiftType:
    """A candidate shift on the horizon, in intervals; ``break_offset`` -1 means no break.
    ``duty`` lists the intervals (modulo T) the agent takes chats in, ``span`` every interval
    of the shift including the break."""

    index: int
    start: int
    length: int
    break_offset: int
    day: int
    paid_minutes: int
    duty: tuple[int, ...]
    span: tuple[int, ...]
    night: bool
    weekend: bool
    wraps: bool
    late: bool = False
    """Ends after 22:00 (or past midnight)."""

    @property
    def week(self) -> int:
        return self.day // 7


@dataclass(frozen=True)
class Envelope:
    """Weekly and daily modes: per interval, expected replies within the deadline (hundredths
    of a session) as a concave piecewise-linear function of the cover units on duty: for every
    line ``(a, b)``, ``replies * SCALE <= a * cover + b``; ``periods`` the (first interval, end
    interval, replies needed) the target is judged over: the week, or each day."""

    lines: tuple[tuple[tuple[int, int], ...], ...]
    periods: tuple[tuple[int, int, int], ...]

    def gap(self, replies: np.ndarray) -> int:
        """Replies (hundredths) the periods miss their targets by, summed."""
        return sum(max(0, need - int(replies[t0:t1].sum())) for t0, t1, need in self.periods)


@dataclass(frozen=True)
class RosterProblem:
    """Everything a roster search needs, built once by :func:`build_problem`."""

    requirements: Requirements
    agents: tuple[Agent, ...]
    chat: ChatModel
    service: ServiceTarget
    rules: Rules
    search: SearchParams
    origin: datetime
    interval_minutes: int
    intervals: int
    days: int
    caps: tuple[int, ...]
    """Usable cap levels, ascending."""
    agent_level: np.ndarray
    """(A,) each agent's cap level under the policy (-1: no usable level)."""
    types: tuple[ShiftType, ...]
    ok: np.ndarray
    """(T, A) the agent may work in interval t (availability, night and weekend)."""
    need: np.ndarray
    """(T, L) agents at level l that meet interval t (0: no demand; inf: level ruled out)."""
    cover: np.ndarray
    """(T, L) int cover units one agent at level l adds in t (see the module docstring)."""
    sessions: np.ndarray
    night: np.ndarray
    weekend: np.ndarray
    type_level: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    """(S, L) the level a shift of type s runs at for an agent whose policy level is l: l,
    or the highest lower level not ruled out anywhere on the shift's duty."""
    envelope: Envelope | None = None
    floor: Requirements | None = None
    """Daily and weekly modes: the table each interval must meet on its own (the hourly floor
    at a spike's count), ``need`` is its; None: ``requirements``' own."""
    constraints: tuple = field(default=())
    """The rule objects in force (``rules.RULES`` unless a test removed one)."""
    pinned: tuple[tuple[int, int, int], ...] = ()
    """(agent, type, level) assignments every plan keeps as they are (shifts already worked or
    promised); the search never drops, moves or re-caps them."""
    carried: np.ndarray | None = None
    """(T,) cover units on duty from shifts outside the plan (last week's shift running into
    this one, a shift cut short at a cut-off), or None."""
    first_start: int = 0
    """No new shift starts before this interval (a re-plan's cut-off)."""
    history: tuple[tuple[int, int, int], ...] = ()
    """Per agent, the night, weekend and late shifts (``FAIR_KINDS``) of the last published
    weeks: fairness counts them with this week's; empty: this week alone."""
    before: tuple[Shift, ...] = ()
    """The published week before's shifts (rest and days in a row count across the boundary);
    empty when there is none, always on a standing (cyclic) week."""
    need_scale: dict[int, float] = field(default_factory=dict)
    """Intervals whose requirement was raised by a factor (``build_problem``'s)."""
    _cache: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def weeks(self) -> int:
        return math.ceil(self.days / 7)

    @property
    def cyclic(self) -> bool:
        return self.rules.cyclic

    @property
    def horizon_minutes(self) -> int:
        return self.intervals * self.interval_minutes

    @property
    def week_start(self) -> date:
        return self.origin.date()

    def admitted(self) -> np.ndarray:
        """(S, A) candidates every rule in force admits (computed once)."""
        cached = self._cache.get("admitted")
        if cached is None:
            cached = np.ones((len(self.types), len(self.agents)), dtype=bool)
            for r in self.constraints:
                if r.in_force(self):
                    got = r.admits(self)
                    if got is not None:
                        cached = cached & got
            self._cache["admitted"] = cached
        return cached

    def on_duty_types(self) -> list[list[int]]:
        """For each interval, the shift types on duty in it (computed once)."""
        cached = self._cache.get("on_duty")
        if cached is None:
            cached = [[] for _ in range(self.intervals)]
            for st in self.types:
                for t in st.duty:
                    cached[t].append(st.index)
            self._cache["on_duty"] = cached
        return cached

    @property
    def demand(self) -> np.ndarray:
        """(T,) intervals with a requirement."""
        return np.asarray((self.need > 0).any(axis=1) & (self.sessions > 0))

    def at(self, t: int) -> datetime:
        return self.origin + timedelta(minutes=self.interval_minutes * t)

    def label(self, first: int, last: int | None = None) -> str:
        """'Mon 02:00' for one interval, 'Mon 02:00–06:00' for first..last inclusive."""
        start = self.at(first % self.intervals)
        if last is None:
            return f"{start:%a} {start:%H:%M}"
        end = start + timedelta(minutes=self.interval_minutes * (last - first + 1))
        return f"{start:%a} {start:%H:%M}–{end:%H:%M}"

    def days_in_week(self, week: int) -> int:
        return min(7, self.days - 7 * week)

    def shift(self, agent: int, st: ShiftType, level: int) -> Shift:
        """The domain shift; one that wraps past the end of a cyclic horizon is dated one
        horizon earlier (it starts the Sunday before and carries into Monday 00:00)."""
        start = self.at(st.start)
        if st.wraps:
            start -= timedelta(minutes=self.horizon_minutes)
        end = start + timedelta(minutes=self.interval_minutes * st.length)
        b0 = b1 = None
        if st.break_offset >= 0:
            b0 = start + timedelta(minutes=self.interval_minutes * st.break_offset)
            b1 = b0 + timedelta(minutes=self.interval_minutes * st.length - st.paid_minutes)
        return Shift(self.agents[agent].agent_id, start, end, self.caps[level], b0, b1)

    def roster(self, plan: tuple[tuple[int, int, int], ...]) -> Roster:
        """The domain roster of (agent, type, level) assignments, sorted by start then agent."""
        shifts = sorted((self.shift(a, self.types[s], lv) for a, s, lv in plan),
                        key=lambda sh: (sh.start, sh.agent_id))
        return Roster(week_start=self.week_start, shifts=tuple(shifts), agents=self.agents,
                      before=carried_in(self.before, self.week_start))

    def plan_of(self, roster: Roster) -> tuple[tuple[int, int, int], ...]:
        """(agent, type, level) of a roster's shifts that fit this problem's grid (a warm start;
        shifts of unknown agents or off-grid shapes are dropped)."""
        index = {a.agent_id: i for i, a in enumerate(self.agents)}
        by_shape = {(st.start, st.length, st.break_offset): st.index for st in self.types}
        m = self.interval_minutes
        out = []
        for sh in roster.shifts:
            a = index.get(sh.agent_id)
            minutes = int((sh.start - self.origin).total_seconds() // 60)
            if self.cyclic:
                minutes %= self.horizon_minutes
            length = int((sh.end - sh.start).total_seconds() // 60)
            off = -1 if sh.break_start is None else int(
                (sh.break_start - sh.start).total_seconds() // 60) // m
            s = by_shape.get((minutes // m, length // m, off))
            if a is None or s is None or minutes % m or sh.max_concurrent not in self.caps:
                continue
            out.append((a, s, self.caps.index(sh.max_concurrent)))
        return tuple(sorted(set(out)))

    def with_fixed(self, pinned: tuple[Shift, ...], outside: tuple[Shift, ...] = (),
                   first_start: datetime | None = None) -> RosterProblem:
        """This problem with ``pinned`` shifts also kept in every plan, the cover of
        ``outside`` shifts (not part of the plan: last week's, or cut short) also counted on
        duty, and no new shift before ``first_start`` (rounded up to the interval grid). A
        pinned shift off this problem's grid or of an unknown agent raises ``InputError``."""
        plan = self.plan_of(Roster(self.week_start, pinned))
        if len(plan) != len(set(pinned)):
            known = {self.shift(a, self.types[s], lv) for a, s, lv in plan}
            bad = next(sh for sh in pinned if sh not in known)
            raise InputError(f"a pinned shift is not one this plan can hold (agent, start grid, "
                             f"length and break as the rules allow): {bad.agent_id} "
                             f"{bad.start:%a %m-%d %H:%M}-{bad.end:%H:%M}")
        carried = (np.zeros(self.intervals, dtype=np.int64) if self.carried is None
                   else self.carried.copy())
        for sh in outside:
            lv = max((i for i, c in enumerate(self.caps) if c <= sh.max_concurrent), default=0)
            for t in range(self.intervals):
                mid = self.at(t) + timedelta(minutes=self.interval_minutes / 2)
                if sh.on_duty(mid):
                    carried[t] += self.cover[t, lv]
        first = 0
        if first_start is not None:
            minutes = (first_start - self.origin).total_seconds() / 60
            first = max(0, math.ceil(minutes / self.interval_minutes - 1e-9))
        return replace(self, pinned=tuple(sorted(set(self.pinned) | set(plan))),
                       carried=carried if carried.any() else None,
                       first_start=max(first, self.first_start))


def _need(requirements: Requirements, levels: list[int]) -> np.ndarray:
    """(T, L) fractional agents meeting the table's target, interpolated between whole agents
    on the service curve (0 without sessions; inf where the level is ruled out)."""
    service = np.asarray(requirements.service, dtype=float)[:, levels, :]
    required = np.asarray(requirements.required, dtype=np.int64)[:, levels]
    feasible = np.asarray(requirements.feasible, dtype=bool)[:, levels]
    sessions = np.asarray(requirements.sessions, dtype=float)
    out = np.zeros(required.shape)
    target = requirements.target
    for t, k in zip(*np.nonzero(required > 0), strict=True):
        if not feasible[t, k] or sessions[t] <= 0:
            out[t, k] = math.inf if sessions[t] > 0 else 0.0
            continue
        n = int(required[t, k])
        lo, hi = service[t, k, n - 1], service[t, k, n]
        frac = 1.0 if hi - lo <= 1e-12 else (target - lo) / (hi - lo)
        out[t, k] = n - 1 + min(1.0, max(1e-3, frac))
    out[(~feasible) & (sessions[:, None] > 0)] = math.inf
    return out


def _types(rules: Rules, t_count: int, m: int, night: np.ndarray, weekend: np.ndarray
           ) -> tuple[ShiftType, ...]:
    """The catalogue: the rules' lengths and every whole hour between them, each long shift
    with and without a break (the rules admit theirs; the rest is there to price a rule)."""
    allowed = [h for h in rules.shift_lengths_hours if h <= rules.max_shift_hours_per_day + 1e-9]
    lengths = sorted({round(h * 60) for h in allowed} | {
        60 * h for h in range(math.ceil(min(allowed)), math.floor(max(allowed)) + 1)
        if (60 * h) % m == 0})
    ipd = MINUTES_PER_DAY // m
    out: list[ShiftType] = []
    for start in range(0, t_count, rules.start_step_minutes // m):
        for minutes in lengths:
            length = minutes // m
            wraps = start + length > t_count
            if wraps and not rules.cyclic:
                continue
            span = tuple((start + i) % t_count for i in range(length))
            offsets, b_len = [-1], 0
            if rules.break_after_hours > 0 and minutes > rules.break_after_hours * 60:
                b_len = max(1, math.ceil(rules.break_minutes / m))
                mid = (length - b_len) // 2
                lo, hi = BREAK_MARGIN_MINUTES // m, length - b_len - BREAK_MARGIN_MINUTES // m
                offsets = [-1, *(sorted({mid + d // m for d in BREAK_OFFSETS_MINUTES
                                         if lo <= mid + d // m <= hi}) or [max(1, mid)])]
            for off in offsets:
                duty = tuple(span[i] for i in range(length)
                             if not (off >= 0 and off <= i < off + b_len))
                out.append(ShiftType(
                    index=len(out), start=start, length=length, break_offset=off,
                    day=start // ipd,
                    paid_minutes=minutes - (rules.break_minutes if off >= 0 else 0),
                    duty=duty, span=span, night=bool(night[list(span)].any()),
                    weekend=bool(weekend[list(span)].any()), wraps=wraps,
                    late=(start * m) % MINUTES_PER_DAY + minutes > LATE_MINUTE))
    return tuple(out)


def _envelope(requirements: Requirements, need: np.ndarray, levels: list[int],
              target: float, period: int) -> Envelope:
    """Concave envelopes of expected 3-minute replies against cover units, on the curve of the
    highest level usable in each interval (agents of other levels count by their cover)."""
    service = np.asarray(requirements.service, dtype=float)
    sessions = np.asarray(requirements.sessions, dtype=float)
    lines: list[tuple[tuple[int, int], ...]] = []
    for t in range(len(sessions)):
        usable = [i for i in range(len(levels)) if 0 < need[t, i] < math.inf]
        if sessions[t] <= 0 or not usable:
            lines.append(())
            continue
        lv = usable[-1]
        ys = np.maximum.accumulate(service[t, levels[lv], :] * sessions[t] * REPLY_SCALE)
        per_agent = SCALE / need[t, lv]  # cover units of one agent at that level
        hull: list[tuple[float, float]] = []
        for p in zip(np.arange(len(ys)) * per_agent, ys, strict=True):
            while len(hull) >= 2 and ((hull[-1][1] - hull[-2][1]) * (p[0] - hull[-2][0])
                                      <= (p[1] - hull[-2][1]) * (hull[-1][0] - hull[-2][0])):
                hull.pop()
            hull.append((float(p[0]), float(p[1])))
        out = []
        for (x1, y1), (x2, y2) in itertools.pairwise(hull):
            a = (y2 - y1) / (x2 - x1)
            out.append((math.floor(a * SCALE), math.floor((y1 - a * x1) * SCALE)))
        out.append((0, math.floor(ys[-1] * SCALE)))
        lines.append(tuple(out))
    periods = tuple((t0, min(t0 + period, len(sessions)),
                     math.ceil(REPLY_SCALE * target * sessions[t0:t0 + period].sum() - 1e-9))
                    for t0 in range(0, len(sessions), period))
    return Envelope(tuple(lines), periods)


def build_problem(
    requirements: Requirements,
    agents: tuple[Agent, ...] | list[Agent],
    *,
    chat: ChatModel,
    service: ServiceTarget,
    rules: Rules,
    search: SearchParams | None = None,
    need_scale: dict[int, float] | None = None,
    floor: Requirements | None = None,
) -> RosterProblem:
    """Build the problem; raises ``InputError`` on a malformed staffing table and
    ``InfeasiblePlanError`` when no cap level is allowed. ``need_scale``: intervals whose
    requirement is raised by a factor (where an exact check of the mixed team found the
    linear coverage short). ``floor``: daily and weekly modes, the table every interval must
    meet on its own (its intervals and caps those of ``requirements``, whose sessions and
    curves price the period's target)."""
    from scheduler.roster.rules import RULES

    m = int(requirements.interval_minutes)
    t_count = requirements.intervals
    if t_count == 0 or (t_count * m) % MINUTES_PER_DAY:
        raise InputError("the staffing table must cover whole days",
                         value=f"{t_count} intervals of {m} min")
    origin = requirements.interval_starts[0]
    if origin.weekday() or origin.hour or origin.minute:
        raise InputError("the staffing table must start on a Monday at 00:00", value=origin)
    if rules.start_step_minutes % m or any((h * 60) % m for h in rules.shift_lengths_hours):
        raise InputError(f"shift starts and lengths must be whole {m}-minute intervals",
                         column="shift_lengths_hours", value=rules.shift_lengths_hours)
    levels = [k for k, c in enumerate(requirements.caps) if c in rules.allowed_caps]
    if not levels:
        raise InfeasiblePlanError(
            f"no reception cap is allowed by both the staffing table {list(requirements.caps)} "
            f"and the rules {list(rules.allowed_caps)}: allow one of the table's caps")
    caps = tuple(requirements.caps[k] for k in levels)
    team = tuple(agents)
    hour = (np.arange(t_count) * m // 60) % 168
    night = np.isin(hour % 24, sorted(NIGHT_HOURS))
    weekend = np.isin(hour // 24, sorted(WEEKEND_DAYS))
    ok = np.ones((t_count, len(team)), dtype=bool)
    for i, a in enumerate(team):
        mask = np.array([a.available[h // 24][h % 24] for h in range(168)], dtype=bool)[hour]
        ok[:, i] = mask & (a.night_ok | ~night) & (a.weekend_ok | ~weekend)
    if floor is not None and (floor.interval_starts != requirements.interval_starts
                              or floor.caps != requirements.caps):
        raise ValueError("the floor table must have the staffing table's intervals and caps")
    need = _need(floor if floor is not None else requirements, levels)
    for t, factor in (need_scale or {}).items():
        need[t] *= factor
    with np.errstate(divide="ignore"):
        cover = np.where((need > 0) & np.isfinite(need), np.round(SCALE / need), 0)
    level = np.array([max((i for i, c in enumerate(caps) if c <= a.max_concurrent), default=-1)
                      for a in team], dtype=np.int64)
    types = _types(rules, t_count, m, night, weekend)
    ruled_out = np.isinf(need)
    type_level = np.zeros((len(types), len(caps)), dtype=np.int64)
    for st in types:
        bad = ruled_out[list(st.duty)].any(axis=0)
        for top in range(len(caps)):
            type_level[st.index, top] = next(
                (lv for lv in range(top, -1, -1) if not bad[lv]), top)
    period = {"weekly": t_count, "daily": MINUTES_PER_DAY // m}.get(service.mode)
    envelope = (_envelope(requirements, need, levels, service.target, period)
                if period is not None else None)
    return RosterProblem(
        requirements=requirements, agents=team, chat=chat, service=service, rules=rules,
        search=search or SearchParams(), origin=origin, interval_minutes=m, intervals=t_count,
        days=t_count * m // MINUTES_PER_DAY, caps=caps, agent_level=level,
        types=types, type_level=type_level, ok=ok, need=need,
        cover=cover.astype(np.int64), sessions=np.asarray(requirements.sessions, dtype=float),
        night=night, weekend=weekend, envelope=envelope, floor=floor, constraints=RULES,
        need_scale=dict(need_scale or {}))
