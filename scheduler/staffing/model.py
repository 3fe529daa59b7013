"""The birth-death model of a chat team (the analytic half of staffing).

State ``m`` = sessions in the system: ``min(m, N)`` in service on the team's ``N`` slots, the rest
waiting FCFS. Routing is balanced: the least-loaded agent that is below its own cap takes the
next session, so the team fills "level by level" (every agent's 1st chat, then every 2nd chat of
agents allowed 2, ...). With ``m`` chats in service the team therefore works at
``sum_a throughput(j_a) / handle_seconds`` chats per second, where ``j_a`` is agent ``a``'s load
(see ``ChatModel``). Balanced loads are an assumption of the model: after a departure the real
team is not rebalanced (the simulator keeps that detail; the benchmark measures the gap).

Waiting sessions leave at rate ``theta = 1 / patience_seconds`` each (Erlang A); with
``theta = 0`` the queue tail is geometric and summed in closed form (Erlang C).

The 3-minute rate (PASTA: an arrival sees the stationary distribution):
- an arrival that finds ``m < N`` in service is picked up at once by a least-loaded agent that then
  holds ``level(m + 1)`` chats; it succeeds iff ``reply_latency(level) <= answer_seconds``;
- an arrival that finds the team full with ``q`` sessions already waiting is picked up when a
  slot frees, by the agent that freed it, who then holds its own cap ``c``. Its time to pickup is
  a sum of exponentials with rates ``mu_N + i * theta`` (``i = q, ..., 0`` sessions ahead) and it
  abandons at rate ``theta``. Tilting by its own patience gives, with ``x = 1 - exp(-theta t)``,
  ``P(picked up within t) = mu_N / (mu_N + (q+1) theta) * I_x(q + 1, (mu_N + theta) / theta)``
  (``I`` the regularised incomplete beta: ``exp(-theta S)`` of a sum ``S`` of exponentials with
  rates ``a, a + theta, ..., a + q theta`` is Beta(a / theta, q + 1)). Success needs
  ``t = answer_seconds - reply_latency(c)``.

Everything is computed in log space (cumulative sums of log rate ratios, log-sum-exp), so teams of
1..500 agents with caps 1..8 (4000 slots) are stable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import betainc

from scheduler.params import MAX_CAP, ChatModel

SECONDS_PER_HOUR = 3600.0
_TAIL_LOG_DROP = 36.0 * math.log(10.0)
"""Queue states are kept until their probability falls below 1e-36 of the largest state
(with abandonment); what is dropped is far below 1e-15 of the total."""
_LATENCY_EPS = 1e-9
_MAX_QUEUE = 200_000
"""With abandonment, a queue whose most likely length exceeds this many sessions (patience far
longer than the overload can clear) is not enumerated: the fluid limit applies (nobody is
picked up within minutes; ``reply_rate = capacity / demand``)."""


def _tail_length(lam: float, mu: float, theta: float) -> int | None:
    """Queue states to enumerate (theta > 0), or None when the fluid limit applies.

    The log-probability of state ``q`` rises until ``q* = (lam - mu) / theta`` and then drops by
    at least ``d^2 theta / (2 lam)`` over ``d`` more states (or geometrically, by
    ``log(mu / lam)`` per state, when ``lam < mu``); callers double the length if needed.
    """
    q_peak = max(0.0, (lam - mu) / theta)
    if q_peak > _MAX_QUEUE:
        return None
    spread = math.sqrt(2.0 * _TAIL_LOG_DROP * max(lam, mu) / theta)
    if lam < mu:
        spread = min(spread, _TAIL_LOG_DROP / math.log(mu / lam))
    return int(q_peak + spread) + 64


@dataclass(frozen=True)
class ServiceMetrics:
    """Long-run behaviour of one team at a constant arrival rate (all shares in [0, 1]).

    - ``service_level``: the 3-minute rate, the share of arriving sessions picked up (not
      abandoned) whose ``wait + reply latency <= answer_seconds``. 1.0 when no sessions arrive.
    - ``wait_probability``: share of arrivals that find every slot busy and must wait.
    - ``abandon_probability``: share of arrivals that leave before pickup.
    - ``reply_rate``: share picked up at all (``1 - abandon_probability`` when stable).
    - ``mean_wait_seconds``: mean time from arrival to pickup or abandonment, over all arrivals.
    - ``mean_queue``: mean number of sessions waiting.
    - ``occupancy``: mean chats in service / ``slots``.
    - ``utilisation``: mean work done / the team's work capacity at full load, both in solo-chat
      units (``sum_a throughput(j_a)`` over ``sum_a throughput(cap_a)``).
    - ``stable``: False when nobody abandons and arrivals exceed the full team's completion
      rate; the queue then grows without bound, ``service_level`` and ``wait_probability`` are
      their limits (0 and 1), ``reply_rate`` is the long-run share that is ever served.
    """

    arrivals_per_hour: float
    agents: int
    slots: int
    service_level: float
    wait_probability: float
    abandon_probability: float
    reply_rate: float
    mean_wait_seconds: float
    mean_queue: float
    occupancy: float
    utilisation: float
    stable: bool


def _logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(sum(exp(x))) along ``axis``; entries may be -inf (rows must have one finite entry)."""
    top = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - top), axis=axis)) + np.squeeze(top, axis=axis)
    return np.asarray(out, dtype=float)


