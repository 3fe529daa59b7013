"""A plan from a session log uses the chat model fitted from it (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.io import history_from_sessions, read_sessions
from scheduler.params import ChatModel

REPO = Path(__file__).resolve().parents[1]
FAST = ["--time-limit", "6", "--replications", "3", "--workers", "1"]


@pytest.fixture(scope="module")
def hours_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample log's hours (timestamp, sessions) with nothing else: default chat model."""
    hist = history_from_sessions(read_sessions(REPO / "data" / "sample_sessions.csv"))
    path = tmp_path_factory.mktemp("hours") / "hours.csv"
    frame = hist.frame[["timestamp", "sessions"]].copy()
    frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%d %H:%M")
    frame.to_csv(path, index=False)
    return path


def _plan(tmp: Path, *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["plan", "--agents", "data/sample_agents.csv", "--out", str(tmp), *FAST,
                 *args]) == 0
    return json.loads((tmp / "summary.json").read_text(encoding="utf-8"))


def test_plan_from_a_log_uses_the_fitted_model(repo: Path, tmp_path: Path, hours_only: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo)
    log = str(repo / "data" / "sample_sessions.csv")
    fitted = _plan(tmp_path / "log", "--history", log)
    out = capsys.readouterr().out
    default = _plan(tmp_path / "hours", "--history", str(hours_only))
    # a phone centre's log: handle and patience fitted, concurrency kept (said aloud)
    frame = read_sessions(log).frame
    answered = frame[~frame["abandoned"]]
    chat = fitted["parameters"]["chat"]
    assert chat["handle_seconds"] == pytest.approx(answered["handle_seconds"].mean())
    waits = frame["wait_seconds"].dropna()
    assert chat["patience_seconds"] == pytest.approx(waits.sum() / frame["abandoned"].sum())
    assert chat["throughput"] == list(ChatModel().throughput)
    rows = {r["parameter"]: r for r in fitted["chat_fit"]}
    assert rows["handle_seconds"]["source"] == "fitted"
    assert rows["handle_seconds"]["sessions"] == len(answered)
    assert rows["throughput"]["source"] == "default"
    assert "one-at-a-time" in out and "handle_seconds: used" in out
    # the same hours with the default model: another plan, defaults recorded, no fit
    assert default["parameters"]["chat"]["handle_seconds"] == ChatModel().handle_seconds
    assert default["parameters"]["chat"]["patience_seconds"] == ChatModel().patience_seconds
    assert default["chat_fit"] == []
    assert default["forecast_sessions"] == pytest.approx(fitted["forecast_sessions"])
    assert fitted["agent_hours"] < default["agent_hours"]  # 177 s chats, not 600 s


def test_a_flag_wins_over_the_fit(repo: Path, tmp_path: Path, hours_only: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    s = _plan(tmp_path, "--history", str(hours_only), "--sessions",
              "data/sample_sessions.csv", "--handle-seconds", "300")
    rows = {r["parameter"]: r for r in s["chat_fit"]}
    assert s["parameters"]["chat"]["handle_seconds"] == 300.0
    assert rows["handle_seconds"]["source"] == "set by you"
    assert rows["patience_seconds"]["source"] == "fitted"


def test_too_few_sessions_fall_back_with_a_note(tmp_path: Path) -> None:
    from scheduler.context import chat_from_sessions

    rows = ["start,first_reply,end,abandoned,handle_seconds,agent_id"]
    for k in range(12):
        t = pd.Timestamp("2026-11-02 10:00") + pd.Timedelta(minutes=7 * k)
        rows.append(f"{t},{t + pd.Timedelta(seconds=30)},{t + pd.Timedelta(seconds=330)},"
                    f"false,300,a{k % 2}")
    p = tmp_path / "few.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    chat, fit, notes = chat_from_sessions(read_sessions(p), ChatModel())
    assert chat == ChatModel()
    assert all(r["source"] == "default" for r in fit)
    assert any("only 12 answered sessions with a handle time; kept default" in n for n in notes)
    assert any("only 0 abandonments" in n for n in notes)


def test_a_log_out_of_time_order_is_refused(tmp_path: Path, repo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad_log.csv"
    p.write_text("start,first_reply,end,abandoned,handle_seconds,agent_id\n"
                 "2026-11-02 10:00:00,2026-11-02 10:00:20,2026-11-02 10:05:00,false,280,a\n"
                 "2026-11-02 10:01:00,2026-11-02 10:01:30,2026-11-02 09:50:00,false,280,a\n",
                 encoding="utf-8")
    out = tmp_path / "plan"
    code = main(["plan", "--history", str(p), "--agents",
                 str(repo / "data" / "sample_agents.csv"), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "bad_log.csv" in err[0] and "row 3" in err[0] and "column 'end'" in err[0]
    assert not out.exists()
