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

This module holds the entry points and the order of the routes; the routes themselves are in
:mod:`symfisher.expectation_routes`, the shared ground (result types, cache, the split into
statistics, conditions) in :mod:`symfisher.expectation_base`.

>>> from symfisher.families import get_model
>>> m = get_model("bernoulli")
>>> x, p = m.data[0], m.params[0]
>>> expectation(x**2 / p, m).value
1
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from .limits import StepTimeout, time_limit
from .model import Model
from .simplify import abstracting_exponents, as_expr, exp_logs_as_powers
# the shared ground and the routes; the names re-exported here are the ones other modules and the
# tests take from symfisher.expectation
from .expectation_base import (  # noqa: F401
    Expectation,
    ExpectationError,
    StatisticValue,
    _CACHE,
    _MISSING,
    _TimedOut,
    _hooks_key,
    _partial_fractions,
    _split_direct,
    _sub_limit,
    clear_cache,
    expand_log_density,
    law_key,
    resolve_piecewise,
    split_statistics,
)
from .expectation_hooks import (  # noqa: F401
    _from_mgf,
    _match_power_moments,
    _mgf_moment,
    taylor_coefficients,
)
from .expectation_routes import (  # noqa: F401
    _cdf_rep,
    _euler_direct,
    _finish,
    _from_transform,
    _integrate,
    _log_quadratic_by_residues,
    _odd_and_bounded,
    _score_identities,
    _shifted_abs,
    _single_base_mellin,
    _symmetric_abs_sign,
    _transform,
    clean_density,
    total_mass,
)

__all__ = ["expectation", "Expectation", "ExpectationError", "split_statistics", "resolve_piecewise", "clear_cache",
           "expand_log_density"]


def _statistic_value(t: sp.Expr, model: Model, limit: float | None, brute: bool = True) -> StatisticValue | None:
    """E[t] by the cheap routes (found once per law and statistic: the two Fisher routes and the
    entries of a matrix ask for the same ones); then (``brute``) by integration, else ``None``."""
    if t == 1:
        return StatisticValue(t, sp.S.One, "normalization")
    # one rational statistic in two forms (1/(z^4 + 2 z^2 + 1) and (z^2 + 1)^-2, from the two routes) is one key
    canon = sp.factor(t) if t.is_rational_function(*model.data) and t.has(sp.Pow) else t
    # the model's own hooks are part of the key: two base laws with one canonical form (the t base of
    # a catalog family with a moment table and of a typed density without) must not share answers
    key = ("cheap", model.key(), _hooks_key(model), canon)
    seconds = _sub_limit(limit)
    hit = _CACHE.get(key, _MISSING)
    if hit is _MISSING or (isinstance(hit, _TimedOut) and seconds > hit.seconds):
        # no cheap route is a verdict only for the limit it was reached under (a KL's short limit, say)
        found = _cheap_statistic_value(t, model, limit)
        if found is not None and found.value.has(sp.exp):
            # exp(c log b) is b^c by definition: a Mellin transform's lam^(2k) exp(-k log lam) is lam^k once,
            # here, not in every entry's sum, its expansion and the table that shows it
            found = replace(found, value=exp_logs_as_powers(found.value))
        _CACHE[key] = found if found is not None else _TimedOut(seconds)
        hit = _CACHE[key]
    found = None if isinstance(hit, _TimedOut) else hit
    if found is not None:
        return found if found.statistic == t else replace(found, statistic=t)
    if not brute:
        return None
    sup = model.support[0] if len(model.support) == 1 else None
    how = "sum" if sup is not None and type(sup).__name__ != "IntervalSupport" else "integration"
    v = _integrate(t, model, limit)
    if v.has(sp.Sum):  # an exact series: its label and convergence proof are the source
        from .series import proof_of

        how = proof_of(v) or how
    return StatisticValue(t, v, how)


def _cheap_statistic_value(t: sp.Expr, model: Model, limit: float | None) -> StatisticValue | None:
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
    if len(model.data) > 1:  # (multi) a law of several data variables: its joint transform, found once
        from .joint import joint_moment

        v = joint_moment(t, model, limit)
        if v is not None:
            return StatisticValue(t, v, "exact sum" if model.support[0].is_finite() else "joint moment-generating function")
    if len(model.data) == 1 and not model.support[0].is_finite():
        v = _from_transform(t, model, limit)
        if v is not None:
            return StatisticValue(t, _finish(v[0]), v[1])
        # symmetry before the identities: a test of t alone, where the identities solve a system once per law
        if _odd_and_bounded(t, model):
            return StatisticValue(t, sp.S.Zero, "symmetry: an odd bounded statistic of a law symmetric about 0")
        v = _score_identities(model, limit).get(t)
        if v is not None:
            return StatisticValue(t, v, "score identities")
        v = _symmetric_abs_sign(t, model, limit)
        if v is not None:
            return StatisticValue(t, v[0], v[1])
        v = _single_base_mellin(t, model, limit)
        if v is not None:
            return StatisticValue(t, _finish(v), "Mellin transform")
        v = _euler_direct(t, model, limit)
        if v is not None:
            return StatisticValue(t, _finish(v), "Euler integral")
        v = _shifted_abs(t, model, limit)
        if v is not None:
            return StatisticValue(t, v, "symmetry and a split at the kink")
        v = _log_quadratic_by_residues(t, model, limit)
        if v is not None:
            return StatisticValue(t, v, "residues of a rational density")
    return None


