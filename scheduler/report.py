"""What a plan reports: the roster as its file lists it, coverage and the chance of meeting
the target per interval and hour, the summary in the manager's units (no solving here)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from scheduler import __version__
from scheduler.domain import (
    Agent,
    Arrivals,
    Forecast,
    Requirements,
    Roster,
    Shift,
)
from scheduler.frontier import Frontier, Price
from scheduler.params import ChatModel, PlanParams, ServiceTarget
from scheduler.risk import (
    BUSY_SESSIONS,
    SCENARIOS,
    PromiseChances,
    RateMap,
    capacity,
    count_cdf,
    count_scenarios,
    promise_chances,
    rate_curves,
    rate_map,
)
from scheduler.roster import (
    Finding,
    RosterResult,
    RuleCost,
)
from scheduler.scenarios import scenario_weeks
from scheduler.simulate import ReplicationSummary, simulate_replications, simulate_roster
from scheduler.simulate.sampling import poisson_arrivals
from scheduler.staffing import latency_feasible, team_service_level

ALL_DAY = "all day 全天"
"""The window of a rate counted over every session of the week (the plan's headline 3-minute
rate), named beside a platform's own window (``09:00–23:00``) where both are shown."""


def interval_sessions(forecast: Forecast, interval_minutes: int) -> tuple[list[datetime],
                                                                          np.ndarray]:
    """Split each hour's expected sessions evenly over its intervals."""
    per_hour = 60 // interval_minutes
    hours = pd.to_datetime(forecast.frame["timestamp"]).dt.to_pydatetime()
    values = forecast.frame["sessions"].to_numpy(dtype=float)
    starts = [h + timedelta(minutes=interval_minutes * i) for h in hours for i in range(per_hour)]
    return starts, np.repeat(values / per_hour, per_hour)


