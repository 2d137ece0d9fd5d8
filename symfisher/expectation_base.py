"""The shared ground of the expectation engine (:mod:`symfisher.expectation`): its error and result
types, its cache, the expansion of ``g(X)`` into statistics ``c(theta) * t(X)`` (:func:`split_statistics`),
the resolution of ``Piecewise`` conditions by the parameter domains, and the key of a law.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import sympy as sp

from .domain_points import random_points
from .limits import StepFailed, default_limit
from .model import Model


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


class _Domains(dict):
    """``{symbol: Domain}`` with the model's joint ``constraints`` (``p_1 + p_2 < 1``), which
    :func:`~symfisher.domain_points.random_points` keeps: a condition is decided where the model lives."""

    constraints: tuple = ()


def _domains(model: Model) -> dict:
    doms = _Domains(model.domains)
    doms.constraints = tuple(model.meta_value("constraints", ()))
    return doms


# -- expansion into c(theta) * t(X) -----------------------------------------
def _tidy_logs(g: sp.Expr) -> sp.Expr:
    """log(1 + (1-u)/u) -> log(1/u): combine each log's argument over one denominator."""
    return g.replace(lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.together(e.args[0])))


def _expanded_already(g: sp.Expr) -> bool:
    """Whether ``g`` is a sum of products of numbers, symbols, their powers (an exponent that is no sum)
    and logs of symbols, each at most to a positive integer power: ``w log(w)^2 / sigma^2 - 1/sigma``.
    Then every expansion below gives ``g`` back (no product of sums, no power of a sum or with a sum in
    the exponent, no log of a product), so it is not asked (an expand costs as much on an expanded
    input as on any other of its size)."""
    for term in sp.Add.make_args(g):
        for f in sp.Mul.make_args(term):
            if f.is_Number or f.is_Symbol:
                continue
            if f.is_Pow:
                b, e = f.args
                if b.is_Symbol and not e.has(sp.Add, sp.Function) or isinstance(b, sp.log) and b.args[0].is_Symbol \
                        and e.is_Integer and e > 0:
                    continue
                return False
            if isinstance(f, sp.log) and f.args[0].is_Symbol:
                continue
            return False
    return True


def _expand(g: sp.Expr, data: tuple = ()) -> sp.Expr:
    if _expanded_already(g):
        return g
    if not g.has(sp.log, sp.exp, sp.sin) and all(f.has(*data) for f in g.atoms(sp.Function)):
        # no logs to prepare, no function of the parameters alone to keep whole (|z|, sign z)
        return sp.expand(g, power_base=True, power_exp=True, mul=True, multinomial=True, force=True)
    if g.has(sp.sin):
        from sympy.simplify.fu import TR5

        g = TR5(sp.expand(g))  # sin(z)^2 -> 1 - cos(z)^2: fewer distinct statistics
    g = _tidy_logs(g)
    g, frozen = _freeze_parameter_logs(g, data)
    # functions of the parameters alone are coefficients: keep them whole (exp(-w.x) must
    # not become a product of d exponentials, which makes every later step d times longer)
    if data:
        more = {f: sp.Dummy("F") for f in g.atoms(sp.Function) if not f.has(*data) and f.free_symbols}
        g = g.xreplace(more)
        frozen.update({v: k for k, v in more.items()})
    g = sp.expand_log(g, force=True)
    g = sp.expand(g, power_base=True, power_exp=True, mul=True, log=True, multinomial=True, force=True)
    return g.xreplace(frozen)


def _freeze_parameter_logs(g: sp.Expr, data: tuple):
    """Hide logs of the parameters alone (constants of any expectation).

    Forced log expansion is valid on the support (the data are positive where they are
    logged), but ``log(-eta)`` with ``eta < 0`` must not become ``I*pi + log(eta)``.
    """
    frozen = {}
    for lg in g.atoms(sp.log):
        if data and not lg.has(*data):
            frozen[lg] = sp.Dummy("L")
        elif not lg.has(sp.I) and lg.args[0].is_positive and sp.expand_log(lg, force=True).has(sp.I):
            frozen[lg] = sp.Dummy("L")  # log(-x) on a negative support is real; I*pi + log(x) is not
    return g.xreplace(frozen), {v: k for k, v in frozen.items()}


def expand_log_density(ell: sp.Expr, data: tuple) -> sp.Expr:
    """``expand_log(force=True)`` of a log-density, leaving logs of the parameters alone intact.
    Once per log-density: the structures' finds, the score and the Taylor expansion all ask."""
    key = ("expand_log", ell, tuple(data))
    hit = _CACHE.get(key)
    if hit is None:
        g, frozen = _freeze_parameter_logs(ell, data)
        hit = _CACHE[key] = sp.expand_log(g, force=True).xreplace(frozen)
    return hit


def split_statistics(g: sp.Expr, data: tuple) -> dict:
    """``{t(X): c(theta)}`` with ``g = sum c * t`` after expansion (``t = 1`` for the constant).

    A product of sums (the score's outer product ``s_i s_j``, a square ``s^2``) is split
    factor by factor and the splits multiplied: ``sum c_k t_k * sum d_l u_l`` gives
    ``sum c_k d_l split(t_k u_l)``, products of short statistics instead of the expansion of
    the whole product. Splits are remembered (in the expectation cache, keyed by the
    expression and the data), so the score's own split serves ``E[s] = 0`` too.
    """
    key = ("split", g, data)
    if key not in _CACHE:
        factors = _sum_factors(g)
        _CACHE[key] = _split_product(factors, data) if factors else _split_direct(g, data)
    return dict(_CACHE[key])


