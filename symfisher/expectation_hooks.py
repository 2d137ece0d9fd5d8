"""A family's closed-form hooks for one statistic (used by :mod:`symfisher.expectation_routes`):
``E[t]`` matched against a declared joint Mellin transform ``E[prod b_i^s_i]`` (log moments by its
s-derivatives, computed once per order) and moments from a declared moment-generating function by
power-series arithmetic on its Taylor coefficients.
"""
from __future__ import annotations

import functools

import sympy as sp

from .calculus import derivative
from .model import Model
from .expectation_base import _CACHE


def _mellin_exponents(t: sp.Expr, pm, any_log_power: bool = False):
    """``(powers, logs)`` with ``t = prod b_i^powers_i log(b_i)^logs_i`` over the transform's bases
    ``b_i``, or ``None``. A log counts only with a positive integer power, unless ``any_log_power``
    (then its power is not recorded: the caller needs the exponents alone)."""
    bases = [sp.expand(b) for b in pm.bases]
    powers = [sp.S.Zero] * len(bases)
    logs = [0] * len(bases)
    for f in _factored_powers(t, bases):
        base, exp = f.as_base_exp()
        matched = False
        for i, b in enumerate(bases):
            if sp.expand(base) == b:
                powers[i] += exp
                matched = True
                break
            if isinstance(base, sp.log) and sp.expand(base.args[0]) == b:
                if any_log_power:
                    matched = True
                    break
                if exp.is_Integer and exp > 0:
                    logs[i] += int(exp)
                    matched = True
                    break
            if isinstance(base, sp.exp) and exp == 1:
                # exp(c*log(b)) shows up after substitutions
                arg = sp.expand_log(base.args[0], force=True)
                c, rest = arg.as_independent(*t.free_symbols - pm.value.free_symbols, as_Add=False)
                if isinstance(rest, sp.log) and sp.expand(rest.args[0]) == b:
                    powers[i] += c
                    matched = True
                    break
        if not matched:
            return None
    return powers, logs


def _factored_powers(t: sp.Expr, bases: list) -> list:
    """The factors of ``t``, an integer power of a polynomial that is no base written as a product of
    powers of its factors: the statistics come expanded (``1/(w^2 + 2 w + 1)`` from the score's
    square), the transform's bases are the kernel's factors (``1 + w``)."""
    out = []
    for f in sp.Mul.make_args(t):
        b, e = f.as_base_exp()
        if b.is_Add and e.is_Integer and sp.expand(b) not in bases and len(b.free_symbols) < 4:
            fb = sp.factor(b)
            if fb != b and (fb.is_Mul or fb.is_Pow):
                out += [g**e for g in sp.Mul.make_args(fb)]
                continue
        out.append(f)
    return out


def _match_power_moments(t: sp.Expr, pm) -> sp.Expr | None:
    """E[t] from the joint Mellin transform, if ``t = prod b_i^a_i log(b_i)^m_i``."""
    found = _mellin_exponents(t, pm)
    if found is None:
        return None
    powers, logs = found
    v = pm.value
    for s, m in zip(pm.exponents, logs):
        if m:
            v = _derivative_chain(v, s, m)
    v = v.xreplace(dict(zip(pm.exponents, powers)))
    return v


def _derivative_chain(e: sp.Expr, s: sp.Symbol, m: int) -> sp.Expr:
    """The ``m``-th derivative of ``e`` in ``s``, each order computed once (kept in the
    expectation cache): E[log X] and E[log^2 X] share the first derivative of the Mellin transform."""
    chain = _CACHE.setdefault(("derivatives", e, s), [e])
    while len(chain) <= m:
        chain.append(derivative(chain[-1], s))
    return chain[m]


def _from_mgf(t: sp.Expr, model: Model) -> sp.Expr | None:
    x = model.data[0]
    if len(model.data) != 1:
        return None
    if t == x:
        k = 1
    else:
        b, e = t.as_base_exp()
        if b != x or not (e.is_Integer and e > 0):
            return None
        k = int(e)
    return _mgf_moment(model.mgf, k)


