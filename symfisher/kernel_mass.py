"""A density's normalization read off its log-kernel: the log of its total over an interval support (or the
integers) in closed form when the log-density is one of Euler's kernels (:func:`log_total_mass`), each condition
proven on the declared domains. Part of the expectation engine's Euler routes (:mod:`symfisher.expectation_routes`).
"""
from __future__ import annotations

import sympy as sp

from .model import Model


def _log_kernel_parts(ell: sp.Expr, x: sp.Symbol):
    """``log f = C + sum_b c_b log(b) + E`` read term by term as it stands: ``(C, {b: c_b}, E)`` with ``C``
    and every ``c_b`` free of ``x``, ``E`` the terms of ``x`` with no log in them; ``None`` when a term
    of ``x`` is a log that is not ``c log(b)`` (``log(x)^2``, ``x log x``)."""
    const, logs, rest = [], {}, []
    todo, spread = list(sp.Add.make_args(ell)), set()
    while todo:
        term = todo.pop()
        if not term.has(x):
            const.append(term)
            continue
        c, u = term.as_independent(x, as_Add=False)
        if isinstance(u, sp.log) and len(u.args) == 1:
            logs[u.args[0]] = logs.get(u.args[0], sp.S.Zero) + c
        elif not u.has(sp.log):
            rest.append(term)
        elif term not in spread and u.is_Add:  # (k - 1)(log x - log lam): its terms, multiplied out
            spread.update(more := sp.Add.make_args(sp.expand_mul(term)))
            todo += more
        else:
            return None
    return sp.Add(*const), logs, sp.Add(*rest)