def _sum_factors(g: sp.Expr) -> list | None:
    """The factors of ``g`` when it is a product with a sum among them (a small power of a sum
    counts as repeated factors), else ``None``."""
    if not (g.is_Mul or g.is_Pow):
        return None
    out = []
    for f in sp.Mul.make_args(g):
        small_power_of_sum = f.is_Pow and f.base.is_Add and f.exp.is_Integer and 1 < f.exp <= 4
        out += [f.base] * int(f.exp) if small_power_of_sum else [f]
    return out if any(f.is_Add for f in out) else None


def _split_product(factors: list, data: tuple) -> dict:
    out = {sp.S.One: sp.S.One}
    for f in factors:
        sf = split_statistics(f, data)
        new: dict = {}
        for t1, c1 in out.items():
            for t2, c2 in sf.items():
                # each coefficient is a monomial in the parameters: their sums collect as in
                # the direct expansion, and a product of statistics is split again
                parts = {t1 * t2: sp.S.One} if t1 == 1 or t2 == 1 else split_statistics(t1 * t2, data)
                for t, c in parts.items():
                    new[t] = new.get(t, sp.S.Zero) + c1 * c2 * c
        out = new
    return {t: c for t, c in out.items() if c != 0}


def _split_direct(g: sp.Expr, data: tuple) -> dict:
    out: dict = {}
    dataset = set(data)
    for term in sp.Add.make_args(_expand(g, data)):
        # the factors free of the data make the coefficient (as_independent, without its overhead)
        parts = ([], [])
        for f in sp.Mul.make_args(term):
            parts[not f.free_symbols.isdisjoint(dataset)].append(f)
        coeff, stat = sp.Mul(*parts[0]), sp.Mul(*parts[1])
        if stat.free_symbols - dataset:
            # parameters still tangled with the data (1/(s^2 z^2 + s^2)): factor them out
            coeff2, stat = sp.factor(stat).as_independent(*data, as_Add=False)
            coeff *= coeff2
        out[stat] = out.get(stat, sp.S.Zero) + coeff
    if len(data) == 1:
        # z/(1 + z) -> 1 - 1/(1 + z): rational statistics into partial fractions
        x = data[0]
        for t in list(out):
            factors = sp.Mul.make_args(t)
            if not any(f.is_Pow and f.exp.is_negative and f.base.has(x) for f in factors):
                continue  # no denominator in x: nothing to split
            logs = sp.Mul(*[f for f in factors if f.as_base_exp()[0].func == sp.log])
            r = t / logs
            if r != 1 and r.is_rational_function(x) and not sp.fraction(r)[1].is_number and not r.is_Pow:
                parts = _partial_fractions(r, x)
                if parts is None:
                    continue
                if parts != r:
                    c = out.pop(t)
                    for term in sp.Add.make_args(sp.expand(parts)):
                        cc, tt = term.as_independent(x, as_Add=False)
                        out[tt * logs] = out.get(tt * logs, sp.S.Zero) + c * cc
    return {t: c for t, c in out.items() if c != 0}


@functools.lru_cache(maxsize=512)
def _partial_fractions(r: sp.Expr, x: sp.Symbol):
    """``apart(r, x)``, or ``None`` where apart gives up (symbolic coefficients it cannot factor).

    The usual denominator of a statistic is a power of one irreducible polynomial, ``(z^2 + 1)^2``
    or ``(nu + z^2)^2``: then the partial fractions are the digits of the numerator in base ``b``
    (repeated division by ``b``), which is what ``apart`` finds, in a fifth of its time; the same
    statistics recur in the entries of both routes, so each is split once."""
    try:
        num, den = (sp.Poly(e, x) for e in sp.fraction(sp.together(r)))
        c, factors = den.factor_list()
        if len(factors) == 1 and factors[0][0].degree() > 0 and num.degree() >= 0:
            b, k = factors[0]
            q, digits = num, []
            while len(digits) < k:
                q, rem = q.div(b)
                digits.append(rem)
            bx = b.as_expr()
            # num = sum_i digits[i] b^i + q b^k, so num / (c b^k) = sum_i digits[i] / (c b^(k-i)) + q / c
            return sp.Add(*[d.as_expr() / (c * bx ** (k - i)) for i, d in enumerate(digits)]) + q.as_expr() / c
        return sp.apart(r, x)
    except Exception:  # apart (or a domain that cannot divide) gives up: no split
        return None


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


def law_key(model: Model) -> tuple:
    """The canonical form of a one-variable law: its log-density in a fixed data symbol and its
    support, so that the same base law found from two models (a typed density and its catalog
    twin, or two members of one location-scale family) has one transform, integrated once. Computed
    once per model object (the routes ask for it for every statistic)."""
    cached = model.__dict__.get("_law_key")
    if cached is not None:
        return cached
    x = model.data[0]
    canon = sp.Symbol("_x", **x.assumptions0)
    key = (sp.srepr(model.log_density.xreplace({x: canon})), str(model.support[0]))
    object.__setattr__(model, "_law_key", key)  # the model is immutable, so its law's key is too
    return key


_MISSING = object()


def _hooks_key(model: Model) -> tuple:
    """The identity of a model's statistic hooks (moment table, Mellin transform, MGF) for cache keys."""
    out = []
    for h in (model.moments, model.power_moments, model.mgf):
        try:
            hash(h)
            out.append(h)
        except TypeError:
            out.append(id(h))
    return tuple(out)


@dataclass(frozen=True)
class _TimedOut:
    """A cached attempt that failed within a limit of ``seconds`` (it may have run out of it): not a
    verdict for a caller with a longer limit, who tries again."""
    seconds: float


def _sub_limit(limit) -> float:
    """The limit of an optional route (identities, Mellin, CDF): at most 10 s, never above the step's."""
    return min(10.0, limit if limit is not None else default_limit())
