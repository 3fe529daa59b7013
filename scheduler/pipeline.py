"""history -> forecast -> staffing -> roster -> simulated check, in memory (no file I/O).

The CLI and the app call :func:`run` (and :func:`what_if` for scenarios on a finished plan).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from scheduler import __version__
from scheduler.domain import (
    Agent,
    Forecast,
    HourlyHistory,
    Requirements,
    Roster,
    SessionLog,
    Shift,
    carried_in,
    next_monday,
)
from scheduler.errors import InputError
from scheduler.forecast import Promotion, apply_overrides, forecast_week
from scheduler.params import ChatModel, PlanParams
from scheduler.risk import (
    BUSY_SESSIONS,
    SPIKE_QUANTILE,
    below_target,
    capacity,
    count_cdf,
    count_quantile,
)
from scheduler.roster import (
    Limits,
    Progress,
    RosterProblem,
    RosterResult,
    RuleCost,
    RuleViolationError,
    build_problem,
    recheck,
    roster_result,
    rule_costs,
    solve,
)
from scheduler.simulate import ReplicationSummary, simulate_replications
from scheduler.staffing import build_requirements, fit_chat_model, team_service_level

"""Hour-windows with fewer expected sessions are too noisy to judge one by one (they still
count in the daily and weekly rates)."""


def chat_from_history(history: HourlyHistory, base: ChatModel, *, handle_given: bool
                      ) -> tuple[ChatModel, tuple[str, ...]]:
    """Use the history's mean handle time (weighted by sessions) unless the user set one."""
    f = history.frame
    handle = f["avg_handle_seconds"]
    known = handle.notna() & (f["sessions"] > 0)
    if handle_given or not known.any():
        why = "set by you" if handle_given else "default; the history has no handle times"
        return base, (f"handle time {base.handle_seconds:.0f} s ({why})",)
    w = f.loc[known, "sessions"].astype(float)
    mean = float((handle[known] * w).sum() / w.sum())
    # The last 4 weeks describe the current team best; fall back to all weeks.
    return base.with_(handle_seconds=round(mean, 1)), (
        f"handle time {mean:.0f} s (session-weighted mean of the history's avg_handle_seconds)",
    )


FITTED = ("handle_seconds", "patience_seconds", "base_reply_seconds", "throughput")
"""The chat-model figures a session log can give (``staffing.fit_chat_model``)."""


def chat_from_sessions(log: SessionLog, base: ChatModel, *, explicit: Iterable[str] = ()
                       ) -> tuple[ChatModel, tuple[dict[str, Any], ...], tuple[str, ...]]:
    """The chat model fitted from a session log, the figures given explicitly (``explicit``:
    names of ``FITTED`` the user set, kept from ``base``) winning. Returns the model, one row
    per figure (``parameter``, ``default``, ``fitted``, ``used``, ``sessions`` behind the fit,
    ``source``: fitted / default / set by you) and the fit's notes."""
    fitted, report = fit_chat_model(log, base)
    given = set(explicit)
    chat = fitted.with_(**{k: getattr(base, k) for k in given}) if given else fitted
    values = {"handle_seconds": (report.handle_seconds, report.handle_records),
              "patience_seconds": (report.patience_seconds, report.patience_records),
              "base_reply_seconds": (report.base_reply_seconds, report.reply_records),
              "throughput": (report.throughput, report.concurrency_records)}
    default = ChatModel()
    rows = []
    for name in FITTED:
        value, records = values[name]
        source = ("set by you" if name in given else "fitted" if value is not None
                  else "default")
        rows.append({"parameter": name, "default": _plain(getattr(default, name)),
                     "fitted": _plain(value), "used": _plain(getattr(chat, name)),
                     "sessions": int(records), "source": source})
    head = (f"chat model fitted from {log.source}: {report.sessions:,} sessions "
            f"({report.answered:,} answered, {report.abandoned:,} abandoned)")
    notes = (head, *(f"fit: {n}" for n in report.notes),
             *(f"fit: {k} set by you ({getattr(base, k)}) wins over the fit"
               for k in sorted(given)))
    return chat, tuple(rows), notes


def _plain(v: object) -> object:
    """A figure for JSON: floats rounded, tuples as lists."""
    if isinstance(v, tuple):
        return [round(float(x), 3) for x in v]
    if isinstance(v, float):
        return round(v, 2)
    return v


