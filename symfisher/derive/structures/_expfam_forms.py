"""The exponential family's tidy forms (:mod:`symfisher.derive.structures.expfam`): the derivatives of the
log-partition with exps read as generators ``y = exp(u)``, rational entries brought to their textbook form in the
fraction field of the parameters, and the exact cancellation of a difference.
"""
from __future__ import annotations

import sympy as sp

from ...limits import StepTimeout, time_limit
from ...simplify import _flip_signs, _monomial, _shortest, _tree_size, cancels, tidy


def _exps_as_generators(expr):
    """``(small, back)``: ``expr`` with each ``exp(c_1 u_1 + ... + c_m u_m + d)`` (rational ``c_i``,
    ``d`` free of exps) written ``exp(d) y_1^(c_1 L_1) ... y_m^(c_m L_m)`` for positive dummies
    ``y_i = exp(u_i / L_i)`` (``L_i`` the common denominator of ``u_i``'s coefficients), and ``back``
    the map ``y_i -> exp(u_i / L_i)``; ``(expr, {})`` when some exp does not split so. Exact (the
    definition of the power), so the derivatives of a log-partition such as
    ``log(1 + e^{t_1} + e^{t_2})`` become rational functions of the ``y_i``: ``factor`` and ``cancel``
    tidy them and prove identities among them, with no general ``simplify``."""
    exps = expr.atoms(sp.exp)
    if not exps:
        return expr, {}
    split, coeffs = {}, {}
    for e in exps:
        terms, const = [], sp.S.Zero
        for t in sp.Add.make_args(e.args[0]):
            c, u = t.as_coeff_Mul()
            if not c.is_Rational or u.has(sp.exp):
                return expr, {}
            if u == 1:
                const += c
                continue
            if u.could_extract_minus_sign():
                c, u = -c, -u
            terms.append((c, u))
            coeffs.setdefault(u, set()).add(c.q)
        split[e] = (terms, const)
    gens = {u: (sp.Dummy("y", positive=True), sp.ilcm(*qs) if len(qs) > 1 else next(iter(qs)))
            for u, qs in coeffs.items()}
    sub = {e: sp.exp(const) * sp.Mul(*[gens[u][0] ** (c * gens[u][1]) for c, u in terms])
           for e, (terms, const) in split.items()}
    small = expr.xreplace(sub)
    if small.has(sp.exp) and not all(a.args[0].is_number for a in small.atoms(sp.exp)):
        return expr, {}
    return small, {y: sp.exp(u / L) for u, (y, L) in gens.items()}


def _joined_exps(e):
    """``exp(a) exp(b)`` as ``exp(a + b)`` (SymPy keeps a product of exps apart)."""
    def join(m):
        exps = [f for f in m.args if isinstance(f, sp.exp)]
        return sp.Mul(*[f for f in m.args if not isinstance(f, sp.exp)]) * sp.exp(sp.Add(*[f.args[0] for f in exps]))

    return e.replace(lambda n: n.is_Mul and sum(isinstance(f, sp.exp) for f in n.args) > 1, join)


def _tidy(e):
    """``tidy`` of a derivative of the log-partition: exps read as generators first (see
    :func:`_exps_as_generators`), so a rational function of ``e^{t_i}`` is tidied as one. A
    symmetric matrix is tidied on and above its diagonal only (the entries below are the same
    expressions)."""
    if isinstance(e, sp.MatrixBase):
        if e.rows == e.cols and all(e[i, j] == e[j, i] for i in range(e.rows) for j in range(i)):
            out = sp.zeros(e.rows, e.cols)
            for i in range(e.rows):
                for j in range(i, e.cols):
                    out[i, j] = out[j, i] = _tidy(e[i, j])
            return out
        return e.applyfunc(_tidy)
    hit = _TIDIED.get(e)
    if hit is None:
        if len(_TIDIED) > 4096:
            _TIDIED.clear()
        hit = _TIDIED[e] = _tidy_entry(e)
    return hit


_TIDIED: dict = {}  # an entry tidied once: Var(T) = (dE[T]/dtheta)/J is -E[H] itself where J = 1


