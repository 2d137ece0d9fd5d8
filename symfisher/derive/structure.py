"""Derivations that use a model's structure instead of expanding its entries.

**Linear index** (a generalized linear model's predictor). When the parameters enter the
log-density only through ``eta = a_1 theta_1 + ... + a_k theta_k`` (the ``a_i`` free of the
parameters and of the data), ``log f(x; theta) = g(x; eta)`` and the chain rule gives

* score ``s = a g'(eta)``, Hessian ``H = a a^T g''(eta)`` (``eta`` is linear, so
  ``d^2 eta / d theta d theta^T = 0``);
* ``E[s s^T] = a a^T E[g'^2]`` and ``-E[H] = a a^T (-E[g''])``, so
  ``I(theta) = a a^T I_eta(eta)`` — the reparameterization law for a map of rank one.

Every expectation is taken once, in the one-parameter model in ``eta`` (by the generic
engine, both routes and their agreement), and the ``k x k`` matrices are products: the
work grows like ``k^2`` multiplications, not ``k^2`` expectations of ever longer
expressions. For ``k > 1`` the information has rank one, so it is singular: one
observation cannot identify more than the index.

Reference: McCullagh & Nelder, *Generalized Linear Models*, 2nd ed. (1989), §2.5 (the
information ``X^T W X``); Lehmann & Casella (1998), §2.7 (reparameterization).
"""
from __future__ import annotations

import sympy as sp

from ..derivation import Derivation, Step
from ..model import LinearIndex, Model
from . import notation as N

__all__ = ["linear_index", "index_model", "index_score", "index_hessian", "index_fisher",
           "index_expected_score"]


def linear_index(model: Model) -> LinearIndex | None:
    """The model's declared linear index, if it really is one for this log-density."""
    ix = model.meta_value("index")
    if not isinstance(ix, LinearIndex):
        return None
    params = set(model.params)
    if ix.eta.free_symbols & set(model.data) or ix.reduced.free_symbols & params:
        return None
    grad = [sp.diff(ix.eta, th) for th in model.params]
    if any(g.free_symbols & params for g in grad) or all(g == 0 for g in grad):
        return None
    # a reparameterized or edited model keeps its meta: the index must still produce its log-density
    if ix.reduced.xreplace({ix.symbol: ix.eta}) != model.log_density:
        return None
    return ix


def _gradient(model: Model, ix: LinearIndex) -> sp.Matrix:
    return sp.Matrix([sp.diff(ix.eta, th) for th in model.params])


def index_model(model: Model, ix: LinearIndex) -> Model:
    """The one-parameter model ``g(x; eta)`` (same data and support)."""
    return Model(
        f"{model.name} in its index {ix.symbol}", model.data, (ix.symbol,), ix.reduced, model.support,
        domains=((ix.symbol, ix.domain),), family="",
        parameterization=f"the {model.name} model as a function of its linear index {ix.symbol}",
    )


def _lift(M, back):
    return M.xreplace(back) if M is not None else None


def _index_step(model, ix) -> Step:
    return Step(f"The parameters enter only through the linear index {ix.symbol}, so the log-density is a "
                f"function g of {ix.symbol} alone.",
                "a linear predictor: the chain rule reduces everything to one parameter",
                N.logf(model), (sp.Eq(ix.symbol, ix.eta, evaluate=False), ix.reduced))


def index_score(model: Model, ix: LinearIndex) -> Derivation:
    from .fisher import score

    red = index_model(model, ix)
    sd = score(red)
    a, back = _gradient(model, ix), {ix.symbol: ix.eta}
    d = Derivation("score", f"Score of the {model.name} model")
    d = d.add(Step("Write down the log-density.", "the model", N.logf(model), (model.log_density,)),
              _index_step(model, ix))
    d = d.extend(sd)
    s = (a * sd.result[0, 0]).xreplace(back)
    d = d.add(Step(f"Chain rule: each component is d{ix.symbol}/dtheta_i times the derivative in {ix.symbol}.",
                   f"d log f / d theta_i = (d {ix.symbol} / d theta_i) g'({ix.symbol})",
                   N.SCORE(*model.params), (a * sd.result[0, 0], s)))
    d.extras["raw"] = (a * sd.extras["raw"][0, 0]).xreplace(back)
    d.extras["index"] = (red, sd.extras["raw"])
    return d.with_result(s)


