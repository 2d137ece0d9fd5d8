"""Laws of several data variables: the joint moment-generating function, by Fubini.

A density of several data variables ``x_1, ..., x_d`` (a bivariate normal typed as a user
would) has no moment table of its own. Its joint transform

    M(t) = E[exp(t . X)] = int ... int exp(t . x + log f(x)) dx_d ... dx_1

is taken once, one variable at a time from the last (Fubini: the integrand is non-negative),
each inner integral by Euler's integrals (:mod:`symfisher.euler`; Gauss's
``int exp(-a x^2 + b x) dx = sqrt(pi/a) exp(b^2/(4a))`` leaves an exponent that is again
quadratic in the remaining variables), with the conditions of each integral (``a > 0``) decided on
the parameter domains and their joint constraints. Then

* the total mass is ``M(0)`` (the normalization proof of a typed joint density);
* ``E[x_1^k_1 ... x_d^k_d]`` is the mixed derivative of ``M`` at ``t = 0``, so every polynomial
  statistic (the score's outer product, the log-ratio of a KL divergence) needs no integral.

``None`` wherever a step is not one of Euler's integrals: the expectation engine then says that
it has no route. Reference: Billingsley, *Probability and Measure*, 3rd ed. (1995), Theorem 18.3
(Fubini) and §30 (moments from the moment-generating function).
"""
from __future__ import annotations

import sympy as sp

from .expectation_base import _CACHE, _condition_value
from .limits import StepFailed, StepTimeout, time_limit
from .model import Model

__all__ = ["joint_transform", "joint_moment", "joint_total_mass"]

_LIMIT = 6.0  # seconds for the iterated integral, once per law


def _key(model: Model) -> tuple:
    canon = {x: sp.Symbol(f"_x{i}", **x.assumptions0) for i, x in enumerate(model.data)}
    return ("joint transform", sp.srepr(model.log_density.xreplace(canon)), ";".join(map(str, model.support)),
            tuple(map(str, model.meta_value("constraints", ()))))


def joint_transform(model: Model, limit: float | None = None):
    """``(t, log M(t))`` for a law of several continuous data variables, ``t`` one real symbol per
    data variable, or ``None`` (a step that is not one of Euler's integrals, or a condition the
    domains do not decide). Found once per law."""
    if len(model.data) < 2 or any(type(s).__name__ != "IntervalSupport" for s in model.support):
        return None
    key = _key(model)
    if key in _CACHE:
        return _CACHE[key]
    found = None
    try:
        with time_limit(min(_LIMIT, limit) if limit else _LIMIT, "joint moment-generating function"):
            found = _iterated(model)
    except (StepTimeout, StepFailed):
        found = None
    except (ArithmeticError, TypeError, ValueError, NotImplementedError, sp.PolynomialError):
        found = None  # a kernel Euler's integrals mis-read: no transform
    _CACHE[key] = found
    return found


def _iterated(model: Model):
    from .expectation_routes import _euler_of

    ts = tuple(sp.Dummy(f"t_{x.name}", real=True) for x in model.data)
    zero = {t: sp.S.Zero for t in ts}
    E = model.log_density + sp.Add(*[t * x for t, x in zip(ts, model.data)])
    for x, sup in reversed(list(zip(model.data, model.support))):
        found = _euler_of(E, x, sup.lo, sup.hi)
        if found is None:
            return None
        value, conds = found
        # the moments are derivatives at t = 0: the integral must exist there (and so near it)
        for c in conds:
            c = c.xreplace(zero) if hasattr(c, "xreplace") else c
            if _condition_value(c, model) is not True:
                return None
        E = sp.expand(sp.expand_log(sp.log(value), force=True))
        if E.has(sp.Integral, sp.I, sp.nan, sp.zoo):
            return None
    if E.has(*model.data):
        return None
    return ts, E


def joint_total_mass(model: Model, limit: float | None = None):
    """``M(0)``, the density's integral over the product of the supports, simplified, or ``None``."""
    found = joint_transform(model, limit)
    if found is None:
        return None
    ts, E = found
    total = sp.exp(E.xreplace({t: sp.S.Zero for t in ts}))
    return sp.simplify(sp.powsimp(total, force=True))


def joint_moment(stat: sp.Expr, model: Model, limit: float | None = None):
    """``E[stat]`` for a polynomial ``stat`` in the data variables, from the joint transform:
    each monomial ``prod x_i^k_i`` is the mixed derivative ``d^k M / dt^k`` at ``t = 0``; ``None``
    for any other statistic or a law without a joint transform."""
    data = tuple(model.data)
    if not stat.is_polynomial(*data):
        return None
    found = joint_transform(model, limit)
    if found is None:
        return None
    ts, E = found
    zero = {t: sp.S.Zero for t in ts}
    key = ("joint base", _key(model))
    if key not in _CACHE:
        _CACHE[key] = sp.simplify(sp.powsimp(sp.exp(E.xreplace(zero)), force=True))  # M(0), the total mass
    mass = _CACHE[key]
    Q = E - E.xreplace(zero)  # log M(t) - log M(0)
    total = sp.S.Zero
    for monom, coeff in sp.Poly(stat, *data).terms():
        mkey = ("joint moment", _key(model), monom)
        if mkey not in _CACHE:
            g = sp.exp(Q)
            for t, k in zip(ts, monom):
                if k:
                    g = sp.diff(g, t, k)
            _CACHE[mkey] = sp.factor(sp.cancel(g.xreplace(zero)))
        total += coeff * _CACHE[mkey]
    return mass * total
