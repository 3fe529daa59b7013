"""Ctrl-C anywhere: the real CLI in its own process, a real SIGINT sent at a moment read off its
output (not a wall-clock guess); it ends with exit code 130 and one line, no traceback, and
leaves no file or roster-book version half-written."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from scheduler.book import Book
from scheduler.cli import EXIT_INTERRUPTED, INTERRUPTED, main
from scheduler.domain import Roster
from scheduler.io import (
    read_plan_summary,
    read_roster,
    write_csv,
    write_json,
    write_text,
    written_together,
)

REPO = Path(__file__).resolve().parents[1]
HISTORY = str(REPO / "data" / "sample_history.csv")
AGENTS = str(REPO / "data" / "sample_agents.csv")
WEEK = date(2026, 11, 23)  # the week after the sample history
PROGRESS = "  solving ["


class Cli:
    """``python -m scheduler ARGS`` run in this checkout (first on the path), its output read
    line by line as it comes. The child starts with Ctrl-C at its default, as in a terminal (a
    test run in the background would otherwise hand it an ignored SIGINT)."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scheduler", *args], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
        self.seen: list[str] = []
        self.mark = 0
        self.ended = 0  # streams at their end
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._read, args=(name, stream), daemon=True).start()

    def _read(self, name: str, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put((name, line.rstrip("\n")))
        self.lines.put((name, None))

    def _next(self, deadline: float) -> str | None:
        """The next line, None at the end of both streams."""
        while self.ended < 2:
            try:
                _name, line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.proc.kill()
                raise AssertionError("no output in time; so far:\n"
                                     + "\n".join(self.seen)) from None
            if line is not None:
                self.seen.append(line)
                return line
            self.ended += 1
        return None

    def wait_for(self, text: str, timeout: float = 400.0) -> None:
        """Until a line containing ``text`` (on either stream) has been printed."""
        deadline = time.monotonic() + timeout
        while (line := self._next(deadline)) is not None:
            if text in line:
                return
        raise AssertionError(f"ended before {text!r}:\n" + "\n".join(self.seen))

    def ctrl_c(self, times: int = 1, *, after: float = 0.0) -> None:
        """``times`` Ctrl-C, 0.2 s apart, the first ``after`` seconds from now."""
        time.sleep(after)
        self.mark = len(self.seen)
        for k in range(times):
            if k:
                time.sleep(0.2)
            self.proc.send_signal(signal.SIGINT)

    def finish(self, timeout: float = 120.0) -> tuple[int, list[str]]:
        """The exit code and the lines printed after the Ctrl-C, the search's progress lines
        left out (one may be on its way when the signal lands)."""
        deadline = time.monotonic() + timeout
        while self._next(deadline) is not None:
            pass
        code = self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        assert not any("Traceback" in line or "terminate called" in line for line in self.seen)
        return code, [x for x in self.seen[self.mark:] if not x.startswith(PROGRESS)]


def leftovers(folder: Path) -> list[str]:
    """Every file in ``folder`` (temporary ones included); none when it does not exist."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@dataclass(frozen=True)
class Published:
    plan: Path
    db: str


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The bundled sample's week planned (short) and published to a fresh book."""
    tmp = tmp_path_factory.mktemp("interrupt")
    assert main(["plan", "--history", HISTORY, "--agents", AGENTS, "--out", str(tmp / "plan"),
                 "--time-limit", "4", "--replications", "2", "--week-start", str(WEEK)]) == 0
    db = f"sqlite:///{tmp / 'book.sqlite'}"
    assert main(["publish", "--plan", str(tmp / "plan"), "--db", db]) == 0
    return Published(tmp / "plan", db)


@pytest.mark.parametrize(("moment", "time_limit", "presses"), [
    ("solving [start]", "60", 1),  # half a second into the first solve's re-solves
    ("solving [done]", "4", 2),  # the exact-check and rule-cost re-solves, then simulation
])
def test_ctrl_c_during_a_plan(tmp_path: Path, moment: str, time_limit: str,
                              presses: int) -> None:
    """Before: CP-SAT's own SIGINT handler, swapped in and out by the re-solves' threads,
    aborted the process (``std::bad_function_call``, exit 134 in a shell, -6 here), or the
    second Ctrl-C killed it (-2); when it did exit 130 it said nothing."""
    out = tmp_path / "out"
    run = Cli("plan", "--history", HISTORY, "--agents", AGENTS, "--out", str(out),
              "--time-limit", time_limit, "--week-start", str(WEEK))
    run.wait_for(moment)
    run.ctrl_c(presses, after=0.5)
    code, after = run.finish()
    assert (code, after) == (EXIT_INTERRUPTED, [INTERRUPTED])
    assert leftovers(out) == []


def test_ctrl_c_during_a_simulation(published: Published, tmp_path: Path) -> None:
    out = tmp_path / "sim"
    run = Cli("simulate", "--plan", str(published.plan), "--out", str(out),
              "--replications", "1000")
    run.wait_for("Simulating the week of")  # printed just before the replications start
    run.ctrl_c()
    code, after = run.finish()
    assert (code, after) == (EXIT_INTERRUPTED, [INTERRUPTED])
    assert leftovers(out) == []


def test_ctrl_c_during_a_backtest(tmp_path: Path) -> None:
    """After the first of two plans (made and replayed, nothing written yet)."""
    out = tmp_path / "bt"
    run = Cli("backtest", "--history", HISTORY, "--agents", AGENTS, "--out", str(out),
              "--weeks", "1", "--time-limit", "2")
    run.wait_for("1/2 week of")
    run.ctrl_c()
    code, after = run.finish()
    assert (code, after) == (EXIT_INTERRUPTED, [INTERRUPTED])
    assert leftovers(out) == []


def test_ctrl_c_during_a_replan(published: Published, tmp_path: Path) -> None:
    """In the re-plan's search: nothing published, no roster.csv."""
    out = tmp_path / "replan"
    run = Cli("replan", "--week", str(WEEK), "--keep-before", f"{WEEK:%Y-%m}-25 12:00",
              "--db", published.db, "--time-limit", "60", "--out", str(out))
    run.wait_for("solving [start]")
    run.ctrl_c()
    code, after = run.finish()
    assert (code, after) == (EXIT_INTERRUPTED, [INTERRUPTED])
    assert leftovers(out) == []
    assert [v.number for v in Book(published.db).versions(WEEK)] == [1]


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Python's own Ctrl-C handler in this process (a run in the background starts with
    Ctrl-C ignored), put back afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_in_the_middle_of_a_publish(published: Published, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           ctrl_c_raises: None) -> None:
    """A publish takes a fraction of a second, too short to aim a signal at from outside: the
    SIGINT is raised in this process by the database driver's hook just before the version's
    inputs are inserted, after its row and its shifts. The transaction rolls back: the book
    holds version 1 alone, whole."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    db = f"sqlite:///{tmp_path / 'book.sqlite'}"
    planned, _ = read_roster(published.plan / "roster.csv")
    first = Roster(WEEK, planned.shifts[1:])  # version 1: the plan less one shift
    Book(db).publish(first, agent_hours=1.0, summary={}, inputs={})
    shifts = len(Book(db).roster(WEEK).shifts)

    def ctrl_c_before_inputs(conn: object, cursor: object, statement: str, *args: object
                             ) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INPUTS"):
            signal.raise_signal(signal.SIGINT)

    event.listen(Engine, "before_cursor_execute", ctrl_c_before_inputs)
    try:
        code = main(["publish", "--plan", str(published.plan), "--db", db])
    finally:
        event.remove(Engine, "before_cursor_execute", ctrl_c_before_inputs)
    err = capsys.readouterr()
    assert (code, err.err.splitlines(), err.out) == (EXIT_INTERRUPTED, [INTERRUPTED], "")
    book = Book(db)
    assert [v.number for v in book.versions(WEEK)] == [1]
    assert len(book.roster(WEEK).shifts) == shifts
    capsys.readouterr()
    assert main(["publish", "--plan", str(published.plan), "--db", db]) == 0
    assert [v.number for v in book.versions(WEEK)] == [1, 2]


def test_a_folder_written_together_is_all_old_or_all_new(
        tmp_path: Path, ctrl_c_raises: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan folder written file by file: a Ctrl-C between two files leaves the old plan
    whole (no new file beside old ones, no temporary file); one during the renames is held
    until every new file is in place."""
    import pandas as pd

    folder = tmp_path / "plan"
    write_text("old roster", folder / "roster.csv")
    write_text("old summary", folder / "summary.json")
    with pytest.raises(KeyboardInterrupt), written_together():
        write_csv(pd.DataFrame({"agent_id": ["A01"]}), folder / "roster.csv")
        signal.raise_signal(signal.SIGINT)
        write_text("new summary", folder / "summary.json")
    assert leftovers(folder) == ["roster.csv", "summary.json"]
    assert [(folder / n).read_text(encoding="utf-8-sig") for n in leftovers(folder)] == [
        "old roster", "old summary"]

    real_replace = os.replace
    calls: list[object] = []

    def ctrl_c_on_first_rename(src: object, dst: object) -> None:
        if not calls:
            signal.raise_signal(signal.SIGINT)
        calls.append(dst)
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", ctrl_c_on_first_rename)
    with pytest.raises(KeyboardInterrupt), written_together():
        write_text("new roster", folder / "roster.csv")
        write_json({"agent_hours": 1}, folder / "summary.json")
    monkeypatch.undo()
    assert len(calls) == 2
    assert leftovers(folder) == ["roster.csv", "summary.json"]
    assert "new roster" in (folder / "roster.csv").read_text(encoding="utf-8-sig")
    assert read_plan_summary(folder) == {"agent_hours": 1}
