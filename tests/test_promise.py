"""The chance a roster keeps each promise over scenario weeks (issue 29 item 3): by hand on a
two-hour day, each promise just inside and just outside its limit, the queueing model against
the event simulator on the same 200 weeks, and the same seed giving the same chances."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scheduler.domain import Arrivals, Forecast, Roster, Shift, week_hours
from scheduler.params import ChatModel, PlanParams, ServiceTarget
from scheduler.pipeline import requirements_for
from scheduler.report import (
    PlanSummary,
    hour_rates,
    promise_chance,
    promise_lines,
    scenario_counts,
    simulated_map,
)
from scheduler.risk import REPLAYS, RateMap, promise_chances, rate_curves, rate_map
from scheduler.simulate import simulate_roster

WEEK = date(2026, 11, 23)
TARGET = 0.8


def _misses(x: int, r: float, need: int) -> float:
    """P(fewer than ``need`` of ``x`` sessions answered in time), each in time with chance
    ``r``: the binomial sum written out."""
    return sum(math.comb(x, k) * r**k * (1 - r) ** (x - k) for k in range(need))


def test_a_two_hour_day_by_hand() -> None:
    # hour 1 is held by a thin team (its rate falls 10 points a session), hour 2 by a wide one
    # (1 point a session): the rates are linear, so the tabulated curves are exact
    curves = rate_curves([lambda x: 1 - x / 10, lambda x: 1 - x / 100],
                         np.array([[2, 10], [4, 10], [4, 5], [5, 10], [0, 30], [0, 0]]))
    weeks = np.array([
        [2, 10],  # rates .8, .9: hour 2 alone is busy; day (1.6 + 9) / 12 = .883 keeps
        [4, 10],  # .6, .9: hour 1 is not busy (4 < 5); day (2.4 + 9) / 14 = .814 keeps
        [4, 5],   # .6, .95: hour 2 alone is busy; day (2.4 + 4.75) / 9 = .794 misses
        [5, 10],  # .5, .9: both busy, rate .5 below target; day 11.5 / 15 = .767 misses
        [0, 30],  # 1, .7: hour 2 busy, below target; day 21 / 30 = .7 misses
        [0, 0],   # no sessions: nothing to miss
    ])
    rates = curves.at(weeks)
    assert rates[:, 0] == pytest.approx([0.8, 0.6, 0.6, 0.5, 1.0, 1.0])
    chance = promise_chances(weeks, rates, TARGET, per_hour_share=0.95)
    # per hour: with one or two busy hours, 95% of them is all of them; an hour of 10
    # sessions keeps 80% with 8 in time, of 5 with 4, of 30 with 24
    ten = 1 - _misses(10, 0.9, 8)
    kept = [ten, ten, 1 - _misses(5, 0.95, 4), (1 - _misses(5, 0.5, 4)) * ten,
            1 - _misses(30, 0.7, 24), 1.0]
    assert 1 - _misses(5, 0.5, 4) == pytest.approx(6 / 32)  # 5 or 4 heads of 5 coins
    assert chance.per_hour == pytest.approx(sum(kept) / 6)
    assert chance.daily == pytest.approx(3 / 6)  # weeks 1, 2, 6
    assert chance.weekly == chance.daily  # one day is the week
    # busy hours whose rate is below target: 0, 0, 0, 1, 1, 0; busy hours: 1, 1, 1, 2, 1, 0
    assert chance.below.expected == pytest.approx(2 / 6)
    assert (chance.below.low, chance.below.high, chance.below.judged) == (0, 1, 1)
    assert chance.scenarios == 6


def _hours(kept: int, missed: int) -> tuple[np.ndarray, np.ndarray]:
    """A day of busy hours of 10 sessions that surely keep the target (all in time) or surely
    miss it (none in time), the rest empty."""
    x = np.zeros((1, 24))
    r = np.ones((1, 24))
    x[0, :kept + missed] = 10
    r[0, kept:kept + missed] = 0.0
    return x, r


def test_per_hour_promise_at_its_share() -> None:
    # 19 of 20 busy hours keep: 95%, kept; 18 of 20: 90%, missed
    assert promise_chances(*_hours(19, 1), TARGET, per_hour_share=0.95).per_hour == 1.0
    assert promise_chances(*_hours(18, 2), TARGET, per_hour_share=0.95).per_hour == 0.0
    # the share is the parameter's: at 0.9, 18 of 20 keep it
    assert promise_chances(*_hours(18, 2), TARGET, per_hour_share=0.9).per_hour == 1.0
    assert ServiceTarget().per_hour_share == 0.95


def test_a_busy_hour_has_five_sessions() -> None:
    x, r = _hours(0, 0)
    x[0, 0], r[0, 0] = 4, 0.0  # 4 sessions, none in time: not judged
    assert promise_chances(x, r, TARGET, per_hour_share=0.95).per_hour == 1.0
    x[0, 0] = 5  # 5 sessions: a busy hour below target
    chance = promise_chances(x, r, TARGET, per_hour_share=0.95)
    assert chance.per_hour == 0.0 and chance.below.expected == 1.0


def _day(busy: int, quiet: int) -> tuple[np.ndarray, np.ndarray]:
    """A day of ``busy`` hours of 10 sessions at rate .9 and ``quiet`` hours of 4 at 0."""
    x = np.zeros((1, 24))
    r = np.ones((1, 24))
    x[0, :busy], r[0, :busy] = 10, 0.9
    x[0, busy:busy + quiet], r[0, busy:busy + quiet] = 4, 0.0
    return x, r


def test_daily_and_weekly_promise_at_the_target() -> None:
    # 12 busy hours at .9 and 3 quiet hours of 4 sessions at 0: the day's rate is
    # 108 / 132 = .818; with one busy hour at .7 instead, 106 / 132 = .803; two, .788
    week = [_day(12, 3) for _ in range(7)]
    x = np.concatenate([d[0] for d in week], axis=1)
    r = np.concatenate([d[1] for d in week], axis=1)
    assert promise_chances(x, r, TARGET, per_hour_share=0.9).daily == 1.0
    r[0, 0:2] = 0.7  # Monday: 104 / 132 = .788, below; the week 752 / 924 = .814 keeps
    chance = promise_chances(x, r, TARGET, per_hour_share=0.9)
    assert chance.daily == 0.0 and chance.weekly == 1.0
    # one hour of 10 sessions a day: a day at exactly 80% keeps its promise, at 79.9% misses
    x1 = np.zeros((1, 168))
    r1 = np.ones((1, 168))
    x1[0, ::24], r1[0, ::24] = 10, 0.9
    r1[0, 0] = 0.8
    assert promise_chances(x1, r1, TARGET, per_hour_share=0.95).daily == 1.0
    r1[0, 0] = 0.799
    chance = promise_chances(x1, r1, TARGET, per_hour_share=0.95)
    assert chance.daily == 0.0 and chance.weekly == 1.0
    # the week at exactly 80% (every day at 80%) keeps it; one day at 79.9% sinks it
    r1[0, ::24] = 0.8
    assert promise_chances(x1, r1, TARGET, per_hour_share=0.95).weekly == 1.0
    r1[0, 0] = 0.799
    assert promise_chances(x1, r1, TARGET, per_hour_share=0.95).weekly == 0.0


def _forecast(sessions: np.ndarray, rel: float) -> Forecast:
    hours = week_hours(WEEK)
    return Forecast(week_start=WEEK, method="test", frame=pd.DataFrame({
        "timestamp": pd.to_datetime(hours), "sessions": sessions, "low": sessions,
        "high": sessions, "overridden": False}), rel_error=tuple([rel] * 168))


DAY_SESSIONS = np.array([4.4] * 8 + [26.4] * 14 + [8.8] * 2)
"""Expected sessions per hour of each day: 4.4 at night, 26.4 from 08:00 to 22:00, 8.8 late
(three agents at cap 3 keep 80% up to about 30 an hour)."""
WEEK_SD = 0.25
"""The spread of a scenario week's level (log scale); its days spread 8% around it."""


