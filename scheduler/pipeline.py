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
from scheduler.frontier import LEVELS, Frontier, estimate
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
    unpriced_note,
)
from scheduler.risk import PromiseChances
from scheduler.roster import (
    Budget,
    Limits,
    Progress,
    RosterProblem,
    RosterResult,
    RuleCost,
    RuleViolationError,
    recheck,
    roster_result,
    rule_costs,
    solve,
    unusable_agents,
)
from scheduler.scenarios import error_layers
from scheduler.staffing import build_requirements, latency_feasible

MARGIN_HEADROOM = 0.1
"""The margin search runs this far above the chance asked, for the chance check's rounds."""

MARGIN_TOP = 0.99
"""... and never beyond this chance."""

MARGIN_ROUNDS = 3
"""The chance check re-plans at most this many times (each with the exact check's share of the
work) where the roster's real mixed teams keep the promise less, or much more, often than the
search's teams of one cap."""

CHANCE_SLACK = 0.03
"""A roster that keeps the promise in at most this much more of the tuning weeks than asked is
not re-planned for fewer hours."""

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
    """The margin search of ``forecast`` for the promise of ``params.service``
    (``margin.margin_path``), up to ``MARGIN_HEADROOM`` above its chance (what the chance
    check may need): on the tuning weeks (``tuning_weeks``), agents counted at
    ``margin_cap``."""
    weeks = tuning_weeks(forecast, params)
    curves = team_curves(params.chat, margin_cap(params, agents),
                         float(weeks.max(initial=1.0)), params.service.target)
    top = max(params.service.level, min(MARGIN_TOP, params.service.level + MARGIN_HEADROOM))
    return margin_path(forecast.frame["sessions"].to_numpy(dtype=float), weeks, curves,
                       params.service, chance=top)


def frontier_for(forecast: Forecast, params: PlanParams, agents: Sequence[Agent] = (),
                 path: MarginPath | None = None) -> Frontier:
    """The price of each level of the promise of ``params.service`` (``frontier.estimate``):
    the margin search up to the top level on the tuning weeks (``path``, a plan's own, when it
    went that far), agents counted at ``margin_cap``."""
    if path is None or path.chances[-1] < LEVELS[-1]:
        top = replace(params.service, chance=LEVELS[-1])
        path = margin_for(forecast, replace(params, service=top), agents)
    return estimate(path, forecast.frame["sessions"].to_numpy(dtype=float),
                    tuning_weeks(forecast, params), params.service)


def tuning_weeks(forecast: Forecast, params: PlanParams) -> np.ndarray:
    """The scenario weeks a plan's margin is bought and checked on, seeded apart from those
    its chance is reported on (``report.scenario_counts``)."""
    return scenario_counts(forecast, params.seed, salt=TUNING_SALT)


def sized_sessions(forecast: Forecast, params: PlanParams, agents: Sequence[Agent] = (),
                   path: MarginPath | None = None) -> tuple[list[datetime], np.ndarray]:
    """The sessions each interval is staffed for, split evenly over the hour's intervals as the
    forecast is: the count the margin search's team at the chance asked (``service.level``,
    ``margin_for``) holds at the target in each hour (below the forecast where the promise lets
    an hour run under the target); the point forecast at chance 0. (The hour, not the
    half-hour: the target is judged hourly.)"""
    starts, point = interval_sessions(forecast, params.rules.interval_minutes)
    if not params.service.level:
        return starts, point
    per = 60 // params.rules.interval_minutes
    path = path or margin_for(forecast, params, agents)
    held = path.curves.sized(path.team_for(params.service.level), params.service.target)
    return starts, np.repeat(held / per, per)


def requirements_for(forecast: Forecast, chat: ChatModel, params: PlanParams,
                     agents: Sequence[Agent] = (), path: MarginPath | None = None
                     ) -> Requirements:
    """Required agents per interval and cap level for the sessions each interval is staffed
    for (``sized_sessions``); a point plan (chance 0) of the daily or weekly promise prices
    the period's target in its curves, each interval's own requirement is ``floor_for``'s."""
    starts, sessions = sized_sessions(forecast, params, agents=agents, path=path)
    target = (params.service.target if params.service.mode == "per-hour"
              or params.service.level else params.service.hourly_floor)
    caps = tuple(sorted(params.rules.allowed_caps))
    return build_requirements(starts, sessions, params.rules.interval_minutes, chat, target, caps)


