"""A synthetic, shop-shaped roster instance for the benchmarks (no files, fully seeded).

Demand: low 02:00-07:00, rising from 09:00, peaks 10-12, 14-17 and 20-23, weekends x1.25 and a
promotion evening (x1.8, Friday of week 2). Requirements per interval and cap come from an
Erlang C model on ``n * cap`` chat slots (per-slot rate ``capacity(cap) / (cap * handle)``,
reply latency subtracted from the 3-minute deadline): a self-contained stand-in for the staffing
stage, so that required agents x capacity is *not* monotone in the cap, as in the real table.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np

from scheduler.domain import Agent, Requirements
from scheduler.params import ChatModel

MONDAY = datetime(2026, 11, 30)
HOURLY_SHAPE = np.array(
    [0.35, 0.2, 0.12, 0.08, 0.07, 0.08, 0.12, 0.25, 0.5, 0.8, 1.0, 1.0,
     0.85, 0.8, 0.95, 1.0, 0.95, 0.8, 0.75, 0.85, 1.1, 1.2, 1.1, 0.7]
)  # fmt: skip


def demand(days: int, interval_minutes: int, *, peak_sessions_per_hour: float) -> np.ndarray:
    """Expected sessions per interval (float), ``days * 1440 / interval_minutes`` values."""
    per_hour = 60 // interval_minutes
    out = []
    for d in range(days):
        day_factor = 1.25 if d % 7 >= 5 else 1.0
        if d == 11:  # Friday of week 2: a promotion evening
            day_factor = 1.0
        for h in range(24):
            f = HOURLY_SHAPE[h] * day_factor
            if d == 11 and h >= 19:
                f *= 1.8
            out += [peak_sessions_per_hour * f / per_hour] * per_hour
    return np.asarray(out)


def _service_levels(
    sessions: np.ndarray, interval_minutes: int, cap: int, chat: ChatModel, n_max: int
) -> np.ndarray:
    """(T, n_max + 1) Erlang C service level P(first reply <= deadline) with n agents."""
    lam = sessions / (interval_minutes * 60.0)
    mu = chat.capacity(cap) / (cap * chat.handle_seconds)
    tau = chat.answer_seconds - chat.reply_latency_seconds(cap)
    a = lam / mu
    out = np.zeros((len(sessions), n_max + 1))
    out[:, 0] = np.where(sessions > 0, 0.0, 1.0)
    b = np.ones_like(a)  # Erlang B with 0 servers
    for servers in range(1, n_max * cap + 1):
        b = a * b / (servers + a * b)
        if servers % cap:
            continue
        n = servers // cap
        stable = servers > a
        c = np.where(stable, servers * b / np.maximum(servers - a * (1 - b), 1e-12), 1.0)
        sl = 1.0 - c * np.exp(-(servers * mu - lam) * max(tau, 0.0))
        sl = np.where(stable, np.clip(sl, 0.0, 1.0), 0.0)
        out[:, n] = np.where(sessions > 0, sl, 1.0)
    return np.maximum.accumulate(out, axis=1)


def requirements(
    days: int = 7,
    *,
    interval_minutes: int = 30,
    caps: tuple[int, ...] = (1, 2, 3, 4, 5, 6),
    peak_sessions_per_hour: float = 600.0,
    target: float = 0.8,
    n_max: int = 120,
    chat: ChatModel | None = None,
) -> Requirements:
    chat = chat or ChatModel()
    sessions = demand(days, interval_minutes, peak_sessions_per_hour=peak_sessions_per_hour)
    t_count = len(sessions)
    service = np.stack(
        [_service_levels(sessions, interval_minutes, c, chat, n_max) for c in caps], axis=1
    )
    ok = service >= target - 1e-12
    feasible = ok.any(axis=2)
    required = np.where(feasible, ok.argmax(axis=2), n_max + 1).astype(np.int64)
    required = np.where(sessions[:, None] > 0, required, 0)
    starts = tuple(MONDAY + timedelta(minutes=interval_minutes * t) for t in range(t_count))
    return Requirements(
        interval_starts=starts,
        interval_minutes=interval_minutes,
        sessions=sessions,
        caps=caps,
        feasible=feasible,
        required=required,
        service=service,
        target=target,
    )


def agents(count: int = 200, *, seed: int = 0) -> list[Agent]:
    """A team: 30% cap 2, 50% cap 3, 20% cap 5-6; 70% full-time 40 h, the rest 20-30 h (some
    evenings-only); 30% night-eligible; 80% weekend-eligible."""
    rng = np.random.default_rng(seed)
    team = []
    for i in range(count):
        u = rng.random()
        cap = 2 if u < 0.3 else 3 if u < 0.8 else int(rng.choice([5, 6]))
        full = rng.random() < 0.7
        hours = 40.0 if full else float(rng.choice([20.0, 24.0, 30.0]))
        if not full and rng.random() < 0.5:  # evenings and weekends only
            mask = tuple(tuple((d >= 5) or h >= 17 for h in range(24)) for d in range(7))
        else:
            mask = tuple(tuple(True for _ in range(24)) for _ in range(7))
        team.append(
            Agent(
                f"A{i:03d}",
                cap,
                hours,
                min_hours_week=math.floor(hours * 0.5),
                available=mask,
                night_ok=bool(rng.random() < 0.3),
                weekend_ok=bool(rng.random() < 0.8),
            )
        )
    return team
