"""What-if 假设分析: change the week (a spike, a promotion, a live stream, agents, caps, an
auto-reply, a sick agent) and see the effect on the CURRENT roster at once (a few seeded
simulation runs); re-plan with a warm start on request; compare two scenarios side by side."""

from __future__ import annotations

import math

import streamlit as st

from scheduler import plotting
from scheduler.domain import DAYS, DAYS_ZH
from scheduler.errors import InputError
from scheduler.report import ALL_DAY, promise_lines
from scheduler.roster import ProgressFn
from scheduler.ui import state
from scheduler.ui.common import diagnosis_list, need_plan, page
from scheduler.ui.planning import run_with_progress
from scheduler.whatif import (
    ReplanChoice,
    Scenario,
    ScenarioOutcome,
    SickLeave,
    compare,
    compare_text,
    evaluate,
    parse_spike,
    replan,
)

DAY_OPTIONS = list(range(7))

page("假设分析 What-if", "如果周五晚上咨询量翻倍会怎样？ · What if Friday night is 2.5× busier, an "
     "agent is sick, or caps change? Tested on the current roster first; re-plan if needed.")
if not need_plan():
    st.stop()
plan = state.plan()
assert plan is not None
settings = state.settings()
target = plan.params.service.target
mode = plan.params.service.mode
REPLAN_SECONDS = settings.replan_time_limit_seconds


def _evaluate(sc: Scenario) -> ScenarioOutcome:
    assert plan is not None
    return evaluate(plan.roster.roster, plan.forecast, plan.agents, plan.chat, sc,
                    target=target, profile=settings.platform,
                    replications=plan.params.replications, seed=plan.params.seed,
                    params=plan.params)


baseline = state.scenario(state.BASELINE)
if baseline is None:
    with st.spinner("Simulating the current roster 模拟当前排班…"):
        baseline = _evaluate(Scenario())
    state.set_scenario(state.BASELINE, baseline)


def scenario_form(slot: str, title: str) -> None:
    """Inputs of one scenario and its result on the current roster."""
    key = f"w_wi_{slot}"
    assert plan is not None
    with st.form(key):
        st.markdown(f"**{title}**")
        name = st.text_input("名称 Name", value=title, key=f"{key}_name")
        spikes = st.text_area(
            "需求高峰 Demand spikes, one per line 每行一个",
            placeholder="Fri 20:00-23:00 x2.5\n周六 x1.8   (whole day: a promotion 大促)",
            key=f"{key}_spikes", height=90,
            help="Day, optional hours, multiplier: 'Fri 20:00-23:00 x2.5', '周五 20-22 x3' "
                 "(a live stream 直播), 'Sat x1.8' (the whole day).")
        c1, c2 = st.columns(2)
        extra = c1.number_input("增减客服 ± agents", -20, 20, 0, step=1, key=f"{key}_extra",
                                help="+n: temporary agents shadowing the busiest agents' "
                                     "shifts; -n: the last n agents of the table are away.")
        cap = c2.number_input("接待上限变化 Cap change", -5, 5, 0, step=1, key=f"{key}_cap",
                              help="Every agent holds this many more (or fewer) chats at once.")
        auto = st.slider("自动回复分流 Auto-reply absorbs (% of sessions)", 0, 60, 0,
                         key=f"{key}_auto")
        c3, c4 = st.columns(2)
        sick = c3.multiselect("请假 Sick agents", [a.agent_id for a in plan.agents],
                              key=f"{key}_sick",
                              format_func=lambda a: f"{a} {_names.get(a, '')}".strip())
        days = c4.multiselect("请假日 Sick days (empty = all week)", DAY_OPTIONS,
                              key=f"{key}_days",
                              format_func=lambda d: f"{DAYS_ZH[d]} {DAYS[d]}")
        submitted = st.form_submit_button(f"模拟 Simulate {slot.upper()[-1]}", type="primary")
    if submitted:
        try:
            parsed = tuple(parse_spike(line) for line in spikes.splitlines() if line.strip())
            sc = Scenario(name=name or title, spikes=parsed, extra_agents=int(extra),
                          cap_delta=int(cap), auto_reply_share=auto / 100.0,
                          sick=tuple(SickLeave(a, frozenset(days or DAY_OPTIONS))
                                     for a in sick))
        except (InputError, ValueError) as exc:
            state.set_error(f"{state.ERR_WHATIF} {slot}", str(exc))
        else:
            state.clear_error(f"{state.ERR_WHATIF} {slot}")
            state.set_scenario(slot, _evaluate(sc))
    err = state.error(f"{state.ERR_WHATIF} {slot}")
    if err:
        st.error(f"情景有误 Scenario not used: {err}")


