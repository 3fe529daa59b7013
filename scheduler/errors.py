"""The project's exceptions. Every error a user can cause is one of these, in one line; and
where Ctrl-C (KeyboardInterrupt) must wait (``ctrl_c_deferred``)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class SchedulerError(Exception):
    """Base of every error the tool reports to a user as one line (never a traceback)."""


class InputError(SchedulerError):
    """A file or value the user gave is not what the tool expects.

    ``str(err)`` is one line naming the file, the row (1-based, as a spreadsheet shows it, the
    header being row 1), the column (or, in a TOML file, the key), the value found and what was
    expected.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, key: str | None = None, value: object = None
                 ) -> None:
        self.file, self.row, self.column, self.key = file, row, column, key
        self.value, self.reason = value, message
        super().__init__(self._render())

    def _render(self) -> str:
        where = ", ".join(text for text, given in (
            (str(self.file), self.file), (f"row {self.row}", self.row),
            (f"column '{self.column}'", self.column), (f"key '{self.key}'", self.key))
            if given is not None)
        shown = str(self.value)
        found = "" if self.value is None else (
            f" (found {shown if len(shown) <= 40 else shown[:37] + '...'!r})")
        text = f"{where}: {self.reason}{found}" if where else f"{self.reason}{found}"
        return " ".join(text.split())  # always one line


class InfeasiblePlanError(SchedulerError):
    """No plan at all can be built (e.g. no agent is ever available). Partial plans are results,
    not errors: a plan that cannot cover every hour comes back with its diagnosis instead."""


@contextmanager
def ctrl_c_deferred(on_ctrl_c: Callable[[], None] | None = None) -> Iterator[None]:
    """Inside, Ctrl-C (SIGINT) raises nothing where it lands: it only calls ``on_ctrl_c``
    (which must only ask the work to stop: set a flag, call a solver's ``stop_search``) and is
    passed on, on leaving, to the handler it was kept from (by default KeyboardInterrupt there).
    For work that must not be unwound part-way: CP-SAT solves (an exception raised through the
    running solver aborts the process) and the renames that put a folder's new files in place.
    In the main thread only, where Python handles signals, and unless Ctrl-C is ignored (a
    process started in the background); elsewhere it changes nothing."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) == signal.SIG_IGN):
        yield
        return
    came = False

    def held(signum: int, frame: object) -> None:
        nonlocal came
        came = True
        if on_ctrl_c is not None:
            on_ctrl_c()

    previous = signal.signal(signal.SIGINT, held)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None
                      else signal.default_int_handler)
        if came:
            signal.raise_signal(signal.SIGINT)  # its handler runs now (KeyboardInterrupt)
