r"""Textbook forms: exact rewritings that change how a result reads, never its value.

SymPy's canonical order writes the Bernoulli information as ``-1/(p*(p - 1))``; a
textbook writes ``1/(p*(1 - p))``. :func:`conventional_sign` absorbs a leading minus
sign into a factor of odd power (``-(p - 1) = 1 - p``) and pulls a common numeric factor
out of a sum (``2p - 2 = 2(p - 1)``), and returns the flipped factors so that a sheet can
show the rewriting as its own line with its reason. Each rewriting is proven: the new form
minus the old one cancels (:func:`symfisher.simplify.cancels`), else the old form is kept.

>>> import sympy as sp
>>> p, d = sp.symbols("p delta", positive=True)
>>> conventional_sign(-1/(p*(p - 1)))
(1/(p*(1 - p)), (p - 1,))
>>> conventional_sign(-d**2/(p*(2*p - 2)))[0]
delta**2/(2*p*(1 - p))
>>> conventional_sign(1/(p*(1 - p)))
(1/(p*(1 - p)), ())
"""
from __future__ import annotations

import sympy as sp

__all__ = ["conventional_sign"]


def _reversed(b: sp.Add) -> bool:
    """A sum that reads better negated: its constant term is negative (``p - 1``)."""
    const, _ = b.as_coeff_add()
    return bool(const.is_number and const < 0)


def _flip_scalar(expr):
    if not isinstance(expr, sp.Mul) or not expr.could_extract_minus_sign():
        return expr, ()
    coeff, factors = expr.as_coeff_mul()
    coeff = sp.Rational(coeff) if coeff.is_Rational else coeff
    new_factors = []
    # a common numeric factor of a sum moves to the coefficient: (2p - 2) -> 2 (p - 1)
    for f in factors:
        base, e = f.as_base_exp()
        if isinstance(base, sp.Add) and e.is_integer:
            content, prim = base.primitive()
            if content != 1 and content.is_Rational:
                coeff *= content ** e
                base = prim
        new_factors.append((base, e))
    flipped = []
    if coeff < 0:
        for k, (base, e) in enumerate(new_factors):
            if isinstance(base, sp.Add) and e.is_integer and e % 2 == 1 and _reversed(base):
                flipped.append(base)
                new_factors[k] = (sp.Add(*[-t for t in base.args]), e)
                coeff = -coeff
                break
    if not flipped:
        return expr, ()
    new = sp.Mul(coeff, *[sp.Pow(b, e) for b, e in new_factors])
    from .simplify import cancels

    if not cancels(new - expr):
        return expr, ()
    return new, tuple(flipped)


def conventional_sign(expr):
    """``(form, flipped)``: ``expr`` with a leading minus absorbed into a reversed factor
    (entry by entry for a matrix), and the factors that were negated (empty: unchanged)."""
    if isinstance(expr, sp.MatrixBase):
        flipped: list = []
        entries = []
        for e in expr:
            new, f = _flip_scalar(e)
            entries.append(new)
            flipped += [x for x in f if x not in flipped]
        if not flipped:
            return expr, ()
        return sp.Matrix(expr.rows, expr.cols, entries), tuple(flipped)
    if isinstance(expr, sp.Expr):
        return _flip_scalar(expr)
    return expr, ()
