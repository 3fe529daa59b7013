"""Roster benchmark: a synthetic shop (default 200 agents x 28 days x 30-minute intervals).

Protocol: build the seeded instance (``roster_instance``), run ``plan_roster`` once per worker
count with the same time limit and seed, and record status, objective, bounds and gap, agent-
hours, schedule efficiency, shortfall, violations and the time to the first plan of each
stage. Timing lives here, never in tests. Results: ``benchmarks/results/roster_bench.md``.

    .venv/bin/python benchmarks/roster_bench.py                    # 200 x 28 days, 2 and 8 workers
    .venv/bin/python benchmarks/roster_bench.py --days 7 --workers 2 --time-limit 60
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roster_instance import agents, requirements

from scheduler.params import ChatModel, Rules, ServiceTarget
from scheduler.roster import RosterResult, SolveProgress, plan_roster
from scheduler.roster import coverage as coverage_module

RESULTS = Path(__file__).resolve().parent / "results"


def run(
    *,
    days: int,
    n_agents: int,
    workers: int,
    time_limit: float,
    seed: int,
    mode: str,
    lengths: tuple[float, ...],
    peak: float,
) -> tuple[RosterResult, dict[str, float]]:
    req = requirements(days, peak_sessions_per_hour=peak)
    team = agents(n_agents, seed=seed)
    firsts: dict[str, float] = {}

    def progress(p: SolveProgress) -> None:
        firsts.setdefault(p.stage, p.seconds)

    result = plan_roster(
        req,
        team,
        chat=ChatModel(),
        service=ServiceTarget(mode=mode),
        rules=Rules(shift_lengths_hours=lengths),
        time_limit_seconds=time_limit,
        num_workers=workers,
        seed=seed,
        progress=progress,
    )
    return result, firsts


def row(label: str, r: RosterResult, firsts: dict[str, float]) -> str:
    hard = len(r.hard_violations)
    short = len(r.shortfall_intervals)
    first = ", ".join(f"{k} {v:.1f}s" for k, v in firsts.items())
    return (
        f"| {label} | {r.status} | {r.solve_seconds:.1f} | {first} | {r.objective:,.0f} | "
        f"{r.stage_a_value:,.0f} | {r.stage_a_bound:,.0f} | {r.lp_bound:,.0f} | "
        f"{r.gap:.2%} | {r.agent_hours:,.1f} | {r.efficiency:.1%} | {short} | {hard} |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--workers", type=int, nargs="+", default=[2, 8])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--mode", default="per-hour", choices=["per-hour", "weekly"])
    ap.add_argument("--peak", type=float, default=600.0, help="peak sessions per hour")
    ap.add_argument("--lengths", type=float, nargs="+", default=[4.0, 6.0, 8.0, 10.0])
    ap.add_argument("--out", default=str(RESULTS / "roster_bench.md"))
    ap.add_argument(
        "--formulation",
        default="exact",
        choices=["exact", "brief"],
        help="coverage: requirement of the highest cap on duty (exact) or of every cap up to it "
        "(the design brief's z[t,k] form)",
    )
    args = ap.parse_args(argv)
    coverage_module.FORMULATION = args.formulation
    lines = [
        f"# Roster benchmark: {args.agents} agents x {args.days} days x 30 min, "
        f"mode {args.mode}, shifts {'/'.join(f'{x:g}' for x in args.lengths)} h, "
        f"coverage formulation {args.formulation}, peak {args.peak:g} sessions/h",
        "",
        f"- machine: {platform.platform()}, python {platform.python_version()}, "
        f"{_cores()} cores; time limit {args.time_limit:g} s per run; seed {args.seed}",
        "- command: `.venv/bin/python benchmarks/roster_bench.py "
        f"{' '.join(argv or sys.argv[1:])}`",
        "- objective/bounds in points (see scheduler/roster/objective.py); gap = (objective - "
        "max(stage A bound, LP bound)) / objective; efficiency = required agent-hours at the "
        "chosen caps / scheduled agent-hours",
        "",
        "| workers | status | seconds | first plan per stage | objective | stage A value | "
        "stage A bound | LP bound | gap | agent-hours | efficiency | short intervals | "
        "hard violations |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for w in args.workers:
        started = time.perf_counter()
        result, firsts = run(
            days=args.days,
            n_agents=args.agents,
            workers=w,
            time_limit=args.time_limit,
            seed=args.seed,
            mode=args.mode,
            lengths=tuple(args.lengths),
            peak=args.peak,
        )
        lines.append(row(str(w), result, firsts))
        notes.append(
            f"- {w} workers ({time.perf_counter() - started:.1f} s wall): "
            + "; ".join(result.messages)
        )
        notes += [f"  - {s}" for s in result.diagnosis[:6]]
        print(lines[-1], flush=True)
    lines += ["", "Stage messages and diagnosis:", "", *notes, ""]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
