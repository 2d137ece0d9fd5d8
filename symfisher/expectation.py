"""Expectations ``E[g(X)]`` under a model, by structure rather than brute force.

DESIGN principle 2. The route, in order:

1. a model with a :class:`~symfisher.model.Representation` ``X = T(W)`` passes the
   expectation to ``W``'s parameter-free base model (standardized location-scale
   families, Weibull through an exponential, ...);
2. a finite support is summed exactly;
3. otherwise ``g`` is expanded (logs split with ``expand_log(force=True)``, which the
   supports' positivity makes valid) into terms ``c(theta) * t(X)``; each distinct
   statistic ``t`` is looked up: the family's moment table, then its joint Mellin
   transform ``E[prod b_i^s_i]`` (``E[X^k log(X)^m]`` is an ``m``-th derivative), then its
   moment-generating function for powers of ``X``; only then is ``t`` integrated or summed
   against the density, once, under a time limit, and cached;
4. conditions SymPy leaves open (``Piecewise`` on ``|p - 1| < 1``) are resolved by the
   parameters' domains.

The result carries the table of statistics used, so a derivation can show "E[X] = p".

>>> from symfisher.families import get_model
>>> m = get_model("bernoulli")
>>> x, p = m.data[0], m.params[0]
>>> expectation(x**2 / p, m).value
1
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .limits import StepFailed, StepTimeout, time_limit
from .model import Model
from .simplify import random_points

__all__ = ["expectation", "Expectation", "ExpectationError", "split_statistics", "resolve_piecewise", "clear_cache"]


class ExpectationError(StepFailed):
    """An expectation SymPy could not finish (time limit, unevaluated integral, divergence)."""


@dataclass(frozen=True)
class StatisticValue:
    """``E[statistic] = value``, and where the value came from."""

    statistic: sp.Expr
    value: sp.Expr
    source: str


@dataclass(frozen=True)
class Expectation:
    value: sp.Expr
    route: str
    statistics: tuple = ()
    detail: str = ""
    extras: dict = field(default_factory=dict, compare=False)


_CACHE: dict = {}


def clear_cache() -> None:
    _CACHE.clear()


def _domains(model: Model) -> dict:
    return dict(model.domains)


# -- expansion into c(theta) * t(X) -----------------------------------------
def _tidy_logs(g: sp.Expr) -> sp.Expr:
    """log(1 + (1-u)/u) -> log(1/u): combine each log's argument over one denominator."""
    return g.replace(lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.together(e.args[0])))


def _expand(g: sp.Expr) -> sp.Expr:
    g = sp.expand_log(_tidy_logs(g), force=True)
    g = sp.expand(g, power_base=True, power_exp=True, mul=True, log=True, multinomial=True, force=True)
    return g


def split_statistics(g: sp.Expr, data: tuple) -> dict:
    """``{t(X): c(theta)}`` with ``g = sum c * t`` after expansion (``t = 1`` for the constant)."""
    out: dict = {}
    for term in sp.Add.make_args(_expand(g)):
        coeff, stat = term.as_independent(*data, as_Add=False)
        if stat.free_symbols - set(data):
            # parameters still tangled with the data (1/(s^2 z^2 + s^2)): factor them out
            coeff2, stat = sp.factor(stat).as_independent(*data, as_Add=False)
            coeff *= coeff2
        out[stat] = out.get(stat, sp.S.Zero) + coeff
    return {t: c for t, c in out.items() if c != 0}


# -- resolving conditions by the domains --------------------------------------
def _condition_value(cond, model: Model) -> bool | None:
    if cond in (sp.true, True):
        return True
    if cond in (sp.false, False):
        return False
    syms = sorted(cond.free_symbols, key=lambda s: s.name)
    doms = _domains(model)
    votes = set()
    for sub in random_points(syms, doms, n=16, seed=7):
        try:
            v = cond.subs(sub)
            v = bool(v) if v in (sp.true, sp.false) else None
        except TypeError:
            v = None
        votes.add(v)
    if votes == {True}:
        return True
    if votes == {False}:
        return False
    return None


def resolve_piecewise(expr: sp.Expr, model: Model, step: str = "expectation") -> sp.Expr:
    """Replace each ``Piecewise`` by the branch whose condition holds on the whole domain."""
    if not expr.has(sp.Piecewise):
        return expr

    def choose(*args):
        pieces = [(e, c) for e, c in args]
        for e, c in pieces:
            v = _condition_value(c, model)
            if v is True:
                return e
            if v is None:
                raise ExpectationError(
                    step, f"the result holds only when {c}, which the parameter domains do not decide"
                )
        raise ExpectationError(step, "no branch of the result applies on the parameter domains")

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: choose(*e.args))


# -- closed-form hooks ----------------------------------------------------------
def _match_power_moments(t: sp.Expr, pm) -> sp.Expr | None:
    """E[t] from the joint Mellin transform, if ``t = prod b_i^a_i log(b_i)^m_i``."""
    bases = [sp.expand(b) for b in pm.bases]
    powers = [sp.S.Zero] * len(bases)
    logs = [0] * len(bases)
    for f in sp.Mul.make_args(t):
        base, exp = f.as_base_exp()
        matched = False
        for i, b in enumerate(bases):
            if sp.expand(base) == b:
                powers[i] += exp
                matched = True
                break
            if isinstance(base, sp.log) and sp.expand(base.args[0]) == b and exp.is_Integer and exp > 0:
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
    v = pm.value
    for s, m in zip(pm.exponents, logs):
        if m:
            v = sp.diff(v, s, m)
    v = v.subs(dict(zip(pm.exponents, powers)))
    return v


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
    mgf = model.mgf
    return sp.diff(mgf.value, mgf.t, k).subs(mgf.t, 0)


