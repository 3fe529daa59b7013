"""Time the simulator on a realistic week: ~6,000 sessions, 15 agents in three shifts.

Run from the repository root: PYTHONPATH=. .venv/bin/python benchmarks/simulate_speed.py
(add --profile for a cProfile of five simulated weeks).
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from datetime import date, datetime, timedelta

import numpy as np

from scheduler.domain import Roster, Shift
from scheduler.params import ChatModel
from scheduler.simulate import simulate_replications, simulate_roster, simulate_stationary

WEEK = date(2025, 3, 3)  # a Monday


def daily_shape() -> np.ndarray:
    """Relative sessions per clock hour: low at night, peaks 10-12, 14-17, 20-23."""
    shape = np.array(
        [3, 2, 1, 1, 1, 1, 2, 4, 6, 9, 12, 12, 10, 9, 11, 11, 11, 10, 9, 10, 12, 13, 12, 7],
        dtype=float,
    )
    return shape / shape.sum()


def demand(total_per_week: float = 6000.0) -> np.ndarray:
    return np.tile(daily_shape(), 7) * total_per_week / 7.0


def roster() -> Roster:
    """15 agents: 5 early (07-15), 6 late (14-22 with a break), 4 night (22-07), cap 3."""
    shifts: list[Shift] = []
    base = datetime.combine(WEEK, datetime.min.time())
    for d in range(7):
        day = base + timedelta(days=d)
        for i in range(5):
            shifts.append(Shift(f"E{i}", day + timedelta(hours=7), day + timedelta(hours=15), 3))
        for i in range(6):
            bs = day + timedelta(hours=17, minutes=30 * (i % 2))
            shifts.append(
                Shift(
                    f"L{i}",
                    day + timedelta(hours=14),
                    day + timedelta(hours=22, minutes=30),
                    3,
                    bs,
                    bs + timedelta(minutes=30),
                )
            )
        for i in range(4):
            shifts.append(Shift(f"N{i}", day + timedelta(hours=22), day + timedelta(hours=31), 3))
    return Roster(WEEK, tuple(shifts))


def main() -> None:
    chat = ChatModel()
    r = roster()
    rates = demand()
    simulate_roster(r, rates, chat, seed=0)  # warm imports
    times = []
    for seed in range(10):
        t0 = time.perf_counter()
        res = simulate_roster(r, rates, chat, seed=seed)
        times.append(time.perf_counter() - t0)
    s = res.to_summary()
    print(
        f"simulate_roster, {s.sessions} sessions, {len(r.shifts)} shifts: "
        f"median {np.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms per week "
        f"(3-min rate {s.three_min_rate:.3f}, reply rate {s.reply_rate:.3f}, "
        f"occupancy {s.occupancy:.2f})"
    )
    t0 = time.perf_counter()
    rep = simulate_replications(r, rates, chat, replications=20, seed=0)
    el = time.perf_counter() - t0
    e = rep.three_min_rate
    print(
        f"simulate_replications x20: {el:.2f} s; weekly 3-min rate {e.mean:.4f} "
        f"[{e.low:.4f}, {e.high:.4f}]"
    )
    t0 = time.perf_counter()
    m = simulate_stationary(60.0, 5, 3, chat, hours=1000, warmup_hours=10, seed=0)
    el = time.perf_counter() - t0
    print(
        f"simulate_stationary 60/h, 5 agents x cap 3, 1000 h ({m.sessions} sessions): "
        f"{el:.2f} s ({el / m.sessions * 1e6:.1f} us per session)"
    )
    if "--profile" in sys.argv:
        prof = cProfile.Profile()
        prof.enable()
        for seed in range(5):
            simulate_roster(r, rates, chat, seed=seed)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(15)


if __name__ == "__main__":
    main()
