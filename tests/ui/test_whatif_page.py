"""What-if page: a scenario simulated on the current roster (per-hour chart, red where the
target breaks), an unreadable spike refused inline, A vs B compared, a warm-started re-plan
judged against keeping the current roster (the better one kept, a worse one never offered)."""

from __future__ import annotations

import re

from scheduler.report import PlanResult
from scheduler.ui import state
from scheduler.whatif import ReplanChoice, rank
from tests.ui.conftest import (
    OpenPage,
    array,
    assert_worst_few_then_table,
    figures,
    texts,
)


def _submit(at, slot: str, spikes: str = "", **fields: object) -> None:  # type: ignore[no-untyped-def]
    at.text_area(key=f"w_wi_{slot}_spikes").input(spikes)
    for name, value in fields.items():
        widget = {"extra": at.number_input, "cap": at.number_input, "auto": at.slider,
                  "sick": at.multiselect, "name": at.text_input}[name]
        widget(key=f"w_wi_{slot}_{name}").set_value(value)
    form_buttons = [b for b in at.button if b.label.startswith("模拟 Simulate")]
    form_buttons[0 if slot == state.SCENARIO_A else 1].click()
    at.run()


def test_spike_on_the_current_roster(open_page: OpenPage, sample_plan: PlanResult) -> None:
    at = open_page("whatif", plan=sample_plan)
    assert at.session_state[state.BASELINE] is not None
    _submit(at, state.SCENARIO_A, "Fri 20:00-23:00 x2.5")
    assert not at.error, [e.value for e in at.error]
    out = at.session_state[state.SCENARIO_A]
    base = at.session_state[state.BASELINE]
    assert out.replications == 3
    assert out.forecast.frame["sessions"].sum() > base.forecast.frame["sessions"].sum()
    assert out.hours_below_target >= base.hours_below_target
    (chart,) = figures(at)
    red = [t for t in chart["data"] if t.get("name", "").startswith("below target")]
    assert len(array(red[0]["x"])) == out.hours_below_target
    assert "demand Fri 20:00–23:00 ×2.5 (spike)" in texts(at)


def test_bad_spike_is_refused_inline(open_page: OpenPage, sample_plan: PlanResult) -> None:
    at = open_page("whatif", plan=sample_plan)
    _submit(at, state.SCENARIO_A, "Friday night x2")
    (err,) = [e.value for e in at.error]
    assert "expected a spike like 'Fri 20:00-23:00 x2.5'" in err and "Friday night x2" in err
    assert state.SCENARIO_A not in at.session_state


def test_compare_and_replan(open_page: OpenPage, sample_plan: PlanResult) -> None:
    at = open_page("whatif", plan=sample_plan, timeout=120)
    _submit(at, state.SCENARIO_A, "", sick=["A01"])
    _submit(at, state.SCENARIO_B, "", extra=2)
    table = at.dataframe[0].value
    assert list(table.columns)[1:3] == ["情景 A Scenario A", "情景 B Scenario B"]
    rows = table.set_index("metric 指标")
    hours = rows.loc["agent-hours 工时"]
    a01 = sum(s.paid_hours for s in sample_plan.roster.roster.for_agent("A01"))
    total = sum(s.paid_hours for s in sample_plan.roster.roster.shifts)
    # every figure in the manager's units: hours, whole sessions, percentages and points
    assert hours["情景 A Scenario A"] == f"{total - a01:,.1f} h"
    assert float(hours["情景 B Scenario B"].removesuffix(" h").replace(",", "")) > total
    assert hours["difference 差异"].startswith("+") and hours["difference 差异"].endswith(" h")
    rate = rows.loc["3-minute rate, all day 全天3分钟回复率"]
    assert re.fullmatch(r"\d{1,3}\.\d%", rate["情景 A Scenario A"])
    assert re.fullmatch(r"[+-]\d+\.\d pts", rate["difference 差异"])
    assert re.fullmatch(r"[\d,]+", rows.loc["expected sessions 预计会话", "情景 A Scenario A"])
    assert "unit" not in table.columns
    at.button(key="w_wi_replan").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    choice = at.session_state[state.REPLAN]
    assert choice.replanned.roster.shifts
    assert "A01" not in {s.agent_id for s in choice.replanned.roster.shifts}  # A off all week
    # A01's shifts are gone from the current roster; the re-plan fills them and is kept
    assert rank(choice.replanned) < rank(choice.current) and choice.kept is choice.replanned
    assert choice.reason.startswith("Kept the re-plan") and choice.reason in texts(at)
    at.button(key="w_wi_adopt").click().run()
    assert at.session_state[state.PLAN].roster.roster.shifts == choice.kept.roster.shifts


def test_replan_of_a_spike_keeps_the_better_roster(open_page: OpenPage,
                                                   sample_plan: PlanResult) -> None:
    # the case: re-planning Friday 20:00-23:00 x2.5 gave a lower week rate for more
    # paid hours, and Adopt made it the plan
    at = open_page("whatif", plan=sample_plan, timeout=120)
    _submit(at, state.SCENARIO_A, "Fri 20:00-23:00 x2.5")
    shown = at.session_state[state.SCENARIO_A]  # the spike on the current roster, as shown
    at.button(key="w_wi_replan").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    choice = at.session_state[state.REPLAN]
    assert rank(choice.current) == rank(shown)
    # the raw re-plan gives up the spike hours: the same hours below target, a lower week rate
    assert rank(choice.replanned) > rank(shown)
    assert choice.kept is choice.current
    assert choice.reason.startswith("Kept the current roster") and choice.reason in texts(at)
    assert not [b for b in at.button if b.key == "w_wi_adopt"]
    assert "Nothing to adopt: the current plan stays" in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["kept 保留: 3-min rate, all day 全天"] == \
        f"{shown.three_min_rate:.1%}"


def test_the_replans_diagnosis_is_its_worst_few_then_a_table(open_page: OpenPage,
                                                             sample_plan: PlanResult) -> None:
    at = open_page("whatif", plan=sample_plan)
    base = at.session_state[state.BASELINE]
    # the current roster stands for a scenario and the sample's own plan for its re-plan:
    # its diagnosis is long (4 s of search)
    at.session_state[state.SCENARIO_A] = base
    at.session_state[state.REPLAN] = ReplanChoice(plan=sample_plan, current=base,
                                                  replanned=base)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert_worst_few_then_table(at, sample_plan)
