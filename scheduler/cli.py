"""Command line: ``scheduler <command>`` or ``python -m scheduler <command>``.

Thin: each command parses options, calls the library, writes files through ``scheduler.io`` and
prints a short human summary. Every user error is one line on stderr and a non-zero exit code.

The library is imported inside the commands, not here: pandas, SciPy, OR-Tools, plotly and
SQLAlchemy take seconds to import, and ``--help`` needs none of them. A command imports what
reading its files and its first line need at its top, and the forecast or the planner after that
line, so that the line comes at once.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from inspect import Parameter, signature
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.exceptions import TyperException

from scheduler import __version__
from scheduler.errors import InputError, SchedulerError
from scheduler.params import (
    MAX_CAP,
    RETIRED,
    SECTIONS,
    Mode,
    ParamError,
    PlanParams,
    default_for,
    plan_fields,
    with_values,
)

if TYPE_CHECKING:
    import pandas as pd

    from scheduler.book import Book, PublishedVersion
    from scheduler.domain import Agent, Forecast, Request, Shift
    from scheduler.report import PlanSummary
    from scheduler.roster import Progress

EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="scheduler",
    help="Plan next week's chat customer-service roster from your shop's history: forecast, "
    "staffing with reception caps (接待上限), CP-SAT shifts, simulated check.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scheduler {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show version.")] = False) -> None:
    """Chat-team roster planner."""


def _warn(warnings: Sequence[str]) -> None:
    """What a reader repaired or ignored in a file, one line each on stderr."""
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)


HistoryOpt = Annotated[Path, typer.Option(
    "--history", help="Hourly history (timestamp, sessions) or per-session records; CSV or XLSX, "
    "English or Chinese headers.")]


@app.command()
def inspect(history: HistoryOpt) -> None:
    """Validate a history file, print a short profile and what it can be used for (exit 2 when
    nothing: it is too short)."""
    from scheduler.domain import HOURS_PER_WEEK
    from scheduler.io import read_history
    from scheduler.profile import profile_lines

    hist = read_history(history)
    _warn(hist.warnings)
    for line in profile_lines(hist):
        typer.echo(line)
    # after the first lines: the backtest imports the planner
    from scheduler.backtest import MIN_TRAIN_WEEKS, full_weeks

    if hist.hours < HOURS_PER_WEEK:
        raise InputError(f"the history covers {hist.hours} hours; forecast and plan need at least "
                         f"one week ({HOURS_PER_WEEK} hours), 4-12 weeks work best; backtest needs "
                         f"{MIN_TRAIN_WEEKS + 1} full weeks", file=hist.source)
    judged = full_weeks(hist) - MIN_TRAIN_WEEKS  # each judged week needs these before it
    typer.echo("Can be used for: forecast, plan, " + (
        f"backtest of up to {judged} week(s)." if judged >= 1 else
        f"not backtest (it needs {MIN_TRAIN_WEEKS + 1} full Monday-to-Sunday weeks, the file "
        f"holds {full_weeks(hist)})."))


def _week_start(text: str | None, *, default: date | None = None, option: str = "--week-start"
                ) -> date:
    from scheduler.domain import DAYS

    if text is None:
        if default is None:
            raise InputError(f"{option} is required (a Monday, YYYY-MM-DD)")
        return default
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option}: expected a date YYYY-MM-DD", value=text) from None
    if day.weekday() != 0:
        raise InputError(f"{option}: {day} is a {DAYS[day.weekday()]}; the week to plan must "
                         f"start on a Monday (e.g. {day - timedelta(days=day.weekday())})")
    return day


def _forecast_file(path: Path, week: date) -> Forecast:
    """A forecast-like file (timestamp, sessions) as the week's forecast."""
    import pandas as pd

    from scheduler.domain import HOURS_PER_WEEK, Forecast, week_hours
    from scheduler.io import read_hourly_sessions

    table, warnings = read_hourly_sessions(path)
    _warn(warnings)
    hours = week_hours(week)
    by_hour = dict(zip(table["timestamp"].dt.to_pydatetime(), table["sessions"], strict=True))
    missing = [h for h in hours if h not in by_hour]
    if missing:
        raise InputError(f"the forecast has no row for {missing[0]:%Y-%m-%d %H:00} of the "
                         f"week of {week}; expected {HOURS_PER_WEEK} hourly rows", file=str(path))
    values = [by_hour[h] for h in hours]
    return Forecast(week_start=week, method="file", frame=pd.DataFrame({
        "timestamp": pd.to_datetime(hours), "sessions": values, "low": values,
        "high": values, "overridden": False}))


def _plan_params(folder: Path) -> PlanParams:
    """The chat model, target, simulation runs and seed a plan's ``summary.json`` recorded."""
    from scheduler.io import read_plan_summary

    summary = read_plan_summary(folder)
    try:
        recorded = summary["parameters"]
        chat = {**recorded["chat"], "throughput": tuple(recorded["chat"]["throughput"])}
        return with_values(PlanParams(), {**chat, **{k: recorded[k] for k in (
            "target", "replications", "seed") if k in recorded}})
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"summary.json has no usable chat model ({exc})",
                         file=str(folder / "summary.json")) from None


def _option(name: str, surface: str | None) -> Parameter:
    """The command parameter of the plan parameter ``name``: its type, and its flag, help text
    and default (its budget on ``surface``) from the field's metadata."""
    section, f = plan_fields()[name]
    hint = typing.get_type_hints(type(getattr(PlanParams(), section)) if section
                                 else PlanParams)[name]
    return Parameter(name, Parameter.KEYWORD_ONLY, default=default_for(f, surface),
                     annotation=Annotated[hint, typer.Option(f.metadata["cli"],
                                                             help=f.metadata["help"])])


CONFIG_HELP = ("A plan.toml setting every parameter: tables "
               + ", ".join(f"\\[{section}]" for section in SECTIONS) + " of their keys, and "
               + ", ".join(n for n, (section, _) in plan_fields().items() if not section)
               + " at the top. Options given on the command line win over the files.")
FILE_OPTIONS: dict[str, Any] = {
    "config": Annotated[Path | None, typer.Option("--config", help=CONFIG_HELP)],
    "rules": Annotated[Path | None, typer.Option("--rules", help="TOML file of roster rules "
                       "(shift_lengths_hours, min_rest_hours, min_days_off, ...), as the "
                       "config's \\[rules].")],
    "tuning": Annotated[Path | None, typer.Option("--tuning", help="TOML file of the roster "
                        "search's tuning (keys of SearchParams: lns_work, patience, ...), as "
                        "the config's \\[search].")],
}


@dataclass(frozen=True)
class Configured:
    """What a command's plan options gave: the parameters, the values set on the command line
    (``flags``), the names set there or in a file (the rest are defaults), and the files read."""

    params: PlanParams
    flags: dict[str, Any]
    given: frozenset[str]
    files: tuple[Path, ...]