def _check_chat_caps(chat: ChatModel, caps: Sequence[int]) -> None:
    for c in caps:
        if c < 1 or c > MAX_CAP:
            raise ValueError(f"cap {c} outside 1..{MAX_CAP}")
        if c > len(chat.throughput):
            raise ValueError(f"ChatModel.throughput has no value for cap {c}")


def _throughput_table(chat: ChatModel, top: int) -> np.ndarray:
    """``th[j]`` for j = 0..top, with ``th[0] = 0``."""
    return np.concatenate(([0.0], np.asarray(chat.throughput[:top], dtype=float)))


def _latency_ok(chat: ChatModel, top: int) -> np.ndarray:
    """``ok[j]`` for j = 0..top: reply latency alone meets the deadline at load j."""
    ok = np.zeros(top + 1, dtype=bool)
    for j in range(1, top + 1):
        ok[j] = chat.reply_latency_seconds(j) <= chat.answer_seconds + _LATENCY_EPS
    return ok


def _slot_levels(caps: Sequence[int]) -> np.ndarray:
    """Level (the picking agent's load after pickup) of slot s = 1..N under level filling."""
    counts = np.bincount(np.asarray(caps, dtype=np.int64), minlength=MAX_CAP + 2)
    at_least = np.cumsum(counts[::-1])[::-1]  # at_least[L] = agents with cap >= L
    levels = [np.full(int(at_least[level]), level) for level in range(1, MAX_CAP + 1)]
    return np.concatenate(levels).astype(np.int64)


def _metrics(lam_hour: float, agents: int, slots: int, **values: float | bool) -> ServiceMetrics:
    """ServiceMetrics of a degenerate case: ``values`` overrides the no-demand defaults."""
    base: dict[str, float | bool] = {
        "service_level": 1.0,
        "wait_probability": 0.0,
        "abandon_probability": 0.0,
        "reply_rate": 1.0,
        "mean_wait_seconds": 0.0,
        "mean_queue": 0.0,
        "occupancy": 0.0,
        "utilisation": 0.0,
        "stable": True,
    }
    base.update(values)
    return ServiceMetrics(lam_hour, agents, slots, **base)  # type: ignore[arg-type]