def margin_of(parameters: Mapping[str, Any]) -> str:
    """The staffing with margin a plan's search aimed at (its cover target), from its
    ``PlanSummary.parameters``: the margin bought for the chance of the promise, the target's
    staffing at the forecast (a point plan) or, in a plan folder made before the chance was
    the default, the staffing sized at its confidence. Half-hours below it are not short
    (short: below the need at the forecast itself); they thin the margin, which the promise's
    chance shows."""
    chance = float(parameters.get("chance") or 0.0)
    if chance:
        return f"the staffing with margin for a {chance:.0%} chance of the promise"
    conf = float(parameters.get("confidence") or 0.0)
    if conf:
        return f"the staffing with margin sized at {conf:.0%} confidence"
    if parameters.get("mode", "per-hour") != "per-hour":
        floor = float(parameters.get("hourly_floor") or 0.0)
        return f"the {floor:.0%} hourly floor at the forecast"
    return "the target's staffing"


def floor_for(forecast: Forecast, chat: ChatModel, params: PlanParams) -> Requirements | None:
    """A point plan (chance 0) of the daily or weekly promise: what every interval needs on its
    own, the hourly floor at the forecast (no quiet hour starves); None otherwise (a plan for a
    chance carries its floor in the margin search's start)."""
    if params.service.mode == "per-hour" or params.service.level:
        return None
    starts, sessions = interval_sessions(forecast, params.rules.interval_minutes)
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
    explain: bool = True,
) -> PlanResult:
    """Plan the week: forecast (unless given), staffing table, roster, what each labour rule
    costs and the diagnosis (unless not ``explain``: a backtest's plans, which show neither),
    simulated check; all of it within ``params.time_limit_seconds`` (``plan_from_forecast``).

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
                                notes=notes + fc.notes, before=before,
                                past_shifts=past_shifts, explain=explain)
    if fit:
        result = replace(result, summary=replace(result.summary, chat_fit=fit))
    return result


def plan_roster(req: Requirements, agents: Sequence[Agent], params: PlanParams, *,
                progress: Callable[[Progress], None] | None = None, hint: Roster | None = None,
                before: Sequence[Shift] = (), past_shifts: Sequence[Shift] = (),
                floor: Requirements | None = None,
                margin: tuple[MarginPath, np.ndarray] | None = None,
                budget: Budget | None = None) -> RosterResult:
    """The roster for a staffing table: ``hint`` a roster to start from (a what-if re-plan),
    ``before`` the published week before's shifts, ``past_shifts`` the last published weeks'
    and ``floor`` the daily and weekly modes' per-interval table (``roster_problem``);
    ``margin``: a plan for a chance, its margin search and tuning weeks (``keep_the_chance``).

    ``budget``: the seconds of the time limit the solves may take (default: the plan's,
    ``Budget.for_limit``). The plan gets all of it but the rule costs' share
    (``rule_cost_share``, whether they are priced or not, so that a plan is the same roster
    with them or without); the re-plans of the exact and the chance check take at most
    ``check_share`` of that share, each half of what is left of it, so the rule costs keep the
    rest however many re-plans there are."""
    def problem_for(scale: dict[int, float]) -> RosterProblem:
        return roster_problem(req, agents, params, before=before, scale=scale,
                              past_shifts=past_shifts, floor=floor)

    problem = problem_for({})
    if budget is None:
        budget = Budget.for_limit(params.time_limit_seconds, params.search, params.num_workers)
    limits = budget.take(budget.seconds * (1 - params.search.rule_cost_share))
    checks = budget.seconds * params.search.check_share

    def replan() -> Limits:
        nonlocal checks
        checks /= 2
        return budget.take(checks)

    start = problem.plan_of(hint) if hint is not None else None
    result = solve(problem, limits=limits, seed=params.seed, start=start, progress=progress)
    problem, result = recheck(
        problem, result, rebuild=problem_for, replan=replan, seed=params.seed,
        progress=progress, rates=lambda roster: predict_coverage(roster, req, params.chat)[
            "predicted_three_min_rate"].to_numpy(dtype=float))
    if margin is not None:
        result = keep_the_chance(problem, result, margin, rebuild=problem_for, replan=replan,
                                 params=params, progress=progress)
    return result


def keep_the_chance(problem: RosterProblem, result: RosterResult, margin: tuple[MarginPath,
                    np.ndarray], *, rebuild: Callable[[dict[int, float]], RosterProblem],
                    replan: Callable[[], Limits], params: PlanParams,
                    progress: Callable[[Progress], None] | None = None) -> RosterResult:
    """The chance check: the margin search counts each hour's team at one cap, the roster
    mixes caps, and two teams that hold the same count at the target lose it at different
    speeds above it. Judge the roster's real teams on the tuning weeks (``margin``: the search
    and those weeks); where they keep the promise less often than asked, or more often by more
    than ``CHANCE_SLACK``, move the aim along the search's path by the difference and re-plan
    from this roster with each hour's requirement scaled to the aim's team
    (``RosterProblem.need_scale``, on top of the exact check's; ``replan()``: its limits), up
    to ``MARGIN_ROUNDS`` times.
    The cheapest roster that keeps the chance asked wins (the last one when none does)."""
    path, weeks = margin
    service = params.service
    asked = service.level
    base = path.team_for(asked)
    per = problem.intervals // len(base)
    exact = dict(problem.need_scale)
    aim = asked
    best: RosterResult | None = None
    for round_ in range(MARGIN_ROUNDS + 1):
        got = promise_chance(result.roster, problem.requirements, params.chat, service,
                             weeks).as_dict()[service.mode]
        if got >= asked - 1e-9 and (best is None or result.cost.paid_minutes
                                    < best.cost.paid_minutes):
            best = result
        if asked - 1e-9 <= got <= asked + CHANCE_SLACK or round_ == MARGIN_ROUNDS:
            break
        step = min(path.chances[-1], max(path.chances[0], aim + asked - got))
        if abs(step - aim) < 1e-9:
            break
        aim = step
        team = path.team_for(aim)
        scale = dict(exact)
        for h in np.nonzero((team != base) & (base > 0))[0]:
            for t in range(h * per, (h + 1) * per):
                scale[t] = exact.get(t, 1.0) * float(team[h] / base[h])
        problem = rebuild(scale)
        result = solve(problem, limits=replan(), seed=params.seed, start=result.plan,
                       progress=progress)
        result = replace(result, messages=(*result.messages, (
            f"the roster's mixed teams kept the promise in {got:.0%} of the tuning weeks "
            f"({asked:.0%} asked); re-planned at the margin of {aim:.0%}")))
    return best or result


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
    explain: bool = True,
) -> PlanResult:
    """Staffing, roster, what each labour rule costs (unless ``hint``, a what-if re-plan, or
    not ``explain``), the diagnosis (unless not ``explain``: a backtest's plans show neither,
    so their roster is the same and they take less time) and simulated check for a given
    forecast, within
    ``params.time_limit_seconds``: ``Budget.for_limit`` keeps the report its seconds, the
    roster's solves (``plan_roster``) take theirs, the rule costs what is left (a note names
    the rules it could not price)."""
    chat = params.chat
    path = margin_for(forecast, params, agents) if params.service.level else None
    req = requirements_for(forecast, chat, params, agents, path=path)
    budget = Budget.for_limit(params.time_limit_seconds, params.search, params.num_workers)
    result = plan_roster(req, agents, params, progress=progress, hint=hint, before=before,
                         past_shifts=past_shifts, floor=floor_for(forecast, chat, params),
                         margin=None if path is None else (path, tuning_weeks(forecast, params)),
                         budget=budget)
    costs: tuple[RuleCost, ...] = ()
    unpriced: tuple[str, ...] = ()
    if hint is None and explain:
        costs, unpriced = rule_costs(result.problem, result, seed=params.seed, budget=budget)
    return plan_result(forecast, agents, params, req, result, before=before,
                    notes=(*unusable_agents(result.problem), *notes,
                           *unpriced_note(unpriced, params.time_limit_seconds)),
                    past_shifts=past_shifts, costs=costs, unpriced=unpriced,
                    diagnosis=result.diagnosis if explain else (),
                    price=frontier_for(forecast, params, agents, path)
                    if hint is None and explain else None)


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
                   unpriced=written.unpriced_rules,
                   diagnosis=written.diagnosis)
    return replace(out, summary=replace(out.summary, chat_fit=written.chat_fit,
                                        frontier=written.frontier))


def roster_chance(roster: Roster, forecast: Forecast, params: PlanParams) -> PromiseChances:
    """The chance ``roster`` keeps each promise against ``forecast`` (a plan's, a published
    version's, a what-if's): its staffing table's teams (``requirements_for``), the scenario
    weeks of the forecast's error (``report.scenario_counts``), the queueing model."""
    req = requirements_for(forecast, params.chat, params)
    return promise_chance(roster, req, params.chat, params.service,
                          scenario_counts(forecast, params.seed))
