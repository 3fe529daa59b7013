"""The plain baseline: "Erlang C on agents x cap + 8-hour shifts", then our simulator.

What a voice-centre habit gives a chat team: per interval, treat each agent at cap k as k
independent servers working at the *solo* handle time (no concurrency slowdown, no reply
latency), size n with Erlang C so that P(wait <= 3 min) >= target, and cover that with 8-hour
shifts only (our roster with ``shift_lengths_hours=(8,)``: same team, same labour rules, same
solver). The roster is then played in our simulator (which has the concurrency slowdown and the
reply latency) to show the 3-minute rate a manager would really see.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from scheduler.domain import Forecast, Requirements
from scheduler.params import ChatModel, PlanParams
from scheduler.report import interval_sessions

BASELINE_LENGTHS = (8.0,)


def erlang_c_service(rate_per_hour: float, servers: int, handle_seconds: float,
                     answer_seconds: float) -> float:
    """P(wait <= answer) in M/M/N (Erlang C) with ``servers`` and the solo handle time."""
    if rate_per_hour <= 0:
        return 1.0
    if servers <= 0:
        return 0.0
    lam = rate_per_hour / 3600.0
    mu = 1.0 / handle_seconds
    a = lam / mu
    if servers <= a:
        return 0.0
    b = 1.0  # Erlang B by its stable recursion
    for s in range(1, servers + 1):
        b = a * b / (s + a * b)
    c = servers * b / (servers - a * (1.0 - b))
    return max(0.0, 1.0 - c * math.exp(-(servers * mu - lam) * answer_seconds))


def erlang_c_curve(rate_per_hour: float, cap: int, max_agents: int, handle_seconds: float,
                   answer_seconds: float) -> np.ndarray:
    """``erlang_c_service`` for n = 0..max_agents agents of ``cap`` servers each, in one pass."""
    out = np.zeros(max_agents + 1)
    lam = rate_per_hour / 3600.0
    mu = 1.0 / handle_seconds
    a = lam / mu
    b = 1.0
    for s in range(1, max_agents * cap + 1):
        b = a * b / (s + a * b)
        if s % cap or s <= a:
            continue
        c = s * b / (s - a * (1.0 - b))
        out[s // cap] = max(0.0, 1.0 - c * math.exp(-(s * mu - lam) * answer_seconds))
    return out


def erlang_requirements(forecast: Forecast, chat: ChatModel, params: PlanParams,
                        max_agents: int | None = None) -> Requirements:
    """The baseline staffing table: n(t, k) = smallest n with Erlang C on n * k servers."""
    minutes = params.rules.interval_minutes
    starts, sessions = interval_sessions(forecast, minutes)
    caps = tuple(sorted(params.rules.allowed_caps))
    target = params.service.target
    rates = sessions * 60.0 / minutes
    if max_agents is None:
        peak = float(rates.max(initial=0.0)) * chat.handle_seconds / 3600.0
        max_agents = max(3, math.ceil(peak) + 10)
    service = np.ones((len(starts), len(caps), max_agents + 1))
    required = np.zeros((len(starts), len(caps)), dtype=np.int64)
    feasible = np.ones((len(starts), len(caps)), dtype=bool)
    for t, rate in enumerate(rates):
        if rate <= 0:
            continue
        for k, cap in enumerate(caps):
            curve = erlang_c_curve(rate, cap, max_agents, chat.handle_seconds,
                                   chat.answer_seconds)
            service[t, k] = np.maximum.accumulate(curve)
            ok = np.nonzero(service[t, k] >= target - 1e-12)[0]
            if ok.size:
                required[t, k] = int(ok[0])
            else:
                feasible[t, k] = False
                required[t, k] = max_agents + 1
    return Requirements(interval_starts=tuple(starts), interval_minutes=minutes,
                        sessions=np.asarray(sessions, dtype=float), caps=caps,
                        feasible=feasible, required=required, service=service, target=target)


def fixed_agent_requirements(forecast: Forecast, params: PlanParams,
                             agents_per_hour: list[int]) -> Requirements:
    """A staffing table asking exactly ``agents_per_hour[h]`` agents in every interval of hour
    h at every allowed cap (a step service curve: 0 below, 1 from there): somebody else's
    requirement (pyworkforce's Erlang C on slots) fed to our roster as it is."""
    minutes = params.rules.interval_minutes
    starts, sessions = interval_sessions(forecast, minutes)
    caps = tuple(sorted(params.rules.allowed_caps))
    need = np.repeat(np.asarray(agents_per_hour, dtype=np.int64), 60 // minutes)
    if need.shape != (len(starts),):
        raise ValueError(f"need {len(starts) * minutes // 60} hourly values, got "
                         f"{len(agents_per_hour)}")
    service = np.zeros((len(starts), len(caps), int(need.max(initial=0)) + 3))
    for t, n in enumerate(need):
        service[t, :, int(n):] = 1.0
    required = np.repeat(need[:, None], len(caps), axis=1)
    return Requirements(interval_starts=tuple(starts), interval_minutes=minutes,
                        sessions=np.asarray(sessions, dtype=float), caps=caps,
                        feasible=np.ones(required.shape, dtype=bool), required=required,
                        service=service, target=params.service.target)


def baseline_params(params: PlanParams) -> PlanParams:
    return replace(params, rules=replace(params.rules, shift_lengths_hours=BASELINE_LENGTHS))