def index_hessian(model: Model, ix: LinearIndex) -> Derivation:
    from .fisher import hessian, score

    red = index_model(model, ix)
    hd = hessian(red, score(red).extras["raw"])
    a, back = _gradient(model, ix), {ix.symbol: ix.eta}
    d = Derivation("hessian", f"Hessian of the {model.name} log-density").extend(hd)
    aaT = a * a.T
    H = (aaT * hd.result[0, 0]).xreplace(back)
    d = d.add(Step(f"Chain rule again; {ix.symbol} is linear in the parameters, so its second derivatives vanish.",
                   f"H = (d{ix.symbol}/dtheta)(d{ix.symbol}/dtheta)^T g''({ix.symbol})", sp.Symbol("H"),
                   (aaT * hd.result[0, 0], H)))
    d.extras["raw"] = (aaT * hd.extras["raw"][0, 0]).xreplace(back)
    return d.with_result(H)


def index_fisher(model: Model, ix: LinearIndex, *, limit: float | None = None) -> Derivation:
    """``I(theta) = a a^T I_eta``, with ``I_eta`` derived by both routes in the index model."""
    from .fisher import fisher_information

    red = index_model(model, ix)
    fd = fisher_information(red, limit=limit)
    a, back = _gradient(model, ix), {ix.symbol: ix.eta}
    aaT = a * a.T
    d = Derivation("fisher", f"Fisher information of the {model.name} model")
    d = d.add(_index_step(model, ix)).extend(fd)
    outer = _lift(aaT * fd.extras["outer"][0, 0] if fd.extras.get("outer") is not None else None, back)
    curv = _lift(aaT * fd.extras["curvature"][0, 0] if fd.extras.get("curvature") is not None else None, back)
    if fd.result is None:
        d = d.with_result(None)
        d.extras.update(outer=outer, curvature=curv, routes_agree=False)
        return d
    I = (aaT * fd.result[0, 0]).xreplace(back)
    I_eta = sp.Function("I")(ix.symbol)
    d = d.add(Step(f"Both routes carry over by the chain rule: E[s s^T] = a a^T E[g'^2] and -E[H] = a a^T (-E[g'']) "
                   f"with a = d{ix.symbol}/dtheta.",
                   "reparameterization law for the linear map theta -> " + str(ix.symbol),
                   N.fisher_of(model), (aaT * I_eta, I) if model.dim > 1 else (I_eta * aaT[0, 0], I[0, 0])))
    if model.dim > 1:
        d = d.note(f"I(theta) = a a^T I({ix.symbol}) has rank one, so it is singular for {model.dim} parameters: "
                   f"one observation informs only the index {ix.symbol}.")
    d.extras.update(outer=outer, curvature=curv, routes_agree=fd.extras.get("routes_agree", False))
    return d.with_result(I)


def index_expected_score(model: Model, ix: LinearIndex, limit: float | None = None) -> Derivation:
    """``E[s] = a E[g'(eta)]``: the first Bartlett identity checked once, in the index."""
    from .fisher import score
    from .regularity import expected_score

    red = index_model(model, ix)
    es = expected_score(red, score(red).extras["raw"], limit=limit)
    d = Derivation("expected_score", "The score has mean zero").extend(es)
    if es.result:
        d = d.add(Step(f"So every component a_i E[g'({ix.symbol})] of the score has mean zero.",
                       "linearity of expectation", N.E(sp.Symbol("s")), (sp.zeros(model.dim, 1),)))
    return d.with_result(es.result)
