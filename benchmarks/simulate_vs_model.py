"""The analytic staffing model (scheduler.staffing.service_metrics) against the simulator's
long-run stationary run, on a small grid of rates, team sizes and caps (default ChatModel).

Run from the repository root: PYTHONPATH=. .venv/bin/python benchmarks/simulate_vs_model.py
"""

from __future__ import annotations

import time

from scheduler.params import ChatModel
from scheduler.simulate import simulate_stationary
from scheduler.staffing import service_metrics

GRID = [
    (20.0, 2, 2),
    (30.0, 3, 3),
    (40.0, 6, 1),
    (60.0, 4, 4),
    (60.0, 5, 3),
    (80.0, 6, 5),
    (100.0, 10, 3),
    (120.0, 8, 6),
]


def main() -> None:
    chat = ChatModel()
    print(
        "| sessions/h | agents | cap | model 3-min | sim 3-min | model reply | sim reply "
        "| model occ. | sim occ. | sim sessions |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    worst = 0.0
    t0 = time.perf_counter()
    for lam, n, cap in GRID:
        m = service_metrics(lam, n, cap, chat)
        s = simulate_stationary(lam, n, cap, chat, hours=2000, warmup_hours=20, seed=1)
        worst = max(worst, abs(m.service_level - s.three_min_rate))
        print(
            f"| {lam:.0f} | {n} | {cap} | {m.service_level:.4f} | {s.three_min_rate:.4f} "
            f"| {m.reply_rate:.4f} | {s.reply_rate:.4f} | {m.occupancy:.3f} | {s.occupancy:.3f} "
            f"| {s.sessions} |"
        )
    print(
        f"\nlargest |model - sim| on the 3-minute rate: {worst * 100:.2f} pp "
        f"({time.perf_counter() - t0:.0f} s)"
    )


if __name__ == "__main__":
    main()
