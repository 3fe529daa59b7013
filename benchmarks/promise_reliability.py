"""Are the predicted chances honest? The reliability table of the three promises (issue 29).

Protocol (``benchmarks/chance_defaults.py``'s): the anonymous bank's hourly calls laid onto 2026
(``forecast_calendar.bank_2026``), 45 seeded agents (``roster_instance.agents(45, seed=1)``),
default rules, seed 0. Every week the history allows (each planned from the weeks before it
only, at least ``MIN_TRAIN_WEEKS`` of them) is planned at each level of ``--levels`` (the chance
of the per-hour promise it is planned for: 0 is the point forecast) and its real hourly counts
are replayed (``backtest_plans``). Each (roster, real week, promise) is one pair: the chance the
plan predicted (``PlanSummary.chance``, from its own scenario weeks) and whether the real week
kept the promise (per-hour: >= 95% of busy hours at 80%; daily: every day at 80%; weekly: the
week). Pairs are binned by predicted chance (``scheduler.backtest.reliability``); the table
holds when every bin with at least ``--min-pairs`` pairs has predicted and kept within 10
points. The busy hours expected below target against those seen are reported on the last 12
weeks at the default chance (the judged weeks of ``chance_defaults.py``).

Run:  .venv/bin/python benchmarks/promise_reliability.py   (about 45 minutes on 2 cores)
writes ``benchmarks/results/promise_reliability.md`` and ``.csv`` (rows are appended as plans
finish; a rerun resumes from the CSV, ``--fresh`` starts over). ``--keep DIR`` stores each
plan's roster (one pickle per week and margin); ``--rescore DIR`` then recomputes every
predicted chance and expected busy hours below target from those rosters with the code as it
is now (a new scenario model is judged on the same rosters without re-planning them; the rosters
were bought on the scenario weeks of the model they were planned with) and rewrites the table.
Rows written before ``--confidence`` was retired hold the confidence a plan was sized at as its
level; the kept columns are the real weeks' replays and do not change.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import roster_instance  # noqa: E402
from forecast_calendar import bank_2026  # noqa: E402

from scheduler.backtest import (  # noqa: E402
    MIN_TRAIN_WEEKS,
    backtest_plans,
    column,
    cut_history,
    full_weeks,
    judged_weeks,
    reliability,
)
from scheduler.domain import HourlyHistory  # noqa: E402
from scheduler.params import DEFAULT_CHANCE, Mode, PlanParams, ServiceTarget  # noqa: E402
from scheduler.pipeline import make_forecast, roster_chance  # noqa: E402
from scheduler.report import PlanResult  # noqa: E402

OUT = ROOT / "benchmarks" / "results"
CSV = OUT / "promise_reliability.csv"
TOLERANCE = 0.10
DEFAULT = DEFAULT_CHANCE[Mode.PER_HOUR]


@cache
def bank() -> HourlyHistory:
    return bank_2026()


def plan_week(week: date, level: float, time_limit: float, mode: str = "per-hour",
              keep: Path | None = None) -> list[dict]:  # type: ignore[type-arg]
    """Plan and replay one week (one process, one CP-SAT worker) for the promise of ``mode`` at
    chance ``level``; ``keep``: a folder to store the plan's roster in (``--rescore``)."""
    hist = bank()
    team = tuple(roster_instance.agents(45, seed=1))
    params = PlanParams(time_limit_seconds=time_limit, replications=3, num_workers=1,
                        service=replace(ServiceTarget(), mode=mode, chance=level))
    n = full_weeks(hist) - MIN_TRAIN_WEEKS
    def store(w: date, _name: str, result: PlanResult) -> None:
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            with (keep / f"{w}_{level:g}.pkl").open("wb") as fh:
                pickle.dump({"week": w, "level": level, "params": result.params,
                             "roster": result.roster.roster}, fh)

    report = backtest_plans(hist, team, weeks=n, params=params, only=[week], point=False,
                            keep=store)
    return report.weeks.assign(mode=mode, level=level).to_dict("records")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", type=float, nargs="+", default=[0.0, 0.5, 0.75, 0.9, 0.95])
    ap.add_argument("--weeks", type=int, default=0,
                    help="judge the last N weeks (0: every week the history allows)")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--min-pairs", type=int, default=10)
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--keep", type=Path, help="store each plan's roster in this folder")
    ap.add_argument("--note", default="", help="a sentence for the table's header (provenance)")
    ap.add_argument("--rescore", type=Path,
                    help="recompute the predicted chances from the rosters stored here")
    args = ap.parse_args(argv)
    if args.rescore:
        return rescore(args)
    hist = bank()
    n = args.weeks or full_weeks(hist) - MIN_TRAIN_WEEKS
    weeks = judged_weeks(hist, n)
    OUT.mkdir(parents=True, exist_ok=True)
    done = pd.read_csv(CSV) if CSV.exists() and not args.fresh else pd.DataFrame()
    have = set() if done.empty else {(str(w), float(c)) for w, c in
                                     zip(done["week_start"], done["level"], strict=True)}
    if args.fresh and CSV.exists():
        CSV.unlink()
    tasks = [(w, p) for p in args.levels for w in weeks if (str(w), float(p)) not in have]
    t0 = time.perf_counter()
    print(f"{len(weeks)} weeks x {len(args.levels)} margins: {len(tasks)} plans to run",
          flush=True)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(plan_week, w, p, args.time_limit, keep=args.keep): (w, p)
                   for w, p in tasks}
        for k, fut in enumerate(as_completed(futures), 1):
            w, p = futures[fut]
            rows = pd.DataFrame(fut.result())
            rows.to_csv(CSV, mode="a", header=not CSV.exists(), index=False)
            print(f"  {k}/{len(tasks)} week of {w} at {p:g}: {rows['agent_hours'].iloc[0]:.1f} h,"
                  f" {time.perf_counter() - t0:.0f} s", flush=True)
    seconds = time.perf_counter() - t0
    table = pd.read_csv(CSV)
    table = table[table["level"].isin(args.levels)
                  & table["week_start"].astype(str).isin([str(w) for w in weeks])]
    write(table, args, seconds, len(weeks))
    return 0


