"""Roster: named agents' shifts and reception caps (接待上限) under the labour rules.

``build_problem`` once, then ``solve(problem, limits=..., seed=...)``: one start (the aggregate
model of shift counts per cap class, or a given plan), one loop of improvers, a plan validated
rule by rule, a bound in agent-hours. Only this package imports ortools.
"""

from scheduler.roster.cost import Cost, Plan
from scheduler.roster.diagnose import Finding, unusable_agents
from scheduler.roster.problem import RosterProblem, build_problem
from scheduler.roster.result import RosterResult, RuleCost, coverage_frame
from scheduler.roster.rules import RULES, RuleViolationError, Violation, validate
from scheduler.roster.search import Budget, Limits, Progress, ProgressFn, PutBack
from scheduler.roster.solve import recheck, roster_result, rule_costs, solve

__all__ = [
    "RULES",
    "Budget",
    "Cost",
    "Finding",
    "Limits",
    "Plan",
    "Progress",
    "ProgressFn",
    "PutBack",
    "RosterProblem",
    "RosterResult",
    "RuleCost",
    "RuleViolationError",
    "Violation",
    "build_problem",
    "coverage_frame",
    "recheck",
    "roster_result",
    "rule_costs",
    "solve",
    "unusable_agents",
    "validate",
]
