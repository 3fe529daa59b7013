"""Helpers for the forecast tests: build an HourlyHistory from an array of hourly counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.domain import HourlyHistory

REAL_COUNTS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "anonymous_bank_1999-01-to-08_6min_counts.csv.gz"
)

MakeHistory = Callable[..., HourlyHistory]


def build_history(start: datetime, sessions: np.ndarray, source: str = "test") -> HourlyHistory:
    """An hourly history starting at ``start`` with the given sessions per hour."""
    values = np.asarray(sessions, dtype=float)
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range(start, periods=len(values), freq="h"),
            "sessions": np.rint(values).astype(np.int64)
            if np.allclose(values, np.rint(values))
            else values,
            "avg_handle_seconds": np.nan,
            "first_reply_seconds": np.nan,
            "replied_share": np.nan,
        }
    )
    return HourlyHistory(frame=frame, source=source)


@pytest.fixture
def make_history() -> MakeHistory:
    return build_history


@pytest.fixture(scope="session")
def real_history() -> HourlyHistory:
    """The anonymous bank's 6-minute call counts (Jan-Aug 1999) summed to clock hours."""
    if not REAL_COUNTS.exists():
        pytest.skip(f"real data not found at {REAL_COUNTS} (only the project is here)")
    raw = pd.read_csv(REAL_COUNTS)
    ts = pd.to_datetime(raw["date"] + " " + raw["interval_start"])
    hourly = raw.set_index(ts)["calls"].resample("h").sum()
    return build_history(
        hourly.index[0].to_pydatetime(), np.rint(hourly.to_numpy()), REAL_COUNTS.name
    )
