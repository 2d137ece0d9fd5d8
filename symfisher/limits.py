"""Time limits for symbolic steps: a step past its limit fails that step only.

``time_limit(seconds, step)`` runs a block under a wall-clock limit using
``SIGALRM``/``setitimer``: SymPy is pure Python, so the alarm interrupts it between
bytecodes and the block raises :class:`StepTimeout`. Limits nest (the innermost expired
limit speaks; an inner one never outlives the outer one). Off the main thread, where
signals cannot be used, the block runs unlimited.

The alarm is made safe rather than merely fast:

* the bookkeeping (the stack of active limits, the timer, the handler) changes only while
  ``SIGALRM`` is blocked, so an alarm never lands half-way through it;
* the handler raises only when a limit on the stack has expired; with no active limit it
  disarms the timer and returns, and inside a garbage-collector callback or ``__del__``
  (where an exception would be swallowed and reported as "unraisable") it waits 10 ms;
* a block whose timeout was swallowed (a fallback inside it) is interrupted again 50 ms
  later, but only while that block is active: leaving a block re-arms the timer from the
  limits still active, and leaving a block also drops any inner limit left behind by an
  ``__enter__`` that was interrupted;
* when the outermost limit exits, the timer is cleared and any alarm already pending is
  consumed *before* the previous handler comes back, so a stray alarm can never reach the
  default disposition (which kills the process). :func:`session` keeps the safe handler
  installed for the life of a command.

The default per-step limit comes from ``SYMFISHER_TIME_LIMIT`` (seconds, default 20);
a value that is not a finite positive number of at most :data:`MAX_SECONDS` is refused
with :class:`LimitError` (one line, a ``ValueError``) by :func:`validate_env`, by
:func:`session` and at the first :func:`default_limit` call, never silently ignored.

>>> with time_limit(1.0, "quick"):
...     1 + 1
2
"""
from __future__ import annotations

import contextlib
import gc
import math
import os
import signal
import sys
import threading
import time

__all__ = ["StepTimeout", "StepFailed", "LimitError", "time_limit", "default_limit", "set_default_limit",
           "validate_env", "validate_seconds", "session", "remaining", "failure_reason", "contained",
           "MAX_SECONDS", "ENV_VAR", "share"]

ENV_VAR = "SYMFISHER_TIME_LIMIT"
MAX_SECONDS = 86400.0  # a day: longer than any derivation, short enough for setitimer
_FALLBACK = 20.0
_REFIRE = 0.05  # a swallowed timeout is raised again this much later
_DEFER = 0.01  # an alarm landing where it cannot be raised waits this much


class StepFailed(Exception):
    """A derivation step could not be completed; ``step`` names it, ``reason`` says why."""

    def __init__(self, step: str, reason: str):
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


class StepTimeout(StepFailed):
    """A symbolic step ran past its time limit."""


class LimitError(ValueError):
    """A time limit that is not a finite positive number of seconds (bad input: exit 2)."""


def failure_reason(exc: BaseException) -> str:
    """One line saying what went wrong inside a step and where it came from (SymPy, mpmath,
    SciPy or symfisher itself), for an exception that is not a :class:`StepFailed`.

    >>> failure_reason(ZeroDivisionError())
    'ZeroDivisionError while deriving it'
    """
    origin = None
    tb = exc.__traceback__
    while tb is not None:  # the innermost frame says who raised it
        origin = tb.tb_frame.f_globals.get("__name__", "") or origin
        tb = tb.tb_next
    top = (origin or "").split(".")[0]
    where = {"sympy": " inside SymPy", "mpmath": " inside mpmath (numeric evaluation)", "scipy": " inside SciPy",
             "numpy": " inside NumPy", "symfisher": f" in {origin} (an internal error: please report it)"}.get(top, "")
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(exc).__name__}{where} while deriving it" + (f": {text}" if text else "")


@contextlib.contextmanager
def contained(step: str):
    """Any exception of the block that is not already a :class:`StepFailed` becomes one of
    ``step``, with :func:`failure_reason` (``KeyboardInterrupt`` and ``SystemExit`` pass, and so does
    ``MemoryError``: the command's memory cap, :func:`symfisher.budget.memory_cap`, was reached, which
    ends the command with one line and exit 2 rather than one step)."""
    try:
        yield
    except (StepFailed, MemoryError):
        raise
    except RecursionError as exc:
        raise StepFailed(step, f"SymPy gave up ({type(exc).__name__}) while deriving it") from exc
    except Exception as exc:
        raise StepFailed(step, failure_reason(exc)) from exc


