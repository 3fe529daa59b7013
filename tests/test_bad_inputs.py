"""A new user's mistakes, one case each: every bad file and flag gives exactly one line on
stderr, naming what is wrong, exit 2, no traceback, and nothing written (the output folder is
not made, or holds what it held). Ctrl-C at two moments of a solve is in test_interrupt.py.

Each case is ``(id, command, files, expected words)``: ``files`` maps a file name to its text,
written into the case's folder; ``{d}`` in the command is that folder, ``{data}`` the bundled
sample's folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.book import Book
from scheduler.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"

HIST = "--history {data}/sample_history.csv"
AGENTS = "--agents {data}/sample_agents.csv"
PLAN = f"plan {HIST} {AGENTS} --out {{d}}/out --time-limit 2 --replications 1"
FORECAST = f"forecast {HIST} --out {{d}}/out"
AGENT_HEAD = "agent_id,max_concurrent,max_hours_week\n"
ROSTER_HEAD = "agent_id,start,end,max_concurrent\n"
ROSTER_ROW = "A01,2026-11-23 09:00,2026-11-23 17:00,3\n"

CASES: list[tuple[str, str, dict[str, str], tuple[str, ...]]] = [
    # ---- history files
    ("history missing", "inspect --history {d}/none.csv", {}, ("none.csv", "not found")),
    ("history is a folder", "inspect --history {d}", {}, ("folder",)),
    ("history empty", "inspect --history {d}/h.csv", {"h.csv": ""}, ("h.csv", "empty")),
    ("history header only", "inspect --history {d}/h.csv", {"h.csv": "timestamp,sessions\n"},
     ("h.csv", "no data rows")),
    ("history duplicate hour", "inspect --history {d}/h.csv",
     {"h.csv": "timestamp,sessions\n2026-11-16 00:00,3\n2026-11-16 00:00,4\n"},
     ("h.csv", "row 3")),
    ("history negative count", "inspect --history {d}/h.csv",
     {"h.csv": "timestamp,sessions\n2026-11-16 00:00,-3\n"}, ("h.csv", "row 2", "sessions")),
    ("history text count", "inspect --history {d}/h.csv",
     {"h.csv": "timestamp,sessions\n2026-11-16 00:00,many\n"}, ("h.csv", "not a number")),
    ("history off the hour", "inspect --history {d}/h.csv",
     {"h.csv": "timestamp,sessions\n2026-11-16 00:15,3\n"}, ("h.csv", "on the hour")),
    ("history bad date", "inspect --history {d}/h.csv",
     {"h.csv": "timestamp,sessions\n2026-13-45 00:00,3\n"}, ("h.csv", "row 2", "timestamp")),
    ("history unknown columns", "inspect --history {d}/h.csv",
     {"h.csv": "when,what\n2026-11-16 00:00,3\n"}, ("h.csv", "column")),
    ("history extra cells", "inspect --history {d}/h.csv",
     {"h.csv": "timestamp,sessions\n2026-11-16 00:00,3,9\n"}, ("h.csv", "row 2", "cells")),
    ("history two columns one meaning", "inspect --history {d}/h.csv",
     {"h.csv": "timestamp,sessions,会话量\n2026-11-16 00:00,3,3\n"}, ("h.csv", "two columns")),
    ("history not text", "inspect --history {d}/h.csv", {"h.csv": "\udcff\udcfe\x00\x01"},
     ("h.csv",)),
    ("history broken workbook", "inspect --history {d}/h.xlsx", {"h.xlsx": "PK\x03\x04broken"},
     ("h.xlsx", "XLSX")),
    ("history too short to plan", f"{PLAN.replace(HIST, '--history {d}/h.csv')}",
     {"h.csv": "timestamp,sessions\n2026-11-16 00:00,3\n2026-11-16 01:00,4\n"},
     ("h.csv", "hours")),
    # ---- agents files
    ("agents missing", f"{PLAN.replace(AGENTS, '--agents {d}/none.csv')}", {},
     ("none.csv", "not found")),
    ("agent id a formula", f"{PLAN.replace(AGENTS, '--agents {d}/a.csv')}",
     {"a.csv": AGENT_HEAD + "=cmd,3,40\n"}, ("a.csv", "row 2", "agent_id")),
    ("agent cap zero", f"{PLAN.replace(AGENTS, '--agents {d}/a.csv')}",
     {"a.csv": AGENT_HEAD + "A01,0,40\n"}, ("a.csv", "row 2", "max_concurrent")),
    ("agent hours text", f"{PLAN.replace(AGENTS, '--agents {d}/a.csv')}",
     {"a.csv": AGENT_HEAD + "A01,3,forty\n"}, ("a.csv", "row 2", "max_hours_week")),
    ("agent twice", f"{PLAN.replace(AGENTS, '--agents {d}/a.csv')}",
     {"a.csv": AGENT_HEAD + "A01,3,40\nA01,3,40\n"}, ("a.csv", "row 3", "A01")),
    ("agents without ids", f"{PLAN.replace(AGENTS, '--agents {d}/a.csv')}",
     {"a.csv": "max_concurrent,max_hours_week\n3,40\n"}, ("a.csv", "agent_id")),
    ("agents column misspelt", f"{PLAN.replace(AGENTS, '--agents {d}/a.csv')}",
     {"a.csv": "agent_id,max_concurrent,max_hour_week\nA01,3,20\n"},
     ("a.csv", "row 1", "max_hour_week", "max_hours_week")),
    ("history column misspelt", "inspect --history {d}/h.csv",
     {"h.csv": "timestamp,sessions,avg_handle_second\n2026-11-16 00:00,3,300\n"},
     ("h.csv", "avg_handle_second", "avg_handle_seconds")),
    # ---- flags
    ("week not a Monday", f"{FORECAST} --week-start 2026-11-24", {}, ("Monday",)),
    ("week not a date", f"{FORECAST} --week-start next-week", {}, ("YYYY-MM-DD",)),
    ("target above 1", f"{PLAN} --target 1.5", {}, ("target",)),
    ("unknown mode", f"{PLAN} --mode sideways", {}, ("mode",)),
    ("interval not 15/30/60", f"{PLAN} --interval-minutes 7", {}, ("interval",)),
    ("negative time limit", f"{PLAN} --time-limit -1", {}, ("time",)),
    ("no replications", f"{PLAN} --replications 0", {}, ("replications",)),
    ("chance above 1", f"{PLAN} --chance 1.5", {}, ("chance",)),
    ("retired --confidence", f"{PLAN} --confidence 0.9", {}, ("--confidence", "--chance")),
    ("negative fairness weeks", f"{PLAN} --fairness-weeks -1", {}, ("fairness",)),
    ("out is a file", f"{FORECAST.replace('{d}/out', '{d}/f.txt')}", {"f.txt": "mine\n"},
     ("f.txt", "file")),
    ("out inside a file", f"{FORECAST.replace('{d}/out', '{d}/f.txt/sub')}",
     {"f.txt": "mine\n"}, ("f.txt", "file")),
    ("staffing cap out of range", "staffing --sessions-per-hour 100 --cap 99", {}, ("cap",)),
    ("staffing target above 1", "staffing --sessions-per-hour 100 --target 2", {},
     ("target",)),
    ("unknown option", f"{FORECAST} --colour blue", {}, ("colour",)),
    # ---- rules, tuning, promotions
    ("rules missing", f"{PLAN} --rules {{d}}/none.toml", {}, ("none.toml", "not found")),
    ("rules not TOML", f"{PLAN} --rules {{d}}/r.toml", {"r.toml": "min_rest_hours = = 11\n"},
     ("r.toml", "TOML")),
    ("rules unknown key", f"{PLAN} --rules {{d}}/r.toml", {"r.toml": "min_rest_hour = 11\n"},
     ("r.toml", "min_rest_hour")),
    ("rules wrong type", f"{PLAN} --rules {{d}}/r.toml", {"r.toml": "min_rest_hours = 'x'\n"},
     ("r.toml", "min_rest_hours")),
    ("tuning unknown key", f"{PLAN} --tuning {{d}}/t.toml", {"t.toml": "patiense = 60\n"},
     ("t.toml", "patiense")),
    ("promotion multiplier text", f"{FORECAST} --promotions {{d}}/p.csv",
     {"p.csv": "name,start,end,multiplier\nlive,2026-11-27 20:00,2026-11-27 23:00,lots\n"},
     ("p.csv", "row 2", "multiplier")),
    ("promotions and no promotions", f"{FORECAST} --promotions {{d}}/p.csv --no-promotions",
     {"p.csv": "name,start,end,multiplier\nlive,2026-11-27 20:00,2026-11-27 23:00,2\n"},
     ("promotions",)),
    # ---- rosters and plan folders
    ("simulate without a roster", "simulate --forecast {d}/f.csv --out {d}/out", {},
     ("roster",)),
    ("roster ends before it starts", "simulate --roster {d}/r.csv --arrivals "
     "{data}/sample_sessions.csv --out {d}/out",
     {"r.csv": ROSTER_HEAD + "A01,2026-11-23 17:00,2026-11-23 09:00,3\n"}, ("r.csv", "row 2")),
    ("roster cap text", "simulate --roster {d}/r.csv --arrivals {data}/sample_sessions.csv "
     "--out {d}/out", {"r.csv": ROSTER_HEAD + "A01,2026-11-23 09:00,2026-11-23 17:00,x\n"},
     ("r.csv", "row 2", "max_concurrent")),
    ("simulate a folder that is no plan", "simulate --plan {d}/p --out {d}/out",
     {"p/notes.txt": "mine\n"}, ("summary.json",)),
    ("publish a folder that is no plan", "publish --plan {d}/p --db sqlite:///{d}/b.sqlite",
     {"p/notes.txt": "mine\n"}, ("not a plan folder", "run plan again")),
    ("publish an older plan folder", "publish --plan {d}/p --db sqlite:///{d}/b.sqlite",
     {"p/plan.pickle": "\x80\x04K\x01.", "p/summary.json": '{"agent_hours": 1}',
      "p/roster.csv": ROSTER_HEAD + ROSTER_ROW}, ("older version", "run plan again")),
    # ---- the roster book
    ("book driver missing", "book --db postgresql+psycopg2://u:secret@localhost/x", {},
     ("psycopg2", "not installed", "postgres")),
    ("book not a database", "book --db sqlite:///{d}/b.sqlite", {"b.sqlite": "not a db\n"},
     ("b.sqlite", "roster book")),
    ("book week not there", "book --db sqlite:///{d}/b.sqlite --week 2026-11-23 --diff 1 2", {},
     ("2026-11-23",)),
    ("replan an unpublished week", "replan --db sqlite:///{d}/b.sqlite --week 2026-11-23 "
     "--keep-before '2026-11-25 12:00'", {}, ("2026-11-23",)),
    # ---- session logs
    ("sessions missing columns", "fit --sessions {d}/s.csv",
     {"s.csv": "id,when\n1,1999-02-01 07:00:00\n"}, ("s.csv",)),
    ("sessions bad time", "fit --sessions {d}/s.csv",
     {"s.csv": "start,first_reply,end\nyesterday,1999-02-01 07:00:00,1999-02-01 07:01:00\n"},
     ("s.csv", "row 2", "start")),
]


def _argv(command: str, folder: Path) -> list[str]:
    import shlex

    return shlex.split(command.format(d=folder, data=DATA))


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if "\udcff" in text:
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
        else:
            path.write_text(text, encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_the_list_is_long_enough() -> None:
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("command", "files", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_bad_input_is_one_line_and_exit_2(command: str, files: dict[str, str],
                                             words: tuple[str, ...], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, files)
    if "sqlite:///{d}/b.sqlite" in command and "b.sqlite" not in files:
        Book(f"sqlite:///{tmp_path / 'b.sqlite'}")  # an empty book
    before = _snapshot(tmp_path)
    code = main(_argv(command, tmp_path))
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if not line.startswith("warning: ")]
    assert code == 2, err
    assert len(errors) == 1, err
    assert errors[0].startswith("error: "), err
    assert "Traceback" not in err and "secret" not in err
    for w in words:
        assert w in errors[0], (w, errors[0])
    assert _snapshot(tmp_path) == before  # nothing written, nothing changed
