"""The price of each level (issue 30, item 3): agent-hours at a chance of 50, 80, 90, 95 and 99%
of the promise and the point plan's own chance, in the CLI, ``summary.json`` and the app."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from scheduler import io, pipeline
from scheduler.domain import Agent, Forecast, next_monday
from scheduler.frontier import LEVELS, Price
from scheduler.params import Mode, PlanParams
from scheduler.replan import open_plan
from scheduler.report import PlanSummary

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample() -> tuple[Forecast, tuple[Agent, ...]]:
    history = io.read_history(REPO / "data" / "sample_history.csv")
    agents, _ = io.read_agents(REPO / "data" / "sample_agents.csv")
    return pipeline.make_forecast(history, next_monday(history.end)), agents


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The sample planned by the command line for a 90% chance of the per-hour promise (4 s):
    the folder and what the command printed."""
    out = tmp_path_factory.mktemp("frontier") / "plan"
    run = subprocess.run([sys.executable, "-m", "scheduler", "plan", "--history",
                          str(REPO / "data" / "sample_history.csv"), "--agents",
                          str(REPO / "data" / "sample_agents.csv"), "--out", str(out),
                          "--chance", "0.9", "--time-limit", "4", "--replications", "2"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out, run.stdout


def params_for(mode: Mode, *, seed: int = 0) -> PlanParams:
    p = PlanParams(seed=seed)
    return replace(p, service=replace(p.service, mode=mode))


def levels(prices: tuple[Price, ...]) -> list[Price]:
    """The rows on the line (all but a point plan that is an estimate), by chance."""
    return sorted((p for p in prices if not (p.point and p.estimated)), key=lambda p: p.chance)


def test_the_same_seed_gives_the_same_frontier(sample: tuple[Forecast, tuple[Agent, ...]]
                                               ) -> None:
    fc, agents = sample
    a = pipeline.frontier_for(fc, params_for(Mode.DAILY), agents).prices()
    b = pipeline.frontier_for(fc, params_for(Mode.DAILY), agents).prices()
    assert a == b
    assert [p.chance for p in a[1:]] == list(LEVELS) and a[0].point
    # the seed reaches it: another seed draws other weeks
    assert pipeline.frontier_for(fc, params_for(Mode.DAILY, seed=1), agents).prices() != a


@pytest.mark.parametrize("mode", list(Mode))
def test_the_price_never_falls_as_the_chance_rises(
        mode: Mode, sample: tuple[Forecast, tuple[Agent, ...]]) -> None:
    fc, agents = sample
    frontier = pipeline.frontier_for(fc, params_for(mode), agents)
    estimate = frontier.prices()
    hours = [p.agent_hours for p in levels(estimate)]
    assert hours == sorted(hours) and hours[0] < hours[-1]
    assert all(p.estimated for p in estimate)
    # through a plan at any chance: its row is its own, the line still rises
    for chance in (0.3, 0.68, 0.9, 0.995):
        prices = frontier.anchored(agent_hours=500.0, chance=chance)
        rows = levels(prices)
        assert [p.agent_hours for p in rows] == sorted(p.agent_hours for p in rows)
        (own,) = [p for p in prices if not p.estimated]
        assert (own.chance, own.agent_hours) == (chance, 500.0)
        # a level at the plan's chance (the same whole percent) is the plan's row
        assert [p.chance for p in rows if p.estimated] == [
            c for c in LEVELS if round(100 * c) != round(100 * chance)]


def test_summary_json_carries_the_frontier_and_the_cli_prints_it(planned: tuple[Path, str]
                                                                 ) -> None:
    folder, said = planned
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    rows = summary["frontier"]
    assert all(set(r) == {"chance", "agent_hours", "estimated", "point"} for r in rows)
    (own,) = [r for r in rows if not r["estimated"]]
    assert own["agent_hours"] == summary["agent_hours"]
    assert own["chance"] == summary["chance"]["per-hour"]
    assert sum(r["point"] for r in rows) == 1
    line = sorted((r for r in rows if not r["point"]), key=lambda r: r["chance"])
    assert [r["agent_hours"] for r in line] == sorted(r["agent_hours"] for r in line)
    # the table right after the headline, in plain words
    lines = said.splitlines()
    head = next(i for i, t in enumerate(lines) if t.startswith("Plan: "))
    assert lines[head + 1].startswith("Price of each level (95% of busy hours at 80%")
    assert "chance the promise holds" in lines[head + 2] and "agent-hours" in lines[head + 2]
    assert any("(this plan)" in t and f"{own['agent_hours']:,.1f}" in t
               for t in lines[head + 3:head + 3 + len(rows)])


def test_a_plan_folder_without_a_frontier_still_opens(planned: tuple[Path, str],
                                                      tmp_path: Path) -> None:
    folder, _ = planned
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    summary = json.loads((old / "summary.json").read_text(encoding="utf-8"))
    del summary["frontier"]
    (old / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert PlanSummary.from_dict(summary).frontier == ()
    plan = open_plan(old)
    assert plan.summary.frontier == ()
    assert open_plan(folder).summary.frontier  # the new folder keeps it