def plan_options(*names: str, files: Sequence[str] = (), surface: str | None = None
                 ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the options of the plan parameters ``names`` (``PlanParams`` field
    names, each with its flag, default and help from its metadata; ``surface`` picks a budget
    such as the backtest's shorter time limit) and the ``files`` options, in place of its
    ``configured`` argument, which receives the :class:`Configured` they make: the defaults,
    then ``--config``, ``--rules``, ``--tuning``, then the options given on the command line."""

    def wrap(command: Callable[..., Any]) -> Callable[..., Any]:
        sig = signature(command, eval_str=True)
        made = [Parameter("ctx", Parameter.KEYWORD_ONLY, annotation=typer.Context)]
        made += [Parameter(k, Parameter.KEYWORD_ONLY, default=None, annotation=FILE_OPTIONS[k])
                 for k in files]
        made += [_option(n, surface) for n in names]
        own = [p.replace(kind=Parameter.KEYWORD_ONLY) for p in sig.parameters.values()]
        at = [p.name for p in own].index("configured")

        @functools.wraps(command)
        def run(**kwargs: Any) -> Any:
            ctx = kwargs.pop("ctx", None)
            paths = {k: kwargs.pop(k, None) for k in files}
            flags = {n: kwargs.pop(n) for n in names if n in kwargs}
            kwargs["configured"] = configure(paths, flags, ctx=ctx, surface=surface)
            return command(**kwargs)

        run.__signature__ = sig.replace(  # type: ignore[attr-defined]
            parameters=[*own[:at], *made, *own[at + 1:]])
        run.__annotations__ = {}
        return run

    return wrap


def configure(paths: dict[str, Path | None], flags: dict[str, Any], *,
              ctx: typer.Context | None = None, surface: str | None = None) -> Configured:
    """The plan parameters from the surface's defaults, the files and the flags: a flag the
    command line ``ctx`` parsed gave (not its default), or every flag without ``ctx`` (a direct
    call), wins over the files. A refused value is one line naming its option."""
    from scheduler.io import read_plan_config, read_rules, read_tuning

    params = with_values(PlanParams(), {n: default_for(f, surface) for n, (_, f)
                                        in plan_fields().items() if f.metadata.get("budgets")})
    given: set[str] = set()
    if (config := paths.get("config")) is not None:
        params, given = read_plan_config(config, params)
    if (rules := paths.get("rules")) is not None:
        params = replace(params, rules=read_rules(rules, params.rules))
    if (tuning := paths.get("tuning")) is not None:
        params = replace(params, search=read_tuning(tuning, params.search))
    on_line = {n: v for n, v in flags.items() if ctx is None or getattr(
        ctx.get_parameter_source(n), "name", "") not in ("DEFAULT", "DEFAULT_MAP")}
    try:
        params = with_values(params, on_line)
    except ParamError as exc:
        option = plan_fields()[exc.key][1].metadata.get("cli") or exc.key
        raise InputError(f"{option}: expected {exc.expected}", value=on_line.get(exc.key)
                         ) from None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return Configured(params, on_line, frozenset(given | on_line.keys()),
                      tuple(p for p in paths.values() if p is not None))


PromoOpt = Annotated[Path | None, typer.Option(
    "--promotions", help="Promotion calendar CSV/XLSX (name, start, end, multiplier): demand "
    "multipliers on exactly those hours. Default: the usual e-commerce calendar (38, 618, 双11 "
    "pre-sale/final payment, 双12, 年货节).")]
NoPromoOpt = Annotated[bool, typer.Option("--no-promotions", help="Apply no promotion "
                                          "calendar at all.")]


def _promotions(path: Path | None, none: bool) -> tuple[Any, ...] | None:
    from scheduler.io import read_promotions

    if none and path is not None:
        raise InputError("give --promotions FILE or --no-promotions, not both")
    if none:
        return ()
    if path is None:
        return None
    promos, warnings = read_promotions(path)
    _warn(warnings)
    return promos


def _out_folder(value: Path | None) -> Path | None:
    """An output folder option, checked before any work: a file in its place (or in place of
    one of its parents) is one line, exit 2, instead of an error after the solve."""
    found = (next((p for p in (value, *value.parents) if p.exists()), None)
             if value is not None else None)
    if found is not None and not found.is_dir():
        what = "is a file" if found == value else f"is inside {found}, which is a file"
        raise InputError(f"expected an output folder, but it {what}; choose a folder",
                         file=str(value))
    return value


OutOpt = Annotated[Path, typer.Option("--out", help="Output folder (created if missing).",
                                      callback=_out_folder)]
WeekOpt = Annotated[str | None, typer.Option(
    "--week-start", help="Monday of the week to plan, YYYY-MM-DD (default: the Monday after the "
    "history ends).")]
CHAT = tuple(n for n, (section, f) in plan_fields().items()
             if section == "chat" and f.metadata.get("cli"))
"""The chat model's parameters with an option (staffing, simulate, plan)."""


@app.command()
def forecast(
    history: HistoryOpt,
    out: OutOpt,
    week_start: WeekOpt = None,
    method: Annotated[str, typer.Option(help="auto (best by backtest) or a method name.")] = "auto",
    promotions: PromoOpt = None,
    no_promotions: NoPromoOpt = False,
) -> None:
    """Forecast next week's sessions per hour (with an 80% band), list the calendar's events
    with their learned effects (events.csv) and print the backtest."""
    from scheduler.domain import HOURS_PER_WEEK, next_monday
    from scheduler.io import read_history, write_csv, written_together

    hist = read_history(history)
    _warn(hist.warnings)
    week = _week_start(week_start, default=next_monday(hist.end))
    typer.echo(f"Forecasting the week of {week} from {hist.hours / HOURS_PER_WEEK:.1f} weeks of "
               "history...")
    # after the first line: the forecast imports SciPy
    from scheduler.forecast import backtest, events_frame, forecast_week

    promos = _promotions(promotions, no_promotions)
    fc = forecast_week(hist, week, method=method, promotions=promos)
    with written_together():
        path = write_csv(forecast_frame(fc), out / "forecast.csv", protected=[history])
        write_csv(events_frame(fc), out / "events.csv", protected=[history])
    typer.echo(backtest(hist, promotions=promos).format_table() if hist.hours >= 5 * HOURS_PER_WEEK
               else "(backtest needs at least 5 weeks of history)")
    total = fc.frame["sessions"].sum()
    typer.echo(f"Method: {fc.method}. Expected sessions next week: {total:,.0f} "
               f"(80% band per hour). Wrote {path}")
    for note in fc.notes:
        typer.echo(f"note: {note}")
    _echo_events(fc, out)


def forecast_frame(fc: Forecast) -> pd.DataFrame:
    """The ``forecast.csv`` contract: timestamp, sessions, low, high per clock hour."""
    frame = fc.frame[["timestamp", "sessions", "low", "high"]].copy()
    frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%d %H:%M")
    return frame.round(2)


def _echo_events(fc: Any, out: Path) -> None:
    from scheduler.forecast import describe_events

    lines = describe_events(fc)
    if lines:
        typer.echo(f"Calendar events and outlier days (effects learned from the history; "
                   f"{out / 'events.csv'}):")
        for line in lines:
            typer.echo(line)


@app.command()
@plan_options("target", *CHAT)
def staffing(
    sessions_per_hour: Annotated[float, typer.Option(help="Expected new sessions per hour.")],
    cap: Annotated[int, typer.Option(help="Reception cap (接待上限): chats per agent, "
                                     f"1-{MAX_CAP}.")] = 3,
    configured: Configured | None = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """How many agents at this cap reach the target? (A calculator for one busy hour.)"""
    from scheduler.staffing import required_agents, service_metrics

    assert configured is not None
    chat, target = configured.params.chat, configured.params.service.target
    if sessions_per_hour < 0:
        raise InputError("--sessions-per-hour: expected a number >= 0", value=sessions_per_hour)
    if not 1 <= cap <= MAX_CAP:
        raise InputError(f"--cap: expected a whole number 1-{MAX_CAP}", value=cap)
    n = required_agents(sessions_per_hour, cap, chat, target=target)
    rows = [] if n is None else [(k, service_metrics(sessions_per_hour, k, cap, chat))
                                 for k in (n - 1, n, n + 1) if k >= 0]
    at_n = next((m for k, m in rows if k == n), None)
    if as_json:
        typer.echo(json.dumps({
            "required_agents": n,
            "three_min_rate": at_n.service_level if at_n else None,
            "reply_rate": at_n.reply_rate if at_n else None,
            "abandon_rate": at_n.abandon_probability if at_n else None,
            "occupancy": at_n.occupancy if at_n else None,
            "mean_wait_seconds": at_n.mean_wait_seconds if at_n else None,
            "neighbours": {str(k): m.service_level for k, m in rows},
            "inputs": {"sessions_per_hour": sessions_per_hour, "cap": cap, "target": target,
                       "handle_seconds": chat.handle_seconds,
                       "reply_seconds": chat.base_reply_seconds,
                       "patience_seconds": chat.patience_seconds,
                       "answer_seconds": chat.answer_seconds},
        }))
        return
    if n is None:
        typer.echo(f"No team at cap {cap} reaches {target:.0%}: the reply latency at this cap "
                   f"({chat.reply_latency_seconds(cap):.0f} s) or the load is too high. Try a "
                   "lower cap.")
        raise typer.Exit(1)
    typer.echo(f"{sessions_per_hour:g} sessions/hour, handle {chat.handle_seconds:.0f} s, cap "
               f"{cap}: {n} agents reach the {target:.0%} 3-minute reply rate.")
    for k, m in rows:
        mark = "  <- required" if k == n else ""
        typer.echo(f"  {k:>3} agents: 3-min rate {m.service_level:6.1%}, reply rate "
                   f"{m.reply_rate:6.1%}, occupancy {m.occupancy:5.1%}{mark}")


@app.command()
@plan_options("replications", "seed", *CHAT, "target")
def simulate(
    out: OutOpt,
    roster: Annotated[Path | None, typer.Option("--roster", help="roster.csv (agent_id, start, "
                      "end, max_concurrent[, break_start, break_end]).")] = None,
    plan_dir: Annotated[Path | None, typer.Option("--plan", help="A plan's folder (from plan): "
                        "its roster.csv, forecast.csv, and its chat model, target, replications "
                        "and seed (summary.json) as the defaults; options given here win.")
                        ] = None,
    arrivals: Annotated[Path | None, typer.Option("--arrivals", help="Per-session records to "
                        "replay (start times).")] = None,
    forecast_file: Annotated[Path | None, typer.Option("--forecast", help="Hourly expected "
                             "sessions (timestamp, sessions) to draw arrivals from.")] = None,
    week_start: WeekOpt = None,
    configured: Configured | None = None,
) -> None:
    """Play a roster against sessions; write metrics.json and hourly.csv."""
    import pandas as pd

    from scheduler.domain import Arrivals
    from scheduler.io import (
        PLAN_OLDER,
        planned_from,
        read_plan_state,
        read_roster,
        read_sessions,
        write_csv,
        write_json,
        written_together,
    )

    assert configured is not None
    params, source = configured.params, "default"
    planned: Forecast | None = None
    if plan_dir is not None:
        roster = roster or plan_dir / "roster.csv"
        params = with_values(_plan_params(plan_dir), configured.flags)
        source = "the plan's summary.json"
        if arrivals is None and forecast_file is None:
            forecast_file = plan_dir / "forecast.csv"
            planned, _team, _params = planned_from(  # the exact forecast (the CSV is rounded)
                read_plan_state(plan_dir).get("inputs", {}), label=str(plan_dir),
                missing=PLAN_OLDER)
    if roster is None:
        raise InputError("give --roster FILE or --plan FOLDER")
    if (arrivals is None) == (forecast_file is None):
        raise InputError("give exactly one of --arrivals FILE or --forecast FILE")
    chat, target, seed = params.chat, params.service.target, params.seed
    typer.echo("Chat model: " + ", ".join(
        f"{k} {getattr(chat, k):g} s ({'set by you' if k in configured.given else source})"
        for k in CHAT) + f"; throughput {list(chat.throughput)} ({source}); "
        f"target {target:.0%}")
    # after the first line: the simulation imports SciPy
    from scheduler.simulate import simulate_replications, simulate_roster

    ros, warnings = read_roster(roster)
    _warn(warnings)
    week = _week_start(week_start, default=ros.week_start)
    ros = type(ros)(week_start=week, shifts=ros.shifts)
    inputs = [p for p in (roster, arrivals, forecast_file) if p is not None]
    typer.echo(f"Simulating the week of {week}: "
               + ("the session log's arrivals..." if arrivals is not None else
                  f"{params.replications} runs on the forecast..."))
    if arrivals is not None:
        log = read_sessions(arrivals)
        _warn(log.warnings)
        first = datetime.combine(week, datetime.min.time())
        starts = [t.to_pydatetime() for t in log.frame["start"]
                  if first <= t.to_pydatetime() < first + timedelta(days=7)]
        if not starts:
            raise InputError(f"no session in {arrivals} starts in the week of {week}",
                             file=str(arrivals))
        result = simulate_roster(ros, Arrivals(start=tuple(starts)), chat, seed=seed)
        summary = result.to_summary(target=target)
        hourly = result.hourly_frame()
        metrics: dict[str, object] = summary.as_dict()
        three, reply = summary.three_min_rate, summary.reply_rate
    else:
        assert forecast_file is not None
        fc = (planned if planned is not None and planned.week_start == week
              else _forecast_file(forecast_file, week))
        reps = simulate_replications(ros, fc, chat, replications=params.replications,
                                     seed=seed)
        hourly = reps.hourly_frame()
        metrics = reps.as_dict()
        three, reply = reps.three_min_rate.mean, reps.reply_rate.mean
    hourly = hourly.assign(hour_start=pd.to_datetime(hourly["hour_start"]).dt.strftime(
        "%Y-%m-%d %H:%M"))
    with written_together():
        write_csv(hourly.round(4), out / "hourly.csv", protected=inputs)
        write_json(metrics, out / "metrics.json", protected=inputs)
    typer.echo(f"Week of {week}: 3-minute reply rate {three:.1%}, reply rate {reply:.1%}. "
               f"Wrote {out / 'metrics.json'} and {out / 'hourly.csv'}")


DbOpt = Annotated[str | None, typer.Option(
    "--db", help="The roster book: a SQLAlchemy URL (default: SCHEDULER_DB, else "
    "sqlite:///roster-book.sqlite in this folder; postgresql+psycopg://... for a shared book).")]


@app.command()
@plan_options("target", "time_limit_seconds", "mode", "seed", "interval_minutes", "num_workers",
              "replications", *CHAT, "chance", files=("config", "rules", "tuning"))
def plan(
    history: HistoryOpt,
    agents: Annotated[Path, typer.Option("--agents", help="Agents: agent_id, max_concurrent "
                                         "(接待上限), max_hours_week, availability...")],
    out: OutOpt,
    week_start: WeekOpt = None,
    configured: Configured | None = None,
    promotions: PromoOpt = None,
    no_promotions: NoPromoOpt = False,
    sessions: Annotated[Path | None, typer.Option(
        "--sessions", help="A session log (one row per chat: start, first_reply, end, "
        "abandoned, handle_seconds, agent_id) to fit the chat model from, beside an hourly "
        "history. A per-session --history is fitted from itself.")] = None,
    db: DbOpt = None,
    fairness_weeks: Annotated[int, typer.Option(
        "--fairness-weeks", help="Even out nights, weekends and late finishes over this many "
        "published weeks of the roster book (0: this week alone).")] = 4,
) -> None:
    """Plan next week's roster: writes roster.csv, coverage.csv, diagnosis.csv and
    summary.json. When the roster book holds the week before, the week follows it (its shifts
    running into Monday, rest and days in a row across the boundary) instead of repeating
    itself."""
    from scheduler.domain import next_monday
    from scheduler.io import (
        read_agents,
        read_history_and_sessions,
        read_sessions,
        write_csv,
        written_together,
    )

    assert configured is not None
    params = configured.params
    hist, log = read_history_and_sessions(history)
    if sessions is not None:
        log = read_sessions(sessions)
    team, agent_warnings = read_agents(agents)
    _warn((*hist.warnings, *agent_warnings, *(log.warnings if log is not None else ())))
    week = _week_start(week_start, default=next_monday(hist.end))
    typer.echo(f"Planning the week of {week} for {len(team)} agents "
               f"(target {params.service.target:.0%} in {params.chat.answer_seconds:.0f} s, "
               f"{params.service.mode}; time limit {params.time_limit_seconds:.0f} s)...")
    # after the first line: the planner and its libraries take a second or more to import
    from scheduler.forecast import events_frame
    from scheduler.pipeline import run as run_plan
    from scheduler.replan import save_plan
    from scheduler.report import (
        DIAGNOSIS_SHOWN,
        chance_lever,
        coverage_frame,
        diagnosis_frame,
        promise_lines,
    )

    promos = _promotions(promotions, no_promotions)
    given = [k for k in ("handle_seconds", "base_reply_seconds", "patience_seconds")
             if k in configured.given]
    if fairness_weeks < 0:
        raise InputError("--fairness-weeks: expected a whole number >= 0", value=fairness_weeks)
    before, past = _book_weeks(db, week, max(1, fairness_weeks))
    result = run_plan(hist, team, week_start=week, params=params, promotions=promos,
                      handle_given="handle_seconds" in given, progress=_progress_printer(),
                      sessions=log, explicit=given, before=before,
                      past_shifts=past if fairness_weeks else ())
    typer.echo("", err=True)
    inputs = [p for p in (history, agents, *configured.files, promotions, sessions)
              if p is not None]
    with written_together():
        write_csv(coverage_frame(result), out / "coverage.csv", protected=inputs)
        write_csv(forecast_frame(result.forecast), out / "forecast.csv", protected=inputs)
        write_csv(events_frame(result.forecast), out / "events.csv", protected=inputs)
        write_csv(diagnosis_frame(result.summary.diagnosis), out / "diagnosis.csv",
                  protected=inputs)
        save_plan(result, out, protected=inputs)  # roster.csv, plan.json, summary.json
    s, chat, target = result.summary, result.chat, params.service.target
    typer.echo(plan_headline(s))
    from scheduler.report import price_lines  # the price of each level, after the headline

    for line in price_lines(s.frontier, params.service):
        typer.echo(line)
    for line in promise_lines(s.chance, target, params.service.mode):
        typer.echo(line)
    lever = chance_lever(s)
    if lever:
        typer.echo(lever)
    typer.echo(f"Chat model: handle {chat.handle_seconds:g} s, first reply "
               f"{chat.base_reply_seconds:g} s, patience {chat.patience_seconds:g} s, deadline "
               f"{chat.answer_seconds:g} s, throughput {list(chat.throughput)}; chance "
               f"{params.service.level:g}, mode {params.service.mode}, seed {params.seed}")
    for line in fit_lines(s.chat_fit):
        typer.echo(line)
    if s.rule_costs:
        typer.echo("What the rules cost this week (agent-hours a re-plan without the rule "
                   "saves):")
        for c in s.rule_costs:
            fewer = (f" ({c.short_intervals_without} half-hours below the margin without it)"
                     if c.short_intervals_without < s.below_margin_intervals else "")
            typer.echo(f"  {c.text}{fewer}")
    lo, hi = s.predicted_three_min_rate_ci
    typer.echo(f"Simulated on the forecast ({params.replications} weeks): 3-minute rate, all "
               f"day, {s.predicted_three_min_rate:.1%} (95% CI {lo:.1%}-{hi:.1%}), reply rate "
               f"{s.predicted_reply_rate:.1%}; {s.hours_below_target} of {s.hours_judged} busy "
               f"hours below {target:.0%} at the forecast's own counts.")
    for line in (*result.notes, *(f.text for f in s.diagnosis[:DIAGNOSIS_SHOWN])):
        typer.echo(f"note: {line}")
    if len(s.diagnosis) > DIAGNOSIS_SHOWN:
        typer.echo(f"... and {len(s.diagnosis) - DIAGNOSIS_SHOWN} more in "
                   f"{out / 'diagnosis.csv'}")
    for v in s.soft_violations:
        typer.echo(f"preference missed: {v}")
    _echo_events(result.forecast, out)
    typer.echo(f"Wrote {out / 'roster.csv'}, {out / 'coverage.csv'}, {out / 'events.csv'}, "
               f"{out / 'diagnosis.csv'}, {out / 'summary.json'}")


def fit_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The chat model a session log gave, one line per figure next to its default."""
    if not rows:
        return []
    out = ["Chat model from the session log (fitted / default, sessions behind it):"]
    for r in rows:
        fitted = "-" if r["fitted"] is None else r["fitted"]
        out.append(f"  {r['parameter']}: used {r['used']} ({r['source']}); fitted {fitted}, "
                   f"default {r['default']}; {r['sessions']:,} sessions")
    return out


def plan_headline(s: PlanSummary) -> str:
    """``Plan: 434.0 agent-hours; no roster can need fewer than 363.0 h under these rules (gap
    16.3%); no half-hour short at the forecast; 25.3 s.`` Short: the team cannot meet the
    need at the forecast itself; half-hours below the staffing with margin are said apart."""
    from scheduler.pipeline import margin_of

    head = f"Plan: {s.agent_hours:.1f} agent-hours; "
    if s.gap is not None and s.bound_hours is not None:
        proved = ", proved optimal" if s.status == "OPTIMAL" else ""
        head += (f"no roster can need fewer than {s.bound_hours:.1f} h under these rules "
                 f"(gap {s.gap:.1%}{proved}); ")
    head += (f"{s.short_intervals} half-hour{'s' if s.short_intervals != 1 else ''} short at "
             "the forecast; " if s.short_intervals else "no half-hour short at the forecast; ")
    if s.below_margin_intervals:
        head += (f"{s.below_margin_intervals} below {margin_of(s.parameters)}: see the "
                 "diagnosis; ")
    elif s.gap is None:
        head += f"no gap to a bound ({s.gap_note}); "
    return head + f"{s.solve_seconds:.1f} s."


def _progress_printer() -> Callable[[Progress], None]:
    """The search's progress on stderr: stage, the incumbent's agent-hours and half-hours
    below the staffing with margin (its cover target), the bound in hours ("–" while there
    is none), seconds. On a terminal one line rewritten in place; into a file or a pipe,
    plain lines."""
    live = sys.stderr.isatty()

    def show(p: Progress) -> None:
        bound = "–" if p.bound_hours is None else f"{p.bound_hours:,.1f} h"
        text = (f"  solving [{p.stage}] {p.agent_hours:,.1f} agent-hours, "
                f"{p.short_intervals} below the margin, bound {bound}  {p.seconds:5.1f} s")
        typer.echo(f"\r{text}   " if live else text, nl=not live, err=True)

    return show


@app.command()
@plan_options("chance", "target", "mode", "time_limit_seconds", "seed",
              files=("config", "rules"), surface="backtest")
def backtest(
    history: HistoryOpt,
    agents: Annotated[Path, typer.Option("--agents", help="Agents file, as for plan.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for backtest.csv and backtest.html "
                                      "(created if missing).", callback=_out_folder)
                   ] = Path("out/backtest"),
    weeks: Annotated[int, typer.Option("--weeks", help="How many of the history's last full "
                                       "weeks to judge.")] = 4,
    sessions: Annotated[Path | None, typer.Option(
        "--sessions", help="A session log: the chat model is fitted from the weeks before each "
        "judged week, and its real arrivals are replayed where it covers the week.")] = None,
    configured: Configured | None = None,
) -> None:
    """How would my plans have done? Plan each of the last N weeks from the weeks before it only,
    replay the real week; writes backtest.csv and backtest.html."""
    from scheduler.io import (
        read_agents,
        read_history_and_sessions,
        read_sessions,
        write_csv,
        write_text,
        written_together,
    )

    assert configured is not None
    params, service = configured.params, configured.params.service
    hist, log = read_history_and_sessions(history)
    if sessions is not None:
        log = read_sessions(sessions)
    team, agent_warnings = read_agents(agents)
    _warn((*hist.warnings, *agent_warnings, *(log.warnings if log is not None else ())))

    typer.echo(f"Backtest of the last {weeks} week(s): target {service.target:.0%} "
               f"({service.mode}), a {service.level:.0%} chance of the promise and the point "
               "forecast, "
               f"{params.time_limit_seconds:g} s a plan, seed {params.seed}; the chat model of "
               "each plan as plan makes it "
               + ("(fitted from the session log)" if log is not None else
                  "(the history's handle times, else the defaults)"))
    # after the first line: the planner and its libraries take a second or more to import
    from scheduler.backtest import backtest_plans, column
    from scheduler.plotting import backtest_figure
    from scheduler.report import promise_words

    report = backtest_plans(hist, team, weeks=weeks, params=params, sessions=log,
                            progress=lambda done, total, what: typer.echo(
                                f"[{'#' * done}{'.' * (total - done)}] {done}/{total} {what}",
                                err=True))
    inputs = [p for p in (history, agents, *configured.files, sessions) if p is not None]
    table = report.weeks.copy()
    table["week_start"] = table["week_start"].astype(str)
    # plotly.js inside the file (4.8 MB): it opens offline and where the CDN is out of reach
    html = backtest_figure(report.weeks, target=service.target).to_html(include_plotlyjs=True)
    with written_together():
        write_csv(table.round(4), out / "backtest.csv", protected=inputs)
        write_text(html, out / "backtest.html", protected=inputs)
    typer.echo(f"{'week':<12}{'plan':<12}{'agent-h':>9}{'week rate':>11}{'busy at target':>16}"
               f"{'below: expected':>17}{'seen':>6}")
    for r in report.weeks.itertuples(index=False):
        typer.echo(f"{r.week_start!s:<12}{r.plan:<12}{r.agent_hours:>9.1f}"
                   f"{r.weekly_three_min_rate:>11.1%}"
                   f"{f'{r.busy_hours_at_target}/{r.busy_hours}':>11} {r.share_at_target:>4.0%}"
                   f"{r.expected_below:>17.1f}{r.seen_below:>6d}")
    words = promise_words(report.per_hour_share)
    typer.echo(f"Each promise at {service.target:.0%}: the plan's chance of keeping it, and "
               "whether the real week did")
    typer.echo(f"{'week':<12}{'plan':<12}"
               + "".join(f"{words[m]:<26}" for m in Mode).rstrip())
    for row in report.weeks.to_dict("records"):
        cells = [f"{row[column('chance', m)]:.0%} · "
                 f"{'kept' if row[column('kept', m)] else 'missed'}"
                 + (f" ({row['days_kept']}/7 days)" if m == Mode.DAILY else "") for m in Mode]
        typer.echo(f"{row['week_start']!s:<12}{row['plan']:<12}"
                   + "".join(f"{c:<26}" for c in cells).rstrip())
    for r in report.summary().itertuples(index=False):
        typer.echo(f"{r.plan}: {r.weeks} weeks, {r.agent_hours:.1f} agent-hours a week; worst "
                   f"week {r.worst_share_at_target:.0%} of busy hours at target; "
                   f"{r.weeks_under_95} week(s) under 95%; weekly rate under target in "
                   f"{r.weeks_weekly_below_target}; |expected - seen| hours below "
                   f"{r.mean_abs_expected_minus_seen:.1f} on average")
        typer.echo("  each promise: " + "; ".join(
            f"{words[m]} {getattr(r, column('chance', m)):.0%} predicted, kept in "
            f"{round(getattr(r, column('kept', m)) * r.weeks)} of {r.weeks} week(s)"
            for m in Mode))
    typer.echo(f"Wrote {out / 'backtest.csv'}, {out / 'backtest.html'}")


@app.command()
def publish(
    plan_dir: Annotated[Path, typer.Option("--plan", help="A plan's folder (from plan).")],
    db: DbOpt = None,
    note: Annotated[str, typer.Option(help="Why this version (shown in the book).")] = "",
) -> None:
    """Store a plan's roster as the next version of its week in the roster book (nothing is
    ever overwritten; the latest version is the week's roster; a roster identical to the
    latest version stores nothing)."""
    from scheduler.book import Book
    from scheduler.io import (
        PLAN_OLDER,
        planned_from,
        read_plan_state,
        read_plan_summary,
        read_roster,
    )

    state = read_plan_state(plan_dir)  # what the plan was planned from: a re-plan needs it
    planned_from(state.get("inputs", {}), label=str(plan_dir), missing=PLAN_OLDER)
    summary = read_plan_summary(plan_dir)
    roster, warnings = read_roster(plan_dir / "roster.csv")
    _warn(warnings)
    inputs: dict[str, object] = {"parameters": summary.get("parameters", {}),
                                 "plan_folder": str(plan_dir.resolve()), **state["inputs"]}
    book = Book(db)
    v = book.publish(roster, agent_hours=float(summary["agent_hours"]), summary=summary,
                     inputs=inputs, note=note)
    typer.echo(f"{v.text} ({book.url}).")


@app.command()
def book(
    db: DbOpt = None,
    week: Annotated[str | None, typer.Option("--week", help="A week's Monday, YYYY-MM-DD.")
                    ] = None,
    diff: Annotated[tuple[int, int] | None, typer.Option(
        "--diff", help="Two version numbers of --week: which shifts changed for whom.")] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write everything in the book to CSV files in this folder.",
        callback=_out_folder)] = None,
) -> None:
    """List the roster book's weeks and versions, or what changed between two versions."""
    import pandas as pd

    from scheduler.book import Book
    from scheduler.book.store import moved_agents
    from scheduler.io import write_csv, written_together

    store = Book(db)
    if export is not None:
        with written_together():
            for table, records in store.export().items():
                frame = pd.DataFrame(records)
                for column in frame.columns:
                    if frame[column].map(lambda v: isinstance(v, datetime)).any():
                        frame[column] = pd.to_datetime(frame[column]).dt.strftime(
                            "%Y-%m-%d %H:%M")
                write_csv(frame, export / f"book_{table}.csv")
        typer.echo(f"Wrote the book ({store.url}) to {export}/book_*.csv")
        return
    if diff is not None:
        day = _week_start(week, option="--week")
        changes = store.diff(day, *diff)
        typer.echo(f"Week of {day}, version {diff[0]} -> {diff[1]}: {len(changes)} shift(s) "
                   f"changed for {len(moved_agents(changes))} agent(s)")
        for c in changes:
            typer.echo(f"  {c.text}")
        return
    rows = store.versions(_week_start(week, option="--week") if week else None)
    if not rows:
        typer.echo(f"The roster book is empty ({store.url}).")
        return
    for v in rows:
        typer.echo(f"{v.week_start}  v{v.number}  {v.published_at:%Y-%m-%d %H:%M}  "
                   f"{v.shifts} shifts  {v.agent_hours:.1f} agent-hours  {v.note}".rstrip())


def _book_weeks(db: str | None, week: date, fairness_weeks: int
                ) -> tuple[tuple[Shift, ...], tuple[Shift, ...]]:
    """From the roster book (``--db``, else ``SCHEDULER_DB``, else ``./roster-book.sqlite`` if
    it exists): the published shifts of the week before ``week`` and those of the last
    ``fairness_weeks`` published weeks before it, said aloud; empty when there is no book."""
    from scheduler.book import DEFAULT_URL, Book
    from scheduler.domain import carried_in

    if db is None and not os.environ.get("SCHEDULER_DB") and not Path(
            DEFAULT_URL.removeprefix("sqlite:///")).exists():
        return (), ()
    book = Book(db)
    prev = week - timedelta(days=7)
    published = {day: book.roster(day).shifts
                 for day in (week - timedelta(days=7 * k) for k in range(1, fairness_weeks + 1))
                 if book.versions(day)}
    used = sorted(published)
    before = published.get(prev, ())
    past = tuple(s for shifts in published.values() for s in shifts)
    if prev in used:
        typer.echo(f"Follows the published week of {prev}: {len(carried_in(before, week))} "
                   "shift(s) run into Monday; rest and days in a row count across the boundary.")
    else:
        typer.echo(f"The roster book ({book.url}) has no week {prev}: the week is planned as a "
                   "standing week (Sunday night wraps into Monday).")
    if used:
        typer.echo(f"Fairness counts nights, weekends and late finishes over {len(used)} "
                   f"published week(s) ({min(used)} .. {max(used)}) with this one.")
    return before, past


def _latest_version(book: Book, day: date
                    ) -> tuple[PublishedVersion, tuple[Forecast, tuple[Agent, ...], PlanParams]]:
    """The week's latest published version and what it was planned from (InputError when the
    book has no such week)."""
    from scheduler.io import planned_from

    versions = book.versions(day)
    if not versions:
        raise InputError(f"the book has no week {day}: publish a plan of it first",
                         file=book.url)
    latest = versions[-1]
    return latest, planned_from(book.inputs(day, latest.number),
                                label=f"{book.url} week {day} v{latest.number}")


@app.command()
@plan_options("time_limit_seconds", surface="replan")
def replan(
    week: Annotated[str, typer.Option("--week", help="The published week's Monday, "
                                      "YYYY-MM-DD.")],
    keep_before: Annotated[str, typer.Option(
        "--keep-before", help="The cut-off, 'YYYY-MM-DD HH:MM': every shift starting before it "
        "is kept; no new shift starts before it.")],
    requests: Annotated[Path | None, typer.Option(
        "--requests", help="Leave and day-off requests: agent_id, start, end, kind "
        "(leave, day_off, sick).")] = None,
    pin: Annotated[Path | None, typer.Option(
        "--pin", help="Shifts to keep as they are (a roster.csv-like file).")] = None,
    db: DbOpt = None,
    configured: Configured | None = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the new roster.csv "
                                             "here.", callback=_out_folder)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the re-plan without "
                                          "publishing it.")] = False,
    note: Annotated[str, typer.Option(help="Why (shown in the book).")] = "",
) -> None:
    """Re-plan a published week from a cut-off: keep every shift before it and every pinned
    shift, grant the requests, cover what they open, and change as few published shifts as
    possible; published as the week's next version (unless --dry-run)."""
    from scheduler.book import Book
    from scheduler.domain import Roster
    from scheduler.io import (
        parse_datetime,
        plan_inputs,
        read_requests,
        read_roster,
        write_csv,
    )

    assert configured is not None
    time_limit = configured.params.time_limit_seconds
    day = _week_start(week, option="--week")
    cutoff = parse_datetime(keep_before.strip(), file="--keep-before", row=0,
                            column="--keep-before")
    book = Book(db)
    latest, (forecast, agents, params) = _latest_version(book, day)
    published = book.roster(day)
    asked: tuple[Request, ...] = ()
    if requests is not None:
        asked, warnings = read_requests(str(requests), agents)
        _warn(warnings)
    pinned: tuple[Shift, ...] = ()
    if pin is not None:
        pinned_roster, warnings = read_roster(pin, week_start=day)
        _warn(warnings)
        pinned = pinned_roster.shifts
    typer.echo(f"Re-planning version {latest.number} of the week of {day} from "
               f"{cutoff:%a %Y-%m-%d %H:%M} ({len(asked)} request(s), {len(pinned)} pinned "
               f"shift(s), up to {time_limit:g} s) ...")
    # after the first line: the planner and its libraries take a second or more to import
    from scheduler.replan import replan as do_replan
    from scheduler.report import in_week_shifts, roster_frame

    prev = book.versions(day - timedelta(days=7))
    before = book.roster(day - timedelta(days=7)).shifts if prev else ()
    result = do_replan(published, forecast, agents, params, cutoff=cutoff, requests=asked,
                       pinned=tuple(pinned), time_limit=time_limit, before=before,
                       progress=_progress_printer())
    typer.echo("", err=True)
    for line in result.lines(day, cutoff):
        typer.echo(line)
    roster = Roster(day, tuple(in_week_shifts(result.roster)))
    if out is not None:
        write_csv(roster_frame(result.roster), out / "roster.csv")
        typer.echo(f"Wrote {out / 'roster.csv'}")
    if dry_run:
        typer.echo("Not published (--dry-run).")
        return
    inputs = plan_inputs(forecast, agents, params)
    inputs["replan"] = {"from_version": latest.number, "keep_before": cutoff.isoformat(),
                        "requests": [r.text for r in asked], "pinned": len(pinned),
                        "changed_shifts": len(result.changes), "moved_agents": result.moved}
    v = book.publish(roster, agent_hours=result.agent_hours,
                     summary={"agent_hours": result.agent_hours,
                              "short_intervals_after_cutoff": result.short_after,
                              "below_margin_after_cutoff": result.below_margin_after,
                              "chance": result.chance},
                     inputs=inputs, requests=asked,
                     note=note or f"re-plan from {cutoff:%a %m-%d %H:%M}")
    typer.echo(f"{v.text} ({book.url}).")


