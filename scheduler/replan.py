"""Re-plan a published week: keep what is fixed, grant requests, change as little as possible.

- **What a version was planned from** (``io.plan_inputs`` / ``io.planned_from``): the
  forecast (its 168 hourly figures and their backtest error), the agents and every parameter,
  stored with the version as JSON so that a re-plan needs only the week; a plan folder's
  ``plan.json`` holds the same (``save_plan`` / ``open_plan``: the plan re-derived from its
  roster).
- **Requests** (``io.read_requests``): leave and days off (agent, start, end, kind) become
  unavailability; a request that overlaps what is kept of a shift cannot be granted and is
  reported with that shift (``_answer``).
- **Kept** (``replan``): every published shift that starts before the cut-off (a shift running
  at the cut-off keeps its part before it and continues, except for an agent whose leave runs
  at the cut-off: that shift ends there, ``Shift.ended_at``) and every pinned shift; no new
  shift starts before the cut-off.
- **Least disruption**: the search starts from the published roster and accepts only changes
  that make the plan cheaper or better covered; afterwards every published shift the search
  changed is put back (the search's last move, ``roster.search.PutBack``, its plan validated
  as every plan is) where that keeps the plan within ``SLACK_MINUTES`` paid minutes of the
  cheapest it found and leaves no more intervals short.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scheduler.book.store import ShiftChange, moved_agents, shift_changes
from scheduler.context import roster_problem
from scheduler.domain import Agent, Forecast, Request, Roster, Shift
from scheduler.errors import InputError
from scheduler.io import (
    PLAN_OLDER,
    PLAN_STATE,
    plan_inputs,
    planned_from,
    read_plan_state,
    read_plan_summary,
    read_roster,
    write_csv,
    write_json,
    write_plan_state,
)
from scheduler.params import PlanParams
from scheduler.pipeline import floor_for, requirements_for, result_from_roster
from scheduler.report import (
    PlanResult,
    PlanSummary,
    in_week_shifts,
    interval_sessions,
    interval_target,
    interval_teams,
    needed_at_forecast,
    promise_chance,
    promise_lines,
    roster_frame,
    scenario_counts,
)
from scheduler.roster import Limits, ProgressFn, PutBack, coverage_frame, solve

SLACK_MINUTES = 30
"""A re-plan may cost this many paid minutes more than the cheapest it found to keep more of
the published shifts."""


def plan_record(plan: PlanResult) -> dict[str, Any]:
    """What a plan folder's ``plan.json`` holds beside ``roster.csv`` and ``summary.json``
    (``save_plan``), as JSON values: what the plan was planned from (``inputs``: the forecast
    with its exact figures, the agents and every parameter, as a published version stores
    them; the published weeks it followed and counted for fairness; the requirement the exact
    mixed-team check raised) and what its search said that neither file holds (the exact
    bound, the messages, the plan's notes)."""
    return {
        "inputs": plan_inputs(plan.forecast, plan.agents, plan.params),
        "before": _shift_records(plan.before),
        "past_shifts": _shift_records(plan.past_shifts),
        "need_scale": [[t, f] for t, f in sorted(plan.roster.problem.need_scale.items())],
        "bound_hours": plan.roster.bound_hours,
        "messages": list(plan.roster.messages),
        "notes": list(plan.notes),
    }


def save_plan(plan: PlanResult, folder: Path, *, protected: Iterable[str | Path] = ()) -> None:
    """Write the files ``open_plan`` reads the plan back from: ``roster.csv`` (the contract),
    ``plan.json`` (``plan_record``) and ``summary.json``."""
    write_csv(roster_frame(plan.roster.roster), folder / "roster.csv", protected=protected)
    write_plan_state(plan_record(plan), folder, protected=protected)
    write_json(plan.summary.as_dict(), folder / "summary.json", protected=protected)


def open_plan(folder: Path) -> PlanResult:
    """The plan ``save_plan`` wrote in ``folder``, re-derived from its roster (as the folder
    holds it now) and ``plan.json`` (``pipeline.result_from_roster``); nothing but JSON and CSV
    is read. A folder an older version wrote (with no ``plan.json``) or no plan's folder is one
    InputError: run plan again."""
    state = read_plan_state(folder)
    label = str(folder / PLAN_STATE)
    forecast, agents, params = planned_from(state.get("inputs", {}), label=label,
                                            missing=PLAN_OLDER)
    try:
        written = PlanSummary.from_dict(read_plan_summary(folder))
        written = replace(written, bound_hours=state["bound_hours"])
        before, past = _shifts(state["before"]), _shifts(state["past_shifts"])
        scale = {int(t): float(f) for t, f in state["need_scale"]}
        messages = tuple(str(m) for m in state["messages"])
        notes = tuple(str(n) for n in state["notes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{PLAN_OLDER} ({exc})", file=label) from None
    roster, _ = read_roster(folder / "roster.csv", week_start=forecast.week_start)
    try:
        return result_from_roster(forecast, agents, roster, params=params, written=written,
                                  messages=messages, notes=notes, before=before,
                                  past_shifts=past, need_scale=scale)
    except InputError as exc:
        raise InputError(exc.reason, file=str(folder / "roster.csv")) from None


def _shift_records(shifts: Iterable[Shift]) -> list[list[Any]]:
    """Shifts as JSON rows: agent, start, end, cap, break start, break end."""
    def at(t: datetime | None) -> str | None:
        return None if t is None else t.isoformat()

    return [[s.agent_id, at(s.start), at(s.end), s.max_concurrent, at(s.break_start),
             at(s.break_end)] for s in shifts]


def _shifts(rows: Iterable[list[Any]]) -> tuple[Shift, ...]:
    """The shifts ``_shift_records`` wrote."""
    def at(t: str | None) -> datetime | None:
        return None if t is None else datetime.fromisoformat(t)

    out = []
    for aid, start, end, cap, b0, b1 in rows:
        s, e = at(start), at(end)
        if s is None or e is None:
            raise ValueError(f"a shift of {aid} without a start or an end")
        out.append(Shift(str(aid), s, e, int(cap), at(b0), at(b1)))
    return tuple(out)


# ------------------------------------------------------------------------------- re-plan
@dataclass(frozen=True)
class Replan:
    """A re-plan of a published week and what it changed."""

    roster: Roster
    agent_hours: float
    short_after: int
    """Half-hours short from the cut-off on: the team cannot meet the need at the forecast
    itself (``report.needed_at_forecast``)."""
    below_margin_after: int
    """Half-hours below the staffing with margin (the search's cover target) from the
    cut-off on."""
    changes: tuple[ShiftChange, ...]
    """The shifts that differ from the published ones (moved, re-capped, their break moved,
    dropped, added, or ended at the cut-off): what ``scheduler book --diff`` shows between the
    two versions."""
    kept: int
    """Published shifts kept as they were (pinned or unchanged)."""
    cut: tuple[Shift, ...]
    """Shifts ended at the cut-off (their agent's leave starts by then)."""
    refused: tuple[tuple[Request, str], ...]
    """Requests (or their part before or from the cut-off) that cannot be granted, and why."""
    short_hours: tuple[tuple[Request, float], ...]
    """Granted requests (or parts) and the hours they leave short (intervals short while the
    request runs, in hours)."""
    seconds: float
    chance: dict[str, Any] = field(default_factory=dict)
    """The chance the re-planned roster keeps each promise over the whole week
    (``PlanSummary.chance``'s keys), and ``chance_lines`` the same in plain words."""
    chance_lines: tuple[str, ...] = ()

    @property
    def moved(self) -> list[str]:
        return moved_agents(self.changes)

    def lines(self, week_start: date, cutoff: datetime) -> list[str]:
        out = [f"Re-plan of the week of {week_start} from {cutoff:%a %Y-%m-%d %H:%M}: "
               f"{self.agent_hours:.1f} agent-hours, {self.short_after} half-hour(s) short at "
               f"the forecast after the cut-off ({self.below_margin_after} below the margin); "
               f"{len(self.changes)} shift(s) changed for {len(self.moved)} agent(s), "
               f"{self.kept} kept ({self.seconds:.1f} s)."]
        out += [f"  ended at the cut-off: {s.agent_id} {s.start:%a %H:%M}-{s.end:%H:%M}"
                for s in self.cut]
        out += [f"  not granted: {r.text} ({why})" for r, why in self.refused]
        out += [f"  granted: {r.text}" + (f" leaves {h:g} h short" if h else "")
                for r, h in self.short_hours]
        out += [f"  {c.text}" for c in self.changes]
        return out + [f"  {line}" for line in self.chance_lines]


def _on_leave_at(requests: tuple[Request, ...], pinned: tuple[Shift, ...], cutoff: datetime
                 ) -> set[str]:
    """The agents with a request running at the cut-off (from it or earlier) whose part from the
    cut-off overlaps none of their pinned shifts: their shift running then ends there."""
    return {r.agent_id for r in requests if r.start <= cutoff < r.end
            and _clash(replace(r, start=cutoff), pinned) is None}


def _clash(r: Request, kept: Iterable[Shift]) -> Shift | None:
    """The first of ``kept`` that is ``r``'s agent's and overlaps ``r``."""
    return next((s for s in sorted(kept, key=lambda x: x.start)
                 if s.agent_id == r.agent_id and s.start < r.end and r.start < s.end), None)


def _answer(requests: tuple[Request, ...], kept: Iterable[Shift], cutoff: datetime
            ) -> tuple[list[Request], list[tuple[Request, str]]]:
    """Each request granted, or refused with the kept shift it overlaps (``kept``: what the
    re-plan keeps, shifts ended at the cut-off as ended). A request running over the cut-off is
    answered for its part before it and its part from it; where the two answers differ, each
    part is listed on its own."""
    kept = list(kept)
    granted: list[Request] = []
    refused: list[tuple[Request, str]] = []
    for r in requests:
        parts = ([replace(r, end=cutoff), replace(r, start=cutoff)] if r.start < cutoff < r.end
                 else [r])
        said = [(part, _clash(part, kept)) for part in parts]
        if len({hit is None for _part, hit in said}) == 1:
            said = [(r, next((hit for _part, hit in said if hit is not None), None))]
        for part, hit in said:
            if hit is None:
                granted.append(part)
            else:
                refused.append((part, f"overlaps the kept shift {hit.start:%a %H:%M}-"
                                      f"{hit.end:%H:%M}"))
    return granted, refused


def replan(
    published: Roster,
    forecast: Forecast,
    agents: tuple[Agent, ...],
    params: PlanParams,
    *,
    cutoff: datetime,
    requests: tuple[Request, ...] = (),
    pinned: tuple[Shift, ...] = (),
    time_limit: float,
    warm: bool = True,
    before: tuple[Shift, ...] = (),
    progress: ProgressFn | None = None,
) -> Replan:
    """Re-plan ``published`` (the week's latest version) from ``cutoff`` (see the module
    docstring) in ``time_limit`` seconds (the CLI's and the app's default: the field's "replan"
    budget); ``before``: the published week before's shifts (``roster_problem``);
    ``progress``: the search's, as for a plan.
    ``warm=False`` plans the rest from scratch (the same kept shifts and requests,
    no warm start, no putting back): what the least-disruption re-plan is judged against."""
    t0 = time.perf_counter()
    week = published.week_start
    origin = datetime.combine(week, datetime.min.time())
    if not origin <= cutoff <= origin + timedelta(days=7):
        raise InputError(f"the cut-off {cutoff:%Y-%m-%d %H:%M} is not in the week of {week}")
    shifts = in_week_shifts(published)
    leaving = _on_leave_at(requests, pinned, cutoff)
    running = {s for s in shifts if s.agent_id in leaving and s.start < cutoff < s.end}
    cut = tuple(s.ended_at(cutoff)
                for s in sorted(running, key=lambda s: (s.start, s.agent_id)))
    keep = {s for s in shifts if s.start < cutoff} - running | set(pinned)
    granted, refused = _answer(requests, (*keep, *cut), cutoff)
    team = list(agents)
    for r in granted:
        team = [a.without(week, max(r.start, cutoff), r.end) if a.agent_id == r.agent_id
                else a for a in team]
    req = requirements_for(forecast, params.chat, params, agents)
    problem = roster_problem(req, team, params, before=before,
                             floor=floor_for(forecast, params.chat, params)).with_fixed(
        tuple(sorted(keep, key=lambda s: (s.start, s.agent_id))), outside=cut,
        first_start=cutoff)
    start = problem.plan_of(Roster(week, tuple(shifts)))
    limits = Limits.for_seconds(time_limit, params.search, params.num_workers)
    result = solve(problem, limits=limits, seed=params.seed, start=start if warm else None,
                   bound=False, progress=progress,
                   finish=(PutBack(start, SLACK_MINUTES),) if warm else ())
    roster = replace(result.roster, shifts=tuple(sorted(result.roster.shifts + cut,
                                                 key=lambda s: (s.start, s.agent_id))))
    now = in_week_shifts(roster)
    _, point = interval_sessions(forecast, problem.interval_minutes)
    need = needed_at_forecast(roster, req, params.chat, interval_target(params.service), point)
    on = [len(caps) for caps in interval_teams(roster, req)]
    short_t = [t for t in range(problem.first_start, problem.intervals) if need[t] > on[t]]
    thin = coverage_frame(problem, result.plan)["shortfall_agents"].to_numpy()
    below = sum(1 for t in range(problem.first_start, problem.intervals)
                if problem.demand[t] and thin[t] > 0)
    step = problem.interval_minutes / 60
    short_hours = tuple((r, step * sum(1 for t in short_t if r.start <= problem.at(t) < r.end))
                        for r in granted)
    chance = promise_chance(roster, req, params.chat, params.service,
                            scenario_counts(forecast, params.seed)).as_dict()
    return Replan(roster=roster, agent_hours=sum(s.paid_hours for s in now),
                  short_after=len(short_t), below_margin_after=below,
                  changes=tuple(shift_changes(shifts, now)),
                  kept=len(set(shifts) & set(now)), cut=cut, refused=tuple(refused),
                  short_hours=short_hours, seconds=time.perf_counter() - t0, chance=chance,
                  chance_lines=tuple(promise_lines(chance, params.service.target,
                                                   params.service.mode)))
