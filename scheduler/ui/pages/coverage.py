"""Coverage 覆盖 (the centre): plan the week, then see where agents are thin, hour by hour,
the predicted 3-minute rate against the target, and the week against the platform's rules."""

from __future__ import annotations

import math

import streamlit as st

from scheduler import pipeline, plotting, report
from scheduler.ui import state
from scheduler.ui.common import diagnosis_list, page
from scheduler.ui.planning import HOW_FOUND, HOW_FOUND_PLAIN, plan_panel
from scheduler.whatif import platform_checks

page("覆盖 Coverage", "需要多少客服、排了多少、缺口在哪 · Agents needed with margin vs scheduled "
     "per hour, the gap, and the predicted reply rates.")
plan_panel(here="coverage")
plan = state.plan()
if plan is None:
    st.info("还没有排班 No plan yet: press **▶ 排班 Plan the week** above 请点击上方按钮 (time "
            f"limit {state.settings().time_limit_seconds:.0f} s, a few seconds more for the "
            "staffing table and the simulated check).")
    st.stop()

s = state.settings()
profile = s.platform
target = plan.params.service.target
checks = platform_checks(plan.simulation, profile, target)
for c in checks:
    mark = "通过 pass" if c.passed else "未通过 FAIL"
    kind = "" if c.official else " · your target 自定目标"
    value = "—" if math.isnan(c.value) else f"{c.value:.1%}"
    st.badge(f"{mark}: {c.name} {value} vs {c.threshold:.0%} ({c.window}{kind})",
             color="green" if c.passed else "red",
             icon=":material/check_circle:" if c.passed else ":material/error:")
st.caption(f"平台 Platform: {profile.name} · judged {profile.period}. Simulated "
           f"{plan.params.replications} times on the forecast.")
diagnosis = plan.summary.diagnosis
if plan.summary.short_intervals or diagnosis:
    sm = plan.summary
    with st.container(border=True):
        why = ("为什么人手不足 Why short" if sm.short_intervals
               else "为什么低于余量 Why below the margin")
        st.markdown(f"**{why}** — {sm.short_intervals} half-hours short "
                    "(the team cannot meet the need at the forecast itself); "
                    f"{sm.below_margin_intervals} below {pipeline.margin_of(sm.parameters)}")
        diagnosis_list(diagnosis)

hourly = plotting.hourly_coverage(plan.coverage, plan.simulation.hourly_three_min_rate)
st.subheader("每小时缺口 Agents per hour: needed with margin, scheduled, gap")
st.plotly_chart(plotting.coverage_heatmaps(hourly, target=target), width="stretch",
                key="coverage_heatmap")
st.subheader("3分钟回复率 3-minute rate per hour")
st.plotly_chart(plotting.rate_figure(plan.simulation.hourly_frame(), target=target),
                width="stretch", key="rate_chart")
if plan.summary.frontier:
    st.subheader("各把握的代价 Price of each level")
    st.caption("The agent-hours a plan costs at each chance the promise holds: this plan's own "
               "point, the others estimated through it from the forecast's model (hollow dots; "
               "no roster was planned at them). 空心点为估算。")
    st.plotly_chart(plotting.price_figure(plan.summary.frontier,
                                          chosen=plan.params.service.level,
                                          promise=report.promise_text(plan.params.service)),
                    width="stretch", key="price_chart")

with st.expander(HOW_FOUND):
    st.caption(HOW_FOUND_PLAIN)
    sm = plan.summary
    bound = "—" if sm.bound_hours is None else f"{sm.bound_hours:,.1f} h"
    gap = sm.gap_note if sm.gap is None else f"{sm.gap:.1%}"
    st.write(f"agent-hours {sm.agent_hours:,.1f} h · bound {bound} · gap {gap} · "
             f"{sm.solve_seconds:.1f} s")
    if sm.cap_mix:
        st.caption("agent-hours per cap 各接待上限工时: " + ", ".join(
            f"{cap} {hours:,.1f} h" for cap, hours in sm.cap_mix.items()))
    for line in state.plan_progress()[-12:]:
        st.text(line)
    for m in (*plan.roster.messages, *plan.notes):
        st.caption(m)
