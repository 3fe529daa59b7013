"""A plan's context: the chat model from the shop's history or session log, and the roster
problem of a staffing table with the published week before and the last weeks' fairness
counts from the roster book."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from scheduler.domain import (
    Agent,
    HourlyHistory,
    Requirements,
    SessionLog,
    Shift,
    carried_in,
)
from scheduler.params import ChatModel, Mode, PlanParams
from scheduler.roster import (
    RosterProblem,
    build_problem,
)
from scheduler.staffing import fit_chat_model

FITTED = ("handle_seconds", "patience_seconds", "base_reply_seconds", "throughput")
"""The chat-model figures a session log can give (``staffing.fit_chat_model``)."""


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
    # a plan for a chance carries its promise in the staffing table (``pipeline.margin_for``):
    # the roster then keeps every interval's requirement, as a per-hour plan does
    service = (replace(params.service, mode=Mode.PER_HOUR) if params.service.level
               else params.service)
    problem = build_problem(req, team, chat=params.chat, service=service, rules=rules,
                            search=params.search, need_scale=scale, floor=floor)
    if past_shifts:
        problem = replace(problem, history=fair_counts(past_shifts, team))
    if not before:
        return problem
    return replace(problem.with_fixed((), outside=carried_in(before, week)),
                   before=tuple(before))
