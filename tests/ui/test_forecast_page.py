"""Forecast page: the chart (history, forecast, band), the day x hour editor and overrides
applied through ``apply_overrides`` (bad values refused inline)."""

from __future__ import annotations

from datetime import datetime

from scheduler.ui import state
from tests.ui.conftest import OpenPage, array, figures, texts

MONDAY = datetime(2026, 11, 23)  # the week after the sample's history


def _edit(at, rows: dict[int, dict[str, float]]) -> None:  # type: ignore[no-untyped-def]
    key = f"{state.W_FORECAST_EDITOR}_{at.session_state[state.FORECAST_EDITOR_VERSION]}"
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    at.run()


def test_chart_and_grid(open_page: OpenPage) -> None:
    at = open_page("forecast")
    (fig,) = figures(at)
    names = [t.get("name", "") for t in fig["data"]]
    assert names[:3] == ["history 历史", "band 区间 80%", "forecast 预测"]
    assert len(fig["data"][2]["x"]) == 168
    grid = at.data_editor[0].value
    assert grid.shape == (24, 7)
    assert grid.columns[0] == "周一 Mon" and grid.index[20] == "20:00"
    assert "2026-11-23 (Mon 周一)" in texts(at)


def test_edit_an_hour_overrides_the_forecast(open_page: OpenPage) -> None:
    at = open_page("forecast")
    _edit(at, {20: {"周五 Fri": 250.0}})
    assert not at.error
    assert at.session_state[state.OVERRIDES] == {datetime(2026, 11, 27, 20): 250.0}
    assert at.metric[0].value == "1"
    fig = figures(at)[0]
    marked = [t for t in fig["data"] if t.get("name") == "edited 手动修改"]
    assert marked and array(marked[0]["y"]) == [250.0]


def test_negative_edit_is_refused_inline(open_page: OpenPage) -> None:
    at = open_page("forecast")
    _edit(at, {3: {"周一 Mon": -5.0}})
    (err,) = [e.value for e in at.error]
    assert "an override must be a number of sessions >= 0" in err
    assert at.session_state[state.OVERRIDES] == {}


def test_calendar_events_with_learned_effects(open_page: OpenPage) -> None:
    at = open_page("forecast")
    (events,) = [d.value for d in at.dataframe if "evidence" in d.value.columns]
    past = events[events["where"] == "history"].set_index("name")
    # the sample's history holds 国庆 and 双11; each effect is estimated, not the prior
    assert {"国庆", "双11 正日"} <= set(past.index)
    assert past.loc["国庆", "prior"] == 1.1 and abs(past.loc["国庆", "estimated"] - 1.1) > 0.05
    assert "sessions vs" in past.loc["双11 正日", "evidence"]
    assert "Typical error" in texts(at) and "repeating the week before 照搬上周" in texts(at)
