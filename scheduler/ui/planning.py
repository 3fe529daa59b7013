"""The Plan button: run the pipeline with live solver progress, then store the result.

The solver reports from its own threads, where Streamlit elements cannot be updated, so the
plan runs in a worker thread that only appends to a queue; the script thread drains the queue a
few times a second and updates a status box and a progress bar (agent-hours, half-hours below
the margin, bound in hours, time).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from scheduler import pipeline, report
from scheduler.errors import SchedulerError
from scheduler.roster import Progress, ProgressFn
from scheduler.ui import state
from scheduler.ui.cached import forecast_with_overrides

STAGES = {"start": "start 初始方案", "search": "search 改进", "done": "done 完成"}


@dataclass
class _Job:
    """A plan running in a worker thread."""

    events: queue.Queue[Progress | str] = field(default_factory=queue.Queue)
    result: Any = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


def progress_line(p: Progress) -> str:
    """``search 改进 · agent-hours 工时 434.0 · below margin 低于余量 0 · bound 下界 363.0 h ·
    12.0 s`` (half-hours below the staffing with margin the search aims at)."""
    bound = "—" if p.bound_hours is None else f"{p.bound_hours:,.1f} h"
    return " · ".join([STAGES.get(p.stage, p.stage), f"agent-hours 工时 {p.agent_hours:,.1f}",
                       f"below margin 低于余量 {p.short_intervals}", f"bound 下界 {bound}",
                       f"{p.seconds:.1f} s"])


def run_with_progress(work: Callable[[ProgressFn], Any], *,
                      time_limit_seconds: float, label: str) -> tuple[Any, list[str]]:
    """Run ``work(progress)`` in a worker thread, showing its progress live. Returns (result,
    progress lines); raises what ``work`` raised."""
    job = _Job()

    def target() -> None:
        try:
            job.result = work(job.events.put)
        except BaseException as exc:  # re-raised in the script thread
            job.error = exc
        finally:
            job.done.set()

    lines: list[str] = []
    t0 = time.perf_counter()
    with st.status(label, expanded=True) as box:
        bar = st.progress(0.0, text="starting 启动…")
        latest = st.empty()
        worker = threading.Thread(target=target, name="plan", daemon=True)
        worker.start()
        while not job.done.wait(0.4):
            _drain(job, lines, latest)
            elapsed = time.perf_counter() - t0
            share = min(0.99, elapsed / max(time_limit_seconds * 1.15, 1.0))
            bar.progress(share, text=f"{elapsed:.0f} s / ~{time_limit_seconds:.0f} s")
        _drain(job, lines, latest)
        bar.progress(1.0, text=f"done 完成 in {time.perf_counter() - t0:.1f} s")
        if job.error is not None:
            box.update(label="plan failed 排班失败", state="error", expanded=True)
            raise job.error
        box.update(label=f"{label} — done 完成 ({time.perf_counter() - t0:.1f} s)",
                   state="complete", expanded=False)
    return job.result, lines


def _drain(job: _Job, lines: list[str], slot: Any) -> None:
    got = False
    while True:
        try:
            p = job.events.get_nowait()
        except queue.Empty:
            break
        lines.append(p if isinstance(p, str) else progress_line(p))
        got = True
    if got:
        slot.markdown("  \n".join(f"`{line}`" for line in lines[-6:]))


HOW_FOUND = "How the plan was found 求解细节"
"""The title of the expander that holds the solver's own words (status, bound, objective)."""
HOW_FOUND_PLAIN = (
    "The planner tries rosters until its time limit and keeps the best one it found; the "
    "\"bound\" is the fewest agent-hours any roster could need under these rules, so the gap "
    "says how much better a longer search could still do. 排班程序在时限内搜索并保留最好的方案。")
"""One plain sentence above those words."""

PLAN_PAGES = {
    "coverage": ("查看排班 See the plan: coverage 覆盖 →", ":material/grid_on:"),
    "roster": ("每人班次 Shifts per agent →", ":material/view_timeline:"),
}
"""The plan's pages (their names in app.py) with the label and icon of a link to each."""


def plan_panel(*, here: str) -> None:
    """The Plan button and, once there is a plan, its headline and links to the plan's pages
    other than ``here`` (this page's name in app.py), so the result shows where Plan was
    pressed."""
    s = state.settings()
    cols = st.columns([1, 3])
    clicked = cols[0].button("▶ 排班 Plan the week", type="primary", key=state.W_PLAN_BUTTON,
                             width="stretch")
    cols[1].caption(
        f"{len(state.agents())} agents · target 目标 {s.target:.0%} ({s.mode}) · time limit "
        f"{s.time_limit_seconds:.0f} s · {s.replications} simulation runs. "
        + ("Change them below 在下方修改." if here == "data" else
           "Change them on the Data page 在数据页修改."))
    if clicked:
        _plan_now()
    err = state.error(state.ERR_PLAN)
    if err:
        st.error(err)
    plan = state.plan()
    if plan is None:
        return
    if state.plan_is_stale():
        st.warning("输入已改变 The inputs changed since this plan: press Plan to update it.")
    plan_headline(plan)
    with st.container(horizontal=True):
        for name, (label, icon) in PLAN_PAGES.items():
            if name != here:
                st.page_link(f"scheduler/ui/pages/{name}.py", label=label, icon=icon)


