"""Discrete families.

* ``bernoulli`` — X in {0, 1}, P(X = 1) = p, p in (0, 1).
* ``binomial`` — successes in n known trials, probability p: C(n, x) p^x (1-p)^(n-x), x = 0..n.
* ``poisson`` — rate lam > 0: lam^x e^(-lam) / x!, x = 0, 1, ...
* ``geometric`` — number of trials up to and including the first success:
  p (1-p)^(x-1), x = 1, 2, ...
* ``negative_binomial`` — failures before the r-th success (r known):
  C(x + r - 1, x) p^r (1-p)^x, x = 0, 1, ...
* ``categorical`` — one of K known categories 1..K with probabilities p_1..p_(K-1) free and
  p_K = 1 - (p_1 + ... + p_(K-1)).
"""
from __future__ import annotations

import sympy as sp
from sympy import exp, log

from ..domains import POSITIVE, POSITIVE_INTEGER, UNIT, FiniteSupport, IntegerSupport
from ..model import MGF, Model
from . import register
from ._base import T_, data_symbol


@register("bernoulli", "X in {0,1}, P(X=1) = p")
def bernoulli() -> Model:
    sup = FiniteSupport((0, 1))
    x, p = data_symbol("x", sup), UNIT.symbol("p")
    return Model(
        "bernoulli", (x,), (p,), x * log(p) + (1 - x) * log(1 - p), (sup,),
        domains=((p, UNIT),), family="bernoulli",
        parameterization="P(X = 1) = p, p in (0, 1)",
        sampler=lambda rng, v, n: rng.binomial(1, v["p"], size=n),
    )


@register("binomial", "successes in n known trials, probability p")
def binomial() -> Model:
    n = POSITIVE_INTEGER.symbol("n")
    sup = IntegerSupport(0, n)
    x, p = data_symbol("x", sup), UNIT.symbol("p")
    return Model(
        "binomial", (x,), (p,), log(sp.binomial(n, x)) + x * log(p) + (n - x) * log(1 - p), (sup,),
        domains=((p, UNIT), (n, POSITIVE_INTEGER)), constants=(n,), family="binomial",
        parameterization="C(n, x) p^x (1-p)^(n-x), n known",
        mgf=MGF(T_, (1 - p + p * exp(T_)) ** n),
        sampler=lambda rng, v, m: rng.binomial(int(v["n"]), v["p"], size=m),
    )


@register("poisson", "counts with rate lam")
def poisson() -> Model:
    sup = IntegerSupport(0, sp.oo)
    x, lam = data_symbol("x", sup), POSITIVE.symbol("lam")
    return Model(
        "poisson", (x,), (lam,), x * log(lam) - lam - log(sp.factorial(x)), (sup,),
        domains=((lam, POSITIVE),), family="poisson",
        parameterization="lam^x exp(-lam) / x!, rate lam > 0",
        mgf=MGF(T_, exp(lam * (exp(T_) - 1))),
        sampler=lambda rng, v, n: rng.poisson(v["lam"], size=n),
    )


@register("geometric", "trials up to the first success, probability p")
def geometric() -> Model:
    sup = IntegerSupport(1, sp.oo)
    x, p = data_symbol("x", sup), UNIT.symbol("p")
    return Model(
        "geometric", (x,), (p,), log(p) + (x - 1) * log(1 - p), (sup,),
        domains=((p, UNIT),), family="geometric",
        parameterization="p (1-p)^(x-1), x = 1, 2, ... (trials up to and including the first success)",
        mgf=MGF(T_, p * exp(T_) / (1 - (1 - p) * exp(T_))),
        sampler=lambda rng, v, n: rng.geometric(v["p"], size=n),
    )


@register("negative_binomial", "failures before the r-th success (r known), probability p")
def negative_binomial() -> Model:
    r = POSITIVE_INTEGER.symbol("r")
    sup = IntegerSupport(0, sp.oo)
    x, p = data_symbol("x", sup), UNIT.symbol("p")
    return Model(
        "negative_binomial", (x,), (p,),
        log(sp.binomial(x + r - 1, x)) + r * log(p) + x * log(1 - p), (sup,),
        domains=((p, UNIT), (r, POSITIVE_INTEGER)), constants=(r,), family="negative_binomial",
        parameterization="C(x + r - 1, x) p^r (1-p)^x, failures before the r-th success, r known",
        mgf=MGF(T_, (p / (1 - (1 - p) * exp(T_))) ** r),
        sampler=lambda rng, v, n: rng.negative_binomial(int(v["r"]), v["p"], size=n),
    )


@register("categorical", "one of K known categories, probabilities p_1..p_(K-1) free")
def categorical(K: int = 3) -> Model:
    if K < 2:
        raise ValueError(f"categorical needs K >= 2 categories, got K = {K}")
    sup = FiniteSupport(tuple(range(1, K + 1)))
    x = data_symbol("x", sup)
    ps = tuple(UNIT.symbol(f"p_{k}") for k in range(1, K))
    last = 1 - sp.Add(*ps)
    logf = sp.Add(*[sp.KroneckerDelta(x, k) * log(pk) for k, pk in enumerate(ps, start=1)])
    logf += sp.KroneckerDelta(x, K) * log(last)

    def sampler(rng, v, n):
        probs = [v[s.name] for s in ps]
        return 1 + rng.choice(K, size=n, p=probs + [1 - sum(probs)])

    return Model(
        "categorical", (x,), ps, logf, (sup,),
        domains=tuple((pk, UNIT) for pk in ps), family="categorical",
        parameterization=f"P(X = k) = p_k for k < {K}, P(X = {K}) = 1 - (p_1 + ... + p_{K - 1})",
        sampler=sampler, meta=(("constraints", (sp.Add(*ps) < 1,)), ("K", K)),
    )
