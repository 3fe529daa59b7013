"""The price of each level in the app (issue 30, item 3): before Plan, on the Data page where the
chance is picked, an estimate said to be one; after Plan, on Coverage, the plan's own point on
the line with the chosen level marked; a plan without a frontier (an older folder) opens."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scheduler import report
from scheduler.frontier import LEVELS
from tests.ui.conftest import FAST, OpenPage, array, figures, texts

TITLE = "各把握的代价 Price of each level"


def price_chart(at: Any) -> dict[str, Any] | None:
    found = [f for f in figures(at)
             if f["layout"].get("title", {}).get("text", "").startswith(TITLE)]
    assert len(found) <= 1
    return found[0] if found else None


def test_the_data_page_shows_the_estimate_with_the_chance_picked(open_page: OpenPage) -> None:
    at = open_page("data", settings=replace(FAST, chance=0.9))
    fig = price_chart(at)
    assert fig is not None
    assert fig["layout"]["title"]["text"] == f"{TITLE} (estimate 估算)"
    line = fig["data"][0]
    assert array(line["x"]) == [100 * c for c in LEVELS]
    hours = array(line["y"])
    assert hours == sorted(hours) and hours[0] > 0
    assert set(line["marker"]["symbol"]) == {"circle-open"}  # every dot an estimate
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["chosen 所选 90%"]
    assert "estimate 估算" in texts(at) or "排班前的估算" in texts(at)


def test_after_plan_the_plans_own_point_is_on_the_line(open_page: OpenPage,
                                                       sample_plan: report.PlanResult) -> None:
    at = open_page("coverage", plan=sample_plan)
    fig = price_chart(at)
    assert fig is not None
    assert fig["layout"]["title"]["text"] == TITLE  # not all of it an estimate
    own = [p for p in sample_plan.summary.frontier if not p.estimated]
    assert [(p.agent_hours, p.chance) for p in own] == [
        (sample_plan.summary.agent_hours,
         sample_plan.summary.chance[sample_plan.params.service.mode])]
    line = fig["data"][0]
    points = list(zip(array(line["x"]), array(line["y"]), line["marker"]["symbol"],
                      strict=True))
    assert (100 * own[0].chance, own[0].agent_hours, "circle") in points
    assert f"this plan 本方案 {own[0].agent_hours:,.1f} h" in [
        a["text"] for a in fig["layout"]["annotations"]]


def test_a_plan_without_a_frontier_opens_without_the_chart(
        open_page: OpenPage, sample_plan: report.PlanResult) -> None:
    old = replace(sample_plan, summary=replace(sample_plan.summary, frontier=()))
    at = open_page("coverage", plan=old)
    assert price_chart(at) is None
    assert len(figures(at)) == 2  # the heatmaps and the rate chart
