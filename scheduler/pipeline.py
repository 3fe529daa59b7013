"""history -> forecast -> staffing -> roster -> simulated check, in memory (no file I/O).

The CLI and the app call :func:`run`; :mod:`scheduler.context` builds what a plan starts
from (the chat model, the roster problem), :mod:`scheduler.report` what it reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import numpy as np

from scheduler.context import chat_from_history, chat_from_sessions, roster_problem
from scheduler.domain import (
    Agent,
    Forecast,
    HourlyHistory,
    Requirements,
    Roster,
    SessionLog,
    Shift,
    next_monday,
)
from scheduler.errors import InputError
from scheduler.forecast import Promotion, apply_overrides, forecast_week
from scheduler.margin import MarginPath, margin_path, team_curves
from scheduler.params import ChatModel, PlanParams
from scheduler.report import (
    PlanResult,
    PlanSummary,
    interval_sessions,
    plan_result,
    predict_coverage,
    promise_chance,
    scenario_counts,
)
from scheduler.risk import (
    SPIKE_QUANTILE,
    PromiseChances,
    count_quantile,
)
from scheduler.roster import (
    Limits,
    Progress,
    RosterProblem,
    RosterResult,
    RuleViolationError,
    recheck,
    roster_result,
    rule_costs,
    solve,
    unusable_agents,
)
from scheduler.scenarios import error_layers
from scheduler.staffing import build_requirements, latency_feasible

TUNING_SALT = 30
"""Seeds the scenario weeks the margin is bought on, apart from the ones the chance is reported
on (``report.scenario_counts``' default)."""


def make_forecast(history: HourlyHistory, week_start: date, *, method: str = "auto",
                  promotions: Iterable[Promotion] | None = None,
                  overrides: Mapping[datetime, float] | None = None) -> Forecast:
    """Next week's hourly forecast, with the manager's overrides applied and its error in
    layers (``scenarios.error_layers``, the same calendar)."""
    fc = forecast_week(history, week_start, method=method, promotions=promotions)
    fc = replace(fc, layers=error_layers(history, method=method, promotions=promotions))
    if overrides:
        fc = apply_overrides(fc, dict(overrides))
    return fc


def margin_cap(params: PlanParams, agents: Sequence[Agent] = ()) -> int:
    """The reception cap the margin search counts agents at: the one most of the team works
    at (each agent's own cap, at most the largest allowed cap whose reply latency alone meets
    the deadline; that cap itself when no team is given)."""
    caps = [c for c in sorted(params.rules.allowed_caps) if latency_feasible(c, params.chat)]
    top = caps[-1] if caps else min(params.rules.allowed_caps)
    own = sorted(max((c for c in caps if c <= a.max_concurrent), default=top) for a in agents)
    return own[len(own) // 2] if own else top


def margin_for(forecast: Forecast, params: PlanParams, agents: Sequence[Agent] = ()
               ) -> MarginPath:
    """The margin search of ``forecast`` for the promise of ``params.service`` up to
    its chance (``margin.margin_path``): on scenario weeks seeded apart from those the
    plan's chance is reported on, agents counted at ``margin_cap``."""
    weeks = scenario_counts(forecast, params.seed, salt=TUNING_SALT)
    curves = team_curves(params.chat, margin_cap(params, agents),
                         float(weeks.max(initial=1.0)), params.service.target)
    return margin_path(forecast.frame["sessions"].to_numpy(dtype=float), weeks, curves,
                       params.service, chance=params.service.chance)


def sized_sessions(forecast: Forecast, params: PlanParams, quantile: float | None = None,
                   agents: Sequence[Agent] = ()) -> tuple[list[datetime], np.ndarray]:
    """The sessions each interval is staffed for, split evenly over the hour's intervals as the
    forecast is. With ``service.chance``: the count the margin search's team at that chance
    holds at the target in each hour (``margin_for``; below the forecast where the promise lets
    an hour run under the target). Otherwise the ``quantile`` (default
    ``service.confidence``) of its hour's count (``risk.count_quantile``; never below the point
    forecast); the point forecast when the confidence is 0 or the forecast's error is unknown.
    (The hour, not the half-hour: the target is judged hourly, and two half-hours each at their
    own quantile would stack two margins.)"""
    starts, point = interval_sessions(forecast, params.rules.interval_minutes)
    per = 60 // params.rules.interval_minutes
    if params.service.chance and quantile is None:
        path = margin_for(forecast, params, agents)
        held = path.curves.sized(path.team_for(params.service.chance), params.service.target)
        return starts, np.repeat(held / per, per)
    p = params.service.confidence
    if not p or forecast.rel_error is None:
        return starts, point
    hours = forecast.frame["sessions"].to_numpy(dtype=float)
    q = p if quantile is None else quantile
    sized = [max(m, count_quantile(m, r, q)) for m, r in zip(hours, forecast.rel_error,
                                                              strict=True)]
    return starts, np.repeat(np.asarray(sized) / per, per)


def requirements_for(forecast: Forecast, chat: ChatModel, params: PlanParams,
                     agents: Sequence[Agent] = ()) -> Requirements:
    """Required agents per interval and cap level for the sessions each interval is staffed
    for (``sized_sessions``); in daily and weekly modes its curves price the period's target
    and each interval's own requirement is ``floor_for``'s."""
    starts, sessions = sized_sessions(forecast, params, agents=agents)
    target = (params.service.target if params.service.mode == "per-hour"
              or params.service.chance else params.service.hourly_floor)
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
    if params.service.mode == "per-hour" or params.service.chance:
        return None
    starts, sessions = sized_sessions(forecast, params, SPIKE_QUANTILE)
    caps = tuple(sorted(params.rules.allowed_caps))
    return build_requirements(starts, sessions, params.rules.interval_minutes, chat,
                              params.service.hourly_floor, caps)


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
                                notes=notes + fc.notes,
                                before=before, past_shifts=past_shifts)
    if fit:
        result = replace(result, summary=replace(result.summary, chat_fit=fit))
    return result


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
    req = requirements_for(forecast, chat, params, agents)
    result = plan_roster(req, agents, params, progress=progress, hint=hint, before=before,
                         past_shifts=past_shifts, floor=floor_for(forecast, chat, params))
    costs = () if hint is not None else rule_costs(
        result.problem, result, seed=params.seed,
        limits=Limits.for_seconds(params.time_limit_seconds, params.search, params.num_workers))
    return plan_result(forecast, agents, params, req, result, before=before,
                    notes=unusable_agents(result.problem) + notes, past_shifts=past_shifts,
                    costs=costs, diagnosis=result.diagnosis)


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
    req = requirements_for(forecast, chat, params, agents)
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
    out = plan_result(forecast, agents, params, req, result, notes=notes, before=before,
                   past_shifts=past_shifts, costs=written.rule_costs,
                   diagnosis=written.diagnosis)
    return replace(out, summary=replace(out.summary, chat_fit=written.chat_fit))


def roster_chance(roster: Roster, forecast: Forecast, params: PlanParams) -> PromiseChances:
    """The chance ``roster`` keeps each promise against ``forecast`` (a plan's, a published
    version's, a what-if's): its staffing table's teams (``requirements_for``), the scenario
    weeks of the forecast's error (``report.scenario_counts``), the queueing model."""
    req = requirements_for(forecast, params.chat, params)
    return promise_chance(roster, req, params.chat, params.service,
                          scenario_counts(forecast, params.seed))
