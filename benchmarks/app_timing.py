"""Time what the app's user waits for, on the bundled sample.

Targets (from issue 6): the plan within 20 s of the click; a what-if on the current roster
within 3 s; a warm-started re-plan within 10 s. Measured two ways:

- library: the calls the buttons make with the app's defaults (``scheduler.ui.settings``):
  ``pipeline.run`` (the app's plan solver limit, 5 simulation runs), ``whatif.evaluate`` (3
  runs), ``whatif.replan`` (the app's re-plan limit), ``--runs`` times each, with the roster's
  status and short intervals (a plan that leaves intervals short within the limit is fast but
  not good enough);
- browser: the app served headless, Debian's Chromium driven by Playwright, from the click to
  the result on screen (one pass; includes rendering the heatmap and charts).

Run from the repository root:
    .venv/bin/python benchmarks/app_timing.py [--runs 3] [--no-browser]
Writes benchmarks/results/app_timing.md. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scheduler import io, pipeline  # noqa: E402
from scheduler.params import PlanParams  # noqa: E402
from scheduler.ui.settings import Settings  # noqa: E402
from scheduler.whatif import Scenario, evaluate, parse_spike, replan  # noqa: E402

OUT = REPO / "benchmarks" / "results" / "app_timing.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SPIKE = "Fri 20:00-23:00 x2.5"
TARGETS = {"plan": Settings().params(PlanParams()).time_limit_seconds + 10.0, "what-if": 3.0,
           "re-plan": 10.0}
"""The plan within the app's stated limit + 10 s (issue 31), a what-if within 3 s, a re-plan
within 10 s (issue 6)."""


def library(runs: int) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """Seconds per call of what each button runs, and each plan's status and short
    intervals."""
    history = io.read_history(REPO / "data" / "sample_history.csv")
    agents, _ = io.read_agents(REPO / "data" / "sample_agents.csv")
    settings = Settings()
    params = settings.params(PlanParams())
    scenario = Scenario(name="spike", spikes=(parse_spike(SPIKE),))
    out: dict[str, list[float]] = {"plan": [], "what-if": [], "re-plan": []}
    status: dict[str, list[str]] = {"plan": [], "what-if": [], "re-plan": []}
    for i in range(runs):
        t0 = time.perf_counter()
        plan = pipeline.run(history, agents, params=replace(params, seed=i))
        out["plan"].append(time.perf_counter() - t0)
        status["plan"].append(f"{plan.summary.status} ({plan.summary.short_intervals} short)")
        t0 = time.perf_counter()
        evaluate(plan.roster.roster, plan.forecast, plan.agents, plan.chat, scenario,
                 target=settings.target, profile=settings.platform,
                 replications=plan.params.replications, seed=plan.params.seed)
        out["what-if"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        re = replan(plan, scenario, time_limit_seconds=settings.replan_time_limit_seconds)
        out["re-plan"].append(time.perf_counter() - t0)
        status["re-plan"].append(f"{re.plan.summary.status} "
                                 f"({re.plan.summary.short_intervals} short)")
        print(f"library run {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in out.items()),
              flush=True)
    return out, status


def browser() -> dict[str, float]:
    """Seconds from each click to its result on screen, in a real browser (one pass)."""
    from playwright.sync_api import expect, sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    result: dict[str, float] = {}
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = b.new_page(viewport={"width": 1400, "height": 900})  # a laptop screen
            page.set_default_timeout(180_000)
            expect.set_options(timeout=180_000)
            page.goto(url)
            expect(page.get_by_text("In use 当前使用").first).to_be_visible()
            page.get_by_role("link", name="覆盖 Coverage").click()
            button = page.get_by_role("button", name="排班 Plan the week")
            expect(button).to_be_visible()
            t0 = time.perf_counter()
            button.click()
            expect(page.locator(".js-plotly-plot .heatmaplayer").first).to_be_attached()
            result["plan"] = time.perf_counter() - t0
            page.get_by_role("link", name="假设分析 What-if").click()
            page.locator("textarea").first.fill(SPIKE)
            expect(page.get_by_text("Current roster:", exact=False).first).to_be_visible()
            t0 = time.perf_counter()
            page.get_by_role("button", name="模拟 Simulate A").click()
            expect(page.get_by_text("below target 未达标").first).to_be_attached()
            result["what-if"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            page.get_by_role("button", name=re.compile("重新排班 Re-plan \\(from")).click()
            # the re-plan is shown, or the page says the current roster is kept (no better one)
            expect(page.get_by_text(re.compile("Re-planned roster 重新排班结果|Kept the current "
                                               "roster 保留当前排班")).first).to_be_visible()
            result["re-plan"] = time.perf_counter() - t0
            b.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print("browser: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.items()), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    n_agents = len(io.read_agents(REPO / "data" / "sample_agents.csv")[0])
    load0 = os.getloadavg()[0]
    lib, status = library(args.runs)
    web = {} if args.no_browser or not Path(CHROMIUM).exists() else browser()
    load1 = os.getloadavg()[0]
    lines = [
        "# App timing: what the manager waits for",
        "",
        "Command (repository root): `.venv/bin/python benchmarks/app_timing.py "
        f"--runs {args.runs}`",
        f"Measured {datetime.now():%Y-%m-%d %H:%M}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average "
        f"{load0:.1f} before, {load1:.1f} after (the machine is shared, so numbers vary).",
        "",
        f"Instance: the bundled sample (12-week history, {n_agents} agents), next week "
        "2026-11-23; the app's defaults (Xiaohongshu, 80% 3-minute target per hour, "
        f"{Settings().time_limit_seconds:.0f} s solver limit and 5 simulation runs for the "
        f"plan, 3 runs for a what-if, {Settings().replan_time_limit_seconds:.0f} s for a "
        "re-plan, seed 0); "
        f"what-if and re-plan scenario `{SPIKE}`.",
        "",
        "| step | target | library (each run) | roster status | library median |"
        " browser click → on screen | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for step, target in TARGETS.items():
        runs = lib[step]
        med = statistics.median(runs)
        shown = web.get(step)
        worst = max(med, shown) if shown is not None else med
        lines.append(
            f"| {step} | ≤ {target:.0f} s | {', '.join(f'{r:.1f}' for r in runs)} s | "
            f"{', '.join(status[step]) or '—'} | {med:.1f} s | "
            f"{f'{shown:.1f} s' if shown is not None else 'not run'} | "
            f"{'yes' if worst <= target else 'NO'} |")
    lines += [
        "",
        "- plan: `pipeline.run` = forecast, staffing table, `pipeline.plan_roster` (the "
        "roster search with the app's limit, then what each rule costs: one short re-plan "
        "per rule), simulated check.",
        "- what-if: `whatif.evaluate` on the current roster (3 seeded runs); the browser "
        "time includes drawing the chart.",
        "- re-plan: `whatif.replan` (staffing + `pipeline.plan_roster` started from the "
        "current roster, no rule costs) + its 5-run check.",
        "- The browser column runs the server, the solver and Chromium (software rendering, "
        "no GPU) on the same 2 cores; on a manager's own PC the browser does not compete with "
        "the solver.",
        "- Budgets: the app's solver limits (`scheduler.ui.settings`) leave ~4 s for the work "
        "around the solve (staffing table ~1.5 s, simulated check, drawing) inside the 20 s "
        "and 10 s targets; the roster status column shows whether the search still left no "
        "interval short within them.",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