def _finish(v: sp.Expr) -> sp.Expr:
    if v.has(sp.gamma, sp.polygamma, sp.beta, sp.loggamma):
        v = sp.expand_func(sp.gammasimp(v))
    return v


def _integrate(t: sp.Expr, model: Model, limit: float | None) -> sp.Expr:
    """E[t] by integrating or summing t against the density over the support."""
    key = ("stat", model.key(), sp.srepr(t))
    if key in _CACHE:
        return _CACHE[key]
    if len(model.data) != 1:
        raise ExpectationError("expectation", f"no moment rule for E[{t}] over several data variables")
    x = model.data[0]
    sup = model.support[0]
    f = model.density
    integrand = sp.powsimp(sp.expand_log(t * f, force=True))
    step = f"E[{t}]"
    try:
        with time_limit(limit, step):
            if hasattr(sup, "points") and sup.is_finite():
                v = sp.Add(*[(t * f).subs(x, pt) for pt in sup.points()])
            elif type(sup).__name__ == "IntegerSupport":
                v = sp.summation(integrand, (x, sup.lo, sup.hi))
                if v.has(sp.Sum):
                    v = sp.summation(sp.simplify(integrand), (x, sup.lo, sup.hi))
            else:
                v = sp.integrate(integrand, (x, sup.lo, sup.hi))
                if v.has(sp.Integral):
                    v = sp.integrate(sp.simplify(integrand), (x, sup.lo, sup.hi))
            v = resolve_piecewise(v, model, step)
    except StepTimeout as exc:
        raise ExpectationError(step, f"integrating the statistic {t} against the density: {exc.reason}") from None
    if v.has(sp.Integral, sp.Sum):
        raise ExpectationError(step, f"SymPy left the integral of {t} against the density unevaluated")
    if v.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise ExpectationError(step, f"E[{t}] diverges (SymPy returned {v})")
    _CACHE[key] = v
    return v


def _statistic_value(t: sp.Expr, model: Model, limit: float | None) -> StatisticValue:
    if t == 1:
        return StatisticValue(t, sp.S.One, "normalization")
    if model.moments is not None:
        v = model.moments(t)
        if v is not None:
            return StatisticValue(t, v, "moment table")
    if model.power_moments is not None:
        v = _match_power_moments(t, model.power_moments)
        if v is not None:
            return StatisticValue(t, _finish(v), "Mellin transform")
    if model.mgf is not None:
        v = _from_mgf(t, model)
        if v is not None:
            return StatisticValue(t, _finish(v), "moment-generating function")
    sup = model.support[0] if len(model.support) == 1 else None
    how = "sum" if sup is not None and type(sup).__name__ != "IntervalSupport" else "integration"
    return StatisticValue(t, _integrate(t, model, limit), how)


# -- the engine -----------------------------------------------------------------
def expectation(g, model: Model, *, limit: float | None = None, simplify: bool = True) -> Expectation:
    """``E[g(X)]`` under ``model`` (see the module docstring for the route)."""
    g = sp.sympify(g)
    data = tuple(model.data)
    if not g.has(*data):
        return Expectation(g, "constant")
    rep = model.representation
    if rep is not None:
        sub = dict(zip(model.data, rep.transform))
        inner = expectation(g.subs(sub), rep.base, limit=limit, simplify=simplify)
        return Expectation(inner.value, "representation", inner.statistics, rep.explanation, {"inner": inner})
    if len(model.support) == 1 and model.support[0].is_finite() and model.moments is None:
        x = data[0]
        f = model.density
        with _guard(f"E[{g}]", limit):
            v = sp.Add(*[(g * f).subs(x, pt) for pt in model.support[0].points()])
            if simplify:
                v = sp.factor(sp.cancel(sp.together(v)))
        return Expectation(v, "exact sum", (), f"sum over the support {model.support[0]}")
    stats = split_statistics(g, data)
    values = []
    failed = []
    for t in sorted(stats, key=sp.default_sort_key):
        try:
            values.append(_statistic_value(t, model, limit))
        except ExpectationError as exc:
            failed.append((t, exc))
    if failed:
        # terms that fail one by one may still have a finite sum (cancelling divergences)
        rest = sp.Add(*[stats[t] * t for t, _ in failed])
        try:
            v = _integrate(rest, model, limit)
            values.append(StatisticValue(rest, v, "integration"))
            stats[rest] = sp.S.One
        except ExpectationError:
            raise failed[0][1] from None
    total = sp.Add(*[stats[sv.statistic] * sv.value for sv in values])
    if simplify:
        with _guard(f"simplify E[{g}]", limit):
            total = _finish(sp.expand(total))
    return Expectation(total, "statistics", tuple(values))


class _guard:
    def __init__(self, step, limit):
        self.step, self.limit = step, limit

    def __enter__(self):
        self.cm = time_limit(self.limit, self.step)
        self.cm.__enter__()

    def __exit__(self, et, ev, tb):
        self.cm.__exit__(et, ev, tb)
        if et is not None and issubclass(et, StepTimeout):
            raise ExpectationError(self.step, ev.reason) from None
        return False
