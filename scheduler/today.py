"""Today: the rest of the day re-forecast from the counts so far, and each remaining hour's
chance of keeping the target with the team on duty (issue 32, its first part).

- **The counts so far** (``known_counts``): the hours of the plan's week that are over at
  ``now``; a row for an hour not over yet (after ``now``, or the hour ``now`` falls in) is left
  out with a warning, never read; so is a row outside the week; a finished hour of today with
  no row is unknown (not zero), said once.
- **The rest of the day** (``look_at_today``): the week-ahead forecast times what the counts so
  far say of the week's and the day's level (``scenarios.level_given``: the shop's own error
  layers decide how far a morning moves the rest of the day; a lone spike hour moves nothing).
- **Each remaining hour's chance**: the scenario weeks drawn given the counts so far
  (``report.scenario_counts(..., known=...)``), the team's rates at each scenario count (the
  queueing model mapped onto the simulator's with the published roster's map, as
  ``report.scenario_rates`` does), the share in which the hour keeps the target; and the
  chance today's 00:00-24:00 rate keeps it. Every team of the day (an absence, an action) is
  judged with that one map and the same scenarios and scatter, so only the hours it changes
  change.
- **Actions** (``propose``): call an off-duty agent in (at least ``call_lead_minutes`` ahead,
  within their availability) or extend a running shift (paid at ``overtime_pay_factor``), the
  one closing the most chance per paid hour first, each checked with every labour rule on the
  changed roster.

Agents reported absent from a time (``--absent A03@10:00``) have their shifts ended there for
the rest of the day (``Shift.ended_at``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from scheduler.book import Book, PublishedVersion
from scheduler.context import roster_problem
from scheduler.domain import Agent, Forecast, Requirements, Roster, Shift
from scheduler.errors import InputError
from scheduler.io import plan_inputs
from scheduler.params import ChatModel, PlanParams
from scheduler.pipeline import requirements_for
from scheduler.report import (
    SCATTER_SALT,
    hour_rates,
    in_week_shifts,
    on_duty_caps,
    scenario_counts,
    simulated_map,
)
from scheduler.risk import BUSY_SESSIONS, RateMap, day_lack, hour_misses, rate_curves
from scheduler.roster import validate
from scheduler.scenarios import level_given

TODAY_SALT = 43
"""Seeds today's scenario weeks apart from those a plan's chance is reported on."""


@dataclass(frozen=True)
class Absence:
    """An agent gone from ``start`` for the rest of that day (a sick call)."""

    agent_id: str
    start: datetime

    @staticmethod
    def parse(text: str, day: date) -> Absence:
        """``A03@10:00`` (on ``day``) or ``A03@2026-12-08 10:00``."""
        agent, sep, when = text.partition("@")
        for fmt in ("%H:%M", "%Y-%m-%d %H:%M"):
            try:
                at = datetime.strptime(when.strip(), fmt)
            except ValueError:
                continue
            if fmt == "%H:%M":
                at = datetime.combine(day, at.time())
            if sep and agent.strip():
                return Absence(agent.strip(), at)
        raise InputError("--absent: expected AGENT@HH:MM (e.g. A03@10:00)", value=text)


AT_RISK = 0.8
"""An hour still to come whose chance of keeping the target is under this is at risk; the
actions aim to lift every such hour to it."""

MAX_ACTIONS = 6
"""Actions proposed at most: each the one that closes the most chance per paid hour."""


@dataclass(frozen=True)
class Action:
    """One move that restores hours at risk: ``call`` an off-duty agent for a new ``shift``, or
    ``extend`` an agent's shift to ``shift`` (paid at the overtime factor past its planned end).
    ``paid_hours``: what it adds to the day's pay, in hours; ``helped``: the hours whose chance
    it raises, with the chance before and after."""

    kind: str
    agent_id: str
    shift: Shift
    paid_hours: float
    helped: tuple[tuple[datetime, float, float], ...]

    @property
    def text(self) -> str:
        s = self.shift
        lift = ", ".join(f"{h:%H:%M} {a:.0%}->{b:.0%}" for h, a, b in self.helped[:4])
        if self.kind == "call":
            what = (f"call {self.agent_id} in for {s.start:%H:%M}-{s.end:%H:%M} at cap "
                    f"{s.max_concurrent}")
        else:
            what = f"extend {self.agent_id}'s shift to end at {s.end:%H:%M} (overtime)"
        return f"{what}: +{self.paid_hours:g} paid h; {lift}"


class _Judge:
    """Each of today's hours' chance of keeping the target for a changed team, fast: the
    published roster's map onto the simulator and the same scenario counts and scatter, the
    queueing model of the changed team on today's hours only."""

    def __init__(self, roster: Roster, req: Requirements, chat: ChatModel,
                 sessions: np.ndarray, target: float, day: int) -> None:
        self.req, self.chat, self.target = req, chat, target
        self.hours = slice(24 * day, 24 * day + 24)
        self.sessions = sessions[:, self.hours]
        self.fix: RateMap = simulated_map(roster, chat, hour_rates(roster, req, chat), sessions)
        rng = np.random.default_rng([int(np.asarray(sessions).sum()), SCATTER_SALT])
        self.normals = rng.standard_normal(sessions.shape)[:, self.hours]

    def rates(self, team: Roster) -> np.ndarray:
        """``(n, 24)``: today's hours' 3-minute rates with ``team`` in each scenario."""
        rate_at = hour_rates(team, self.req, self.chat)[self.hours]
        curves = rate_curves(rate_at, self.sessions)
        return self.fix.draw(curves.at(self.sessions), self.sessions, normals=self.normals)

    def keep(self, team: Roster) -> np.ndarray:
        """Each of today's hours' chance of keeping the target with ``team``."""
        return 1.0 - hour_misses(self.sessions, self.rates(team), self.target).mean(axis=0)

    def day_chance(self, team: Roster) -> float:
        """The chance today's 00:00-24:00 rate keeps the target with ``team``."""
        return float((day_lack(self.sessions, self.rates(team), self.target)[:, 0]
                      <= 0).mean())


