"""Session state in one place: every key the app stores, typed accessors, first-visit defaults.

Pages read and write through these functions only, never through raw ``st.session_state``
strings, so a key is named once. Widget keys (``W_*``) are listed here too.

What lives in state:
- the working data: history, agents (and where each came from), the manager's settings and
  forecast overrides; a broken upload never replaces them;
- the last plan (``PlanResult``) and a fingerprint of the inputs it was made from (so pages can
  say "inputs changed since this plan");
- what-if outcomes (A and B) and the last warm-started re-plan, judged against keeping;
- the inline error of each input (an upload, the agents editor, the forecast editor).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st

from scheduler import io
from scheduler.domain import Agent, HourlyHistory, SessionLog
from scheduler.errors import SchedulerError
from scheduler.replan import open_plan
from scheduler.report import PlanResult
from scheduler.ui.settings import Settings
from scheduler.whatif import ReplanChoice, ScenarioOutcome

REPO = Path(__file__).resolve().parents[2]
SAMPLE_HISTORY = REPO / "data" / "sample_history.csv"
SAMPLE_AGENTS = REPO / "data" / "sample_agents.csv"
MAX_UPLOAD_MB = 50
"""Must match ``server.maxUploadSize`` in ``.streamlit/config.toml``."""

# Stored values
HISTORY = "history"
HISTORY_KEY = "history_key"
SESSIONS = "sessions"
HISTORY_SOURCE = "history_source"
AGENTS = "agents"
AGENTS_SOURCE = "agents_source"
AGENTS_WARNINGS = "agents_warnings"
EDITOR_BASE = "agents_editor_base"
EDITOR_VERSION = "agents_editor_version"
SETTINGS = "settings"
OVERRIDES = "overrides"
FORECAST_EDITOR_VERSION = "forecast_editor_version"
PLAN = "plan"
PLAN_FINGERPRINT = "plan_fingerprint"
PLAN_PROGRESS = "plan_progress"
SCENARIO_A = "scenario_a"
SCENARIO_B = "scenario_b"
BASELINE = "whatif_baseline"
REPLAN = "replan"
BOOK_REPLAN = "book_replan"
"""The roster book page's last re-plan: (week, version, cut-off, requests, ``Replan``)."""
TODAY = "today"
"""The Today page's last look: (book URL, week, ``today.TodayView``)."""
BOOK_PUBLISHED = "book_published"
"""What the roster book page's last publish did: (what was published, "plan" or "replan",
``PublishedVersion``); shown once, on the run after the click."""
ERRORS = "errors"
PROCESSED_UPLOADS = "processed_uploads"

# Widget keys
W_HISTORY_UPLOAD = "w_history_upload"
W_AGENTS_UPLOAD = "w_agents_upload"
W_AGENTS_EDITOR = "w_agents_editor"
W_FORECAST_EDITOR = "w_forecast_editor"
W_PLAN_BUTTON = "w_plan_button"
W_SAMPLE_BUTTON = "w_sample_button"

# Error slots
ERR_HISTORY = "history"
ERR_AGENTS = "agents"
ERR_EDITOR = "agents editor"
ERR_FORECAST = "forecast editor"
ERR_PLAN = "plan"
ERR_WHATIF = "what-if"


def _ss() -> Any:
    return st.session_state


def init() -> None:
    """Fill defaults on a session's first run: the bundled sample, default settings. Every page
    calls this first, so a page opened directly (or in an AppTest) works."""
    ss = _ss()
    if ERRORS not in ss:
        ss[ERRORS] = {}
    if SETTINGS not in ss:
        ss[SETTINGS] = Settings()
    if OVERRIDES not in ss:
        ss[OVERRIDES] = {}
    if PROCESSED_UPLOADS not in ss:
        ss[PROCESSED_UPLOADS] = {}
    for key in (EDITOR_VERSION, FORECAST_EDITOR_VERSION):
        if key not in ss:
            ss[key] = 0
    if HISTORY not in ss or AGENTS not in ss:
        load_sample()
        _open_plan_from_env()


