"""One budget for a whole command: its time, and every size a user or a spec can set.

Time: ``--time-limit SECONDS`` (or ``SYMFISHER_TIME_LIMIT``) is the limit of each symbolic step
(:mod:`symfisher.limits`); it must be a finite number of seconds in ``(0, MAX_TIME_LIMIT]``.
Reading the input and building the model is one step under that limit, and the whole command
runs under :func:`command_budget` = ``COMMAND_FACTOR`` times the limit.

Memory: each command runs under an operating-system cap on its data memory (``RLIMIT_DATA``: the heap
and private anonymous mappings, which is what a runaway expression or array grows; not the shared
libraries or address space reserved and never written, so NumPy's and OpenBLAS's thread start-up is
unaffected), :data:`DEFAULT_MEMORY` (4 GiB) unless ``--memory-limit`` or ``SYMFISHER_MEMORY_LIMIT``
(``512M``, ``8G``, or bytes) says otherwise, validated like the time limit. Child processes (a
notebook kernel, ``--jobs`` workers) inherit the cap, each for itself. Past it, an allocation raises
``MemoryError``, which the command reports as one line and exit 2.

Sizes: every count a user or a spec can set (``--size d=5``, spec ``sizes``, the Taylor ``order``,
Monte Carlo ``mc_samples``, ``verify --samples`` and ``--points`` ...) goes through
:func:`capped`, the one rule: a whole number between 1 and the maximum in :data:`MAXIMA`.

>>> capped("size", 5)
5
>>> capped("size", 100000)
Traceback (most recent call last):
    ...
symfisher.budget.BudgetError: size 100000 is too large: expected a whole number between 1 and 100
>>> seconds("inf")
Traceback (most recent call last):
    ...
argparse.ArgumentTypeError: expected a number of seconds between 0 and 3600, got 'inf'
"""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import re

__all__ = ["BudgetError", "MAXIMA", "MAX_TIME_LIMIT", "COMMAND_FACTOR", "capped", "seconds", "command_budget",
           "describe", "command_step", "cut_short", "MEMORY_ENV", "DEFAULT_MEMORY", "memory_bytes", "memory_limit",
           "memory_cap", "show_bytes"]

MAX_TIME_LIMIT = 3600.0  # seconds per symbolic step: beyond an hour a limit is a typo, and 1e300 overflows timers
COMMAND_FACTOR = 30  # the whole command: 30 time limits (10 min at the default 20 s)
MODEL_FACTOR = 3  # reading and building the model: parsing, support, sign and normalization checks, standardizing

# The largest value of each count, by the name the user or the spec gives it.
MAXIMA: dict[str, int] = {
    "size": 100,  # d or K of a catalog model: its d x d outputs grow with d**2 (d = 100000 needs > 5 GB)
    "order": 10,  # the KL Taylor order: the order-k term sums over multi-indices of size k
    "mc_samples": 10_000_000,  # Monte Carlo draws at one parameter point (80 MB of floats)
    "samples": 10_000_000,  # verify --samples: the same draws
    "points": 100,  # verify --points: parameter points per witness
    "n_points": 100,  # the same, in a spec
    "n": 1_000_000,  # observations (additivity, simulated samples in a spec)
    "replications": 100_000,  # Monte Carlo replications in a spec's witness
    "jobs": 64,  # worker processes
}
DEFAULT_MAXIMUM = 1_000_000  # a count not named above


class BudgetError(ValueError):
    """A size or count beyond the budget; the message names it, its value and the maximum."""


BudgetError.__module__ = "symfisher.budget"


def capped(name: str, value, maximum: int | None = None, minimum: int = 1) -> int:
    """``value`` as an int when it is a whole number in ``[minimum, maximum]``; else a one-line BudgetError.

    ``maximum`` defaults to ``MAXIMA[name]`` (the last dotted part of ``name``: ``"check[0].order"``
    is capped as ``"order"``).
    """
    key = str(name).rsplit(".", 1)[-1].lstrip("-").replace("-", "_")
    top = maximum if maximum is not None else MAXIMA.get(key, DEFAULT_MAXIMUM)
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise BudgetError(f"{name} must be a whole number, got {value!r}")
    if not minimum <= value <= top:
        shown = f"{name}{'' if str(name).endswith('=') else ' '}{value}"
        raise BudgetError(f"{shown} is {'too large' if value > top else 'too small'}: "
                          f"expected a whole number between {minimum} and {top}")
    return value


