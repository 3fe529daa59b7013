"""Mutation run of the labour rules: does every version of every rule have a test that notices
when it is switched off?

Each mutant disables one hook of one rule (its predicate ``violations`` or a team-level rule's
``check`` finds nothing, its CP-SAT ``add`` adds nothing, its LP ``aggregate`` adds no rows, its
own faster ``allows`` accepts everything, its ``admits`` admits every candidate, a soft rule's
``penalty`` in the plain cost is 0): fairness, minimum hours, the pinned shifts and the re-plan's
cut-off are rules like the others. The runtime validator
is put in report-only mode (``solve`` no longer raises on a broken hard rule), so a mutant is
killed only by a test assertion, not by the validator crashing the search (the two tests of
that raise are left out). A control run with no mutant must pass first. Each mutant runs a fast
subset of the tests in a fresh process (``-x``: the first failure kills it), two at a time.

    .venv/bin/python benchmarks/mutation_run.py            # every mutant
    .venv/bin/python benchmarks/mutation_run.py rest.add   # one
    .venv/bin/python benchmarks/mutation_run.py --agreement  # each against the agreement test

Writes ``benchmarks/results/mutation_run.md``. As a pytest plugin (``-p
benchmarks.mutation_run`` with ``SCHEDULER_MUTANT=rule.hook``) it applies the mutant.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TESTS = ["tests/roster/test_rule_agreement.py", "tests/roster/test_rules.py",
         "tests/roster/test_context_rules.py", "tests/roster", "tests/test_replan.py",
         "tests/test_domain.py"]
"""The fast subset: every rule's tests, the agreement test, the search and the re-plan (the
tests that judge each rule first, so that a mutant dies early)."""
AGREEMENT = "tests/roster/test_rule_agreement.py"
HOOKS = ("violations", "check", "add", "aggregate", "allows", "admits", "penalty")
REPORT_ONLY_DESELECTED = [
    "tests/roster/test_search.py::"
    "test_the_moves_after_the_search_run_in_order_and_their_plan_is_validated",
    "tests/roster/test_validator.py::test_evaluate_raises_on_a_broken_hard_rule"]
"""The two tests of the validator's raise, which report-only mode turns off by design."""


def mutants() -> list[str]:
    from scheduler.roster import RULES

    out = []
    for rule in RULES:
        own = vars(type(rule))
        out += [f"{rule.key}.{hook}" for hook in HOOKS if hook in own]
    return out


def _swap(old: Any, new: Any) -> None:
    """Replace ``old`` by ``new`` wherever a loaded scheduler module holds it by name."""
    for name, module in list(sys.modules.items()):
        if name.startswith("scheduler") and module is not None:
            for key, value in list(vars(module).items()):
                if value is old:
                    setattr(module, key, new)


def apply(mutant: str) -> None:
    """Switch off one hook (see the module docstring) and the validator's raise."""
    import numpy as np

    from scheduler.roster import RULES, cost
    from scheduler.roster.rules import Rule

    def report_only(p: Any, plan: Any) -> Any:
        return cost.score(p, plan)

    _swap(cost.evaluate, report_only)
    if mutant == "none":  # the control: report-only validator, every rule in force
        return
    key, hook = mutant.split(".")
    cls = type(next(r for r in RULES if r.key == key))
    off: dict[str, Any] = {
        "violations": Rule.violations,
        "check": lambda self, p, roster: [],
        "penalty": Rule.penalty,
        "add": Rule.add,
        "aggregate": Rule.aggregate,
        "allows": lambda self, p, a, st, others: True,
        "admits": lambda self, p: np.ones((len(p.types), len(p.agents)), dtype=bool),
    }
    setattr(cls, hook, off[hook])


def pytest_configure(config: Any) -> None:
    mutant = os.environ.get("SCHEDULER_MUTANT")
    if mutant:
        apply(mutant)


def run(mutant: str, tests: list[str] = TESTS) -> tuple[bool, str, float]:
    """(killed, the first failing test, seconds)."""
    t0 = time.perf_counter()
    env = {**os.environ, "SCHEDULER_MUTANT": mutant, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p",
         "benchmarks.mutation_run", "--timeout", "300", *tests,
         *(f"--deselect={t}" for t in REPORT_ONLY_DESELECTED)],
        cwd=REPO, env=env, capture_output=True, text=True)
    failed = next((line.split(" ")[1] for line in out.stdout.splitlines()
                   if line.startswith(("FAILED ", "ERROR "))), "")
    return out.returncode != 0, failed, time.perf_counter() - t0


def agreement(chosen: list[str]) -> int:
    """Each mutant against the agreement test alone: which ones make two versions of a rule
    disagree (an LP-rows mutant cannot: fewer rows still hold for every valid roster)."""
    lines = ["", "## The agreement test alone", "",
             "`.venv/bin/python benchmarks/mutation_run.py --agreement`: each mutant against "
             f"`{AGREEMENT}` only.", "", "| mutant | agreement test fails |", "|---|---|"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for m, (killed, _test, _s) in zip(
                chosen, pool.map(lambda m: run(m, [AGREEMENT]), chosen), strict=True):
            lines.append(f"| {m} | {'yes' if killed else 'no'} |")
            print(f"{m:28s} {'fails' if killed else 'passes'}", flush=True)
    path = REPO / "benchmarks" / "results" / "mutation_run.md"
    text = path.read_text(encoding="utf-8").split("\n## The agreement test alone")[0]
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--agreement"]:
        return agreement(argv[1:] or mutants())
    chosen = argv or mutants()
    t0 = time.perf_counter()
    failed, test, _ = run("none")
    if failed:
        print(f"the control run fails ({test}): fix it before judging mutants")
        return 2
    rows = []
    with ThreadPoolExecutor(max_workers=2) as pool:  # each mutant a process of its own
        for m, (killed, test, seconds) in zip(chosen, pool.map(run, chosen), strict=True):
            rows.append((m, killed, test, seconds))
            print(f"{m:28s} {'killed' if killed else 'SURVIVED'} {seconds:6.1f} s  {test}",
                  flush=True)
    total = time.perf_counter() - t0
    lines = ["# Mutation run of the labour rules", "",
             f"`.venv/bin/python benchmarks/mutation_run.py`: {len(rows)} mutants, "
             f"{sum(k for _, k, _, _ in rows)} killed, {total / 60:.1f} min on this machine; "
             f"tests: {' '.join(TESTS)} (`-x`); the validator in report-only mode.", "",
             "| mutant (rule.hook switched off) | killed | first failing test | seconds |",
             "|---|---|---|---|"]
    lines += [f"| {m} | {'yes' if k else '**no**'} | {t or '—'} | {s:.0f} |"
              for m, k, t, s in rows]
    if not argv:
        (REPO / "benchmarks" / "results" / "mutation_run.md").write_text(
            "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{sum(k for _, k, _, _ in rows)} of {len(rows)} killed in {total:.0f} s")
    return 0 if all(k for _, k, _, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