def make_forecast(history: HourlyHistory, week_start: date, *, method: str = "auto",
                  promotions: Iterable[Promotion] | None = None,
                  overrides: Mapping[datetime, float] | None = None) -> Forecast:
    """Next week's hourly forecast, with the manager's overrides applied."""
    fc = forecast_week(history, week_start, method=method, promotions=promotions)
    if overrides:
        fc = apply_overrides(fc, dict(overrides))
    return fc


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


def sized_sessions(forecast: Forecast, params: PlanParams, quantile: float | None = None
                   ) -> tuple[list[datetime], np.ndarray]:
    """The sessions each interval is staffed for: the ``quantile`` (default
    ``service.confidence``) of its hour's count (``risk.count_quantile``; never below the point
    forecast), split evenly over the hour's intervals as the forecast is; the point forecast
    when the confidence is 0 or the forecast's error is unknown. (The hour, not the half-hour:
    the target is judged hourly, and two half-hours each at their own quantile would stack two
    margins.)"""
    starts, point = interval_sessions(forecast, params.rules.interval_minutes)
    p = params.service.confidence
    if not p or forecast.rel_error is None:
        return starts, point
    hours = forecast.frame["sessions"].to_numpy(dtype=float)
    q = p if quantile is None else quantile
    sized = [max(m, count_quantile(m, r, q)) for m, r in zip(hours, forecast.rel_error,
                                                              strict=True)]
    per = 60 // params.rules.interval_minutes
    return starts, np.repeat(np.asarray(sized) / per, per)


def requirements_for(forecast: Forecast, chat: ChatModel, params: PlanParams) -> Requirements:
    """Required agents per interval and cap level for the sessions each interval is staffed
    for (``sized_sessions``); in daily and weekly modes its curves price the period's target
    and each interval's own requirement is ``floor_for``'s."""
    starts, sessions = sized_sessions(forecast, params)
    target = (params.service.target if params.service.mode == "per-hour"
              else params.service.hourly_floor)
    caps = tuple(sorted(params.rules.allowed_caps))
    return build_requirements(starts, sessions, params.rules.interval_minutes, chat, target, caps)


def short_of(parameters: Mapping[str, Any]) -> str:
    """What a plan's short half-hours fall short of, from its ``PlanSummary.parameters``: the
    staffing sized at the confidence (per-hour mode), or the hourly floor at a spike's count
    (daily and weekly modes: ``floor_for``)."""
    conf = float(parameters.get("confidence") or 0.0)
    if parameters.get("mode", "per-hour") != "per-hour":
        floor = float(parameters.get("hourly_floor") or 0.0)
        at = f"its hour's {SPIKE_QUANTILE:.0%} count" if conf else "the forecast"
        return f"the {floor:.0%} hourly floor at {at}"
    return f"the staffing sized at {conf:.0%} confidence" if conf else "the target's staffing"


def floor_for(forecast: Forecast, chat: ChatModel, params: PlanParams) -> Requirements | None:
    """Daily and weekly modes: what every interval needs on its own, the hourly floor when its
    hour's count comes in at ``SPIKE_QUANTILE`` (a spike the day's margin cannot absorb: a
    thin hour hit by one is what sinks a day); None in per-hour mode."""
    if params.service.mode == "per-hour":
        return None
    starts, sessions = sized_sessions(forecast, params, SPIKE_QUANTILE)
    caps = tuple(sorted(params.rules.allowed_caps))
    return build_requirements(starts, sessions, params.rules.interval_minutes, chat,
                              params.service.hourly_floor, caps)


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


def chances(roster: Roster, requirements: Requirements, forecast: Forecast, chat: ChatModel,
            target: float) -> tuple[np.ndarray, np.ndarray]:
    """The chance each interval, and each hour of the forecast, keeps ``target`` when its count
    is the forecast's distribution (``risk``): the count's probability of staying at or under
    what the planned team handles at the target (an hour's sessions split evenly over its
    intervals, the hour's rate their mean)."""
    minutes = requirements.interval_minutes
    per = 60 // minutes
    _, point = interval_sessions(forecast, minutes)
    rel = interval_errors(forecast, minutes)
    rel = np.zeros(point.size) if rel is None else rel
    teams = interval_teams(roster, requirements)

    def rate_of(group: list[list[int]], share: float) -> Callable[[float], float]:
        def rate(x: float) -> float:
            return float(np.mean([team_service_level(x * share * 60.0 / minutes, caps,
                                                     chat).service_level for caps in group]))
        return rate

    per_interval = np.array([
        count_cdf(capacity(rate_of([caps], 1.0), target, point[t] + 1), point[t], rel[t])
        for t, caps in enumerate(teams)])
    hours = forecast.frame["sessions"].to_numpy(dtype=float)
    per_hour = np.array([
        count_cdf(capacity(rate_of(teams[h * per:(h + 1) * per], 1.0 / per), target, m + 1), m,
                  float(rel[h * per]))
        for h, m in enumerate(hours)])
    return per_interval, per_hour