def chance_of(path: Path) -> dict[str, object]:
    """The predicted chances of one stored roster with today's code: its week's forecast made
    again from the weeks before it (as the plan made it), the scenario weeks of its error."""
    with path.open("rb") as fh:
        kept = pickle.load(fh)
    week, params = kept["week"], kept["params"]
    forecast = make_forecast(cut_history(bank(), week), week)
    c = roster_chance(kept["roster"], forecast, params)
    return {"week_start": str(week), "level": float(kept.get("level", kept.get("confidence"))),
            "expected_below": c.below.expected,
            **{column("chance", m): float(c.as_dict()[m.value]) for m in Mode}}


def rescore(args: argparse.Namespace) -> int:
    """``--rescore``: every stored roster's chances again, written over the CSV's predicted
    columns (the rows must be in the CSV: the kept columns come from the real weeks)."""
    t0 = time.perf_counter()
    paths = sorted(args.rescore.glob("*.pkl"))
    rows = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for k, row in enumerate(pool.map(chance_of, paths), 1):
            rows.append(row)
            print(f"  {k}/{len(paths)} week of {row['week_start']} at {row['level']:g}",
                  flush=True)
    new = pd.DataFrame(rows).set_index(["week_start", "level"])
    table = pd.read_csv(CSV)
    key = pd.MultiIndex.from_arrays([table["week_start"].astype(str),
                                     table["level"].astype(float)])
    missing = [k for k in key if k not in new.index]
    if missing:
        raise SystemExit(f"{len(missing)} rows of {CSV} have no stored roster in "
                         f"{args.rescore} (first: {missing[0]})")
    for c in new.columns:
        table[c] = new.loc[key, c].to_numpy()
    table.to_csv(CSV, index=False)
    weeks = table["week_start"].nunique()
    args.levels = sorted(table["level"].unique())
    write(table, args, time.perf_counter() - t0, weeks, rescored=True)
    return 0


def with_range(bins: pd.DataFrame) -> pd.DataFrame:
    """``low``/``high``: the 5% and 95% points of the share kept if each bin's pairs kept
    their promise with the bin's mean predicted chance (binomial)."""
    n, p = bins["pairs"].to_numpy(), bins["predicted"].to_numpy()
    return bins.assign(low=stats.binom.ppf(0.05, n, p) / n, high=stats.binom.ppf(0.95, n, p) / n)


