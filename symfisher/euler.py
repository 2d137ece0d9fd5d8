"""Euler's integrals, recognized in an integrand: closed forms without ``integrate``.

A density's transform (``E[X^s]``, ``E[X^s (1 - X)^t]``, ``E[exp(s Z)]``) is one integral
with symbolic exponents. SymPy's ``integrate`` finds most of them through Meijer G
functions, slowly (50 s for the beta kernel, answered as a ``hyper`` at 1), or not at all;
the kernels of textbook laws are few, and each has a classical closed form:

* ``int_0^1 x^(p-1) (1-x)^(q-1) dx = B(p, q)`` (Euler's first integral);
* ``int_0^oo x^(p-1) exp(-c x^r) dx = Gamma(p/r) / (|r| c^(p/r))`` (Euler's second
  integral after ``u = c x^r``; ``r < 0`` gives the inverse-gamma kernels);
* ``int_0^oo x^(p-1) (1 + c x^r)^(-q) dx = B(p/r, q - p/r) / (r c^(p/r))`` (the first
  integral after ``u = c x^r/(1 + c x^r)``: Lomax, log-logistic, beta-prime, Burr, t kernels);
* ``int_R exp(-a x^2 + b x) dx = sqrt(pi/a) exp(b^2/(4a))`` (Gauss);
* a half-line ``(lo, oo)`` is shifted to ``(0, oo)``; the whole line is split at 0 into two
  half-lines (``|x|`` then has one sign on each), an even integrand doubled.

Each closed form holds under conditions on its exponents (``p > 0``, ``c > 0``, ...), which
are returned with the value for the caller to decide on its domains (Abramowitz & Stegun,
6.1.1 and 6.2.1; Gradshteyn & Ryzhik 3.241.4, 3.326.2, 3.323.2).

>>> x = sp.Symbol("x", positive=True); a, b, s = sp.symbols("a b s", positive=True)
>>> euler_integral(x**(a + s - 1)*sp.exp(-b*x), x, 0, sp.oo)[0]
b**(-a - s)*gamma(a + s)
"""
from __future__ import annotations

import sympy as sp

__all__ = ["euler_integral", "even_line_integral"]


def _split_exp_args(f: sp.Expr, x: sp.Symbol):
    """``f = C * prod b_i^e_i * exp(E)``: ``(C, [(b, e)], E)`` with ``C`` free of ``x``."""
    const, powers, E = sp.S.One, [], sp.S.Zero
    todo = list(sp.Mul.make_args(f))
    while todo:
        fac = todo.pop()
        if not fac.has(x):
            const *= fac
            continue
        if isinstance(fac, sp.exp):
            E += fac.args[0]
            continue
        b, e = fac.as_base_exp()
        if isinstance(b, sp.exp):  # exp(u)^k
            E += b.args[0] * e
            continue
        if e.has(x):
            return None
        while b.is_Pow and not b.exp.has(x):  # (1/(1 - x))^q = (1 - x)^(-q): bases are positive
            b, e = b.base, b.exp * e
        if b.is_Mul and e != 1:
            # powsimp's (n/(n + x^2))^q: a product of positive factors is a product of powers
            if all(g.is_positive for g in b.args):
                todo += [g**e for g in b.args]
                continue
            return None
        if b.is_Add and b.is_polynomial(x) and sp.degree(b, x) > 2:
            fb = sp.factor(b)  # nu^2 + 2 nu z^2 + z^4 = (nu + z^2)^2, multiplied out by an expansion
            if fb.is_Pow and fb.exp.is_Integer:
                b, e = fb.base, fb.exp * e
        powers.append((b, e))
    return const, powers, sp.expand(E)


def _monomial(term: sp.Expr, x: sp.Symbol):
    """``term = c x^r`` with ``c``, ``r`` free of ``x`` and ``r != 0``: ``(c, r)``, else ``None``."""
    c, rest = term.as_independent(x, as_Add=False)
    if rest == x:
        return c, sp.S.One
    b, r = rest.as_base_exp()
    if b == x and not r.has(x) and r != 0:
        return c, r
    return None


def _besselk(nu, w):
    """``K_nu(w)`` for a half-integer order ``nu``: ``K_(1/2)(w) = sqrt(pi/(2 w)) e^(-w)``,
    ``K_(-nu) = K_nu`` and ``K_(nu+1) = K_(nu-1) + (2 nu/w) K_nu`` (Abramowitz & Stegun 10.2.17, 9.6.6, 9.6.26)."""
    nu = abs(nu)
    prev, cur = sp.sqrt(sp.pi / (2 * w)) * sp.exp(-w), sp.sqrt(sp.pi / (2 * w)) * sp.exp(-w)  # K_(-1/2), K_(1/2)
    order = sp.S.Half
    while order < nu:
        prev, cur, order = cur, prev + 2 * order / w * cur, order + 1
    return cur


