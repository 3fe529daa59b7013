"""``st.cache_data`` around pure library calls only (same inputs -> same output, no I/O).

Objects that do not hash well (a history) are passed with a leading underscore (not hashed)
together with a content key that is.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import streamlit as st

from scheduler import io, pipeline
from scheduler.context import chat_from_history, chat_from_sessions
from scheduler.domain import Agent, Forecast, HourlyHistory, SessionLog
from scheduler.forecast import apply_overrides
from scheduler.frontier import Price
from scheduler.params import ChatModel, PlanParams


@st.cache_data(show_spinner=False, max_entries=16)
def parse_history(data: bytes, label: str) -> tuple[HourlyHistory, SessionLog | None]:
    """Uploaded bytes -> validated history, and the session log when the file is one (raises
    ``InputError``)."""
    return io.history_and_sessions_from_raw(io.parse_raw_table(data, label))


@st.cache_data(show_spinner="Fitting the chat model 拟合会话模型…", max_entries=4)
def chat_fit(history_key: str, _log: SessionLog
             ) -> tuple[tuple[dict[str, Any], ...], tuple[str, ...]]:
    """The chat model fitted from a session log: one row per figure and the fit's notes
    (``context.chat_from_sessions``; ``history_key`` identifies ``_log``)."""
    _chat, rows, notes = chat_from_sessions(_log, ChatModel())
    return rows, notes


@st.cache_data(show_spinner=False, max_entries=16)
def parse_agents(data: bytes, label: str) -> tuple[tuple[Agent, ...], tuple[str, ...]]:
    """Uploaded bytes -> validated agents and warnings (raises ``InputError``)."""
    return io.agents_from_raw(io.parse_raw_table(data, label))


@st.cache_data(show_spinner="Forecasting next week 预测中…", max_entries=8)
def base_forecast(history_key: str, _history: HourlyHistory, week_start: date) -> Forecast:
    """Next week's forecast from the history with its error in layers, as the CLI makes it
    (``pipeline.make_forecast``; ``history_key`` identifies ``_history``): the app's plans are
    bought and judged on the same scenario weeks as the CLI's."""
    return pipeline.make_forecast(_history, week_start)


def forecast_with_overrides(history_key: str, history: HourlyHistory, week_start: date,
                            overrides: dict[datetime, float]) -> Forecast:
    """The base forecast with the manager's overrides (cheap; not cached)."""
    fc = base_forecast(history_key, history, week_start)
    return apply_overrides(fc, overrides, source="forecast editor") if overrides else fc


@st.cache_data(show_spinner="Pricing each level 估算各把握的代价…", max_entries=8)
def price_estimate(history_key: str, _history: HourlyHistory, _log: SessionLog | None,
                   week_start: date, overrides: dict[datetime, float], params: PlanParams,
                   agents: tuple[Agent, ...]) -> tuple[Price, ...]:
    """Before a plan: the estimated price of each level of ``params``' promise
    (``pipeline.frontier_for``) for the forecast the Plan button would plan, with the chat
    model it would use (``history_key`` identifies ``_history`` and ``_log``). The chance asked
    does not change it: pass the parameters with none, so moving it costs nothing."""
    fc = forecast_with_overrides(history_key, _history, week_start, overrides)
    chat = (chat_from_history(_history, params.chat, handle_given=False)[0] if _log is None
            else chat_from_sessions(_log, params.chat)[0])
    return pipeline.frontier_for(fc, replace(params, chat=chat), agents).prices()
