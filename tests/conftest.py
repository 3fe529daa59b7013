"""Shared fixtures: paths to the bundled sample and to the real data in ../shared (optional)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def shared_data() -> Path:
    """The real call-centre files; tests that need them skip (with the reason) on a machine
    that has only the project."""
    if not (SHARED_DATA / "anonymous_bank_1999-02_calls.csv.gz").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (only the project is here)")
    return SHARED_DATA
