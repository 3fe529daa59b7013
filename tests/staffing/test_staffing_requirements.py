"""Required agents and the Requirements table."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from scheduler.params import ChatModel
from scheduler.staffing import (
    build_requirements,
    homogeneous_service_curve,
    latency_feasible,
    required_agents,
    service_metrics,
)

TEXTBOOK = ChatModel(
    handle_seconds=180.0,
    base_reply_seconds=0.0,
    patience_seconds=0.0,
    answer_seconds=20.0,
    throughput=(1.0,),
)
CHAT = ChatModel()
MONDAY = datetime(2026, 11, 23)


def starts(count: int, minutes: int = 30) -> list[datetime]:
    return [MONDAY + timedelta(minutes=minutes * i) for i in range(count)]


def test_textbook_needs_14_agents() -> None:
    assert required_agents(200.0, 1, TEXTBOOK, target=0.8) == 14


def test_target_just_met_and_just_missed() -> None:
    sl14 = service_metrics(200.0, 14, 1, TEXTBOOK).service_level
    assert required_agents(200.0, 1, TEXTBOOK, target=sl14) == 14
    assert required_agents(200.0, 1, TEXTBOOK, target=sl14 + 1e-9) == 15


def test_no_team_small_enough_returns_none() -> None:
    assert required_agents(200.0, 1, TEXTBOOK, target=0.8, max_agents=13) is None
    assert required_agents(200.0, 1, TEXTBOOK, target=0.8, max_agents=14) == 14


def test_no_demand_needs_nobody() -> None:
    assert required_agents(0.0, 3, CHAT, target=0.9) == 0


def test_cap_whose_latency_alone_misses_is_refused() -> None:
    """base 130 s: latency(4) = 130 * 4 / 2.9 = 179.3 s (inside), latency(5) = 185.7 s (out)."""
    chat = CHAT.with_(base_reply_seconds=130.0)
    assert latency_feasible(4, chat) and not latency_feasible(5, chat)
    assert required_agents(10.0, 4, chat, target=0.5) is not None
    assert required_agents(10.0, 5, chat, target=0.5) is None


def test_higher_cap_needs_fewer_agents_at_the_default_model() -> None:
    needs = [required_agents(120.0, cap, CHAT, target=0.8) for cap in range(1, 7)]
    assert all(n is not None for n in needs)
    assert needs == sorted(needs, reverse=True)  # type: ignore[type-var]
    assert needs[0] is not None and needs[5] is not None and needs[0] > needs[5]


def test_required_is_the_first_team_on_the_curve() -> None:
    for cap in (1, 3, 5):
        need = required_agents(300.0, cap, CHAT, target=0.85)
        assert need is not None
        curve = homogeneous_service_curve(300.0, cap, CHAT, max_agents=need + 2)
        assert curve[need - 1] < 0.85 <= curve[need]


def test_requirements_table_shapes_and_contract() -> None:
    sessions = np.array([0.0, 5.0, 40.0, 120.0, 0.3, 60.0])
    caps = (1, 2, 4, 6)
    req = build_requirements(starts(6), sessions, 30, CHAT, 0.8, caps)
    n_max = req.max_team
    assert req.service.shape == (6, 4, n_max + 1)
    assert req.required.dtype == np.int64 and req.feasible.dtype == bool
    assert req.caps == caps and req.target == 0.8 and req.interval_minutes == 30
    np.testing.assert_array_equal(req.sessions, sessions)
    assert np.all(np.diff(req.service, axis=2) >= 0.0)
    # No sessions: nobody needed, every team size "meets" it.
    assert np.all(req.required[0] == 0) and np.all(req.service[0] == 1.0)
    for t in range(1, 6):
        for k, cap in enumerate(caps):
            assert req.feasible[t, k]
            need = int(req.required[t, k])
            assert req.service[t, k, 0] == 0.0
            assert req.service[t, k, need] >= 0.8 > req.service[t, k, need - 1]
            rate = sessions[t] * 2.0
            assert need == required_agents(rate, cap, CHAT, target=0.8)
            for n in (1, need, n_max):
                exact = service_metrics(rate, n, cap, CHAT).service_level
                assert req.service[t, k, n] == pytest.approx(exact, abs=1e-4)
    # Default N: largest requirement plus 25% (at least 3) headroom.
    top = int(req.required.max())
    assert n_max == top + max(3, int(np.ceil(0.25 * top)))


def test_interval_length_converts_sessions_to_rates() -> None:
    half = build_requirements(starts(1), [50.0], 30, CHAT, 0.8, (2,), max_agents=40)
    hour = build_requirements(starts(1, 60), [100.0], 60, CHAT, 0.8, (2,), max_agents=40)
    np.testing.assert_allclose(half.service, hour.service, atol=1e-15)
    assert half.required[0, 0] == hour.required[0, 0]


def test_infeasible_cells_carry_n_plus_one() -> None:
    chat = CHAT.with_(base_reply_seconds=130.0)  # cap 5 misses on latency alone
    req = build_requirements(starts(3), [0.0, 10.0, 400.0], 30, chat, 0.8, (4, 5), max_agents=20)
    assert req.max_team == 20
    # Cap 5: never usable, not even in the empty interval.
    assert not req.feasible[:, 1].any() and np.all(req.required[:, 1] == 21)
    # Cap 4: fine at 10 sessions, 400 sessions per half-hour needs more than 20 agents.
    assert req.feasible[1, 0] and not req.feasible[2, 0]
    assert req.required[2, 0] == 21 and req.service[2, 0, 20] < 0.8
    assert req.feasible[0, 0] and req.required[0, 0] == 0


def test_explicit_max_agents_bounds_the_curves() -> None:
    req = build_requirements(starts(2), [10.0, 20.0], 30, CHAT, 0.8, (1, 3), max_agents=7)
    assert req.service.shape == (2, 2, 8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sessions_per_interval": [1.0]}, "1 values for 2"),
        ({"sessions_per_interval": [1.0, -1.0]}, ">= 0"),
        ({"target": 1.0}, "target"),
        ({"caps": (3, 2)}, "ascending"),
        ({"caps": (0,)}, "within"),
        ({"max_agents": 0}, "max_agents"),
    ],
)
def test_bad_table_inputs(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "interval_starts": starts(2),
        "sessions_per_interval": [1.0, 2.0],
        "interval_minutes": 30,
        "chat": CHAT,
        "target": 0.8,
        "caps": (1, 2),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        build_requirements(**args)  # type: ignore[arg-type]
