"""The replay check: who was on duty, what the log records, the replay against it, `scheduler fit`.

The hand-made log (Monday 2025-03-03 and the night into Tuesday; times as the file has them):

    A  09:00:00 -> reply 09:00:30 -> end 09:10:00   duty A starts at the reply, 09:00:30
    -  09:20:00 -> reply 09:20:05 -> end 09:23:05   answered, no agent id: puts nobody on duty
    -  09:30:00 -> left  09:31:40 (abandoned)
    A  09:50:00 -> reply 09:50:00 -> end 10:05:00   40 min after 09:10: same duty, ends 10:05
    A  11:03:00 -> reply 11:06:00 -> end 11:20:00   61 min after 10:05 (from the reply): new duty;
                                                     waited exactly 180 s: within 3 minutes
    A  12:16:59 -> reply 12:20:00 -> end 12:30:00   exactly 60 min after 11:20: same duty;
                                                     waited 181 s: not within 3 minutes
    B  23:30:00 -> reply 23:30:00 -> end 23:45:00
    B  00:10:00 -> reply 00:10:00 -> end 00:20:00   Tuesday: a new day, a new duty
    B  00:12:00 -> reply 00:12:00 -> end 00:15:00   held with the one before: B's cap is 2
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.domain import Roster, SessionLog, Shift
from scheduler.io import read_sessions
from scheduler.params import ChatModel
from scheduler.simulate import (
    ReplayReport,
    away_duty,
    duty_from_log,
    empirical_patience,
    fit_duty_behaviour,
    recorded_rates,
    replay_week,
    simulate_roster,
)
from scheduler.simulate.replay import patience_curve
from scheduler.staffing import fit_chat_model

WEEK = date(2025, 3, 3)
MON = datetime(2025, 3, 3)
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_sessions.csv"

TINY = """session_id,start,first_reply,end,abandoned,handle_seconds,agent_id
a1,2025-03-03 09:00:00,2025-03-03 09:00:30,2025-03-03 09:10:00,false,570,A
x2,2025-03-03 09:20:00,2025-03-03 09:20:05,2025-03-03 09:23:05,false,180,
x1,2025-03-03 09:30:00,,2025-03-03 09:31:40,true,,
a2,2025-03-03 09:50:00,2025-03-03 09:50:00,2025-03-03 10:05:00,false,900,A
a3,2025-03-03 11:03:00,2025-03-03 11:06:00,2025-03-03 11:20:00,false,840,A
a4,2025-03-03 12:16:59,2025-03-03 12:20:00,2025-03-03 12:30:00,false,600,A
b1,2025-03-03 23:30:00,2025-03-03 23:30:00,2025-03-03 23:45:00,false,900,B
b2,2025-03-04 00:10:00,2025-03-04 00:10:00,2025-03-04 00:20:00,false,600,B
b3,2025-03-04 00:12:00,2025-03-04 00:12:00,2025-03-04 00:15:00,false,180,B
"""


def hm(h: int, m: int = 0, s: int = 0, day: int = 0) -> datetime:
    return MON + timedelta(days=day, hours=h, minutes=m, seconds=s)


@pytest.fixture
def tiny(tmp_path: Path) -> SessionLog:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY, encoding="utf-8")
    return read_sessions(path)


def test_duty_runs_from_first_reply_to_last_end_split_over_an_hour_and_at_midnight(
    tiny: SessionLog,
) -> None:
    duty = duty_from_log(tiny)
    assert duty.week_start == WEEK
    assert duty.shifts == (
        Shift("A", hm(9, 0, 30), hm(10, 5), 1),  # the 40-minute gap does not split
        Shift("A", hm(11, 6), hm(12, 30), 1),  # 61 minutes does; exactly 60 does not
        Shift("B", hm(23, 30), hm(23, 45), 2),  # B held two at once (00:12-00:15)
        Shift("B", hm(0, 10, day=1), hm(0, 20, day=1), 2),  # 25 minutes later, but Tuesday
    )


def test_duty_options_cap_gap_and_week(tiny: SessionLog) -> None:
    phone = duty_from_log(tiny, one_at_a_time=True)
    assert {s.agent_id: s.max_concurrent for s in phone.shifts} == {"A": 1, "B": 1}
    # a 30-minute rule splits A at 09:10 -> 09:50 (40 min) and 11:20 -> 12:20 (60 min)
    short = duty_from_log(tiny, gap_minutes=30)
    assert [(s.start, s.end) for s in short.for_agent("A")] == [
        (hm(9, 0, 30), hm(9, 10)),
        (hm(9, 50), hm(10, 5)),
        (hm(11, 6), hm(11, 20)),
        (hm(12, 20), hm(12, 30)),
    ]
    assert duty_from_log(tiny, week_start=date(2025, 3, 10)).shifts == ()


def test_recorded_rates_by_hand(tiny: SessionLog) -> None:
    chat = ChatModel()
    # Monday: 7 sessions; within 3 min: a1 (30 s), x2 (5 s), a2 (0), a3 (180 s), b1 (0) = 5;
    # replied: all but the abandoned x1 = 6; abandoned: 1.
    monday = recorded_rates(tiny, hm(0), hm(0, day=1), chat)
    assert (monday.sessions, monday.three_min_rate, monday.reply_rate,
            monday.abandonment_share) == (7, 5 / 7, 6 / 7, 1 / 7)
    week = recorded_rates(tiny, hm(0), hm(0, day=7), chat)
    assert (week.sessions, week.three_min_rate, week.reply_rate,
            week.abandonment_share) == (9, 7 / 9, 8 / 9, 1 / 9)
    # a 181-second deadline also counts a4
    assert recorded_rates(tiny, hm(0), hm(0, day=1),
                          chat.with_(answer_seconds=181.0)).three_min_rate == 6 / 7


def test_replay_of_the_tiny_log(tiny: SessionLog) -> None:
    """Nobody leaves, no reply latency, sessions without a logged handle time (only x1) take
    about a second: in the replay A picks up a1 at 09:00:30 (30 s), x2, x1 and a2 at once, a3 at
    11:06 (180 s) and a4 at once; B takes its three at once. Everything within 3 minutes."""
    chat = ChatModel(handle_seconds=1.0, base_reply_seconds=0.0, patience_seconds=math.inf,
                     throughput=(1.0, 1.5))
    report = replay_week(tiny, chat, WEEK, replications=3, seed=1)
    w, mon, tue = report.week, report.days[0], report.days[1]
    assert (w.simulated.three_min_rate, w.simulated.reply_rate,
            w.simulated.abandonment_share) == (1.0, 1.0, 0.0)
    assert w.difference_pp("three_min_rate") == pytest.approx(100 * 2 / 9)
    assert w.difference_pp("abandonment_share") == pytest.approx(-100 / 9)
    assert mon.difference_pp("reply_rate") == pytest.approx(100 / 7)
    assert tue.recorded.sessions == 2 and tue.difference_pp("three_min_rate") == 0.0
    assert math.isnan(report.days[2].recorded.three_min_rate)
    # on duty: A 64.5 + 84 min, B 15 + 10 min; idle while someone waited: x2's 5 s and x1's
    # 100 s (A free since 09:10) and a4's 181 s (A free since 11:20)
    assert report.on_duty_hours == pytest.approx((64.5 + 84 + 15 + 10) / 60)
    assert report.idle_while_waiting_hours == pytest.approx((5 + 100 + 181) / 3600)
    frame = report.frame()
    assert list(frame["period"]) == ["week", "Mon 03-03", "Tue 03-04", "Wed 03-05",
                                     "Thu 03-06", "Fri 03-07", "Sat 03-08", "Sun 03-09"]
    assert frame.loc[0, "recorded 3-min rate"] == round(7 / 9, 4)
    assert frame.loc[0, "difference abandonment (pp)"] == round(-100 / 9, 2)
    lines = report.lines()
    assert lines[0].startswith("Replay of the week of 2025-03-03")
    assert any(line.split()[:2] == ["week", "9"] for line in lines)


def test_replay_with_a_given_duty_leaves_the_uncovered_sessions_unanswered(
    tiny: SessionLog,
) -> None:
    """Only A, 09:00-13:00 at cap 2: Monday's six daytime sessions are answered at once; B's
    three (23:30, and 00:10 and 00:12 on Tuesday) wait for nobody."""
    chat = ChatModel(handle_seconds=1.0, base_reply_seconds=0.0, patience_seconds=math.inf,
                     throughput=(1.0, 1.5))
    duty = Roster(WEEK, (Shift("A", hm(9), hm(13), 2),))
    report = replay_week(tiny, chat, WEEK, duty=duty, replications=2)
    assert report.duty.shifts == duty.shifts and report.on_duty_hours == 4.0
    assert (report.week.simulated.three_min_rate, report.week.simulated.reply_rate,
            report.week.simulated.abandonment_share) == (6 / 9, 6 / 9, 0.0)
    assert report.days[1].simulated.reply_rate == 0.0


def _log_of(result_sessions: pd.DataFrame) -> SessionLog:
    """A simulated week as the platform would log it."""
    s = result_sessions
    reply = s["start"] + pd.to_timedelta(s["first_reply_seconds"], unit="s")
    frame = pd.DataFrame({
        "start": s["start"], "first_reply": reply.where(s["replied"]),
        "end": s["end"].where(s["replied"]), "abandoned": s["abandoned"],
        "handle_seconds": (s["end"] - reply).dt.total_seconds().where(s["replied"]),
        "wait_seconds": s["first_reply_seconds"].where(s["replied"]),
        "agent_id": s["agent_id"]})
    return SessionLog(frame, "simulated")


def test_recorded_rates_count_as_the_simulator_does() -> None:
    """A simulated week logged as a platform would: the log's rates are the simulator's."""
    shifts = tuple(Shift(f"a{i}", hm(8, day=d), hm(20, day=d), 3) for i in range(3)
                   for d in range(7))
    demand = np.array([25.0 if 7 <= h % 24 < 21 else 0.0 for h in range(168)])
    chat = ChatModel(handle_seconds=600.0, patience_seconds=240.0)
    result = simulate_roster(Roster(WEEK, shifts), demand, chat, seed=3, cyclic=False)
    log = _log_of(result.sessions)
    assert result.week.abandonment_share > 0.05 and result.week.three_min_rate < 0.95
    for period in (result.week, *result.days):
        got = recorded_rates(log, period.start, period.start + timedelta(hours=period.hours),
                             chat)
        assert got.sessions == period.sessions
        assert got.three_min_rate == period.three_min_rate or period.sessions == 0
        assert got.reply_rate == period.reply_rate or period.sessions == 0
        assert got.abandonment_share == period.abandonment_share or period.sessions == 0


@pytest.fixture(scope="module")
def sample_replay() -> ReplayReport:
    """The bundled real log: fitted on 1-21 February 1999, the week of 22 February replayed."""
    log = read_sessions(SAMPLE)
    week = date(1999, 2, 22)
    before = (log.frame["start"] < pd.Timestamp(week)).to_numpy()
    fit_log = SessionLog(log.frame.loc[before].reset_index(drop=True), log.source)
    chat, report = fit_chat_model(fit_log, ChatModel())
    behaviour = fit_duty_behaviour(fit_log, chat, one_at_a_time=report.one_at_a_time)
    duty = duty_from_log(log, week_start=week, one_at_a_time=report.one_at_a_time)
    return replay_week(log, chat, week, duty=duty, replications=20, seed=0, behaviour=behaviour)


def test_sample_replay_records_what_the_log_says(sample_replay: ReplayReport) -> None:
    # counted from data/sample_sessions.csv, 1999-02-22 .. 02-28: 7,099 sessions, 5,852
    # replied within 180 s, 6,247 replied, 852 abandoned
    w = sample_replay.week.recorded
    assert (w.sessions, w.three_min_rate, w.reply_rate, w.abandonment_share) == (
        7099, 5852 / 7099, 6247 / 7099, 852 / 7099)
    mon = sample_replay.days[0].recorded
    assert (mon.sessions, mon.three_min_rate) == (1444, 1140 / 1444)
    assert all(s.max_concurrent == 1 for s in sample_replay.duty.shifts)  # a phone log


def test_sample_replay_matches_within_two_points(sample_replay: ReplayReport) -> None:
    """Issue 18's done-when: the weekly 3-minute rate and abandonment within 2 pp, with the duty
    played as the fit weeks show it was worked (a third of it away while callers waited, in a
    rhythm fitted on those weeks, patience from their curve). Played as if every agent on duty
    took calls whenever one waited, the replay says 95.3% and 3.8% against the recorded 82.4%
    and 12.0% (the test below)."""
    b = sample_replay.behaviour
    assert b is not None and b.weeks == (date(1999, 2, 1), date(1999, 2, 8), date(1999, 2, 15))
    assert 0.25 <= b.away_share <= 0.40 and b.patience_times
    assert abs(sample_replay.week.difference_pp("three_min_rate")) <= 2.0
    assert abs(sample_replay.week.difference_pp("abandonment_share")) <= 2.0


def test_cli_fit_prints_the_fit_and_the_replay_and_writes_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["fit", "--sessions", str(SAMPLE), "--out", str(tmp_path), "--replications",
                 "2", "--fit-weeks", "2"])
    out = capsys.readouterr().out
    assert code == 0
    assert ("Fitted on 1999-02-08 .. 1999-02-21 (15,673 sessions); replaying the week of "
            "1999-02-22.") in out
    assert "handle_seconds: used" in out and "one-at-a-time" in out
    assert "Replay of the week of 1999-02-22" in out
    raw = (tmp_path / "fit.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    fit = pd.read_csv(tmp_path / "fit.csv", encoding="utf-8-sig")
    assert list(fit["parameter"]) == ["handle_seconds", "patience_seconds",
                                      "base_reply_seconds", "throughput"]
    assert list(fit["source"]) == ["fitted", "fitted", "default", "default"]
    replay = pd.read_csv(tmp_path / "replay.csv", encoding="utf-8-sig")
    assert len(replay) == 8 and replay.loc[0, "period"] == "week"
    assert replay.loc[0, "sessions"] == 7099
    assert replay.loc[0, "recorded 3-min rate"] == round(5852 / 7099, 4)


def test_cli_fit_defaults_to_the_last_full_week(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    """Sessions from Wednesday 2025-03-05 to Wednesday 2025-03-19: the last full week is the
    one of 03-10, fitted on what came before it."""
    rows = ["start,first_reply,end,abandoned,handle_seconds,agent_id"]
    for day in range(15):
        t = datetime(2025, 3, 5, 10) + timedelta(days=day)
        rows.append(f"{t:%Y-%m-%d %H:%M:%S},{t + timedelta(seconds=20):%Y-%m-%d %H:%M:%S},"
                    f"{t + timedelta(seconds=320):%Y-%m-%d %H:%M:%S},false,300,A")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["fit", "--sessions", str(path), "--replications", "1"]) == 0
    out = capsys.readouterr().out
    assert ("Fitted on 2025-03-05 .. 2025-03-09 (5 sessions); replaying the week of "
            "2025-03-10.") in out
    assert "kept default" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--replay-week", "1999-02-23"], "Monday"),
        (["--replay-week", "1999-02-01"], "nothing to fit"),
        (["--replay-week", "1999-03-08"], "no session"),
        (["--fit-weeks", "0"], "--fit-weeks"),
    ],
)
def test_cli_fit_bad_options_one_line(args: list[str], needle: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", "--sessions", str(SAMPLE), "--replications", "1", *args]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("error: ") and needle in err[0]


def test_cli_fit_bad_file_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "start,first_reply,end,abandoned,handle_seconds,agent_id\n"
        "2025-03-03 09:00:00,2025-03-03 09:00:10,2025-03-03 09:05:00,false,290,A\n"
        "2025-03-03 09:10:00,2025-03-03 09:10:10,2025-03-03 09:05:00,false,290,A\n",
        encoding="utf-8")
    assert main(["fit", "--sessions", str(path)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1
    assert err[0].startswith("error: ") and "bad.csv" in err[0] and "row 3" in err[0]


def test_sample_replay_as_if_every_agent_took_calls_is_optimistic(
    sample_replay: ReplayReport,
) -> None:
    """The same week played with the inferred duty as it stands (no away time, exponential
    patience): far above what the log records, which is why the duty behaviour is fitted."""
    plain = replay_week(read_sessions(SAMPLE), sample_replay.chat, sample_replay.week_start,
                        duty=sample_replay.duty, replications=5, seed=0)
    assert plain.week.difference_pp("three_min_rate") > 8.0
    assert plain.week.difference_pp("abandonment_share") < -5.0
    assert sample_replay.week.simulated.three_min_rate < plain.week.simulated.three_min_rate


def test_away_duty_by_hand() -> None:
    """Two agents 09:00-10:00, a quarter away every 30 minutes: A (first by name) is on for the
    first 22.5 minutes of each half hour from Monday 00:00, B the same a quarter of an hour
    later (half a cycle: two agents)."""
    duty = Roster(WEEK, (Shift("A", hm(9), hm(10), 1), Shift("B", hm(9), hm(10), 2)))
    away = away_duty(duty, 0.25, 1800.0)
    assert [(s.agent_id, s.start, s.end, s.max_concurrent) for s in away.shifts] == [
        ("A", hm(9), hm(9, 22, 30), 1),
        ("B", hm(9), hm(9, 7, 30), 2),
        ("B", hm(9, 15), hm(9, 37, 30), 2),
        ("A", hm(9, 30), hm(9, 52, 30), 1),
        ("B", hm(9, 45), hm(10), 2),
    ]
    on = sum((s.end - s.start).total_seconds() for s in away.shifts) / 60
    assert on == 22.5 + 22.5 + 7.5 + 22.5 + 15  # 90 of the 120 agent-minutes
    assert away_duty(duty, 0.0, 1800.0) is duty


def _waits_log(abandoned_at: list[float], answered_at: list[float]) -> SessionLog:
    rows = []
    for i, w in enumerate(abandoned_at + answered_at):
        start = MON + timedelta(hours=9, minutes=i)
        left = i < len(abandoned_at)
        reply = None if left else start + timedelta(seconds=w)
        rows.append({"start": start, "first_reply": reply,
                     "end": start + timedelta(seconds=w + (0 if left else 60)),
                     "abandoned": left, "handle_seconds": math.nan if left else 60.0,
                     "wait_seconds": w, "agent_id": None if left else "A"})
    frame = pd.DataFrame(rows)
    frame["first_reply"] = pd.to_datetime(frame["first_reply"])
    return SessionLog(frame, "waits")


def test_patience_curve_is_kaplan_meier_by_hand() -> None:
    """30 left after 10 s, 30 after 20 s, 30 answered after 25 s: at 10 s 90 waited and 30 left
    (2/3 still waiting), at 20 s 60 waited and 30 left (2/3 x 1/2 = 1/3)."""
    times, surv = patience_curve(_waits_log([10.0] * 30 + [20.0] * 30, [25.0] * 30))
    assert list(times) == [10.0, 20.0]
    assert surv == pytest.approx([2 / 3, 1 / 3])
    assert patience_curve(_waits_log([10.0] * 29, [25.0] * 30)) is None  # too few to fit
    draw = empirical_patience(times, surv, tail_mean=100.0)
    x = draw(np.random.default_rng(7), 30_000)
    assert np.mean(x == 10.0) == pytest.approx(1 / 3, abs=0.01)
    assert np.mean(x == 20.0) == pytest.approx(1 / 3, abs=0.01)
    beyond = x[x > 20.0]
    assert beyond.size / x.size == pytest.approx(1 / 3, abs=0.01)
    assert np.mean(beyond - 20.0) == pytest.approx(100.0, rel=0.05)  # the exponential tail


def test_duty_behaviour_of_a_team_that_never_idles_while_sessions_wait() -> None:
    """One agent, 5-minute sessions back to back from 09:00, each after the first arriving 2
    minutes before the one before ends and picked up as it ends: 78 minutes of waiting, never
    with the agent idle, so nothing is away and the rhythm is not fitted."""
    t = MON + timedelta(hours=9)
    reply = [t + timedelta(minutes=5 * i) for i in range(40)]
    start = [reply[0]] + [r - timedelta(minutes=2) for r in reply[1:]]
    frame = pd.DataFrame({"start": start, "first_reply": reply,
                          "end": [r + timedelta(minutes=5) for r in reply], "abandoned": False,
                          "handle_seconds": 300.0, "agent_id": "A"})
    frame["wait_seconds"] = (frame["first_reply"] - frame["start"]).dt.total_seconds()
    log = SessionLog(frame, "back-to-back")
    b = fit_duty_behaviour(log, ChatModel(), one_at_a_time=True)
    assert b.away_share == 0.0 and b.patience_times == ()
    assert "took sessions whenever one waited" in b.line()
