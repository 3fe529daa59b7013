"""Calendar effects are estimated from the shop's own history (issue 17): seeded shops that do
and do not react, one promotion day, and the real bank laid onto 2026's calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.domain import HourlyHistory
from scheduler.forecast import Promotion, backtest, forecast_week
from scheduler.io import read_history

MakeHistory = Callable[..., HourlyHistory]
START = datetime(2030, 1, 7)  # a Monday; chinese_calendar has no 2030 data: promotions only
FLAT_SHOP = Path(__file__).resolve().parents[3] / "shared" / "reference" / "flat-shop"


def _pattern(level: float = 20.0) -> np.ndarray:
    """A week of expected sessions: a daily curve, weekends 20% busier."""
    day = level * (0.3 + np.sin(np.linspace(0, np.pi, 24)) ** 2)
    return np.concatenate([day * (1.2 if d >= 5 else 1.0) for d in range(7)])


def _seeded(weeks: int, seed: int, lift: dict[date, float]) -> np.ndarray:
    """``weeks + 1`` weeks of Poisson counts from START (the last is the target week), the days
    in ``lift`` multiplied."""
    rng = np.random.default_rng(seed)
    mean = np.tile(_pattern(), weeks + 1)
    for day, m in lift.items():
        k = (day - START.date()).days * 24
        mean[k : k + 24] *= m
    return rng.poisson(mean).astype(float)


def _day(d: date, name: str, prior: float, kind: str) -> Promotion:
    start = datetime.combine(d, datetime.min.time())
    return Promotion(name, start, start + timedelta(days=1), prior, kind)


def test_a_member_day_that_moves_the_shop_is_learned(make_history: MakeHistory) -> None:
    # member day on the 8th of each month at a true x2 (the manager's file says x1.5); history
    # 8 weeks (8 January, 8 February), target week 4-10 March holds 8 March
    days = [date(2030, 1, 8), date(2030, 2, 8), date(2030, 3, 8)]
    promos = [_day(d, "会员日", 1.5, "member") for d in days]
    wape_on, wape_off = [], []
    for seed in range(3):
        counts = _seeded(8, seed, {d: 2.0 for d in days})
        history = make_history(START, counts[: 8 * 168])
        actual = counts[8 * 168 :][4 * 24 : 5 * 24]
        on = forecast_week(history, date(2030, 3, 4), promotions=promos)
        off = forecast_week(history, date(2030, 3, 4), promotions=(), holidays=False)
        for fc, out in ((on, wape_on), (off, wape_off)):
            f = fc.frame["sessions"].to_numpy()[4 * 24 : 5 * 24]
            out.append(np.abs(f - actual).sum() / actual.sum())
        assert on.events is not None
        row = on.events[on.events["where"] == "target week"].iloc[0]
        assert row["name"] == "会员日" and row["used"] == pytest.approx(2.0, rel=0.15)
    assert np.mean(wape_on) <= 0.85 * np.mean(wape_off)


def test_one_promotion_day_is_estimated_and_divided_out(make_history: MakeHistory) -> None:
    promo_day = date(2030, 2, 13)  # a Wednesday in the history, true x2.5, the file says x1.5
    counts = _seeded(8, 7, {promo_day: 2.5})[: 8 * 168]
    history = make_history(START, counts)
    promo = _day(promo_day, "店庆", 1.5, "custom")
    fc = forecast_week(history, date(2030, 3, 4), promotions=[promo], method="robust_mean")
    assert fc.events is not None
    row = fc.events[fc.events["name"] == "店庆"].iloc[0]
    assert row["where"] == "history"
    assert row["estimated"] == pytest.approx(2.5, rel=0.2)
    # the same history with that day removed, no calendar
    frame = history.frame
    keep = pd.to_datetime(frame["timestamp"]).dt.date != promo_day
    removed = HourlyHistory(frame=frame[keep].reset_index(drop=True), source="removed")
    ref = forecast_week(removed, date(2030, 3, 4), promotions=(), method="robust_mean")
    total, ref_total = fc.frame["sessions"].sum(), ref.frame["sessions"].sum()
    assert abs(total - ref_total) <= 0.03 * ref_total
    # and it is not what was assumed: divided by the prior x1.5 the day would still stand out
    assert row["used"] > 2.0


def test_platform_promotions_the_shop_ignores_carry_no_effect(make_history: MakeHistory) -> None:
    # two platform promotions in the history at no uplift (priors x1.6 and x1.4); the target
    # week's platform promotion (prior x1.5, Thursday 20:00 to Saturday 00:00)
    past = [
        Promotion("大促 A", datetime(2030, 1, 24, 20), datetime(2030, 1, 27), 1.6, "platform"),
        Promotion("大促 B", datetime(2030, 2, 14), datetime(2030, 2, 16), 1.4, "platform"),
    ]
    nxt = Promotion("大促 C", datetime(2030, 3, 7, 20), datetime(2030, 3, 9), 1.5, "platform")
    history = make_history(START, _seeded(8, 3, {})[: 8 * 168])
    with_it = forecast_week(history, date(2030, 3, 4), promotions=[*past, nxt])
    without = forecast_week(history, date(2030, 3, 4), promotions=past)
    hours = slice(3 * 24 + 20, 5 * 24)
    a = with_it.frame["sessions"].to_numpy()[hours].sum()
    b = without.frame["sessions"].to_numpy()[hours].sum()
    assert b <= a <= 1.05 * b
    # a kind never seen in the history keeps its prior, said aloud
    first = forecast_week(history, date(2030, 3, 4), promotions=[nxt])
    assert first.frame["sessions"].to_numpy()[hours].sum() == pytest.approx(1.5 * b, rel=0.02)
    assert any("no past 'platform' event in the history: prior used" in n for n in first.notes)


def test_flat_shop_ignores_the_calendar_it_ignored() -> None:
    # the reference flat shop's history covers 年货节 (12-27 January 2027) with no uplift; the
    # target week of 1 March 2027 holds 38 女王节 (prior x1.3 from 3 March 20:00)
    path = FLAT_SHOP / "history.csv"
    if not path.exists():
        pytest.skip(f"reference shop not found at {path}")
    history = read_history(path)
    on = forecast_week(history, date(2027, 3, 1))
    off = forecast_week(history, date(2027, 3, 1), promotions=())
    hours = slice(2 * 24 + 20, 168)
    a = on.frame["sessions"].to_numpy()[hours].sum()
    b = off.frame["sessions"].to_numpy()[hours].sum()
    assert abs(a - b) <= 0.05 * b
    assert on.events is not None
    past = on.events[(on.events["name"] == "年货节") & (on.events["where"] == "history")]
    assert len(past) == 1 and 0.85 < past.iloc[0]["estimated"] < 1.15


def test_bank_laid_on_2026_calendar(real_history: HourlyHistory) -> None:
    """Real arrivals that ignore 国庆, 双11 and 双12 (the bank moved by 1426 weeks, weekdays
    kept): the default forecast is no worse than with the calendar off (<= 1.02x), beats
    seasonal naive by 20% on the weeks of and after those events, and its band still covers
    75-85% of hours."""
    frame = real_history.frame.copy()
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]) + pd.Timedelta(weeks=1426)
    hist = HourlyHistory(frame=frame, source="bank on 2026")
    on = backtest(hist, methods=("auto",))
    off = backtest(hist, methods=("seasonal_naive", "auto"), promotions=(), holidays=False)
    start = pd.Timestamp(2026, 9, 28)

    def wape(result, method):  # type: ignore[no-untyped-def]
        h = result.hours[(result.hours["method"] == method) & (result.hours["timestamp"] >= start)]
        return float((h["sessions"] - h["actual"]).abs().sum() / h["actual"].sum())

    assert wape(on, "auto") <= 1.02 * wape(off, "auto")
    assert wape(on, "auto") <= 0.8 * wape(off, "seasonal_naive")
    assert 0.75 <= on.score("auto")["coverage"] <= 0.85
