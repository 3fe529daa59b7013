"""The birth-death chat-team model against textbook values and independent implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from scheduler.params import ChatModel
from scheduler.staffing import (
    homogeneous_service_curve,
    service_metrics,
    team_service_level,
)

TEXTBOOK = ChatModel(
    handle_seconds=180.0,
    base_reply_seconds=0.0,
    patience_seconds=0.0,  # nobody leaves: Erlang C
    answer_seconds=20.0,
    throughput=(1.0,),
)
"""100 calls per 30 minutes, 180 s handle time, 80% answered within 20 s."""


# --- independent reference implementations -------------------------------------------------


def erlang_c_reference(rate_per_hour: float, n: int, handle: float, t: float) -> tuple[float, ...]:
    """(P(wait), P(wait <= t)) by the Erlang B recursion and the Erlang C formula."""
    a = rate_per_hour * handle / 3600.0
    b = 1.0
    for i in range(1, n + 1):
        b = a * b / (i + a * b)
    c = n * b / (n - a * (1.0 - b))
    return c, 1.0 - c * math.exp(-(n - a) * t / handle)


def tagged_success(q_max: int, mu: float, theta: float, t: float) -> np.ndarray:
    """P(picked up within t, before leaving) with q = 0..q_max sessions ahead, by one matrix
    exponential of the tagged session's own chain (positions, then absorbing served / left)."""
    if t <= 0.0:
        return np.zeros(q_max + 1)
    size = q_max + 3  # positions 0..q_max (index = sessions ahead), served, left
    served, left = q_max + 1, q_max + 2
    gen = np.zeros((size, size))
    for ahead in range(q_max + 1):
        forward = mu + ahead * theta
        target = served if ahead == 0 else ahead - 1
        gen[ahead, target] += forward
        gen[ahead, left] += theta
        gen[ahead, ahead] -= forward + theta
    return np.asarray(expm(gen * t)[: q_max + 1, served])


def ctmc_reference(
    rate_per_hour: float,
    agent_caps: list[int],
    chat: ChatModel,
    queue_states: int,
) -> dict[str, float]:
    """The same model built the slow way: explicit per-agent load vectors under level filling,
    a truncated generator matrix solved with numpy, and matrix-exponential waiting times."""
    lam = rate_per_hour / 3600.0
    theta = chat.abandonment_rate_per_second
    h = chat.handle_seconds
    loads = [[0] * len(agent_caps)]
    picked_level = []
    while True:
        cur = loads[-1]
        free = [a for a, c in enumerate(agent_caps) if cur[a] < c]
        if not free:
            break
        low = min(cur[a] for a in free)
        agent = next(a for a in free if cur[a] == low)
        nxt = list(cur)
        nxt[agent] += 1
        picked_level.append(nxt[agent])
        loads.append(nxt)
    slots = len(loads) - 1
    rates = [sum(chat.capacity(j) for j in vec) / h for vec in loads]
    mu = rates[-1]
    size = slots + queue_states + 1
    gen = np.zeros((size, size))
    for s in range(size):
        if s + 1 < size:
            gen[s, s + 1] = lam
        if s > 0:
            gen[s, s - 1] = rates[s] if s <= slots else mu + (s - slots) * theta
        gen[s, s] = -gen[s].sum()
    lhs = np.vstack((gen.T, np.ones(size)))
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
    t_deadline = chat.answer_seconds
    sl = 0.0
    for m in range(slots):
        if chat.reply_latency_seconds(picked_level[m]) <= t_deadline:
            sl += pi[m]
    total_full = sum(chat.capacity(c) for c in agent_caps)
    for c in sorted(set(agent_caps)):
        weight = agent_caps.count(c) * chat.capacity(c) / total_full
        t_left = t_deadline - chat.reply_latency_seconds(c)
        win = tagged_success(queue_states, mu, theta, t_left)
        sl += weight * float(pi[slots:] @ win)
    queue = sum(q * pi[slots + q] for q in range(queue_states + 1))
    return {
        "service_level": sl,
        "wait_probability": float(pi[slots:].sum()),
        "abandon_probability": theta * queue / lam,
        "mean_queue": queue,
    }


# --- Erlang C -------------------------------------------------------------------------------


