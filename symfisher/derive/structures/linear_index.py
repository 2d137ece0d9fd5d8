"""The linear index (a generalized linear model's predictor), found in a model.

When the parameters enter the log-density only through ``eta = a_1 theta_1 + ... + a_k theta_k``
(the ``a_i`` free of the parameters and of the data), ``log f(x; theta) = g(x; eta)`` and the
chain rule gives

* score ``s = a g'(eta)``, Hessian ``H = a a^T g''(eta)`` (``eta`` is linear, so
  ``d^2 eta / d theta d theta^T = 0``);
* ``E[s s^T] = a a^T E[g'^2]`` and ``-E[H] = a a^T (-E[g''])``, so
  ``I(theta) = a a^T I_eta(eta)`` — the reparameterization law for a map of rank one.

Every expectation is taken once, in the one-parameter model in ``eta`` (by the generic
engine, both routes and their agreement), and the ``k x k`` matrices are products: the
work grows like ``k^2`` multiplications, not ``k^2`` expectations of ever longer
expressions. For ``k > 1`` the information has rank one, so it is singular: one
observation cannot identify more than the index (no Cramér–Rao bound, no Jeffreys prior).

Reference: McCullagh & Nelder, *Generalized Linear Models*, 2nd ed. (1989), §2.5 (the
information ``X^T W X``); Lehmann & Casella (1998), §2.7 (reparameterization).
"""
from __future__ import annotations

import sympy as sp

from ...calculus import derivative
from ...derivation import Derivation, Step
from ...model import LinearIndex, Model
from ...simplify import cancels
from .. import notation as N
from ..fisher import fisher_information, hessian, score
from ..regularity import expected_score
from ..taylor import delta_symbols, kl_taylor
from . import Structure, register_structure

__all__ = ["linear_index", "found_index", "index_model", "LinearIndexStructure"]


def linear_index(model: Model) -> LinearIndex | None:
    """The model's declared linear index, if it really is one for this log-density."""
    ix = model.meta_value("index")
    if not isinstance(ix, LinearIndex):
        return None
    params = set(model.params)
    if ix.eta.free_symbols & set(model.data) or ix.reduced.free_symbols & params:
        return None
    grad = [derivative(ix.eta, th) for th in model.params]
    if any(g.free_symbols & params for g in grad) or all(g == 0 for g in grad):
        return None
    # a reparameterized or edited model keeps its meta: the index must still produce its log-density
    if ix.reduced.xreplace({ix.symbol: ix.eta}) != model.log_density:
        return None
    return ix


def found_index(model: Model) -> LinearIndex | None:
    """A linear index read off the log-density itself (no declaration): a subexpression
    ``eta = a . theta`` of the log-density, linear in two or more parameters that each range over
    the whole real line (so ``eta`` does too), with ``a`` free of the parameters and the data,
    such that the log-density depends on the parameters only through it: where the index appears
    as written it is replaced by a symbol (``g(x; eta(theta))`` is then the log-density by
    construction); else the first parameter is solved for from ``eta = e`` and substituted (the rest
    must drop out), and ``g(x; eta(theta))`` must reproduce the log-density (by ``cancels``)."""
    params = model.params
    if len(params) < 2 or any(model.domain(th).lo != -sp.oo or model.domain(th).hi != sp.oo
                              or model.domain(th).integer for th in params):
        return None
    data, ell = set(model.data), model.log_density
    seen = set()
    for sub in sp.preorder_traversal(ell):
        if not sub.is_Add or sub in seen or sub.free_symbols & data or not set(params) <= sub.free_symbols:
            continue
        seen.update((sub, -sub))
        if sub.could_extract_minus_sign():  # the index of exp(-w.x) is w.x
            sub = -sub
        grad = [derivative(sub, th) for th in params]  # (by the rules: no Derivative machinery)
        if any(g.has(*params) or g == 0 for g in grad):
            continue
        taken = {s.name for s in ell.free_symbols}
        e = sp.Symbol(next(n for n in ("eta", "eta_0", "eta_idx") if n not in taken), real=True)
        # where the index appears as written, the log-density is g(e) at e = eta by construction
        reduced, exact = ell.xreplace({sub: e, -sub: -e}), True
        if reduced.has(*params):
            first = (e - sp.Add(*[g * th for g, th in zip(grad[1:], params[1:])])
                     - sub.subs({th: 0 for th in params})) / grad[0]
            reduced, exact = ell.subs(params[0], first), False
        if reduced.has(*params):
            continue
        if exact or cancels(reduced.xreplace({e: sub}) - ell):
            from ...domains import REAL

            return LinearIndex(e, reduced, sub, REAL)
    return None