# -- the engine -----------------------------------------------------------------
def expectation(g, model: Model, *, limit: float | None = None, simplify: bool = True,
                integrate: bool = True) -> Expectation:
    """``E[g(X)]`` under ``model`` (see the module docstring for the route).

    ``integrate=False`` takes only the routes that need no integral of the statistic against the
    density (tables, transforms, identities, symmetry, residues): a statistic none of them answers
    raises :class:`ExpectationError` at once, for a caller that knows the integral to be hopeless."""
    g = as_expr(g)
    data = tuple(model.data)
    if not g.has(*data):
        return Expectation(g, "constant")
    rep = model.representation
    if rep is not None:
        sub = dict(zip(model.data, rep.transform))
        # xreplace: the data are plain symbols, and subs costs ten times more for the same tree;
        # a product of sums stays unevaluated (evaluating (a + b)**2 asks costly assumptions)
        if g.is_Pow or g.is_Mul:
            g2 = g.func(*[a.xreplace(sub) for a in g.args], evaluate=False)
        else:
            g2 = g.xreplace(sub)
        inner = expectation(g2, rep.base, limit=limit, simplify=simplify, integrate=integrate)
        return Expectation(inner.value, "representation", inner.statistics, rep.explanation, {"inner": inner})
    if len(model.support) == 1 and model.support[0].is_finite() and model.moments is None:
        x = data[0]
        f = model.density
        with _guard(lambda: f"E[{g}]", limit):
            v = sp.Add(*[(g * f).subs(x, pt) for pt in model.support[0].points()])
            if simplify:
                v = abstracting_exponents(v, lambda e: sp.factor(sp.cancel(sp.together(e))))
        shown = sp.Add(*[sp.Mul(f.subs(x, pt), g.subs(x, pt), evaluate=False) for pt in model.support[0].points()],
                       evaluate=False)
        return Expectation(v, "exact sum", (), f"sum over the support {model.support[0]}", {"terms": shown})
    stats = split_statistics(g, data)
    values = []
    failed = []
    hard = []
    for t in sorted(stats, key=sp.default_sort_key):
        try:
            sv = _statistic_value(t, model, limit, brute=False)
        except ExpectationError as exc:
            failed.append((t, exc))
            continue
        if sv is None:
            hard.append(t)
        else:
            values.append(sv)
    # the CDF is itself an integral of the density: not taken when integrating is ruled out
    if hard and integrate and _cdf_rep(model, limit) is not None:
        # a closed-form CDF turns X into F^(-1)(U): every statistic becomes a Beta integral
        rep = _cdf_rep(model, limit)
        try:
            inner = expectation(g, model.with_(representation=rep), limit=limit, simplify=simplify,
                                integrate=integrate)
            return Expectation(inner.value, "representation", inner.statistics, rep.explanation, {"inner": inner.extras.get("inner", inner)})
        except ExpectationError:
            pass
    if hard and not integrate:
        raise ExpectationError(f"E[{hard[0]}]", f"no route without integrating answers E[{hard[0]}] (no moment table, "
                                                "transform, identity, symmetry or residue applies)")
    for t in hard:
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
        with _guard(lambda: f"simplify E[{g}]", limit):
            # products and powers multiplied out, nothing else: the values are closed forms
            # already, and the log/power hints only cost time here (a third of the expand)
            # exp(c log b) is b^c: lam^k exp(-k log lam) from a Mellin transform cancels to 1 here, not in a
            # zero test or tidy downstream
            total = _finish(sp.expand(exp_logs_as_powers(total), power_exp=False, power_base=False, log=False))
    return Expectation(total, "statistics", tuple(values))


class _guard:
    """The block under ``limit``; a timeout becomes an :class:`ExpectationError` of the step.

    ``step`` gives the step's name when called: printing the expression is slow, so it is
    done only if the limit is hit.
    """

    def __init__(self, step, limit):
        self.step, self.limit = step, limit

    def __enter__(self):
        self.cm = time_limit(self.limit, "expectation")
        self.cm.__enter__()

    def __exit__(self, et, ev, tb):
        self.cm.__exit__(et, ev, tb)
        if et is not None and issubclass(et, StepTimeout):
            raise ExpectationError(self.step(), ev.reason) from None
        return False
