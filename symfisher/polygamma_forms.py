"""Entries that are rational functions of independent polygammas (no recurrence, multiplication theorem
or integer shift relates them) and their textbook forms, read off the polynomial: :func:`symfisher.simplify.tidy`
tries these before any general simplification (docs/architecture.md)."""
from __future__ import annotations

import sympy as sp

__all__ = ["polygamma_generators", "polygamma_forms"]


def polygamma_generators(expr):
    """``(r, back)``: ``expr`` as a rational function ``r`` of Dummies standing for its function
    values (``back`` maps them back), when every value left in ``r`` is a ``polygamma(n, z)`` that no
    rewrite relates to another: no integer term or integer multiple in ``z`` (``expand_func``'s
    recurrence and multiplication theorem) and no two arguments of one order an integer apart (the
    caller applies :func:`shift_polygammas` first). Else ``None``; also when a power of a sum
    (``(x - mu)^2``) would be lost to expanded coefficients. Such values are independent generators:
    the entry is a polynomial or rational function in polygammas with rational coefficients (the
    typed beta law in mean and precision, whose ``B(mk, (1 - m)k)`` factors cancel), and its
    textbook forms are read off it."""
    funcs = expr.atoms(sp.Function)
    if not funcs or not any(isinstance(f, sp.polygamma) for f in funcs) \
            or any(a.atoms(sp.Function) for f in funcs for a in f.args) or expr.has(sp.Piecewise) \
            or not all(isinstance(f, (sp.polygamma, sp.gamma, sp.beta)) for f in funcs):
        return None  # (a gamma or beta value is read as a generator too: it may cancel)
    names = {f: sp.Dummy("g") for f in sorted(funcs, key=sp.default_sort_key)}
    from sympy.polys.fields import sfield

    small = expr.xreplace(names)
    if any(p.base.is_Add and p.exp.is_Integer and p.exp > 1 for p in small.atoms(sp.Pow)):
        return None  # a power of a sum ((x - mu)^2) is a grouping the expanded coefficients would lose
    # one fraction over QQ in the symbols and Dummies: a third of together + cancel's time
    frac = sfield(small)[1]
    num, den = frac.numer.as_expr(), frac.denom.as_expr()
    r = num / den
    left = {f: g for f, g in names.items() if num.has(g) or den.has(g)}
    if not left:
        return None
    by_order: dict = {}
    for f in left:
        # expand_func shifts an integer term out of the argument and expands an integer multiple
        if not isinstance(f, sp.polygamma) or not f.args[0].is_Integer or not f.args[1].free_symbols \
                or f.args[1].as_coeff_Add()[0].is_Integer and f.args[1].as_coeff_Add()[0] != 0 \
                or f.args[1].as_coeff_Mul()[0].is_Integer and f.args[1].as_coeff_Mul()[0] > 1:
            return None
        by_order.setdefault(f.args[0], []).append(f.args[1])
    for args in by_order.values():
        if any(sp.expand(z - w).is_Integer for i, z in enumerate(args) for w in args[:i]):
            return None
    if not (num.is_polynomial(*left.values()) and den.is_polynomial(*left.values())
            and r.is_rational_function(*r.free_symbols)):
        return None
    return r, {g: f for f, g in left.items()}


def _collected(p, gens, den=sp.S.One):
    """``p/den`` (``den`` free of ``gens``) as a sum over the monomials of ``gens``, each coefficient factored."""
    return sp.Add(*[sp.factor(c / den) * sp.Mul(*[g ** k for g, k in zip(gens, mon)])
                    for mon, c in sp.Poly(p, *gens).terms()])


def polygamma_forms(r, back) -> list:
    """The forms of a rational function ``r`` of generators (see :func:`polygamma_generators`):
    factored whole, and collected by the generators with each coefficient factored (``m^2
    psi_1(km) + (1 - m)^2 psi_1(k - km) - psi_1(k)``; numerator and denominator apart when the
    generators are in both), with and without its common factor taken out; a polynomial also expanded."""
    gens = list(back)
    num, den = sp.fraction(r)
    if den.has(*gens):
        collected = _collected(num, gens) / _collected(den, gens)
        forms = [sp.factor(r), collected, sp.factor_terms(collected)]
    else:
        collected = _collected(num, gens, den)
        # and over one denominator (a determinant's P/(2 (nu + 1)(nu + 3)^2), whose constant a prior
        # drops); the common factor is taken out of a polynomial only (of fractions it nests them)
        forms = [sp.expand(r), sp.factor(r), collected, _collected(num, gens) / sp.factor(den)]
        if not den.free_symbols:
            forms.append(sp.factor_terms(collected))
    return [f.xreplace(back) for f in forms]
