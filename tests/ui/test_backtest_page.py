"""Backtest page: "How would my plans have done?" on the history in use."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scheduler.backtest import expected_seconds
from scheduler.params import DEFAULT_CHANCE, Mode, PlanParams
from scheduler.roster import Budget
from scheduler.ui import state
from scheduler.ui.common import duration_words
from scheduler.ui.settings import Settings
from tests.ui.conftest import OpenPage, figures, texts


def test_backtest_one_week_of_the_sample(open_page: OpenPage) -> None:
    at = open_page("backtest", timeout=300)
    assert "planned from the weeks before it only" in texts(at)
    at.number_input(key="w_backtest_weeks").set_value(1)
    at.button(key="w_backtest_run").click()
    at.run()
    assert not at.exception and not at.error
    (table,) = [d.value for d in at.dataframe if "share_at_target" in d.value.columns]
    assert list(table["plan"]) == ["margin", "point"]
    assert str(table["week_start"].iloc[0]) == "2026-11-16"
    assert (table["busy_hours"] > 100).all() and (table["share_at_target"] <= 100).all()
    # the margin costs hours
    assert table["agent_hours"].iloc[0] > table["agent_hours"].iloc[1]
    (fig,) = figures(at)
    assert any("busy hours at target" in t.get("name", "") for t in fig["data"])
    assert "point forecast 点预测" in texts(at)
    # each promise: the plan's chance next to whether the real week kept it
    for promise in ("per_hour", "daily", "weekly"):
        assert table[f"chance_{promise}"].between(0, 100).all()
        assert table[f"kept_{promise}"].isin([True, False]).all()
    assert (table["kept_daily"] == (table["days_kept"] == 7)).all()
    first = table.iloc[0]
    assert (f"the week {first['chance_weekly'] / 100:.0%} predicted, kept in "
            f"{int(first['kept_weekly'])} of 1 week(s)") in texts(at)
    # the reliability table: two plans x three promises = six pairs, binned by predicted chance
    (bins,) = [d.value for d in at.dataframe if "predicted" in d.value.columns]
    assert bins["pairs"].sum() == 6
    assert set(bins["promise"]) <= {"95% of busy hours", "every day", "the week"}
    chances = np.concatenate([table[f"chance_{p}"] for p in ("per_hour", "daily", "weekly")])
    assert bins["predicted"].mul(bins["pairs"]).sum() == pytest.approx(chances.sum())
    # every share in the tables reads as a percentage with one decimal, in every row
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns)
        formats = {c: v.get("type_config", {}).get("format", "") for c, v in config.items()}
        shares = [c for c, f in formats.items() if f == "percent" or f.endswith("%%")]
        for c in shares:
            assert config[c]["type_config"]["format"] == "%.1f%%", (c, config[c])
            assert frame.value[c].between(0, 100).all(), c
    shown = {c for frame in at.dataframe for c in json.loads(frame.proto.columns)}
    assert {"share_at_target", "weekly_three_min_rate", "chance_asked", "predicted"} <= shown
    # the margin plan's chance asked (the mode's default) reads as a percentage
    assert list(table["chance_asked"]) == [DEFAULT_CHANCE[Mode.PER_HOUR] * 100, 0.0]


def test_backtest_says_how_long_it_will_take_before_it_starts(open_page: OpenPage) -> None:
    """The page states the backtest's expected duration (the plans' time limits, the work around
    them and the replays, as measured) for the weeks chosen, before the button is pressed."""
    at = open_page("backtest")
    params = at.session_state[state.SETTINGS].params()  # (the Data page's, as the page reads)
    said = []
    for weeks in (1, 3):
        at.number_input(key="w_backtest_weeks").set_value(weeks)
        at.run()
        said.append(f"about {duration_words(expected_seconds(weeks, params))} in all")
        assert said[-1] in texts(at)
    assert said[0] != said[1]
    assert expected_seconds(3, params) == pytest.approx(3 * expected_seconds(1, params))
    # never less than the plans' solves alone (their share of the limit; a backtest's plan
    # prices no rule), at the app's own settings too
    for p in (params, Settings().params(PlanParams())):
        solves = Budget.for_limit(p.time_limit_seconds, p.search).seconds * (
            1 - p.search.rule_cost_share)
        assert expected_seconds(1, p) > 2 * solves
