"""Simplification to textbook form, and zero tests that never trust one method alone.

``tidy`` tries a few cheap rewritings (``cancel``, ``factor``, ``gammasimp``,
``expand_func`` of polygammas, ``simplify`` under a time limit) and keeps the shortest;
a rewriting that runs past its limit is simply skipped. ``is_zero`` decides whether an
expression vanishes on a model's domain: symbolically when SymPy can, otherwise by
evaluating at seeded random points inside the domains (``mpmath`` through ``evalf``).

>>> import sympy as sp
>>> p = sp.Symbol("p", positive=True)
>>> tidy(1/p + 1/(1 - p))
1/(p*(1 - p))
"""
from __future__ import annotations

import sympy as sp

from .domain_points import random_points
from .limits import StepTimeout, time_limit
from .polygamma_forms import polygamma_forms, polygamma_generators

__all__ = ["tidy", "tidy_matrix", "is_zero", "cancels", "numeric_value", "signature",
           "printed_length", "ensure_printable", "split_logs", "exp_logs_as_powers", "exps_as_powers",
           "shift_polygammas"]


def _size(e) -> tuple:
    # shorter first; among equals, prefer fewer polygamma(n, a+1) shifts and no I
    return _coarse_size(e) + (printed_length(e),)


_UNORDERED: list = []


def _unordered_str(e) -> str:
    """``str(e)`` with the terms in their stored order (no numeric evaluation to sort them)."""
    if not _UNORDERED:
        from sympy.printing.str import StrPrinter

        _UNORDERED.append(StrPrinter({"order": "none"}))
    return _UNORDERED[0].doprint(e)


def printed_length(e) -> int:
    """The length of ``e`` printed, without the term ordering of ``str``: ordering a sum
    evaluates its numeric factors with mpmath (``complex(meijerg(..., 1))``), which can raise
    (ZeroDivisionError) or take long; the length does not depend on the order of the terms.

    >>> import sympy as sp
    >>> e = sp.Rational(-21, 4) + 48 * sp.meijerg(((-2, sp.S.Half), ()), ((0, sp.S.Half), ()), 1) / (5 * sp.pi)
    >>> printed_length(e) > 0
    True
    """
    try:
        return len(_unordered_str(e))
    except Exception:  # a printer method that still evaluates: rank by the tree instead
        return len(sp.srepr(e))


def _numeric_atoms(obj) -> bool:
    """Whether printing ``obj`` may evaluate something numerically: a special function,
    integral or sum with a numeric argument (``meijerg(..., 1)``, ``Integral(..)`` of numbers).

    The expression is walked as the DAG it is: a subexpression shared by many entries of a
    matrix (the d = 8 Gaussian covariance's Hessian repeats the same products of precision
    entries thousands of times) is looked at once, and the walk stops at the first risky term.

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> _numeric_atoms(sp.Matrix([[x, sp.exp(2) + sp.log(3)], [x**2, x*sp.besselk(0, 1)]]))
    True
    >>> _numeric_atoms(sp.Matrix([[sp.gamma(x), sp.exp(2)]]))
    False
    """
    risky = (sp.Function, sp.Integral, sp.Sum, sp.Product)
    if isinstance(obj, sp.MatrixBase):
        stack = list(obj)
    elif isinstance(obj, sp.Basic):
        stack = [obj]
    else:
        return False
    seen: set = set()
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if isinstance(e, risky) and not isinstance(e, (sp.exp, sp.log)) and e.is_number:
            return True
        stack.extend(a for a in e.args if not a.is_Atom)
    return False


def ensure_printable(step: str, *objs) -> None:
    """Print each object that holds a numeric special-function term (the printers order the terms
    of a sum by evaluating them, which can raise inside mpmath); raise :class:`StepFailed` of
    ``step`` naming the term if one cannot be printed, so the step that produced it fails,
    not the printing of the report. Tuples, lists and dicts are looked into."""
    for obj in objs:
        if isinstance(obj, dict):
            ensure_printable(step, *obj.values())
        elif isinstance(obj, (tuple, list)):
            ensure_printable(step, *obj)
        elif _numeric_atoms(obj):
            try:
                str(obj)
            except Exception as exc:
                from .limits import StepFailed

                bad = sorted((a for a in obj.atoms(sp.Function, sp.Integral, sp.Sum, sp.Product) if a.is_number),
                             key=sp.default_sort_key)
                shown = " ".join(_unordered_str(bad[-1]).split())[:120] if bad else "a term"
                raise StepFailed(step, f"the closed form SymPy found holds {shown}, which mpmath cannot evaluate "
                                       f"({type(exc).__name__}): no usable result") from exc