def _roster(day_agents: int) -> Roster:
    """One agent at cap 3 at night (00:00-08:00), ``day_agents`` from 08:00 to 16:00 and from
    16:00 to 24:00, every day."""
    shifts = []
    for d in range(7):
        day = datetime.combine(WEEK, datetime.min.time()) + timedelta(days=d)
        for start, n in ((0, 1), (8, day_agents), (16, day_agents)):
            shifts += [Shift(f"A{start}-{k}", day + timedelta(hours=start),
                             day + timedelta(hours=start + 8), 3) for k in range(n)]
    return Roster(week_start=WEEK, shifts=tuple(shifts))


def _scenario_weeks(n: int, seed: int) -> np.ndarray:
    """Weeks whose level (``WEEK_SD``) and days (8%) run above or below the
    expected counts, each hour Poisson around its day's level: a stand-in for
    ``scenarios.scenario_weeks``."""
    rng = np.random.default_rng(seed)
    week = np.exp(rng.normal(0.0, WEEK_SD, size=(n, 1)))
    days = np.repeat(np.exp(rng.normal(0.0, 0.08, size=(n, 7))), 24, axis=1)
    return rng.poisson(np.tile(DAY_SESSIONS, 7) * week * days).astype(float)


def _simulated_rates(roster: Roster, weeks: np.ndarray, chat: ChatModel) -> np.ndarray:
    """Each week played once through the event simulator (its sessions spread at random over
    their hours): each hour's 3-minute rate (NaN where no session came)."""
    origin = datetime.combine(WEEK, datetime.min.time())
    out = np.empty_like(weeks)
    for i, counts in enumerate(weeks):
        rng = np.random.default_rng([i, 1])
        seconds = np.sort(np.concatenate([h * 3600 + rng.uniform(0, 3600, int(c))
                                          for h, c in enumerate(counts)]))
        run = simulate_roster(roster, Arrivals(tuple(origin + timedelta(seconds=float(s))
                                                     for s in seconds)), chat, seed=i)
        assert [h.sessions for h in run.hours] == counts.astype(int).tolist()
        out[i] = [h.three_min_rate for h in run.hours]
    return out


