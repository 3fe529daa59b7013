"""Property tests: whatever bytes a user feeds the readers, they return valid domain objects or
raise the project's InputError (one line) — nothing else, never a traceback of another kind."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.errors import InputError
from scheduler.io import (
    AGENT_ALIASES,
    FORECAST_ALIASES,
    HISTORY_ALIASES,
    PROMOTION_ALIASES,
    REQUEST_ALIASES,
    ROSTER_ALIASES,
    SESSION_ALIASES,
    RawTable,
    agents_from_raw,
    history_from_raw,
    parse_raw_table,
    resolve_columns,
    roster_from_raw,
    sessions_from_raw,
)

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

cells = st.one_of(
    st.sampled_from(["", "0", "3", "-1", "1.5", "1e400", "nan", "inf", "12,000", "abc", "是",
                     "yes", "Mon-Fri", "09:00-18:00", "24:00-01:00", "2026-11-16 10:00",
                     "2026-11-16T10:30:00+08:00", "2026/2/30 1:00", "=1+1", "@SUM(A1)", "A01",
                     "7分30秒", "00:07:00", "9", "8", "84", "85"]),
    st.text(max_size=12),
)
headers = st.sampled_from([
    ["timestamp", "sessions"], ["时间", "咨询量", "平均接待时长"], ["日期", "小时", "进线量"],
    ["start", "first_reply", "abandoned", "handle_seconds"],
    ["agent_id", "max_concurrent", "max_hours_week", "available_days", "available_hours",
     "night_ok"],
    ["agent_id", "start", "end", "max_concurrent", "break_start", "break_end"],
    ["foo", "bar"],
])


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = draw(headers)
    n = draw(st.integers(min_value=0, max_value=6))
    rows = [[draw(cells) for _ in header] for _ in range(n)]
    sep = draw(st.sampled_from([",", ";", "\t"]))
    text = "\n".join(sep.join(f'"{c}"' if sep in c or '"' in c else c for c in r)
                     for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return text.encode(encoding, errors="replace")


def check_history(data: bytes) -> None:
    try:
        h = history_from_raw(parse_raw_table(data, "h.csv"))
    except InputError as e:
        assert "\n" not in str(e)
        return
    f = h.frame
    assert (f["sessions"] >= 0).all()
    ts = pd.to_datetime(f["timestamp"])
    assert ts.is_monotonic_increasing and ts.is_unique
    assert ((ts.diff().dropna()) == pd.Timedelta(hours=1)).all()
    assert (ts.dt.minute == 0).all()


@SETTINGS
@given(csv_files())
def test_history_reader_total(data: bytes) -> None:
    check_history(data)


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_are_read_or_refused(data: bytes) -> None:
    check_history(data)


@SETTINGS
@given(csv_files())
def test_agents_reader_total(data: bytes) -> None:
    try:
        agents, _ = agents_from_raw(parse_raw_table(data, "a.csv"))
    except InputError as e:
        assert "\n" not in str(e)
        return
    ids = [a.agent_id for a in agents]
    assert len(set(ids)) == len(ids)
    for a in agents:
        assert 1 <= a.max_concurrent <= 8
        assert 0 < a.max_hours_week <= 84
        assert 0 <= a.min_hours_week <= a.max_hours_week
        assert not a.agent_id.startswith(("=", "+", "-", "@"))
        assert len(a.available) == 7 and all(len(d) == 24 for d in a.available)


@SETTINGS
@given(csv_files())
def test_sessions_and_roster_readers_total(data: bytes) -> None:
    try:
        raw = parse_raw_table(data, "s.csv")
    except InputError:
        return
    try:
        log = sessions_from_raw(raw)
        f = log.frame
        replied = f["first_reply"].notna()
        assert (f.loc[replied, "first_reply"] >= f.loc[replied, "start"]).all()
        assert not (f["abandoned"] & replied).any()
    except InputError as e:
        assert "\n" not in str(e)
    try:
        roster, _warnings = roster_from_raw(raw)
        for s in roster.shifts:
            assert s.end > s.start and 1 <= s.max_concurrent <= 8
    except InputError as e:
        assert "\n" not in str(e)


ALIAS_TABLES = (HISTORY_ALIASES, SESSION_ALIASES, AGENT_ALIASES, ROSTER_ALIASES,
                PROMOTION_ALIASES, REQUEST_ALIASES, FORECAST_ALIASES)


def header_only(*names: str) -> RawTable:
    return RawTable(frame=pd.DataFrame({n: ["1"] for n in names}, dtype=object), label="f.csv")


def squeezed(name: str) -> str:
    """A name as the column resolver compares it (case, spaces, underscores and hyphens
    ignored)."""
    return "".join(c for c in name.lower() if c not in " _-")


@SETTINGS
@given(st.data())
def test_every_alias_is_accepted_and_a_letter_dropped_from_it_is_named(
        data: st.DataObject) -> None:
    """Every alias of every file kind reads as its column without a word; drop one character
    from a long alias (5+ letters left, or 3+ Chinese characters) and the column it meant is
    named in an error, never taken as an extra column."""
    aliases = data.draw(st.sampled_from(ALIAS_TABLES))
    canon = data.draw(st.sampled_from(sorted(aliases)))
    alias = data.draw(st.sampled_from(aliases[canon]))
    assert resolve_columns(header_only(alias.upper()), aliases) == ({canon: alias.upper()}, ())
    chinese = any("\u3400" <= c <= "\u9fff" for c in alias)
    if len(squeezed(alias)) - 1 < (3 if chinese else 5):
        return
    i = data.draw(st.integers(min_value=0, max_value=len(alias) - 1))
    slip = alias[:i] + alias[i + 1:]
    if squeezed(slip) in {squeezed(a) for names in aliases.values() for a in names}:
        return  # the slip is itself a name the file kind knows (or only an underscore went)
    try:
        resolve_columns(header_only(slip), aliases)
    except InputError as err:
        assert err.column == slip and canon in str(err) and "looks like" in str(err)
    else:
        raise AssertionError(f"{slip!r} (from {alias!r}) was not named")
