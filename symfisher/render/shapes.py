"""Shapes of an expression the printers read before typesetting it (docs/architecture.md, Output): a
negative exponential beside its positive one, a matrix sum of transposes, balanced parentheses."""
from __future__ import annotations

import sympy as sp

from ..textbook_forms import _unevaluated


def _mixed_exponentials(expr):
    """``(numerator, denominator)`` of a product that holds ``e^{-u}`` beside another factor with
    ``e^{u}`` in it, the negative exponential moved to the denominator; ``None`` otherwise (``lam e^{-lam x}``
    stays as a textbook writes a density)."""
    if not isinstance(expr, sp.Mul) or _unevaluated(expr):
        return None
    neg = [f for f in expr.args if isinstance(f, sp.exp) and f.args[0].could_extract_minus_sign()]
    if not neg:
        return None
    others = [f for f in expr.args if f not in neg]
    ups = {e.args[0] for f in others for e in f.atoms(sp.exp)}
    if not all(-f.args[0] in ups for f in neg):
        return None
    num, den = sp.fraction(sp.Mul(*others))
    return num, sp.Mul(den, *[sp.exp(-f.args[0]) for f in neg], evaluate=False) if den != 1 else \
        (sp.Mul(*[sp.exp(-f.args[0]) for f in neg]))


def _transposed_sum(expr):
    """``x - mu`` when ``expr`` is ``x^T - mu^T`` (a matrix sum of transposes), else ``None``."""
    if not isinstance(expr, sp.MatAdd) or len(expr.args) < 2:
        return None
    inner = []
    for t in expr.args:
        if isinstance(t, sp.Transpose):
            inner.append(t.arg)
        elif isinstance(t, sp.MatMul) and len(t.args) == 2 and t.args[0] == -1 and isinstance(t.args[1], sp.Transpose):
            inner.append(-t.args[1].arg)
        else:
            return None
    return sp.MatAdd(*inner, evaluate=False)


def _balanced(tex: str) -> bool:
    """Whether the parentheses of ``tex`` pair up among themselves (none closes an outer one)."""
    depth = 0
    for c in tex:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0
