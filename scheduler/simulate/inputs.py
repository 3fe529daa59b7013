"""From domain objects to the engine's arrays: who is on duty when, and when sessions arrive."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

from scheduler.domain import HOURS_PER_WEEK, Arrivals, Forecast, Roster
from scheduler.errors import InputError
from scheduler.params import ChatModel
from scheduler.simulate.engine import DutyPlan
from scheduler.simulate.sampling import (
    HandleSampler,
    PatienceSampler,
    draw_handle,
    draw_patience,
    poisson_arrivals,
)

WEEK_SECONDS = HOURS_PER_WEEK * 3600.0

Demand = Arrivals | Forecast | np.ndarray | Sequence[float]
"""What a roster is played against: a trace of sessions (``Arrivals``), an hourly ``Forecast`` of
the roster's week, or expected sessions per equal interval of the week (an array whose length
divides the week into whole seconds, e.g. 168 hours, 336 half-hours, 672 quarter-hours), from
which Poisson arrivals are drawn."""


def week_origin(week_start: date) -> datetime:
    """Monday 00:00 of the week, the simulator's time zero."""
    return datetime.combine(week_start, time())


@dataclass(frozen=True)
class TeamPlan:
    """The roster as the engine sees it: agents by index (sorted ids) and their duty periods."""

    agent_ids: tuple[str, ...]
    duty: DutyPlan


def team_from_roster(roster: Roster, chat: ChatModel, *, cyclic: bool = True) -> TeamPlan:
    """Turn shifts into duty periods in seconds from the week's Monday 00:00.

    A shift gives ``[start, break_start)`` and ``[break_end, end)`` (the break clipped to the
    shift). With ``cyclic`` the roster is a standing week: every period is also played one week
    earlier and one week later, so a Sunday-night shift covers the next Monday morning (used while
    draining the queue after the week) and a shift listed as starting the Sunday before also
    covers this Sunday night. A roster that follows a published week (``roster.before``) is not
    a standing week: its ``before`` shifts are on duty as they are and nothing wraps.
    """
    everyone = (*roster.shifts, *roster.before)
    cyclic = cyclic and not roster.before
    ids = tuple(sorted({s.agent_id for s in everyone}))
    index = {a: i for i, a in enumerate(ids)}
    origin = week_origin(roster.week_start)
    max_cap = len(chat.throughput)
    periods: list[tuple[float, float, int, int]] = []
    for s in everyone:
        what = f"shift of agent {s.agent_id!r} starting {s.start:%Y-%m-%d %H:%M}"
        if s.end <= s.start:
            raise InputError(f"{what}: end must be after start", column="end", value=s.end)
        if not 1 <= s.max_concurrent <= max_cap:
            raise InputError(
                f"{what}: max_concurrent must be within 1..{max_cap} "
                "(the chat model's throughput table)",
                column="max_concurrent",
                value=s.max_concurrent,
            )
        start = (s.start - origin).total_seconds()
        end = (s.end - origin).total_seconds()
        pieces = [(start, end)]
        if s.break_start is not None and s.break_end is not None and s.break_end > s.break_start:
            b0 = min(max((s.break_start - origin).total_seconds(), start), end)
            b1 = min(max((s.break_end - origin).total_seconds(), start), end)
            pieces = [(start, b0), (b1, end)]
        shifts = (-WEEK_SECONDS, 0.0, WEEK_SECONDS) if cyclic else (0.0,)
        for p0, p1 in pieces:
            for off in shifts:
                a, b = p0 + off, p1 + off
                if b > a and b > 0.0:
                    periods.append((a, b, index[s.agent_id], s.max_concurrent))
    return TeamPlan(agent_ids=ids, duty=DutyPlan.from_periods(len(ids), periods))


@dataclass(frozen=True)
class SessionInputs:
    """The sessions to play: start (seconds from Monday 00:00), solo handle and patience (s)."""

    start_seconds: np.ndarray
    handle_seconds: np.ndarray
    patience_seconds: np.ndarray


def _expected_per_interval(demand: Demand, week_start: date) -> np.ndarray:
    if isinstance(demand, Forecast):
        if demand.week_start != week_start:
            raise InputError(
                f"the forecast is for the week of {demand.week_start} but the roster is for the "
                f"week of {week_start}"
            )
        values = demand.frame["sessions"].to_numpy(dtype=float)
    else:
        values = np.asarray(demand, dtype=float)
    if values.ndim != 1 or len(values) == 0:
        raise InputError("expected sessions must be a non-empty 1-D series")
    if (WEEK_SECONDS / len(values)) % 1.0:
        raise InputError(
            "expected sessions must split the week into equal intervals of whole seconds "
            "(168 hours, 336 half-hours, 672 quarter-hours, ...)",
            value=len(values),
        )
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"expected sessions must be finite and >= 0 (interval {i})", value=values[i]
        )
    return values


def sessions_from_demand(
    demand: Demand,
    week_start: date,
    chat: ChatModel,
    rng: np.random.Generator,
    *,
    handle: HandleSampler | None = None,
    patience: PatienceSampler | None = None,
) -> SessionInputs:
    """Draw (or read) the week's sessions. Draw order: arrivals (if generated), handle times,
    patience; NaN handle/patience in a trace are replaced by the model's draws."""
    if isinstance(demand, Arrivals):
        origin = week_origin(week_start)
        n = len(demand.start)
        start = np.array([(s - origin).total_seconds() for s in demand.start], dtype=float)
        if n and (start.min() < 0 or start.max() >= WEEK_SECONDS):
            i = int(np.argmax((start < 0) | (start >= WEEK_SECONDS)))
            raise InputError(
                f"session {i + 1} starts outside the roster's week "
                f"({origin:%Y-%m-%d} to {origin + timedelta(days=7):%Y-%m-%d})",
                value=demand.start[i],
            )
        given_handle = _per_session(demand.handle_seconds, n, "handle_seconds")
        given_patience = _per_session(demand.patience_seconds, n, "patience_seconds")
        handle_s = draw_handle(rng, n, chat, handle)
        patience_s = draw_patience(rng, n, chat, patience)
        known = ~np.isnan(given_handle)
        if np.any(given_handle[known] <= 0):
            raise InputError("handle_seconds in a trace must be > 0", column="handle_seconds")
        handle_s[known] = given_handle[known]
        known = ~np.isnan(given_patience)
        if np.any(given_patience[known] < 0):
            raise InputError("patience_seconds must be >= 0", column="patience_seconds")
        patience_s[known] = given_patience[known]
        order = np.argsort(start, kind="stable")
        return SessionInputs(start[order], handle_s[order], patience_s[order])

    expected = _expected_per_interval(demand, week_start)
    start = poisson_arrivals(rng, expected, WEEK_SECONDS / len(expected))
    n = len(start)
    return SessionInputs(start, draw_handle(rng, n, chat, handle),
                         draw_patience(rng, n, chat, patience))


def _per_session(values: tuple[float, ...], n: int, name: str) -> np.ndarray:
    if not values:
        return np.full(n, math.nan)
    if len(values) != n:
        raise InputError(
            f"{name} has {len(values)} values for {n} sessions", column=name, value=len(values)
        )
    return np.asarray(values, dtype=float)