@dataclass(frozen=True)
class PlanSummary:
    """The headline numbers of a plan (``summary.json``), in the manager's units.

    - ``agent_hours``: paid hours of the shifts starting in the week.
    - ``bound_hours``: no roster that leaves no interval short needs fewer agent-hours under
      these rules (None when even the relaxation cannot cover every interval).
    - ``gap``: ``(agent_hours - bound_hours) / agent_hours``; None when the plan leaves
      intervals short (it is then not comparable with a bound that covers every interval) or
      there is no bound; ``gap_note`` says which.
    - ``short_intervals``: intervals below the target (``diagnosis`` says why).
    - ``cap_mix``: agent-hours on duty at each reception cap, ``{"cap 4": 120.5, ...}``.
    - ``rule_costs``: what each labour rule costs this week, ``{rule, statement, hours}``: the
      agent-hours a re-plan without the rule saves (empty for a what-if re-plan).
    - ``objective_points``: the solver's internal weighted objective (for comparing runs only).
    - ``soft_violations``: preferences the plan misses (a broken hard rule never gets here).
    """

    status: str
    agent_hours: float
    bound_hours: float | None
    gap: float | None
    gap_note: str
    short_intervals: int
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
    expected_hours_below_target: float
    expected_hours_below_range: tuple[int, int]
    forecast_sessions: float
    diagnosis: tuple[str, ...]
    soft_violations: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    chat_fit: tuple[dict[str, Any], ...] = ()
    """When a session log was given: each chat-model figure's default, fitted and used value,
    the sessions behind the fit and its source (``chat_from_sessions``)."""

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["predicted_three_min_rate_ci"] = list(self.predicted_three_min_rate_ci)
        d["expected_hours_below_range"] = list(self.expected_hours_below_range)
        d["rule_costs"] = [{"rule": c.rule, "statement": c.statement, "hours": c.hours,
                            "short_intervals_without": c.short_intervals_without}
                           for c in self.rule_costs]
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlanSummary:
        """The summary ``as_dict`` gave (``summary.json``); KeyError, TypeError or ValueError
        when ``d`` is not one."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in names}
        lo, hi = d["predicted_three_min_rate_ci"]
        low, high = d["expected_hours_below_range"]
        return cls(**{
            **values,
            **{k: math.nan for k in ("predicted_three_min_rate", "predicted_reply_rate",
                                     "model_three_min_rate") if d[k] is None},
            "predicted_three_min_rate_ci": (lo, hi),
            "expected_hours_below_range": (int(low), int(high)),
            "rule_costs": tuple(RuleCost(c["rule"], c["statement"], float(c["hours"]),
                                         int(c["short_intervals_without"]))
                                for c in d["rule_costs"]),
            "diagnosis": tuple(str(x) for x in d["diagnosis"]),
            "soft_violations": tuple(str(x) for x in d["soft_violations"]),
            "chat_fit": tuple(dict(x) for x in d.get("chat_fit", ())),
        })


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
    """Per interval: interval_start, sessions, required_agents, scheduled_agents, cap,
    predicted_three_min_rate, predicted_reply_rate, shortfall_agents."""
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


def team_warnings(agents: Sequence[Agent], params: PlanParams) -> tuple[str, ...]:
    """Agents the rules make unusable, said plainly before the solver runs."""
    shortest = min(params.rules.shift_lengths_hours)
    out: list[str] = []
    for a in agents:
        if a.max_hours_week < shortest:
            out.append(f"agent {a.agent_id} can never be scheduled: max {a.max_hours_week:g} h a "
                       f"week is less than the shortest shift ({shortest:g} h)")
        elif not any(any(day) for day in a.available):
            out.append(f"agent {a.agent_id} has no available hours")
        elif min(params.rules.allowed_caps) > a.max_concurrent:
            out.append(f"agent {a.agent_id}'s cap {a.max_concurrent} is below every allowed cap "
                       f"level {params.rules.allowed_caps}")
    return tuple(out)


def run(
    history: HourlyHistory,
    agents: Sequence[Agent],
    *,
    week_start: date | None = None,
    params: PlanParams | None = None,
    forecast: Forecast | None = None,
    promotions: Iterable[Promotion] | None = None,
    overrides: Mapping[datetime, float] | None = None,
    handle_given: bool = False,
    progress: Callable[[Progress], None] | None = None,
    hint: Roster | None = None,
    sessions: SessionLog | None = None,
    explicit: Iterable[str] = (),
    before: Sequence[Shift] = (),
    past_shifts: Sequence[Shift] = (),
) -> PlanResult:
    """Plan the week: forecast (unless given), staffing table, roster, simulated check.

    With a session log (``sessions``), the chat model is fitted from it (``chat_from_sessions``;
    the figures named in ``explicit`` were set by the user and win); otherwise the history's
    handle times give the handle time (unless ``handle_given``). ``before``: the published
    week before's shifts (the week then follows it) and ``past_shifts`` the last published weeks'
    (fairness counts them): ``roster_problem``."""
    params = params or PlanParams()
    if not agents:
        raise InputError("no agents to plan with; the agents file is empty")
    week = week_start or next_monday(history.end)
    fit: tuple[dict[str, Any], ...] = ()
    if sessions is not None:
        given = set(explicit) | ({"handle_seconds"} if handle_given else set())
        chat, fit, notes = chat_from_sessions(sessions, params.chat, explicit=given)
    else:
        chat, notes = chat_from_history(history, params.chat, handle_given=handle_given)
    params = replace(params, chat=chat)
    fc = forecast or make_forecast(history, week, promotions=promotions, overrides=overrides)
    result = plan_from_forecast(fc, agents, params=params, progress=progress, hint=hint,
                                notes=team_warnings(agents, params) + notes + fc.notes,
                                before=before, past_shifts=past_shifts)
    if fit:
        result = replace(result, summary=replace(result.summary, chat_fit=fit))
    return result


def fair_counts(shifts: Iterable[Shift], agents: Sequence[Agent]
                ) -> tuple[tuple[int, int, int], ...]:
    """Per agent, their night shifts (any hour in 23:00-07:00), weekend shifts and late
    finishes (after 22:00 of the start day) among ``shifts`` (the last published weeks)."""
    counts = {a.agent_id: [0, 0, 0] for a in agents}
    for s in shifts:
        if s.agent_id in counts:
            c = counts[s.agent_id]
            c[0], c[1], c[2] = c[0] + s.night, c[1] + s.weekend, c[2] + s.late
    return tuple((c[0], c[1], c[2]) for c in counts.values())


def roster_problem(req: Requirements, agents: Sequence[Agent], params: PlanParams, *,
                   before: Sequence[Shift] = (), scale: dict[int, float] | None = None,
                   past_shifts: Sequence[Shift] = (), floor: Requirements | None = None
                   ) -> RosterProblem:
    """The roster problem of a staffing table. With the published week before (``before``,
    its shifts) the week is not a standing one: its shifts that run into this week are on duty
    (outside the plan), and the rules count its shifts (rest after them, days in a row up to
    its Sunday); nothing wraps past this Sunday 24:00. ``past_shifts``: the shifts of
    the last published weeks, whose night, weekend and late shifts fairness counts with this
    week's (``fair_counts``); ``floor``: ``floor_for``'s table."""
    week = req.interval_starts[0].date()
    team = tuple(agents)
    rules = replace(params.rules, cyclic=False) if before else params.rules
    problem = build_problem(req, team, chat=params.chat, service=params.service, rules=rules,
                            search=params.search, need_scale=scale, floor=floor)
    if past_shifts:
        problem = replace(problem, history=fair_counts(past_shifts, team))
    if not before:
        return problem
    return replace(problem.with_fixed((), outside=carried_in(before, week)),
                   before=tuple(before))


def plan_roster(req: Requirements, agents: Sequence[Agent], params: PlanParams, *,
                progress: Callable[[Progress], None] | None = None, hint: Roster | None = None,
                before: Sequence[Shift] = (), past_shifts: Sequence[Shift] = (),
                floor: Requirements | None = None) -> RosterResult:
    """The roster for a staffing table: ``hint`` a roster to start from (a what-if re-plan),
    ``before`` the published week before's shifts, ``past_shifts`` the last published weeks'
    and ``floor`` the daily and weekly modes' per-interval table (``roster_problem``)."""
    def problem_for(scale: dict[int, float]) -> RosterProblem:
        return roster_problem(req, agents, params, before=before, scale=scale,
                              past_shifts=past_shifts, floor=floor)

    problem = problem_for({})
    limits = Limits.for_seconds(params.time_limit_seconds, params.search, params.num_workers)
    start = problem.plan_of(hint) if hint is not None else None
    result = solve(problem, limits=limits, seed=params.seed, start=start, progress=progress)
    _problem, result = recheck(
        problem, result, rebuild=problem_for, limits=limits, seed=params.seed,
        progress=progress, rates=lambda roster: predict_coverage(roster, req, params.chat)[
            "predicted_three_min_rate"].to_numpy(dtype=float))
    return result


