"""Fitting the chat model from per-session records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.domain import SessionLog
from scheduler.params import ChatModel
from scheduler.staffing import fit_chat_model

BANK = Path("/work/shared/data/anonymous_bank_1999-02_calls.csv.gz")
T0 = pd.Timestamp("2026-11-23 09:00")


def log_of(rows: list[dict[str, object]]) -> SessionLog:
    frame = pd.DataFrame(rows)
    frame["start"] = pd.to_datetime(frame["start"])
    frame["first_reply"] = pd.to_datetime(frame["first_reply"])
    frame["end"] = pd.to_datetime(frame["end"])
    frame["abandoned"] = frame["abandoned"].astype(bool)
    frame["handle_seconds"] = frame["handle_seconds"].astype(float)
    frame["wait_seconds"] = frame["wait_seconds"].astype(float)
    frame["agent_id"] = frame["agent_id"].astype(str)
    return SessionLog(frame.sort_values("start").reset_index(drop=True), "test")


def session(
    start_s: float, wait: float, handle: float | None, agent: str, abandoned: bool = False
) -> dict[str, object]:
    start = T0 + pd.Timedelta(seconds=start_s)
    if abandoned:
        return {
            "start": start,
            "first_reply": pd.NaT,
            "end": pd.NaT,
            "abandoned": True,
            "handle_seconds": np.nan,
            "wait_seconds": wait,
            "agent_id": "",
        }
    reply = start + pd.Timedelta(seconds=wait)
    assert handle is not None
    return {
        "start": start,
        "first_reply": reply,
        "end": reply + pd.Timedelta(seconds=handle),
        "abandoned": False,
        "handle_seconds": handle,
        "wait_seconds": wait,
        "agent_id": agent,
    }


def chat_log() -> SessionLog:
    """Agent A: 40 solo chats of 600 s, then 40 pairs held together for 750 s each
    (throughput(2) = 2 * 600 / 750 = 1.6); every first reply 12 s after the start (picked up at
    once, agent at load 1 after pickup). 50 buyers left after 100 s each."""
    rows = []
    t = 0.0
    for _ in range(40):
        rows.append(session(t, 12.0, 600.0, "A"))
        t += 700.0
    for _ in range(40):
        rows.append(session(t, 12.0, 750.0, "A"))
        rows.append(session(t, 12.0, 750.0, "A"))
        t += 800.0
    rows += [session(5.0 + 60.0 * i, 100.0, None, "", abandoned=True) for i in range(50)]
    return log_of(rows)


def test_chat_log_recovers_known_parameters() -> None:
    model, report = fit_chat_model(chat_log(), ChatModel())
    assert model.handle_seconds == pytest.approx(600.0)
    assert model.throughput[1] == pytest.approx(1.6)
    assert model.throughput[2:] == ChatModel().throughput[2:]  # no data at load 3+
    assert model.base_reply_seconds == pytest.approx(12.0)
    # Patience MLE: all waits / abandonments = (120 * 12 + 50 * 100) / 50.
    assert model.patience_seconds == pytest.approx((120 * 12.0 + 50 * 100.0) / 50)
    assert report.patience_records == 50 and report.answered == 120 and report.abandoned == 50
    assert not report.one_at_a_time and report.max_concurrency_seen == 2
    assert set(report.fitted) == {
        "handle_seconds",
        "throughput",
        "patience_seconds",
        "base_reply_seconds",
    }
    assert report.kept_default == ()


def test_too_few_records_keep_the_defaults() -> None:
    rows = [session(1000.0 * i, 5.0, 300.0, "A") for i in range(29)]
    rows += [session(7.0, 50.0, None, "", abandoned=True)]
    base = ChatModel()
    model, report = fit_chat_model(log_of(rows), base)
    assert model == base
    assert report.fitted == ()
    assert set(report.kept_default) == {
        "handle_seconds",
        "throughput",
        "patience_seconds",
        "base_reply_seconds",
    }
    assert report.handle_seconds is None and report.patience_seconds is None


def test_thirty_records_are_enough_for_handle_time() -> None:
    rows = [session(1000.0 * i, 5.0, 300.0, "A") for i in range(30)]
    model, report = fit_chat_model(log_of(rows), ChatModel())
    assert model.handle_seconds == pytest.approx(300.0) and report.handle_records == 30
    assert report.one_at_a_time  # one agent, never two at once


@pytest.mark.skipif(not BANK.exists(), reason="/work/shared (the real call-centre data) is absent")
def test_real_call_centre_february() -> None:
    raw = pd.read_csv(BANK, dtype={"date": str})
    raw = raw[raw["outcome"] != "PHANTOM"]
    day = pd.to_datetime("19" + raw["date"], format="%Y%m%d")
    abandoned = (raw["outcome"] == "HANG").to_numpy()
    answered = ~abandoned

    def clock(column: str) -> pd.Series:
        return day + pd.to_timedelta(raw[column])

    agent = raw["server"].where(raw["server"] != "NO_SERVER", "").where(answered, "")
    frame = pd.DataFrame(
        {
            "start": clock("q_start").where(raw["q_time"] > 0, clock("vru_exit")),
            "first_reply": clock("ser_start").where(answered),
            "end": clock("ser_exit").where(answered),
            "abandoned": abandoned,
            "handle_seconds": raw["ser_time"].astype(float).where(answered),
            "wait_seconds": raw["q_time"].astype(float),
            "agent_id": agent,
        }
    )
    log = SessionLog(frame.sort_values("start").reset_index(drop=True), str(BANK))
    model, report = fit_chat_model(log, ChatModel())
    # README profile: answered calls have a mean handle time of 177 s.
    assert model.handle_seconds == pytest.approx(177.0, abs=1.5)
    assert report.answered == 27162 and report.abandoned == 5904
    expected_patience = raw["q_time"].sum() / abandoned.sum()
    assert model.patience_seconds == pytest.approx(expected_patience)
    # Phone calls: one at a time, so the concurrency slowdown and reply latency stay default.
    assert report.one_at_a_time
    assert model.throughput == ChatModel().throughput
    assert model.base_reply_seconds == ChatModel().base_reply_seconds
    assert set(report.kept_default) == {"throughput", "base_reply_seconds"}
    assert any("one-at-a-time" in note for note in report.notes)


def test_seeded_chat_log_recovers_a_known_slowdown() -> None:
    """Issue 18: six agents at cap 4 hold two to four chats at a time (a week simulated with a
    known throughput table, seeded), logged as a platform logs chats (wall-clock handle time from
    the first reply to the end); the fit recovers throughput(2..4) within 15%."""
    from datetime import date, datetime, timedelta

    from scheduler.domain import Roster, Shift
    from scheduler.simulate import simulate_roster

    true = (1.0, 1.6, 2.1, 2.4)
    chat = ChatModel(handle_seconds=600.0, base_reply_seconds=15.0, patience_seconds=900.0,
                     throughput=true)
    monday = datetime(2025, 3, 3)
    shifts = tuple(
        Shift(f"A{i}", monday + timedelta(days=d, hours=8), monday + timedelta(days=d, hours=20),
              4)
        for i in range(6) for d in range(7))
    demand = np.array([60.0 if 8 <= h % 24 < 20 else 0.0 for h in range(168)])
    result = simulate_roster(Roster(date(2025, 3, 3), shifts), demand, chat, seed=0,
                             cyclic=False)
    s = result.sessions
    held = s["concurrent_at_pickup"].value_counts()
    assert held[2] + held[3] + held[4] > 0.8 * len(s)  # mostly two to four at a time
    reply = s["start"] + pd.to_timedelta(s["first_reply_seconds"], unit="s")
    frame = pd.DataFrame({
        "start": s["start"], "first_reply": reply.where(s["replied"]),
        "end": s["end"].where(s["replied"]), "abandoned": s["abandoned"],
        "handle_seconds": (s["end"] - reply).dt.total_seconds().where(s["replied"]),
        "wait_seconds": s["first_reply_seconds"].where(s["replied"]),
        "agent_id": s["agent_id"]})
    model, report = fit_chat_model(SessionLog(frame, "simulated chats"), ChatModel())
    assert not report.one_at_a_time and "throughput" in report.fitted
    for j in (2, 3, 4):
        assert model.throughput[j - 1] == pytest.approx(true[j - 1], rel=0.15)
        assert model.slowdown(j) == pytest.approx(j / true[j - 1], rel=0.15)
    assert model.handle_seconds == pytest.approx(600.0, rel=0.15)