def _coarse_size(e, ops=None) -> tuple:
    """``_size`` without its last entry (the printed length, slow to compute): what ranks forms
    unless two tie. ``ops`` is ``count_ops(e)`` if already known."""
    unfactored = sum(1 for a in e.atoms(sp.Add) if any(q.exp.is_Integer and q.exp > 1 for q in a.atoms(sp.Pow)))
    if ops is None:
        ops = sp.count_ops(e, visual=False)
    return (ops + unfactored + len(e.atoms(sp.exp)), len(e.atoms(sp.Piecewise)), e.has(sp.I))


def _shortest(candidates, ops: dict):
    """``min(candidates, key=_size)``, printing only the forms that tie on the rest of the key.

    ``ops`` maps forms to their known ``count_ops``.
    """
    coarse = [_coarse_size(c, ops.get(c)) for c in candidates]
    best = min(coarse)
    tied = [c for c, k in zip(candidates, coarse) if k == best]
    if len(tied) == 1:
        return tied[0]
    return min(tied, key=printed_length)


def as_expr(e):
    """A SymPy object from our own values (derived results, parsed answers, numbers). Text is
    refused: it is read only by :func:`symfisher.parsing.parse_expression`, never sympified."""
    import numbers

    if isinstance(e, (sp.Basic, sp.MatrixBase)):
        return e
    if isinstance(e, bool) or not isinstance(e, numbers.Real):
        raise TypeError(f"expected a SymPy expression or a number, got {type(e).__name__}")
    return sp.Integer(int(e)) if isinstance(e, numbers.Integral) else sp.Float(float(e))


def tidy(expr, limit: float = 4.0):
    """The shortest of a few equivalent forms of ``expr`` (never slower than ``limit`` s each)."""
    if isinstance(expr, sp.MatrixBase):
        return tidy_matrix(expr, limit)
    expr = as_expr(expr)
    if _monomial(expr) or _plain_sum(expr):  # 4/sigma^2, polygamma(0, a) - log(b): nothing to rewrite
        return expr
    if expr in _TIDY:
        return _TIDY[expr]
    # pull out a monomial factor (x_i x_j in x_i x_j w(eta)): the rest is shared across a
    # matrix's entries and tidied once
    m, rest = _monomial_part(expr)
    if m != 1 and not rest.is_Number:  # (a sum of numbers such as pi and EulerGamma too: tidied alone)
        result = _flip_signs(m * tidy(rest, limit))
        _TIDY[expr] = result
        return result
    result = abstracting_exponents(expr, lambda e: _tidy(e, limit))
    _TIDY[expr] = result
    return result


_TIDY: dict = {}


def _monomial_part(e) -> tuple:
    """``(m, e / m)`` with ``m`` the product of the powers of symbols common to every term of ``e``
    (``x_1 x_2`` in ``x_1 x_2 a + x_1 x_2 b``; an integer power, the smallest in size, of one sign in
    every term), read off the terms' top-level factors. ``factor_terms`` finds the same monomial but
    rewrites every subexpression on the way (30 ms for one nested rational entry of the categorical
    law's covariance)."""
    terms = sp.Add.make_args(e)
    common = None
    for t in terms:
        powers = {b: k for b, k in t.as_powers_dict().items() if b.is_Symbol and k.is_Integer}
        if common is None:
            common = powers
        else:
            common = {b: (min(k, powers[b]) if k > 0 else max(k, powers[b])) for b, k in common.items()
                      if b in powers and (k > 0) == (powers[b] > 0)}
        if not common:
            return sp.S.One, e
    m = sp.Mul(*[b ** k for b, k in common.items()])
    if m == 1:
        return m, e
    return m, sp.Add(*[t / m for t in terms])


def _tree_size(e) -> int:
    """The number of nodes of ``e`` (cheap: no ordering, no operation counts)."""
    return sum(1 for _ in sp.preorder_traversal(e))