@app.command()
def today(
    week: Annotated[str, typer.Option("--week", help="The published week's Monday, "
                                      "YYYY-MM-DD.")],
    now: Annotated[str, typer.Option("--now", help="Now, 'YYYY-MM-DD HH:MM': the counts of "
                                     "the hours over by then are read, nothing later.")],
    counts: Annotated[Path, typer.Option(
        "--counts", help="Today's sessions so far, as the platform exports them: hourly "
        "counts (timestamp, sessions) or per-session records; earlier days of the week too.")],
    absent: Annotated[list[str] | None, typer.Option(
        "--absent", help="An agent gone for the rest of the day from a time: A03@10:00 "
        "(repeat for more).")] = None,
    db: DbOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write today.csv and actions.csv here.", callback=_out_folder)] = None,
    apply: Annotated[bool, typer.Option(
        "--apply", help="Publish the week with the absences and the actions as its next "
        "version.")] = False,
) -> None:
    """How today is going: the rest of the day re-forecast from the counts so far, each
    remaining hour's chance of keeping the target with the team on duty (the week's latest
    published version in the roster book), and the calls and extensions that restore the hours
    at risk at the least pay."""
    from scheduler.book import Book
    from scheduler.io import parse_datetime, read_history, write_csv, written_together

    day = _week_start(week, option="--week")
    at = parse_datetime(now.strip(), file="--now", row=0, column="--now")
    book = Book(db)
    latest, (forecast, agents, params) = _latest_version(book, day)
    history = read_history(counts)
    _warn(history.warnings)
    from scheduler.today import Absence, look_at_today

    gone = [Absence.parse(a, at.date()) for a in absent or ()]
    typer.echo(f"Today with version {latest.number} of the week of {day}, the counts of "
               f"{counts} up to {at:%a %Y-%m-%d %H:%M} ...")
    view = look_at_today(book.roster(day), forecast, params, now=at,
                         counts=history.frame[["timestamp", "sessions"]], absent=gone,
                         agents=agents)
    _warn(view.notes)
    for line in view.lines():
        typer.echo(line)
    if out is not None:
        frame = view.hours.assign(hour=view.hours["hour"].dt.strftime("%Y-%m-%d %H:%M"))
        with written_together():
            write_csv(frame, out / "today.csv")
            write_csv(view.actions_frame(), out / "actions.csv")
        typer.echo(f"Wrote {out / 'today.csv'} and {out / 'actions.csv'}")
    if apply:
        from scheduler.today import publish_today

        v = publish_today(book, day, latest.number, view, (forecast, agents, params), absent)
        typer.echo(f"{v.text} ({book.url}).")


SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data"


@app.command()
@plan_options("time_limit_seconds", surface="demo")
def demo(
    out: Annotated[Path, typer.Option("--out", help="Where to write the sample plan.",
                                      callback=_out_folder)] = Path("out/sample-plan"),
    configured: Configured | None = None,
    open_app: Annotated[bool, typer.Option("--app/--no-app", help="Open the app afterwards.")
                        ] = True,
    port: Annotated[int, typer.Option(help="Port for the app.")] = 8501,
    share: Annotated[bool, typer.Option("--share", help="Let others on the network open the "
                     "app (it shows staff names and schedules, with no sign-in). Default: this "
                     "computer only.")] = False,
) -> None:
    """Plan the bundled sample shop's next week headless, then open the app on it."""
    assert configured is not None
    history = SAMPLE_DIR / "sample_history.csv"
    agents = SAMPLE_DIR / "sample_agents.csv"
    if not history.exists() or not agents.exists():
        raise SchedulerError(f"bundled sample not found in {SAMPLE_DIR}; run from a clone of "
                             "the repository")
    typer.echo("== The bundled sample shop ==")
    inspect(history)
    typer.echo("")
    typer.echo("== Next week's plan ==")
    plan(history=history, agents=agents, out=out,
         time_limit_seconds=configured.params.time_limit_seconds)
    if open_app:
        import subprocess

        app_file = SAMPLE_DIR.parent / "app.py"
        where = ("every network interface: others on the network can open it" if share
                 else "this computer only")
        typer.echo(f"\nOpening the app at http://localhost:{port} ({where}; Ctrl-C to stop)...")
        env = {**os.environ, PLAN_ENV: str(out.resolve())}
        subprocess.run(app_command(app_file, port=port, share=share), check=False, env=env)


