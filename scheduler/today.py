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
  (``report.scenario_counts(..., known=...)``), the roster's rates at each scenario count
  (``report.scenario_rates``: the queueing model mapped onto the simulator's), the share in
  which the hour keeps the target; and the chance today's 00:00-24:00 rate keeps it.

Agents reported absent from a time (``--absent A03@10:00``) have their shifts ended there for
the rest of the day (``Shift.ended_at``); the changed team is judged with the published
roster's map onto the simulator, so that only the hours it changes change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from scheduler.domain import Forecast, Roster
from scheduler.errors import InputError
from scheduler.params import PlanParams
from scheduler.pipeline import requirements_for
from scheduler.report import on_duty_caps, scenario_counts, scenario_rates
from scheduler.risk import BUSY_SESSIONS, day_lack, hour_misses
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


@dataclass(frozen=True)
class TodayView:
    """What the day so far says of the rest of it.

    ``hours``: today's 24 clock hours: ``hour``, ``state`` (over / now / ahead),
    ``forecast`` (the week-ahead figure), ``expected`` (the re-forecast; the count itself for
    an hour that is over), ``seen`` (the count so far, empty where not known), ``agents`` on
    duty at the hour's start, ``chance`` (that the hour keeps the target with them; empty for
    an hour that is over)."""

    now: datetime
    hours: pd.DataFrame
    day_chance: float
    level: float
    level_range: tuple[float, float]
    target: float
    notes: tuple[str, ...] = ()

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
        risky = ahead[(ahead["expected"] >= BUSY_SESSIONS) & (ahead["chance"] < 0.8)]
        if risky.empty:
            out.append("Every hour still to come keeps the target in at least 8 of 10 "
                       "cases.")
        else:
            out.append(f"Hours at risk ({len(risky)}; chance under 80%):")
            out += [f"  {r.hour:%H:%M}  about {r.expected:.0f} sessions (forecast "
                    f"{r.forecast:.0f}), {r.agents} agent(s) on duty, chance {r.chance:.0%}"
                    for r in risky.itertuples()]
        return out


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
                  counts: pd.DataFrame, absent: Sequence[Absence] = ()) -> TodayView:
    """The rest of ``now``'s day with ``roster`` (the week's published one) and the counts so
    far (``counts``: ``timestamp, sessions`` rows; see ``known_counts``)."""
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
    rates = scenario_rates(team, req, params.chat, sessions, mapped_on=roster)
    target = params.service.target
    keep = 1.0 - hour_misses(sessions, rates, target).mean(axis=0)
    day_ok = float((day_lack(sessions, rates, target)[:, day] <= 0).mean())
    hours = range(24 * day, 24 * day + 24)
    rows = []
    for h in hours:
        start = week_start + timedelta(hours=h)
        state = "over" if not np.isnan(known[h]) or start + timedelta(hours=1) <= now else (
            "now" if start <= now else "ahead")
        seen = None if np.isnan(known[h]) else float(known[h])
        rows.append({"hour": start, "state": state, "forecast": round(float(f[h]), 1),
                     "expected": round(seen if seen is not None else float(f[h]) * factor, 1),
                     "seen": seen, "agents": len(on_duty_caps(team.shifts, start)),
                     "chance": None if state == "over" else round(float(keep[h]), 3)})
    frame = pd.DataFrame(rows)
    frame["chance"] = frame["chance"].astype(float)
    return TodayView(now=now, hours=frame, day_chance=day_ok, level=factor,
                     level_range=(low, high), target=target, notes=notes)