_LARGE = 60  # nodes: an input this large is not itself a textbook form


def _plain_sum(e) -> bool:
    """Whether ``e`` is a sum of terms that no rewrite shortens: a number, or a number times
    symbols to positive integer powers times one function of symbols (and integers, such as a
    polygamma's order), each function in one term only: ``polygamma(0, a) - log(b)``,
    ``a polygamma(1, a) - 1``, ``polygamma(1, a) - polygamma(1, a + b)``. Such terms share no denominator or factor to combine, and a
    function of bare symbols has no shift or product to expand (``log(2) + log(3)``, functions
    of numbers only, and ``a log(b) + log(b)`` are not plain: they may combine)."""
    seen = set()
    for t in sp.Add.make_args(e):
        if t.is_Number:
            continue
        funcs = []
        for f in sp.Mul.make_args(t):
            if f.is_Number or f.is_Symbol or (f.is_Pow and f.base.is_Symbol and f.exp.is_Integer and f.exp > 0):
                continue
            if isinstance(f, sp.Function) and f.args and all(a.is_Symbol or a.is_Integer or _symbol_sum(a)
                                                              for a in f.args) \
                    and any(a.free_symbols for a in f.args):
                funcs.append(f)
                continue
            return False
        if len(funcs) != 1 or funcs[0] in seen:
            return False
        seen.add(funcs[0])
    return True


def _symbol_sum(a) -> bool:
    """``a + b``: a sum of symbols, no number in it (so no integer shift for ``expand_func``)."""
    return a.is_Add and all(t.is_Symbol for t in a.args)


def _monomial(e) -> bool:
    return all(f.is_Number or f.is_Symbol or (f.is_Pow and f.base.is_Symbol and f.exp.is_Number)
               for f in sp.Mul.make_args(e))


def abstracting_exponents(expr, fn):
    """``fn(expr)`` with each long linear form inside ``exp`` (``w_1 x_1 + ... + w_d x_d``)
    standing for one symbol: rewrites then work on a few symbols, not 2d of them."""
    long_args = {a.args[0] for a in expr.atoms(sp.exp) if isinstance(a.args[0], sp.Add) and len(a.args[0].args) > 2}
    if not long_args:
        return fn(expr)
    names = {}
    for arg in sorted(long_args, key=sp.default_sort_key):
        if -arg not in names:
            names[arg] = sp.Dummy("eta", real=True)
    sub = {}
    for arg, eta in names.items():
        sub[sp.exp(arg)] = sp.exp(eta)
        sub[sp.exp(-arg)] = sp.exp(-eta)
    small = expr.xreplace(sub)
    if small.has(*long_args):
        return fn(expr)
    return fn(small).xreplace({eta: arg for arg, eta in names.items()})


_SMALL = 6  # a cheap rewrite this short is already textbook form: no general simplify
# nodes: past this, simplify's own rewrites (which are factor, cancel, gammasimp ... again, then ranked) cost
# most of the time and do not beat the cheap forms: a generic KL of the generalized gamma law (380 nodes)
# spent 0.6 s there for a form of 226 operations against factor's 90
_HUGE = 4 * _LARGE


def _rational_in_one_log(e) -> bool:
    """Whether ``e`` is a rational function of its symbols and one ``log(b)`` of a symbol (numbers
    such as pi as coefficients): ``log(b)^2 + 2 (gamma - 1) log(b) + ...``. Then simplify has nothing to
    add to factor and cancel but ``c log(b) = log(b^c)``, which is no textbook form (and costs a
    hundred times their time)."""
    funcs = e.atoms(sp.Function)
    if len(funcs) != 1:
        return False
    lg = next(iter(funcs))
    if not (isinstance(lg, sp.log) and lg.args[0].is_Symbol):
        return False
    y = sp.Dummy("y")
    r = e.xreplace({lg: y})
    return not r.has(lg.args[0]) or r.is_rational_function(*r.free_symbols)


def _polynomial(e) -> bool:
    """Whether ``e`` is a polynomial in its atoms (symbols, numbers and function values): sums and
    products of them and their nonnegative integer powers, nothing else at the top."""
    if e.is_Add or e.is_Mul:
        return all(_polynomial(a) for a in e.args)
    if e.is_Pow:
        return e.exp.is_Integer and e.exp >= 0 and _polynomial(e.base)
    return e.is_Atom or isinstance(e, sp.Function)


