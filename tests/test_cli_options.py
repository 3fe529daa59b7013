"""One parameter surface (issue 28 item 4): every command option that sets a plan parameter is
generated from that field's metadata (its flag, help text, default or the command's budget, and
its check), and a plan's recorded parameters give way to the options given."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest
import typer

from scheduler.cli import app, main
from scheduler.params import ChatModel, plan_fields


def test_every_parameter_option_is_its_fields_metadata() -> None:
    by_flag = {f.metadata["cli"]: f for _, f in plan_fields().values() if f.metadata.get("cli")}
    seen = set()
    for name, command in typer.main.get_command(app).commands.items():  # type: ignore[attr-defined]
        for option in command.params:
            f = by_flag.get(option.opts[0])
            if f is None:
                continue
            assert option.help == f.metadata["help"], (name, option.opts[0])
            assert option.default in (f.default, *f.metadata["budgets"].values()), (
                name, option.opts[0])
            seen.add((name, option.opts[0]))
    chat = {"--handle-seconds", "--reply-seconds", "--patience-seconds", "--answer-seconds"}
    for name in ("staffing", "simulate", "plan"):
        assert {(name, flag) for flag in chat} <= seen, name
    assert {("staffing", "--target"), ("simulate", "--replications"), ("simulate", "--seed"),
            ("fit", "--replications"), ("fit", "--seed"), ("replan", "--time-limit"),
            ("demo", "--time-limit"), ("backtest", "--time-limit")} <= seen


@pytest.mark.parametrize(("args", "said"), [
    (["staffing", "--sessions-per-hour", "100", "--answer-seconds", "0"],
     "--answer-seconds: expected seconds > 0"),
    (["simulate", "--roster", "r.csv", "--forecast", "f.csv", "--out", "o",
      "--patience-seconds", "-1"], "--patience-seconds: expected seconds >= 0"),
    (["fit", "--sessions", "s.csv", "--replications", "0"],
     "--replications: expected a whole number >= 1"),
    (["replan", "--week", "2026-11-23", "--keep-before", "2026-11-25 12:00", "--time-limit",
      "0"], "--time-limit: expected seconds > 0"),
    (["demo", "--no-app", "--time-limit", "-1"], "--time-limit: expected seconds > 0"),
])
def test_every_command_checks_a_parameter_as_its_field_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        args: list[str], said: str) -> None:
    monkeypatch.chdir(tmp_path)  # nothing of the user's: no roster book, no output folder
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {said}") and "\n" not in err
    assert list(tmp_path.iterdir()) == []


def test_simulate_options_win_over_the_plans_summary(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan"
    plan.mkdir()
    recorded = {"chat": asdict(ChatModel(handle_seconds=500.0)), "target": 0.9,
                "replications": 2, "seed": 3}
    (plan / "summary.json").write_text(json.dumps({"agent_hours": 8.0, "parameters": recorded}))
    (plan / "roster.csv").write_text("agent_id,start,end,max_concurrent\n"
                                     "A01,2026-11-23 09:00,2026-11-23 17:00,3\n")
    hours = pd.date_range("2026-11-23", periods=168, freq="h").strftime("%Y-%m-%d %H:%M")
    pd.DataFrame({"timestamp": hours, "sessions": 1}).to_csv(tmp_path / "f.csv", index=False)
    out = tmp_path / "sim"
    assert main(["simulate", "--plan", str(plan), "--forecast", str(tmp_path / "f.csv"),
                 "--out", str(out), "--patience-seconds", "300", "--target", "0.7"]) == 0
    said = capsys.readouterr().out
    assert "handle_seconds 500 s (the plan's summary.json)" in said
    assert "patience_seconds 300 s (set by you)" in said and "target 70%" in said
    assert json.loads((out / "metrics.json").read_text())["replications"] == 2
