"""The manager reads plain words (issue 31): no solver or statistics word on any page outside
an expander, where each is explained. The pages are walked with a plan, a session log and a
simulated what-if scenario, so that every text those bring is on screen."""

from __future__ import annotations

import re

from scheduler import report
from scheduler.ui import state
from tests.ui.conftest import REPO, OpenPage, outside_expanders

JARGON = re.compile(r"\b(?:FEASIBLE|OPTIMAL|INFEASIBLE|objective|WAPE|Kaplan-Meier|Poisson|"
                    r"quantile|LP|CP-SAT|seed|aggregate model|exponential)\b|backtest\(\)")
"""Words of the solver and of statistics a shop manager should not have to read."""

PAGES = ("data", "forecast", "coverage", "roster", "whatif", "export", "backtest", "book")


def test_no_solver_or_statistics_word_outside_an_expander(
        open_page: OpenPage, sample_plan: report.PlanResult) -> None:
    at = open_page("data", plan=sample_plan)
    log = (REPO / "data" / "sample_sessions.csv").read_bytes()
    at.file_uploader(key=state.W_HISTORY_UPLOAD).set_value(("sessions.csv", log, "text/csv"))
    at.run()
    assert not at.exception and at.session_state[state.SESSIONS] is not None
    at.session_state[state.PLAN] = sample_plan  # the new history made the plan stale, not gone
    seen: dict[str, list[str]] = {}
    for name in PAGES:
        at.switch_page(f"scheduler/ui/pages/{name}.py")
        at.run()
        if name == "whatif":  # a scenario's outcome on the current roster
            at.text_area(key=f"w_wi_{state.SCENARIO_A}_spikes").input("Fri 20:00-23:00 x2.5")
            next(b for b in at.button if b.label.startswith("模拟 Simulate")).click()
            at.run()
            assert at.session_state[state.SCENARIO_A] is not None
        assert not at.exception, (name, [e.value for e in at.exception])
        seen[name] = [t for t in outside_expanders(at) if JARGON.search(t)]
    assert not any(seen.values()), {k: v for k, v in seen.items() if v}
