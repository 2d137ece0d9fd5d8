"""One budget for a whole command: its time, and every size a user or a spec can set.

Time: ``--time-limit SECONDS`` (or ``SYMFISHER_TIME_LIMIT``) is the limit of each symbolic step
(:mod:`symfisher.limits`); it must be a finite number of seconds in ``(0, MAX_TIME_LIMIT]``.
Reading the input and building the model is one step under that limit, and the whole command
runs under :func:`command_budget` = ``COMMAND_FACTOR`` times the limit.

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
import math

__all__ = ["BudgetError", "MAXIMA", "MAX_TIME_LIMIT", "COMMAND_FACTOR", "capped", "seconds", "command_budget",
           "describe", "command_step", "cut_short"]

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


def describe() -> str:
    """The budget in one paragraph, for ``--help``."""
    return (f"Budget: --time-limit (or SYMFISHER_TIME_LIMIT) is more than 0 and at most {MAX_TIME_LIMIT:g} s per "
            f"symbolic step; reading the model gets {MODEL_FACTOR} limits and the whole command {COMMAND_FACTOR} limits. "
            f"Counts are whole numbers from 1 to: --size {MAXIMA['size']}, --points {MAXIMA['points']}, "
            f"--samples {MAXIMA['samples']}, --jobs {MAXIMA['jobs']}; in a spec also order {MAXIMA['order']}, "
            f"mc_samples {MAXIMA['mc_samples']}, n {MAXIMA['n']}.")


def command_budget(limit: float | None = None, scale: int = 1) -> float:
    """The wall-clock budget of a whole command: ``COMMAND_FACTOR * limit`` (``scale`` times that for
    a command that derives ``scale`` models one after the other)."""
    if limit is None:
        from .limits import default_limit

        limit = default_limit()
    return COMMAND_FACTOR * limit * max(1, scale)
