"""Continuous families on (0, oo) and (0, 1), and the Pareto law.

* ``exponential`` — rate lam: lam exp(-lam x), x > 0.
* ``gamma`` — shape a, rate b: b^a x^(a-1) exp(-b x) / Gamma(a), x > 0.
* ``beta`` — shapes a, b: x^(a-1) (1-x)^(b-1) / B(a, b), 0 < x < 1.
* ``weibull`` — scale lam, shape k: (k/lam) (x/lam)^(k-1) exp(-(x/lam)^k), x > 0.
* ``lognormal`` — log X ~ N(mu, sigma^2); X = exp(mu + sigma Z).
* ``rayleigh`` — scale sigma: (x/sigma^2) exp(-x^2/(2 sigma^2)), x > 0.
* ``pareto`` — shape alpha, known scale xm: alpha xm^alpha / x^(alpha+1), x > xm.
* ``inverse_gaussian`` — mean mu, shape lam:
  sqrt(lam/(2 pi x^3)) exp(-lam (x - mu)^2 / (2 mu^2 x)), x > 0.

A family declares its density, support and domains; the Mellin transforms ``E[X^s]`` (and
``E[X^s (1-X)^t]`` on (0, 1)) of these laws are Euler's integrals, found once per law by the
expectation engine (symfisher.euler), so no family carries a moment table it can derive.
Hooks left: the log-normal's representation through N(0, 1) and the inverse Gaussian's
moments (a Bessel-kernel transform Euler's integrals do not cover), each tested against the
general derivation in tests/test_typed.py.
"""
from __future__ import annotations

import sympy as sp
from sympy import exp, log

from ..domains import POSITIVE, IntervalSupport
from ..model import Model, Representation
from . import register
from ._base import data_symbol, standard_normal

POS = IntervalSupport(0, sp.oo)


@register("exponential", "waiting time with rate lam")
def exponential() -> Model:
    x, lam = data_symbol("x", POS), POSITIVE.symbol("lam")
    return Model(
        "exponential", (x,), (lam,), log(lam) - lam * x, (POS,),
        domains=((lam, POSITIVE),), family="exponential",
        parameterization="lam exp(-lam x), rate lam > 0 (mean 1/lam)",
        sampler=lambda rng, v, n: rng.exponential(1 / v["lam"], size=n),
    )


@register("gamma", "shape a, rate b")
def gamma_() -> Model:
    x = data_symbol("x", POS)
    a, b = POSITIVE.symbol("a"), POSITIVE.symbol("b")
    return Model(
        "gamma", (x,), (a, b), a * log(b) - sp.loggamma(a) + (a - 1) * log(x) - b * x, (POS,),
        domains=((a, POSITIVE), (b, POSITIVE)), family="gamma",
        parameterization="b^a x^(a-1) exp(-b x) / Gamma(a), shape a, rate b",
        sampler=lambda rng, v, n: rng.gamma(v["a"], 1 / v["b"], size=n),
    )


@register("beta", "shapes a, b on (0, 1)")
def beta_() -> Model:
    sup = IntervalSupport(0, 1)
    x = data_symbol("x", sup)
    a, b = POSITIVE.symbol("a"), POSITIVE.symbol("b")
    return Model(
        "beta", (x,), (a, b),
        (a - 1) * log(x) + (b - 1) * log(1 - x) - (sp.loggamma(a) + sp.loggamma(b) - sp.loggamma(a + b)),
        (sup,), domains=((a, POSITIVE), (b, POSITIVE)), family="beta",
        parameterization="x^(a-1) (1-x)^(b-1) / B(a, b)",
        sampler=lambda rng, v, n: rng.beta(v["a"], v["b"], size=n),
    )


@register("weibull", "scale lam, shape k")
def weibull() -> Model:
    x = data_symbol("x", POS)
    lam, k = POSITIVE.symbol("lam"), POSITIVE.symbol("k")
    return Model(
        "weibull", (x,), (lam, k),
        log(k) - log(lam) + (k - 1) * (log(x) - log(lam)) - (x / lam) ** k, (POS,),
        domains=((lam, POSITIVE), (k, POSITIVE)), family="weibull",
        parameterization="(k/lam) (x/lam)^(k-1) exp(-(x/lam)^k), scale lam, shape k",
        sampler=lambda rng, v, n: v["lam"] * rng.weibull(v["k"], size=n),
    )


