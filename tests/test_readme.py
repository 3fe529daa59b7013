"""The README's two commands are what CI and users run: keep them honest."""

from __future__ import annotations

import re
from pathlib import Path


def readme_commands(repo: Path) -> list[str]:
    text = (repo / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_ci_runs_the_readme_test_command(repo: Path) -> None:
    main_cmd, test_cmd = readme_commands(repo)
    assert "pytest" in test_cmd and "demo" in main_cmd
    assert test_cmd in (repo / ".ci" / "run").read_text(encoding="utf-8")
