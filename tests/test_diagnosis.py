"""The headline says what would raise the chance, and the diagnosis on screen is its worst few
with the rest in diagnosis.csv (issue 30 item 4)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.report import (
    DIAGNOSIS_COLUMNS,
    DIAGNOSIS_SHOWN,
    PlanSummary,
    chance_lever,
    diagnosis_frame,
)
from scheduler.roster import Finding, RuleCost
from tests.roster.factory import make_requirements, simple_rules, window_need
from tests.roster.helpers import plan

CHANCE = {"per-hour": 0.8, "daily": 0.8, "weekly": 1.0, "per_hour_share": 0.95,
          "scenarios": 1000, "expected_hours_below_target": 4.5, "hours_below_range": [0, 13],
          "busy_hours": 135}


def _summary(**changes: object) -> PlanSummary:
    base = PlanSummary(
        status="FEASIBLE", agent_hours=588.0, bound_hours=None, gap=None, gap_note="",
        short_intervals=0, below_margin_intervals=87, cap_mix={"cap 5": 588.0}, rule_costs=(),
        objective_points=1, solve_seconds=25.0, schedule_efficiency=0.8,
        predicted_three_min_rate=0.99, predicted_three_min_rate_ci=(0.98, 0.99),
        predicted_reply_rate=0.99, model_three_min_rate=0.99, hours_below_target=0,
        hours_judged=135,
        forecast_sessions=6000.0, diagnosis=(), soft_violations=(),
        parameters={"mode": "per-hour"}, chance=dict(CHANCE))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_worst_windows_come_first_and_a_note_on_the_week_concerns_them_all() -> None:
    # nobody to plan: Mon 02:00-04:00 misses 2 agent-hours, Mon 09:00-17:00 misses 8
    req = make_requirements(window_need(1, [(2, 4, 1.0), (9, 17, 1.0)]))
    result = plan(req, [], simple_rules(cyclic=False))
    found = result.diagnosis
    where = [f for f in found if f.kind == "where"]
    assert [f.text[:15] for f in where] == ["Mon 09:00–17:00", "Mon 02:00–04:00"]
    assert [(f.start, f.end, f.agents_below, f.agent_hours_below) for f in where] == [
        (datetime(2026, 11, 30, 9), datetime(2026, 11, 30, 17), 1, 8.0),
        (datetime(2026, 11, 30, 2), datetime(2026, 11, 30, 4), 1, 2.0)]
    week = [f for f in found if f.kind != "where"]
    assert week and all(f.start is None and f.agent_hours_below == 10.0 for f in week)
    assert found[0].kind == "fix" and found[0].text.startswith("Cheapest fix")
    hours = [f.agent_hours_below for f in found]
    assert hours == sorted(hours, reverse=True)


def test_the_lever_is_the_rule_whose_relaxation_left_the_most_fewer_below_the_margin() -> None:
    costs = (RuleCost("shapes", "shifts of 4/6/8/10 h", 1.0, 80, 81),
             RuleCost("break", "a 30-minute meal break", 0.0, 78, 81),
             RuleCost("rest", "rest between shifts >= 11 h", 2.0, 81, 81),
             RuleCost("days", "an older summary's rule", 9.0, 10, None))
    s = _summary(rule_costs=costs)
    assert chance_lever(s) == (
        'What would raise the chance: relaxing "a 30-minute meal break": a re-plan without it '
        "left 3 fewer half-hours below the margin (78 against 81 with it).")
    # no rule helps: the diagnosis's cheapest fix, as it was checked
    fix = Finding("Cheapest fix: add 1 agent available Mon 09:00–17:00 (cap 3) — closes the gap "
                  "(checked by counting agents per half-hour: about 40 agent-hours).", "fix")
    s = _summary(rule_costs=costs[2:], diagnosis=(Finding("Mon 09:00–17:00: …"), fix))
    assert chance_lever(s) == ("What would raise the chance: the diagnosis's cheapest fix: add 1 "
                               "agent available Mon 09:00–17:00 (cap 3) — closes the gap (checked "
                               "by counting agents per half-hour: about 40 agent-hours).")
    lever = chance_lever(_summary(rule_costs=costs[2:]))
    assert lever is not None and "the 87 half-hours below the margin" in lever
    lever = chance_lever(_summary(below_margin_intervals=0))
    assert lever is not None and "every half-hour has the margin it was planned for" in lever
    assert not re.search(r"\d", lever)  # no figure it did not compute
    # nothing to raise, or no chance to raise
    assert chance_lever(_summary(chance={**CHANCE, "per-hour": 1.0})) is None
    assert chance_lever(_summary(chance={})) is None


def test_the_diagnosis_and_the_rule_costs_round_trip_and_an_older_summary_reads() -> None:
    found = (Finding("why", "why", agent_hours_below=3.5, sized_sessions=120.25),
             Finding("Mon 09:00–10:00: 2 agents …", "where", datetime(2026, 11, 30, 9),
                     datetime(2026, 11, 30, 10), 2, 2.0, 80.5))
    s = _summary(diagnosis=found, rule_costs=(RuleCost("break", "a break", 0.0, 78, 81),))
    written = json.loads(json.dumps(s.as_dict()))
    assert written["diagnosis"][1]["start"] == "2026-11-30 09:00"
    assert PlanSummary.from_dict(written) == s
    older = {**written, "diagnosis": ["why", "Mon 09:00–10:00: 2 agents …"],
             "rule_costs": [{k: v for k, v in c.items() if k != "short_intervals_with"}
                            for c in written["rule_costs"]]}
    again = PlanSummary.from_dict(older)
    assert [f.text for f in again.diagnosis] == ["why", "Mon 09:00–10:00: 2 agents …"]
    assert again.rule_costs[0].short_intervals_with is None
    table = diagnosis_frame(found)
    assert list(table.columns) == list(DIAGNOSIS_COLUMNS)
    assert table.iloc[1].tolist() == [2, "where", "2026-11-30 09:00", "2026-11-30 10:00", 2, 2.0,
                                      80.5, "Mon 09:00–10:00: 2 agents …"]


def test_the_cli_prints_the_worst_few_and_writes_the_rest_to_diagnosis_csv(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    assert main(["plan", "--history", str(repo / "data" / "sample_history.csv"), "--agents",
                 str(repo / "data" / "sample_agents.csv"), "--time-limit", "4",
                 "--replications", "1", "--out", str(out)]) == 0
    said = capsys.readouterr().out.splitlines()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    texts = [d["text"] for d in summary["diagnosis"]]
    assert len(texts) > DIAGNOSIS_SHOWN  # the sample at 4 s leaves many windows below it
    shown = [line.removeprefix("note: ") for line in said if line.removeprefix("note: ") in texts]
    assert shown == texts[:DIAGNOSIS_SHOWN]
    assert f"... and {len(texts) - DIAGNOSIS_SHOWN} more in {out / 'diagnosis.csv'}" in said
    raw = (out / "diagnosis.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "diagnosis.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(table.columns) == list(DIAGNOSIS_COLUMNS)
    notes = table["说明 note"].tolist()
    assert notes == texts  # every sentence: the few printed, then the rest
    assert table["排序 rank"].tolist() == list(range(1, len(texts) + 1))
    hours = table["低于余量工时 agent-hours below margin"].tolist()
    assert hours == sorted(hours, reverse=True)  # worst first, by agent-hours below the margin
    # the headline says what would raise the chance, with summary.json's own figures
    (lever,) = [line for line in said if line.startswith("What would raise the chance: ")]
    assert lever == chance_lever(PlanSummary.from_dict(summary))
    got = re.search(r'relaxing "(.+)": a re-plan without it left (\d+) fewer half-hours? below '
                    r"the margin \((\d+) against (\d+) with it\)", lever)
    if got:
        (cost,) = [c for c in summary["rule_costs"] if c["statement"] == got[1]]
        assert (int(got[3]), int(got[4])) == (cost["short_intervals_without"],
                                              cost["short_intervals_with"])
        assert int(got[2]) == cost["short_intervals_with"] - cost["short_intervals_without"]
    else:
        assert f"the {summary['below_margin_intervals']} half-hours below the margin" in lever