def _empty_metrics(lam_hour: float, agents: int, slots: int, chat: ChatModel) -> ServiceMetrics:
    """No agents: nobody is served (with abandonment everybody leaves after their patience)."""
    theta = chat.abandonment_rate_per_second
    if lam_hour == 0.0:
        return _metrics(0.0, agents, slots)
    failed: dict[str, float | bool] = {
        "service_level": 0.0,
        "wait_probability": 1.0,
        "reply_rate": 0.0,
    }
    if theta > 0.0:
        lam = lam_hour / SECONDS_PER_HOUR
        return _metrics(
            lam_hour,
            agents,
            slots,
            **failed,
            abandon_probability=1.0,
            mean_wait_seconds=1.0 / theta,
            mean_queue=lam / theta,
        )
    return _metrics(
        lam_hour,
        agents,
        slots,
        **failed,
        mean_wait_seconds=math.inf,
        mean_queue=math.inf,
        stable=False,
    )


def _waiting_success(q: np.ndarray, mu_full: float, theta: float, t_left: float) -> np.ndarray:
    """P(picked up within ``t_left`` seconds) for an arrival with ``q`` sessions ahead (theta>0)."""
    if t_left <= 0.0:
        return np.zeros(q.shape)
    x = -math.expm1(-theta * t_left)
    reach = mu_full / (mu_full + (q + 1.0) * theta)
    return np.asarray(reach * betainc(q + 1.0, (mu_full + theta) / theta, x), dtype=float)


def _solve(
    lam_hour: float,
    levels: np.ndarray,
    cap_counts: dict[int, int],
    chat: ChatModel,
) -> ServiceMetrics:
    """Stationary analysis of a team whose slots fill in the order of ``levels``."""
    agents = int(sum(cap_counts.values()))
    slots = int(levels.size)
    if agents == 0:
        return _empty_metrics(lam_hour, agents, slots, chat)
    top = int(levels.max())
    th = _throughput_table(chat, top)
    ok = _latency_ok(chat, top)
    h = chat.handle_seconds
    theta = chat.abandonment_rate_per_second
    answer = chat.answer_seconds

    # Death rates with m = 1..N in service: each new slot at level L adds th[L] - th[L-1].
    death_in = np.cumsum(th[levels] - th[levels - 1]) / h
    mu_full = float(sum(cnt * th[c] for c, cnt in cap_counts.items()) / h)
    # Which agent frees the slot a waiting session takes: proportional to its completion rate.
    pick_mix = [
        (cnt * th[c] / h / mu_full, answer - chat.reply_latency_seconds(c))
        for c, cnt in cap_counts.items()
    ]

    if lam_hour == 0.0:
        return _metrics(0.0, agents, slots)
    lam = lam_hour / SECONDS_PER_HOUR
    log_lam = math.log(lam)
    log_pi_in = np.concatenate(([0.0], np.cumsum(log_lam - np.log(death_in))))  # m = 0..N

    if theta > 0.0:
        # Queue tail q = 1..Q: ratio lam / (mu_full + q theta); log terms rise until
        # q* ~ (lam - mu)/theta and then fall roughly quadratically.
        tail_length = _tail_length(lam, mu_full, theta)
        if tail_length is None:
            return _metrics(
                lam_hour,
                agents,
                slots,
                service_level=0.0,
                wait_probability=1.0,
                abandon_probability=1.0 - mu_full / lam,
                reply_rate=mu_full / lam,
                mean_wait_seconds=(lam - mu_full) / theta / lam,
                mean_queue=(lam - mu_full) / theta,
                occupancy=1.0,
                utilisation=1.0,
            )
        q_max = tail_length
        while True:
            qs = np.arange(1, q_max + 1, dtype=float)
            log_tail = log_pi_in[-1] + np.cumsum(log_lam - np.log(mu_full + qs * theta))
            peak = max(float(log_pi_in.max()), float(log_tail.max()))
            if log_tail[-1] < peak - _TAIL_LOG_DROP:
                break
            q_max *= 2
        log_z = float(_logsumexp(np.concatenate((log_pi_in, log_tail))))
        p_in = np.exp(log_pi_in - log_z)
        p_full = np.concatenate((p_in[-1:], np.exp(log_tail - log_z)))  # q = 0..Q waiting
        q_all = np.arange(p_full.size, dtype=float)
        p_wait = float(p_full.sum())
        mean_queue = float((q_all * p_full).sum())
        sl_wait = 0.0
        for weight, t_left in pick_mix:
            sl_wait += weight * float(
                (p_full * _waiting_success(q_all, mu_full, theta, t_left)).sum()
            )
        abandon = theta * mean_queue / lam
        stable = True
    else:
        rho = lam / mu_full
        if rho >= 1.0:
            return _metrics(
                lam_hour,
                agents,
                slots,
                service_level=0.0,
                wait_probability=1.0,
                reply_rate=mu_full / lam,
                mean_wait_seconds=math.inf,
                mean_queue=math.inf,
                occupancy=1.0,
                utilisation=1.0,
                stable=False,
            )
        # Geometric tail: pi_{N+q} = pi_N rho^q; total tail (q >= 0) = pi_N / (1 - rho).
        log_tail_total = log_pi_in[-1] - math.log1p(-rho)
        log_z = float(_logsumexp(np.concatenate((log_pi_in[:-1], [log_tail_total]))))
        p_in = np.exp(log_pi_in - log_z)
        p_wait = float(math.exp(log_tail_total - log_z))
        mean_queue = p_wait * rho / (1.0 - rho)
        # Erlang C: the wait of a waiting arrival is exponential with rate mu_full - lam.
        sl_wait = 0.0
        for weight, t_left in pick_mix:
            if t_left >= 0.0:
                sl_wait += weight * p_wait * -math.expm1(-(mu_full - lam) * t_left)
        abandon = 0.0
        stable = True

    # Arrivals finding m = 0..N-1 in service are picked up at level levels[m].
    sl_now = float((p_in[:-1] * ok[levels]).sum())
    m = np.arange(slots + 1, dtype=float)
    p_not_full = p_in[:-1]
    mean_busy = float((m[:-1] * p_not_full).sum()) + slots * p_wait
    work_in = np.concatenate(([0.0], death_in))[:-1]
    work = float((work_in * p_not_full).sum()) + mu_full * p_wait
    service_level = float(min(1.0, max(0.0, sl_now + sl_wait)))
    mean_busy = min(mean_busy, float(slots))
    return ServiceMetrics(
        arrivals_per_hour=lam_hour,
        agents=agents,
        slots=slots,
        service_level=service_level,
        wait_probability=min(1.0, p_wait),
        abandon_probability=min(1.0, abandon),
        reply_rate=max(0.0, 1.0 - abandon),
        mean_wait_seconds=mean_queue / lam,
        mean_queue=mean_queue,
        occupancy=mean_busy / slots,
        utilisation=min(1.0, work / mu_full),
        stable=stable,
    )