def _tidy(expr, limit: float):
    ops = {}  # count_ops of each distinct form, computed once

    def count(c):
        if c not in ops:
            ops[c] = sp.count_ops(c, visual=False)
        return ops[c]

    def attempt(rw, e):
        try:
            with time_limit(limit, "simplify"):
                return rw(e)
        except StepTimeout:
            return None
        except Exception:  # a SymPy rewrite that breaks on an odd input is just skipped
            return None

    shifted = shift_polygammas(expr) if expr.has(sp.polygamma) else None
    # arguments an integer apart are first written through the lowest (the recurrence is exact)
    gens = attempt(polygamma_generators, expr if shifted is None else shifted)
    if gens is not None:
        # a polynomial in independent polygammas: nothing simplify, gammasimp or expand_func could add
        # to its own forms (34 rewrites of six such entries cost 1-3 s, these forms a few ms)
        forms = attempt(lambda _: polygamma_forms(*gens), expr)
        if forms:
            forms += [_flip_signs(c) for c in forms]
            return _shortest(list(dict.fromkeys(forms)), ops)
    # cancel's form is canonical, so it is taken from the factored form: cancel of a sum of
    # fractions multiplies out every denominator first (15 ms against 5 for factor + cancel)
    factored = attempt(sp.factor, expr)
    large = _tree_size(expr) > _LARGE
    if factored == expr and expr.is_Add and _polynomial(expr) \
            and any(t.as_coeff_Mul()[0].is_positive for t in expr.args):
        # an expanded polynomial (in its symbols and function values) that factor leaves alone has no
        # common factor and no denominator: cancel and factor_terms give it back too (factor_terms would
        # take out a -1 common to all terms, so one term is positive)
        cancelled = common = expr
    elif factored is not None and _monomial(factored) and not expr.atoms(sp.Function) \
            and not expr.has(sp.exp, sp.log):
        # a rational input that factors to a monomial (2/sigma^2, the usual Fisher entry): cancel gives
        # the monomial again and nothing is shorter, so neither cancel nor factor_terms is asked
        cancelled = common = factored
    else:
        cancelled = attempt(sp.cancel, expr if factored is None else factored)
        # (1 - 2 gamma + gamma^2 + pi^2/6)/k^2: factor keeps pi inside. A large input's common terms are
        # taken from its cancelled form: factor_terms rewrites every subexpression of a nested one
        common = attempt(sp.factor_terms, cancelled if large and cancelled is not None else expr)
    # a rational function of the symbols (numbers such as pi may be coefficients): factor, cancel and
    # factor_terms are the forms simplify would choose from, without its cost (its first call in a
    # process imports sympy.physics.units)
    def _rational(e):
        return not e.atoms(sp.Function) and e.is_rational_function(*e.free_symbols)

    rational = _rational(expr)
    rewritten = [c for c in (cancelled, factored, common) if c is not None]
    # a large nested rational input (the covariance of a statistic read off a log-partition) is not
    # itself a textbook form: only its rewrites are ranked (counting and sign-flipping it costs as
    # much as rewriting it)
    candidates = rewritten if large and rational and rewritten else [expr] + rewritten
    if expr.has(sp.exp, sp.log):
        # exp(c log b) is b^c by definition: lam^k exp(-k log lam) is 1 before any simplify is needed
        powered = exp_logs_as_powers(expr)
        if powered != expr:
            c = attempt(lambda e: sp.factor_terms(sp.expand(e)), powered)
            if c is not None:
                candidates.append(c)
                rational = rational or _rational(c)

    rewrites = [  # (rewrite, whether it can change expr)
        (lambda e: sp.expand_func(sp.gammasimp(e)), expr.has(sp.gamma, sp.polygamma, sp.beta)),
        (lambda e: sp.factor(sp.expand_func(e)), expr.has(sp.polygamma)),
        # digamma((nu + 3)/2) - digamma((nu + 1)/2) is 2/(nu + 1): expand_func shifts integer steps only
        (lambda e: sp.factor(sp.cancel(shift_polygammas(e))), expr.has(sp.polygamma) and shift_polygammas(expr) is not None),
        (lambda e: sp.powsimp(e, deep=True, combine="exp"), expr.has(sp.exp)),
        (sp.simplify, True),
    ]
    huge = _tree_size(expr) > _HUGE if large else False
    for rw, applies in rewrites:
        if not applies or rw is sp.simplify and (rational or huge or _rational_in_one_log(expr)
                                                 or min(count(c) for c in candidates) <= _SMALL):
            continue
        c = attempt(rw, expr)
        if c is not None:
            candidates.append(c)
    candidates += [_flip_signs(c) for c in candidates]
    hyperbolic = (sp.sinh, sp.cosh, sp.tanh, sp.coth, sp.sech, sp.csch)
    if not expr.has(*hyperbolic):  # simplify likes cosh(w/2)^2; textbooks keep exp
        candidates = [c for c in candidates if not c.has(*hyperbolic)] or candidates
    # rewrites often agree: rank each distinct form once (the first of equals wins, as in min)
    return _shortest(list(dict.fromkeys(candidates)), ops)