def _mgf_moment(mgf, k: int) -> sp.Expr:
    """``E[X^k] = k! [t^k] M(t)``: the Taylor coefficients of the MGF by power-series
    arithmetic on its expression (:func:`taylor_coefficients`), cached per MGF; an MGF
    built from other functions falls back to one chain of derivatives, ``M^(k)(0)``."""
    t = mgf.t
    chain = _CACHE.setdefault(("mgf", mgf), {})
    if k not in chain:
        coeffs = taylor_coefficients(mgf.value, t, k)
        if coeffs is not None:
            chain.update({n: sp.expand(sp.factorial(n) * c) for n, c in enumerate(coeffs)})
        else:
            derivs = chain.setdefault("D", [mgf.value])
            while len(derivs) <= k:
                derivs.append(sp.diff(derivs[-1], t))
            chain[k] = derivs[k].subs(t, 0)
    return chain[k]


def taylor_coefficients(e: sp.Expr, t: sp.Symbol, order: int) -> list | None:
    """The coefficients ``c_0..c_order`` of ``e`` in powers of ``t`` about 0, or ``None``.

    Truncated power-series arithmetic over the expression tree (sums, products, powers,
    ``exp``, ``log``): a product is a convolution, and ``exp``, ``log`` and ``a^r`` follow
    the recurrences got by differentiating ``b = exp(a)`` (``b' = a' b``), ``b = log a``
    (``a b' = a'``) and ``b = a^r`` (``a b' = r a' b``; J. C. P. Miller's formula, Knuth,
    TAOCP vol. 2, §4.7). That is a few multiplications per coefficient instead of
    differentiating ``e`` ``order`` times, whose derivatives grow with each step.
    """
    n1 = order + 1
    zero = [sp.S.Zero] * n1

    def times(a, b):
        return [sp.Add(*[a[j] * b[n - j] for j in range(n + 1)]) for n in range(n1)]

    def series(e):
        if not e.has(t):
            return [e] + zero[1:]
        if e == t:
            return [sp.S.Zero, sp.S.One] + zero[2:]
        if e.is_Add:
            parts = [series(a) for a in e.args]
            return None if None in parts else [sp.Add(*c) for c in zip(*parts)]
        if e.is_Mul:
            out = None
            for a in e.args:
                sa = series(a)
                if sa is None:
                    return None
                out = sa if out is None else times(out, sa)
            return out
        if isinstance(e, sp.exp) or (e.is_Pow and not e.base.has(t)):
            a = series(e.args[0] if isinstance(e, sp.exp) else e.exp * sp.log(e.base))
            if a is None:
                return None
            b = [sp.exp(a[0])]
            for n in range(1, n1):
                b.append(sp.Add(*[j * a[j] * b[n - j] for j in range(1, n + 1)]) / n)
            return b
        if isinstance(e, sp.log):
            a = series(e.args[0])
            if a is None or a[0] == 0:
                return None
            b = [sp.log(a[0])]
            for n in range(1, n1):
                b.append((a[n] - sp.Add(*[j * b[j] * a[n - j] for j in range(1, n)]) / n) / a[0])
            return b
        if e.is_Pow and not e.exp.has(t):
            a, r = series(e.base), e.exp
            if a is not None and r.is_Integer and r > 0:  # t^2: a product (Miller's needs a_0 != 0)
                return functools.reduce(times, [a] * int(r))
            if a is None or a[0] == 0:
                return None
            b = [a[0] ** r]
            for n in range(1, n1):
                b.append(sp.Add(*[((r + 1) * j - n) * a[j] * b[n - j] for j in range(1, n + 1)]) / (n * a[0]))
            return b
        return None

    return series(e)


def _mellin_point(t: sp.Expr, pm) -> list | None:
    """The exponents ``(a, b)`` of ``t = prod b_i^a_i log(b_i)^m_i`` (cf. :func:`_match_power_moments`)."""
    found = _mellin_exponents(t, pm, any_log_power=True)
    return None if found is None else found[0]