def plan_from_forecast(
    forecast: Forecast,
    agents: Sequence[Agent],
    *,
    params: PlanParams,
    progress: Callable[[Progress], None] | None = None,
    hint: Roster | None = None,
    notes: tuple[str, ...] = (),
    before: Sequence[Shift] = (),
    past_shifts: Sequence[Shift] = (),
) -> PlanResult:
    """Staffing, roster and simulated check for a given forecast."""
    chat = params.chat
    req = requirements_for(forecast, chat, params)
    result = plan_roster(req, agents, params, progress=progress, hint=hint, before=before,
                         past_shifts=past_shifts, floor=floor_for(forecast, chat, params))
    costs = () if hint is not None else rule_costs(
        result.problem, result, seed=params.seed,
        limits=Limits.for_seconds(params.time_limit_seconds, params.search, params.num_workers))
    return _checked(forecast, agents, params, req, result, notes=notes, before=before,
                    past_shifts=past_shifts, costs=costs, diagnosis=result.diagnosis)


def result_from_roster(
    forecast: Forecast,
    agents: Sequence[Agent],
    roster: Roster,
    *,
    params: PlanParams,
    written: PlanSummary,
    messages: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    before: Sequence[Shift] = (),
    past_shifts: Sequence[Shift] = (),
    need_scale: Mapping[int, float] | None = None,
) -> PlanResult:
    """The plan ``plan_from_forecast`` made, re-derived from its roster (the week's own shifts,
    as ``roster.csv`` lists them) and what it was planned from: the staffing table, the
    roster's coverage and cost under the plan's rules (``need_scale``: the requirement the
    exact mixed-team check raised, ``RosterProblem.need_scale``), the simulated check with the
    plan's seed and replications, the summary. What only the search knew (its status, bound,
    diagnosis, rule costs, solve time, ``messages``) and the chat-model fit are ``written``'s
    (the plan's summary). InputError when the roster holds a shift this plan cannot (an agent
    it does not know, a shape or cap its rules do not allow, a broken labour rule)."""
    chat = params.chat
    req = requirements_for(forecast, chat, params)
    problem = roster_problem(req, agents, params, before=before, scale=dict(need_scale or {}),
                             past_shifts=past_shifts, floor=floor_for(forecast, chat, params))
    odd = [sh for sh in roster.shifts if not problem.plan_of(replace(roster, shifts=(sh,)))]
    if odd:
        raise InputError(f"the shift {odd[0].agent_id} {odd[0].start:%a %m-%d %H:%M}-"
                         f"{odd[0].end:%H:%M} is not one this plan can hold (agent, start, "
                         "length, break and cap as its rules allow)")
    plan = problem.plan_of(roster)
    try:
        result = roster_result(problem, plan, status=written.status,
                               bound_hours=written.bound_hours, messages=messages,
                               solve_seconds=written.solve_seconds)
    except RuleViolationError as exc:
        raise InputError(f"the roster breaks a labour rule: {exc}") from None
    out = _checked(forecast, agents, params, req, result, notes=notes, before=before,
                   past_shifts=past_shifts, costs=written.rule_costs,
                   diagnosis=written.diagnosis)
    return replace(out, summary=replace(out.summary, chat_fit=written.chat_fit))


