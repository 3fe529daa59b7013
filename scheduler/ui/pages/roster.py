"""Roster 排班表: who works when, at which reception cap, with breaks; hours per agent."""

from __future__ import annotations

import streamlit as st

from scheduler import plotting
from scheduler.domain import BREAK_ZH
from scheduler.ui import state
from scheduler.ui.common import need_plan, page
from scheduler.ui.planning import plan_panel
from scheduler.ui.tables import agent_table, rule_cost_table

page("排班表 Roster", "每位客服的班次、接待上限和用餐时间 · Shifts per agent; the number on "
     f"a bar is the reception cap 接待上限; grey = meal break {BREAK_ZH}.")
plan_panel(here="roster")
if not need_plan(button_here=True):
    st.stop()
plan = state.plan()
assert plan is not None
roster = plan.roster.roster
st.plotly_chart(plotting.roster_gantt(roster, plan.agents), width="stretch",
                key="roster_gantt")
st.subheader("每人工时 Per agent")
table = agent_table(roster, plan.agents)
st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3)
with st.expander("规则 Rules this roster respects"):
    for r in plan.roster.rules:
        st.markdown(f"- {r}")
    for v in plan.roster.violations:
        st.caption(f"preference missed 未满足: {v.message}")
costs = plan.summary.rule_costs
if costs:
    st.subheader("What each rule costs 各规则成本")
    st.caption("The agent-hours a re-plan without the rule saves this week (a quick re-plan "
               "from this roster, so a lower estimate).")
    st.dataframe(rule_cost_table(costs), hide_index=True, width="stretch")