def _bessel_kernel(const, p, rates: dict, conds: list):
    """``int_0^oo x^(p-1) exp(-a x^r - b x^(-r)) dx = (2/r) (b/a)^(p/(2r)) K_(p/r)(2 sqrt(a b))`` for
    ``a, b, r > 0`` (the generalized inverse Gaussian kernel; Gradshteyn & Ryzhik 3.478.4 after
    ``u = x^r``), for a half-integer order ``p/r`` (the inverse Gaussian's -1/2), where ``K`` is
    elementary; ``None`` otherwise."""
    (r1, c1), (r2, c2) = rates.items()
    if sp.expand(r1 + r2) != 0:
        return None
    if r1.is_positive:
        r, a, b = r1, -c1, -c2
    elif r2.is_positive:
        r, a, b = r2, -c2, -c1
    else:
        return None
    nu = p / r
    if not (nu.is_Rational and nu.q == 2 and abs(nu) < 25):
        # only where K is elementary: a symbolic order (a transform's exponent) would leave besselk
        # for the statistics to differentiate in its order, which SymPy cannot
        return None
    value = const * 2 * (b / a) ** (nu / 2) * _besselk(nu, 2 * sp.sqrt(a * b)) / r
    return value, conds + [a > 0, b > 0]


def _half_line_either(f: sp.Expr, x: sp.Symbol):
    """:func:`_half_line` of ``f`` read factor by factor as it is (:func:`_split_exp_args` gathers the
    exponentials and splits the products of positive bases itself), else of powsimp's combined form."""
    r = _half_line(f, x)
    return r if r is not None else _half_line(sp.powsimp(f), x)


def _half_line(f: sp.Expr, x: sp.Symbol):
    """``int_0^oo f dx`` for the kernels above: ``(value, conditions)`` or ``None``."""
    parts = _split_exp_args(f, x)
    return None if parts is None else _half_line_of(*parts, x)


def _log_kernel(L: sp.Expr, x: sp.Symbol):
    """``exp(L)`` read as ``C * prod b_i^e_i * exp(E)`` (:func:`_split_exp_args`) from the log-kernel
    itself: each term ``e log(b)`` of ``L`` (logs expanded, which the positive ``x`` allows) is a power, a
    term free of ``x`` a factor of ``C``; no product of powers is built and read back."""
    const, powers, E = sp.S.Zero, [], sp.S.Zero
    for term in sp.Add.make_args(sp.expand(sp.expand_log(L, force=True))):
        if not term.has(x):
            const += term
            continue
        c, rest = term.as_independent(x, as_Add=False)
        if isinstance(rest, sp.log):
            powers.append((rest.args[0], c))
        else:
            E += term
    return sp.exp(const), powers, E


def even_line_integral(L: sp.Expr, x: sp.Symbol):
    """``int_R exp(L) dx = 2 int_0^oo exp(L) dx`` for a log-kernel ``L`` even in ``x`` (the caller has shown
    it; ``|x|`` is ``x`` on the half-line), read term by term (:func:`_log_kernel`): ``(value, conditions)``
    or ``None``.

    >>> z = sp.Symbol("z", real=True); nu = sp.Symbol("nu", positive=True)
    >>> even_line_integral(-(nu + 1)/2*sp.log(1 + z**2/nu), z)[0]
    sqrt(pi)*sqrt(nu)*gamma(nu/2)/gamma(nu/2 + 1/2)
    """
    u = sp.Dummy("u", positive=True)
    r = _half_line_of(*_log_kernel(L.xreplace({x: u}), u), u)
    return None if r is None else (2 * r[0], r[1])