@pytest.mark.slow
def test_the_model_and_the_simulator_agree_on_200_weeks() -> None:
    params = PlanParams()
    fc = _forecast(np.tile(DAY_SESSIONS, 7), 0.1)
    req = requirements_for(fc, params.chat, params)
    roster = _roster(3)
    weeks = _scenario_weeks(200, seed=5)
    model = promise_chance(roster, req, params.chat, params.service, weeks)
    sim = promise_chances(weeks, _simulated_rates(roster, weeks, params.chat), TARGET,
                          per_hour_share=params.service.per_hour_share, seen=True)
    print(f"model {model.as_dict()}\nsimulator {sim.as_dict()}")
    for name in ("per_hour", "daily", "weekly"):
        assert 0.0 < getattr(model, name) < 1.0, name
        assert getattr(model, name) == pytest.approx(getattr(sim, name), abs=0.05), name


def test_the_same_seed_gives_the_same_chances() -> None:
    params = PlanParams()
    fc = _forecast(np.tile(DAY_SESSIONS, 7), 0.15)
    req = requirements_for(fc, params.chat, params)
    roster = _roster(3)
    first, again, other = (scenario_counts(fc, seed) for seed in (3, 3, 4))
    assert first.shape == (1_000, 168) and (first == np.round(first)).all()
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    chance = promise_chance(roster, req, params.chat, params.service, first)
    assert chance == promise_chance(roster, req, params.chat, params.service, again)
    assert chance.scenarios == 1_000
    # the counts spread as the forecast's error says: variance m + (0.15 m)^2
    m = DAY_SESSIONS[10]
    assert first[:, 10].mean() == pytest.approx(m, rel=0.03)
    assert first[:, 10].var() == pytest.approx(m + (0.15 * m) ** 2, rel=0.15)


def _summary(**chance: object) -> PlanSummary:
    return PlanSummary(
        status="FEASIBLE", agent_hours=426.0, bound_hours=363.0, gap=0.148, gap_note="",
        short_intervals=0, below_margin_intervals=0, cap_mix={"cap 3": 426.0}, rule_costs=(),
        objective_points=1,
        solve_seconds=12.0, schedule_efficiency=0.8, predicted_three_min_rate=0.9,
        predicted_three_min_rate_ci=(0.89, 0.91), predicted_reply_rate=0.99,
        model_three_min_rate=0.9, hours_below_target=1, hours_judged=134,
        forecast_sessions=3000.0, diagnosis=(), soft_violations=(), chance=dict(chance))


