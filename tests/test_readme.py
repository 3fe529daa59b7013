"""The README's examples run as written: every shell command it shows (its ```bash blocks and the
commands quoted in its text) runs in a scratch copy of the repository and leaves nothing there
that git does not ignore. The two commands at its top are what CI and users run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

TIME_LIMIT = "2"
"""Seconds for every command that plans (the README's limits of 30-60 s a plan would take this
test several minutes; what a plan is worth at its limit is the benchmarks' job)."""

PLACEHOLDERS = {"H": "data/sample_history.csv", "A": "data/sample_agents.csv", "N": "1",
                "log.csv": "data/sample_sessions.csv"}
"""What the README's command synopses (``scheduler backtest --history H ...``) stand for: the
bundled sample, one week."""

RUN_ELSEWHERE = {
    "python3 -m venv .venv": "makes the venv this test runs in",
    ".venv/bin/pip install": "installs the package this test runs",
    ".venv/bin/python -m pytest": "this very suite (test_ci_runs_the_readme_test_command)",
    ".venv/bin/python benchmarks/run_all.py": "the benchmarks: minutes, they rewrite the README",
    ".venv/bin/streamlit run app.py": "serves the app: its pages run under AppTest in tests/ui",
    "scheduler demo --share": "serves the app (demo runs here with --no-app)",
}
"""Commands the README shows that this test does not run, each with where it is covered."""


def bash_blocks(repo: Path) -> list[str]:
    text = (repo / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, re.DOTALL)


def readme_commands(text: str) -> list[str]:
    """Every shell command in a README, in its order: each line of its ```bash blocks
    (continuations joined, comments left out, ``a && b`` as two commands) and each command
    quoted in its text (`scheduler ...`, `.venv/bin/...`)."""
    found: list[tuple[int, str]] = []
    for block in re.finditer(r"```bash\n(.+?)\n```", text, re.DOTALL):
        for line in block.group(1).replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                found += [(block.start(), " ".join(part.split()))
                          for part in line.split(" && ")]
    fenced = [m.span() for m in re.finditer(r"```.*?```", text, re.DOTALL)]
    for span in re.finditer(r"`((?:\.venv/bin/|scheduler )[^`\n]+)`", text):
        if not any(a <= span.start() < b for a, b in fenced):
            found.append((span.start(), " ".join(span.group(1).split())))
    return [command for _, command in sorted(found, key=lambda f: f[0])]


def planning_commands() -> set[str]:
    """The CLI's commands that take --time-limit."""
    from scheduler.cli import app

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    return {name for name, command in commands.items()
            if any("--time-limit" in p.opts for p in command.params)}


def as_run(command: str, planning: set[str]) -> list[str]:
    """The argv that runs a README command here: this Python's ``-m scheduler`` for the
    console script, placeholders filled, the demo without its app, plans at TIME_LIMIT."""
    words = shlex.split(command)
    if words[0] not in (".venv/bin/scheduler", "scheduler"):
        return ["bash", "-c", command]
    args = [PLACEHOLDERS.get(w, w) for w in words[1:]]
    if args[0] == "demo" and "--no-app" not in args:
        args.append("--no-app")
    if args[0] in planning:
        if "--time-limit" in args:
            del args[args.index("--time-limit"):args.index("--time-limit") + 2]
        args += ["--time-limit", TIME_LIMIT]
    return [sys.executable, "-m", "scheduler", *args]


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=readme", "-c", "user.email=readme@test",
                           "-c", "commit.gpgsign=false", *args], cwd=folder, check=True,
                          capture_output=True, text=True).stdout


def scratch_clone(repo: Path, into: Path) -> Path:
    """The repository's tracked files as they are now (README edits included), committed in a
    fresh git repository, so that ``git status`` there shows what the examples leave behind."""
    into.mkdir()
    for name in git(repo, "ls-files", "-z").split("\0"):
        if name and (repo / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / name, into / name)
    git(into, "init", "-q")
    git(into, "add", "-A")
    git(into, "commit", "-q", "-m", "the repository as tested")
    return into


def test_ci_runs_the_readme_test_command(repo: Path) -> None:
    main_cmd, test_cmd = bash_blocks(repo)[:2]
    assert "pytest" in test_cmd and "demo" in main_cmd
    assert test_cmd in (repo / ".ci" / "run").read_text(encoding="utf-8")


def test_every_readme_command_finds_the_right_words() -> None:
    text = ("Run:\n\n```bash\n# a comment\n.venv/bin/scheduler plan --history H \\\n"
            "    --out out\nmake a && .venv/bin/scheduler demo\n```\n\nthen `scheduler publish "
            "--plan out`, not `scheduler.params.Rules`.\n\n```python\nx = `scheduler no`\n```\n")
    assert readme_commands(text) == [".venv/bin/scheduler plan --history H --out out",
                                     "make a", ".venv/bin/scheduler demo",
                                     "scheduler publish --plan out"]


@pytest.mark.slow
def test_every_readme_example_runs_as_written_and_leaves_no_untracked_files(
        repo: Path, tmp_path: Path) -> None:
    commands = readme_commands((repo / "README.md").read_text(encoding="utf-8"))
    not_run = {c for c in commands if any(c.startswith(p) for p in RUN_ELSEWHERE)}
    assert {p for p in RUN_ELSEWHERE if any(c.startswith(p) for c in commands)} \
        == set(RUN_ELSEWHERE), "RUN_ELSEWHERE names a command the README no longer shows"
    clone = scratch_clone(repo, tmp_path / "repo")
    env = {k: v for k, v in os.environ.items() if k != "SCHEDULER_DB"}
    planning, ran, failed = planning_commands(), set(), []
    for command in commands:
        argv = as_run(command, planning)
        if command in not_run or tuple(argv) in ran:
            continue
        ran.add(tuple(argv))
        done = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0 or "Traceback" in done.stderr:
            failed.append(f"{command}\n  exit {done.returncode}: {done.stderr.strip()[-600:]}")
    assert not failed, "README commands that fail as written:\n" + "\n".join(failed)
    assert len(ran) >= 10, f"only {len(ran)} README commands found: is the extraction broken?"
    left = git(clone, "status", "--porcelain", "--untracked-files=all")
    assert not left, f"the README's commands leave files git does not ignore:\n{left}"
    # and what the install commands (not run here) make is ignored too
    made = [".venv/bin/python", "chat_roster_scheduler.egg-info/PKG-INFO", "build/lib/x.py"]
    assert git(clone, "check-ignore", *made).split() == made
