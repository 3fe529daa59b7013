"""Coverage page: the Plan button runs the pipeline with live progress, then the page shows
the headline, the platform badges, the day x hour heatmaps and the rate chart."""

from __future__ import annotations

from scheduler.report import PlanResult, chance_lever, promise_lines
from scheduler.roster import Progress
from scheduler.ui import state
from scheduler.ui.planning import progress_line
from tests.ui.conftest import (
    OpenPage,
    array,
    assert_worst_few_then_table,
    figures,
    texts,
)


def test_no_plan_yet(open_page: OpenPage) -> None:
    at = open_page("coverage")
    assert "No plan yet" in texts(at)
    assert not figures(at)


def test_progress_line_in_hours() -> None:
    line = progress_line(Progress("search", 434.0, 0, 363.0, 12.0))
    assert "434.0" in line and "363.0 h" in line and line.endswith(" · 12.0 s")
    assert "None" not in progress_line(Progress("start", 404.5, 70, None, 1.0))


def test_plan_button_plans_and_shows_the_heatmap(open_page: OpenPage) -> None:
    at = open_page("coverage", timeout=120)
    at.button(key=state.W_PLAN_BUTTON).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    plan = at.session_state[state.PLAN]
    assert plan is not None and plan.roster.roster.shifts
    assert at.session_state[state.PLAN_PROGRESS]  # the solver reported progress
    labels = [m.label for m in at.metric]
    assert {"agent-hours 工时", "above the fewest possible 高于最少可能",
            "3-min rate, all day 全天", "half-hours short 不足时段"} <= set(labels)
    assert "hours at risk 风险小时" not in labels  # the promise box's figure is the one
    # the solver's words only in the expander
    assert not any(w in " ".join(labels) for w in ("status", "bound", "FEASIBLE"))
    heat, rate = figures(at)[:2]  # then the price of each level (test_price_of_each_level)
    maps = [t for t in heat["data"] if t["type"] == "heatmap"]
    assert [t["name"] for t in maps] == ["needed with margin", "scheduled", "gap"]
    for t in maps:
        z = array(t["z"])
        assert len(z) == 7 and all(len(row) == 24 for row in z)
    assert "sessions 会话" in maps[2]["hovertemplate"]
    assert "cap 接待上限" in maps[2]["hovertemplate"]
    gap = array(maps[2]["z"])
    assert min(min(r) for r in gap) == plan.coverage.assign(
        g=plan.coverage.scheduled_agents - plan.coverage.needed_with_margin)["g"].min()
    assert len(array(rate["data"][0]["y"])) == 168
    shown = texts(at)
    assert "回复率 reply rate" in shown and "3分钟回复率 3-minute rate" in shown
    assert "(00:00–24:00)" in shown  # Xiaohongshu's reply-rate window
    assert "inputs changed" not in shown
    # the chance of each promise, next to today's figures, in the manager's words
    chance = plan.summary.chance
    assert chance["scenarios"] == 1_000 and 0 <= chance[plan.params.service.mode] <= 1
    assert "守住承诺的机会 The chance this team keeps its promise" in shown
    for line in promise_lines(chance, plan.params.service.target, plan.params.service.mode):
        assert line in shown


def test_the_app_opens_on_the_plan_demo_just_made(open_page: OpenPage, sample_plan,  # type: ignore[no-untyped-def]
                                                  tmp_path, monkeypatch) -> None:
    from dataclasses import replace

    from scheduler.replan import save_plan
    from scheduler.ui import state
    from tests.ui.conftest import FAST

    save_plan(sample_plan, tmp_path)
    monkeypatch.setenv("SCHEDULER_PLAN_DIR", str(tmp_path))
    monkeypatch.setenv("SCHEDULER_DB", f"sqlite:///{tmp_path / 'book.sqlite'}")
    # settings the Data page's widgets hold as they are (its time-limit box starts at 5 s)
    at = open_page("coverage", settings=replace(FAST, time_limit_seconds=5.0))
    assert at.session_state[state.PLAN] is not None
    assert at.session_state[state.PLAN].summary == sample_plan.summary
    shown = texts(at)
    assert "not yet" not in shown and "inputs changed" not in shown
    assert f"{sample_plan.summary.agent_hours:,.1f} agent-hours" in shown
    # every page that reads the plan works on the plan re-derived from the folder
    for name in ("roster", "whatif", "export", "book"):
        at.switch_page(f"scheduler/ui/pages/{name}.py")
        at.run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert not at.error, (name, [e.value for e in at.error])


def test_an_older_plan_folder_is_one_line_on_the_page(open_page: OpenPage, tmp_path,  # type: ignore[no-untyped-def]
                                                      monkeypatch) -> None:
    import pickle
    from pathlib import Path

    (tmp_path / "plan.pickle").write_bytes(pickle.dumps((Path.touch, ())))
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("SCHEDULER_PLAN_DIR", str(tmp_path))
    at = open_page("coverage")
    assert state.PLAN not in at.session_state
    assert [e.value for e in at.error] == [
        f"Cannot open the plan 无法打开排班: {tmp_path}: made by an older version (or not a plan "
        "folder): run plan again"]


def test_the_headline_says_what_would_raise_the_chance_and_the_diagnosis_is_its_worst_few(
        open_page: OpenPage, sample_plan: PlanResult) -> None:
    at = open_page("coverage", plan=sample_plan)
    lever = chance_lever(sample_plan.summary)
    assert lever is not None and lever in texts(at)
    assert_worst_few_then_table(at, sample_plan)