def _outer(a: sp.Matrix) -> sp.Matrix:
    """``a a^T`` entry by entry (no DomainMatrix conversion for a few products)."""
    return sp.Matrix(a.rows, a.rows, lambda i, j: a[i] * a[j])


def _gradient(model: Model, ix: LinearIndex) -> sp.Matrix:
    return sp.Matrix([derivative(ix.eta, th) for th in model.params])


def index_model(model: Model, ix: LinearIndex) -> Model:
    """The one-parameter model ``g(x; eta)`` (same data and support)."""
    return Model(
        f"{model.name} in its index {ix.symbol}", model.data, (ix.symbol,), ix.reduced, model.support,
        domains=((ix.symbol, ix.domain),), family="",
        parameterization=f"the {model.name} model as a function of its linear index {ix.symbol}",
    )


def _index_step(model, ix) -> Step:
    return Step(f"The parameters enter only through the linear index {ix.symbol}, so the log-density is a "
                f"function g of {ix.symbol} alone.",
                "a linear predictor: the chain rule reduces everything to one parameter",
                N.logf(model), (sp.Eq(ix.symbol, ix.eta, evaluate=False), ix.reduced))


class _Found:
    """The index and its one-parameter model, built once per model."""

    def __init__(self, model: Model, ix: LinearIndex):
        self.ix = ix
        self.reduced = index_model(model, ix)
        self.a = _gradient(model, ix)
        self.back = {ix.symbol: ix.eta}
        self.fisher = None  # the index model's I(eta), once the Fisher quantity has derived it (kl_taylor reuses it)


