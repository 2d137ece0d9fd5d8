"""Joint constraints on the parameters and constants: ``p_1 + p_2 < 1``, ``s_12**2 < s_11*s_22``.

A declaration (:mod:`.declarations`) gives each symbol its own interval; a constraint ties several
together (the probabilities of a categorical law sum to less than one, a covariance matrix is
positive definite). The text is one strict relation ``A < B`` or ``A > B``, or a chain
``A < B < C``, between expressions of the declared parameters and constants (not the data); each
side goes through the whitelist (:func:`.expression.parse_expression`), and the operators are
found by a scan outside brackets, so nothing is evaluated. A non-strict relation is refused as
the declarations refuse a closed end: the model degenerates on the boundary.

A constraint on the data (the data variables passed as ``data``) bounds a joint support instead:
``x_1 + x_2 < 1`` (the simplex of Dirichlet proportions) or ``x_1 + x_2 <= n`` (multinomial counts,
which reach the boundary, so ``<=`` is allowed there); :func:`symfisher.usermodel._constraints`
keeps it apart from the parameters' constraints.

>>> import sympy as sp
>>> p1, p2 = sp.symbols("p_1 p_2", positive=True)
>>> parse_constraint("p_1 + p_2 < 1", {"p_1": p1, "p_2": p2})
(p_1 + p_2 < 1,)
>>> s = sp.symbols("s_11 s_22", positive=True); c = sp.Symbol("s_12", real=True)
>>> parse_constraint("s_12**2 < s_11*s_22 < 4", {"s_11": s[0], "s_22": s[1], "s_12": c})
(s_12**2 < s_11*s_22, s_11*s_22 < 4)
>>> parse_constraint("p_1 + p_2 <= 1", {"p_1": p1, "p_2": p2})
Traceback (most recent call last):
    ...
symfisher.parsing.ParseError: constraint 'p_1 + p_2 <= 1': a constraint is strict (the model may degenerate on its boundary); write '<' or '>'
>>> x1, x2, n = sp.Symbol("x_1"), sp.Symbol("x_2"), sp.Symbol("n")
>>> parse_constraint("x_1 + x_2 <= n", {"x_1": x1, "x_2": x2, "n": n}, data=(x1, x2))
(x_1 + x_2 <= n,)
"""
from __future__ import annotations

from typing import Mapping

import sympy as sp

from .expression import parse_expression
from .whitelist import ParseError, _check_text, _show

__all__ = ["parse_constraint"]

_OPERATORS = ("<=", ">=", "\u2264", "\u2265", "==", "!=", "<", ">", "=")  # longest first


def _split_relation(text: str) -> tuple[list, list]:
    """The sides and the operators of ``A op B op C ...``, split outside brackets."""
    sides, ops, depth, start, k = [], [], 0, 0, 0
    while k < len(text):
        ch = text[k]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            op = next((o for o in _OPERATORS if text.startswith(o, k)), None)
            if op is not None:
                sides.append(text[start:k])
                ops.append(op)
                k += len(op)
                start = k
                continue
        k += 1
    sides.append(text[start:])
    return sides, ops


def parse_constraint(text: str, symbols: Mapping[str, sp.Symbol], data=()) -> tuple:
    """The relations of one constraint text, as SymPy relationals in ``symbols`` (the declared
    parameters and constants, and the data variables ``data``), or :class:`ParseError` with the
    reason. Strict, except a constraint on the data (``data`` given): ``x_1 + x_2 <= n`` bounds a
    support (the counts of a multinomial reach their boundary), it does not make a model degenerate."""
    text = _check_text(text, "constraint")
    context = f"constraint '{_show(text, 40)}'"
    sides, ops = _split_relation(text)
    if not ops:
        raise ParseError(f"cannot parse {context}: expected a relation such as 'p_1 + p_2 < 1'")
    names = {str(x) for x in data}
    on_data = _mentions(sides, names)
    bad = [o for o in ops if o not in (("<", ">", "<=", ">=", "\u2264", "\u2265") if on_data else ("<", ">"))]
    if any(o in ("<=", ">=", "\u2264", "\u2265") for o in bad):
        raise ParseError(f"{context}: a constraint is strict (the model may degenerate on its boundary); "
                         "write '<' or '>'")
    if bad:
        raise ParseError(f"{context}: '{bad[0]}' is no constraint; write '<' or '>' (e.g. 'p_1 + p_2 < 1')")
    if len({o in ("<", "<=", "\u2264") for o in ops}) > 1:
        raise ParseError(f"{context}: a chain runs one way ('a < b < c' or 'a > b > c')")
    exprs = []
    for side in sides:
        if not side.strip():
            raise ParseError(f"{context}: a side of the relation is empty")
        try:
            exprs.append(parse_expression(side, symbols))
        except ParseError as exc:
            raise ParseError(f"{context}: {exc} (a constraint relates the declared parameters and constants, "
                             "or two or more data variables)" if names else
                             f"{context}: {exc} (a constraint relates the declared parameters and constants, "
                             "not the data)") from None
    out = []
    for a, op, b in zip(exprs, ops, exprs[1:]):
        if a.has(sp.I) or b.has(sp.I) or a.is_extended_real is False or b.is_extended_real is False:
            raise ParseError(f"{context}: both sides must be real")
        rel = {"<": sp.StrictLessThan, ">": sp.StrictGreaterThan, "<=": sp.LessThan, "\u2264": sp.LessThan,
               ">=": sp.GreaterThan, "\u2265": sp.GreaterThan}[op](a, b)
        if not (a.free_symbols | b.free_symbols):
            raise ParseError(f"{context} involves no parameter or constant")
        if rel == sp.false:
            raise ParseError(f"{context} fails for every value the declarations allow")
        if rel != sp.true:  # (one the declared domains already imply constrains nothing)
            out.append(rel)
    return tuple(out)


def _mentions(sides, names) -> bool:
    """A data variable's name occurs in a side as a whole identifier (``x_1`` in ``x_1 + x_2``, not in ``x_10``)."""
    import re

    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", side) for side in sides for n in names)