def test_textbook_erlang_c_example() -> None:
    """100 calls / 30 min, AHT 180 s: 13 agents miss 80% in 20 s, 14 make it, P(wait) 0.1741."""
    m13 = service_metrics(200.0, 13, 1, TEXTBOOK)
    m14 = service_metrics(200.0, 14, 1, TEXTBOOK)
    assert m14.wait_probability == pytest.approx(0.1741, abs=5e-5)
    assert m13.service_level < 0.8 <= m14.service_level
    assert m14.service_level == pytest.approx(0.8884, abs=5e-5)
    assert m14.occupancy == pytest.approx(10.0 / 14.0, abs=1e-12)
    assert m14.reply_rate == 1.0 and m14.abandon_probability == 0.0


@pytest.mark.parametrize(
    ("rate", "n"),
    [(3.0, 1), (3.0, 2), (3.0, 5), (200.0, 11), (200.0, 12), (200.0, 14), (200.0, 20), (200.0, 40)],
)
def test_erlang_c_matches_reference(rate: float, n: int) -> None:
    a = rate * 180.0 / 3600.0
    c, sl = erlang_c_reference(rate, n, 180.0, 20.0)
    got = service_metrics(rate, n, 1, TEXTBOOK)
    assert got.wait_probability == pytest.approx(c, abs=1e-9)
    assert got.service_level == pytest.approx(sl, abs=1e-9)
    # Mean wait of Erlang C: C / (n mu - lambda).
    assert got.mean_wait_seconds == pytest.approx(c * 180.0 / (n - a), rel=1e-9)


def test_erlang_c_large_team_is_stable() -> None:
    """500 agents at 95% load: the log-space recursion agrees with the Erlang B recursion."""
    rate = 0.95 * 500 * 3600.0 / 180.0
    c, sl = erlang_c_reference(rate, 500, 180.0, 20.0)
    got = service_metrics(rate, 500, 1, TEXTBOOK)
    assert got.wait_probability == pytest.approx(c, abs=1e-9)
    assert got.service_level == pytest.approx(sl, abs=1e-9)


def test_erlang_c_unstable_team_reports_limits() -> None:
    got = service_metrics(200.0, 10, 1, TEXTBOOK)  # load 10 Erlangs on 10 agents
    assert not got.stable
    assert got.service_level == 0.0 and got.wait_probability == 1.0
    assert got.reply_rate == pytest.approx(1.0)  # served share = capacity / demand = 1
    assert math.isinf(got.mean_wait_seconds)
    just_stable = service_metrics(200.0, 11, 1, TEXTBOOK)
    assert just_stable.stable and just_stable.service_level > 0.0


def test_latency_at_the_deadline_leaves_no_time_to_wait() -> None:
    """reply latency exactly = answer_seconds: immediate pickups succeed, waiting ones cannot."""
    chat = TEXTBOOK.with_(base_reply_seconds=20.0)
    got = service_metrics(200.0, 14, 1, chat)
    assert got.service_level == pytest.approx(1.0 - got.wait_probability, abs=1e-12)
    over = service_metrics(200.0, 14, 1, chat.with_(base_reply_seconds=20.001))
    assert over.service_level == 0.0


# --- Erlang A -------------------------------------------------------------------------------

ERLANG_A = TEXTBOOK.with_(patience_seconds=120.0)


@pytest.mark.parametrize(("rate", "n"), [(200.0, 8), (200.0, 10), (200.0, 14), (40.0, 3)])
def test_erlang_a_matches_explicit_ctmc(rate: float, n: int) -> None:
    ref = ctmc_reference(rate, [1] * n, ERLANG_A, queue_states=160)
    got = service_metrics(rate, n, 1, ERLANG_A)
    assert got.service_level == pytest.approx(ref["service_level"], abs=1e-9)
    assert got.wait_probability == pytest.approx(ref["wait_probability"], abs=1e-9)
    assert got.abandon_probability == pytest.approx(ref["abandon_probability"], abs=1e-9)
    assert got.mean_queue == pytest.approx(ref["mean_queue"], abs=1e-8)


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    slow = service_metrics(200.0, 14, 1, TEXTBOOK.with_(patience_seconds=1e9))
    exact = service_metrics(200.0, 14, 1, TEXTBOOK)
    assert slow.service_level == pytest.approx(exact.service_level, abs=1e-5)
    assert slow.wait_probability == pytest.approx(exact.wait_probability, abs=1e-5)


def test_overloaded_team_with_abandonment_serves_its_capacity() -> None:
    """3 agents, 60 per minute: almost everybody waits, the served share = capacity / demand."""
    got = service_metrics(3600.0, 3, 1, ERLANG_A)
    capacity = 3 / 180.0 * 3600.0
    assert got.stable
    assert got.reply_rate == pytest.approx(capacity / 3600.0, rel=1e-6)
    assert got.wait_probability == pytest.approx(1.0, abs=1e-9)