def show_outcome(out: ScenarioOutcome, slot: str) -> None:
    """Headline numbers, platform badges and the per-hour chart of one scenario."""
    assert baseline is not None
    st.subheader(f"{out.scenario.name}: effect on the current roster 对当前排班的影响")
    st.caption(" · ".join(out.scenario.describe()) + f" — {out.replications} simulated "
               f"weeks, {out.seconds:.1f} s")
    c = st.columns(4)
    total = float(out.forecast.frame["sessions"].sum())
    base_total = float(baseline.forecast.frame["sessions"].sum())
    c[3].metric("expected sessions 预计会话", f"{total:,.0f}",
                delta=f"{total - base_total:+,.0f}", delta_color="off")
    c[0].metric(f"3-min rate, {ALL_DAY}3分钟回复率", f"{out.three_min_rate:.1%}",
                delta=f"{(out.three_min_rate - baseline.three_min_rate) * 100:+.1f} pts")
    c[1].metric("reply rate 回复率", f"{out.reply_rate:.1%}",
                delta=f"{(out.reply_rate - baseline.reply_rate) * 100:+.1f} pts")
    c[2].metric("simulated hours below target 模拟未达标小时",
                f"{out.hours_below_target} / {out.hours_judged}",
                help=f"busy hours (≥ 5 expected sessions) whose mean 3-minute rate over "
                     f"{out.replications} simulated runs misses the target; the chance box "
                     "below gives the number expected when next week's counts differ from "
                     "the forecast",
                delta=out.hours_below_target - baseline.hours_below_target,
                delta_color="inverse")
    for chk in out.checks:
        value = "—" if math.isnan(chk.value) else f"{chk.value:.1%}"
        st.badge(f"{'通过 pass' if chk.passed else '未通过 FAIL'}: {chk.name} {value} vs "
                 f"{chk.threshold:.0%} · {chk.window}", color="green" if chk.passed else "red")
    if out.chance is not None:
        st.info("\n\n".join(promise_lines(out.chance.as_dict(), target, mode)))
    for n in out.notes:
        st.caption(n)
    st.plotly_chart(plotting.whatif_figure(baseline.hourly, out.hourly, target=target,
                                           scenario_name=out.scenario.name),
                    width="stretch", key=f"whatif_chart_{slot}")


def show_choice(choice: ReplanChoice) -> None:
    """Which roster the re-plan kept and why, its numbers beside keeping, and Adopt when the
    re-plan was kept (a worse roster is never offered)."""
    cur, kept = choice.current, choice.kept
    st.markdown("**" + " · ".join(cur.scenario.describe()) + "**")
    (st.success if choice.keeps_replan else st.info)(choice.reason)
    c = st.columns(3)
    c[0].metric(f"kept 保留: 3-min rate, {ALL_DAY}", f"{kept.three_min_rate:.1%}",
                delta=f"{(kept.three_min_rate - cur.three_min_rate) * 100:+.1f} pts")
    c[1].metric("kept 保留: hours below target",
                f"{kept.hours_below_target} / {kept.hours_judged}",
                delta=kept.hours_below_target - cur.hours_below_target, delta_color="inverse",
                help="busy hours (≥ 5 expected sessions) of the scenario's week whose mean "
                     f"3-minute rate over {kept.replications} simulated runs misses the target")
    c[2].metric("kept 保留: paid hours", f"{kept.paid_hours:,.1f} h",
                delta=f"{kept.paid_hours - cur.paid_hours:+.1f} h", delta_color="off")
    st.caption(f"Both rosters judged alike on the scenario's week: the same "
               f"{cur.replications} simulated weeks; deltas against keeping the current roster.")
    st.dataframe(compare_text(compare(choice.current, choice.replanned)), hide_index=True,
                 width="stretch")
    st.markdown("**Where the re-plan stays below the margin 重新排班低于余量之处**")
    diagnosis_list(choice.plan.summary.diagnosis)
    if choice.keeps_replan:
        if st.button("采用为当前排班 Adopt the re-plan as the current plan", key="w_wi_adopt"):
            state.set_plan(choice.plan, state.fingerprint())
            st.rerun()
    else:
        st.caption("Nothing to adopt: the current plan stays 当前排班不变.")


_names = {a.agent_id: a.name for a in plan.agents}
st.caption(f"当前排班 Current roster: {plan.summary.agent_hours:,.1f} agent-hours, 3-min rate "
           f"{ALL_DAY} {baseline.three_min_rate:.1%}, {baseline.hours_below_target} of "
           f"{baseline.hours_judged} busy hours below target in simulation "
           f"({plan.params.replications} simulated weeks, the same for every scenario).")
left, right = st.columns(2)
with left:
    scenario_form(state.SCENARIO_A, "情景 A Scenario A")
with right:
    scenario_form(state.SCENARIO_B, "情景 B Scenario B")

a, b = state.scenario(state.SCENARIO_A), state.scenario(state.SCENARIO_B)
for slot_, out_ in ((state.SCENARIO_A, a), (state.SCENARIO_B, b)):
    if out_ is not None:
        show_outcome(out_, slot_)
if a is not None and b is not None:
    st.subheader("对比 A vs B")
    st.dataframe(compare_text(compare(a, b)), hide_index=True, width="stretch")

st.subheader("重新排班 Re-plan for a scenario")
choices = [o for o in (a, b) if o is not None]
if not choices:
    st.caption("Simulate a scenario first; then re-plan it here (starting from the current "
               f"roster, a time limit of {REPLAN_SECONDS:.0f} s).")
else:
    pick = st.radio("Scenario 情景", list(range(len(choices))), horizontal=True,
                    format_func=lambda i: choices[i].scenario.name, key="w_wi_replan_pick")
    if st.button(f"重新排班 Re-plan (from the current roster, {REPLAN_SECONDS:.0f} s)",
                 key="w_wi_replan"):
        chosen = choices[pick].scenario

        def work(progress: ProgressFn) -> ReplanChoice:
            assert plan is not None
            return replan(plan, chosen, time_limit_seconds=REPLAN_SECONDS,
                          profile=settings.platform, replications=plan.params.replications,
                          progress=progress)

        try:
            result, _ = run_with_progress(work, time_limit_seconds=REPLAN_SECONDS,
                                          label=f"重新排班 Re-planning {chosen.name}…")
        except Exception as exc:  # one line for the manager
            state.set_error(state.ERR_WHATIF, f"Re-plan failed 重新排班失败: {exc}")
        else:
            state.clear_error(state.ERR_WHATIF)
            state.set_replan(result)
    err = state.error(state.ERR_WHATIF)
    if err:
        st.error(err)
    choice = state.replan_choice()
    if choice is not None:
        show_choice(choice)