def exp_logs_as_powers(expr):
    """``expr`` with each ``exp(c log b)`` written ``b^c`` (SymPy's definition of the power, so exact):
    ``lam^k exp(-k log lam)`` is 1 as soon as it is built, and a zero test by ``cancel`` sees it."""
    if not expr.has(sp.exp):
        return expr
    return expr.replace(lambda e: isinstance(e, sp.exp) and _c_log(e.args[0]) is not None,
                        lambda e: sp.Pow(*_c_log(e.args[0])))


def _c_log(a):
    """``(b, c)`` for ``a = c log(b)`` (``c`` free of logs), else ``None``."""
    c, rest = a.as_independent(sp.log, as_Add=False)
    if isinstance(rest, sp.log) and not c.has(sp.log):
        return rest.args[0], c
    return None


def _flip_signs(e):
    """``-1/(p*(p - 1))`` -> ``1/(p*(1 - p))``: absorb a negative coefficient into an odd-power factor."""
    if not isinstance(e, sp.Mul):
        return e
    coeff, rest = e.as_coeff_Mul()
    if not (coeff.is_number and coeff.is_negative):
        return e
    factors = list(sp.Mul.make_args(rest))
    for i, f in enumerate(factors):
        b, k = f.as_base_exp()
        if isinstance(b, sp.Add) and k.is_integer and k.is_odd:
            factors[i] = sp.Pow(sp.expand(-b), k)
            return sp.Mul(-coeff, *factors)
    return e


def tidy_matrix(m, limit: float = 4.0):
    m = sp.Matrix(m)
    out = sp.zeros(*m.shape)
    symmetric = m.is_symmetric()
    for i in range(m.rows):
        for j in range(m.cols):
            if symmetric and j < i:
                out[i, j] = out[j, i]
            else:
                out[i, j] = tidy(m[i, j], limit)
    return out


def numeric_value(expr, sub: dict, prec: int = 30) -> complex:
    """``expr`` at ``sub`` to ``prec`` digits; ``ValueError`` where it is not a finite number,
    including where mpmath fails to evaluate it (ZeroDivisionError, no convergence)."""
    from mpmath.libmp import NoConvergence

    try:
        v = as_expr(expr).evalf(prec, subs=sub)
        if v.has(sp.zoo, sp.nan) or not v.is_number:
            raise ValueError(f"not a number at {sub}: {v}")
        return complex(v)
    except (ArithmeticError, NoConvergence, RecursionError) as exc:
        raise ValueError(f"not evaluable at {sub}: {type(exc).__name__} in mpmath") from None


