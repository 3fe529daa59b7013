"""Chat-model parameters from per-session records ("estimate, don't assume")."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.domain import SessionLog
from scheduler.params import MAX_CAP, ChatModel

MIN_RECORDS = 30
"""Fewest records behind any fitted value; below this the default stays."""
_ONE_AT_A_TIME_SHARE = 0.05
"""If fewer than this share of answered sessions spend most of their time overlapping another
session of the same agent (mean load >= 1.5), the log is one-at-a-time (phone-like) and
concurrency cannot be estimated from it. (Real phone logs have ~1% such rows: transfers,
shared agent codes, clock errors.)"""


@dataclass(frozen=True)
class FitReport:
    """What ``fit_chat_model`` estimated, from how many records, and what stayed default.

    Counts are sessions (rows of the log). ``*_records`` = rows behind that estimate; an
    estimate that is None kept the ``base`` value. ``notes`` are one-line explanations.
    """

    sessions: int
    answered: int
    abandoned: int
    handle_seconds: float | None
    handle_records: int
    patience_seconds: float | None
    patience_records: int
    """Abandoned sessions with a known wait (the exact patience observations)."""
    base_reply_seconds: float | None
    reply_records: int
    throughput: tuple[float, ...] | None
    concurrency_records: int
    max_concurrency_seen: int
    one_at_a_time: bool
    fitted: tuple[str, ...]
    kept_default: tuple[str, ...]
    notes: tuple[str, ...]


def _time_average_load(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """For intervals ``[start, end)`` of one agent (seconds): the time-average number of the
    agent's intervals open during each interval (itself included)."""
    times = np.concatenate((start, end))
    steps = np.concatenate((np.ones(start.size), -np.ones(end.size)))
    order = np.lexsort((steps, times))  # ends before starts at equal times
    times, steps = times[order], steps[order]
    level = np.cumsum(steps)  # open intervals just after each event
    area = np.concatenate(([0.0], np.cumsum(level[:-1] * np.diff(times))))

    def integral(t: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(times, t, side="right") - 1
        idx = np.clip(idx, 0, times.size - 1)
        return np.asarray(area[idx] + level[idx] * (t - times[idx]), dtype=float)

    duration = end - start
    return (integral(end) - integral(start)) / duration


def _time_and_completions_by_load(start: np.ndarray, end: np.ndarray
                                  ) -> tuple[np.ndarray, np.ndarray]:
    """For intervals ``[start, end)`` of one agent (seconds): ``seconds[j]``, how long the agent
    held exactly ``j`` of them, and ``done[j]``, how many ended while it held ``j`` (sessions
    ending at the same instant all count at the load just before it); ``j = 0..MAX_CAP``, loads
    above ``MAX_CAP`` count nowhere."""
    times, at = np.unique(np.concatenate((start, end)), return_inverse=True)
    change = np.zeros(times.size)
    np.add.at(change, at, np.concatenate((np.ones(start.size), -np.ones(end.size))))
    ends = np.bincount(at[start.size:], minlength=times.size)
    after = np.rint(np.cumsum(change)).astype(int)  # held just after each instant
    before = np.concatenate(([0], after[:-1]))
    seconds = np.zeros(MAX_CAP + 1)
    done = np.zeros(MAX_CAP + 1)
    held, spans = after[:-1], np.diff(times)
    np.add.at(seconds, held[held <= MAX_CAP], spans[held <= MAX_CAP])
    np.add.at(done, before[before <= MAX_CAP], ends[before <= MAX_CAP])
    return seconds, done


def fit_chat_model(log: SessionLog, base: ChatModel) -> tuple[ChatModel, FitReport]:
    """Fit handle time, patience, concurrency slowdown and reply latency from a session log.

    - handle time: mean ``handle_seconds`` of answered sessions; when concurrency is estimated,
      the solo handle time: agent-seconds spent holding one session per session completed then;
    - patience: exponential MLE with censoring, ``sum of all known waits / abandoned sessions``
      (abandoned sessions give exact patience, answered ones are censored at their wait);
    - concurrency slowdown: from answered sessions with an agent id and known ``first_reply`` and
      ``end``, each agent's load over time; ``throughput(j)`` = sessions completed per
      agent-second while holding ``j`` / the same while holding one (the maximum-likelihood
      estimate under the model's exponential solo handle times: an agent holding ``j`` chats
      completes them at rate ``throughput(j) / handle``). Grouping sessions by their mean load
      instead (``j * handle(1) / handle(j)``) is biased when loads vary during a session: the
      sessions seen at load 1 in a busy log are the short ones;
    - reply latency: for sessions that started while their agent had a free slot (so pickup was
      immediate and the wait is the agent's own reply time), ``median(wait / slowdown(j))``.
    Any value with fewer than ``MIN_RECORDS`` records keeps ``base``; the report says which.
    """
    frame = log.frame
    abandoned = frame["abandoned"].to_numpy(dtype=bool)
    handle = frame["handle_seconds"].to_numpy(dtype=float)
    wait = frame["wait_seconds"].to_numpy(dtype=float)
    answered = ~abandoned
    fitted: list[str] = []
    kept: list[str] = []
    notes: list[str] = []
    changes: dict[str, object] = {}

    # Patience (censored exponential MLE).
    known_wait = np.isfinite(wait) & (wait >= 0.0)
    n_exact = int((abandoned & known_wait).sum())
    exposure = float(wait[known_wait].sum())
    patience: float | None = None
    if n_exact >= MIN_RECORDS and exposure > 0.0:
        patience = exposure / n_exact
        changes["patience_seconds"] = patience
        fitted.append("patience_seconds")
        notes.append(
            f"patience: {n_exact} abandonments over {exposure / 3600.0:.1f} h of waiting "
            f"({int(known_wait.sum())} sessions with a known wait) -> mean {patience:.0f} s"
        )
    else:
        kept.append("patience_seconds")
        notes.append(f"patience: only {n_exact} abandonments with a known wait; kept default")

    # Concurrency: overlap of the same agent's sessions.
    agent = frame["agent_id"].fillna("").astype(str).to_numpy()
    fr = pd.to_datetime(frame["first_reply"])
    en = pd.to_datetime(frame["end"])
    st = pd.to_datetime(frame["start"])
    origin = st.min() if len(frame) else pd.Timestamp(0)
    to_s = 1e-9
    fr_s = (fr - origin).to_numpy(dtype="timedelta64[ns]").astype("int64") * to_s
    en_s = (en - origin).to_numpy(dtype="timedelta64[ns]").astype("int64") * to_s
    st_s = (st - origin).to_numpy(dtype="timedelta64[ns]").astype("int64") * to_s
    usable = (
        answered
        & (agent != "")
        & fr.notna().to_numpy()
        & en.notna().to_numpy()
        & np.isfinite(handle)
        & (handle > 0.0)
    )
    usable &= np.where(usable, en_s > fr_s, False)
    load = np.full(len(frame), np.nan)
    seconds_at = np.zeros(MAX_CAP + 1)
    done_at = np.zeros(MAX_CAP + 1)
    free_at_start = np.zeros(len(frame), dtype=bool)
    open_at_start = np.full(len(frame), np.nan)
    max_seen = 0
    for name in np.unique(agent[usable]):
        idx = np.nonzero(usable & (agent == name))[0]
        avg = _time_average_load(fr_s[idx], en_s[idx])
        load[idx] = avg
        seconds, done = _time_and_completions_by_load(fr_s[idx], en_s[idx])
        seconds_at += seconds
        done_at += done
        # The agent's sessions in service when each of its sessions started.
        starts_open = np.searchsorted(np.sort(fr_s[idx]), st_s[idx], side="right") - (
            np.searchsorted(np.sort(en_s[idx]), st_s[idx], side="right")
        )
        peak = int(np.ceil(avg.max() - 1e-9))
        max_seen = max(max_seen, peak)
        open_at_start[idx] = starts_open
        free_at_start[idx] = starts_open < peak
    n_conc = int(usable.sum())
    overlapping = int((load[usable] >= 1.5).sum()) if n_conc else 0
    one_at_a_time = n_conc == 0 or overlapping < _ONE_AT_A_TIME_SHARE * n_conc

    # Handle time (and throughput when concurrency is visible).
    ans_handle = answered & np.isfinite(handle) & (handle >= 0.0)
    n_handle = int(ans_handle.sum())
    handle_fit: float | None = None
    throughput_fit: tuple[float, ...] | None = None
    solo = False  # handle_fit is the solo handle time of a log with concurrency
    if n_handle >= MIN_RECORDS:
        handle_fit = float(handle[ans_handle].mean())
    if not one_at_a_time:
        if done_at[1] >= MIN_RECORDS and seconds_at[1] > 0.0:
            h1 = float(seconds_at[1] / done_at[1])
            handle_fit = h1
            solo = True
            th = list(base.throughput)
            used: list[str] = []
            for j in range(2, min(MAX_CAP, len(th)) + 1):
                if done_at[j] >= MIN_RECORDS:
                    th[j - 1] = float(done_at[j] / seconds_at[j]) * h1
                    used.append(f"{j}:{int(done_at[j])}")
            if used:
                throughput_fit = tuple(th)
                changes["throughput"] = throughput_fit
                fitted.append("throughput")
                notes.append(
                    "concurrency: throughput(j) = sessions completed per agent-hour while "
                    "holding j / the same while holding one (j:completions "
                    f"{', '.join(used)}; {int(done_at[1])} at j=1); other levels kept default"
                )
        if throughput_fit is None:
            kept.append("throughput")
            notes.append("concurrency: too few sessions per load level; kept default throughput")
    else:
        kept.append("throughput")
        notes.append(
            "concurrency: the log is one-at-a-time (like phone calls: under "
            f"{_ONE_AT_A_TIME_SHARE:.0%} of {n_conc} sessions overlap another of the same agent: "
            f"{overlapping})"
            "; kept default throughput"
        )
    if handle_fit is not None:
        changes["handle_seconds"] = handle_fit
        fitted.append("handle_seconds")
        what = ("agent time holding one session per session completed then"
                if solo else "mean of answered sessions")
        notes.append(f"handle: {what} -> {handle_fit:.0f} s")
    else:
        kept.append("handle_seconds")
        notes.append(f"handle: only {n_handle} answered sessions with a handle time; kept default")

    # Reply latency: only meaningful when agents hold several chats (chat, not phone).
    reply_fit: float | None = None
    n_reply = 0
    if not one_at_a_time:
        th_now = throughput_fit or base.throughput
        model = base.with_(throughput=th_now)
        pick = usable & free_at_start & np.isfinite(wait) & (wait >= 0.0)
        j_after = np.clip(np.nan_to_num(open_at_start[pick]) + 1, 1, len(th_now)).astype(int)
        n_reply = int(pick.sum())
        if n_reply >= MIN_RECORDS:
            slow = np.array([model.slowdown(int(j)) for j in j_after])
            reply_fit = float(np.median(wait[pick] / slow))
            changes["base_reply_seconds"] = reply_fit
            fitted.append("base_reply_seconds")
            notes.append(
                f"reply latency: median first-reply time of {n_reply} sessions picked up at once "
                f"(agent had a free slot), per load level -> base {reply_fit:.1f} s"
            )
    if reply_fit is None:
        kept.append("base_reply_seconds")
        if one_at_a_time:
            notes.append(
                "reply latency: in one-at-a-time data the first reply is the pickup itself; "
                "kept default"
            )
        else:
            notes.append(f"reply latency: only {n_reply} immediate pickups; kept default")

    fitted_model = base.with_(**changes) if changes else base
    report = FitReport(
        sessions=len(frame),
        answered=int(answered.sum()),
        abandoned=int(abandoned.sum()),
        handle_seconds=handle_fit,
        handle_records=int(done_at[1]) if solo else n_handle,
        patience_seconds=patience,
        patience_records=n_exact,
        base_reply_seconds=reply_fit,
        reply_records=n_reply,
        throughput=throughput_fit,
        concurrency_records=n_conc,
        max_concurrency_seen=max_seen,
        one_at_a_time=one_at_a_time,
        fitted=tuple(fitted),
        kept_default=tuple(kept),
        notes=tuple(notes),
    )
    if not math.isfinite(fitted_model.handle_seconds):
        raise ValueError("fitted handle time is not finite")
    return fitted_model, report