def _half_line_of(const, powers, E, x: sp.Symbol):
    """``int_0^oo const * prod b_i^e_i * exp(E) dx`` (the parts of :func:`_split_exp_args`)."""
    p = sp.S.One  # x^(p - 1)
    conds = []
    binomials = []
    # log(x) terms of the exponent are powers of x
    e_terms = []
    for term in sp.Add.make_args(E):
        if not term.has(x):
            const *= sp.exp(term)
            continue
        c, rest = term.as_independent(x, as_Add=False)
        if rest == sp.log(x):
            p += c
        else:
            e_terms.append(term)
    for b, e in powers:
        if b == x:
            p += e
            continue
        b = sp.expand(b)
        mono = _monomial(b, x)
        if mono is not None:
            const *= mono[0] ** e
            p += mono[1] * e
            continue
        if not b.is_Add:
            return None
        d, xs = b.as_independent(x, as_Add=True)
        mono = _monomial(xs, x)
        if mono is None or d == 0:
            return None
        binomials.append((d, mono[0], mono[1], e))
    if e_terms and binomials:
        return None
    if e_terms:
        rates: dict = {}  # exponent r -> coefficient of x^r (s x - x is one term)
        for term in e_terms:
            mono = _monomial(term, x)
            if mono is None:
                return None
            rates[mono[1]] = rates.get(mono[1], sp.S.Zero) + mono[0]
        rates = {r: c for r, c in rates.items() if c != 0}
        if len(rates) == 2:
            return _bessel_kernel(const, p, rates, conds)
        if len(rates) != 1:
            return None
        (r, c), = rates.items()
        c = -c
        conds += [c > 0, p / r > 0]
        return const * sp.gamma(p / r) / (sp.Abs(r) * c ** (p / r)), conds
    # (d + c x^r)^e = d^e (1 + (c/d) x^r)^e: factors of one kernel (nu + z^2 and 1 + z^2/nu) merge
    groups: dict = {}
    for d, c, r, e in binomials:
        conds.append(d > 0)
        const *= d**e
        key = (sp.cancel(c / d), r)
        groups[key] = groups.get(key, sp.S.Zero) + e
    if len(groups) == 1:
        (cc, r), e = next(iter(groups.items()))
        q = -e
        conds += [cc > 0, r > 0, p / r > 0, q - p / r > 0]
        value = const * sp.gamma(p / r) * sp.gamma(q - p / r) / (sp.gamma(q) * r * cc ** (p / r))
        return value, conds
    return None


def _unit_interval(f: sp.Expr, x: sp.Symbol):
    parts = _split_exp_args(f, x)
    if parts is None:
        return None
    const, powers, E = parts
    p, q = sp.S.One, sp.S.One
    for term in sp.Add.make_args(E):
        if not term.has(x):
            const *= sp.exp(term)
            continue
        c, rest = term.as_independent(x, as_Add=False)
        if rest == sp.log(x):
            p += c
        elif rest == sp.log(1 - x):
            q += c
        else:
            return None
    for b, e in powers:
        b = sp.expand(b)
        k = sp.cancel(b / x)
        if not k.has(x):
            const *= k**e
            p += e
            continue
        k = sp.cancel(b / (1 - x))
        if not k.has(x):
            const *= k**e
            q += e
            continue
        return None
    return const * sp.gamma(p) * sp.gamma(q) / sp.gamma(p + q), [p > 0, q > 0]


def _gauss(f: sp.Expr, x: sp.Symbol):
    parts = _split_exp_args(f, x)
    if parts is None or parts[1]:
        return None
    const, _, E = parts
    if not E.is_polynomial(x) or sp.degree(E, x) != 2:
        return None
    c2, c1, c0 = sp.Poly(E, x).all_coeffs()
    a = -c2
    return const * sp.sqrt(sp.pi / a) * sp.exp(c0 + c1**2 / (4 * a)), [a > 0]


def euler_integral(f: sp.Expr, x: sp.Symbol, lo, hi):
    """``int_lo^hi f dx`` when ``f`` is one of Euler's kernels: ``(value, conditions)``, else ``None``.

    ``f`` is a product of powers and exponentials (see
    :func:`symfisher.expectation.clean_density`); a sum is integrated term by term.
    """
    f = sp.S(f)
    if f.is_Add:
        total, conds = sp.S.Zero, []
        for term in f.args:
            r = euler_integral(term, x, lo, hi)
            if r is None:
                return None
            total += r[0]
            conds += r[1]
        return total, conds
    u = sp.Dummy("u", positive=True)
    if lo == 0 and hi == 1:
        return _unit_interval(f.xreplace({x: u}), u)
    if hi == sp.oo and lo == 0:
        # the kernel's factors are read one by one (powers of one base add up): powsimp, which costs
        # more than the reading, only for a product it does not read as it stands; the variable is
        # kept when it is positive already (no tree rebuilt)
        return _half_line_either(f if x.is_positive else f.xreplace({x: u}), x if x.is_positive else u)
    if hi == sp.oo and lo != -sp.oo and lo.is_finite:
        return _half_line_either(f.xreplace({x: lo + u}), u)
    if lo == -sp.oo and hi == sp.oo:
        r = _gauss(f, x)
        if r is None:
            r = _gauss(sp.powsimp(f), x)
        if r is not None:
            return r
        plus, minus = f.xreplace({x: u}), f.xreplace({x: -u})
        if sp.expand(plus - minus) == 0:
            r = _half_line_either(plus, u)
            return None if r is None else (2 * r[0], r[1])
        r1, r2 = _half_line_either(plus, u), _half_line_either(minus, u)
        if r1 is None or r2 is None:
            return None
        return r1[0] + r2[0], r1[1] + r2[1]
    return None