def _check_rate(arrivals_per_hour: float) -> float:
    rate = float(arrivals_per_hour)
    if not math.isfinite(rate) or rate < 0.0:
        raise ValueError(f"arrivals_per_hour must be a finite number >= 0, got {arrivals_per_hour}")
    return rate


def service_metrics(
    arrivals_per_hour: float, agents: int, cap: int, chat: ChatModel
) -> ServiceMetrics:
    """Stationary metrics of ``agents`` agents who each hold at most ``cap`` chats.

    ``arrivals_per_hour`` is the Poisson rate of new sessions (sessions per hour). With
    ``cap = 1``, ``chat.base_reply_seconds = 0`` this is Erlang A (Erlang C when
    ``chat.patience_seconds`` is 0 or inf). See the module docstring for the model.
    """
    rate = _check_rate(arrivals_per_hour)
    if agents < 0:
        raise ValueError(f"agents must be >= 0, got {agents}")
    _check_chat_caps(chat, [cap])
    levels = np.repeat(np.arange(1, cap + 1, dtype=np.int64), agents)
    counts = {cap: agents} if agents else {}
    return _solve(rate, levels, counts, chat)


def team_service_level(
    arrivals_per_hour: float, caps: Sequence[int], chat: ChatModel
) -> ServiceMetrics:
    """Stationary metrics of a mixed team: one entry of ``caps`` per agent on duty (its cap).

    Routing is least-loaded first, so the team fills level by level up to each agent's own cap.
    ``service_metrics(rate, n, k, chat)`` equals ``team_service_level(rate, [k] * n, chat)``.
    ``arrivals_per_hour``: Poisson rate of new sessions, sessions per hour.
    """
    rate = _check_rate(arrivals_per_hour)
    caps_list = [int(c) for c in caps]
    _check_chat_caps(chat, caps_list)
    counts: dict[int, int] = {}
    for c in caps_list:
        counts[c] = counts.get(c, 0) + 1
    levels = _slot_levels(caps_list) if caps_list else np.zeros(0, dtype=np.int64)
    return _solve(rate, levels, counts, chat)


