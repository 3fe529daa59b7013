"""Discrete-event simulation of a chat team (placeholder; API documented below once complete)."""

from scheduler.simulate.stationary import StationaryMetrics, simulate_stationary

__all__ = ["StationaryMetrics", "simulate_stationary"]
