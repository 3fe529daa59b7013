"""pyworkforce side by side, in the benchmark's own environment (never a project dependency).

Two roles in one file:

- ``--worker IN OUT`` runs *inside* ``benchmarks/.venv-pyworkforce`` (stdlib + pyworkforce only):
  it reads a JSON instance (168 hourly sessions, handle and answer minutes, target, chats per
  agent, shift lengths, time limit, workers), computes the requirement as a pyworkforce user
  would (``pyworkforce.queuing.ErlangC`` per hour with ``aht`` = handle minutes, ``asa`` = the
  3-minute deadline, ``interval`` = 60; positions = chat slots; agents = ceil(positions / chats
  per agent)), then schedules 7 days x 24 hourly periods with
  ``pyworkforce.scheduling.MinRequiredResources`` (cost = shift hours, i.e. agent-hours) and
  ``MinAbsDifference``, and writes JSON.
- from ``run_all.py`` (the project venv): :func:`ensure_venv` creates the venv and
  ``pip install pyworkforce`` the first time, :func:`run_pyworkforce` calls the worker by
  subprocess, and :func:`evaluate` puts its shifts on the real timeline: pyworkforce schedules
  each day on its own 24 periods, so a shift starting at 20:00 for 8 h "covers" 20-23 *and*
  00-03 of the same day; really it covers 00-03 of the next day (Sunday's into Monday: the week
  is a standing, cyclic roster as ours). The real-timeline uncovered agent-hours are counted
  against pyworkforce's own requirement, and the roster (one agent per shift, cap = chats per
  agent) is played in our simulator.

    benchmarks/.venv-pyworkforce/bin/python benchmarks/compare_pyworkforce.py \
        --worker in.json out.json
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venv-pyworkforce"
VENV_PY = VENV / "bin" / "python"
RESULTS = BENCH / "results"


# ------------------------------------------------------------------ worker (pyworkforce venv)
def _shift_coverage(lengths: list[float]) -> dict[str, list[int]]:
    """Every start hour x length, wrapped inside the day's 24 periods (pyworkforce's model)."""
    cov = {}
    for length in lengths:
        ln = int(length)
        for start in range(24):
            cov[f"{ln}h@{start:02d}"] = [1 if (p - start) % 24 < ln else 0 for p in range(24)]
    return cov


def worker(inp: Path, out: Path) -> None:
    import pyworkforce
    from pyworkforce.queuing import ErlangC
    from pyworkforce.scheduling import MinAbsDifference, MinRequiredResources

    spec = json.loads(inp.read_text())
    sessions = spec["sessions"]
    cap = int(spec["chats_per_agent"])
    t0 = time.perf_counter()
    positions, required = [], []
    for s in sessions:
        if s <= 0:
            positions.append(0)
            required.append(0)
            continue
        erlang = ErlangC(transactions=s, aht=spec["handle_minutes"], asa=spec["answer_minutes"],
                         interval=60, shrinkage=0.0)
        pos = erlang.required_positions(service_level=spec["target"],
                                        max_occupancy=1.0)["raw_positions"]
        positions.append(int(pos))
        required.append(math.ceil(pos / cap))
    erlang_seconds = time.perf_counter() - t0
    days = [required[d * 24:(d + 1) * 24] for d in range(7)]
    coverage = _shift_coverage(spec["lengths"])
    top = max(required) if required else 1
    results = {}
    for name, cls, extra in (
        ("MinRequiredResources", MinRequiredResources,
         {"cost_dict": {k: int(k.split("h@")[0]) for k in coverage}}),
        ("MinAbsDifference", MinAbsDifference, {}),
    ):
        model = cls(num_days=7, periods=24, shifts_coverage=coverage, required_resources=days,
                    max_period_concurrency=int(spec.get("max_period_concurrency", 4 * top + 10)),
                    max_shift_concurrency=int(spec.get("max_shift_concurrency", 4 * top + 10)),
                    max_search_time=float(spec["time_limit"]),
                    num_search_workers=int(spec["workers"]), **extra)
        # pyworkforce 0.5 sets ``solver.num_search_workers`` (an attribute CP-SAT ignores);
        # set the real parameter so the worker count is what the protocol says.
        model.solver.parameters.num_workers = int(spec["workers"])
        t1 = time.perf_counter()
        sol = model.solve()
        seconds = time.perf_counter() - t1
        shifts = [
            {"day": r["day"], "start": int(r["shift"].split("@")[1]),
             "length": int(r["shift"].split("h@")[0]), "count": int(r["resources"])}
            for r in sol["resources_shifts"] if r["day"] >= 0 and r["resources"] > 0
        ]
        results[name] = {"status": sol["status"], "cost": sol["cost"], "seconds": seconds,
                         "shifts": shifts}
    out.write_text(json.dumps({
        "pyworkforce_version": getattr(pyworkforce, "__version__", "?"),
        "python": sys.version.split()[0],
        "erlang_seconds": erlang_seconds,
        "positions": positions,
        "required_agents": required,
        "solvers": results,
    }, indent=1))


# ------------------------------------------------------------------ host side (project venv)
def ensure_venv(log: list[str]) -> bool:
    """Create the pyworkforce venv on first use; False (with a note) when that fails."""
    if VENV_PY.exists():
        ok = subprocess.run([str(VENV_PY), "-c", "import pyworkforce"],
                            capture_output=True).returncode == 0
        if ok:
            return True
    try:
        if not VENV_PY.exists():
            subprocess.run(["python3", "-m", "venv", str(VENV)], check=True,
                           capture_output=True, timeout=300)
        subprocess.run([str(VENV_PY), "-m", "pip", "install", "-q", "pyworkforce"], check=True,
                       capture_output=True, timeout=600)
        return True
    except (subprocess.SubprocessError, OSError) as exc:
        log.append(f"pyworkforce venv could not be set up: {exc}")
        return False


def run_pyworkforce(tag: str, spec: dict, *, timeout: float = 600.0) -> dict:
    """Run the worker on ``spec``; writes results/pyworkforce_<tag>_{input,output}.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    inp = RESULTS / f"pyworkforce_{tag}_input.json"
    out = RESULTS / f"pyworkforce_{tag}_output.json"
    inp.write_text(json.dumps(spec, indent=1))
    t0 = time.perf_counter()
    proc = subprocess.run([str(VENV_PY), str(Path(__file__).resolve()), "--worker", str(inp),
                           str(out)], capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"pyworkforce worker failed: {proc.stderr.strip()[-800:]}")
    data = json.loads(out.read_text())
    data["wall_seconds"] = wall
    data["chats_per_agent"] = spec["chats_per_agent"]
    return data