@register("lognormal", "log X ~ N(mu, sigma^2)")
def lognormal() -> Model:
    x = data_symbol("x", POS)
    mu, sigma = sp.Symbol("mu", real=True), POSITIVE.symbol("sigma")
    from ..domains import REAL

    base = standard_normal()
    z = base.data[0]
    return Model(
        "lognormal", (x,), (mu, sigma),
        -log(x) - log(sigma) - log(2 * sp.pi) / 2 - (log(x) - mu) ** 2 / (2 * sigma**2), (POS,),
        domains=((mu, REAL), (sigma, POSITIVE)), family="lognormal",
        parameterization="log X ~ N(mu, sigma^2): exp(-(log x - mu)^2/(2 sigma^2)) / (x sigma sqrt(2 pi))",
        representation=Representation(base, (exp(mu + sigma * z),), "X = exp(mu + sigma Z) with Z ~ N(0, 1)"),
        sampler=lambda rng, v, n: rng.lognormal(v["mu"], v["sigma"], size=n),
    )


@register("rayleigh", "scale sigma")
def rayleigh() -> Model:
    x, sigma = data_symbol("x", POS), POSITIVE.symbol("sigma")
    return Model(
        "rayleigh", (x,), (sigma,), log(x) - 2 * log(sigma) - x**2 / (2 * sigma**2), (POS,),
        domains=((sigma, POSITIVE),), family="rayleigh",
        parameterization="(x/sigma^2) exp(-x^2/(2 sigma^2)), scale sigma",
        sampler=lambda rng, v, n: rng.rayleigh(v["sigma"], size=n),
    )


@register("pareto", "shape alpha, known scale xm")
def pareto() -> Model:
    xm = POSITIVE.symbol("xm")
    sup = IntervalSupport(xm, sp.oo)
    x, alpha = data_symbol("x", sup), POSITIVE.symbol("alpha")
    return Model(
        "pareto", (x,), (alpha,), log(alpha) + alpha * log(xm) - (alpha + 1) * log(x), (sup,),
        domains=((alpha, POSITIVE), (xm, POSITIVE)), constants=(xm,), family="pareto",
        parameterization="alpha xm^alpha / x^(alpha+1), x > xm, shape alpha, xm known",
        sampler=lambda rng, v, n: v["xm"] * (1 + rng.pareto(v["alpha"], size=n)),
    )


@register("inverse_gaussian", "mean mu, shape lam")
def inverse_gaussian() -> Model:
    x = data_symbol("x", POS)
    mu, lam = POSITIVE.symbol("mu"), POSITIVE.symbol("lam")

    def moments(t):
        # E[X^k] = mu^k sum_{i<k} (k-1+i)!/(i!(k-1-i)!) (mu/(2 lam))^i, and E[X^-k] = E[X^(k+1)]/mu^(2k+1)
        b, e = t.as_base_exp()
        if b != x or not e.is_Integer or e == 0:
            return None
        k = int(e)

        def pos(k):
            return mu**k * sp.Add(*[
                sp.factorial(k - 1 + i) / (sp.factorial(i) * sp.factorial(k - 1 - i)) * (mu / (2 * lam)) ** i
                for i in range(k)
            ])

        return sp.expand(pos(k) if k > 0 else pos(1 - k) / mu ** (1 - 2 * k))

    return Model(
        "inverse_gaussian", (x,), (mu, lam),
        log(lam) / 2 - log(2 * sp.pi) / 2 - 3 * log(x) / 2 - lam * (x - mu) ** 2 / (2 * mu**2 * x), (POS,),
        domains=((mu, POSITIVE), (lam, POSITIVE)), family="inverse_gaussian",
        parameterization="sqrt(lam/(2 pi x^3)) exp(-lam (x - mu)^2/(2 mu^2 x)), mean mu, shape lam",
        moments=moments,
        sampler=lambda rng, v, n: rng.wald(v["mu"], v["lam"], size=n),
    )