def _open_plan_from_env() -> None:
    """``scheduler demo`` starts the app with ``SCHEDULER_PLAN_DIR``: open the plan it just
    made (from the bundled sample, so it is current for the sample loaded above)."""
    folder = os.environ.get("SCHEDULER_PLAN_DIR")
    if not folder:
        return
    try:
        result = open_plan(Path(folder))
    except SchedulerError as exc:
        set_error(ERR_PLAN, f"Cannot open the plan 无法打开排班: {exc}")
        return
    set_plan(result, fingerprint())


def load_sample() -> None:
    """Replace the working data with the bundled sample shop."""
    history = io.read_history(SAMPLE_HISTORY)
    agents, warnings = io.read_agents(SAMPLE_AGENTS)
    set_history(history, source=f"sample 示例: {SAMPLE_HISTORY.name}",
                key=f"sample:{SAMPLE_HISTORY.stat().st_mtime_ns}")
    set_agents(agents, source=f"sample 示例: {SAMPLE_AGENTS.name}", warnings=warnings,
               reset_editor=True)
    clear_error(ERR_HISTORY)
    clear_error(ERR_AGENTS)
    clear_error(ERR_EDITOR)


# ---- working data -----------------------------------------------------------------------
def history() -> HourlyHistory:
    return _ss()[HISTORY]


def history_key() -> str:
    """A content key of the history (cache key for forecasts)."""
    return str(_ss()[HISTORY_KEY])


def history_source() -> str:
    return str(_ss().get(HISTORY_SOURCE, ""))


def sessions() -> SessionLog | None:
    """The session log the history came from (None for an hourly history)."""
    return _ss().get(SESSIONS)


def set_history(h: HourlyHistory, *, source: str, key: str,
                log: SessionLog | None = None) -> None:
    """New working history (and its session log, when it is one: the chat model is fitted from
    it); forecast overrides of the old week are dropped."""
    ss = _ss()
    ss[HISTORY] = h
    ss[SESSIONS] = log
    ss[HISTORY_KEY] = key
    ss[HISTORY_SOURCE] = source
    ss[OVERRIDES] = {}
    ss[FORECAST_EDITOR_VERSION] = ss.get(FORECAST_EDITOR_VERSION, 0) + 1


def agents() -> tuple[Agent, ...]:
    return tuple(_ss()[AGENTS])


def agents_source() -> str:
    return str(_ss().get(AGENTS_SOURCE, ""))


def agents_warnings() -> tuple[str, ...]:
    return tuple(_ss().get(AGENTS_WARNINGS, ()))


def set_agents(a: Sequence[Agent], *, source: str, warnings: Sequence[str] = (),
               reset_editor: bool = False) -> None:
    """New working agents. ``reset_editor``: the agents editor restarts from this table (a new
    file); edits made in the editor itself keep the editor as it is."""
    ss = _ss()
    ss[AGENTS] = tuple(a)
    ss[AGENTS_SOURCE] = source
    ss[AGENTS_WARNINGS] = tuple(warnings)
    if reset_editor:
        ss[EDITOR_BASE] = io.agents_frame(a)
        ss[EDITOR_VERSION] = ss.get(EDITOR_VERSION, 0) + 1


def editor_base() -> Any:
    """The table the agents editor starts from (a pandas DataFrame)."""
    return _ss()[EDITOR_BASE]


def editor_key() -> str:
    return f"{W_AGENTS_EDITOR}_{_ss()[EDITOR_VERSION]}"


def settings() -> Settings:
    return _ss()[SETTINGS]


def set_settings(s: Settings) -> None:
    _ss()[SETTINGS] = s


def overrides() -> dict[datetime, float]:
    return dict(_ss()[OVERRIDES])


def set_overrides(o: dict[datetime, float]) -> None:
    _ss()[OVERRIDES] = dict(o)


def clear_overrides() -> None:
    ss = _ss()
    ss[OVERRIDES] = {}
    ss[FORECAST_EDITOR_VERSION] += 1


def forecast_editor_key() -> str:
    return f"{W_FORECAST_EDITOR}_{_ss()[FORECAST_EDITOR_VERSION]}"


