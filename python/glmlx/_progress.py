"""Ctrl-C and progress bars around long solver calls (R's ``trace.it``).

``solver_scope`` wraps a fit or a CV: inside it a Ctrl-C stops the C++ solvers
at their next coordinate-descent pass, on every thread, and KeyboardInterrupt
is raised when the scope ends (csrc/cpu/interrupt.h). With ``trace_it`` a small
thread redraws a bar from the solvers' count of finished lambdas while they run.
"""
from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager

from ._ext_loader import _ext

REDRAW_SECONDS = 0.1
BAR_WIDTH = 40


class ProgressBar:
    """A one-line text bar on ``stream`` (stderr), as R's txtProgressBar(style = 3): ``|=====    |  45%``.

    On a terminal it is redrawn in place; elsewhere (logs, pipes) a line is
    written at each tenth of the way, so a log does not fill with redraws.
    """

    def __init__(self, total: int, label: str, stream=None):
        self.total = max(1, int(total))
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.shown = -1
        self.start = time.perf_counter()

    def draw(self, done: int, final: bool = False) -> None:
        done = min(int(done), self.total)
        pct = 100 * done // self.total
        if pct == self.shown or (not self.tty and not final and pct // 10 == self.shown // 10):
            return
        self.shown = pct
        fill = BAR_WIDTH * done // self.total
        text = (f"{self.label} |{'=' * fill}{' ' * (BAR_WIDTH - fill)}| {pct:3d}%  "
                f"{done}/{self.total} lambdas  {time.perf_counter() - self.start:.1f} s")
        self.stream.write(("\r" + text) if self.tty else (text + "\n"))
        if final and self.tty:
            self.stream.write("\n")
        self.stream.flush()


@contextmanager
def solver_scope(trace_it: int = 0, total: int = 0, label: str = "glmnet"):
    """Run the body with Ctrl-C reaching the C++ solvers, and a progress bar when ``trace_it``."""
    if isinstance(trace_it, bool) or not isinstance(trace_it, int) or trace_it < 0:
        raise ValueError(f"trace_it must be 0 (quiet) or 1 (a progress bar on stderr), got {trace_it!r}")
    bar = ProgressBar(total, label) if trace_it else None
    stop = threading.Event()
    watcher = None
    _ext.interrupt_begin()
    try:
        if bar is not None:
            bar.draw(0)

            def watch():
                while not stop.wait(REDRAW_SECONDS):
                    bar.draw(_ext.lambdas_done())

            watcher = threading.Thread(target=watch, name="glmlx-progress", daemon=True)
            watcher.start()
        yield
        if bar is not None:
            stop.set()
            watcher.join()
            bar.draw(bar.total, final=True)  # early stops (deviance explained) end the path before nlambda
    finally:
        stop.set()
        if watcher is not None and watcher.is_alive():
            watcher.join()
        _ext.interrupt_end()  # raises KeyboardInterrupt when Ctrl-C came during the body
