"""Run the whole benchmark protocol (benchmarks/README.md) and write the tables.

    .venv/bin/python benchmarks/run_all.py                 # everything, ~10-14 min on 2 cores
    .venv/bin/python benchmarks/run_all.py --instances sample pwf --workers 2 --time-scale 0.5
    .venv/bin/python benchmarks/run_all.py --instances sample --workers 2 --merge  # rerun one

``--merge`` keeps the other instances' results from summary.json and replaces only those rerun;
the tables' head names the rerun (date, commit, load, command) beside the whole run's.

Writes benchmarks/results/summary.json, benchmarks/results/summary.md,
benchmarks/results/pyworkforce_*.json and (unless --no-readme) the ``## Benchmarks`` section at
the end of README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _p in (str(ROOT), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import compare_pyworkforce as pwf  # noqa: E402
import instances as inst_mod  # noqa: E402
import numpy as np  # noqa: E402
from baseline_erlang import (  # noqa: E402
    baseline_params,
    erlang_requirements,
    fixed_agent_requirements,
)
from lp_highs import highs_bound  # noqa: E402

from scheduler.domain import Forecast, Roster  # noqa: E402
from scheduler.pipeline import plan_from_forecast, plan_roster, run  # noqa: E402
from scheduler.report import contract_shifts, judged_hours, on_duty_caps  # noqa: E402
from scheduler.roster import RosterResult  # noqa: E402
from scheduler.simulate import ReplicationSummary, simulate_replications  # noqa: E402

RESULTS = BENCH / "results"
README = ROOT / "README.md"
TARGET = 0.8
PWF_TIME_LIMIT = 10.0
COMPARE_ON = ("sample", "small", "pwf")
"""Instances that also get the Erlang-C + 8-hour baseline (and ours with 8-hour shifts)."""
PWF_ON = {"pwf": (3, (8, 4)), "small": (3, (4, 6, 8, 10))}
"""Instances pyworkforce can express: chats per agent, shift lengths (hours)."""


# ------------------------------------------------------------------ machine
def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True,
                                  timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    import ortools

    dirty = git("status", "--porcelain", "--", "scheduler")
    return {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": nproc,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "ortools": ortools.__version__,
        "numpy": np.__version__,
        "commit": git("rev-parse", "--short", "HEAD"),
        "scheduler_uncommitted_changes": bool(dirty),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "speed_probe_seconds": speed_probe(),
    }


def speed_probe() -> float:
    """Seconds for a fixed pure-Python loop (10 million additions; best of 3): how fast this
    machine runs the planner's Python parts (the cheap moves, the model builds) at the time
    of the run, to read time-limited results of different runs side by side."""
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - t0)
    return round(best, 2)


# ------------------------------------------------------------------ helpers
def est(e: Any) -> dict[str, float | None]:
    def f(x: float) -> float | None:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, 4)

    return {"mean": f(e.mean), "low": f(e.low), "high": f(e.high)}


def sim_record(sim: ReplicationSummary, forecast: Forecast) -> dict[str, Any]:
    expected = forecast.frame["sessions"].to_numpy(dtype=float)
    judged = expected >= 5.0
    rates = np.asarray(sim.hourly_three_min_rate, dtype=float)
    lows = np.asarray(sim.hourly_three_min_rate_low, dtype=float)
    highs = np.asarray(sim.hourly_three_min_rate_high, dtype=float)
    below, n_judged = judged_hours(sim, forecast, TARGET)
    worst: dict[str, Any] = {}
    if judged.any():
        idx = np.where(judged, np.nan_to_num(rates, nan=1.0), np.inf).argmin()
        worst = {"hour": str(sim.hour_starts[idx]), "mean": round(float(rates[idx]), 4),
                 "low": round(float(lows[idx]), 4), "high": round(float(highs[idx]), 4)}
    jr = rates[judged & ~np.isnan(rates)]
    return {
        "replications": sim.replications,
        "three_min_rate_week": est(sim.three_min_rate),
        "reply_rate_week": est(sim.reply_rate),
        "hourly_three_min_rate_judged_p10": round(float(np.percentile(jr, 10)), 4)
        if jr.size else None,
        "worst_judged_hour": worst,
        "hours_below_target": below,
        "hours_judged": n_judged,
    }


def roster_record(r: RosterResult) -> dict[str, Any]:
    eff = r.efficiency
    needed = eff * r.agent_hours
    bound = r.bound_hours
    return {
        "status": r.status,
        "agent_hours": round(r.agent_hours, 2),
        "bound_hours": None if bound is None else round(bound, 2),
        "gap": None if r.gap is None else round(r.gap, 4),
        "gap_hours": None if r.gap is None or bound is None
        else round(r.agent_hours - bound, 2),
        "below_margin_intervals": len(r.short_intervals),
        "cap_mix": {f"cap {c}": round(h, 2) for c, h in sorted(r.cap_mix.items())},
        "objective_points": r.objective_points,
        "solve_seconds": round(r.solve_seconds, 2),
        "work": round(r.work, 2),
        "required_agent_hours": round(needed, 2),
        "efficiency": round(eff, 4),
        "lp_efficiency": round(needed / bound, 4) if bound else None,
        "messages": list(r.messages),
        "diagnosis": [f.text for f in r.diagnosis[:4]],
    }


def hourly_on_duty(roster: Roster, week_start) -> list[int]:
    """Agents on duty at hh:30 of every hour of the week, read from the shifts as roster.csv
    lists them (``contract_shifts``: the week's shifts plus the one that carries over from the
    Sunday before, so the cyclic week's Monday 00:00 is counted as the file says)."""
    origin = datetime.combine(week_start, datetime.min.time())
    shifts = contract_shifts(roster)
    return [len(on_duty_caps(shifts, origin + timedelta(hours=h, minutes=30)))
            for h in range(168)]


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2),
            "max": round(max(values), 2), "n": len(values)}


