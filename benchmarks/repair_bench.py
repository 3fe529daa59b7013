"""The targeted repair alone (``roster.repair``), from an empty plan, on the benchmark weeks.

Protocol: build the instance's staffing table as the pipeline does (``instances``; a 3-s plan
gives its requirements, chat model and rules), then run ``repair`` from no shifts with each
time limit and validate the result. Prints, per instance and limit: the seconds it used, short
intervals, the validator's objective by tier and hard violations. The repair is deterministic
when it converges before its limit (the same plan run after run); when it hits the limit, the
result depends on the machine's speed. Used to compare repair changes back to back:

    .venv/bin/python benchmarks/repair_bench.py                        # sample, small, spike
    .venv/bin/python benchmarks/repair_bench.py --instances spike --limits 10 20
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import instances as inst_mod

from scheduler.pipeline import plan_from_forecast, run
from scheduler.roster.grid import build_grid, eligibility, roster_from
from scheduler.roster.objective import make_weights
from scheduler.roster.repair import repair
from scheduler.roster.validate import check_roster


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", nargs="+", default=["sample", "small", "spike"])
    ap.add_argument("--limits", nargs="+", type=float, default=[5.0, 10.0, 20.0])
    args = ap.parse_args()
    for key in args.instances:
        inst = inst_mod.INSTANCES[key][0](3.0)
        if inst.kind != "pipeline":
            raise SystemExit(f"{key}: only the pipeline instances have a staffing table here")
        params = replace(inst.params, time_limit_seconds=3.0, replications=1)
        res = (
            run(inst.history, inst.agents, week_start=inst_mod.WEEK, params=params,
                promotions=inst.promotions)
            if inst.history is not None
            else plan_from_forecast(inst.forecast, inst.agents, params=params)
        )
        rules, service = res.params.rules, res.params.service
        team = tuple(inst.agents)
        grid = build_grid(res.requirements, team, chat=res.chat, service=service, rules=rules)
        elig, weights = eligibility(grid, team), make_weights(grid)
        for limit in args.limits:
            t0 = time.perf_counter()
            picks = repair(grid, team, rules, elig, [], weights, time_limit_seconds=limit)
            used = time.perf_counter() - t0
            roster = roster_from(grid, team, [(team[i].agent_id, s, lv) for i, s, lv in picks])
            check = check_roster(roster, team, grid=grid, rules=rules, service=service,
                                 envelopes=None)
            hard = sum(v.kind == "hard" for v in check.violations)
            print(f"{key:7s} limit {limit:5.1f} s: used {used:5.1f} s, "
                  f"{int((check.coverage.short > 0).sum())} short intervals, "
                  f"{check.terms.total:,} points {check.terms}, {hard} hard violations",
                  flush=True)


if __name__ == "__main__":
    main()
