"""A constant team under constant demand, run long: the simulator's side of model validation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scheduler.params import ChatModel
from scheduler.simulate.engine import DutyPlan, integrate_agents, run_events
from scheduler.simulate.results import percentiles, ratio
from scheduler.simulate.sampling import (
    HandleSampler,
    draw_handle,
    draw_patience,
    poisson_arrivals,
)


@dataclass(frozen=True)
class StationaryMetrics:
    """Long-run behaviour of ``n_agents`` agents at cap ``cap`` on duty all the time.

    Counted over sessions that arrived in the measured window (after the warm-up); every one of
    them is resolved (the run drains past the window).

    - ``three_min_rate``: share of sessions picked up with ``wait + reply latency <=
      chat.answer_seconds``.
    - ``reply_rate``: share of sessions picked up at all (not abandoned).
    - ``abandonment_share``: share that left before a pickup (``1 - reply_rate``).
    - ``p50/p90/p99_wait_seconds``: percentiles of the time to first human reply (queue wait
      plus reply latency) over picked-up sessions (NaN if none).
    - ``occupancy``: mean chats held / (``n_agents * cap``) over the window.
    - ``utilisation``: share of agent-time holding at least one chat.
    - ``queue_waits_seconds``: each counted session's time from arrival to pickup, ``inf`` if it
      abandoned; use :meth:`share_picked_up_within` for ``P(queue wait <= t)``.
    """

    arrivals_per_hour: float
    n_agents: int
    cap: int
    hours: float
    sessions: int
    three_min_rate: float
    reply_rate: float
    abandonment_share: float
    p50_wait_seconds: float
    p90_wait_seconds: float
    p99_wait_seconds: float
    occupancy: float
    utilisation: float
    queue_waits_seconds: np.ndarray

    def share_picked_up_within(self, seconds: float) -> float:
        """Share of sessions picked up within ``seconds`` of arriving (abandoned: not)."""
        if self.sessions == 0:
            return math.nan
        return float(np.count_nonzero(self.queue_waits_seconds <= seconds) / self.sessions)


def simulate_stationary(
    arrivals_per_hour: float,
    n_agents: int,
    cap: int,
    chat: ChatModel,
    *,
    hours: float = 500.0,
    warmup_hours: float = 20.0,
    seed: int = 0,
    handle: HandleSampler | None = None,
) -> StationaryMetrics:
    """Simulate ``n_agents`` agents at cap ``cap``, all on duty, under Poisson arrivals.

    Args:
        arrivals_per_hour: Poisson arrival rate (sessions per hour, >= 0).
        n_agents: agents on duty the whole time (>= 1).
        cap: chats each agent may hold at once (1..len(chat.throughput)).
        chat: the chat model (handle time, reply latency, patience, deadline, throughput).
        hours: length of the measured window (hours, > 0).
        warmup_hours: simulated before the window and discarded (hours, >= 0).
        seed: seed of the numpy Generator; the same seed gives the same result.
        handle: solo handle-time sampler; default exponential with mean ``chat.handle_seconds``.

    Runtime is proportional to the number of sessions (about 5 microseconds each; see
    ``benchmarks/results/simulate_speed.md``).
    """
    if arrivals_per_hour < 0 or not math.isfinite(arrivals_per_hour):
        raise ValueError("arrivals_per_hour must be finite and >= 0")
    if n_agents < 1:
        raise ValueError("n_agents must be >= 1")
    if not 1 <= cap <= len(chat.throughput):
        raise ValueError(f"cap must be within 1..{len(chat.throughput)}")
    if hours <= 0 or warmup_hours < 0:
        raise ValueError("hours must be > 0 and warmup_hours >= 0")

    rng = np.random.default_rng(seed)
    window_start = warmup_hours * 3600.0
    window_end = window_start + hours * 3600.0
    arrivals = poisson_arrivals(
        rng, np.array([arrivals_per_hour * (warmup_hours + hours)]), window_end
    )
    n = len(arrivals)
    handle_s = draw_handle(rng, n, chat, handle)
    patience_s = draw_patience(rng, n, chat)
    duty = DutyPlan.from_periods(n_agents, [(0.0, math.inf, a, cap) for a in range(n_agents)])
    run = run_events(
        arrivals,
        handle_s,
        patience_s,
        duty,
        throughput=chat.throughput,
        base_reply_seconds=chat.base_reply_seconds,
        start_seconds=0.0,
        horizon_end_seconds=window_end,
    )

    counted = arrivals >= window_start
    sessions = int(np.count_nonzero(counted))
    picked = counted & ~np.isnan(run.pickup_seconds)
    queue_wait = np.where(np.isnan(run.pickup_seconds), math.inf, run.pickup_seconds - arrivals)[
        counted
    ]
    first_reply = (run.pickup_seconds + run.reply_latency_seconds - arrivals)[picked]
    success = int(np.count_nonzero(first_reply <= chat.answer_seconds + 1e-9))
    n_picked = int(np.count_nonzero(picked))
    p50, p90, p99 = percentiles(first_reply)
    on, offered, busy_slots, busy_time = integrate_agents(run, np.array([window_start, window_end]))
    return StationaryMetrics(
        arrivals_per_hour=float(arrivals_per_hour),
        n_agents=n_agents,
        cap=cap,
        hours=float(hours),
        sessions=sessions,
        three_min_rate=ratio(success, sessions),
        reply_rate=ratio(n_picked, sessions),
        abandonment_share=ratio(sessions - n_picked, sessions),
        p50_wait_seconds=p50,
        p90_wait_seconds=p90,
        p99_wait_seconds=p99,
        occupancy=float(busy_slots[0] / offered[0]),
        utilisation=float(busy_time[0] / on[0]),
        queue_waits_seconds=queue_wait,
    )