# ------------------------------------------------------------------ one instance
def plan_once(inst: inst_mod.Instance, workers: int, replications: int, seed: int
              ) -> tuple[float, Any]:
    t0 = time.perf_counter()
    if inst.kind == "roster":
        assert inst.requirements is not None
        params = replace(inst.params, time_limit_seconds=inst.time_limit, num_workers=workers,
                         seed=seed)
        roster = plan_roster(inst.requirements, inst.agents, params)
        return time.perf_counter() - t0, roster
    params = replace(inst.params, num_workers=workers, time_limit_seconds=inst.time_limit,
                     replications=replications, seed=seed)
    if inst.history is not None:
        res = run(inst.history, inst.agents, week_start=inst_mod.WEEK, params=params,
                  promotions=inst.promotions)
    else:
        assert inst.forecast is not None
        res = plan_from_forecast(inst.forecast, inst.agents, params=params)
    return time.perf_counter() - t0, res


def bench_instance(inst: inst_mod.Instance, args: argparse.Namespace) -> dict[str, Any]:
    rec: dict[str, Any] = {"key": inst.key, "title": inst.title, "kind": inst.kind,
                           "notes": inst.notes, "time_limit": inst.time_limit, "runs": {}}
    first_plan = None
    for w in args.workers:
        walls, solves, results = [], [], []
        for rep in range(args.reps):
            wall, res = plan_once(inst, w, args.replications, args.seed)
            walls.append(wall)
            roster = res if inst.kind == "roster" else res.roster
            solves.append(roster.solve_seconds)
            results.append(res)
            print(f"  {inst.key} w={w} rep={rep}: {wall:.1f} s, {roster.status}, "
                  f"{roster.agent_hours:.1f} agent-h", flush=True)
        res = results[0]
        roster = res if inst.kind == "roster" else res.roster
        run_rec = roster_record(roster)
        run_rec["plan_wall_seconds"] = spread(walls)
        run_rec["roster_solve_seconds"] = spread(solves)
        if inst.kind == "pipeline":
            run_rec["sim"] = sim_record(res.simulation, res.forecast)
            run_rec["model_three_min_rate"] = round(res.summary.model_three_min_rate, 4)
            run_rec["forecast_sessions"] = round(res.summary.forecast_sessions, 1)
        rec["runs"][str(w)] = run_rec
        if first_plan is None:
            first_plan = res
    # independent LP bound (HiGHS) on the same staffing table
    if inst.kind == "roster":
        req, chat, rules = inst.requirements, inst.params.chat, inst.params.rules
    else:
        req, chat, rules = first_plan.requirements, first_plan.chat, first_plan.params.rules
    hb = highs_bound(req, inst.agents, rules, chat)
    rec["highs"] = hb.as_dict()
    for run_rec in rec["runs"].values():
        needed = run_rec["required_agent_hours"]
        run_rec["highs_efficiency"] = (round(needed / hb.agent_hours, 4)
                                       if hb.agent_hours and hb.agent_hours > 0 else None)
        run_rec["plan_at_or_above_highs"] = bool(run_rec["agent_hours"] >= hb.agent_hours - 1e-6
                                                 or hb.shortfall_units > 0)
        run_rec["our_bound_hours_at_or_above_highs"] = (
            None if run_rec["bound_hours"] is None
            else bool(run_rec["bound_hours"] >= hb.agent_hours - 1e-6))
    rec["_plan"] = first_plan
    return rec