def seconds(text) -> float:
    """The argparse type of ``--time-limit``: a finite number of seconds in ``(0, MAX_TIME_LIMIT]``."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_TIME_LIMIT):
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds between 0 and {MAX_TIME_LIMIT:g}, got {str(text)!r}")
    return value


def command_step(command: str) -> str:
    """The step name under which a whole command runs (a failure naming it means the budget ran out)."""
    return f"the {command} command"


def cut_short(failures) -> bool:
    """Whether a report's failures include the whole command's budget running out (such a report is
    not the model's answer and must not be cached)."""
    return any(str(f.get("step", "")).startswith("the ") and str(f.get("step", "")).endswith(" command")
               for f in failures or ())


MEMORY_ENV = "SYMFISHER_MEMORY_LIMIT"
DEFAULT_MEMORY = 4 * 2**30  # bytes: ten times what the heaviest catalog derivation or sheet needs
MIN_MEMORY = 256 * 2**20  # below this Python, SymPy and NumPy cannot even start
MAX_MEMORY = 2**40  # a tebibyte: beyond it a cap is a typo
_UNITS = {"": 1, "B": 1, "K": 2**10, "KB": 2**10, "KIB": 2**10, "M": 2**20, "MB": 2**20, "MIB": 2**20,
          "G": 2**30, "GB": 2**30, "GIB": 2**30, "T": 2**40, "TB": 2**40, "TIB": 2**40}


def show_bytes(n: int) -> str:
    """``4294967296`` -> ``'4 GiB'``."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


def memory_bytes(text, source: str = "--memory-limit") -> int:
    """A memory cap as bytes: ``"512M"``, ``"8G"``, ``"1.5GiB"`` or a number of bytes, between 256 MiB and
    1 TiB; else a one-line :class:`BudgetError` naming ``source``.

    >>> memory_bytes("512M"), memory_bytes("8g")
    (536870912, 8589934592)
    >>> memory_bytes("lots", "SYMFISHER_MEMORY_LIMIT")
    Traceback (most recent call last):
        ...
    symfisher.budget.BudgetError: SYMFISHER_MEMORY_LIMIT=lots: a memory limit must be a size such as 512M or 8G, between 256 MiB and 1 TiB
    """
    shown = f"{source}{'=' if source.isupper() else ' '}{text}"
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?(?:[eE][0-9]+)?)\s*([A-Za-z]*)\s*", str(text))
    value = None
    if m and m.group(2).upper() in _UNITS:
        number = float(m.group(1))
        if math.isfinite(number):
            value = int(number * _UNITS[m.group(2).upper()])
    if value is None or not MIN_MEMORY <= value <= MAX_MEMORY:
        raise BudgetError(f"{shown}: a memory limit must be a size such as 512M or 8G, between "
                          f"{show_bytes(MIN_MEMORY)} and {show_bytes(MAX_MEMORY)}")
    return value


def memory_limit(option=None) -> int:
    """The cap of this command: ``--memory-limit`` when given, else ``SYMFISHER_MEMORY_LIMIT``, else
    :data:`DEFAULT_MEMORY`; the variable is validated even when the option is given."""
    raw = os.environ.get(MEMORY_ENV)
    env = DEFAULT_MEMORY if raw is None or not raw.strip() else memory_bytes(raw, MEMORY_ENV)
    return memory_bytes(option) if option is not None else env


@contextlib.contextmanager
def memory_cap(nbytes: int):
    """Lower the soft ``RLIMIT_DATA`` to ``nbytes`` for the block (never above the hard limit, never raising
    a lower cap already in place), and put the previous soft limit back afterwards, so that a caller
    running commands in-process (the tests) gets its own limit back. Without ``resource`` (Windows)
    the block runs uncapped."""
    try:
        import resource
    except ImportError:  # pragma: no cover
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = nbytes if hard == resource.RLIM_INFINITY else min(nbytes, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield
        return
    resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def describe() -> str:
    """The budget in one paragraph, for ``--help``."""
    return (f"Budget: --time-limit (or SYMFISHER_TIME_LIMIT) is more than 0 and at most {MAX_TIME_LIMIT:g} s per "
            f"symbolic step; reading the model gets {MODEL_FACTOR} limits and the whole command {COMMAND_FACTOR} limits. "
            f"Counts are whole numbers from 1 to: --size {MAXIMA['size']}, --points {MAXIMA['points']}, "
            f"--samples {MAXIMA['samples']}, --jobs {MAXIMA['jobs']}; in a spec also order {MAXIMA['order']}, "
            f"mc_samples {MAXIMA['mc_samples']}, n {MAXIMA['n']}. Memory: --memory-limit (or {MEMORY_ENV}), "
            f"default {show_bytes(DEFAULT_MEMORY)}.")


def command_budget(limit: float | None = None, scale: int = 1) -> float:
    """The wall-clock budget of a whole command: ``COMMAND_FACTOR * limit`` (``scale`` times that for
    a command that derives ``scale`` models one after the other)."""
    if limit is None:
        from .limits import default_limit

        limit = default_limit()
    return COMMAND_FACTOR * limit * max(1, scale)
