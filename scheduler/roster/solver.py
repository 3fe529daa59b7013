"""CP-SAT plumbing: parameters, the progress callback, status handling."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.errors import InfeasiblePlanError
from scheduler.roster.result import SolveProgress

ProgressFn = Callable[[SolveProgress], None]
LARGE_MODEL_VARIABLES = 30_000
"""Above this many variables, presolve probing is switched off."""


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports every new incumbent (objective, bound, seconds since the plan began)."""

    def __init__(self, stage: str, progress: ProgressFn | None, t0: float) -> None:
        super().__init__()
        self._stage = stage
        self._progress = progress
        self._t0 = t0
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        if self._progress is not None:
            self._progress(
                SolveProgress(
                    self._stage,
                    float(self.objective_value),
                    float(self.best_objective_bound),
                    time.perf_counter() - self._t0,
                )
            )


@dataclass(frozen=True)
class SolveOutcome:
    """What a CP-SAT solve gave: ``status`` is 'OPTIMAL', 'FEASIBLE', 'UNKNOWN' (time out
    without a solution) or 'INFEASIBLE' (only when the caller allowed it)."""

    status: str
    objective: float
    bound: float
    seconds: float


def solve(
    model: cp_model.CpModel,
    *,
    stage: str,
    time_limit_seconds: float,
    num_workers: int,
    seed: int,
    progress: ProgressFn | None,
    t0: float,
    infeasible_ok: bool = False,
    presolve: bool = True,
    probing: bool = True,
) -> tuple[cp_model.CpSolver, SolveOutcome]:
    """Solve with a time limit, ``num_workers`` workers and ``seed``; INFEASIBLE or
    MODEL_INVALID cannot happen by construction (shortfall slack) and raise a readable
    ``InfeasiblePlanError`` if they do. ``presolve=False`` skips CP-SAT's presolve;
    ``probing=False`` its probing.
    ``infeasible_ok``: a restricted phase (naming stage
    A's shifts exactly) may be infeasible; report it as status 'INFEASIBLE' instead."""
    if model.proto.solution_hint.vars:
        _complete_hint(model, seed=seed, time_limit_seconds=max(0.5, 0.25 * time_limit_seconds))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, float(time_limit_seconds))
    solver.parameters.num_workers = max(1, int(num_workers))
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = False
    if not presolve:
        # stage A is built tight by hand; measured on a 40-agent week: first plan at 1.8 s
        # instead of 9.8 s and a better plan at 15 s
        solver.parameters.cp_model_presolve = False
    elif not probing or len(model.proto.variables) > LARGE_MODEL_VARIABLES:
        # presolve probing costs ~4 s a round on a 200-agent week (measured); with a complete
        # hint the search starts from a good plan anyway
        solver.parameters.cp_model_probing_level = 0
    callback = _Progress(stage, progress, t0)
    started = time.perf_counter()
    code = solver.solve(model, callback)
    seconds = time.perf_counter() - started
    if code == cp_model.OPTIMAL:
        status = "OPTIMAL"
    elif code == cp_model.FEASIBLE:
        status = "FEASIBLE"
    elif code == cp_model.UNKNOWN:
        status = "UNKNOWN"
    elif code == cp_model.MODEL_INVALID:
        raise InfeasiblePlanError(
            f"stage {stage}: the roster model is invalid (a bug, please report it): "
            f"{model.validate() or 'no detail'}"
        )
    elif infeasible_ok:
        return solver, SolveOutcome("INFEASIBLE", float("nan"), float("nan"), seconds)
    else:
        raise InfeasiblePlanError(
            f"stage {stage}: the roster model has no solution even with shortfall allowed "
            "(a bug, please report it with the inputs)"
        )
    if status == "UNKNOWN":
        return solver, SolveOutcome(status, float("nan"), float("nan"), seconds)
    return solver, SolveOutcome(
        status, float(solver.objective_value), float(solver.best_objective_bound), seconds
    )


def _complete_hint(model: cp_model.CpModel, *, seed: int, time_limit_seconds: float) -> bool:
    """Turn a partial hint (the decision variables) into a complete one: solve a copy with the
    hinted variables fixed (propagation does the rest, typically in well under a second) and
    hint every variable with that solution. CP-SAT then starts from the hint at once instead of
    searching its way to it. Leaves the hint unchanged (returns False) if the copy fails."""
    trial = model.clone()
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.stop_after_first_solution = True
    code = solver.solve(trial)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    model.clear_hints()
    for i in range(len(model.proto.variables)):
        var = model.get_int_var_from_proto_index(i)
        model.add_hint(var, solver.value(trial.get_int_var_from_proto_index(i)))
    return True