def _checked(forecast: Forecast, agents: Sequence[Agent], params: PlanParams,
             req: Requirements, result: RosterResult, *, notes: tuple[str, ...],
             before: Sequence[Shift], past_shifts: Sequence[Shift],
             costs: tuple[RuleCost, ...] = (), diagnosis: tuple[str, ...] = ()) -> PlanResult:
    """A roster's plan: its coverage and hourly risk, the simulated check, the summary (with
    what each rule costs and the diagnosis, when known)."""
    if before:
        params = replace(params, rules=replace(params.rules, cyclic=False))
    coverage, hours = _coverage_table(result, req, forecast, params)
    sim = simulate_replications(result.roster, forecast, params.chat,
                                replications=params.replications, seed=params.seed)
    summary = _summary(result, coverage, sim, forecast, params, hours, costs, diagnosis)
    return PlanResult(week_start=forecast.week_start, params=params, chat=params.chat,
                      agents=tuple(agents), forecast=forecast, requirements=req, roster=result,
                      coverage=coverage, simulation=sim, summary=summary, notes=notes,
                      hour_risk=hours, before=tuple(before), past_shifts=tuple(past_shifts))


def _coverage_table(result: RosterResult, req: Requirements, forecast: Forecast,
                    params: PlanParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-interval table (``PlanResult.coverage``) and the per-hour risk table
    (``PlanResult.hour_risk``)."""
    _, point = interval_sessions(forecast, req.interval_minutes)
    pred = predict_coverage(result.roster, req, params.chat, sessions=point)
    cov = result.coverage
    per_interval, per_hour = chances(result.roster, req, forecast, params.chat,
                                     params.service.target)
    pred["sized_sessions"] = np.asarray(req.sessions, dtype=float)
    pred["chance_meeting_target"] = per_interval
    pred["required_agents"] = cov["required_agents"].to_numpy()
    pred["shortfall_agents"] = cov["shortfall_agents"].to_numpy()
    expected = forecast.frame["sessions"].to_numpy(dtype=float)
    hours = pd.DataFrame({"hour_start": pd.to_datetime(forecast.frame["timestamp"]),
                          "sessions": expected, "busy": expected >= BUSY_SESSIONS,
                          "chance_meeting_target": per_hour})
    return pred[["interval_start", "sessions", "sized_sessions", "required_agents",
                 "scheduled_agents", "cap", "predicted_three_min_rate", "predicted_reply_rate",
                 "chance_meeting_target", "shortfall_agents"]], hours


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
             costs: tuple[RuleCost, ...], diagnosis: tuple[str, ...]) -> PlanSummary:
    target = params.service.target
    below, judged = judged_hours(sim, forecast, target)
    risk = below_target(hours.loc[hours["busy"], "chance_meeting_target"].tolist())
    w = coverage["sessions"].to_numpy(dtype=float)
    model_rate = float((coverage["predicted_three_min_rate"] * w).sum() / w.sum()) \
        if w.sum() > 0 else 1.0
    est = sim.three_min_rate
    return PlanSummary(
        status=result.status, agent_hours=round(result.agent_hours, 2),
        bound_hours=None if result.bound_hours is None else round(result.bound_hours, 2),
        gap=result.gap, gap_note=gap_note(result),
        short_intervals=len(result.short_intervals),
        cap_mix={f"cap {c}": round(h, 2) for c, h in sorted(result.cap_mix.items())},
        rule_costs=costs,
        objective_points=result.objective_points,
        solve_seconds=round(result.solve_seconds, 2),
        schedule_efficiency=result.efficiency,
        predicted_three_min_rate=est.mean,
        predicted_three_min_rate_ci=(est.low, est.high),
        predicted_reply_rate=sim.reply_rate.mean,
        model_three_min_rate=model_rate,
        hours_below_target=below, hours_judged=judged,
        expected_hours_below_target=round(risk.expected, 2),
        expected_hours_below_range=(risk.low, risk.high),
        forecast_sessions=float(forecast.frame["sessions"].sum()),
        diagnosis=diagnosis,
        soft_violations=tuple(v.message for v in result.violations),
        parameters=parameters_record(params, forecast),
    )


def gap_note(result: RosterResult) -> str:
    """Why a plan has no gap to the bound ("" when it has one)."""
    if result.gap is not None:
        return ""
    if result.short_intervals:
        return (f"{len(result.short_intervals)} intervals short: the bound covers every "
                "interval, so the plan is not comparable with it (see the diagnosis)")
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
        "confidence": params.service.confidence,
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
    """The ``coverage.csv`` contract: one row per interval."""
    c = result.coverage.copy()
    c["interval_start"] = pd.to_datetime(c["interval_start"]).dt.strftime("%Y-%m-%d %H:%M")
    return c.round({"sessions": 2, "predicted_three_min_rate": 4, "predicted_reply_rate": 4})