# ------------------------------------------------------------------ comparisons
def compare_instance(rec: dict[str, Any], args: argparse.Namespace,
                     log: list[str]) -> list[dict[str, Any]]:
    plan = rec["_plan"]
    forecast, chat, params = plan.forecast, plan.chat, plan.params
    rows: list[dict[str, Any]] = []
    w0 = str(args.workers[0])
    ours = rec["runs"][w0]
    ours_on = hourly_on_duty(plan.roster.roster, forecast.week_start)
    rows.append({"method": f"ours (concurrency model, {_lengths(params)} h shifts)",
                 "agent_hours": ours["agent_hours"], "sim": ours["sim"],
                 "seconds": ours["plan_wall_seconds"]["median"], "status": ours["status"],
                 "on_duty": ours_on})
    # ours with 8-hour shifts only (isolates what flexible shifts buy)
    p8 = replace(baseline_params(params), num_workers=args.workers[0],
                 time_limit_seconds=rec["time_limit"], replications=args.replications,
                 seed=args.seed)
    t0 = time.perf_counter()
    r8 = plan_from_forecast(forecast, plan.agents, params=p8)
    rows.append({"method": "ours, 8-hour shifts only", "agent_hours": r8.roster.agent_hours,
                 "sim": sim_record(r8.simulation, forecast),
                 "seconds": round(time.perf_counter() - t0, 2), "status": r8.roster.status,
                 "on_duty": hourly_on_duty(r8.roster.roster, forecast.week_start)})
    print(f"  {rec['key']} ours-8h: {rows[-1]['agent_hours']:.1f} agent-h", flush=True)
    # Erlang C on agents x cap (solo handle) + 8-hour shifts
    t0 = time.perf_counter()
    base_req = erlang_requirements(forecast, chat, params)
    rb = plan_roster(base_req, plan.agents, p8)
    sim_b = simulate_replications(rb.roster, forecast, chat, replications=args.replications,
                                  seed=args.seed)
    rows.append({"method": "Erlang C on agents x cap + 8-hour shifts (baseline_erlang.py)",
                 "agent_hours": rb.agent_hours, "sim": sim_record(sim_b, forecast),
                 "seconds": round(time.perf_counter() - t0, 2), "status": rb.status,
                 "on_duty": hourly_on_duty(rb.roster, forecast.week_start),
                 "planned_short_intervals": len(rb.short_intervals)})
    print(f"  {rec['key']} erlang-8h: {rb.agent_hours:.1f} agent-h", flush=True)
    # pyworkforce
    if rec["key"] in PWF_ON and not args.no_pyworkforce:
        cap, lengths = PWF_ON[rec["key"]]
        if pwf.ensure_venv(log):
            spec = {"instance": rec["key"],
                    "sessions": [float(x) for x in forecast.frame["sessions"]],
                    "handle_minutes": chat.handle_seconds / 60.0,
                    "answer_minutes": chat.answer_seconds / 60.0, "target": TARGET,
                    "chats_per_agent": cap, "lengths": list(lengths),
                    "time_limit": PWF_TIME_LIMIT, "workers": args.workers[0]}
            try:
                data = pwf.run_pyworkforce(rec["key"], spec)
            except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
                log.append(f"pyworkforce on {rec['key']} failed: {exc}")
                data = None
            if data is not None:
                req_pwf = data["required_agents"]
                # ours on pyworkforce's own requirement: the real-timeline check
                t0 = time.perf_counter()
                at_cap = replace(params.rules, allowed_caps=(cap,))  # its agents hold `cap`
                fixed = fixed_agent_requirements(forecast, replace(params, rules=at_cap),
                                                 req_pwf)
                rf = plan_roster(fixed, plan.agents, replace(p8, rules=at_cap))
                sim_f = simulate_replications(rf.roster, forecast, chat,
                                              replications=args.replications, seed=args.seed)
                rows.append({
                    "method": f"ours on pyworkforce's requirement (ErlangC slots / {cap}, "
                              f"{'/'.join(map(str, lengths))} h)",
                    "agent_hours": rf.agent_hours, "sim": sim_record(sim_f, forecast),
                    "seconds": round(time.perf_counter() - t0, 2), "status": rf.status,
                    "on_duty": hourly_on_duty(rf.roster, forecast.week_start),
                    "planned_short_intervals": len(rf.short_intervals)})
                print(f"  {rec['key']} ours on pyworkforce's requirement: "
                      f"{rf.agent_hours:.1f} agent-h", flush=True)
                for row in rows:  # everyone against pyworkforce's own requirement
                    row["uncovered_vs_pwf_requirement"] = sum(
                        max(0, r - o) for r, o in zip(req_pwf, row["on_duty"], strict=True))
                for solver in ("MinRequiredResources", "MinAbsDifference"):
                    e = pwf.evaluate(data, solver, forecast=forecast, chat=chat,
                                     week_start=forecast.week_start,
                                     replications=args.replications, seed=args.seed)
                    rows.append({
                        "method": f"pyworkforce {data['pyworkforce_version']} {solver} "
                                  f"(ErlangC slots / {cap}, {'/'.join(map(str, lengths))} h)",
                        "agent_hours": e["agent_hours"],
                        "sim": sim_record(e["sim"], forecast),
                        "seconds": round(e["solve_seconds"], 2), "status": e["status"],
                        "uncovered_vs_pwf_requirement": e["uncovered_agent_hours_real_timeline"],
                        "uncovered_own_model": e["uncovered_agent_hours_own_model"],
                        "pwf_required_agent_hours": e["required_agent_hours"],
                        "pwf_wall_seconds": round(data["wall_seconds"], 2),
                    })
                    print(f"  {rec['key']} pyworkforce {solver}: {e['agent_hours']:.0f} agent-h",
                          flush=True)
    for row in rows:
        row.pop("on_duty", None)
    return rows