def real_timeline(shifts: list[dict], *, cyclic: bool = True) -> list[int]:
    """Agents on duty in each of the 168 hours when shifts run on the real clock."""
    on = [0] * 168
    for s in shifts:
        first = s["day"] * 24 + s["start"]
        for i in range(s["length"]):
            h = first + i
            if h >= 168:
                if not cyclic:
                    continue
                h -= 168
            on[h] += s["count"]
    return on


def wrapped_timeline(shifts: list[dict]) -> list[int]:
    """Agents on duty as pyworkforce's own model counts them (each day wraps onto itself)."""
    on = [0] * 168
    for s in shifts:
        for i in range(s["length"]):
            on[s["day"] * 24 + (s["start"] + i) % 24] += s["count"]
    return on


def evaluate(data: dict, solver: str, *, forecast, chat, week_start, replications: int,
             seed: int) -> dict:
    """Agent-hours, uncovered agent-hours (own model and real timeline) and our simulator."""
    from datetime import datetime, timedelta

    from scheduler.domain import Roster, Shift
    from scheduler.report import judged_hours
    from scheduler.simulate import simulate_replications

    res = data["solvers"][solver]
    req = data["required_agents"]
    shifts = res["shifts"]
    own = wrapped_timeline(shifts)
    real = real_timeline(shifts)
    uncovered_own = sum(max(0, r - o) for r, o in zip(req, own, strict=True))
    uncovered_real = sum(max(0, r - o) for r, o in zip(req, real, strict=True))
    hours_short_real = sum(1 for r, o in zip(req, real, strict=True) if o < r)
    agent_hours = float(sum(s["length"] * s["count"] for s in shifts))
    origin = datetime.combine(week_start, datetime.min.time())
    cap = int(data.get("chats_per_agent", 3))
    roster_shifts = []
    n = 0
    for s in shifts:
        start = origin + timedelta(hours=s["day"] * 24 + s["start"])
        for _ in range(s["count"]):
            n += 1
            roster_shifts.append(Shift(f"pwf{n:03d}", start, start + timedelta(hours=s["length"]),
                                       cap))
    roster = Roster(week_start=week_start, shifts=tuple(roster_shifts))
    t0 = time.perf_counter()
    sim = simulate_replications(roster, forecast, chat, replications=replications, seed=seed)
    sim_seconds = time.perf_counter() - t0
    below, judged = judged_hours(sim, forecast, 0.8)
    return {
        "solver": solver,
        "status": res["status"],
        "solve_seconds": res["seconds"],
        "agent_hours": agent_hours,
        "required_agent_hours": float(sum(req)),
        "uncovered_agent_hours_own_model": uncovered_own,
        "uncovered_agent_hours_real_timeline": uncovered_real,
        "hours_short_real_timeline": hours_short_real,
        "shifts": len(roster_shifts),
        "sim": sim,
        "sim_seconds": sim_seconds,
        "hours_below_target": below,
        "hours_judged": judged,
    }


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "--worker":
        worker(Path(argv[1]), Path(argv[2]))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
