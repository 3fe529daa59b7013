"""Tiny synthetic inputs for the roster tests: a ``Requirements`` from solo-unit needs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from scheduler.domain import ALWAYS, Agent, Requirements, WeekMask
from scheduler.params import ChatModel, Rules

MONDAY = datetime(2026, 11, 30)
CHAT = ChatModel()


def make_requirements(
    need_units: Sequence[float] | np.ndarray,
    *,
    interval_minutes: int = 60,
    caps: tuple[int, ...] = (1, 2, 3),
    chat: ChatModel = CHAT,
    target: float = 0.8,
    max_team: int = 30,
    sessions_per_unit: float = 4.0,
    infeasible: dict[int, Sequence[int]] | None = None,
    table_target: float | None = None,
) -> Requirements:
    """``need_units[t]``: solo-chat units of capacity interval t needs. At cap c a team needs
    ``ceil(need / capacity(c))`` agents; the service curve rises linearly to the target at that
    team size (``service = min(1, target * n * capacity(c) / need)``, concave and
    non-decreasing). ``infeasible[k]``: intervals where ``caps[k]`` is ruled out.
    ``table_target``: the rate the table's ``required`` is computed for (default ``target``;
    the pipeline builds a weekly-mode table at the hourly floor, on the same curve)."""
    table = target if table_target is None else table_target
    need = np.asarray(need_units, dtype=float)
    t_count = len(need)
    starts = tuple(MONDAY + timedelta(minutes=interval_minutes * t) for t in range(t_count))
    sessions = need * sessions_per_unit
    k_count = len(caps)
    required = np.zeros((t_count, k_count), dtype=np.int64)
    feasible = np.ones((t_count, k_count), dtype=bool)
    service = np.zeros((t_count, k_count, max_team + 1))
    for t in range(t_count):
        for k, c in enumerate(caps):
            cap = chat.capacity(c)
            if need[t] <= 0:
                service[t, k, :] = 1.0
                continue
            required[t, k] = math.ceil(table * need[t] / (target * cap) - 1e-9)
            n = np.arange(max_team + 1)
            service[t, k, :] = np.minimum(1.0, target * n * cap / need[t])
            if required[t, k] > max_team:
                feasible[t, k] = False
                required[t, k] = max_team + 1
    for k, ts in (infeasible or {}).items():
        for t in ts:
            feasible[t, k] = False
            required[t, k] = max_team + 1
    return Requirements(
        interval_starts=starts,
        interval_minutes=interval_minutes,
        sessions=sessions,
        caps=caps,
        feasible=feasible,
        required=required,
        service=service,
        target=table,
    )


def flat_need(days: int, units: float, *, interval_minutes: int = 60) -> np.ndarray:
    return np.full(days * 24 * 60 // interval_minutes, float(units))


def window_need(
    days: int, windows: Sequence[tuple[int, int, float]], *, interval_minutes: int = 60
) -> np.ndarray:
    """Need ``units`` in hours [h0, h1) of the horizon (hour indices from Monday 00:00)."""
    per_hour = 60 // interval_minutes
    need = np.zeros(days * 24 * per_hour)
    for h0, h1, units in windows:
        need[h0 * per_hour : h1 * per_hour] = units
    return need


def agent(
    agent_id: str,
    *,
    cap: int = 3,
    max_hours: float = 40.0,
    min_hours: float = 0.0,
    available: WeekMask = ALWAYS,
    night_ok: bool = True,
    weekend_ok: bool = True,
) -> Agent:
    return Agent(
        agent_id,
        cap,
        max_hours,
        min_hours_week=min_hours,
        available=available,
        night_ok=night_ok,
        weekend_ok=weekend_ok,
    )


def mask(hours: set[tuple[int, int]]) -> WeekMask:
    """Availability with exactly the (weekday, hour) pairs given."""
    return tuple(tuple((d, h) in hours for h in range(24)) for d in range(7))


def simple_rules(**changes: object) -> Rules:
    """Coarse rules for fast tests: 60-minute intervals and starts, 8-hour shifts, no break."""
    base: dict[str, object] = {
        "interval_minutes": 60,
        "start_step_minutes": 60,
        "shift_lengths_hours": (8.0,),
        "break_after_hours": 0.0,
        "allowed_caps": (1, 2, 3),
        "cyclic": True,
    }
    base.update(changes)
    return Rules(**base)  # type: ignore[arg-type]