def test_an_old_summary_reads_without_chances() -> None:
    chance = {"per-hour": 0.7, "daily": 0.42, "weekly": 0.999, "per_hour_share": 0.95,
              "scenarios": 1000, "expected_hours_below_target": 3.1,
              "hours_below_range": [0, 8], "busy_hours": 70}
    written = json.loads(json.dumps(_summary(**chance).as_dict()))
    assert PlanSummary.from_dict(written).chance == chance
    old = {k: v for k, v in written.items() if k != "chance"}  # a summary from before
    assert PlanSummary.from_dict(old) == _summary()
    # ... and from before the margin was counted apart, with the per-hour risk sum it no
    # longer carries (under both of the names it had: the chance's figure is the one)
    for names in (("each_hour_expected_below", "each_hour_below_range"),
                  ("expected_hours_below_target", "expected_hours_below_range")):
        older = {**{k: v for k, v in old.items() if k != "below_margin_intervals"},
                 names[0]: 2.1, names[1]: [0, 5]}
        assert PlanSummary.from_dict(older) == _summary()
    assert promise_lines(PlanSummary.from_dict(old).chance, TARGET, "per-hour") == []
    assert promise_lines(chance, TARGET, "daily") == [
        "This team keeps every day at 80% in about 4 weeks of 10 (and 95% of busy hours at 80% "
        "in about 7 weeks of 10; the week at 80% in more than 99 weeks of 100).",
        "Busy hours below 80%: 3.1 expected (90% range 0-8) over 1,000 weeks drawn from the "
        "forecast's own past error."]


def test_a_chance_in_weeks_reads_as_english() -> None:
    from scheduler.report import weeks_in_ten

    assert weeks_in_ten(0.1, 1000) == "about 1 week of 10"
    assert weeks_in_ten(0.7, 1000) == "about 7 weeks of 10"
    assert weeks_in_ten(0.012, 1000) == "about 1 week of 100"
    assert weeks_in_ten(0.996, 1000) == "more than 99 weeks of 100"
    assert weeks_in_ten(1.0, 1000) == "every one of the 1,000 weeks tried"


def test_the_rate_map_by_hand() -> None:
    """Bins of the model's rate with 10 or more hours give a point each (session-weighted
    means of the model's rate and of the two plays' mean); a bin with fewer is skipped; the
    simulator's means never fall as the model's rise; the scatter is the pooled plays' squared
    distance from the map over r(1 - r)/n, the two plays' difference telling the service noise
    that pooling ``REPLAYS`` plays removes."""
    model = np.array([0.78] * 10 + [0.5] * 6 + [0.52] * 6 + [0.31] * 4 + [0.9] * 12)
    sim = np.array([0.86] * 10 + [0.6] * 6 + [0.64] * 6 + [0.99] * 4 + [0.84] * 12)
    n = np.array([50.0] * 10 + [100.0] * 6 + [50.0] * 6 + [80.0] * 4 + [40.0] * 12)
    plays = np.column_stack([sim + 0.01, sim - 0.01])
    fit = rate_map(model, plays, n)
    # (0, 0), the 0.5-0.6 bin (weighted: (0.5*100 + 0.52*50)/150), 0.78, 0.9, (1, 1); the
    # 0.3-0.5 bin has 4 hours; 0.84 at 0.9 is lifted to 0.86, the point before it
    assert fit.model == pytest.approx((0.0, (50 + 26) / 150, 0.78, 0.9, 1.0))
    assert fit.simulated == pytest.approx((0.0, (60 + 32) / 150, 0.86, 0.86, 1.0))
    assert fit(np.array([0.78, 0.84, 0.95])) == pytest.approx([0.86, 0.86, 0.93])
    mean = fit(model)
    # one play's service variance: 0.02^2 / 2 per hour; the pair's mean holds half of it, five
    # pooled plays a fifth
    noise = len(sim) * 0.02 ** 2 / 2 * (0.5 - 1 / REPLAYS)
    assert fit.spread == pytest.approx((((sim - mean) ** 2).sum() - noise)
                                       / (mean * (1 - mean) / n).sum())
    # a realised rate scatters by spread * r(1 - r)/n around the mapped one (clipped to 0..1)
    two = RateMap(fit.model, fit.simulated, spread=2.0)
    draws = two.draw(np.full(20_000, 0.78), np.full(20_000, 50.0), np.random.default_rng(1))
    assert draws.mean() == pytest.approx(0.86, abs=0.003)
    assert draws.std() == pytest.approx(math.sqrt(2.0 * 0.86 * 0.14 / 50), rel=0.05)


