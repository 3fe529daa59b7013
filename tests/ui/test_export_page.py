"""Export page: the five downloads and the previews of the wide schedule and text summary."""

from __future__ import annotations

from scheduler.report import PlanResult
from scheduler.ui.tables import DAY_HEADERS
from tests.ui.conftest import OpenPage


def test_downloads_and_previews(open_page: OpenPage, sample_plan: PlanResult) -> None:
    at = open_page("export", plan=sample_plan)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["roster.csv", "排班表 schedule.csv", "coverage.csv",
                      "每人排班 per-agent.txt", "summary.json"]
    wide = at.dataframe[0].value
    assert list(wide.columns) == ["客服 agent", "姓名 name", *DAY_HEADERS, "工时 hours"]
    assert len(wide) == len(sample_plan.agents)
    first = sample_plan.roster.roster.shifts[0]
    assert any(f"{first.start:%H:%M}–" in str(c) and f"({first.max_concurrent})" in str(c)
               for c in wide.iloc[:, 2:9].to_numpy().ravel())
    summary = at.code[0].value
    assert summary.startswith("排班 Roster, week of 2026-11-23")
    first_agent = sample_plan.agents[0]
    assert f"{first_agent.agent_id} {first_agent.name}:" in summary
