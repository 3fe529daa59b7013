"""The fixed benchmark instances of ``run_all.py`` (seeded, no network; see benchmarks/README.md).

Each instance is a week (or four) of demand, a team and the planning parameters:

1. ``sample``   the bundled sample shop, week 2026-11-23 (forecast from data/sample_history.csv,
                team data/sample_agents.csv, default parameters).
2. ``small``    a small shop: 1-3 agents an hour (where rounding to whole agents hurts most).
3. ``pwf``      the pyworkforce-shaped week: 4,560 sessions (600 per weekday, 780 per weekend day)
                on a shop's daily shape, 6-minute chats, 3 chats per agent, 8 h and 4 h shifts
                starting every hour, no breaks (pyworkforce cannot express them).
4. ``agency``   a large agency: 200 agents x 28 days x 30-minute intervals (1,344 intervals), the
                roster colleague's synthetic instance (``roster_instance.py``): roster stage only.
5. ``spike``    the sample week with Friday 20:00-23:00 x2.5 and a promotion day (Wednesday x1.6),
                same team.
6. ``bank``     a real week of the Anonymous Bank call centre (1999-05-02 .. 05-08, 6-minute counts
                summed to hours) re-dated to Monday 2026-11-23 and used as the forecast; a seeded
                45-agent team. Skipped with a note when /work/shared/data is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (str(ROOT), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import roster_instance  # noqa: E402  (the roster colleague's synthetic agency)

from scheduler.domain import Agent, Forecast, HourlyHistory, Requirements  # noqa: E402
from scheduler.forecast import Promotion  # noqa: E402
from scheduler.forecast.events import default_promotions  # noqa: E402
from scheduler.io import read_agents, read_history  # noqa: E402
from scheduler.params import ChatModel, PlanParams, Rules  # noqa: E402
from scheduler.pipeline import make_forecast  # noqa: E402

WEEK = date(2026, 11, 23)
"""The sample's planning week (a Monday); every one-week instance is dated to it."""
SHARED_DATA = Path("/work/shared/data")
BANK_COUNTS = SHARED_DATA / "anonymous_bank_1999-01-to-08_6min_counts.csv.gz"
BANK_WEEK_FIRST_DAY = date(1999, 5, 2)
"""A Sunday, the bank's first business day of the week; no holiday in the 7 days."""

SHOP_SHAPE = roster_instance.HOURLY_SHAPE / roster_instance.HOURLY_SHAPE.sum()
"""A shop's day: share of a day's sessions in each clock hour (quiet night, peaks 10-12,
14-17, 20-23), the roster colleague's profile normalised to 1."""


@dataclass
class Instance:
    """One benchmark instance.

    ``kind`` is 'pipeline' (a week with a forecast: the whole plan is timed and the roster is
    simulated) or 'roster' (requirements only: ``pipeline.plan_roster`` is timed, nothing
    simulated).
    """

    key: str
    title: str
    kind: str
    agents: tuple[Agent, ...]
    params: PlanParams
    time_limit: float
    history: HourlyHistory | None = None
    forecast: Forecast | None = None
    promotions: tuple[Promotion, ...] | None = None
    requirements: Requirements | None = None
    notes: list[str] = field(default_factory=list)
    """Facts a reader needs (sizes, what was assumed)."""

    def describe(self) -> str:
        return f"{self.title}: " + "; ".join(self.notes)


def forecast_from_hourly(week_start: date, sessions: np.ndarray, method: str) -> Forecast:
    """A 168-hour ``Forecast`` from given expected sessions (no band: low = high = value)."""
    values = np.asarray(sessions, dtype=float)
    if values.shape != (168,):
        raise ValueError(f"need 168 hourly values, got {values.shape}")
    hours = pd.date_range(datetime.combine(week_start, datetime.min.time()), periods=168, freq="h")
    frame = pd.DataFrame({"timestamp": hours, "sessions": values, "low": values,
                          "high": values, "overridden": np.zeros(168, dtype=bool)})
    return Forecast(week_start=week_start, frame=frame, method=method, notes=(method,))