BANK_6MIN = "anonymous_bank_1999-01-to-08_6min_counts.csv.gz"


def _bank_weeks(shared_data: Path) -> np.ndarray:
    """The bank's real hourly counts, one row per full week from its first Monday."""
    raw = pd.read_csv(shared_data / BANK_6MIN)
    hourly = raw.set_index(pd.to_datetime(raw["date"] + " " + raw["interval_start"]))[
        "calls"].resample("h").sum()
    first = hourly.index[(hourly.index.day_of_week == 0) & (hourly.index.hour == 0)][0]
    counts = hourly[first:].to_numpy(dtype=float)
    return counts[: len(counts) // 168 * 168].reshape(-1, 168)


def _staggered_roster() -> Roster:
    """Every day, shifts starting at 00, 06, 08, 10, 13 and 16 (caps 3 and 4), each with a
    30-minute break four hours in: the team changes through the day as a real one does."""
    origin = datetime.combine(WEEK, datetime.min.time())
    plan = ((0, 8, (3,)), (6, 14, (3, 4)), (8, 16, (3, 4, 3)), (10, 18, (4, 3)),
            (13, 21, (3, 4)), (16, 24, (3, 4)))
    shifts = []
    for d in range(7):
        day = origin + timedelta(days=d)
        for start, end, caps in plan:
            rest = day + timedelta(hours=start + 4)
            shifts += [Shift(f"A{start}-{k}", day + timedelta(hours=start),
                             day + timedelta(hours=end), cap, rest,
                             rest + timedelta(minutes=30)) for k, cap in enumerate(caps)]
    return Roster(week_start=WEEK, shifts=tuple(shifts))


def test_the_mapped_model_meets_the_simulator_on_a_real_week(shared_data: Path) -> None:
    """A team that changes through the day, fitted on weeks at the mean of four real bank weeks
    (scaled to the team) and judged on the real week after them, its arrivals played
    ``REPLAYS`` times and pooled (as the backtest judges a week): the model's weekly rate is
    low (it sees each interval's team in steady state), the mapped one within a point of the
    simulator's, and the busy hours below target it expects (with the scatter) within 25% of
    those the pooled plays see; the raw model counts far more."""
    weeks = _bank_weeks(shared_data) * 0.6
    mean, real = weeks[10:14].mean(axis=0), np.rint(weeks[14])
    params = PlanParams()
    roster = _staggered_roster()
    req = requirements_for(_forecast(mean, 0.0), params.chat, params)
    rate_at = hour_rates(roster, req, params.chat)
    fix = simulated_map(roster, params.chat, rate_at, np.tile(mean, (4, 1)))
    origin = datetime.combine(WEEK, datetime.min.time())
    rng = np.random.default_rng(7)
    seconds = np.sort(np.concatenate([h * 3600 + rng.uniform(0, 3600, int(c))
                                      for h, c in enumerate(real)]))
    arrivals = Arrivals(tuple(origin + timedelta(seconds=float(t)) for t in seconds))
    pooled = np.sum([simulate_roster(roster, arrivals, params.chat, seed=k).hourly_frame()[
        ["sessions", "replied_3min"]].to_numpy(dtype=float) for k in range(REPLAYS)], axis=0)
    busy = real >= 5
    sim = pooled[busy, 1] / pooled[busy, 0]
    model = np.array([rate_at[h](real[h]) for h in range(168)])[busy]
    mu = fix(model)
    n = real[busy]
    sim_week, model_week, mapped_week = (float(r @ n / n.sum()) for r in (sim, model, mu))
    assert sim_week - model_week > 0.03
    assert mapped_week == pytest.approx(sim_week, abs=0.01)
    sd = np.sqrt(fix.spread * mu * (1 - mu) / n)
    expected = float(stats.norm.cdf((TARGET - mu) / np.maximum(sd, 1e-9)).sum())
    seen = int((sim < TARGET).sum())
    print(f"weekly: model {model_week:.4f} mapped {mapped_week:.4f} simulated {sim_week:.4f}; "
          f"busy hours below: model {(model < TARGET).sum()} expected {expected:.1f} "
          f"seen {seen}")
    assert expected == pytest.approx(seen, rel=0.25)
    assert (model < TARGET).sum() > 1.3 * seen