PLAN_ENV = "SCHEDULER_PLAN_DIR"
"""The app opens the plan in this folder on its first page view (``scheduler demo`` sets it)."""


def app_command(app_file: Path, *, port: int, share: bool) -> list[str]:
    """The command that serves the app: on this computer only (127.0.0.1) unless ``share``
    (every network interface: anyone who can reach the port sees the rosters)."""
    return [sys.executable, "-m", "streamlit", "run", str(app_file), "--server.port", str(port),
            "--server.address", "0.0.0.0" if share else "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 2 bad input or usage, 3 internal error)."""
    command = typer.main.get_command(app)
    given = sys.argv[1:] if argv is None else argv
    for name, instead in RETIRED.items():
        flag = "--" + name.replace("_", "-")
        if any(a == flag or a.startswith(flag + "=") for a in given):
            typer.echo(f"error: {flag} is {instead}", err=True)
            return EXIT_INPUT
    try:
        result = command.main(args=argv, prog_name="scheduler", standalone_mode=False)
    except SchedulerError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_INPUT
    except typer.Exit as exc:
        return int(exc.exit_code)
    except TyperException as exc:  # a usage mistake: one line, and where to read more
        ctx = getattr(exc, "ctx", None)
        where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        if exc.format_message():  # (empty after the help a bare command prints)
            typer.echo(f"error: {exc.format_message()}{where}", err=True)
        return EXIT_INPUT
    except (KeyboardInterrupt, typer.Abort):
        result = EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: never a traceback to the user
        typer.echo(f"internal error: {type(exc).__name__}: {exc} "
                   "(please report it with the command you ran)", err=True)
        return EXIT_INTERNAL
    if result == EXIT_INTERRUPTED:  # (typer also returns a Ctrl-C as this code, silently)
        typer.echo(INTERRUPTED, err=True)
    return int(result) if isinstance(result, int) else 0


INTERRUPTED = ("interrupted: stopped; no output file or roster book entry was left "
               "half-written")
"""The one line a Ctrl-C ends a command with."""


def entry() -> None:
    """Console-script entry point (and ``python -m scheduler``): the first Ctrl-C ends the
    command with one line; more, while it stops, change nothing."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _first_ctrl_c)
    sys.exit(main(sys.argv[1:]))


def _first_ctrl_c(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


@app.command()
@plan_options("replications", "seed")
def fit(
    sessions: Annotated[Path, typer.Option("--sessions", help="A session log (one row per chat: "
                        "start, first_reply, end, abandoned, handle_seconds, agent_id).")],
    fit_weeks: Annotated[int | None, typer.Option("--fit-weeks", help="Fit on this many weeks "
                         "just before the replayed week (default: every week before it).")
                         ] = None,
    week: Annotated[str | None, typer.Option("--replay-week", help="Monday of the week to "
                    "replay, YYYY-MM-DD (default: the log's last full Monday-Sunday week).")
                    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for fit.csv and replay.csv "
                   "(created if missing).", callback=_out_folder)] = None,
    configured: Configured | None = None,
) -> None:
    """Fit the chat model from a session log on the weeks before one week, replay that week with
    the fitted model and the duty the log shows, and compare with what the log records."""
    import pandas as pd

    from scheduler.context import chat_from_sessions
    from scheduler.domain import SessionLog, week_start_of
    from scheduler.io import read_sessions, write_csv, written_together
    from scheduler.staffing import fit_chat_model

    assert configured is not None
    params = configured.params
    if fit_weeks is not None and fit_weeks < 1:
        raise InputError("--fit-weeks: expected a whole number >= 1", value=fit_weeks)
    log = read_sessions(sessions)
    _warn(log.warnings)
    starts = log.frame["start"]
    first_day, last_day = starts.min().date(), starts.max().date()
    last_full = week_start_of(last_day - timedelta(days=6))
    replayed = _week_start(week, default=last_full if last_full >= first_day else None,
                           option="--replay-week")
    monday = datetime.combine(replayed, datetime.min.time())
    fit_from = monday - timedelta(weeks=fit_weeks) if fit_weeks is not None else starts.min()
    before = ((starts >= fit_from) & (starts < monday)).to_numpy()
    if not before.any():
        raise InputError(f"no session starts before the week of {replayed}: nothing to fit the "
                         "chat model on (choose a later --replay-week)", file=str(sessions))
    fit_log = SessionLog(log.frame.loc[before].reset_index(drop=True), log.source)
    chat, rows, notes = chat_from_sessions(fit_log, params.chat)
    _, report = fit_chat_model(fit_log, params.chat)  # its one-at-a-time verdict sets the caps
    fit_starts = fit_log.frame["start"]
    typer.echo(f"Fitted on {fit_starts.min():%Y-%m-%d} .. {fit_starts.max():%Y-%m-%d} "
               f"({report.sessions:,} sessions); replaying the week of {replayed}.")
    # after the first line: the simulation imports SciPy
    from scheduler.simulate import duty_from_log, fit_duty_behaviour, replay_week

    for line in fit_lines(rows):
        typer.echo(line)
    for note in notes:
        typer.echo(f"note: {note}")
    typer.echo("Fitting how the agents worked their duty (away time, its rhythm, patience) on "
               "the fit weeks ...")
    behaviour = fit_duty_behaviour(fit_log, chat, one_at_a_time=report.one_at_a_time,
                                   seed=params.seed)
    duty = duty_from_log(log, week_start=replayed, one_at_a_time=report.one_at_a_time)
    replay = replay_week(log, chat, replayed, duty=duty, replications=params.replications,
                         seed=params.seed, behaviour=behaviour)
    for line in replay.lines():
        typer.echo(line)
    if out is not None:
        table = pd.DataFrame(rows)
        for column in ("default", "fitted", "used"):
            table[column] = [" ".join(f"{x:g}" for x in v) if isinstance(v, list) else v
                             for v in table[column]]
        with written_together():
            write_csv(table, out / "fit.csv", protected=[sessions])
            write_csv(replay.frame(), out / "replay.csv", protected=[sessions])
        typer.echo(f"Wrote {out / 'fit.csv'} and {out / 'replay.csv'}")