def is_zero(expr, domains: dict, n: int = 8, tol: float = 1e-9, limit: float = 4.0) -> bool | None:
    """Whether ``expr`` is identically zero on the domains: True, False, or None (cannot tell).

    Symbolic first (``cancel`` of the expansion under ``limit``); otherwise evaluated at ``n``
    seeded points inside the domains (30 digits); zero only if it vanishes at all of them.
    """
    expr = as_expr(expr)
    if isinstance(expr, sp.MatrixBase):
        verdicts = [is_zero(e, domains, n, tol, limit) for e in expr]
        if all(v is True for v in verdicts):
            return True
        if any(v is False for v in verdicts):
            return False
        return None
    if expr == 0:
        return True
    try:
        with time_limit(limit, "zero test"):
            if cancels(expr):
                return True
    except (StepTimeout, Exception):
        pass
    # gamma-type functions at integer shifts of one argument (beta(a + 1, 4)/beta(a, 2), polygamma(0, a + 5)
    # - polygamma(0, a)): rational after expand_func and gammasimp, where cancel of the unexpanded form may run
    # out of time; a numeric test of such a zero costs seconds per point (evalf raises its precision on a
    # cancellation that never ends)
    if expr.has(sp.beta, sp.gamma, sp.polygamma, sp.binomial, sp.factorial, sp.RisingFactorial):
        try:
            with time_limit(limit, "zero test (gamma functions expanded)"):
                if cancels(sp.gammasimp(sp.expand_func(expr))):
                    return True
        except (StepTimeout, Exception):
            pass
    if _nonzero_rational(expr, domains):
        return False
    # exp(eta), exp(2 eta), exp(-eta) as powers of y = exp(eta) (cancels has tried that for zero): a
    # rational function of y (and the symbols) that is not zero is not zero at y = exp(eta) either (exp is transcendental over the
    # rational functions), so the proof needs no points (nor NumPy to draw them)
    powers = exps_as_powers(expr, domains)
    if powers is not None:
        try:
            with time_limit(limit, "zero test"):
                if _nonzero_rational(powers, domains):
                    return False
        except (StepTimeout, Exception):
            pass
    # zero at every seeded point of the domain (True), a counterexample (False), or no verdict;
    # bounded too: evalf of special functions can raise its precision without end
    try:
        with time_limit(limit, "zero test (numeric)"):
            return _numeric_zero(expr, domains, n, tol)
    except StepTimeout:
        return None


def split_logs(expr):
    """``expr`` with each ``log(a)`` of a sum written as ``sum log(p_i) + log(rest)``, where the
    ``p_i`` are the factors of ``a`` (over one denominator) that SymPy's assumptions make positive:
    ``log(sigma^2 z^2 + sigma^2) = 2 log(sigma) + log(z^2 + 1)``. Exact (``log(p R) = log p + log R``
    for ``p > 0``), and the cheap rewrite that shows a scale cancels without ``simplify`` (whose
    first call in a process imports ``sympy.physics.units``)."""
    def split(lg):
        a = lg.args[0]
        f = sp.factor(sp.together(a))
        pos, rest = [], []
        for q in sp.Mul.make_args(f):
            (pos if q.is_positive else rest).append(q)
        if not pos:
            return sp.log(f) if f != a else lg
        out = []
        for q in pos:
            b, e = q.as_base_exp()
            out.append(e * sp.log(b) if b.is_positive and e.is_real else sp.log(q))
        if rest:
            out.append(sp.log(sp.Mul(*rest)))
        return sp.Add(*out)

    if not expr.has(sp.log):
        return expr
    return sp.expand(expr.replace(lambda q: isinstance(q, sp.log) and not q.args[0].is_Atom
                                  and q.args[0].has(sp.Add), split))


def exps_as_powers(expr, domains=None):
    """``expr`` with every ``exp(c u)`` (``c`` rational, one ``u`` for all) written ``y^(c L)`` for a
    positive dummy ``y = exp(u / L)`` (``L`` the common denominator of the ``c``), else ``None``:
    when there is no exp, when the exps have arguments that are not rational multiples of one
    non-constant ``u``, or when ``u`` involves a symbol that is an integer or has a one-point domain
    (then ``y`` would not range over an open set). Exact: ``exp(c u) = exp(u / L)^(c L)``.

    >>> import sympy as sp
    >>> eta = sp.Symbol("eta", real=True)
    >>> e = sp.exp(eta) / (sp.exp(eta) + 1) - sp.exp(2 * eta) / (sp.exp(eta) + 1) ** 2
    >>> sp.cancel(exps_as_powers(e)).has(sp.exp)
    False
    """
    exps = expr.atoms(sp.exp)
    if not exps:
        return None
    u, coeffs = None, {}
    for e in exps:
        c, rest = e.args[0].as_coeff_Mul()
        if not c.is_Rational or rest.has(sp.exp):
            return None
        if u is None:
            u = rest
        elif rest != u:
            return None
        coeffs[e] = c
    if not u.free_symbols:
        return None
    for s in u.free_symbols:
        d = domains.get(s) if hasattr(domains, "get") else None
        if s.is_integer or (d is not None and (d.integer or d.lo == d.hi)):
            return None
    L = sp.ilcm(*[c.q for c in coeffs.values()]) if len(coeffs) > 1 else coeffs[next(iter(coeffs))].q
    y = sp.Dummy("y", positive=True)
    out = expr.xreplace({e: y ** (c * L) for e, c in coeffs.items()})
    return None if out.has(sp.exp) else out