def upload_seen(slot: str, data: bytes, name: str) -> bool:
    """True if this exact upload was already processed (so a rerun does not redo it); records
    it otherwise."""
    digest = hashlib.sha1(data).hexdigest() + name
    seen = _ss()[PROCESSED_UPLOADS]
    if seen.get(slot) == digest:
        return True
    seen[slot] = digest
    return False


# ---- errors --------------------------------------------------------------------------------
def error(slot: str) -> str | None:
    return _ss()[ERRORS].get(slot)


def set_error(slot: str, message: str) -> None:
    _ss()[ERRORS][slot] = message


def clear_error(slot: str) -> None:
    _ss()[ERRORS].pop(slot, None)


# ---- plan and scenarios -------------------------------------------------------------------
@dataclass(frozen=True)
class Fingerprint:
    """What a plan was made from; a page compares it with the current inputs."""

    history_key: str
    agents: tuple[Agent, ...]
    settings: Settings
    overrides: tuple[tuple[datetime, float], ...]


def fingerprint() -> Fingerprint:
    return Fingerprint(history_key(), agents(), settings(), tuple(sorted(overrides().items())))


def plan() -> PlanResult | None:
    return _ss().get(PLAN)


def set_plan(result: PlanResult, fp: Fingerprint) -> None:
    """A new current plan; what-if results about the old one are dropped."""
    ss = _ss()
    ss[PLAN] = result
    ss[PLAN_FINGERPRINT] = fp
    for key in (SCENARIO_A, SCENARIO_B, BASELINE, REPLAN):
        ss.pop(key, None)


def plan_is_stale() -> bool:
    """True when the inputs changed since the current plan was made."""
    ss = _ss()
    return PLAN in ss and ss.get(PLAN_FINGERPRINT) != fingerprint()


def plan_progress() -> list[str]:
    """Progress lines of the last plan run (kept to show after the run)."""
    return list(_ss().get(PLAN_PROGRESS, []))


def set_plan_progress(lines: list[str]) -> None:
    _ss()[PLAN_PROGRESS] = list(lines)


def scenario(slot: str) -> ScenarioOutcome | None:
    return _ss().get(slot)


def set_scenario(slot: str, outcome: ScenarioOutcome | None) -> None:
    if outcome is None:
        _ss().pop(slot, None)
    else:
        _ss()[slot] = outcome


def replan_choice() -> ReplanChoice | None:
    """The last what-if re-plan, judged against keeping the current roster."""
    return _ss().get(REPLAN)


def replan() -> PlanResult | None:
    """The re-planned week when it was kept over the current roster (else None: nothing to
    adopt or export)."""
    choice = replan_choice()
    return choice.plan if choice is not None and choice.keeps_replan else None


def set_replan(choice: ReplanChoice | None) -> None:
    if choice is None:
        _ss().pop(REPLAN, None)
    else:
        _ss()[REPLAN] = choice


def book_replan() -> tuple[Any, ...] | None:
    return _ss().get(BOOK_REPLAN)


def set_book_replan(shown: tuple[Any, ...] | None) -> None:
    if shown is None:
        _ss().pop(BOOK_REPLAN, None)
    else:
        _ss()[BOOK_REPLAN] = shown


def today() -> tuple[Any, ...] | None:
    return _ss().get(TODAY)


def set_today(shown: tuple[Any, ...]) -> None:
    _ss()[TODAY] = shown


def pop_book_published() -> tuple[str, Any] | None:
    """The last publish's (what, ``PublishedVersion``), once."""
    return _ss().pop(BOOK_PUBLISHED, None)


def set_book_published(what: str, version: Any) -> None:
    _ss()[BOOK_PUBLISHED] = (what, version)


# ---- settings widgets ----------------------------------------------------------------------
W_SETTING_PREFIX = "w_set_"


def setting_key(name: str) -> str:
    """The widget key of a ``Settings`` field."""
    return W_SETTING_PREFIX + name


def seed_widget(key: str, value: object) -> None:
    """Give a widget its stored value when it (re)appears: Streamlit forgets a widget's state
    when its page is left, the stored settings remember it."""
    if key not in _ss():
        _ss()[key] = value
