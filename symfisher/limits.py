"""Time limits for symbolic steps (DESIGN principle 6).

``time_limit(seconds, step)`` runs a block under a wall-clock limit using
``SIGALRM``/``setitimer``: SymPy is pure Python, so the alarm interrupts it between
bytecodes and the block raises :class:`StepTimeout`. Limits nest (the inner one never
outlives the outer one). Off the main thread, where signals cannot be used, the block
runs unlimited.

>>> with time_limit(1.0, "quick"):
...     1 + 1
2
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

__all__ = ["StepTimeout", "StepFailed", "time_limit", "default_limit", "set_default_limit"]

_DEFAULT = float(os.environ.get("SYMFISHER_TIME_LIMIT", "20"))


class StepFailed(Exception):
    """A derivation step could not be completed; ``step`` names it, ``reason`` says why."""

    def __init__(self, step: str, reason: str):
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


class StepTimeout(StepFailed):
    """A symbolic step ran past its time limit."""


def default_limit() -> float:
    return _DEFAULT


def set_default_limit(seconds: float) -> None:
    global _DEFAULT
    _DEFAULT = float(seconds)


_deadlines: list = []  # stack of (deadline, step)


def _handler(signum, frame):
    now = time.monotonic()
    # the innermost expired limit speaks
    for deadline, step, limit in reversed(_deadlines):
        if deadline <= now + 1e-3:
            # keep firing until the block is left: code that swallows the exception
            # (a fallback inside the block) is interrupted again 50 ms later
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            raise StepTimeout(step, f"SymPy did not finish within the time limit of {limit:g} s")
    _arm()


def _arm():
    if not _deadlines:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    nearest = min(d for d, _, _ in _deadlines)
    signal.setitimer(signal.ITIMER_REAL, max(nearest - time.monotonic(), 1e-3))


@contextlib.contextmanager
def time_limit(seconds: float | None, step: str):
    """Run the block under ``seconds`` of wall-clock time (``None``: the default limit)."""
    if seconds is None:
        seconds = _DEFAULT
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGALRM)
    if previous is not _handler:
        signal.signal(signal.SIGALRM, _handler)
    entry = (time.monotonic() + seconds, step, seconds)
    _deadlines.append(entry)
    _arm()
    try:
        yield
    finally:
        _deadlines.remove(entry)
        _arm()
        if previous is not _handler and not _deadlines:
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
