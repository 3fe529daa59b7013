"""Data page: the sample on first visit, uploads (English/Chinese headers, CSV/XLSX), inline
one-line errors that never wipe the working data, the agents editor, rules and profiles."""

from __future__ import annotations

import io as _io
import tomllib

import pandas as pd

from scheduler import io
from scheduler.params import DEFAULT_CHANCE, Mode
from scheduler.report import promise_lines
from scheduler.ui import state
from tests.ui.conftest import REPO, OpenPage, texts

SAMPLE_HISTORY = (REPO / "data" / "sample_history.csv").read_bytes()
SAMPLE_AGENTS, _ = io.read_agents(REPO / "data" / "sample_agents.csv")
N = len(SAMPLE_AGENTS)


def test_first_visit_loads_the_sample(open_page: OpenPage) -> None:
    at = open_page("data")
    shown = texts(at)
    assert "sample 示例: sample_history.csv" in shown
    assert f"sample 示例: sample_agents.csv · {N} agents" in shown
    assert at.session_state[state.AGENTS] == SAMPLE_AGENTS
    assert at.session_state[state.HISTORY].hours == 2016
    assert not at.error


def test_upload_limit_is_stated_and_configured(open_page: OpenPage) -> None:
    at = open_page("data")
    assert f"Up to {state.MAX_UPLOAD_MB} MB per file" in texts(at)
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == state.MAX_UPLOAD_MB


def test_broken_history_shows_the_line_and_keeps_the_data(open_page: OpenPage) -> None:
    at = open_page("data")
    broken = b"timestamp,sessions\n2026-01-05 00:00,3\n2026-01-05 01:00,lots\n"
    at.file_uploader(key=state.W_HISTORY_UPLOAD).set_value(("shop.csv", broken, "text/csv"))
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "shop.csv, row 3, column 'sessions'" in errors[0]
    assert "'lots'" in errors[0]
    assert "Traceback" not in errors[0]
    # the working data is still the sample
    assert at.session_state[state.HISTORY].hours == 2016
    assert "sample 示例: sample_history.csv" in texts(at)


def test_chinese_headers_upload_replaces_the_history(open_page: OpenPage) -> None:
    at = open_page("data")
    frame = pd.read_csv(_io.BytesIO(SAMPLE_HISTORY)).rename(
        columns={"timestamp": "时间", "sessions": "咨询量", "avg_handle_seconds": "平均接待时长"})
    data = frame.iloc[: 24 * 14].to_csv(index=False).encode("utf-8-sig")
    at.file_uploader(key=state.W_HISTORY_UPLOAD).set_value(("店铺数据.csv", data, "text/csv"))
    at.run()
    assert not at.error
    assert at.session_state[state.HISTORY].hours == 24 * 14
    assert "In use 当前使用**: 店铺数据.csv" in texts(at)


def test_history_too_short_to_forecast_is_refused(open_page: OpenPage) -> None:
    at = open_page("data")
    short = b"\n".join(SAMPLE_HISTORY.splitlines()[: 1 + 72]) + b"\n"  # 3 days
    at.file_uploader(key=state.W_HISTORY_UPLOAD).set_value(("3days.csv", short, "text/csv"))
    at.run()
    (err,) = [e.value for e in at.error]
    assert err.startswith("文件有误，未使用 File refused: 3days.csv")
    assert at.session_state[state.HISTORY].hours == 2016