# ---------------------------------------------------------------- 1. sample
def sample_week(time_limit: float) -> Instance:
    history = read_history(ROOT / "data" / "sample_history.csv")
    agents, _ = read_agents(ROOT / "data" / "sample_agents.csv")
    inst = Instance("sample", "Sample shop week 2026-11-23", "pipeline", tuple(agents),
                    PlanParams(), time_limit, history=history)
    inst.notes.append(f"{len(agents)} agents, {sum(a.max_hours_week for a in agents):g} h max; "
                      "forecast by pipeline.run (auto method) from 12 weeks of history")
    return inst


# ---------------------------------------------------------------- 2. small shop
def small_shop_sessions() -> np.ndarray:
    """~100 sessions a weekday, x1.25 at weekends: 1-3 agents an hour at cap 3-4."""
    days = [100.0 * (1.25 if d >= 5 else 1.0) for d in range(7)]
    return np.concatenate([d * SHOP_SHAPE for d in days])


def small_shop_agents() -> tuple[Agent, ...]:
    """7 agents: 5 full-timers (three may work nights), 2 part-timers on days/evenings."""
    day_mask = tuple(tuple(9 <= h < 23 for h in range(24)) for _ in range(7))
    return (
        Agent("S1", 4, 40.0, night_ok=True),
        Agent("S2", 4, 40.0, night_ok=True),
        Agent("S3", 3, 40.0, night_ok=True),
        Agent("S4", 3, 40.0, night_ok=False),
        Agent("S7", 3, 40.0, night_ok=False),
        Agent("S5", 3, 24.0, min_hours_week=12.0, available=day_mask, night_ok=False),
        Agent("S6", 3, 20.0, available=day_mask, night_ok=False),
    )


def small_shop(time_limit: float) -> Instance:
    sessions = small_shop_sessions()
    inst = Instance("small", "Small shop (1-3 agents an hour)", "pipeline",
                    small_shop_agents(), PlanParams(), time_limit,
                    forecast=forecast_from_hourly(WEEK, sessions, "small shop (synthetic)"))
    inst.notes.append(f"{sessions.sum():.0f} sessions/week, peak {sessions.max():.1f}/h; 7 agents "
                      "(caps 3-4, 244 h max); default chat model and rules")
    return inst


# ---------------------------------------------------------------- 3. pyworkforce-shaped week
PWF_WEEKDAY = 600.0
PWF_WEEKEND = 780.0
PWF_HANDLE_MINUTES = 6.0
PWF_CAP = 3
PWF_LENGTHS = (8.0, 4.0)


def pwf_sessions() -> np.ndarray:
    """4,560 sessions: 600 per weekday, 780 per weekend day, on the shop's daily shape."""
    days = [PWF_WEEKEND if d >= 5 else PWF_WEEKDAY for d in range(7)]
    return np.concatenate([d * SHOP_SHAPE for d in days])


def pwf_params() -> PlanParams:
    return PlanParams(
        chat=ChatModel(handle_seconds=PWF_HANDLE_MINUTES * 60),
        rules=Rules(shift_lengths_hours=PWF_LENGTHS, start_step_minutes=60,
                    break_after_hours=0.0, allowed_caps=(PWF_CAP,)),
    )


def pwf_agents(count: int = 14) -> tuple[Agent, ...]:
    """Full-timers at cap 3, available any hour (pyworkforce knows no names or rules)."""
    return tuple(Agent(f"P{i:02d}", PWF_CAP, 40.0) for i in range(1, count + 1))


def pwf_week(time_limit: float) -> Instance:
    sessions = pwf_sessions()
    inst = Instance("pwf", "pyworkforce-shaped week", "pipeline", pwf_agents(), pwf_params(),
                    time_limit, forecast=forecast_from_hourly(WEEK, sessions, "pwf week"))
    inst.notes.append(f"{sessions.sum():.0f} sessions/week (600 weekday, 780 weekend day), "
                      f"6-min chats, cap 3, shifts 8 h and 4 h every hour, no breaks; "
                      f"{len(inst.agents)} agents x 40 h")
    return inst


# ---------------------------------------------------------------- 4. large agency
AGENCY_AGENTS = 200
AGENCY_DAYS = 28