def _lengths(params) -> str:
    return "/".join(f"{x:g}" for x in params.rules.shift_lengths_hours)


# ------------------------------------------------------------------ output
def _pct(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def _rate(s: dict[str, Any] | None) -> str:
    if not s:
        return "–"
    w = s["three_min_rate_week"]
    ci = "" if w["low"] is None else f" [{w['low']:.3f}, {w['high']:.3f}]"
    return f"{w['mean']:.3f}{ci}"


def _worst(s: dict[str, Any] | None) -> str:
    if not s or not s.get("worst_judged_hour"):
        return "–"
    h = s["worst_judged_hour"]
    return f"{h['mean']:.2f} ({h['hour'][5:16]})"


MAIN_COLUMNS = ("instance", "workers", "status", "agent-h", "bound-h", "gap h",
                "plan wall s", "roster solve s", "efficiency", "bound eff. (ours)",
                "HiGHS LB agent-h (eff.)", "sim 3-min week [95% CI]", "p10 / worst hour",
                "hours below / judged", "below margin")


def _h(x: float | None) -> str:
    return "–" if x is None else f"{x:,.1f}"


def _gap(r: dict[str, Any]) -> str:
    return "–" if r["gap_hours"] is None else f"{r['gap_hours']:,.1f} ({_pct(r['gap'])})"


def main_table(records: list[dict[str, Any]]) -> list[str]:
    lines = ["| " + " | ".join(MAIN_COLUMNS) + " |", "|---" * len(MAIN_COLUMNS) + "|"]
    for rec in records:
        if rec.get("skipped"):
            lines.append(f"| {rec['title']} | – | skipped: {rec['skipped']} |"
                         + " |" * (len(MAIN_COLUMNS) - 3))
            continue
        hb = rec["highs"]
        for w, r in rec["runs"].items():
            s = r.get("sim")
            below = f"{s['hours_below_target']} / {s['hours_judged']}" if s else "–"
            p10 = (f"{s['hourly_three_min_rate_judged_p10']:.2f} / {_worst(s)}" if s else "–")
            lines.append(
                f"| {rec['title']} | {w} | {r['status']} | {r['agent_hours']:,.1f} | "
                f"{_h(r['bound_hours'])} | {_gap(r)} | "
                f"{r['plan_wall_seconds']['median']:.1f} | "
                f"{r['roster_solve_seconds']['median']:.1f} | "
                f"{_pct(r['efficiency'])} | {_pct(r['lp_efficiency'])} | "
                f"{hb['agent_hours']:,.1f} ({_pct(r['highs_efficiency'])}) | {_rate(s)} | {p10} | "
                f"{below} | {r.get('below_margin_intervals', r.get('short_intervals'))} |")
    return lines


def compare_table(comparisons: dict[str, list[dict[str, Any]]],
                  records: list[dict[str, Any]]) -> list[str]:
    titles = {r["key"]: r["title"] for r in records}
    lines = [
        "| instance | method | status | agent-h | vs ours | uncovered agent-h vs pyworkforce's "
        "requirement (real timeline) | sim 3-min week [95% CI] | worst hour | "
        "hours below / judged | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, rows in comparisons.items():
        ours = rows[0]["agent_hours"]
        for row in rows:
            s = row["sim"]
            unc = row.get("uncovered_vs_pwf_requirement")
            unc_s = "–" if unc is None else str(unc)
            if "uncovered_own_model" in row:
                unc_s += f" (own model: {row['uncovered_own_model']})"
            diff = (row["agent_hours"] - ours) / ours if ours else math.nan
            lines.append(
                f"| {titles[key]} | {row['method']} | {row['status']} | "
                f"{row['agent_hours']:,.1f} | {diff:+.1%} | {unc_s} | {_rate(s)} | {_worst(s)} | "
                f"{s['hours_below_target']} / {s['hours_judged']} | {row['seconds']:.1f} |")
    return lines


def _more_fewer(ours: float, other: float) -> str:
    if not other:
        return "n/a"
    d = ours / other - 1
    return f"{abs(d):.0%} {'more' if d > 0 else 'fewer'}"


def manager_notes(records: list[dict[str, Any]],
                  comparisons: dict[str, list[dict[str, Any]]]) -> list[str]:
    out = []
    for key, rows in comparisons.items():
        ours, o8, base = rows[0], rows[1], rows[2]

        def rate(row: dict[str, Any]) -> str:
            return (f"{row['sim']['three_min_rate_week']['mean']:.1%} simulated, "
                    f"{row['sim']['hours_below_target']}/{row['sim']['hours_judged']} busy hours "
                    "below 80%")

        text = (f"- **{key}**: our plan: {ours['agent_hours']:.0f} agent-hours, {rate(ours)}. "
                f"Voice-style plan (Erlang C on agents x cap, 8-hour shifts): "
                f"{base['agent_hours']:.0f} agent-hours, {rate(base)} — ours uses "
                f"{_more_fewer(ours['agent_hours'], base['agent_hours'])} agent-hours. "
                f"Our model with 8-hour shifts only: {o8['agent_hours']:.0f} agent-hours, "
                f"{rate(o8)} — flexible shifts use "
                f"{_more_fewer(ours['agent_hours'], o8['agent_hours'])} hours.")
        for row in rows[3:]:
            text += (f" {row['method'].split(' (')[0]}: {row['agent_hours']:.0f} agent-hours, "
                     f"{rate(row)}, {row.get('uncovered_vs_pwf_requirement', 0)} agent-hours of "
                     "its own requirement uncovered on the real clock — ours uses "
                     f"{_more_fewer(ours['agent_hours'], row['agent_hours'])} agent-hours.")
        out.append(text)
    return out


def write_outputs(meta: dict[str, Any], records: list[dict[str, Any]],
                  comparisons: dict[str, list[dict[str, Any]]], log: list[str],
                  args: argparse.Namespace) -> tuple[str, str]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in records]
    (RESULTS / "summary.json").write_text(json.dumps(
        {"meta": meta, "instances": clean, "comparisons": comparisons, "log": log},
        indent=1, default=str, ensure_ascii=False) + "\n", encoding="utf-8")
    head = [
        f"Run {meta['date']} on {meta['nproc']} cores ({meta['cpu']}), Python {meta['python']}, "
        f"OR-Tools {meta['ortools']}, commit {meta['commit']}"
        + (" + uncommitted changes in scheduler/" if meta["scheduler_uncommitted_changes"]
           else "")
        + f"; load average at start {meta['load_average_at_start'][0]}; speed probe "
        f"{meta['speed_probe_seconds']} s (`speed_probe`, lower is faster); whole run "
        f"{meta['total_seconds'] / 60:.1f} min. Command: `{meta['command']}`. "
        f"Seed {args.seed}, {args.reps} repetition(s) per worker count, {args.replications} "
        "simulated replications per roster.",
        *(f"Rows of {', '.join(r['instances'])} rerun {r['date']} (commit {r['commit']}"
          + (" + uncommitted changes in scheduler/" if r["scheduler_uncommitted_changes"]
             else "")
          + f"; load average at start {r['load_average_at_start'][0]}; speed probe "
          f"{r['speed_probe_seconds']} s; {r['total_seconds'] / 60:.1f} min): `{r['command']}`."
          for r in meta.get("reruns", [])),
    ]
    main = main_table(records)
    comp = compare_table(comparisons, records)
    notes = manager_notes(records, comparisons)
    inst_lines = [f"- **{r['key']}** — {r['title']}: " + "; ".join(r["notes"])
                  + (f". Roster time limit {r['time_limit']:g} s." if "time_limit" in r else "")
                  for r in records]
    md = "\n".join([
        "# Benchmark summary (generated by benchmarks/run_all.py)", "", *head, "",
        "## Our planner, per instance", "", *main, "",
        "## Side by side (same forecast, same simulator)", "", *comp, "",
        "## What it means", "", *notes, "",
        "## Instances", "", *inst_lines, "",
        *(["## Log", "", *[f"- {x}" for x in log], ""] if log else []),
    ])
    (RESULTS / "summary.md").write_text(md, encoding="utf-8")
    readme = "\n".join([
        "## Benchmarks", "",
        "Protocol and instances: `benchmarks/README.md`. One command reruns everything and "
        "rewrites this section, `benchmarks/results/summary.md` and `summary.json`:", "",
        "```bash", ".venv/bin/python benchmarks/run_all.py", "```", "", *head, "",
        "Columns: agent-h = paid agent-hours of the plan; bound-h = the planner's proven lower "
        "bound (no roster that leaves no interval below the margin needs fewer agent-hours "
        "under the rules); gap h = agent-h - bound-h (and its share of agent-h), – when the "
        "plan leaves intervals below the margin; efficiency = required / scheduled "
        "agent-hours, next to the same ratio for our bound and for an independent HiGHS LP "
        "bound (`benchmarks/lp_highs.py`); sim = our simulator, mean and 95% interval; "
        "hours below = busy hours (>= 5 expected sessions) whose simulated mean 3-minute "
        "rate is below 80%; below margin = planning intervals below the staffing with margin "
        "the search aims at (not short: short means the team cannot meet the forecast "
        "itself, `coverage.csv`'s `short_at_forecast`).", "",
        *main, "", *comp, "", "What the numbers mean for a manager:", "", *notes, "",
    ])
    return md, readme


def update_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8")
    marker = "\n## Benchmarks\n"
    if marker in text:
        start = text.index(marker) + 1
        nxt = text.find("\n## ", start + 3)
        rest = text[nxt + 1:] if nxt >= 0 else ""
        text = text[:start] + section.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    README.write_text(text, encoding="utf-8")


def merged(meta: dict[str, Any], records: list[dict[str, Any]],
           comparisons: dict[str, list[dict[str, Any]]], log: list[str],
           instances: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]],
                                          dict[str, list[dict[str, Any]]], list[str]]:
    """``--merge``: the last whole run's results (summary.json) with this run's instances in
    place of theirs, in the same order; the whole run's meta, this run added to its reruns
    (an earlier rerun of the same instances dropped)."""
    old = json.loads((RESULTS / "summary.json").read_text(encoding="utf-8"))
    fresh = {r["key"]: r for r in records}
    keys = [r["key"] for r in old["instances"]]
    out = [fresh.get(r["key"], r) for r in old["instances"]]
    out += [r for r in records if r["key"] not in keys]
    comp = {k: comparisons.get(k, v) for k, v in old["comparisons"].items()
            if k not in instances or k in comparisons}
    comp.update({k: v for k, v in comparisons.items() if k not in comp})
    base = old["meta"]
    reruns = [r for r in base.get("reruns", []) if not set(r["instances"]) <= set(instances)]
    rerun = {**{k: v for k, v in meta.items() if k != "reruns"}, "instances": instances}
    return ({**base, "reruns": [*reruns, rerun]}, out, comp,
            [*(x for x in old.get("log", []) if x.split(":")[0] not in instances), *log])


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", nargs="+", default=list(inst_mod.INSTANCES),
                    choices=list(inst_mod.INSTANCES))
    ap.add_argument("--workers", nargs="+", type=int, default=[2, 8])
    ap.add_argument("--reps", type=int, default=1, help="repetitions per worker count")
    ap.add_argument("--replications", type=int, default=10, help="simulated weeks per roster")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="multiply every roster time limit (min 5 s)")
    ap.add_argument("--no-pyworkforce", action="store_true")
    ap.add_argument("--no-compare", action="store_true")
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other instances' results from summary.json, replace these")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    meta = machine()
    meta["command"] = ".venv/bin/python benchmarks/run_all.py " + " ".join(
        argv if argv is not None else sys.argv[1:])
    meta["command"] = meta["command"].strip()
    records: list[dict[str, Any]] = []
    comparisons: dict[str, list[dict[str, Any]]] = {}
    log: list[str] = []
    for key in args.instances:
        print(f"[{time.perf_counter() - started:6.0f} s] {key}", flush=True)
        try:
            inst = inst_mod.build(key, args.time_scale)
        except Exception as exc:
            log.append(f"{key}: could not build the instance: {exc!r}")
            records.append({"key": key, "title": key, "skipped": f"build failed: {exc}"})
            continue
        if inst is None:
            note = f"{inst_mod.BANK_COUNTS} is missing"
            log.append(f"{key}: skipped, {note}")
            records.append({"key": key, "title": key, "skipped": note})
            continue
        try:
            rec = bench_instance(inst, args)
        except Exception as exc:
            log.append(f"{key}: planning failed: {exc!r}")
            records.append({"key": key, "title": inst.title, "skipped": f"failed: {exc!r}"})
            continue
        records.append(rec)
        if key in COMPARE_ON and inst.kind == "pipeline" and not args.no_compare:
            try:
                comparisons[key] = compare_instance(rec, args, log)
            except Exception as exc:
                log.append(f"{key}: comparison failed: {exc!r}")
    meta["total_seconds"] = round(time.perf_counter() - started, 1)
    if args.merge:
        meta, records, comparisons, log = merged(meta, records, comparisons, log,
                                                 args.instances)
    md, readme = write_outputs(meta, records, comparisons, log, args)
    if not args.no_readme:
        update_readme(readme)
    print(md)
    print(f"total {meta['total_seconds']:.0f} s; wrote {RESULTS / 'summary.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