def log_total_mass(model: Model):
    """``log`` of the density's integral over an interval support, read off the log-density term by term
    when it is one of Euler's kernels, or ``None``: ``log f = C + (p - 1) log x - c x^r`` on ``(0, oo)``
    gives ``C + log Gamma(p/r) - log|r| - (p/r) log c``; ``C + (p - 1) log x`` on ``(lo, oo)``, ``lo > 0``,
    gives ``C + p log lo - log(-p)`` (and ``C - c x`` there ``C - c lo - log c``); ``C + (p - 1) log x +
    (q - 1) log(1 - x)`` on ``(0, 1)`` gives ``C + log B(p, q)``; ``C - a x^2 + b x + d`` on the line gives
    ``C + log(pi/a)/2 + d + b^2/(4a)`` (the integrals of :mod:`symfisher.euler`, in logs). Each condition
    of the closed form (``c > 0``, ``p/r > 0``, ``p < 0``, ``p, q > 0``, ``a > 0``) is proven on the declared
    domains (by SymPy's assumptions or the domains' interval bounds, no point evaluated), and so is the
    reality of every coefficient (the log-density is then real: the density positive), else ``None``.
    No product of powers is built and no log expanded: this is the cheap proof that a typed density
    normalizes (``C`` plus this closed form cancels as the terms are added), tried before
    :func:`~symfisher.expectation_routes.total_mass`.

    >>> import symfisher as sf
    >>> log_total_mass(sf.from_density("b**a*x**(a-1)*exp(-b*x)/gamma(a)", "x in (0, oo)", ["a > 0", "b > 0"]))
    0
    """
    from .derive.signs import _declared_ends, _positive_on, _real_on
    from .euler import _monomial

    kind = type(model.support[0]).__name__ if len(model.data) == 1 else None
    if kind not in ("IntervalSupport", "IntegerSupport"):
        return None
    x, sup = model.data[0], model.support[0]
    parts = _log_kernel_parts(model.log_density, x)
    if parts is None:
        return None
    const, logs, E = parts
    ends = None

    def proven(e, real=False) -> bool:  # e > 0 (or e real) on the declared domains
        nonlocal ends
        if (e.is_extended_real if real else e.is_positive) and e.is_finite:
            return True
        if ends is None:
            ends = _declared_ends(model)
        return (_real_on if real else _positive_on)(e, ends)

    lo, hi = sup.lo, sup.hi
    if kind == "IntegerSupport":
        return _log_series_mass(const, logs, E, x, lo, hi, proven)
    if lo == -sp.oo and hi == sp.oo:
        if logs or E == 0:
            return None
        c, u = E.as_independent(x, as_Add=False)
        if u.is_Pow and u.exp == 2 and u.base.as_independent(x, as_Add=True)[1] in (x, -x):
            # c (x - m)^2, as typed: Gauss's integral sqrt(pi/(-c)), nothing multiplied out
            if not (proven(-c) and proven(u.base.as_independent(x, as_Add=True)[0], real=True)):
                return None
            return const + sp.log(sp.pi) / 2 - sp.expand_log(sp.log(-c)) / 2
        d, E = sp.expand(E).as_independent(x, as_Add=True)
        coeffs = {}  # power of x -> its coefficient (read term by term: no Poly built)
        for t in sp.Add.make_args(E):
            mono = _monomial(t, x)
            if mono is None or mono[1] not in (1, 2):
                return None
            coeffs[mono[1]] = coeffs.get(mono[1], sp.S.Zero) + mono[0]
        a, b = -coeffs.get(2, sp.S.Zero), coeffs.get(1, sp.S.Zero)
        if not (proven(a) and proven(b, real=True) and proven(d, real=True)):  # a real exponent: a density
            return None
        return const + (sp.log(sp.pi) - sp.expand_log(sp.log(a))) / 2 + d + b**2 / (4 * a)
    if hi != sp.oo and not (lo == 0 and hi == 1):
        return None
    p = sp.S.One + logs.pop(x, sp.S.Zero)
    if lo == 0 and hi == 1:
        q = sp.S.One + logs.pop(1 - x, sp.S.Zero)
        if logs or E != 0 or not (proven(p) and proven(q)):
            return None
        return const + sp.log(sp.beta(p, q))
    if logs or E == 0 and lo == 0:
        return None
    if E != 0:
        monos = [_monomial(t, x) for t in sp.Add.make_args(E)]
        if None in monos:  # -b (x - m): the terms of x, once multiplied out
            free, E = sp.expand(E).as_independent(x, as_Add=True)
            const, monos = const + free, [_monomial(t, x) for t in sp.Add.make_args(E)]
            if None in monos:
                return None
        rates = {}
        for c, r in monos:
            rates[r] = rates.get(r, sp.S.Zero) + c
        if len(rates) != 1:
            return None
        (r, c), = rates.items()
        c = -c
        if not proven(c):
            return None
        if lo == 0:  # Euler's second integral after u = c x^r
            if not (proven(p / r) and proven(p, real=True) and proven(r, real=True)):
                return None
            return const + sp.log(sp.gamma(p / r)) - sp.log(sp.Abs(r)) - p / r * sp.expand_log(sp.log(c))
        if r != 1 or p != 1:  # int_lo^oo exp(-c x) dx = exp(-c lo)/c
            return None
        return const - c * lo - sp.expand_log(sp.log(c))
    if not (proven(lo) and proven(-p)):  # int_lo^oo x^(p - 1) dx = -lo^p/p for p < 0
        return None
    return const + p * sp.expand_log(sp.log(lo)) - sp.expand_log(sp.log(-p))


def _log_series_mass(const, logs: dict, E, x, lo, hi, proven):
    """:func:`log_total_mass` on the integers ``lo..oo``: ``log f = C + k x - log x!`` on ``0..oo`` gives
    ``C + e^k`` (the exponential series), ``log f = C + k x`` gives ``C + k lo - log(1 - e^k)`` for
    ``e^k < 1`` (the geometric series), ``k`` proven real (every term of the series is then positive)."""
    if hi != sp.oo or not lo.is_Integer or (logs and logs != {sp.factorial(x): -1}):
        return None
    free, E = sp.expand(E).as_independent(x, as_Add=True)
    k = E / x
    if k.has(x) or not proven(k, real=True):
        return None
    if logs:
        return const + free + sp.exp(k) if lo == 0 else None
    if not proven(1 - sp.exp(k)):
        return None
    return const + free + k * lo - sp.log(1 - sp.exp(k))
