"""Parameter domains and data supports, as values.

A :class:`Domain` is where a parameter or known constant lives: an interval of the
real line (open or closed at each end, possibly unbounded) or a range of integers.
It turns into a SymPy symbol carrying the strongest assumptions SymPy can state
(``positive``, ``real``, ``integer`` ...) and remembers the rest (an upper bound of 1,
say) so that conditions SymPy leaves open can be resolved by the domain.

A support is where the data variable lives: :class:`IntervalSupport` (continuous),
:class:`FiniteSupport` (a finite set of values) or :class:`IntegerSupport`
(``lo..hi`` with ``hi`` possibly ``oo`` or a known constant).

>>> Domain.interval(0, 1).symbol("p").is_positive
True
>>> Domain.interval(0, 1).contains(0.3), Domain.interval(0, 1).contains(1.2)
(True, False)
>>> str(Domain.integers(1))
'1..oo'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import sympy as sp
from sympy import S, oo

__all__ = [
    "Domain",
    "REAL",
    "POSITIVE",
    "UNIT",
    "POSITIVE_INTEGER",
    "IntervalSupport",
    "FiniteSupport",
    "IntegerSupport",
    "Support",
]


def _as_expr(value) -> sp.Expr:
    # numbers and SymPy objects from our own code, never user text
    return sp.S(value) if not isinstance(value, sp.Basic) else value


@dataclass(frozen=True)
class Domain:
    """An interval of the real line, or a range of integers ``lo..hi``.

    ``lo``/``hi`` are SymPy numbers (``-oo``/``oo`` allowed); ``left_open`` and
    ``right_open`` say whether each end is excluded (always excluded at infinity).
    """

    lo: sp.Expr = -oo
    hi: sp.Expr = oo
    left_open: bool = True
    right_open: bool = True
    integer: bool = False

    # -- constructors -------------------------------------------------
    @classmethod
    def interval(cls, lo=-oo, hi=oo, left_open: bool = True, right_open: bool = True) -> "Domain":
        lo, hi = _as_expr(lo), _as_expr(hi)
        if not (lo.is_number and hi.is_number):
            raise ValueError(f"domain bounds must be numbers, got ({lo}, {hi})")
        if bool(sp.Ge(lo, hi)):
            raise ValueError(f"empty domain: lower bound {lo} is not below upper bound {hi}")
        return cls(lo, hi, left_open or lo == -oo, right_open or hi == oo, False)

    @classmethod
    def integers(cls, lo=0, hi=oo) -> "Domain":
        lo, hi = _as_expr(lo), _as_expr(hi)
        if not lo.is_integer:
            raise ValueError(f"an integer range needs an integer lower bound, got {lo}")
        if hi != oo and (not hi.is_integer or bool(hi < lo)):
            raise ValueError(f"bad integer range {lo}..{hi}")
        return cls(lo, hi, False, hi == oo, True)

    # -- meaning ------------------------------------------------------
    def assumptions(self) -> dict:
        """The SymPy assumptions implied by this domain (the strongest SymPy can state)."""
        a: dict = {"real": True}
        if self.integer:
            a["integer"] = True
        if self.lo.is_number and self.lo != -oo:
            if self.lo > 0 or (self.lo == 0 and self.left_open):
                a["positive"] = True
            elif self.lo >= 0:
                a["nonnegative"] = True
        if self.hi.is_number and self.hi != oo:
            if self.hi < 0 or (self.hi == 0 and self.right_open):
                a["negative"] = True
            elif self.hi <= 0:
                a["nonpositive"] = True
        return a

    def symbol(self, name: str) -> sp.Symbol:
        return sp.Symbol(name, **self.assumptions())

    def as_set(self) -> sp.Set:
        if self.integer:
            return sp.Range(self.lo, self.hi + 1 if self.hi != oo else oo)
        return sp.Interval(self.lo, self.hi, self.left_open, self.right_open)

    def contains(self, value) -> bool:
        v = _as_expr(value)
        if self.integer and not v.is_integer:
            return False
        return bool(self.as_set().contains(v))

    def condition(self, sym: sp.Symbol) -> sp.Boolean:
        """The domain as a SymPy relational in ``sym`` (for ``refine`` and for display)."""
        return self.as_set().as_relational(sym)

    def sample(self, rng, size: int | None = None):
        """Random points well inside the domain (away from the boundary), as floats.

        Bounded intervals: the middle 80%; half-lines: ``lo + U(0.2, 5)`` or ``hi - ...``;
        the whole line: U(-3, 3). Integer ranges: integers in ``lo+1 .. min(hi, lo+12)``.
        """
        import numpy as np

        lo = float(self.lo) if self.lo != -oo else None
        hi = float(self.hi) if self.hi != oo else None
        if self.integer:
            a = int(lo) + (0 if self.lo > 0 else 1)
            b = int(hi) if hi is not None else a + 12
            return rng.integers(a, max(a, b) + 1, size=size)
        if lo is not None and hi is not None:
            w = hi - lo
            return rng.uniform(lo + 0.1 * w, hi - 0.1 * w, size=size)
        if lo is not None:
            return lo + rng.uniform(0.2, 5.0, size=size)
        if hi is not None:
            return hi - rng.uniform(0.2, 5.0, size=size)
        return rng.uniform(-3.0, 3.0, size=size)

    def __str__(self) -> str:
        if self.integer:
            return f"{self.lo}..{self.hi}"
        left = "(" if self.left_open else "["
        right = ")" if self.right_open else "]"
        return f"{left}{self.lo}, {self.hi}{right}"


REAL = Domain.interval(-oo, oo)
POSITIVE = Domain.interval(0, oo)
UNIT = Domain.interval(0, 1)
POSITIVE_INTEGER = Domain.integers(1, oo)


# -- supports of the data variable ------------------------------------
class _Ends:
    """The ends ``lo`` and ``hi`` of :class:`IntervalSupport` and :class:`IntegerSupport`."""

    def __post_init__(self):
        object.__setattr__(self, "lo", _as_expr(self.lo))
        object.__setattr__(self, "hi", _as_expr(self.hi))

    @property
    def free_symbols(self) -> set:
        return self.lo.free_symbols | self.hi.free_symbols

    def subs(self, mapping):
        return type(self)(self.lo.subs(mapping), self.hi.subs(mapping))


@dataclass(frozen=True)
class IntervalSupport(_Ends):
    """A continuous support ``(lo, hi)``; the ends may involve known constants."""

    lo: sp.Expr = -oo
    hi: sp.Expr = oo

    def is_finite(self) -> bool:
        return False

    def variable_assumptions(self) -> dict:
        a: dict = {"real": True}
        if self.lo.is_nonnegative:
            a["positive"] = True
        elif self.hi.is_nonpositive:
            a["negative"] = True
        return a

    def __str__(self) -> str:
        if self.lo == -oo and self.hi == oo:
            return "R"
        return f"({self.lo}, {self.hi})"


@dataclass(frozen=True)
class FiniteSupport:
    """A finite set of values, summed exactly."""

    values: tuple

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(_as_expr(v) for v in self.values))

    @property
    def free_symbols(self) -> set:
        return set().union(*(v.free_symbols for v in self.values))

    def is_finite(self) -> bool:
        return True

    def points(self) -> tuple:
        return self.values

    def variable_assumptions(self) -> dict:
        a: dict = {"real": True}
        if all(v.is_integer for v in self.values):
            a["integer"] = True
        if all(v.is_nonnegative for v in self.values):
            a["nonnegative"] = True
        return a

    def subs(self, mapping) -> "FiniteSupport":
        return FiniteSupport(tuple(v.subs(mapping) for v in self.values))

    def __str__(self) -> str:
        return "{" + ", ".join(str(v) for v in self.values) + "}"


@dataclass(frozen=True)
class IntegerSupport(_Ends):
    """The integers ``lo..hi``; ``hi`` may be ``oo`` or a known constant such as ``n``."""

    lo: sp.Expr = S.Zero
    hi: sp.Expr = oo

    def is_finite(self) -> bool:
        return self.hi != oo and self.hi.is_number and self.lo.is_number

    def points(self) -> tuple:
        return tuple(sp.Integer(k) for k in range(int(self.lo), int(self.hi) + 1))

    def variable_assumptions(self) -> dict:
        a: dict = {"integer": True}
        if self.lo.is_nonnegative:
            a["nonnegative"] = True
        return a

    def __str__(self) -> str:
        return f"{self.lo}..{self.hi}"


Support = IntervalSupport | FiniteSupport | IntegerSupport


def free_symbols_of(supports: Iterable) -> set:
    out: set = set()
    for s in supports:
        out |= s.free_symbols
    return out