def _nonzero_rational(expr, domains) -> bool:
    """Whether ``expr`` is proven not identically zero: a rational function with rational
    coefficients of continuous symbols whose numerator is not the zero polynomial (such a
    function vanishes only on a set without interior, and every domain here has one: an interval
    of positive length, possibly cut by joint constraints that keep an open set). A proof, so
    no points are drawn (``-1/sigma^5``, the Jacobian determinant of a normal family's split)."""
    syms = expr.free_symbols
    if not syms or len(syms) > 6 or expr.has(sp.Function):
        return False
    for s in syms:
        d = domains.get(s) if hasattr(domains, "get") else None
        if s.is_integer or (d is not None and (d.integer or d.lo == d.hi)):
            return False
    try:
        if not expr.is_rational_function(*syms):
            return False
        num = sp.expand(sp.together(expr).as_numer_denom()[0])
        coeffs = sp.Poly(num, *sorted(syms, key=lambda s: s.name)).coeffs()
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError, TypeError):
        return False
    # coefficients with pi or EulerGamma could vanish without SymPy knowing it: only rationals decide
    return bool(coeffs) and all(c.is_Rational for c in coeffs) and any(c != 0 for c in coeffs)


def cancels(expr) -> bool:
    """Whether ``expr`` is zero as a rational function of its symbols and function values.

    First the numerator over ``together``'s common denominator, expanded (cheap: ``together``
    keeps shared factors once); then ``cancel`` of the expansion, which also sees logs
    expanded. ``cancel`` alone multiplies out every denominator of a sum: 15 ms against 2 ms
    for the five-term expectation behind the geometric law's Fisher information.
    """
    from mpmath.libmp import NoConvergence

    expr = as_expr(expr)
    if expr == 0:
        return True
    hit = _CANCELS.get(expr)
    if hit is not None:  # the routes' agreement is tested twice (the verdict, then whether it is a proof)
        return hit
    try:
        out = _cancels(expr)
        # exact rewrites that make more of the function values rational in a few generators:
        # exp(2 eta) = y^2 with y = exp(eta); polygamma(m, a + k) through polygamma(m, a)
        for rewrite in (exps_as_powers, shift_polygammas, _erfc_as_erf, _log_gammas):
            if out:
                break
            alt = rewrite(expr)
            out = alt is not None and alt != expr and _cancels(alt)
    except (ArithmeticError, NoConvergence):
        # SymPy orders terms by evaluating numeric ones, and mpmath can fail on a special
        # function at a singular point (meijerg(..., 1)): not proven zero
        out = False
    if len(_CANCELS) > 4096:
        _CANCELS.clear()
    _CANCELS[expr] = out
    return out


_CANCELS: dict = {}


def _cancels(expr) -> bool:
    if _monomial_denominators(expr):
        # a sum of terms over monomial denominators: its expansion collects every like term (a Laurent
        # polynomial in its symbols and function values), in half the time of the common denominator
        ex = sp.expand(expr)
        if ex == 0:
            return True
        if _laurent(ex):
            return False  # a nonzero Laurent polynomial: no common denominator makes it zero
    if sp.expand(sp.together(expr).as_numer_denom()[0]) == 0:
        return True
    return sp.cancel(sp.expand(expr)) == 0


def _monomial_denominators(e) -> bool:
    """Whether no power in ``e`` with a negative exponent has a sum for its base."""
    return not any(p.exp.is_negative and p.base.has(sp.Add) for p in e.atoms(sp.Pow))