def validate_seconds(value, source: str) -> float:
    """``value`` as seconds, or :class:`LimitError` naming ``source`` and what was expected.

    >>> validate_seconds("2.5", "--time-limit")
    2.5
    >>> validate_seconds("0", "SYMFISHER_TIME_LIMIT")
    Traceback (most recent call last):
    ...
    symfisher.limits.LimitError: SYMFISHER_TIME_LIMIT=0: a time limit must be a positive number of seconds, at most 86400
    """
    shown = value if isinstance(value, str) else f"{value!r}"
    try:
        seconds = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS):
        sep = "=" if source.isupper() else " "
        raise LimitError(f"{source}{sep}{shown}: a time limit must be a positive number of seconds, "
                         f"at most {MAX_SECONDS:g}")
    return seconds


_DEFAULT: list = []  # [seconds] once read from the environment or set


def validate_env() -> float:
    """The default limit from ``SYMFISHER_TIME_LIMIT`` (20 s if unset); :class:`LimitError` if invalid.

    A limit set by :func:`set_default_limit` (``--time-limit``) takes precedence, but an
    invalid variable is still an error: a typo in the environment must not go unnoticed.
    """
    raw = os.environ.get(ENV_VAR)
    env = _FALLBACK if raw is None or not raw.strip() else validate_seconds(raw, ENV_VAR)
    return _DEFAULT[0] if _DEFAULT else env


def default_limit() -> float:
    if not _DEFAULT:
        _DEFAULT.append(validate_env())
    return _DEFAULT[0]


def set_default_limit(seconds: float) -> None:
    """Set the default per-step limit (``--time-limit``); :class:`LimitError` if ``seconds`` or
    ``SYMFISHER_TIME_LIMIT`` is not a valid limit."""
    value = validate_seconds(seconds, "--time-limit")
    del _DEFAULT[:]
    validate_env()
    _DEFAULT.append(value)


# -- the alarm --------------------------------------------------------------------------

_stack: list = []  # active limits, innermost last
_state = {"previous": None, "installed": False, "sessions": 0, "foreign": None}


def _usable() -> bool:
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _alarm_blocked():
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        yield
    finally:
        # an alarm that arrived meanwhile is handled inside this call (CPython runs pending
        # handlers before pthread_sigmask returns), with the bookkeeping consistent
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _set_timer(seconds: float) -> None:
    """Fire in ``seconds`` (at once, 1 ms, for a deadline already past; never "off")."""
    signal.setitimer(signal.ITIMER_REAL, min(max(seconds, 1e-3), MAX_SECONDS))


def _arm() -> None:
    """Arm the timer for the nearest active deadline (or clear it). Call with SIGALRM blocked."""
    if not _stack:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    _set_timer(min(lim.deadline for lim in _stack) - time.monotonic())


_WEAKREF = os.path.join("", "weakref.py")


def _unsafe(frame) -> bool:
    """Whether the interrupted code runs inside a place where an exception is swallowed (a gc
    callback, ``__del__``, a weakref finalizer, all called from inside the garbage collector)
    or inside our own bookkeeping: the timeout is raised a moment later instead. The whole
    chain of callers is looked at (a finalizer's own callees are inside it too)."""
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        code = frame.f_code
        if code in codes or code.co_name == "__del__" or code.co_filename.endswith(_WEAKREF):
            return True
        if code.co_filename == __file__ and code.co_name != "<module>":
            return True
        frame = frame.f_back
    return False


def _handler(signum, frame):
    if not _stack:  # no deadline active: never raise
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    now = time.monotonic()
    expired = next((lim for lim in reversed(_stack) if lim.deadline <= now + 1e-3), None)
    if expired is None:  # early (a shorter limit was left): wait for the nearest
        _arm()
        return
    if _unsafe(frame):
        signal.setitimer(signal.ITIMER_REAL, _DEFER)
        return
    # keep firing while the block is active: code that swallows the exception (a fallback
    # inside the block) is interrupted again shortly; leaving the block re-arms from the rest
    signal.setitimer(signal.ITIMER_REAL, _REFIRE)
    raise StepTimeout(expired.step, f"SymPy did not finish within the time limit of {expired.seconds:g} s")


