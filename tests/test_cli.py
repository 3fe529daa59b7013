"""The command line: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler", *args], capture_output=True,
                          text=True, timeout=300)


def test_help_lists_commands() -> None:
    out = run_cli("--help")
    assert out.returncode == 0
    assert "inspect" in out.stdout


def test_inspect_sample_prints_profile(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", "--history", str(repo / "data" / "sample_history.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "12.0 weeks" in out
    assert "Busiest clock hours" in out
    assert "Mean handle time" in out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("timestamp,sessions\n2026-11-16 00:00,3\n2026-11-16 00:00,4\n", "row 3"),
        ("timestamp,sessions\n2026-11-16 00:00,3\n2026-11-17 00:00,4\n", "gap of"),
        ("timestamp,sessions\n2026-11-16 00:00,-3\n", "column 'sessions'"),
        ("timestamp,sessions\n2026-11-16 00:00,many\n", "not a number"),
        ("timestamp,sessions\n2026-11-16 00:15,3\n", "not on the hour"),
        ("when,what\n2026-11-16 00:00,3\n", "unknown column set"),
    ],
)
def test_bad_history_one_line_nonzero_no_traceback(
    tmp_path: Path, content: str, needle: str
) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content, encoding="utf-8")
    out = run_cli("inspect", "--history", str(p))
    assert out.returncode == 2
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: ") and "bad.csv" in lines[0] and needle in lines[0]
    assert "Traceback" not in out.stderr


def test_missing_file_and_missing_option() -> None:
    assert main(["inspect", "--history", "/no/such/file.csv"]) == 2
    assert main(["inspect"]) == 2