def _laurent(e) -> bool:
    """Whether ``e`` is a sum of numbers times integer powers of symbols and function values."""
    for term in sp.Add.make_args(e):
        for f in sp.Mul.make_args(term):
            b, k = f.as_base_exp()
            if not (f.is_Number or (b.is_Symbol or isinstance(b, sp.Function)) and k.is_Integer):
                return False
    return True


def _log_gammas(expr):
    """``log(B(a, b))`` as ``loggamma(a) + loggamma(b) - loggamma(a + b)`` and ``log(Gamma(a))`` as
    ``loggamma(a)`` where the arguments are positive (then both sides are the real logarithms of
    positive numbers, so the rewrite is exact), else ``None``: a beta law's KL has both forms."""
    def pos(*args):
        return all(a.is_positive for a in args)

    def rewrite(lg):
        a = lg.args[0]
        if isinstance(a, sp.beta) and len(a.args) == 2 and pos(*a.args):
            u, v = a.args
            return sp.loggamma(u) + sp.loggamma(v) - sp.loggamma(u + v)
        if isinstance(a, sp.gamma) and pos(a.args[0]):
            return sp.loggamma(a.args[0])
        return lg

    if not expr.has(sp.beta, sp.gamma) or not expr.has(sp.log):
        return None
    out = expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], (sp.beta, sp.gamma)), rewrite)
    return out if out != expr else None


def _erfc_as_erf(expr):
    """``erfc(z)`` as ``1 - erf(z)`` (its definition), else ``None``: the probit law's Fisher
    information has both."""
    if not expr.has(sp.erfc) or not expr.has(sp.erf):
        return None
    return expr.replace(lambda e: isinstance(e, sp.erfc), lambda e: 1 - sp.erf(e.args[0]))


def shift_polygammas(expr):
    """``expr`` with each ``polygamma(m, a + k)`` (``k`` a positive integer, ``polygamma(m, a)`` also
    present) written through ``polygamma(m, a)`` by the recurrence
    ``psi^(m)(z + 1) = psi^(m)(z) + (-1)^m m! / z^(m+1)`` (exact), else ``None`` when nothing shifts:
    ``polygamma(0, (nu + 3)/2) - polygamma(0, (nu + 1)/2)`` is ``2/(nu + 1)``, which ``cancel`` alone
    cannot see.

    >>> import sympy as sp
    >>> nu = sp.Symbol("nu", positive=True)
    >>> sp.cancel(shift_polygammas(sp.polygamma(0, (nu + 3)/2) - sp.polygamma(0, (nu + 1)/2)))
    2/(nu + 1)
    """
    atoms = [a for a in expr.atoms(sp.polygamma) if a.args[0].is_Integer]
    if len(atoms) < 2:
        return None
    sub = {}
    by_order: dict = {}
    for a in atoms:
        by_order.setdefault(a.args[0], []).append(a.args[1])
    for m, args in by_order.items():
        for z in args:
            # the arguments an integer below z; the furthest is the one its class is written through
            gaps = {w: sp.expand(z - w) for w in args}
            lows = [w for w, g in gaps.items() if g.is_Integer and g > 0]
            if not lows:
                continue
            base = max(lows, key=lambda w: gaps[w])
            k = int(gaps[base])
            sub[sp.polygamma(m, z)] = sp.polygamma(m, base) + sp.Add(*[
                (-1) ** m * sp.factorial(m) / (base + j) ** (m + 1) for j in range(k)])
    return expr.xreplace(sub) if sub else None


def _numeric_zero(expr, domains, n, tol):
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    # a number has one value: no points to draw (and no NumPy to draw them with)
    try:
        pts = random_points(syms, domains, n) if syms else [{}]
        vals = [numeric_value(expr, sub) for sub in pts]
    except (ValueError, TypeError):
        return None
    scale = 1.0
    return all(abs(v) <= tol * scale for v in vals)


def signature(expr, domains: dict, n: int = 4) -> tuple:
    """Numeric fingerprint of ``expr`` at seeded points (for comparing forms quickly)."""
    syms = sorted(as_expr(expr).free_symbols, key=lambda s: s.name)
    return tuple(round(numeric_value(expr, sub).real, 9) for sub in random_points(syms, domains, n))