def _install() -> None:
    """Put the safe handler in place (SIGALRM blocked), remembering what was there."""
    if _state["installed"]:
        return
    prev = signal.getsignal(signal.SIGALRM)
    left, _ = signal.getitimer(signal.ITIMER_REAL)
    _state.update(previous=prev, installed=True, foreign=(time.monotonic() + left) if left > 0 and
                  prev not in (None, signal.SIG_DFL, signal.SIG_IGN) else None)
    signal.signal(signal.SIGALRM, _handler)


def _uninstall() -> None:
    """Clear the timer, drop a pending alarm, then give the previous handler back (SIGALRM blocked)."""
    if not _state["installed"]:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    if signal.SIGALRM in signal.sigpending():
        signal.sigtimedwait({signal.SIGALRM}, 0)
    prev = _state["previous"]
    signal.signal(signal.SIGALRM, prev if prev is not None else signal.SIG_DFL)
    foreign = _state["foreign"]
    _state.update(previous=None, installed=False, foreign=None)
    if foreign is not None:  # someone else's timer (a test runner's) was running: give it back
        _set_timer(foreign - time.monotonic())


def _leave(lim) -> None:
    """Drop ``lim`` and any limit above it (left behind by an interrupted ``__enter__``), re-arm."""
    for i in range(len(_stack) - 1, -1, -1):
        if _stack[i] is lim:
            del _stack[i:]
            break
    _arm()
    if not _stack and not _state["sessions"]:
        _uninstall()


class time_limit:
    """Run the block under ``seconds`` of wall-clock time (``None``: the default limit).

    A limit of zero or less has already expired: the block is not run and
    :class:`StepTimeout` is raised at once (a budget that is used up, never "no limit").
    """

    __slots__ = ("seconds", "step", "deadline", "active")

    def __init__(self, seconds: float | None, step: str):
        self.seconds, self.step, self.deadline, self.active = seconds, step, None, False

    def __enter__(self):
        seconds = default_limit() if self.seconds is None else float(self.seconds)
        self.seconds = seconds
        if math.isnan(seconds) or seconds <= 0:
            raise StepTimeout(self.step, "no time was left for it within the time limit")
        if not _usable():
            return self
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        try:
            _install()
            self.deadline = time.monotonic() + min(seconds, MAX_SECONDS)
            _stack.append(self)
            self.active = True
            _arm()
        finally:
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
            except BaseException:  # an outer limit expired just now: this block never starts
                self._exit()
                raise
        return self

    def _exit(self) -> None:
        if not self.active:
            return
        self.active = False
        with _alarm_blocked():
            _leave(self)

    def __exit__(self, et, ev, tb):
        self._exit()
        return False


def remaining() -> float | None:
    """Seconds left before the nearest active deadline (``None`` when no limit is active)."""
    if not _stack:
        return None
    return max(0.0, min(lim.deadline for lim in _stack) - time.monotonic())


def share(fraction: float) -> float:
    """Seconds for a sub-step: ``fraction`` of the time limit (``--time-limit``, ``SYMFISHER_TIME_LIMIT``),
    and never more than half of what is left before the nearest active deadline, so that a sub-step
    that runs out leaves time for the rest of its step (never a fixed number of seconds, which a small
    ``--time-limit`` would not cover).

    >>> share(0.1) == 0.1 * default_limit()
    True
    """
    seconds = fraction * default_limit()
    left = remaining()
    return seconds if left is None else min(seconds, left / 2)


@contextlib.contextmanager
def session():
    """The life of a command: the environment validated (:class:`LimitError` if not) and the safe
    handler installed throughout, so no alarm between two steps can reach the default
    disposition; on leaving, the timer is cleared and the previous handler restored."""
    validate_env()
    if not _usable():
        yield
        return
    with _alarm_blocked():
        _install()
        _state["sessions"] += 1
    try:
        yield
    finally:
        with _alarm_blocked():
            _state["sessions"] -= 1
            if not _state["sessions"]:
                del _stack[:]
                _arm()
                _uninstall()


if sys.platform == "win32":  # pragma: no cover - no SIGALRM: blocks run unlimited
    def _usable() -> bool:  # noqa: F811
        return False