def write(table: pd.DataFrame, args: argparse.Namespace, seconds: float, n: int, *,
          rescored: bool = False) -> None:
    for c in ("kept_per_hour", "kept_daily", "kept_weekly"):
        table[c] = table[c].astype(str).str.lower().eq("true")
    per = with_range(reliability(table))
    pooled = with_range(reliability(table, by_promise=False))
    judged = per[per["pairs"] >= args.min_pairs]
    worst = float((judged["predicted"] - judged["kept"]).abs().max())
    outside = judged[(judged["kept"] < judged["low"]) | (judged["kept"] > judged["high"])]
    last = {str(w) for w in judged_weeks(bank(), 12)}
    default = table[(table["level"] == DEFAULT) & table["week_start"].astype(str).isin(last)]
    gap = float((default["expected_below"] - default["seen_below"]).abs().mean())
    holds = worst <= TOLERANCE
    margins = (table.groupby("level")
               .agg(weeks=("week_start", "size"), agent_hours=("agent_hours", "mean"),
                    chance_per_hour=("chance_per_hour", "mean"),
                    kept_per_hour=("kept_per_hour", "mean"),
                    chance_daily=("chance_daily", "mean"), kept_daily=("kept_daily", "mean"),
                    chance_weekly=("chance_weekly", "mean"), kept_weekly=("kept_weekly", "mean"))
               .reset_index())

    def pct(x: float) -> str:
        return f"{x:.0%}"

    lines = [
        "# The chance of each promise, predicted and kept on real weeks",
        "",
        f"`.venv/bin/python benchmarks/promise_reliability.py` — {n} real bank weeks × "
        f"{len(args.levels)} margins ({', '.join(f'{p:g}' for p in args.levels)}; 0 is the "
        f"point forecast) × 3 promises = {len(table) * 3} pairs; {args.time_limit:g} s a plan, "
        f"{args.jobs} plans side by side; "
        + (f"the predicted chances recomputed from the stored rosters (`--rescore`) in "
           f"{seconds / 60:.0f} min." if rescored else f"this run {seconds / 60:.0f} min (rows "
           "already in the CSV are not re-planned).") + (f" {args.note}" if args.note else ""),
        "",
        f"**{'Holds' if holds else 'Does not hold'}:** the worst bin with at least "
        f"{args.min_pairs} pairs is {worst * 100:.1f} points off (allowed "
        f"{TOLERANCE * 100:.0f}). Busy hours below target, expected vs seen, on the last 12 "
        f"weeks at the default chance {DEFAULT:g}: {gap:.2f} apart on average (allowed 2).",
        "",
        f"Chance alone moves a bin's share kept: *range* is where it falls 9 times in 10 if "
        f"every pair's predicted chance were exact (binomial, the bin's pairs at its mean "
        f"predicted chance). {len(outside)} of the {len(judged)} bins with at least "
        f"{args.min_pairs} pairs fall outside it"
        + (": " + "; ".join(f"{r.promise} {r.bin}" for r in outside.itertuples()) if len(outside)
           else "") + ".",
        "",
        "## Per promise",
        "",
        "| promise | predicted chance | pairs | mean predicted | kept | range |",
        "|---|---|---:|---:|---:|---|",
        *(f"| {r.promise} | {r.bin} | {r.pairs} | {pct(r.predicted)} | {pct(r.kept)} | "
          f"{pct(r.low)}–{pct(r.high)} |" for r in per.itertuples()),
        "",
        "## All promises pooled",
        "",
        "| predicted chance | pairs | mean predicted | kept | range |",
        "|---|---:|---:|---:|---|",
        *(f"| {r.bin} | {r.pairs} | {pct(r.predicted)} | {pct(r.kept)} | "
          f"{pct(r.low)}–{pct(r.high)} |" for r in pooled.itertuples()),
        "",
        "## Per margin (mean over the weeks)",
        "",
        "| level | weeks | agent-hours | per-hour: predicted / kept | daily | weekly |",
        "|---:|---:|---:|---|---|---|",
        *(f"| {r.level:g} | {r.weeks} | {r.agent_hours:.1f} | {pct(r.chance_per_hour)} / "
          f"{pct(r.kept_per_hour)} | {pct(r.chance_daily)} / {pct(r.kept_daily)} | "
          f"{pct(r.chance_weekly)} / {pct(r.kept_weekly)} |" for r in margins.itertuples()),
        "",
    ]
    (OUT / "promise_reliability.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