def agency(time_limit: float) -> Instance:
    req = roster_instance.requirements(AGENCY_DAYS)
    team = tuple(roster_instance.agents(AGENCY_AGENTS, seed=0))
    inst = Instance("agency", "Large agency, 200 agents x 28 days", "roster", team, PlanParams(),
                    time_limit, requirements=req)
    inst.notes.append(f"{req.intervals} intervals of {req.interval_minutes} min, "
                      f"{req.sessions.sum():,.0f} sessions; requirements from the synthetic "
                      "Erlang-C-on-slots stand-in of benchmarks/roster_instance.py; roster "
                      "stage only (no forecast week to simulate)")
    return inst


# ---------------------------------------------------------------- 5. spike week
SPIKE_FRIDAY = Promotion("Friday night x2.5", datetime(2026, 11, 27, 20),
                         datetime(2026, 11, 27, 23), 2.5, "custom")
SPIKE_DAY = Promotion("promotion day (Wednesday) x1.6", datetime(2026, 11, 25),
                      datetime(2026, 11, 26), 1.6, "platform")


def spike_week(time_limit: float) -> Instance:
    base = sample_week(time_limit)
    promos = (*default_promotions(2026), SPIKE_FRIDAY, SPIKE_DAY)
    inst = Instance("spike", "Spike week (sample + Fri 20-23 x2.5 + Wed x1.6)", "pipeline",
                    base.agents, PlanParams(), time_limit, history=base.history,
                    promotions=promos)
    inst.notes.append("sample history and team; promotions Fri 2026-11-27 20:00-23:00 x2.5 "
                      "and Wed 2026-11-25 all day x1.6 on top of the default calendar")
    return inst


# ---------------------------------------------------------------- 6. real bank week
def bank_hourly(path: Path = BANK_COUNTS, first_day: date = BANK_WEEK_FIRST_DAY) -> np.ndarray:
    d = pd.read_csv(path)
    ts = pd.to_datetime(d["date"] + " " + d["interval_start"])
    hourly = d.set_index(ts)["calls"].resample("h").sum()
    start = pd.Timestamp(first_day)
    week = hourly[start:start + pd.Timedelta(hours=167)]
    if len(week) != 168:
        raise ValueError(f"the real week has {len(week)} hours, not 168")
    return week.to_numpy(dtype=float)


BANK_AGENTS = 45


def bank_week(time_limit: float) -> Instance | None:
    if not BANK_COUNTS.exists():
        return None
    sessions = bank_hourly()
    team = tuple(roster_instance.agents(BANK_AGENTS, seed=1))
    inst = Instance("bank", "Real week (Anonymous Bank 1999-05-02..08)", "pipeline", team,
                    PlanParams(), time_limit,
                    forecast=forecast_from_hourly(WEEK, sessions, "real bank week"))
    inst.notes.append(f"{sessions.sum():,.0f} real calls, peak {sessions.max():.0f}/h, "
                      f"real Sun {BANK_WEEK_FIRST_DAY} -> Mon {WEEK}; treated as chats with the "
                      f"default chat model; {BANK_AGENTS}-agent seeded team "
                      "(roster_instance.agents, seed 1)")
    return inst


Builder = Callable[[float], "Instance | None"]

INSTANCES: dict[str, tuple[Builder, float]] = {
    # key: (builder, roster time limit in seconds per solve)
    "sample": (sample_week, 30.0),  # the issue: gap and quality within 30 s
    "small": (small_shop, 15.0),
    "pwf": (pwf_week, 20.0),
    "agency": (agency, 120.0),  # the budget for this size
    "spike": (spike_week, 30.0),
    "bank": (bank_week, 30.0),
}


def build(key: str, time_scale: float = 1.0) -> Instance | None:
    builder, limit = INSTANCES[key]
    return builder(max(5.0, limit * time_scale))


def make_instance_forecast(inst: Instance) -> Forecast:
    """The week's forecast (the pipeline's own forecast for history-based instances)."""
    if inst.forecast is not None:
        return inst.forecast
    assert inst.history is not None
    return make_forecast(inst.history, WEEK, promotions=inst.promotions)