def test_xlsx_agents_upload(open_page: OpenPage) -> None:
    at = open_page("data")
    buf = _io.BytesIO()
    pd.DataFrame({"工号": ["B1", "B2"], "接待上限": [3, 4], "每周最多工时": [40, 32]}).to_excel(
        buf, index=False)
    at.file_uploader(key=state.W_AGENTS_UPLOAD).set_value(
        ("team.xlsx", buf.getvalue(),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    at.run()
    assert not at.error
    agents = at.session_state[state.AGENTS]
    assert [a.agent_id for a in agents] == ["B1", "B2"]
    assert "team.xlsx · 2 agents" in texts(at)
    assert at.data_editor[0].value.shape[0] == 2  # the editor restarted from the file


def test_broken_agents_upload_keeps_agents(open_page: OpenPage) -> None:
    at = open_page("data")
    bad = b"agent_id,max_concurrent\nA1,3\nA2,12\n"
    at.file_uploader(key=state.W_AGENTS_UPLOAD).set_value(("agents.csv", bad, "text/csv"))
    at.run()
    (err,) = [e.value for e in at.error]
    assert "agents.csv, row 3, column 'max_concurrent'" in err
    assert len(at.session_state[state.AGENTS]) == N


def test_agents_editor_is_validated(open_page: OpenPage) -> None:
    at = open_page("data")
    key = at.session_state[state.EDITOR_VERSION]
    editor_key = f"{state.W_AGENTS_EDITOR}_{key}"
    at.session_state[editor_key] = {"edited_rows": {1: {"max_concurrent": 12}},
                                    "added_rows": [], "deleted_rows": []}
    at.run()
    (err,) = [e.value for e in at.error]
    assert "agents table 客服表, row 3, column 'max_concurrent'" in err
    assert at.session_state[state.AGENTS] == SAMPLE_AGENTS  # unchanged
    at.session_state[editor_key] = {"edited_rows": {1: {"max_concurrent": 3}},
                                    "added_rows": [], "deleted_rows": [0]}
    at.run()
    assert not at.error
    agents = at.session_state[state.AGENTS]
    assert len(agents) == N - 1 and agents[0].agent_id == SAMPLE_AGENTS[1].agent_id
    assert agents[0].max_concurrent == 3
    assert "+ edits 已编辑" in texts(at)


def test_rules_and_profile(open_page: OpenPage) -> None:
    at = open_page("data")
    # untouched, the chance is the mode's default, and a plan is sized for it
    default = DEFAULT_CHANCE[Mode.PER_HOUR]
    assert at.slider(key=state.setting_key("chance")).value == round(default * 100)
    assert at.session_state[state.SETTINGS].params().service.level == default
    at.number_input(key=state.setting_key("time_limit_seconds")).set_value(10.0)
    at.slider(key=state.setting_key("target")).set_value(90)
    at.slider(key=state.setting_key("chance")).set_value(80)
    at.run()
    s = at.session_state[state.SETTINGS]
    assert s.time_limit_seconds == 10.0 and s.target == 0.9
    assert s.params().service.target == 0.9
    # the chance the promise holds: the plan sizes its margin for it
    assert s.chance == 0.8 and s.params().service.chance == 0.8
    assert "≥ 80%" in texts(at)  # Xiaohongshu's reply-rate rule is shown
    at.selectbox(key=state.setting_key("profile")).set_value("douyin")
    at.run()
    assert "To confirm" in texts(at)
    assert at.session_state[state.SETTINGS].profile == "douyin"
    at.multiselect(key=state.setting_key("shift_lengths_hours")).set_value([])
    at.run()
    assert any("at least one shift length" in e.value for e in at.error)
    assert at.session_state[state.SETTINGS].shift_lengths_hours  # kept the last good rules


def test_session_log_upload_shows_the_fitted_chat_model(open_page: OpenPage) -> None:
    at = open_page("data")
    log = (REPO / "data" / "sample_sessions.csv").read_bytes()
    at.file_uploader(key=state.W_HISTORY_UPLOAD).set_value(("sessions.csv", log, "text/csv"))
    at.run()
    assert not at.error and not at.exception
    assert at.session_state[state.SESSIONS] is not None
    (fit,) = [d.value for d in at.dataframe if "source" in d.value.columns]
    rows = fit.set_index("parameter")
    assert rows.loc["handle_seconds", "source"] == "fitted"
    assert 150 < float(rows.loc["handle_seconds", "used"]) < 200
    assert rows.loc["handle_seconds", "default"] == "600"
    assert rows.loc["throughput", "source"] == "default"
    assert "one-at-a-time" in texts(at)


def test_the_landing_page_plans_the_week_and_shows_the_plan(open_page: OpenPage) -> None:
    at = open_page("data", timeout=120)
    assert "Next step" in texts(at)
    at.button(key=state.W_PLAN_BUTTON).click()
    at.run()
    assert not at.exception and not at.error
    plan = at.session_state[state.PLAN]
    assert plan is not None and plan.summary.agent_hours > 0
    sm, service = plan.summary, plan.params.service
    for _ in range(2):  # right after Plan, and on later runs while it is the current plan
        main = at.main
        metrics = {m.label: m.value for m in main.get("metric")}
        assert metrics["agent-hours 工时"] == f"{sm.agent_hours:,.1f} h"
        assert metrics["half-hours short 不足时段"] == f"{sm.short_intervals}"
        shown = [str(m.value) for m in main.get("markdown")]
        assert promise_lines(sm.chance, service.target, service.mode)[0] in shown
        links = {str(link.proto.page) for link in main.get("page_link")}
        assert {"coverage", "roster"} <= links
        at.run()


def test_a_history_without_handle_times_names_the_default(open_page: OpenPage) -> None:
    at = open_page("data")
    frame = pd.read_csv(_io.BytesIO(SAMPLE_HISTORY))[["timestamp", "sessions"]]
    data = frame.iloc[: 24 * 14].to_csv(index=False).encode("utf-8")
    at.file_uploader(key=state.W_HISTORY_UPLOAD).set_value(("hours.csv", data, "text/csv"))
    at.run()
    assert not at.error
    assert any("default 600 s per chat" in i.value for i in at.info)
    # the sample has handle times: nothing said
    at2 = open_page("data")
    assert not any("default 600 s" in i.value for i in at2.info)


def test_the_default_rules_are_stated_as_they_are(open_page: OpenPage) -> None:
    from scheduler.ui.settings import Settings

    shown = texts(open_page("data", settings=Settings()))
    assert "8 h/day" not in shown
    assert "shifts of 4, 6, 8 or 10 h" in shown  # Rules().shift_lengths_hours


def test_a_misspelt_agents_column_is_refused_and_an_extra_one_is_a_warning(
        open_page: OpenPage) -> None:
    at = open_page("data")
    text = (REPO / "data" / "sample_agents.csv").read_text(encoding="utf-8")
    misspelt = text.replace("max_hours_week", "max_hour_week", 1).encode("utf-8")
    at.file_uploader(key=state.W_AGENTS_UPLOAD).set_value(("team.csv", misspelt, "text/csv"))
    at.run()
    (err,) = [e.value for e in at.error]
    assert err == ("文件有误，未使用 File refused: team.csv, row 1, column 'max_hour_week': "
                   "looks like 'max_hours_week' (misspelt?); rename it or remove it")
    assert at.session_state[state.AGENTS] == SAMPLE_AGENTS
    lines = text.splitlines()
    extra = "\n".join([lines[0] + ",team"] + [line + ",A" for line in lines[1:3]]) + "\n"
    at.file_uploader(key=state.W_AGENTS_UPLOAD).set_value(("team.csv", extra.encode(), "text/csv"))
    at.run()
    assert not at.error
    assert len(at.session_state[state.AGENTS]) == 2
    assert [w.value for w in at.warning] == [
        "team.csv: column 'team' is not one this file uses; it is ignored"]


def test_a_misspelt_history_column_is_refused(open_page: OpenPage) -> None:
    at = open_page("data")
    misspelt = SAMPLE_HISTORY.replace(b"avg_handle_seconds", b"avg_handle_second", 1)
    at.file_uploader(key=state.W_HISTORY_UPLOAD).set_value(("shop.csv", misspelt, "text/csv"))
    at.run()
    (err,) = [e.value for e in at.error]
    assert err.endswith("shop.csv, row 1, column 'avg_handle_second': looks like "
                        "'avg_handle_seconds' (misspelt?); rename it or remove it")
    assert "sample 示例: sample_history.csv" in texts(at)
