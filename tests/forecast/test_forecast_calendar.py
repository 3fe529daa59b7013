"""Public holidays, make-up days and promotions act on exactly the hours they name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from scheduler.domain import HourlyHistory
from scheduler.errors import InputError
from scheduler.forecast import (
    DEFAULT_DAY_MULTIPLIERS,
    Promotion,
    day_events,
    default_promotions,
    forecast_week,
    promotions_from_rows,
    weekly_live_streams,
)

MakeHistory = Callable[..., HourlyHistory]


def _hours_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 3600)


def _by_day(frame_sessions: np.ndarray) -> np.ndarray:
    return np.asarray(frame_sessions, dtype=float).reshape(7, 24)


def test_day_kinds_from_chinese_calendar() -> None:
    days = [
        date(2025, 10, 1),
        date(2025, 9, 28),
        date(2025, 9, 27),
        date(2026, 2, 17),
        date(2025, 9, 30),
    ]
    events, notes = day_events(days)
    assert [e and e[0] for e in events] == ["holiday", "makeup", None, "spring_festival", None]
    assert notes == []


def test_years_outside_chinese_calendar_have_no_effect_and_a_note() -> None:
    events, notes = day_events([date(1999, 10, 1), date(2031, 1, 1)])
    assert events == [None, None]
    assert any("1999" in n for n in notes) and any("2031" in n for n in notes)


def test_default_holiday_multiplier_on_exactly_the_holiday_days(make_history: MakeHistory) -> None:
    # target week Mon 2025-09-29: Mon/Tue ordinary, Wed 1 Oct - Sun 5 Oct National Day off
    start, target = datetime(2025, 7, 7), date(2025, 9, 29)
    history = make_history(start, np.full(_hours_between(start, datetime(2025, 9, 29)), 10))
    fc = forecast_week(history, target, promotions=(), method="robust_mean")
    days = _by_day(fc.frame["sessions"].to_numpy())
    np.testing.assert_allclose(days[:2], 10.0)
    np.testing.assert_allclose(days[2:], 10.0 * DEFAULT_DAY_MULTIPLIERS["holiday"])
    s = fc.frame.set_index("timestamp")["sessions"]
    assert s[datetime(2025, 9, 30, 23)] == pytest.approx(10.0)  # the neighbour hour
    assert s[datetime(2025, 10, 1, 0)] == pytest.approx(11.0)
    assert any(n.startswith("2025-10-01 00:00 国庆 (holiday): x1.10 used, prior x1.10")
               and "no past 'holiday' event in the history: prior used" in n for n in fc.notes)


def test_effects_learned_from_history(make_history: MakeHistory) -> None:
    # history holds the 2025 Golden Week's first days (1-5 Oct) at twice the usual volume, and
    # one make-up Sunday (28 Sep) at the usual volume (prior x0.9). Target week 6 Oct: Mon-Wed
    # 6-8 Oct the same holiday continuing (中秋 then 国庆: its own x2), Sat 11 Oct a make-up
    # working day (one flat day pulls it most of the way to x1).
    start, end = datetime(2025, 6, 30), datetime(2025, 10, 6)
    n = _hours_between(start, end)
    values = np.full(n, 10.0)
    for k in range(n):
        if date(2025, 10, 1) <= (start + timedelta(hours=k)).date() <= date(2025, 10, 5):
            values[k] = 20.0
    history = make_history(start, values)
    fc = forecast_week(history, date(2025, 10, 6), promotions=(), method="robust_mean")
    days = _by_day(fc.frame["sessions"].to_numpy())
    np.testing.assert_allclose(days[0:3], 20.0, rtol=0.02)
    np.testing.assert_allclose(days[3:5], 10.0)
    assert 10.0 * DEFAULT_DAY_MULTIPLIERS["makeup"] < days[5].mean() < 10.0
    assert days[5].mean() > 9.7
    np.testing.assert_allclose(days[6], 10.0)
    assert fc.events is not None
    nd = fc.events[fc.events["kind"] == "holiday"].iloc[0]
    assert nd["where"] == "target week" and nd["name"] == "国庆/中秋"
    assert nd["estimated"] == pytest.approx(2.0, rel=0.02) and nd["prior"] == 1.1
    assert "2,400 sessions vs 1,200 usual over 120 h" in nd["evidence"]
    assert "kind 'holiday' learned from 1 past event(s)" in nd["evidence"]


def test_holidays_can_be_switched_off(make_history: MakeHistory) -> None:
    start = datetime(2025, 7, 7)
    history = make_history(start, np.full(_hours_between(start, datetime(2025, 9, 29)), 10))
    fc = forecast_week(history, date(2025, 9, 29), promotions=(), holidays=False)
    np.testing.assert_allclose(fc.frame["sessions"], 10.0)


def test_promotion_multiplies_exactly_its_hours(make_history: MakeHistory) -> None:
    start, target = datetime(2030, 1, 7), date(2030, 3, 4)
    history = make_history(start, np.full(8 * 168, 10))
    live = Promotion("直播", datetime(2030, 3, 6, 20), datetime(2030, 3, 6, 22), 2.0, "live")
    half = Promotion("闪购", datetime(2030, 3, 7, 9, 30), datetime(2030, 3, 7, 10), 3.0)
    fc = forecast_week(history, target, promotions=[live, half], holidays=False)
    s = fc.frame.set_index("timestamp")["sessions"]
    assert s[datetime(2030, 3, 6, 19)] == pytest.approx(10.0)
    assert s[datetime(2030, 3, 6, 20)] == pytest.approx(20.0)
    assert s[datetime(2030, 3, 6, 21)] == pytest.approx(20.0)
    assert s[datetime(2030, 3, 6, 22)] == pytest.approx(10.0)
    assert s[datetime(2030, 3, 7, 9)] == pytest.approx(20.0)  # half the hour at x3: x2
    assert s[datetime(2030, 3, 7, 10)] == pytest.approx(10.0)
    assert (s > 10.0 + 1e-9).sum() == 3


def test_promotion_hours_in_history_are_normalised(make_history: MakeHistory) -> None:
    # every Wednesday 20:00-22:00 the shop streams and volume doubles; the target week has no
    # stream: the forecast shows the usual 10, and with the stream it shows 20
    start, target = datetime(2030, 1, 7), date(2030, 3, 4)
    values = np.full(8 * 168, 10.0)
    streams: list[Promotion] = []
    for w in range(8):
        monday = date(2030, 1, 7) + timedelta(weeks=w)
        streams += weekly_live_streams(monday, weekdays=[2], start_hour=20, hours=2, multiplier=2.0)
        values[w * 168 + 2 * 24 + 20 : w * 168 + 2 * 24 + 22] = 20.0
    history = make_history(start, values)
    fc = forecast_week(history, target, promotions=streams, holidays=False)
    np.testing.assert_allclose(fc.frame["sessions"], 10.0)
    with_stream = [
        *streams,
        *weekly_live_streams(target, weekdays=[2], start_hour=20, hours=2, multiplier=2.0),
    ]
    fc2 = forecast_week(history, target, promotions=with_stream, holidays=False)
    assert fc2.frame["sessions"].to_numpy()[2 * 24 + 20] == pytest.approx(20.0)


def test_618_follows_how_the_shop_met_the_last_platform_promotion(
    make_history: MakeHistory,
) -> None:
    # the history holds 618 开门红 (31 May 20:00 - 2 June, prior x1.4); target week 16 June holds
    # 618 狂欢 (16-18 June, prior x1.6)
    start, target = datetime(2025, 4, 7), date(2025, 6, 16)
    n = _hours_between(start, datetime(2025, 6, 16))
    flat = make_history(start, np.full(n, 10))
    values = np.full(n, 10.0)
    values[_hours_between(start, datetime(2025, 5, 31, 20)):
           _hours_between(start, datetime(2025, 6, 2))] = 14.0
    reacting = make_history(start, values)
    # a shop that met 开门红 as the calendar said gets about the prior for 狂欢
    days = _by_day(forecast_week(reacting, target).frame["sessions"].to_numpy())
    np.testing.assert_allclose(days[:3], 16.0, rtol=0.03)
    np.testing.assert_allclose(days[3:], 10.0)
    # a shop that did not move gets little of it
    fc = forecast_week(flat, target)
    days = _by_day(fc.frame["sessions"].to_numpy())
    assert (days[:3] < 11.5).all() and (days[:3] >= 10.0).all()
    assert fc.events is not None
    row = fc.events[fc.events["name"] == "618 狂欢"].iloc[0]
    assert "kind 'platform' learned from 1 past event(s)" in row["evidence"]


def test_default_promotions_cover_the_big_events() -> None:
    names = " ".join(p.name for p in default_promotions(2025))
    for event in ("年货节", "38", "618", "双11 预售", "双11 尾款", "双12"):
        assert event in names
    assert all(p.end > p.start and p.multiplier > 1 for p in default_promotions(2025))


def test_overlapping_promotions_multiply(make_history: MakeHistory) -> None:
    # no past promotion: each keeps its prior; where they overlap the effects multiply
    start, target = datetime(2030, 1, 7), date(2030, 3, 4)
    history = make_history(start, np.full(8 * 168, 10))
    a = Promotion("a", datetime(2030, 3, 4, 1), datetime(2030, 3, 4, 3), 2.0)
    b = Promotion("b", datetime(2030, 3, 4, 2), datetime(2030, 3, 4, 4), 1.5)
    fc = forecast_week(history, target, promotions=[a, b], holidays=False, method="robust_mean")
    np.testing.assert_allclose(fc.frame["sessions"].to_numpy()[:6], [10, 20, 30, 15, 10, 10])


def test_promotions_from_rows_parses_valid_rows() -> None:
    rows = [
        {
            "name": "双11 尾款",
            "start": "2025-10-31 20:00",
            "end": "2025-11-04",
            "multiplier": "1.6",
        },
        {
            "name": "直播",
            "start": "2025/11/05 19:30",
            "end": "2025-11-05T22:00:00",
            "multiplier": " 2 ",
            "kind": "live",
        },
    ]
    promos = promotions_from_rows(rows)
    assert promos[0] == Promotion(
        "双11 尾款", datetime(2025, 10, 31, 20), datetime(2025, 11, 4), 1.6, "custom"
    )
    assert promos[1].kind == "live" and promos[1].multiplier == 2.0
    assert promos[1].start == datetime(2025, 11, 5, 19, 30)


@pytest.mark.parametrize(
    ("bad", "column", "fragment"),
    [
        ({"start": "next monday"}, "start", "date-time"),
        ({"end": "2025-06-01 00:00"}, "end", "after start"),
        ({"multiplier": "abc"}, "multiplier", "number"),
        ({"multiplier": "-1"}, "multiplier", "number"),
        ({"multiplier": "50"}, "multiplier", "number"),
        ({"name": "  "}, "name", "empty"),
    ],
)
def test_promotions_from_rows_names_row_and_column(
    bad: dict[str, str], column: str, fragment: str
) -> None:
    good = {
        "name": "618",
        "start": "2025-06-16 00:00",
        "end": "2025-06-19 00:00",
        "multiplier": "1.6",
    }
    with pytest.raises(InputError) as err:
        promotions_from_rows([good, {**good, **bad}], source="promos.csv")
    assert err.value.row == 3 and err.value.column == column
    text = str(err.value)
    assert "promos.csv" in text and "row 3" in text and fragment in text and "\n" not in text


def test_promotions_from_rows_missing_column() -> None:
    with pytest.raises(InputError) as err:
        promotions_from_rows([{"name": "x", "start": "2025-06-16", "end": "2025-06-17"}])
    assert err.value.column == "multiplier" and err.value.row == 2
