"""AppTest helpers: the app on a chosen page, optionally with a finished plan in its state.

One small plan of the bundled sample (a 10-second limit, 3 simulation runs) is made once per test
session and handed to the pages that show a plan; the Coverage test presses the real button.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from scheduler import io, pipeline, report
from scheduler.params import PlanParams
from scheduler.ui import state
from scheduler.ui.settings import Settings

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
FAST = Settings(time_limit_seconds=4.0, replications=3, replan_time_limit_seconds=3.0)
"""Small budgets so each page test stays fast."""


@pytest.fixture(scope="session")
def sample_plan() -> report.PlanResult:
    """The sample's plan at the app's own 16 s limit, whose budget prices a rule (at 10 s the
    rule costs' share, less what the plan's checks re-plan with, buys none, and the plan says
    so instead)."""
    history = io.read_history(REPO / "data" / "sample_history.csv")
    agents, _ = io.read_agents(REPO / "data" / "sample_agents.csv")
    params = replace(FAST, time_limit_seconds=16.0).params(PlanParams())
    return pipeline.run(history, agents, params=params)


OpenPage = Callable[..., AppTest]


@pytest.fixture
def open_page() -> OpenPage:
    """``open_page("coverage", plan=...)``: the app, first run on Data, then on that page."""

    def _open(name: str, *, plan: report.PlanResult | None = None,
              settings: Settings = FAST, timeout: float = 60) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=timeout)
        at.session_state[state.SETTINGS] = settings
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if plan is not None:
            at.session_state[state.PLAN] = plan
            at.session_state[state.PLAN_FINGERPRINT] = None
        if name != "data":
            at.switch_page(f"scheduler/ui/pages/{name}.py")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


def figures(at: AppTest) -> list[dict[str, Any]]:
    """The plotly figures on the page, as their JSON specs."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def texts(at: AppTest) -> str:
    """Everything written as markdown, captions, errors, warnings and infos, joined."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title",
                 "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def assert_worst_few_then_table(at: AppTest, plan: report.PlanResult) -> None:
    """The page shows ``plan``'s diagnosis as its worst ``report.DIAGNOSIS_SHOWN`` sentences
    outside any expander, the rest in a table in an expander "N more 更多"."""
    found = [f.text for f in plan.summary.diagnosis]
    shown = report.DIAGNOSIS_SHOWN
    assert len(found) > shown
    outside = outside_expanders(at)
    assert [f for f in found if f"- {f}" in outside] == found[:shown]
    (more,) = [e for e in at.expander if e.label == f"{len(found) - shown} more 更多"]
    (table,) = [d.value for d in more.dataframe]
    assert table["说明 note"].tolist() == found[shown:]


def outside_expanders(at: AppTest) -> list[str]:
    """Every text the page and its sidebar show outside an expander (or a status box, which
    folds like one): titles, markdown, captions, alerts, metric labels and values, button and
    link labels."""
    from streamlit.testing.v1.element_tree import Block, Expander, Metric, Status

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Expander | Status):
            return
        if isinstance(node, Block):
            for child in node.children.values():
                walk(child)
            return
        parts = [node.label, node.value] if isinstance(node, Metric) else [
            getattr(node, "label", None), getattr(node, "value", None)]
        found.extend(p for p in parts if isinstance(p, str))

    walk(at.main)
    walk(at.sidebar)
    return found


def array(value: Any) -> list[Any]:
    """A figure array as a list (plotly encodes numeric arrays as base64 typed arrays)."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            shape = value["shape"]
            data = data.reshape([int(x) for x in str(shape).split(",")] if isinstance(shape, str)
                                else shape)
        return data.tolist()
    return list(value)
