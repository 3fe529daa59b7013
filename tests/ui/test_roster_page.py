"""Roster page: the Gantt chart (caps as colour and label, breaks in grey), the per-agent
table, the rules and what each costs."""

from __future__ import annotations

from scheduler.report import PlanResult
from tests.ui.conftest import OpenPage, figures, texts


def test_gantt_and_table(open_page: OpenPage, sample_plan: PlanResult) -> None:
    at = open_page("roster", plan=sample_plan)
    (gantt,) = figures(at)
    shifts = sample_plan.roster.roster.shifts
    bars = [t for t in gantt["data"] if t["type"] == "bar"]
    caps = {s.max_concurrent for s in shifts}
    assert {t["name"] for t in bars if "接待上限" in t["name"]} == {
        f"接待上限 cap {c}" for c in caps}
    breaks = [t for t in bars if t["name"] == "break 用餐"]
    n_breaks = sum(1 for s in shifts if s.break_start is not None)
    assert (len(breaks[0]["y"]) if breaks else 0) == n_breaks
    table = at.dataframe[0].value
    assert len(table) == len(sample_plan.agents)
    assert table["班次 shifts"].sum() == len(shifts)
    assert abs(table["工时 hours"].sum() - sum(s.paid_hours for s in shifts)) < 0.5
    assert "inputs changed" in at.warning[0].value  # the injected plan has no fingerprint
    shown = texts(at)
    assert all(r in shown for r in sample_plan.roster.rules)
    costs = sample_plan.summary.rule_costs
    assert costs  # a plan (not a what-if re-plan) says what its rules cost
    cost_table = at.dataframe[1].value
    assert set(cost_table.iloc[:, 0]) == {c.statement for c in costs}
    assert sorted(cost_table.iloc[:, 1]) == sorted(c.hours for c in costs)

