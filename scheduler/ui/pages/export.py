"""Export 导出: roster.csv (the CLI contract), a wide schedule for Excel, coverage.csv, a
per-agent text summary and the plan's summary, all UTF-8 with BOM (Excel shows Chinese)."""

from __future__ import annotations

import json

import streamlit as st

from scheduler import io, report
from scheduler.domain import BREAK_ZH, DAY_OFF_ZH
from scheduler.ui import state
from scheduler.ui.common import need_plan, page
from scheduler.ui.tables import agent_summaries, wide_schedule

page("导出 Export", "下载排班表 · Download the roster for Excel, the workbench and the team chat. "
     "All files are UTF-8 with BOM, so Excel shows Chinese correctly.")
if not need_plan():
    st.stop()
current = state.plan()
assert current is not None
plan = current
re = state.replan()
if re is not None:
    which = st.radio("Which plan 哪个排班", ["current 当前排班", "re-planned scenario 重新排班"],
                     horizontal=True, key="w_export_which")
    if which.startswith("re-planned"):
        plan = re
if state.plan_is_stale() and plan is current:
    st.warning("输入已改变 The inputs changed since this plan; re-plan on the Data page "
               "before exporting if the changes matter.")

week = f"{plan.week_start:%Y%m%d}"
roster = plan.roster.roster
wide = wide_schedule(roster, plan.agents)
roster_csv = io.csv_bytes(report.roster_frame(roster))
wide_csv = io.csv_bytes(wide)
coverage_csv = io.csv_bytes(report.coverage_frame(plan))
summary_txt = agent_summaries(roster, plan.agents).encode("utf-8-sig")
summary_json = json.dumps(plan.summary.as_dict(), ensure_ascii=False, indent=2,
                          default=str).encode("utf-8")

c = st.columns(5)
c[0].download_button("roster.csv", roster_csv, file_name="roster.csv", mime="text/csv",
                     key="dl_roster", help="One row per shift (agent_id, start, end, "
                     "max_concurrent, break_start, break_end): the CLI's roster contract.",
                     icon=":material/download:")
c[1].download_button("排班表 schedule.csv", wide_csv, file_name=f"schedule_{week}.csv",
                     mime="text/csv", key="dl_wide", icon=":material/download:",
                     help="Agent x day, cells like 09:00–18:00 (5) = shift (cap).")
c[2].download_button("coverage.csv", coverage_csv, file_name="coverage.csv", mime="text/csv",
                     key="dl_coverage", icon=":material/download:",
                     help="One row per interval: sessions, agents needed at the forecast and "
                          "scheduled, short (the team cannot meet the forecast itself), cap, "
                          "predicted rates, and the staffing with margin.")
c[3].download_button("每人排班 per-agent.txt", summary_txt, file_name=f"per_agent_{week}.txt",
                     mime="text/plain", key="dl_text", icon=":material/download:")
c[4].download_button("summary.json", summary_json, file_name="summary.json",
                     mime="application/json", key="dl_summary", icon=":material/download:",
                     help="Headline numbers and every parameter used (reproducibility).")

st.subheader("排班表 Schedule (agent x day)")
st.caption(f"(n) = 接待上限 reception cap · {BREAK_ZH} = meal break · {DAY_OFF_ZH} = day off · "
           "+1 = ends the next day")
st.dataframe(wide, hide_index=True, width="stretch", height=35 * (len(wide) + 1) + 3)
st.subheader("每人排班 Per-agent summary")
st.code(summary_txt.decode("utf-8-sig"), language=None, height=420)
