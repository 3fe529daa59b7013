"""Required agents and service-level curves per interval and cap level (the roster's input)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from scheduler.domain import Requirements
from scheduler.params import MAX_CAP, ChatModel
from scheduler.staffing.model import _LATENCY_EPS, homogeneous_service_curve

HARD_MAX_AGENTS = 500
"""Largest team the model is evaluated for when the caller gives no ``max_agents``."""
_TARGET_EPS = 1e-12
_RATE_DIGITS = 4
"""Arrival rates are rounded to this many significant digits before curves are cached (a
relative change of at most 5e-5 in the rate)."""


def latency_feasible(cap: int, chat: ChatModel) -> bool:
    """Whether an agent at ``cap`` chats replies within ``chat.answer_seconds`` on latency alone
    (``chat.reply_latency_seconds(cap) <= chat.answer_seconds``). A cap that fails this is never
    used: every session an agent at that cap picks up from the queue would miss the deadline."""
    return chat.reply_latency_seconds(cap) <= chat.answer_seconds + _LATENCY_EPS


def _first_meeting(curve: np.ndarray, target: float) -> int | None:
    hits = np.nonzero(curve >= target - _TARGET_EPS)[0]
    return int(hits[0]) if hits.size else None


def required_agents(
    arrivals_per_hour: float,
    cap: int,
    chat: ChatModel,
    *,
    target: float,
    max_agents: int = HARD_MAX_AGENTS,
) -> int | None:
    """Smallest number of agents, all at ``cap``, whose 3-minute rate is at least ``target``.

    ``arrivals_per_hour``: Poisson rate of new sessions (sessions per hour); ``target`` in (0, 1).
    Returns 0 when no sessions arrive, and None when the cap's reply latency alone misses the
    deadline (see ``latency_feasible``) or no team of at most ``max_agents`` meets the target.
    """
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be in (0, 1), got {target}")
    if not latency_feasible(cap, chat):
        return None
    curve = homogeneous_service_curve(arrivals_per_hour, cap, chat, max_agents=max_agents)
    return _first_meeting(curve, target)


def _round_rate(rate: float) -> float:
    if rate == 0.0:
        return 0.0
    return float(f"{rate:.{_RATE_DIGITS - 1}e}")


def build_requirements(
    interval_starts: Sequence[datetime],
    sessions_per_interval: Sequence[float] | np.ndarray,
    interval_minutes: int,
    chat: ChatModel,
    target: float,
    caps: tuple[int, ...],
    max_agents: int | None = None,
) -> Requirements:
    """Required agents and 3-minute-rate curves for every interval and cap level.

    - ``sessions_per_interval``: expected sessions started in each interval (stationary within
      it: the Poisson rate is ``sessions * 60 / interval_minutes`` per hour).
    - ``caps``: allowed cap levels (ascending, 1..8); ``target``: per-interval 3-minute rate.
    - ``max_agents``: largest team size N in the curves. None picks N = the largest requirement
      of any feasible (interval, cap) plus 25% headroom (at least 3), searched up to
      ``HARD_MAX_AGENTS``.

    See ``scheduler.domain.Requirements`` for the arrays. A cap level whose reply latency alone
    misses the deadline is infeasible in every interval (``required = N + 1``); its curve is still
    the model's. Curves are made non-decreasing in n (a running maximum; the model's own curves
    are non-decreasing up to rounding).
    """
    starts = tuple(interval_starts)
    sessions = np.asarray(sessions_per_interval, dtype=float)
    if sessions.ndim != 1 or sessions.size != len(starts):
        raise ValueError(
            f"sessions_per_interval has {sessions.size} values for {len(starts)} interval starts"
        )
    if not np.all(np.isfinite(sessions)) or np.any(sessions < 0.0):
        raise ValueError("sessions_per_interval must be finite and >= 0")
    if interval_minutes <= 0:
        raise ValueError(f"interval_minutes must be > 0, got {interval_minutes}")
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be in (0, 1), got {target}")
    if not caps or list(caps) != sorted(set(caps)) or caps[0] < 1 or caps[-1] > MAX_CAP:
        raise ValueError(f"caps must be distinct, ascending and within 1..{MAX_CAP}, got {caps}")
    if max_agents is not None and max_agents < 1:
        raise ValueError(f"max_agents must be >= 1, got {max_agents}")

    rates = sessions * (60.0 / interval_minutes)
    search_limit = HARD_MAX_AGENTS if max_agents is None else max_agents
    lat_ok = [latency_feasible(c, chat) for c in caps]
    cache: dict[tuple[float, int], np.ndarray] = {}

    def curve(rate: float, cap: int, limit: int) -> np.ndarray:
        key = (_round_rate(rate), cap)
        got = cache.get(key)
        if got is None or got.size < limit + 1:
            got = homogeneous_service_curve(key[0], cap, chat, max_agents=limit)
            cache[key] = got
        return got[: limit + 1]

    # Pass 1: requirements of feasible caps (this also fixes N when the caller did not).
    found: dict[tuple[int, int], int] = {}
    for t, rate in enumerate(rates):
        if rate == 0.0:
            continue
        for k, cap in enumerate(caps):
            if lat_ok[k]:
                need = _first_meeting(curve(rate, cap, search_limit), target)
                if need is not None:
                    found[(t, k)] = need
    if max_agents is not None:
        team_max = max_agents
    else:
        top = max(found.values(), default=0)
        if not found and np.any(rates > 0.0):
            # Nothing is met: show the curves up to the search limit (or 1 when every cap
            # misses on latency alone, where no team size helps).
            team_max = search_limit if any(lat_ok) else 1
        else:
            team_max = min(search_limit, top + max(3, math.ceil(0.25 * top)))
        team_max = max(team_max, 1)

    n_t, n_k = rates.size, len(caps)
    service = np.ones((n_t, n_k, team_max + 1))
    required = np.zeros((n_t, n_k), dtype=np.int64)
    feasible = np.ones((n_t, n_k), dtype=bool)
    for t, rate in enumerate(rates):
        for k, cap in enumerate(caps):
            if not lat_ok[k]:
                feasible[t, k] = False
                required[t, k] = team_max + 1
            if rate == 0.0:
                continue
            service[t, k] = np.maximum.accumulate(curve(rate, cap, team_max))
            if not lat_ok[k]:
                continue
            need = found.get((t, k))
            if need is None or need > team_max:
                feasible[t, k] = False
                required[t, k] = team_max + 1
            else:
                required[t, k] = need
    return Requirements(
        interval_starts=starts,
        interval_minutes=interval_minutes,
        sessions=sessions.copy(),
        caps=tuple(caps),
        feasible=feasible,
        required=required,
        service=service,
        target=target,
    )
