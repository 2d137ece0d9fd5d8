"""Typed paths: how a check names a derived value (``of = "fisher[0, 1]"``).

Grammar (spaces allowed around the numbers and commas)::

    path   = quantity [ "." field ] [ "[" index [ "," index ] "]" ]
    name   = a lower-case letter or "_", then letters, digits or "_"
    index  = a non-negative integer, counting from 0

``quantity`` is a quantity derived in the same part (a ``[[derive]]`` of the spec), ``field``
one of the fields that quantity declares (``kl_taylor.quadratic``, ``jeffreys.normalizer``,
``fisher_eigen.values``); without a field the path is the quantity's result. One index picks
an entry of a row or a column (``fisher_eigen.values[1]``, ``ewc.penalties[0]``), two a
matrix entry ``[row, column]``. The schema checks the quantity and the field of every path
before any work; an index outside the value is refused when the value is known.

>>> parse_path("fisher[0, 1]")
ResultPath(quantity='fisher', field=None, index=(0, 1))
>>> str(parse_path("kl_taylor.quadratic"))
'kl_taylor.quadratic'
>>> parse_path("fisher.")
Traceback (most recent call last):
...
ValueError: 'fisher.' is not a path: expected quantity, quantity.field, and optionally [i] or [row, column] (e.g. "fisher[0, 1]", "kl_taylor.quadratic")
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as _field

__all__ = ["ResultPath", "parse_path"]

_NAME = r"[a-z_][a-z0-9_]*"
_PATH = re.compile(rf"^\s*({_NAME})(?:\.({_NAME}))?\s*(?:\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\])?\s*$")


@dataclass(frozen=True)
class ResultPath:
    quantity: str
    field: str | None = None
    index: tuple = ()
    text: str = _field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        s = self.quantity + (f".{self.field}" if self.field else "")
        return s + (f"[{', '.join(map(str, self.index))}]" if self.index else "")

    @property
    def value_name(self) -> str:
        """The path without its index: the value the index picks from."""
        return self.quantity + (f".{self.field}" if self.field else "")


def parse_path(text: str) -> ResultPath:
    """The :class:`ResultPath` of ``text``, or ``ValueError`` saying what a path looks like."""
    m = _PATH.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"{text!r} is not a path: expected quantity, quantity.field, and optionally [i] or "
                         f"[row, column] (e.g. \"fisher[0, 1]\", \"kl_taylor.quadratic\")")
    q, f, i, j = m.groups()
    index = tuple(int(x) for x in (i, j) if x is not None)
    return ResultPath(q, f, index, text)
