"""The event loop: plain arrays in, plain arrays out. No datetimes, no pandas.

Time is in seconds from an origin chosen by the caller. The model is the one in the
``scheduler.params.ChatModel`` docstring:

- Sessions wait in one FCFS queue for a first pickup.
- Routing is balanced: whenever a slot may be free, the agent on duty with the fewest chats among
  those holding fewer than their current cap takes the oldest waiting session (ties: lowest agent
  index).
- An agent holding ``j`` chats gives each of them ``throughput(j) / j`` solo-seconds of work per
  second (processor sharing with a concurrency penalty). We keep one *virtual clock* per agent that
  advances at that rate; a chat picked up at virtual time ``v`` with solo work ``h`` finishes when
  the agent's virtual clock reaches ``v + h``. Only the agent's next completion is in the event
  list; when ``j`` changes the old entry is invalidated by a version number and a new one pushed.
- The first reply comes ``reply_latency_seconds(j)`` after pickup, ``j`` = chats held after it.
- A waiting session leaves when its patience runs out (``inf`` = never).
- Duty changes (shift start/end, breaks) only change who may *take* chats: chats in progress are
  finished at the agent's current concurrency.

All events with exactly the same time are applied before routing, so a shift starting at 09:00
serves a session arriving at 09:00, and a shift ending at 17:00 does not.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

_ABANDON = 0
_COMPLETE = 1


@dataclass(frozen=True)
class DutyPlan:
    """When each agent takes new chats, as sorted change points.

    ``times_seconds[i]``: when agent ``agents[i]`` starts (``delta = +1``) or stops (``delta = -1``)
    a duty period at cap ``caps[i]``. An agent's cap at any moment is the largest cap among its open
    duty periods (0 = off duty). ``n_agents`` agents are indexed ``0..n_agents-1``.
    """

    n_agents: int
    times_seconds: np.ndarray
    agents: np.ndarray
    caps: np.ndarray
    deltas: np.ndarray

    @staticmethod
    def from_periods(n_agents: int, periods: list[tuple[float, float, int, int]]) -> DutyPlan:
        """Build from ``(start_seconds, end_seconds, agent_index, cap)`` half-open periods."""
        rows: list[tuple[float, int, int, int]] = []
        for start, end, agent, cap in periods:
            if end <= start:
                continue
            rows.append((start, agent, cap, +1))
            rows.append((end, agent, cap, -1))
        rows.sort(key=lambda r: (r[0], r[3], r[1]))  # ends before starts at the same instant
        return DutyPlan(
            n_agents=n_agents,
            times_seconds=np.array([r[0] for r in rows], dtype=float),
            agents=np.array([r[1] for r in rows], dtype=np.int64),
            caps=np.array([r[2] for r in rows], dtype=np.int64),
            deltas=np.array([r[3] for r in rows], dtype=np.int64),
        )


@dataclass(frozen=True)
class RawRun:
    """What happened to each session and each agent.

    Per session (arrays of length N, in arrival order): ``pickup_seconds`` (NaN if never picked
    up), ``reply_latency_seconds`` (NaN if never picked up), ``agent`` (-1 if never picked up),
    ``held_at_pickup`` (chats the agent held right after the pickup, 0 if never picked up),
    ``abandoned`` (left the queue before a pickup), ``done_seconds`` (chat completion, NaN if not
    completed before the run stopped).

    Agent state log (arrays of length M, in time order): at ``log_seconds[m]`` agent
    ``log_agent[m]`` holds ``log_load[m]`` chats and has cap ``log_cap[m]`` (0 = off duty) until
    its next log entry. Every agent has a first entry at the run's start and a last entry where
    the run stopped.
    """

    pickup_seconds: np.ndarray
    reply_latency_seconds: np.ndarray
    held_at_pickup: np.ndarray
    agent: np.ndarray
    abandoned: np.ndarray
    done_seconds: np.ndarray
    log_seconds: np.ndarray
    log_agent: np.ndarray
    log_load: np.ndarray
    log_cap: np.ndarray


def run_events(
    arrivals_seconds: np.ndarray,
    handle_seconds: np.ndarray,
    patience_seconds: np.ndarray,
    duty: DutyPlan,
    *,
    throughput: tuple[float, ...],
    base_reply_seconds: float,
    start_seconds: float,
    horizon_end_seconds: float,
) -> RawRun:
    """Run the event loop.

    Args:
        arrivals_seconds: session start times (seconds, sorted ascending, >= ``start_seconds``).
        handle_seconds: solo handle time of each session (seconds, > 0).
        patience_seconds: how long each session waits for a pickup before leaving (seconds;
            ``inf`` = never leaves).
        duty: when each agent takes new chats and at which cap.
        throughput: ``throughput[j-1]`` = solo-chat units of work per second with ``j`` chats.
        base_reply_seconds: first-reply latency with one chat; with ``j`` chats it is
            ``base_reply_seconds * j / throughput[j-1]``.
        start_seconds: when the run starts (agents idle, queue empty).
        horizon_end_seconds: the run continues at least until here, and past it until every
            session has been picked up or has left (or no event can change that any more).
    """
    n = len(arrivals_seconds)
    n_agents = duty.n_agents
    max_cap = int(duty.caps.max()) if len(duty.caps) else 0
    if max_cap > len(throughput):
        raise ValueError(f"cap {max_cap} has no throughput value")
    rate = [0.0] + [throughput[j - 1] / j for j in range(1, max_cap + 1)]
    latency = [0.0] + [base_reply_seconds * j / throughput[j - 1] for j in range(1, max_cap + 1)]

    arr = arrivals_seconds.tolist()
    handle = handle_seconds.tolist()
    patience = patience_seconds.tolist()
    d_t = duty.times_seconds.tolist()
    d_a = duty.agents.tolist()
    d_c = duty.caps.tolist()
    d_d = duty.deltas.tolist()
    n_duty = len(d_t)

    nan = math.nan
    inf = math.inf
    pickup = [nan] * n
    lat_out = [nan] * n
    agent_of = [-1] * n
    held = [0] * n
    abandoned = [False] * n
    done = [nan] * n
    waiting = bytearray(n)

    load = [0] * n_agents
    cap_now = [0] * n_agents
    open_caps: list[list[int]] = [[] for _ in range(n_agents)]
    vclock = [0.0] * n_agents
    vclock_at = [start_seconds] * n_agents
    version = [0] * n_agents
    chats: list[list[tuple[float, int]]] = [[] for _ in range(n_agents)]
    on_duty: list[int] = []  # agents with cap_now > 0, ascending index

    log_t: list[float] = [start_seconds] * n_agents
    log_a: list[int] = list(range(n_agents))
    log_l: list[int] = [0] * n_agents
    log_c: list[int] = [0] * n_agents

    heap: list[tuple[float, int, int, int, int]] = []
    seq = 0
    queue: deque[int] = deque()
    n_waiting = 0
    ai = 0
    di = 0
    # duty periods that opened before the start apply from the start
    while di < n_duty and d_t[di] <= start_seconds:
        a = d_a[di]
        if d_d[di] > 0:
            open_caps[a].append(d_c[di])
        else:
            open_caps[a].remove(d_c[di])
        di += 1
    for a in range(n_agents):
        cap_now[a] = max(open_caps[a]) if open_caps[a] else 0
        log_c[a] = cap_now[a]
    on_duty = [a for a in range(n_agents) if cap_now[a] > 0]

    t = start_seconds
    last = start_seconds
    new_arrivals: list[int] = []
    while True:
        ta = arr[ai] if ai < n else inf
        td = d_t[di] if di < n_duty else inf
        th = heap[0][0] if heap else inf
        t = ta if ta < td else td
        if th < t:
            t = th
        if t == inf:
            break
        if ai >= n and n_waiting == 0 and t >= horizon_end_seconds:
            break
        last = t

        # 1. duty changes
        if td == t:
            changed = False
            while di < n_duty and d_t[di] == t:
                a = d_a[di]
                if d_d[di] > 0:
                    open_caps[a].append(d_c[di])
                else:
                    open_caps[a].remove(d_c[di])
                new_cap = max(open_caps[a]) if open_caps[a] else 0
                if new_cap != cap_now[a]:
                    cap_now[a] = new_cap
                    changed = True
                    log_t.append(t)
                    log_a.append(a)
                    log_l.append(load[a])
                    log_c.append(new_cap)
                di += 1
            if changed:
                on_duty = [a for a in range(n_agents) if cap_now[a] > 0]

        # 2. abandonments and completions
        while heap and heap[0][0] == t:
            _, _, kind, x, y = heapq.heappop(heap)
            if kind == _ABANDON:
                if waiting[x]:
                    waiting[x] = 0
                    n_waiting -= 1
                    abandoned[x] = True
            else:
                a = x
                if y != version[a]:
                    continue
                j = load[a]
                vclock[a] += (t - vclock_at[a]) * rate[j]
                vclock_at[a] = t
                cl = chats[a]
                k = min(range(j), key=cl.__getitem__)
                done[cl[k][1]] = t
                del cl[k]
                j -= 1
                load[a] = j
                log_t.append(t)
                log_a.append(a)
                log_l.append(j)
                log_c.append(cap_now[a])
                version[a] += 1
                if j:
                    f = min(cl)[0]
                    seq += 1
                    heapq.heappush(
                        heap, (t + (f - vclock[a]) / rate[j], seq, _COMPLETE, a, version[a])
                    )

        # 3. arrivals
        while ai < n and arr[ai] == t:
            waiting[ai] = 1
            queue.append(ai)
            n_waiting += 1
            new_arrivals.append(ai)
            ai += 1

        # 4. routing: least-loaded agent with a free slot takes the oldest waiting session
        while n_waiting:
            best = -1
            best_load = 1 << 30
            for a in on_duty:
                la = load[a]
                if la < cap_now[a] and la < best_load:
                    best = a
                    best_load = la
            if best < 0:
                break
            s = queue.popleft()
            while not waiting[s]:
                s = queue.popleft()
            waiting[s] = 0
            n_waiting -= 1
            a = best
            j = best_load
            if j:
                vclock[a] += (t - vclock_at[a]) * rate[j]
            vclock_at[a] = t
            j += 1
            load[a] = j
            chats[a].append((vclock[a] + handle[s], s))
            pickup[s] = t
            lat_out[s] = latency[j]
            held[s] = j
            agent_of[s] = a
            log_t.append(t)
            log_a.append(a)
            log_l.append(j)
            log_c.append(cap_now[a])
            version[a] += 1
            f = min(chats[a])[0]
            seq += 1
            heapq.heappush(heap, (t + (f - vclock[a]) / rate[j], seq, _COMPLETE, a, version[a]))

        if new_arrivals:
            for s in new_arrivals:
                if waiting[s] and patience[s] < inf:
                    seq += 1
                    heapq.heappush(heap, (t + patience[s], seq, _ABANDON, s, 0))
            new_arrivals.clear()

    end = max(last, horizon_end_seconds)
    for a in range(n_agents):
        log_t.append(end)
        log_a.append(a)
        log_l.append(load[a])
        log_c.append(cap_now[a])

    order = np.argsort(np.asarray(log_t), kind="stable")
    return RawRun(
        pickup_seconds=np.asarray(pickup, dtype=float),
        reply_latency_seconds=np.asarray(lat_out, dtype=float),
        held_at_pickup=np.asarray(held, dtype=np.int64),
        agent=np.asarray(agent_of, dtype=np.int64),
        abandoned=np.asarray(abandoned, dtype=bool),
        done_seconds=np.asarray(done, dtype=float),
        log_seconds=np.asarray(log_t, dtype=float)[order],
        log_agent=np.asarray(log_a, dtype=np.int64)[order],
        log_load=np.asarray(log_l, dtype=np.int64)[order],
        log_cap=np.asarray(log_c, dtype=np.int64)[order],
    )


def integrate_agents(
    run: RawRun, edges_seconds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Integrate the agent state log over bins ``[edges[i], edges[i+1])``.

    Returns four arrays of length ``len(edges) - 1``, each in agent-seconds summed over agents:
    on-duty time, offered slots (cap x on-duty time), busy slots (chats held x on-duty time) and
    busy on-duty time (on duty and holding at least one chat).
    """
    nb = len(edges_seconds) - 1
    out = [np.zeros(nb) for _ in range(4)]
    for a in np.unique(run.log_agent):
        sel = run.log_agent == a
        t = run.log_seconds[sel]
        load = run.log_load[sel].astype(float)
        cap = run.log_cap[sel].astype(float)
        on = (cap > 0).astype(float)
        dt = np.diff(t)
        for k, level in enumerate((on, cap, load * on, (load > 0) * on)):
            cum = np.concatenate(([0.0], np.cumsum(level[:-1] * dt)))
            at_edges = np.interp(edges_seconds, t, cum)
            out[k] += np.diff(at_edges)
    return out[0], out[1], out[2], out[3]