# --- concurrency ----------------------------------------------------------------------------

CHAT = ChatModel(handle_seconds=600.0, base_reply_seconds=20.0, patience_seconds=600.0)


@pytest.mark.parametrize(("rate", "n", "cap"), [(30.0, 2, 3), (60.0, 3, 2), (90.0, 4, 3)])
def test_concurrent_team_matches_explicit_ctmc(rate: float, n: int, cap: int) -> None:
    ref = ctmc_reference(rate, [cap] * n, CHAT, queue_states=220)
    got = service_metrics(rate, n, cap, CHAT)
    assert got.service_level == pytest.approx(ref["service_level"], abs=1e-9)
    assert got.wait_probability == pytest.approx(ref["wait_probability"], abs=1e-9)
    assert got.abandon_probability == pytest.approx(ref["abandon_probability"], abs=1e-9)


def test_latency_levels_inside_and_outside_the_deadline() -> None:
    """latency(1) = 110 s meets 3 minutes; latency(2) = 183.3 s and latency(3) = 220 s do not:
    only arrivals that find an agent with no chat succeed, and no waiting session does."""
    chat = CHAT.with_(base_reply_seconds=110.0, throughput=(1.0, 1.2, 1.5))
    ref = ctmc_reference(20.0, [3, 3], chat, queue_states=200)
    got = service_metrics(20.0, 2, 3, chat)
    assert got.service_level == pytest.approx(ref["service_level"], abs=1e-9)
    assert got.service_level < 1.0 - got.wait_probability
    curve = homogeneous_service_curve(20.0, 3, chat, max_agents=40)
    assert curve[2] == pytest.approx(got.service_level, abs=1e-12)
    assert curve[2] < curve[6] < 1.0  # more agents: more pickups at load 1
    assert curve[40] == pytest.approx(1.0, abs=1e-9)


def test_work_balance_little_and_rates() -> None:
    """Completions = arrivals that are served: utilisation * full capacity = lambda * reply."""
    for n, cap in [(1, 1), (4, 3), (30, 5), (200, 8)]:
        rate = 0.9 * n * CHAT.capacity(cap) * 3600.0 / CHAT.handle_seconds
        got = service_metrics(rate, n, cap, CHAT)
        full = n * CHAT.capacity(cap) / CHAT.handle_seconds
        assert got.utilisation * full == pytest.approx(rate / 3600.0 * got.reply_rate, rel=1e-9)
        assert got.reply_rate == pytest.approx(1.0 - got.abandon_probability, abs=1e-15)
        assert 0.0 <= got.service_level <= got.reply_rate <= 1.0


@pytest.mark.parametrize(("n", "cap"), [(1, 1), (1, 8), (500, 1), (500, 8), (250, 5)])
@pytest.mark.parametrize("load", [0.3, 0.97, 1.5])
def test_large_teams_are_finite_and_agree_with_the_vectorised_curve(
    n: int, cap: int, load: float
) -> None:
    rate = load * n * CHAT.capacity(cap) * 3600.0 / CHAT.handle_seconds
    got = service_metrics(rate, n, cap, CHAT)
    values = [got.service_level, got.wait_probability, got.abandon_probability, got.occupancy]
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values)
    curve = homogeneous_service_curve(rate, cap, CHAT, max_agents=n)
    assert curve[n] == pytest.approx(got.service_level, abs=1e-11)


@pytest.mark.parametrize("chat", [CHAT, CHAT.with_(patience_seconds=0.0), TEXTBOOK, ERLANG_A])
@pytest.mark.parametrize("rate", [0.5, 45.0, 400.0])
def test_vectorised_curve_equals_single_evaluations(chat: ChatModel, rate: float) -> None:
    cap = min(3, len(chat.throughput))
    curve = homogeneous_service_curve(rate, cap, chat, max_agents=70)
    single = [service_metrics(rate, n, cap, chat).service_level for n in range(71)]
    np.testing.assert_allclose(curve, single, rtol=0.0, atol=1e-12)
    assert curve[0] == 0.0
    assert np.all(np.diff(curve) >= -1e-12)