_SATURATED = 1e-13
"""A service curve stops being computed once ``1 - service_level`` is below this (the rest of
the curve is filled with the last value; the error is below this too)."""
_BLOCK = 32


def _homogeneous_block(lam: float, cap: int, chat: ChatModel, ns: np.ndarray) -> np.ndarray:
    """3-minute rates for teams of ``ns`` agents (all >= 1) at ``cap``: one row per team.

    The same model as ``_solve``, vectorised over team sizes with padded 2-D arrays.
    """
    th = np.concatenate((_throughput_table(chat, cap), [0.0]))  # th[cap + 1] = 0 (never weighted)
    ok = _latency_ok(chat, cap)
    h = chat.handle_seconds
    theta = chat.abandonment_rate_per_second
    answer = chat.answer_seconds
    log_lam = math.log(lam)
    n = ns.astype(float)[:, None]
    slots = ns * cap
    n_max = int(slots.max())
    s = np.arange(1, n_max + 1, dtype=np.int64)[None, :]  # slot / state index 1..Nmax
    valid_in = s <= slots[:, None]
    full_level, extra = np.divmod(s, ns[:, None])
    full_level = np.minimum(full_level, cap)
    extra = np.where(valid_in, extra, 0)
    death = (extra * th[np.minimum(full_level + 1, cap + 1)] + (n - extra) * th[full_level]) / h
    death = np.where(valid_in, death, 1.0)
    steps = np.where(valid_in, log_lam - np.log(death), 0.0)
    log_pi_in = np.concatenate((np.zeros((ns.size, 1)), np.cumsum(steps, axis=1)), axis=1)
    rows = np.arange(ns.size)
    log_pi_full = log_pi_in[rows, slots]  # state N (all slots busy, nobody waiting)
    # In-service states m = 0..N-1 of each row; the pickup level of an arrival seeing m.
    m = np.arange(n_max)[None, :]
    valid_m = m < slots[:, None]
    level = np.minimum(m // ns[:, None] + 1, cap)
    log_pi_m = np.where(valid_m, log_pi_in[:, :-1], -np.inf)
    mu = ns * th[cap] / h
    t_left = answer - chat.reply_latency_seconds(cap)

    if theta > 0.0:
        lengths = [_tail_length(lam, float(m), theta) for m in mu]
        q_max = max(length for length in lengths if length is not None)
        while True:
            qs = np.arange(1, q_max + 1, dtype=float)[None, :]
            log_tail = log_pi_full[:, None] + np.cumsum(
                log_lam - np.log(mu[:, None] + qs * theta), axis=1
            )
            peak = np.maximum(log_pi_m.max(axis=1), log_tail.max(axis=1))
            peak = np.maximum(peak, log_pi_full)
            if np.all(log_tail[:, -1] < peak - _TAIL_LOG_DROP):
                break
            q_max *= 2
        log_full = np.concatenate((log_pi_full[:, None], log_tail), axis=1)  # q = 0..Q
        log_z = _logsumexp(np.concatenate((log_pi_m, log_full), axis=1), axis=1)
        p_m = np.exp(log_pi_m - log_z[:, None])
        p_full = np.exp(log_full - log_z[:, None])
        if t_left > 0.0:
            q_all = np.arange(p_full.shape[1], dtype=float)[None, :]
            x = -math.expm1(-theta * t_left)
            # I_x(q + 1, b) with integer q + 1 is the tail P(X > q) of a negative binomial X
            # (b = (mu + theta) / theta "successes", probability x): its pmf by the ratio
            # recursion pmf(i) / pmf(i - 1) = x (i - 1 + b) / i, in log space. Absolute errors
            # of the tail are ~1e-16, which is what the weighted sum needs.
            b = (mu[:, None] + theta) / theta
            i = q_all[:, 1:]
            log_pmf = np.concatenate(
                (
                    b * math.log1p(-x) + 0.0 * q_all[:, :1],
                    b * math.log1p(-x)
                    + np.cumsum(math.log(x) + np.log(i - 1.0 + b) - np.log(i), axis=1),
                ),
                axis=1,
            )
            tail = np.clip(1.0 - np.cumsum(np.exp(log_pmf), axis=1), 0.0, 1.0)
            reach = mu[:, None] / (mu[:, None] + (q_all + 1.0) * theta)
            sl_wait = (p_full * reach * tail).sum(axis=1)
        else:
            sl_wait = np.zeros(ns.size)
    else:
        rho = lam / mu
        stable = rho < 1.0
        safe_rho = np.where(stable, rho, 0.5)
        log_tail_total = log_pi_full - np.log1p(-safe_rho)
        log_z = _logsumexp(np.concatenate((log_pi_m, log_tail_total[:, None]), axis=1), axis=1)
        p_m = np.exp(log_pi_m - log_z[:, None])
        p_wait = np.exp(log_tail_total - log_z)
        # Erlang C tail (zero when the latency at the cap leaves no time to wait).
        sl_wait = p_wait * -np.expm1(-(mu - lam) * max(t_left, 0.0))
        p_m = np.where(stable[:, None], p_m, 0.0)
        sl_wait = np.where(stable, sl_wait, 0.0)
    sl_now = (p_m * ok[level]).sum(axis=1)
    return np.asarray(np.clip(sl_now + sl_wait, 0.0, 1.0), dtype=float)


def homogeneous_service_curve(
    arrivals_per_hour: float, cap: int, chat: ChatModel, *, max_agents: int
) -> np.ndarray:
    """3-minute rate of teams of n = 0..``max_agents`` agents, all at ``cap``.

    Returns a float array of length ``max_agents + 1``: ``out[n]`` equals
    ``service_metrics(arrivals_per_hour, n, cap, chat).service_level`` (n = 0 gives 0 when
    sessions arrive, 1 when none do). Computed in blocks of team sizes; once a team misses
    fewer than 1e-13 of the sessions (and every load up to the cap meets the deadline on
    latency alone), larger teams get that same value.
    """
    rate = _check_rate(arrivals_per_hour)
    _check_chat_caps(chat, [cap])
    if max_agents < 0:
        raise ValueError(f"max_agents must be >= 0, got {max_agents}")
    out = np.ones(max_agents + 1)
    if rate == 0.0:
        return out
    out[0] = 0.0
    lam = rate / SECONDS_PER_HOUR
    theta = chat.abandonment_rate_per_second
    can_saturate = bool(_latency_ok(chat, cap)[1:].all())
    start = 1
    while start <= max_agents:
        stop = min(max_agents, start + _BLOCK - 1)
        ns = np.arange(start, stop + 1, dtype=np.int64)
        if theta > 0.0:
            # Teams in the fluid limit (see _tail_length) pick nobody up within minutes.
            mu = ns * chat.capacity(cap) / chat.handle_seconds
            fluid = (lam - mu) / theta > _MAX_QUEUE
            out[start : stop + 1][fluid] = 0.0
            ns = ns[~fluid]
        if ns.size:
            out[stop + 1 - ns.size : stop + 1] = _homogeneous_block(lam, cap, chat, ns)
        last = out[stop]
        if can_saturate and 1.0 - last < _SATURATED:
            out[stop + 1 :] = last
            break
        start = stop + 1
    return out