def interval_errors(forecast: Forecast, interval_minutes: int) -> np.ndarray | None:
    """Each interval's relative forecast error (its hour's ``Forecast.rel_error``), or None."""
    if forecast.rel_error is None:
        return None
    return np.repeat(np.asarray(forecast.rel_error, dtype=float), 60 // interval_minutes)


def on_duty_caps(shifts: Sequence[Shift], when: datetime) -> list[int]:
    """Caps of the agents taking new chats at ``when`` (one per agent)."""
    caps: dict[str, int] = {}
    for s in shifts:
        if s.on_duty(when):
            caps[s.agent_id] = max(caps.get(s.agent_id, 0), s.max_concurrent)
    return list(caps.values())


def interval_teams(roster: Roster, requirements: Requirements) -> list[list[int]]:
    """The caps of the agents on duty in each interval (judged at its midpoint); a shift of a
    standing (cyclic) horizon that started before it also runs at its end; the shifts of the
    week before (``roster.before``) count where they run."""
    minutes = requirements.interval_minutes
    origin = requirements.interval_starts[0]
    horizon = timedelta(minutes=minutes * requirements.intervals)
    shifts = [*roster.shifts, *roster.before,
              *(_moved(s, horizon) for s in roster.shifts if s.start < origin)]
    return [on_duty_caps(shifts, start + timedelta(minutes=minutes / 2))
            for start in requirements.interval_starts]


def predict_coverage(roster: Roster, requirements: Requirements, chat: ChatModel, *,
                     sessions: np.ndarray | None = None) -> pd.DataFrame:
    """Per interval: sessions (``requirements.sessions`` unless given), who is on duty, and the
    model's 3-minute and reply rate for that team (mixed caps)."""
    minutes = requirements.interval_minutes
    counts = np.asarray(requirements.sessions if sessions is None else sessions, dtype=float)
    rows = []
    for t, caps in enumerate(interval_teams(roster, requirements)):
        m = team_service_level(float(counts[t]) * 60.0 / minutes, caps, chat)
        rows.append((requirements.interval_starts[t], float(counts[t]), len(caps),
                     max(caps, default=0), m.service_level, m.reply_rate))
    return pd.DataFrame(rows, columns=["interval_start", "sessions", "scheduled_agents", "cap",
                                       "predicted_three_min_rate", "predicted_reply_rate"])


def interval_target(service: ServiceTarget) -> float:
    """The 3-minute rate a half-hour on its own must keep: the target in per-hour mode; in
    daily and weekly modes the hourly floor (there the day's or week's rate carries the
    target, which the promise's chance judges)."""
    return service.target if service.mode == "per-hour" else service.hourly_floor


def needed_at_forecast(roster: Roster, requirements: Requirements, chat: ChatModel,
                       target: float, sessions: np.ndarray) -> np.ndarray:
    """Per interval, the agents the forecast itself needs (``sessions``: the point forecast, no
    margin for its error) to keep ``target``, counted at the caps of the planned team: its
    agents highest cap first, then more at its highest cap (at the highest allowed cap whose
    latency meets the deadline when nobody is on duty). A half-hour is **short** when this is
    more than the agents on duty, which is when the planned team's rate at the forecast is
    below ``target`` (the one meaning of short; a margin thinner than asked shows as a lower
    chance of the promise instead)."""
    minutes = requirements.interval_minutes
    usable = [c for c in requirements.caps if latency_feasible(c, chat)]
    spare = max(usable or requirements.caps)
    limit = requirements.max_team + 1
    memo: dict[tuple[tuple[int, ...], float], float] = {}

    def keeps(caps: tuple[int, ...], per_hour: float) -> bool:
        if (caps, per_hour) not in memo:
            memo[caps, per_hour] = team_service_level(per_hour, caps, chat).service_level
        return memo[caps, per_hour] >= target - 1e-12

    out = np.zeros(requirements.intervals, dtype=np.int64)
    for t, caps in enumerate(interval_teams(roster, requirements)):
        per_hour = float(sessions[t]) * 60.0 / minutes
        if per_hour <= 0:
            continue
        team = tuple(sorted(caps, reverse=True))
        top = team[0] if team else spare

        def first(k: int, team: tuple[int, ...] = team, top: int = top) -> tuple[int, ...]:
            return team[:k] + (top,) * max(0, k - len(team))

        k = len(team)
        if keeps(first(k), per_hour):
            while k > 0 and keeps(first(k - 1), per_hour):
                k -= 1
        else:
            while k < limit and not keeps(first(k + 1), per_hour):
                k += 1
            k += 1
        out[t] = k
    return out


def _team_rate(group: Sequence[Sequence[int]], share: float, minutes: int, chat: ChatModel,
               memo: dict[tuple[tuple[int, ...], float], float] | None = None
               ) -> Callable[[float], float]:
    """The model's 3-minute rate of ``group`` (the teams on duty in consecutive intervals) when
    ``x`` sessions come: ``share`` of them in each interval, the rate their mean (``memo``
    keeps each team's rate at each arrival rate, for teams that repeat through the week)."""
    teams = [tuple(sorted(caps)) for caps in group]
    known = {} if memo is None else memo

    def rate(x: float) -> float:
        per_hour = x * share * 60.0 / minutes
        for caps in teams:
            if (caps, per_hour) not in known:
                known[caps, per_hour] = team_service_level(per_hour, caps, chat).service_level
        return float(np.mean([known[caps, per_hour] for caps in teams]))
    return rate


def hour_rates(roster: Roster, requirements: Requirements, chat: ChatModel
               ) -> list[Callable[[float], float]]:
    """Per hour of the week: the planned team's 3-minute rate (the model's) as a function of
    the hour's sessions, split evenly over its intervals, the hour's rate their mean."""
    minutes = requirements.interval_minutes
    per = 60 // minutes
    teams = interval_teams(roster, requirements)
    memo: dict[tuple[tuple[int, ...], float], float] = {}
    return [_team_rate(teams[h * per:(h + 1) * per], 1.0 / per, minutes, chat, memo)
            for h in range(len(teams) // per)]


def chances(roster: Roster, requirements: Requirements, forecast: Forecast, chat: ChatModel,
            target: float) -> tuple[np.ndarray, np.ndarray]:
    """The chance each interval, and each hour of the forecast, keeps ``target`` when its count
    is the forecast's distribution (``risk``): the count's probability of staying at or under
    what the planned team handles at the target (an hour's sessions split evenly over its
    intervals, the hour's rate their mean). A team that recurs (the same caps on duty, in an
    interval or in an hour's intervals) has its capacity worked out once, from the first
    count it meets."""
    minutes = requirements.interval_minutes
    per = 60 // minutes
    _, point = interval_sessions(forecast, minutes)
    rel = interval_errors(forecast, minutes)
    rel = np.zeros(point.size) if rel is None else rel
    teams = [tuple(sorted(caps)) for caps in interval_teams(roster, requirements)]
    memo: dict[tuple[tuple[int, ...], float], float] = {}
    known: dict[tuple[tuple[int, ...], ...], float] = {}

    def handled(group: list[tuple[int, ...]], guess: float) -> float:
        key = tuple(group)
        if key not in known:
            rate = _team_rate(group, 1.0 / len(group), minutes, chat, memo)
            known[key] = capacity(rate, target, guess)
        return known[key]

    per_interval = np.array([count_cdf(handled([caps], point[t] + 1), point[t], rel[t])
                             for t, caps in enumerate(teams)])
    hours = forecast.frame["sessions"].to_numpy(dtype=float)
    per_hour = np.array([count_cdf(handled(teams[h * per:(h + 1) * per], m + 1), m,
                                   float(rel[h * per]))
                         for h, m in enumerate(hours)])
    return per_interval, per_hour


def scenario_counts(forecast: Forecast, seed: int, *, salt: int = 29,
                    known: np.ndarray | None = None) -> np.ndarray:
    """The weeks of counts a plan's promise chances are judged on: ``risk.SCENARIOS`` weeks
    drawn from the forecast's error in layers (``scenarios.scenario_weeks``: the week's level,
    the day in its week, the hour in its day, spikes), or, for a forecast without them (a
    forecast file), each hour on its own from its relative error (``risk.count_scenarios``);
    seeded apart from the simulated check's arrivals (``salt``: another set of the same
    weeks). ``known``: the counts of the hours already finished (168, NaN where not yet), every
    scenario's there; with layers they also set the week's and days' level the rest is drawn
    at (``scenarios.level_given``), without them the rest is drawn as before the week."""
    if forecast.layers is not None:
        return scenario_weeks(forecast, forecast.layers, n=SCENARIOS, seed=[seed, salt],
                              known=known)
    counts = count_scenarios(forecast.frame["sessions"].to_numpy(dtype=float),
                             forecast.rel_error, n=SCENARIOS, seed=[seed, salt])
    if known is not None:
        seen = ~np.isnan(known)
        counts[:, seen] = known[seen]
    return counts


CALIBRATION_WEEKS = 4
"""Scenario weeks the event simulator plays a roster on, twice each (the same arrivals, fresh
service noise), to map the model's hour rates onto its own (``simulated_map``): about 400 busy
hours, 2 s for the bank's 45 agents."""

SCATTER_SALT = 41
"""Seeds each scenario hour's scatter around its mapped rate (with the weeks' own counts: the
same weeks give the same chances)."""


def simulated_map(roster: Roster, chat: ChatModel, rate_at: Sequence[Callable[[float], float]],
                  sessions: np.ndarray) -> RateMap:
    """``risk.RateMap`` of ``roster``: the event simulator plays it twice on each of the first
    ``CALIBRATION_WEEKS`` of ``sessions`` (each row a week's hourly means; Poisson arrivals
    seeded by the row), and each busy hour's simulated 3-minute rates (the two plays) are
    paired with the model's (``rate_at[h]``) at the count the arrivals brought."""
    hours = len(rate_at)
    origin = datetime.combine(roster.week_start, datetime.min.time())
    model: list[float] = []
    plays: list[tuple[float, float]] = []
    weight: list[float] = []
    for k, week in enumerate(np.asarray(sessions, dtype=float)[:CALIBRATION_WEEKS]):
        starts = poisson_arrivals(np.random.default_rng([k, SCATTER_SALT]), week, 3600.0)
        arrivals = Arrivals(start=tuple(origin + timedelta(seconds=float(t)) for t in starts))
        frames = [simulate_roster(roster, arrivals, chat, seed=2 * k + i).hourly_frame()
                  for i in (0, 1)]
        counts = frames[0]["sessions"].to_numpy(dtype=float)[:hours]
        kept = [f["replied_3min"].to_numpy(dtype=float)[:hours] for f in frames]
        for h in map(int, np.nonzero(counts >= BUSY_SESSIONS)[0]):
            model.append(rate_at[h](float(counts[h])))
            plays.append((kept[0][h] / counts[h], kept[1][h] / counts[h]))
            weight.append(counts[h])
    return rate_map(np.array(model), np.array(plays), np.array(weight))


def promise_chance(roster: Roster, requirements: Requirements, chat: ChatModel,
                   service: ServiceTarget, sessions: np.ndarray) -> PromiseChances:
    """The chance ``roster`` keeps each promise (``risk.PromiseChances``) over the scenario
    weeks ``sessions`` (``(n, 168)`` hourly counts): each hour's rate by the queueing model,
    tabulated once over its counts (``risk.rate_curves``), then mapped onto the event
    simulator's (``simulated_map``, on the first of these weeks) with the scatter a real hour's
    rate has around it (``RateMap.draw``): no simulation per week."""
    return promise_chances(sessions, scenario_rates(roster, requirements, chat, sessions),
                           service.target, per_hour_share=service.per_hour_share)


def scenario_rates(roster: Roster, requirements: Requirements, chat: ChatModel,
                   sessions: np.ndarray) -> np.ndarray:
    """``(n, 168)``: each scenario hour's 3-minute rate with ``roster`` at its count
    (``promise_chance``'s: the queueing model mapped onto the simulator's, with its scatter)."""
    rate_at = hour_rates(roster, requirements, chat)
    curves = rate_curves(rate_at, sessions)
    fix = simulated_map(roster, chat, rate_at, sessions)
    rng = np.random.default_rng([int(np.asarray(sessions).sum()), SCATTER_SALT])
    return fix.draw(curves.at(sessions), sessions, rng)


@dataclass(frozen=True)
class PlanSummary:
    """The headline numbers of a plan (``summary.json``), in the manager's units.

    - ``agent_hours``: paid hours of the shifts starting in the week.
    - ``bound_hours``: no roster that leaves no interval below the margin needs fewer
      agent-hours under these rules (None when even the relaxation cannot cover every interval).
    - ``gap``: ``(agent_hours - bound_hours) / agent_hours``; None when the plan leaves
      intervals below the margin (it is then not comparable with a bound that covers every
      interval) or there is no bound; ``gap_note`` says which.
    - ``short_intervals``: half-hours **short**, the one meaning of the word: the planned team
      cannot meet the need at the forecast itself (``coverage``'s ``short_at_forecast``). A
      margin thinner than asked is not short: it shows as a ``chance`` below the one asked.
    - ``below_margin_intervals``: half-hours below the staffing sized with the margin for the
      forecast's error (the search's cover target; ``diagnosis`` says why).
    - ``cap_mix``: agent-hours on duty at each reception cap, ``{"cap 4": 120.5, ...}``.
    - ``rule_costs``: what each labour rule costs this week, ``{rule, statement, hours}``: the
      agent-hours a re-plan without the rule saves (empty for a what-if re-plan), with the
      half-hours below the margin the re-plans with and without it leave.
    - ``unpriced_rules``: the statements of the labour rules in force whose cost the time
      limit left no time to work out (``unpriced_note`` says so in words).
    - ``diagnosis``: why half-hours are below the margin and what would fix it, worst first
      (``Finding``; ``diagnosis.csv``).
    - ``objective_points``: the solver's internal weighted objective (for comparing runs only).
    - ``soft_violations``: preferences the plan misses (a broken hard rule never gets here).
    """

    status: str
    agent_hours: float
    bound_hours: float | None
    gap: float | None
    gap_note: str
    short_intervals: int
    below_margin_intervals: int
    cap_mix: dict[str, float]
    rule_costs: tuple[RuleCost, ...]
    objective_points: int
    solve_seconds: float
    schedule_efficiency: float
    predicted_three_min_rate: float
    predicted_three_min_rate_ci: tuple[float, float]
    predicted_reply_rate: float
    model_three_min_rate: float
    hours_below_target: int
    hours_judged: int
    forecast_sessions: float
    diagnosis: tuple[Finding, ...]
    soft_violations: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    unpriced_rules: tuple[str, ...] = ()
    chat_fit: tuple[dict[str, Any], ...] = ()
    """When a session log was given: each chat-model figure's default, fitted and used value,
    the sessions behind the fit and its source (``chat_from_sessions``)."""
    chance: dict[str, Any] = field(default_factory=dict)
    """The chance the roster keeps each promise over scenario weeks
    (``risk.PromiseChances.as_dict``: ``per-hour``, ``daily``, ``weekly``, the busy hours
    below target with their 90% range); empty in a summary written before it was reported."""
    frontier: tuple[Price, ...] = ()
    """The price of each level of the plan's promise (``frontier``: the point plan's, the
    plan's own and estimates at 50, 80, 90, 95 and 99%); empty for a what-if re-plan and in a
    summary written before it was reported."""

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["predicted_three_min_rate_ci"] = list(self.predicted_three_min_rate_ci)
        d["rule_costs"] = [{"rule": c.rule, "statement": c.statement, "hours": c.hours,
                            "short_intervals_without": c.short_intervals_without,
                            "short_intervals_with": c.short_intervals_with}
                           for c in self.rule_costs]
        d["diagnosis"] = [{**asdict(f), "start": _minute(f.start), "end": _minute(f.end)}
                          for f in self.diagnosis]
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlanSummary:
        """The summary ``as_dict`` gave (``summary.json``); KeyError, TypeError or ValueError
        when ``d`` is not one."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in names}
        lo, hi = d["predicted_three_min_rate_ci"]
        return cls(**{
            **values,
            **{k: math.nan for k in ("predicted_three_min_rate", "predicted_reply_rate",
                                     "model_three_min_rate") if d[k] is None},
            "predicted_three_min_rate_ci": (lo, hi),
            "below_margin_intervals": int(d.get("below_margin_intervals",
                                                d["short_intervals"])),
            "rule_costs": tuple(RuleCost(c["rule"], c["statement"], float(c["hours"]),
                                         int(c["short_intervals_without"]),
                                         _whole(c.get("short_intervals_with")))
                                for c in d["rule_costs"]),
            "diagnosis": tuple(_finding(x) for x in d["diagnosis"]),
            "unpriced_rules": tuple(str(x) for x in d.get("unpriced_rules", ())),
            "soft_violations": tuple(str(x) for x in d["soft_violations"]),
            "chat_fit": tuple(dict(x) for x in d.get("chat_fit", ())),
            "chance": dict(d.get("chance") or {}),
            "frontier": tuple(Price(float(p["chance"]), float(p["agent_hours"]),
                                    bool(p["estimated"]), bool(p.get("point", False)))
                              for p in d.get("frontier") or ()),
        })


def _minute(when: datetime | None) -> str | None:
    return None if when is None else when.strftime("%Y-%m-%d %H:%M")


def _whole(n: Any) -> int | None:
    return None if n is None else int(n)


def _finding(x: Any) -> Finding:
    """A ``summary.json`` diagnosis entry; a plain sentence (a summary written before the
    diagnosis said what each concerns) keeps its place with nothing to rank it by."""
    if isinstance(x, str):
        return Finding(x, "")
    when = {k: None if x.get(k) is None else datetime.fromisoformat(x[k])
            for k in ("start", "end")}
    return Finding(str(x["text"]), str(x["kind"]), **when, agents_below=int(x["agents_below"]),
                   agent_hours_below=float(x["agent_hours_below"]),
                   sized_sessions=float(x["sized_sessions"]))


@dataclass(frozen=True)
class PlanResult:
    """Everything a plan run produced."""

    week_start: date
    params: PlanParams
    chat: ChatModel
    agents: tuple[Agent, ...]
    forecast: Forecast
    requirements: Requirements
    roster: RosterResult
    coverage: pd.DataFrame
    """Per interval, ``COVERAGE_COLUMNS``: the forecast's sessions, the agents they need and
    those on duty, ``short_at_forecast`` (the team cannot meet the need at the forecast
    itself), the rates at the forecast, the chance of the target, and the margin the plan was
    staffed for (``sized_sessions``, ``needed_with_margin``, ``below_margin_agents``)."""
    simulation: ReplicationSummary
    summary: PlanSummary
    notes: tuple[str, ...] = ()
    hour_risk: pd.DataFrame | None = None
    """Per hour of the forecast: hour_start, sessions (expected), busy (>= 5 expected),
    chance_meeting_target (the count's chance of staying within what the planned team handles
    at the target)."""
    before: tuple[Shift, ...] = ()
    """The published week before's shifts the week follows (``roster_problem``)."""
    past_shifts: tuple[Shift, ...] = ()
    """The last published weeks' shifts fairness counted (``roster_problem``)."""


COVERAGE_COLUMNS = ("interval_start", "sessions", "needed_at_forecast", "scheduled_agents",
                    "short_at_forecast", "cap", "predicted_three_min_rate",
                    "predicted_reply_rate", "chance_meeting_target", "sized_sessions",
                    "needed_with_margin", "below_margin_agents")
"""The per-interval table (``PlanResult.coverage``, ``coverage.csv``): the forecast's own need
and whether the team is short of it, then the margin the plan was staffed for
(``data/README.md`` says each column)."""


def _coverage_table(result: RosterResult, req: Requirements, forecast: Forecast,
                    params: PlanParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-interval table (``PlanResult.coverage``) and the per-hour risk table
    (``PlanResult.hour_risk``)."""
    _, point = interval_sessions(forecast, req.interval_minutes)
    pred = predict_coverage(result.roster, req, params.chat, sessions=point)
    cov = result.coverage
    per_interval, per_hour = chances(result.roster, req, forecast, params.chat,
                                     params.service.target)
    pred["needed_at_forecast"] = needed_at_forecast(
        result.roster, req, params.chat, interval_target(params.service), point)
    pred["short_at_forecast"] = pred["needed_at_forecast"] > pred["scheduled_agents"]
    pred["sized_sessions"] = np.asarray(req.sessions, dtype=float)
    pred["chance_meeting_target"] = per_interval
    pred["needed_with_margin"] = cov["required_agents"].to_numpy()
    pred["below_margin_agents"] = cov["shortfall_agents"].to_numpy()
    expected = forecast.frame["sessions"].to_numpy(dtype=float)
    hours = pd.DataFrame({"hour_start": pd.to_datetime(forecast.frame["timestamp"]),
                          "sessions": expected, "busy": expected >= BUSY_SESSIONS,
                          "chance_meeting_target": per_hour})
    return pred[list(COVERAGE_COLUMNS)], hours


def judged_hours(sim: ReplicationSummary, forecast: Forecast, target: float
                 ) -> tuple[int, int]:
    """(hours below target, hours judged): hour-windows with at least
    ``BUSY_SESSIONS`` expected sessions, by the simulated mean 3-minute rate."""
    expected = forecast.frame["sessions"].to_numpy(dtype=float)
    rates = np.asarray(sim.hourly_three_min_rate, dtype=float)
    judged = expected >= BUSY_SESSIONS
    below = judged & ~(np.nan_to_num(rates, nan=1.0) >= target - 1e-12)
    return int(below.sum()), int(judged.sum())


def _summary(result: RosterResult, coverage: pd.DataFrame, sim: ReplicationSummary,
             forecast: Forecast, params: PlanParams, hours: pd.DataFrame,
             costs: tuple[RuleCost, ...], unpriced: tuple[str, ...],
             diagnosis: tuple[Finding, ...], chance: PromiseChances) -> PlanSummary:
    target = params.service.target
    below, judged = judged_hours(sim, forecast, target)
    w = coverage["sessions"].to_numpy(dtype=float)
    model_rate = float((coverage["predicted_three_min_rate"] * w).sum() / w.sum()) \
        if w.sum() > 0 else 1.0
    est = sim.three_min_rate
    return PlanSummary(
        status=result.status, agent_hours=round(result.agent_hours, 2),
        bound_hours=None if result.bound_hours is None else round(result.bound_hours, 2),
        gap=result.gap, gap_note=gap_note(result),
        short_intervals=int(coverage["short_at_forecast"].sum()),
        below_margin_intervals=len(result.short_intervals),
        cap_mix={f"cap {c}": round(h, 2) for c, h in sorted(result.cap_mix.items())},
        rule_costs=costs,
        unpriced_rules=unpriced,
        objective_points=result.objective_points,
        solve_seconds=round(result.solve_seconds, 2),
        schedule_efficiency=result.efficiency,
        predicted_three_min_rate=est.mean,
        predicted_three_min_rate_ci=(est.low, est.high),
        predicted_reply_rate=sim.reply_rate.mean,
        model_three_min_rate=model_rate,
        hours_below_target=below, hours_judged=judged,
        forecast_sessions=float(forecast.frame["sessions"].sum()),
        diagnosis=diagnosis,
        soft_violations=tuple(v.message for v in result.violations),
        parameters=parameters_record(params, forecast),
        chance=chance.as_dict(),
    )


def weeks_in_ten(chance: float, weeks: int) -> str:
    """A chance as weeks: "about 7 weeks of 10"; near the ends, of 100; "every one of the
    1,000 weeks tried" or "none of ..." at the ends themselves."""
    if chance >= 1.0 or chance <= 0.0:
        return f"{'every one' if chance >= 1.0 else 'none'} of the {weeks:,} weeks tried"
    tens, hundreds = round(chance * 10), round(chance * 100)
    if 1 <= tens <= 9:
        return f"about {tens} week{'s' if tens > 1 else ''} of 10"
    if 1 <= hundreds <= 99:
        return f"about {hundreds} week{'s' if hundreds > 1 else ''} of 100"
    return "more than 99 weeks of 100" if hundreds > 99 else "fewer than 1 week in 100"


def promise_words(per_hour_share: float) -> dict[str, str]:
    """What each promise keeps, in plain words: ``{"per-hour": "95% of busy hours", "daily":
    "every day", "weekly": "the week"}``."""
    return {"per-hour": f"{per_hour_share:.0%} of busy hours", "daily": "every day",
            "weekly": "the week"}


def promise_lines(chance: Mapping[str, Any], target: float, mode: str) -> list[str]:
    """The chance of each promise in plain words, the plan's own (``mode``) first, then the
    busy hours below target the scenario weeks expect; [] when the summary has no chances."""
    if not chance:
        return []
    weeks = int(chance["scenarios"])
    keeps = promise_words(float(chance["per_hour_share"]))
    order = [mode, *(m for m in keeps if m != mode)]
    said = [f"{keeps[m]} at {target:.0%} in {weeks_in_ten(float(chance[m]), weeks)}"
            for m in order]
    low, high = chance["hours_below_range"]
    return [f"This team keeps {said[0]} (and {said[1]}; {said[2]}).",
            f"Busy hours below {target:.0%}: {chance['expected_hours_below_target']:.1f} "
            f"expected (90% range {low}-{high}) over {weeks:,} weeks drawn from the forecast's "
            "own past error."]


def promise_text(service: ServiceTarget) -> str:
    """The promise of ``service``'s mode in plain words: "95% of busy hours at 80%"."""
    return f"{promise_words(service.per_hour_share)[service.mode]} at {service.target:.0%}"


def price_lines(prices: Sequence[Price], service: ServiceTarget) -> list[str]:
    """The price of each level (``PlanSummary.frontier``) as a short table: the chance the
    promise of ``service`` holds and the agent-hours it costs, "~" before an estimate; [] when
    there are none."""
    if not prices:
        return []
    out = [f"Price of each level ({promise_text(service)}; ~ estimated, no roster planned; "
           "no margin: staffed for the forecast alone):",
           f"  {'chance the promise holds':<28}agent-hours"]
    for price in prices:
        what = (" (this plan)" if not price.estimated else "") + (
            " (no margin)" if price.point else "")
        hours = f"{'~' if price.estimated else ' '}{price.agent_hours:,.1f}"
        out.append(f"  {f'{price.chance:.0%}{what}':<28}{hours}")
    return out


def unpriced_note(unpriced: Sequence[str], limit_seconds: float) -> tuple[str, ...]:
    """The plain words for labour rules whose cost the time limit left no time to work out (a
    note of the plan; none when every rule was priced)."""
    if not unpriced:
        return ()
    rules = ", ".join(f"'{r}'" for r in unpriced)
    one = len(unpriced) == 1
    return (f"What {'1 labour rule costs' if one else f'{len(unpriced)} labour rules cost'} "
            f"this week was not worked out: the {limit_seconds:g} s time limit left no time "
            f"for {'its' if one else 'their'} re-plans ({rules}). A longer time limit prices "
            f"{'it' if one else 'them'}.",)


def gap_note(result: RosterResult) -> str:
    """Why a plan has no gap to the bound ("" when it has one)."""
    if result.gap is not None:
        return ""
    if result.short_intervals:
        return (f"{len(result.short_intervals)} half-hours below the margin: the bound "
                "covers every half-hour, so the plan is not comparable with it (see the "
                "diagnosis)")
    if result.cost.weekly_gap:
        return "the week's 3-minute target is missed: the bound meets it (see the diagnosis)"
    if result.bound_hours is None:
        return "no bound: even the relaxation cannot cover every interval under these rules"
    return "no shifts"


def parameters_record(params: PlanParams, forecast: Forecast) -> dict[str, Any]:
    """The parameters a plan used, for exports (reproducibility)."""
    return {
        "version": __version__,
        "week_start": forecast.week_start.isoformat(),
        "forecast_method": forecast.method,
        "forecast_wape": forecast.wape,
        "forecast_naive_wape": forecast.naive_wape,
        "forecast_backtest_weeks": forecast.backtest_weeks,
        "target": params.service.target,
        "mode": params.service.mode,
        "chance": params.service.level,
        "per_hour_share": params.service.per_hour_share,
        "hourly_floor": params.service.hourly_floor,
        "chat": asdict(params.chat),
        "rules": asdict(params.rules),
        "search": asdict(params.search),
        "time_limit_seconds": params.time_limit_seconds,
        "num_workers": params.num_workers,
        "seed": params.seed,
        "replications": params.replications,
    }


def _moved(s: Shift, by: timedelta) -> Shift:
    return replace(s, start=s.start + by, end=s.end + by,
                   break_start=s.break_start + by if s.break_start else None,
                   break_end=s.break_end + by if s.break_end else None)


def in_week_shifts(roster: Roster) -> list[Shift]:
    """The roster's shifts dated as they are worked: a standing week's Sunday-night shift, which
    the roster dates from the Sunday before (it covers this Monday's first hours), is dated this
    Sunday, running into next Monday. What ``roster.csv`` lists without its carried-over rows,
    and what the roster book stores."""
    week0 = datetime.combine(roster.week_start, datetime.min.time())
    return [_moved(s, timedelta(days=7)) if s.start < week0 else s for s in roster.shifts]


def contract_shifts(roster: Roster) -> list[Shift]:
    """The week's shifts as the ``roster.csv`` contract lists them: every shift that starts in
    the week (Monday 00:00 to Sunday 24:00), plus, for a shift that runs past Sunday 24:00, the
    same shift one week earlier (starting the Sunday before), so that the file alone says who
    covers Monday 00:00 (for a week that follows a published one, that week's shifts running
    into this one: ``roster.before``). Agent-hours count the shifts that start in the week."""
    week1 = datetime.combine(roster.week_start, datetime.min.time()) + timedelta(days=7)
    in_week = in_week_shifts(roster)
    carry = [*(_moved(s, -timedelta(days=7)) for s in in_week if s.end > week1),
             *roster.before]
    unique = {(s.agent_id, s.start): s for s in [*in_week, *carry]}
    return sorted(unique.values(), key=lambda s: (s.start, s.agent_id))


def roster_frame(roster: Roster) -> pd.DataFrame:
    """The ``roster.csv`` contract: one row per shift (see :func:`contract_shifts`);
    ``carried_over`` is ``yes`` on the copy of a shift that runs past Sunday 24:00, listed the
    Sunday before so the file alone says who covers Monday 00:00 (leave those rows out of any
    sum: the week's agent-hours are the other rows')."""
    fmt = "%Y-%m-%d %H:%M"
    week0 = datetime.combine(roster.week_start, datetime.min.time())
    rows = [{
        "agent_id": s.agent_id,
        "start": s.start.strftime(fmt),
        "end": s.end.strftime(fmt),
        "max_concurrent": s.max_concurrent,
        "break_start": s.break_start.strftime(fmt) if s.break_start else "",
        "break_end": s.break_end.strftime(fmt) if s.break_end else "",
        "carried_over": "yes" if s.start < week0 else "",
    } for s in contract_shifts(roster)]
    return pd.DataFrame(rows, columns=["agent_id", "start", "end", "max_concurrent",
                                       "break_start", "break_end", "carried_over"])


def coverage_frame(result: PlanResult) -> pd.DataFrame:
    """The ``coverage.csv`` contract: one row per interval (``COVERAGE_COLUMNS``;
    ``short_at_forecast`` is ``yes`` or empty)."""
    c = result.coverage.copy()
    c["interval_start"] = pd.to_datetime(c["interval_start"]).dt.strftime("%Y-%m-%d %H:%M")
    c["short_at_forecast"] = np.where(c["short_at_forecast"], "yes", "")
    return c.round({"sessions": 2, "predicted_three_min_rate": 4, "predicted_reply_rate": 4})


DIAGNOSIS_SHOWN = 4
"""How many of the diagnosis's sentences a screen shows, the worst (the CLI, the Coverage and
What-if pages); the rest are in ``diagnosis.csv`` and a table below them."""

DIAGNOSIS_COLUMNS = ("排序 rank", "类别 kind", "开始 start", "结束 end",
                     "低于余量人数 agents below margin", "低于余量工时 agent-hours below margin",
                     "含余量会话 sized sessions", "说明 note")
"""The diagnosis table (``diagnosis.csv``, the pages' table; ``data/README.md`` says each)."""


def diagnosis_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """The ``diagnosis.csv`` contract: one row per sentence of the diagnosis, worst first
    (``DIAGNOSIS_COLUMNS``; the window's times as text, empty for a note on the whole week)."""
    rows = [(k, f.kind, _minute(f.start) or "", _minute(f.end) or "", f.agents_below,
             round(f.agent_hours_below, 2), round(f.sized_sessions, 2), f.text)
            for k, f in enumerate(findings, start=1)]
    return pd.DataFrame(rows, columns=list(DIAGNOSIS_COLUMNS))


def chance_lever(s: PlanSummary) -> str | None:
    """What would raise the chance the plan's promise holds, in one sentence, from what the
    plan computed: the labour rule whose relaxation left the most fewer half-hours below the
    margin (the rule costs' re-plan without it against the same re-plan under it), else the
    diagnosis's cheapest fix, else where the margin stands. None when the summary has no
    chance or every scenario week keeps the promise."""
    mode = str(s.parameters.get("mode", "per-hour"))
    if not s.chance or float(s.chance[mode]) >= 1.0:
        return None
    head = "What would raise the chance: "
    drops = [(c.short_intervals_with - c.short_intervals_without, c.hours, c)
             for c in s.rule_costs if c.short_intervals_with is not None]
    fewer, _, rule = max(drops, key=lambda d: d[:2], default=(0, 0.0, None))
    if rule is not None and fewer > 0:
        hours = f" and {rule.hours:.1f} fewer agent-hours" if rule.hours > 0 else ""
        return (f"{head}relaxing \"{rule.statement}\": a re-plan without it left {fewer} "
                f"fewer half-hour{'s' if fewer != 1 else ''} below the margin "
                f"({rule.short_intervals_without} against {rule.short_intervals_with} with it)"
                f"{hours}.")
    fix = next((f for f in s.diagnosis if f.kind == "fix"), None)
    if fix is not None:
        return f"{head}the diagnosis's {fix.text[0].lower()}{fix.text[1:]}"
    if s.below_margin_intervals:
        return (f"{head}the {s.below_margin_intervals} half-hours below the margin (the "
                "diagnosis says why); no labour rule's relaxation left fewer of them in a "
                "re-plan.")
    return (f"{head}every half-hour has the margin it was planned for; only a larger margin (a "
            "higher chance asked for) raises it, at more agent-hours.")


def plan_result(forecast: Forecast, agents: Sequence[Agent], params: PlanParams,
             req: Requirements, result: RosterResult, *, notes: tuple[str, ...],
             before: Sequence[Shift], past_shifts: Sequence[Shift],
             costs: tuple[RuleCost, ...] = (), unpriced: tuple[str, ...] = (),
             diagnosis: tuple[Finding, ...] = (), price: Frontier | None = None
             ) -> PlanResult:
    """A roster's plan: its coverage and hourly risk, the simulated check, the summary (with
    what each rule costs, the rules left unpriced, the diagnosis and the price of each level
    run through this plan (``price``), when known)."""
    if before:
        params = replace(params, rules=replace(params.rules, cyclic=False))
    coverage, hours = _coverage_table(result, req, forecast, params)
    sim = simulate_replications(result.roster, forecast, params.chat,
                                replications=params.replications, seed=params.seed)
    chance = promise_chance(result.roster, req, params.chat, params.service,
                            scenario_counts(forecast, params.seed))
    summary = _summary(result, coverage, sim, forecast, params, hours, costs, unpriced,
                       diagnosis, chance)
    if price is not None:
        service = params.service
        summary = replace(summary, frontier=price.anchored(
            agent_hours=summary.agent_hours, chance=summary.chance[service.mode],
            point=not service.level))
    return PlanResult(week_start=forecast.week_start, params=params, chat=params.chat,
                      agents=tuple(agents), forecast=forecast, requirements=req, roster=result,
                      coverage=coverage, simulation=sim, summary=summary, notes=notes,
                      hour_risk=hours, before=tuple(before), past_shifts=tuple(past_shifts))