def test_no_demand() -> None:
    assert service_metrics(0.0, 0, 3, CHAT).service_level == 1.0
    assert service_metrics(0.0, 5, 3, CHAT).service_level == 1.0
    assert homogeneous_service_curve(0.0, 3, CHAT, max_agents=4).tolist() == [1.0] * 5
    nobody = service_metrics(10.0, 0, 3, CHAT)
    assert nobody.service_level == 0.0 and nobody.abandon_probability == 1.0


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="arrivals_per_hour"):
        service_metrics(-1.0, 3, 1, CHAT)
    with pytest.raises(ValueError, match="cap 9"):
        service_metrics(1.0, 3, 9, CHAT)
    with pytest.raises(ValueError, match="throughput has no value"):
        service_metrics(1.0, 3, 2, TEXTBOOK)


# --- heterogeneous teams --------------------------------------------------------------------


@pytest.mark.parametrize(("n", "cap"), [(1, 1), (3, 2), (7, 5)])
def test_homogeneous_team_is_the_special_case(n: int, cap: int) -> None:
    rate = 0.8 * n * CHAT.capacity(cap) * 3600.0 / CHAT.handle_seconds
    assert team_service_level(rate, [cap] * n, CHAT) == service_metrics(rate, n, cap, CHAT)


@pytest.mark.parametrize("caps", [[1, 3], [2, 5, 5], [1, 1, 4, 6]])
def test_mixed_team_matches_explicit_ctmc(caps: list[int]) -> None:
    rate = 0.85 * sum(CHAT.capacity(c) for c in caps) * 3600.0 / CHAT.handle_seconds
    ref = ctmc_reference(rate, caps, CHAT, queue_states=200)
    got = team_service_level(rate, caps, CHAT)
    assert got.service_level == pytest.approx(ref["service_level"], abs=1e-9)
    assert got.wait_probability == pytest.approx(ref["wait_probability"], abs=1e-9)
    assert got.abandon_probability == pytest.approx(ref["abandon_probability"], abs=1e-9)


def test_mixed_team_by_hand() -> None:
    """Caps (1, 3): slots fill at levels 1, 1, 2, 3, so the team works at th1, 2 th1,
    th1 + th2, th1 + th3 solo units; order of the caps does not matter."""
    chat = CHAT.with_(patience_seconds=0.0)
    rate = 12.0
    lam, h = rate / 3600.0, chat.handle_seconds
    th = chat.throughput
    death = [th[0] / h, 2 * th[0] / h, (th[0] + th[1]) / h, (th[0] + th[2]) / h]
    weights = [1.0]
    for d in death:
        weights.append(weights[-1] * lam / d)
    rho = lam / death[-1]
    z = sum(weights[:-1]) + weights[-1] / (1.0 - rho)
    p_wait = weights[-1] / (1.0 - rho) / z
    got = team_service_level(rate, [3, 1], chat)
    assert got.wait_probability == pytest.approx(p_wait, rel=1e-12)
    waiting_ok = 0.0
    for cap in (1, 3):
        share = th[cap - 1] / (th[0] + th[2])
        t_left = chat.answer_seconds - chat.reply_latency_seconds(cap)
        waiting_ok += share * (1.0 - math.exp(-(death[-1] - lam) * t_left))
    assert got.service_level == pytest.approx(1.0 - p_wait + p_wait * waiting_ok, rel=1e-12)
    assert got.slots == 4 and got.agents == 2


def test_very_patient_overloaded_team_takes_the_fluid_limit() -> None:
    """Patience 1e9 s with demand 1.5x capacity: a queue of ~1e8 is not enumerated; the fluid
    limit (served share = capacity / demand) agrees with an enumerated run at patience 1e5 s."""
    rate = 1.5 * 10 * CHAT.capacity(2) * 3600.0 / CHAT.handle_seconds
    fluid = service_metrics(rate, 10, 2, CHAT.with_(patience_seconds=1e9))
    assert fluid.service_level == 0.0 and fluid.reply_rate == pytest.approx(1 / 1.5)
    enumerated = service_metrics(rate, 10, 2, CHAT.with_(patience_seconds=1e5))
    assert enumerated.reply_rate == pytest.approx(1 / 1.5, abs=1e-3)
    assert enumerated.service_level < 1e-12
    curve = homogeneous_service_curve(rate, 2, CHAT.with_(patience_seconds=1e9), max_agents=16)
    assert curve[10] == 0.0 and curve[16] > 0.5  # 16 agents: capacity 1.07x demand


def test_nobody_on_duty_in_a_mixed_team() -> None:
    assert team_service_level(10.0, [], CHAT).service_level == 0.0
    assert team_service_level(0.0, [], CHAT).service_level == 1.0