def _tidy_entry(e):
    small, back = _exps_as_generators(e)
    if not back:
        if not e.atoms(sp.Function) and e.is_rational_function(*e.free_symbols):
            return _rational_tidy(e)
        return tidy(e, limit=2.0)
    if not small.atoms(sp.Function) and small.is_rational_function(*small.free_symbols):
        # a rational function of the generators: its factored form is the textbook one
        # (y (y + 2)/(y_1 + y_2 + 1)^2), a quarter of tidy's cost, which ranks several forms
        try:
            with time_limit(2.0, "factor"):
                return _joined_exps(sp.factor(small).xreplace(back))
        except StepTimeout:
            pass
    return _joined_exps(tidy(small, limit=2.0).xreplace(back))


def _rational_tidy(e):
    """The textbook form of a rational function of the parameters, ranked as
    :func:`~symfisher.simplify.tidy` ranks: its factored form (the sign absorbed into an odd-power factor,
    ``1/(p (1 - p))``), its form in lowest terms (``sigma^2 - mu^2``, which factoring would split), or
    ``e`` itself when that is shorter and small (``1 + 1/p``). Both forms come from the fraction field of
    the parameters (:func:`_field_forms`); ``factor_terms``, which ``tidy`` also ranks, gives one of them
    again on a rational function."""
    if _monomial(e):
        return e
    try:
        with time_limit(2.0, "factor"):
            forms = _field_forms(e)
    except StepTimeout:
        forms = None
    if forms is None:
        return tidy(e, limit=2.0)
    forms = [forms[0], _flip_signs(forms[0]), forms[1], _flip_signs(forms[1])]
    if _tree_size(e) <= _SMALL_INPUT:
        forms += [e, _flip_signs(e)]
    return _shortest(list(dict.fromkeys(forms)), {})


def _field_forms(e):
    """``(sympy.factor(e), sympy.cancel(e))`` of a rational function, the same forms, computed from its
    element of the fraction field ``QQ(symbols)``: ``e`` is brought to lowest terms by the field's
    arithmetic, subexpression by subexpression, and its numerator and denominator factored as
    polynomials (half of ``factor``'s time on a nested entry, which ``together`` multiplies out whole);
    ``factor`` and ``cancel`` then run once more on those short forms, for their own signs and ordering
    (``factor`` normalizes each factor in its own generators; ``cancel`` is given the pair, its canonical
    ``P/Q`` is the quotient's). ``None`` for an input the field does not
    take (a number such as pi for a coefficient)."""
    from sympy.core.mul import _keep_coeff
    from sympy.polys.domains import QQ
    from sympy.polys.polyerrors import PolynomialError

    syms = sorted(e.free_symbols, key=lambda s: s.name)
    if not syms:
        return None
    try:
        K = QQ.frac_field(*syms)
        a = K.from_sympy(e)
        cn, fn = a.numer.factor_list()
        cd, fd = a.denom.factor_list()
    except (PolynomialError, ArithmeticError, ValueError, TypeError, IndexError):
        return None
    f = _keep_coeff(QQ.to_sympy(QQ(cn) / QQ(cd)),
                    sp.Mul(*[b.as_expr() ** k for b, k in fn], *[b.as_expr() ** -k for b, k in fd]))
    # cancel of the pair (numerator, denominator): the same canonical P/Q as cancel of their quotient, without
    # the quotient's signsimp, factor_terms and as_numer_denom (assumption queries on new sums in a fresh process)
    c, P, Q = sp.cancel((a.numer.as_expr(), a.denom.as_expr()))
    return sp.factor(f), c * (P / Q)


def _field_factor(e):
    """``sympy.factor(e)`` of a rational function, by :func:`_field_forms` where the field takes it."""
    forms = _field_forms(e)
    return sp.factor(e) if forms is None else forms[0]


_SMALL_INPUT = 12  # nodes: an input this small may itself be the textbook form (1 + 1/(1 - p) + 1/p)


def _difference_cancels(a, b) -> bool:
    """``a - b`` cancels identically, with exps read as generators (exact)."""
    small, back = _exps_as_generators(a - b)
    return cancels(small) or (bool(back) and cancels(a - b))
