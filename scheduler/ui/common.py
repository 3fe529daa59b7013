"""What every page starts with: state defaults, the title, and a sidebar with the working data
and the plan's status."""

from __future__ import annotations

import math
from collections.abc import Sequence

import streamlit as st

from scheduler.report import ALL_DAY, DIAGNOSIS_SHOWN, diagnosis_frame
from scheduler.roster import Finding
from scheduler.ui import state


def page(title: str, intro: str = "", *, sidebar: bool = True) -> None:
    """Initialise state, write the page title and (unless the page changes the inputs and
    draws it last, with :func:`sidebar_status`) the sidebar status."""
    state.init()
    st.title(title)
    if intro:
        st.caption(intro)
    if sidebar:
        sidebar_status()


def sidebar_status() -> None:
    """The working data, rules and plan, in the sidebar."""
    with st.sidebar:
        h = state.history()
        st.caption(f"**历史 History**: {state.history_source()} · {h.hours:,} h, "
                   f"{h.start:%Y-%m-%d} → {h.end:%Y-%m-%d}")
        st.caption(f"**客服 Agents**: {state.agents_source()} · {len(state.agents())} agents")
        s = state.settings()
        st.caption(f"**规则 Rules**: {s.platform.name} · target {s.target:.0%} ({s.mode})")
        plan = state.plan()
        if plan is None:
            st.caption("**排班 Plan**: not yet 尚未排班")
        else:
            stale = " (inputs changed 输入已变)" if state.plan_is_stale() else ""
            sm = plan.summary
            short = (f", {sm.short_intervals} half-hours short 不足时段" if sm.short_intervals
                     else "")
            st.caption(f"**排班 Plan**: {sm.agent_hours:,.1f} agent-hours 工时, "
                       f"{len(plan.roster.roster.shifts)} shifts{short}, 3-min "
                       f"{ALL_DAY} {sm.predicted_three_min_rate:.1%}{stale}")


def diagnosis_list(findings: Sequence[Finding]) -> None:
    """The diagnosis's worst ``DIAGNOSIS_SHOWN`` sentences, then the rest as a table (the rows
    of ``diagnosis.csv`` after them) in an expander."""
    for f in findings[:DIAGNOSIS_SHOWN]:
        st.markdown(f"- {f.text}")
    rest = len(findings) - DIAGNOSIS_SHOWN
    if rest > 0:
        with st.expander(f"{rest} more 更多"):
            st.dataframe(diagnosis_frame(findings).iloc[DIAGNOSIS_SHOWN:], hide_index=True,
                         width="stretch")


def need_plan(*, button_here: bool = False) -> bool:
    """Show how to get a plan when there is none (``button_here``: this page draws the Plan
    button above); True when there is one."""
    if state.plan() is not None:
        return True
    if button_here:
        st.info("还没有排班 No plan yet: press **▶ 排班 Plan the week** above 请点击上方按钮.")
    else:
        st.info("还没有排班 No plan yet: press **▶ 排班 Plan the week** on the Data page "
                "请在数据页排班.")
        st.page_link("scheduler/ui/pages/data.py", label="→ 数据 Data",
                     icon=":material/upload_file:")
    return False


def duration_words(seconds: float) -> str:
    """A wait in the manager's units: ``50 s`` and ``1 min 40 s`` (up to the next 10 s) under
    ten minutes, ``25 min`` under an hour, else ``1 h 05 min``."""
    if seconds < 600:
        tens = math.ceil(seconds / 10) * 10
        return f"{tens} s" if tens < 60 else f"{tens // 60} min" + (
            f" {tens % 60} s" if tens % 60 else "")
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
