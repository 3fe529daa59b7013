"""How long ``build_requirements`` takes for a week of half-hours x caps 1..6.

Instances
- ``sample``: the last full week of the bundled ``data/sample_history.csv`` (hourly sessions, each
  hour split evenly into two half-hours), default ``ChatModel``, target 0.8.
- ``x5``: the same week with 5x the sessions (a large shop: teams up to ~100 at cap 1).
- ``... forecast-like``: the same, each half-hour multiplied by a seeded uniform(0.97, 1.03), so
  that (as in a real forecast) no two intervals share a rate and the cache never hits.
Each instance is timed 3 times from a cold cache (each call builds its own); the median is
reported. Run from the repository root:
``PYTHONPATH=. .venv/bin/python benchmarks/staffing_table_timing.py``
Writes ``benchmarks/results/staffing_table_timing.md``.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.params import ChatModel
from scheduler.staffing import build_requirements

ROOT = Path(__file__).resolve().parent.parent
CAPS = (1, 2, 3, 4, 5, 6)
REPEATS = 3


def sample_week() -> tuple[list, np.ndarray]:
    hist = pd.read_csv(ROOT / "data" / "sample_history.csv", parse_dates=["timestamp"])
    mondays = hist.loc[
        (hist["timestamp"].dt.day_of_week == 0) & (hist["timestamp"].dt.hour == 0), "timestamp"
    ]
    start = mondays[mondays + timedelta(days=7) <= hist["timestamp"].max() + timedelta(hours=1)]
    week_start = start.iloc[-1]
    week = hist[(hist["timestamp"] >= week_start) & (hist["timestamp"] < week_start + timedelta(7))]
    hourly = week["sessions"].to_numpy(dtype=float)
    assert hourly.size == 168
    halves = np.repeat(hourly / 2.0, 2)
    starts = [week_start.to_pydatetime() + timedelta(minutes=30 * i) for i in range(336)]
    return starts, halves


def main() -> int:
    starts, halves = sample_week()
    chat = ChatModel()
    lines = [
        "# build_requirements timing (a week of 336 half-hours x caps 1..6)",
        "",
        "Command (repository root): `PYTHONPATH=. .venv/bin/python "
        "benchmarks/staffing_table_timing.py`  ",
        "Commit "
        + subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        + f", Python {platform.python_version()}, {platform.machine()}, single process.",
        "",
        "| instance | peak sessions / half-hour | distinct rates | N (max team) | "
        "max required (cap 1..6) | median seconds (of 3, cold cache) |",
        "|---|---|---|---|---|---|",
    ]
    jitter = np.random.default_rng(0).uniform(0.97, 1.03, halves.size)
    instances = (
        ("sample", halves),
        ("x5", 5.0 * halves),
        ("sample forecast-like", halves * jitter),
        ("x5 forecast-like", 5.0 * halves * jitter),
    )
    for name, sessions in instances:
        times = []
        req = None
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            req = build_requirements(starts, sessions, 30, chat, 0.8, CAPS)
            times.append(time.perf_counter() - t0)
        assert req is not None
        maxima = "/".join(str(int(v)) for v in req.required.max(axis=0))
        lines.append(
            f"| {name} | {sessions.max():.1f} | {np.unique(sessions).size} | {req.max_team} | "
            f"{maxima} | "
            f"{statistics.median(times):.2f} |"
        )
        print(lines[-1])
    lines += [
        "",
        "Curves are cached per (arrival rate rounded to 4 significant digits, cap) inside one "
        "call and computed in blocks of 32 team sizes, stopping once a team misses fewer than "
        "1e-13 of the sessions.",
        "",
    ]
    out = ROOT / "benchmarks" / "results" / "staffing_table_timing.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