def _plan_now() -> None:
    s = state.settings()
    fp = state.fingerprint()
    try:
        params = s.params()
        fc = forecast_with_overrides(state.history_key(), state.history(),
                                     pipeline.next_monday(state.history().end),
                                     state.overrides())
    except (SchedulerError, ValueError) as exc:
        state.set_error(state.ERR_PLAN, f"Cannot plan 无法排班: {exc}")
        return
    history, agents, log = state.history(), state.agents(), state.sessions()

    def work(progress: ProgressFn) -> report.PlanResult:
        return pipeline.run(history, agents, params=params, forecast=fc, progress=progress,
                            sessions=log)

    try:
        result, lines = run_with_progress(work, time_limit_seconds=s.time_limit_seconds,
                                          label="排班中 Planning the week…")
    except SchedulerError as exc:
        state.set_error(state.ERR_PLAN, f"Cannot plan 无法排班: {exc}")
        return
    except Exception as exc:  # a bug: one line for the manager, no traceback
        state.set_error(state.ERR_PLAN,
                        f"The planner failed unexpectedly ({type(exc).__name__}: {exc}).")
        return
    state.clear_error(state.ERR_PLAN)
    state.set_plan(result, fp)
    state.set_plan_progress(lines)
    st.rerun()  # redraw every part of the page (and the sidebar) from the new plan


def plan_headline(plan: report.PlanResult) -> None:
    """The plan in the manager's words: agent-hours, how far above the fewest possible hours,
    expected service, half-hours short (the team cannot meet the need at the forecast itself),
    then the chance the team keeps its promise with the busy hours expected below target (one
    figure for them: the scenario weeks') and what would raise it; the solver's details in an
    expander."""
    sm = plan.summary
    c = st.columns(4)
    c[0].metric("agent-hours 工时", f"{sm.agent_hours:,.1f} h",
                help=f"paid hours of the week's shifts; schedule efficiency "
                     f"{sm.schedule_efficiency:.0%}")
    if sm.gap is None or sm.bound_hours is None:
        c[1].metric("above the fewest possible 高于最少可能", "—", help=sm.gap_note)
    else:
        c[1].metric("above the fewest possible 高于最少可能",
                    f"{sm.agent_hours - sm.bound_hours:,.1f} h",
                    help=f"no roster that keeps every half-hour at its margin can need fewer than "
                         f"{sm.bound_hours:,.1f} h under these rules: this plan is at most "
                         f"{sm.gap:.1%} above the best possible")
    lo, hi = sm.predicted_three_min_rate_ci
    c[2].metric(f"3-min rate, {report.ALL_DAY}",
                f"{sm.predicted_three_min_rate:.1%}",
                help=f"simulated on the forecast, {plan.params.replications} runs; 95% CI "
                     f"{lo:.1%}–{hi:.1%}")
    c[3].metric("half-hours short 不足时段", f"{sm.short_intervals}",
                help="half-hours whose team cannot meet the need at the forecast itself; "
                     f"{sm.below_margin_intervals} are below "
                     f"{pipeline.margin_of(sm.parameters)} (a thinner margin: a lower chance "
                     "below; see the diagnosis)")
    with st.expander(HOW_FOUND):
        st.caption(HOW_FOUND_PLAIN)
        bound = "—" if sm.bound_hours is None else f"{sm.bound_hours:,.1f} h"
        gap = "—" if sm.gap is None else f"{sm.gap:.1%}"
        st.markdown(f"status `{sm.status}` · bound {bound} · gap {gap} · "
                    f"{sm.solve_seconds:.1f} s · objective {sm.objective_points:,} points · "
                    f"simulated on the forecast's own counts: {sm.hours_below_target} of "
                    f"{sm.hours_judged} busy hours below the target "
                    f"({plan.params.replications} runs)")
    promise = report.promise_lines(sm.chance, plan.params.service.target,
                                   plan.params.service.mode)
    if promise:
        with st.container(border=True):
            st.markdown("**守住承诺的机会 The chance this team keeps its promise**")
            for line in promise:
                st.markdown(line)
            lever = report.chance_lever(sm)
            if lever:
                st.markdown(lever)
