"""The long-run simulator against closed forms (Erlang C, M/M/inf-like checks)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scheduler.params import ChatModel
from scheduler.simulate import simulate_stationary

VOICE_LIKE = ChatModel(
    handle_seconds=600.0,
    base_reply_seconds=0.0,
    patience_seconds=math.inf,
    answer_seconds=180.0,
    throughput=(1.0,),
)


def erlang_b(n: int, load: float) -> float:
    """Erlang B blocking probability by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(n: int, load: float) -> float:
    """Probability of waiting in M/M/n, from Erlang B: C = n B / (n - a (1 - B))."""
    b = erlang_b(n, load)
    return n * b / (n - load * (1.0 - b))


def test_erlang_helpers_match_textbook_value() -> None:
    # M/M/2 with a = 1 erlang: C = 1/3 (textbook closed form a^2 / (2 + a) / ... = 1/3)
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)
    assert erlang_b(1, 1.0) == pytest.approx(0.5)


def test_cap1_no_abandonment_matches_erlang_c_wait_distribution() -> None:
    n, lam_per_hour = 5, 21.0
    mu_per_hour = 3600.0 / VOICE_LIKE.handle_seconds
    c = erlang_c(n, lam_per_hour / mu_per_hour)
    runs = [
        simulate_stationary(lam_per_hour, n, 1, VOICE_LIKE, hours=12_000, warmup_hours=10, seed=s)
        for s in (1, 2)
    ]
    for t in (0.0, 60.0, 180.0, 600.0):
        expected = 1.0 - c * math.exp(-(n * mu_per_hour - lam_per_hour) * t / 3600.0)
        got = np.mean([r.share_picked_up_within(t) for r in runs])
        assert got == pytest.approx(expected, abs=0.01), t
    # with zero reply latency the 3-minute rate is P(wait <= 180 s)
    expected_3min = 1.0 - c * math.exp(-(n * mu_per_hour - lam_per_hour) * 180.0 / 3600.0)
    assert np.mean([r.three_min_rate for r in runs]) == pytest.approx(expected_3min, abs=0.01)
    # occupancy of M/M/n is rho = a / n
    assert np.mean([r.occupancy for r in runs]) == pytest.approx(21.0 / 30.0, abs=0.01)
    assert all(r.reply_rate == 1.0 and r.abandonment_share == 0.0 for r in runs)


def test_same_seed_same_result_and_different_seed_differs() -> None:
    chat = ChatModel()
    a = simulate_stationary(30.0, 3, 3, chat, hours=50, warmup_hours=2, seed=7)
    b = simulate_stationary(30.0, 3, 3, chat, hours=50, warmup_hours=2, seed=7)
    c = simulate_stationary(30.0, 3, 3, chat, hours=50, warmup_hours=2, seed=8)
    assert a.three_min_rate == b.three_min_rate and a.sessions == b.sessions
    np.testing.assert_array_equal(a.queue_waits_seconds, b.queue_waits_seconds)
    assert (a.sessions, a.three_min_rate) != (c.sessions, c.three_min_rate)


def test_overload_with_patience_abandons_and_rates_are_consistent() -> None:
    chat = ChatModel(patience_seconds=300.0)
    m = simulate_stationary(60.0, 1, 2, chat, hours=100, warmup_hours=2, seed=3)
    # capacity of one agent at cap 2: 1.7 chats per 600 s = 10.2 per hour << 60 per hour
    assert m.abandonment_share > 0.7
    assert m.reply_rate + m.abandonment_share == pytest.approx(1.0)
    assert m.three_min_rate <= m.reply_rate
    assert m.occupancy > 0.99


def test_light_load_everyone_is_answered_by_reply_latency_alone() -> None:
    chat = ChatModel(base_reply_seconds=20.0)
    m = simulate_stationary(0.5, 4, 3, chat, hours=200, warmup_hours=0, seed=0)
    # almost always an idle agent: first reply = latency with one chat = 20 s
    assert m.p50_wait_seconds == pytest.approx(20.0)
    assert m.three_min_rate == 1.0


@pytest.mark.parametrize(
    ("arrivals", "agents", "cap"), [(-1.0, 1, 1), (1.0, 0, 1), (1.0, 1, 0), (1.0, 1, 9)]
)
def test_rejects_bad_arguments(arrivals: float, agents: int, cap: int) -> None:
    with pytest.raises(ValueError):
        simulate_stationary(arrivals, agents, cap, ChatModel(), hours=1)


def test_one_agent_concurrency_matches_its_birth_death_chain() -> None:
    # One agent, cap 3, exponential handle, no abandonment: the number of sessions in the system
    # is a birth-death chain with birth rate lam and death rate capacity(min(j, 3)) / h.
    chat = ChatModel(
        handle_seconds=600.0,
        base_reply_seconds=0.0,
        patience_seconds=math.inf,
        throughput=(1.0, 1.7, 2.5),
    )
    lam, mu = 12.0, 6.0  # per hour
    top = 200
    weights = [1.0]
    for j in range(1, top):
        weights.append(weights[-1] * lam / (mu * chat.capacity(min(j, 3))))
    pi = np.array(weights) / sum(weights)
    no_wait = pi[:3].sum()
    occupancy = sum(pi[j] * min(j, 3) for j in range(top)) / 3.0
    m = simulate_stationary(lam, 1, 3, chat, hours=8000, warmup_hours=10, seed=5)
    assert m.share_picked_up_within(0.0) == pytest.approx(no_wait, abs=0.015)
    assert m.occupancy == pytest.approx(occupancy, abs=0.015)