def _cap_for(agent: Agent, params: PlanParams) -> int:
    return max((c for c in params.rules.allowed_caps if c <= agent.max_concurrent),
               default=min(params.rules.allowed_caps))


def _candidates(team: Roster, agents: Sequence[Agent], params: PlanParams, now: datetime,
                absent: set[str], risky: list[datetime]) -> list[tuple[str, Shift, float]]:
    """(kind, shift, paid hours) of every call and extension that reaches an hour at risk:
    a call starts on the start grid at least ``call_lead_minutes`` from now, lasts a shift
    length that needs no break, at the agent's own cap; an extension takes a shift still
    running to a longer allowed length. The labour rules are checked afterwards."""
    rules = params.rules
    first, last = min(risky), max(risky) + timedelta(hours=1)
    midnight = datetime.combine(now.date(), datetime.min.time())
    out: list[tuple[str, Shift, float]] = []
    for s in team.shifts:
        if s.agent_id in absent or not (s.start <= now < s.end) or s.end >= last:
            continue
        length = (s.end - s.start).total_seconds() / 3600
        for longer in sorted(rules.shift_lengths_hours):
            end = s.start + timedelta(hours=longer)
            if length < longer <= rules.max_shift_hours_per_day and end > first:
                out.append(("extend", replace(s, end=end),
                            (longer - length) * rules.overtime_pay_factor))
    step = timedelta(minutes=rules.start_step_minutes)
    ready = now + timedelta(minutes=rules.call_lead_minutes)
    k = -((midnight - ready) // step)
    starts = [midnight + step * i for i in range(k, k + 48)
              if midnight + step * i < last and (midnight + step * i).date() == now.date()]
    working = {s.agent_id for s in team.shifts if s.start.date() == now.date()
               or s.start < ready < s.end}
    for a in agents:
        if a.agent_id in working or a.agent_id in absent:
            continue
        for start in starts:
            for hours in rules.shift_lengths_hours:
                end = start + timedelta(hours=hours)
                if hours > rules.break_after_hours or end <= first:
                    continue
                if all(a.is_available(start + timedelta(hours=h)) for h in range(int(hours))):
                    out.append(("call", Shift(a.agent_id, start, end, _cap_for(a, params)),
                                float(hours)))
    return out


def propose(team: Roster, judge: _Judge, agents: Sequence[Agent], params: PlanParams,
            req: Requirements, now: datetime, keep: np.ndarray, absent: set[str]
            ) -> tuple[tuple[Action, ...], np.ndarray, Roster, tuple[str, ...]]:
    """The actions that restore today's hours at risk at the least pay (greedy: each round the
    candidate that closes the most chance, up to ``AT_RISK`` in each hour at risk, per paid
    hour, among those the labour rules allow on the changed roster), the chances after, the
    changed team, and the labour rules that turned helpful candidates down (with how many)."""
    problem = roster_problem(req, agents, params)
    known = {(v.rule, v.message) for v in validate(problem, team) if v.kind == "hard"}
    start = datetime.combine(now.date(), datetime.min.time())
    hours = [start + timedelta(hours=h) for h in range(24)]
    taken: list[Action] = []
    blocked: Counter[str] = Counter()
    for _ in range(MAX_ACTIONS):
        ahead = np.array([h + timedelta(hours=1) > now for h in hours])
        short = ahead & (keep < AT_RISK)
        if not short.any():
            break
        risky = [h for h, r in zip(hours, short, strict=True) if r]
        best: tuple[float, Action, np.ndarray, Roster] | None = None
        for kind, shift, paid in _candidates(team, agents, params, now, absent, risky):
            shifts = [x for x in team.shifts if not (kind == "extend" and x.agent_id
                                                     == shift.agent_id and x.start == shift.start)]
            changed = replace(team, shifts=(*shifts, shift))
            after = judge.keep(changed)
            gain = float((np.minimum(after, AT_RISK) - np.minimum(keep, AT_RISK))[ahead].sum())
            if gain < 0.01 or (best is not None and gain / paid <= best[0]):
                continue
            new = {(v.rule, v.message) for v in validate(problem, changed) if v.kind == "hard"}
            if new - known:
                blocked.update({rule for rule, _m in new - known})
                continue
            helped = tuple((h, float(a), float(b)) for h, a, b, m in zip(
                hours, keep, after, ahead, strict=True) if m and b > a + 0.005)
            best = (gain / paid, Action(kind, shift.agent_id, shift, paid, helped), after,
                    changed)
        if best is None:
            break
        _score, action, keep, team = best
        taken.append(action)
    return tuple(taken), keep, team, tuple(f"{rule} ({n})" for rule, n in blocked.most_common())


@dataclass(frozen=True)
class TodayView:
    """What the day so far says of the rest of it.

    ``hours``: today's 24 clock hours: ``hour``, ``state`` (over / now / ahead),
    ``forecast`` (the week-ahead figure), ``expected`` (the re-forecast; the count itself for
    an hour that is over), ``seen`` (the count so far, empty where not known), ``agents`` on
    duty at the hour's start, ``chance`` (that the hour keeps the target with them; empty for
    an hour that is over), ``chance_after_actions`` (with ``actions`` taken)."""

    now: datetime
    hours: pd.DataFrame
    day_chance: float
    level: float
    level_range: tuple[float, float]
    target: float
    notes: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    day_chance_after: float | None = None
    blocked: tuple[str, ...] = ()
    """The labour rules that turned down calls or extensions that would have helped."""
    roster_after: Roster | None = None
    """The week's roster with the absences and the actions applied (what ``--apply``
    publishes)."""

    def lines(self) -> list[str]:
        """The CLI's summary, in the manager's words."""
        ahead = self.hours[self.hours["state"] != "over"]
        seen = self.hours[self.hours["seen"].notna()]
        out = [f"Today {self.now:%a %Y-%m-%d}, at {self.now:%H:%M}: {seen['seen'].sum():.0f} "
               f"sessions so far against {seen['forecast'].sum():.0f} forecast; the rest of "
               f"the day is re-forecast at {self.level:.0%} of the week-ahead forecast (80% "
               f"range {self.level_range[0]:.0%}-{self.level_range[1]:.0%}): about "
               f"{ahead['expected'].sum():.0f} sessions (forecast {ahead['forecast'].sum():.0f}).",
               f"Chance today (00:00-24:00) keeps {self.target:.0%} of chats answered in 3 "
               f"minutes with the team on duty: {self.day_chance:.0%}."]
        risky = ahead[(ahead["expected"] >= BUSY_SESSIONS) & (ahead["chance"] < AT_RISK)]
        if risky.empty:
            out.append(f"Every hour still to come keeps the target in at least "
                       f"{AT_RISK:.0%} of cases.")
            return out
        out.append(f"Hours at risk ({len(risky)}; chance under {AT_RISK:.0%}):")
        out += [f"  {r.hour:%H:%M}  about {r.expected:.0f} sessions (forecast "
                f"{r.forecast:.0f}), {r.agents} agent(s) on duty, chance {r.chance:.0%}"
                for r in risky.itertuples()]
        if self.actions:
            paid = sum(a.paid_hours for a in self.actions)
            out.append(f"What lifts them, cheapest first ({paid:g} paid hours; today's chance "
                       f"then {self.day_chance_after:.0%}):")
            out += [f"  {a.text}" for a in self.actions]
            left = ahead[(ahead["expected"] >= BUSY_SESSIONS)
                         & (ahead["chance_after_actions"] < AT_RISK)]
            if not left.empty:
                out.append(f"  still under {AT_RISK:.0%} after them: "
                           + ", ".join(f"{r.hour:%H:%M}" for r in left.itertuples())
                           + " (no call or extension the rules allow lifts them)")
        elif self.day_chance_after is not None:
            out.append("No call or extension the labour rules allow lifts them.")
        if self.blocked:
            out.append("  turned down by: " + "; ".join(self.blocked))
        return out

    def actions_frame(self) -> pd.DataFrame:
        """``actions.csv``: one row per proposed action."""
        return pd.DataFrame([{
            "action": a.kind, "agent_id": a.agent_id,
            "start": f"{a.shift.start:%Y-%m-%d %H:%M}", "end": f"{a.shift.end:%Y-%m-%d %H:%M}",
            "cap": a.shift.max_concurrent, "paid_hours": a.paid_hours,
            "hours_helped": " ".join(f"{h:%H:%M}" for h, _a, _b in a.helped),
            "what": a.text} for a in self.actions],
            columns=["action", "agent_id", "start", "end", "cap", "paid_hours",
                     "hours_helped", "what"])


def known_counts(frame: pd.DataFrame, week_start: datetime, now: datetime
                 ) -> tuple[np.ndarray, tuple[str, ...]]:
    """The counts of the week's hours that are over at ``now`` (168, NaN elsewhere) from a
    ``timestamp, sessions`` table, and one warning per kind of row left out."""
    stamps = pd.to_datetime(frame["timestamp"])
    hour = ((stamps - pd.Timestamp(week_start)) // pd.Timedelta(hours=1)).to_numpy()
    counts = frame["sessions"].to_numpy(dtype=float)
    over = (stamps + pd.Timedelta(hours=1) <= pd.Timestamp(now)).to_numpy()
    inside = (hour >= 0) & (hour < 168)
    warnings = []
    if (~inside).any():
        first = stamps[~inside].iloc[0]
        warnings.append(f"{int((~inside).sum())} row(s) outside the week of "
                        f"{week_start:%Y-%m-%d} (first {first:%Y-%m-%d %H:%M}) left out")
    started = (stamps < pd.Timestamp(now)).to_numpy()
    for rows, what in ((inside & ~over & started, "not over at --now"),
                       (inside & ~started, "after --now")):
        if rows.any():
            first = stamps[rows].iloc[0]
            warnings.append(f"{int(rows.sum())} row(s) for hours {what} (first "
                            f"{first:%Y-%m-%d %H:%M}) left out: only finished hours are read")
    known = np.full(168, np.nan)
    idx = hour[inside & over].astype(int)
    known[idx] = 0.0
    np.add.at(known, idx, counts[inside & over])
    day0 = (now.date() - week_start.date()).days * 24
    done = now.hour
    missing = [h for h in range(day0, day0 + done) if np.isnan(known[h])]
    if missing:
        warnings.append(f"{len(missing)} finished hour(s) of today have no count (first "
                        f"{week_start + timedelta(hours=missing[0]):%H:%M}): taken as "
                        "unknown, not as zero")
    return known, tuple(warnings)


def look_at_today(roster: Roster, forecast: Forecast, params: PlanParams, *, now: datetime,
                  counts: pd.DataFrame, absent: Sequence[Absence] = (),
                  agents: Sequence[Agent] = ()) -> TodayView:
    """The rest of ``now``'s day with ``roster`` (the week's published one) and the counts so
    far (``counts``: ``timestamp, sessions`` rows; see ``known_counts``); with the week's
    ``agents``, the actions that restore its hours at risk (``propose``)."""
    week_start = datetime.combine(forecast.week_start, datetime.min.time())
    if not week_start <= now < week_start + timedelta(days=7):
        raise InputError(f"--now {now:%Y-%m-%d %H:%M} is not in the week of "
                         f"{forecast.week_start}")
    known, notes = known_counts(counts, week_start, now)
    day = (now.date() - forecast.week_start).days
    shifts = list(roster.shifts)
    for a in absent:
        at = a.start
        if not any(s.agent_id == a.agent_id for s in shifts):
            raise InputError(f"--absent: no agent {a.agent_id} in the week's roster",
                             value=a.agent_id)
        end_of_day = datetime.combine(at.date(), datetime.min.time()) + timedelta(days=1)
        shifts = [s.ended_at(at) if s.agent_id == a.agent_id and s.start < at < s.end
                  else s for s in shifts
                  if not (s.agent_id == a.agent_id and at <= s.start < end_of_day)]
    team = replace(roster, shifts=tuple(shifts))
    f = forecast.frame["sessions"].to_numpy(dtype=float)
    layers = forecast.layers
    if layers is None:
        factor, low, high = 1.0, 1.0, 1.0
        notes = (*notes, "the plan's forecast carries no error layers (a forecast file): the "
                 "rest of the day stays at the week-ahead forecast")
    else:
        lv = level_given(f, layers, known)
        logs, var = lv.day_log()
        m, sd = float(logs[day]), float(np.sqrt(var[day]))
        factor = float(lv.day_factor()[day])
        low, high = float(np.exp(m - 1.2816 * sd)), float(np.exp(m + 1.2816 * sd))
    sessions = scenario_counts(forecast, params.seed, salt=TODAY_SALT, known=known)
    req = requirements_for(forecast, params.chat, params)
    target = params.service.target
    judge = _Judge(roster, req, params.chat, sessions, target, day)
    keep = judge.keep(team)
    day_ok = judge.day_chance(team)
    actions: tuple[Action, ...] = ()
    blocked: tuple[str, ...] = ()
    after, day_after, fixed = keep, day_ok, team
    if agents:
        gone = {a.agent_id for a in absent}
        actions, after, fixed, blocked = propose(team, judge, agents, params, req, now, keep,
                                                 gone)
        day_after = judge.day_chance(fixed)
    rows = []
    for i in range(24):
        start = week_start + timedelta(hours=24 * day + i)
        h = 24 * day + i
        state = "over" if not np.isnan(known[h]) or start + timedelta(hours=1) <= now else (
            "now" if start <= now else "ahead")
        seen = None if np.isnan(known[h]) else float(known[h])
        rows.append({"hour": start, "state": state, "forecast": round(float(f[h]), 1),
                     "expected": round(seen if seen is not None else float(f[h]) * factor, 1),
                     "seen": seen, "agents": len(on_duty_caps(team.shifts, start)),
                     "chance": None if state == "over" else round(float(keep[i]), 3),
                     "chance_after_actions": None if state == "over" else round(
                         float(after[i]), 3)})
    frame = pd.DataFrame(rows)
    for c in ("chance", "chance_after_actions"):
        frame[c] = frame[c].astype(float)
    return TodayView(now=now, hours=frame, day_chance=day_ok, level=factor,
                     level_range=(low, high), target=target, notes=notes, actions=actions,
                     day_chance_after=day_after, blocked=blocked, roster_after=fixed)


def publish_today(book: Book, week: date, version: int, view: TodayView,
                  planned: tuple[Forecast, tuple[Agent, ...], PlanParams],
                  absent: Sequence[str] | None) -> PublishedVersion:
    """Today's absences and actions as the week's next version (the CLI's ``--apply``, the
    Today page's button): what it was planned from is the version's, the note says what
    changed."""
    assert view.roster_after is not None
    roster = Roster(week, tuple(in_week_shifts(view.roster_after)))
    inputs = plan_inputs(*planned)
    inputs["today"] = {"from_version": version, "now": view.now.isoformat(),
                       "absent": list(absent or ()), "actions": [a.text for a in view.actions]}
    said = "; ".join([*(f"{a} absent" for a in absent or ()), *(a.text.split(":")[0]
                                                               for a in view.actions)])
    return book.publish(roster, agent_hours=sum(s.paid_hours for s in roster.shifts),
                        summary={"agent_hours": sum(s.paid_hours for s in roster.shifts),
                                 "today_chance": view.day_chance_after},
                        inputs=inputs, note=f"today {view.now:%a %m-%d %H:%M}: "
                        + (said or "no change"))