@register_structure
class LinearIndexStructure(Structure):
    """The parameters enter only through one linear index ``eta = a . theta``."""

    name = "linear_index"
    priority = 10

    def find(self, model):
        ix = linear_index(model) or found_index(model)
        return _Found(model, ix) if ix is not None else None

    def score(self, model, f: _Found, textbook: bool = True, **_):
        ix, red = f.ix, f.reduced
        sd = score(red, textbook=textbook)  # (not shown, as in verify: the index model's score is not tidied)
        d = Derivation("score", f"Score of the {model.name} model")
        d = d.add(Step("Write down the log-density.", "the model", N.logf(model), (model.log_density,)),
                  _index_step(model, ix))
        d = d.extend(sd)
        s = (f.a * sd.result[0, 0].xreplace(f.back))
        d = d.add(Step(f"Chain rule: each component is d {ix.symbol}/d theta_i times the derivative in {ix.symbol}.",
                       f"d ell/d theta_i = (d {ix.symbol}/d theta_i) g'({ix.symbol})",
                       N.SCORE(*model.params), (f.a * sd.result[0, 0], s)))
        d.extras["raw"] = f.a * sd.extras["raw"][0, 0].xreplace(f.back)
        d.extras["index"] = (red, sd.extras["raw"])
        return d.with_result(s)

    def hessian(self, model, f: _Found, textbook: bool = True, **_):
        ix, red = f.ix, f.reduced
        hd = hessian(red, score(red, textbook=False).extras["raw"], textbook=textbook)
        aaT = _outer(f.a)
        d = Derivation("hessian", f"Hessian of the {model.name} log-density").extend(hd)
        H = aaT * hd.result[0, 0].xreplace(f.back)
        d = d.add(Step(f"Chain rule again; {ix.symbol} is linear in the parameters, so its second derivatives vanish.",
                       f"H = (d {ix.symbol}/d theta)(d {ix.symbol}/d theta)^T g''({ix.symbol})", sp.Symbol("H"),
                       (aaT * hd.result[0, 0], H)))
        d.extras["raw"] = aaT * hd.extras["raw"][0, 0].xreplace(f.back)
        return d.with_result(H)

    def fisher(self, model, f: _Found, limit=None, **_):
        """``I(theta) = a a^T I_eta``, with ``I_eta`` derived by both routes in the index model."""
        ix, red = f.ix, f.reduced
        fd = fisher_information(red, limit=limit)
        f.fisher = fd.result
        aaT = _outer(f.a)
        d = Derivation("fisher", f"Fisher information of the {model.name} model")
        d = d.add(_index_step(model, ix)).extend(fd)
        # substitute eta into the scalars once, then multiply (the d x d matrices are never rewritten)
        lifted = {}

        def lift(M):
            if M is None:
                return None
            e = M[0, 0]
            if e not in lifted:
                lifted[e] = e.xreplace(f.back)
            return aaT * lifted[e]

        outer, curv = lift(fd.extras.get("outer")), lift(fd.extras.get("curvature"))
        if fd.result is None:
            d = d.with_result(None)
            d.extras.update(outer=outer, curvature=curv, routes_agree=False)
            return d
        I = lift(fd.result)
        I_eta = sp.Function("I")(ix.symbol)
        d = d.add(Step(f"Both routes carry over by the chain rule: E[s s^T] = a a^T E[g'^2] and -E[H] = a a^T (-E[g'']) "
                       f"with a = d {ix.symbol}/d theta.",
                       "reparameterization law for the linear map theta -> " + str(ix.symbol),
                       N.fisher_of(model), (aaT * I_eta, I) if model.dim > 1 else (I_eta * aaT[0, 0], I[0, 0])))
        if model.dim > 1:
            d = d.note(f"I(theta) = a a^T I({ix.symbol}) has rank one, so it is singular for {model.dim} parameters: "
                       f"one observation informs only the index {ix.symbol}.")
        d.extras.update(outer=outer, curvature=curv, routes_agree=fd.extras.get("routes_agree", False))
        return d.with_result(I)

    def expected_score(self, model, f: _Found, limit=None, **_):
        """``E[s] = a E[g'(eta)]``: the first Bartlett identity checked once, in the index."""
        red = f.reduced
        es = expected_score(red, score(red, textbook=False).extras["raw"], limit=limit)
        d = Derivation("expected_score", "The score has mean zero").extend(es)
        if es.result:
            d = d.add(Step(f"So every component a_i E[g'({f.ix.symbol})] of the score has mean zero.",
                           "linearity of expectation", N.E(sp.Symbol("s")), (sp.zeros(model.dim, 1),)))
        return d.with_result(es.result)

    def cramer_rao(self, model, f: _Found, fisher=None, **_):
        if model.dim < 2:
            return None
        d = Derivation("cramer_rao", f"Cramér–Rao bound for the {model.name} model")
        e = f.ix.symbol
        return d.fail("cramer_rao", f"the Fisher information a a^T I({e}), with a = d {e}/d theta, has rank 1 < {model.dim}: the parameters "
                      "enter only through one linear index, so they are not identifiable from one observation and "
                      "there is no Cramér–Rao bound")

    def jeffreys(self, model, f: _Found, fisher=None, **_):
        if model.dim < 2:
            return None
        d = Derivation("jeffreys", f"Jeffreys prior of the {model.name} model")
        e = f.ix.symbol
        return d.fail("jeffreys", f"det I(theta) = 0: I = a a^T I({e}), with a = d {e}/d theta, has rank 1 < {model.dim} (the parameters enter "
                                  "only through one linear index), so sqrt(det I(theta)) is not a prior density")

    def kl_taylor(self, model, f: _Found, order: int = 3, limit=None, **_):
        """``KL(P_theta || P_theta+delta)`` through the index: a displacement ``delta`` of the
        parameters moves the index by ``a . delta``, so every term is the index model's term at
        ``delta_eta = a . delta`` (one expectation per order instead of ``k^order`` of them)."""
        ix, red = f.ix, f.reduced
        td = kl_taylor(red, order, fisher=f.fisher, limit=limit)  # I(eta) derived once, not again for the check
        delta = delta_symbols(model)
        shift = sp.Add(*[ai * di for ai, di in zip(f.a, delta)])
        back = {ix.symbol: ix.eta, delta_symbols(red)[0]: shift}
        d = Derivation("kl_taylor", f"Taylor expansion of the KL divergence of the {model.name} model")
        d = d.add(_index_step(model, ix)).extend(td)
        if td.result is None:
            return d
        terms = {k: t.xreplace(back) for k, t in td.extras["terms"].items()}
        series = sp.Add(*terms.values())
        d = d.add(Step(f"A displacement delta of the parameters moves the index by {shift}: substitute it.",
                       f"KL depends on the parameters only through {ix.symbol}", N.KL(*model.params, *[
                           th + dl for th, dl in zip(model.params, delta)]), (series,)))
        d.extras.update(terms=terms, quadratic=terms.get(2), cubic=terms.get(3), delta=delta, order=order,
                        quadratic_is_fisher=td.extras.get("quadratic_is_fisher"))
        return d.with_result(series)
