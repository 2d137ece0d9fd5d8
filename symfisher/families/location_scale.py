"""Location-scale families, each standardized: X = mu + scale * Z with Z parameter-free.

* ``laplace`` — location mu, scale b: exp(-|x - mu|/b) / (2b).
* ``cauchy`` — location mu, scale sigma: 1 / (pi sigma (1 + ((x - mu)/sigma)^2)).
* ``student_t`` — location mu; degrees of freedom nu and scale sigma known:
  Gamma((nu+1)/2) / (sqrt(nu pi) sigma Gamma(nu/2)) (1 + z^2/nu)^(-(nu+1)/2), z = (x - mu)/sigma.
* ``logistic`` — location mu, scale s: exp(-z) / (s (1 + exp(-z))^2), z = (x - mu)/s;
  Z = log(U/(1-U)) with U ~ Uniform(0, 1).
* ``gumbel`` — location mu, scale sigma (often written beta): exp(-(z + exp(-z))) / sigma,
  z = (x - mu)/sigma (the maximum-type law); Z = -log W with W ~ Exp(1).

Standardizing makes every remaining expectation free of mu and the scale (DESIGN,
principle 2); the standard laws carry their own moment rules.
"""
from __future__ import annotations

import sympy as sp
from sympy import exp, log, pi, sqrt

from ..domains import POSITIVE, REAL, Domain, IntervalSupport
from ..model import Model, Representation
from . import register
from ._base import data_symbol, standard_exponential, standard_uniform, symmetric_abs_moments, t_kernel_moments

LINE = IntervalSupport(-sp.oo, sp.oo)


def _standard(name, logpdf_of, **hooks) -> Model:
    z = sp.Symbol("z", real=True)
    return Model(name, (z,), (), logpdf_of(z), (LINE,), **hooks)


def _location_scale(name, base: Model, mu, scale, logf_standard, parameterization, sampler, constants=(), cdomains=()):
    """The model of X = mu + scale * Z, Z ~ base (log-density from the standard one)."""
    x = data_symbol("x", LINE)
    z = base.data[0]
    logf = logf_standard(z).subs(z, (x - mu) / scale) - log(scale)
    params = (mu, scale) if scale.name not in {c.name for c in constants} else (mu,)
    return Model(
        name, (x,), params, logf, (LINE,),
        domains=((mu, REAL), (scale, POSITIVE)) + tuple(cdomains), constants=tuple(constants), family=name,
        parameterization=parameterization,
        representation=Representation(base, (mu + scale * z,), f"X = {mu} + {scale} Z with Z standard {name}"),
        sampler=sampler,
    )


@register("laplace", "location mu, scale b")
def laplace() -> Model:
    mu, b = REAL.symbol("mu"), POSITIVE.symbol("b")
    std = lambda z: -sp.Abs(z) - log(2)  # noqa: E731
    # E|Z|^p = p! for the standard Laplace law (a Gamma(p + 1) integral); f(0) = 1/2
    base = _standard("laplace(0,1)", std, moments=symmetric_abs_moments(
        sp.Symbol("z", real=True), lambda p: sp.factorial(p), sp.S.Half))
    return _location_scale("laplace", base, mu, b, std, "exp(-|x - mu|/b) / (2 b), location mu, scale b",
                           lambda rng, v, n: rng.laplace(v["mu"], v["b"], size=n))


@register("cauchy", "location mu, scale sigma")
def cauchy() -> Model:
    mu, sigma = REAL.symbol("mu"), POSITIVE.symbol("sigma")
    std = lambda z: -log(pi) - log(1 + z**2)  # noqa: E731
    base = _standard("cauchy(0,1)", std, moments=t_kernel_moments(sp.Symbol("z", real=True), 1))
    return _location_scale("cauchy", base, mu, sigma, std,
                           "1/(pi sigma (1 + ((x - mu)/sigma)^2)), location mu, scale sigma",
                           lambda rng, v, n: v["mu"] + v["sigma"] * rng.standard_cauchy(size=n))


@register("student_t", "location mu; degrees of freedom nu and scale sigma known")
def student_t() -> Model:
    mu, sigma = REAL.symbol("mu"), POSITIVE.symbol("sigma")
    nu = POSITIVE.symbol("nu")
    std = lambda z: (sp.loggamma((nu + 1) / 2) - sp.loggamma(nu / 2) - log(nu * pi) / 2  # noqa: E731
                     - (nu + 1) / 2 * log(1 + z**2 / nu))
    z = sp.Symbol("z", real=True)
    base = Model("t(nu)", (z,), (), std(z), (LINE,), domains=((nu, POSITIVE),), constants=(nu,),
                 moments=t_kernel_moments(z, nu))
    return _location_scale(
        "student_t", base, mu, sigma, std,
        "Gamma((nu+1)/2)/(sqrt(nu pi) sigma Gamma(nu/2)) (1 + z^2/nu)^(-(nu+1)/2), z = (x - mu)/sigma; "
        "location mu, nu and sigma known",
        lambda rng, v, n: v["mu"] + v["sigma"] * rng.standard_t(v["nu"], size=n),
        constants=(nu, sigma), cdomains=((nu, POSITIVE),),
    )


@register("logistic", "location mu, scale s")
def logistic() -> Model:
    mu, s = REAL.symbol("mu"), POSITIVE.symbol("s")
    std = lambda z: -z - 2 * log(1 + exp(-z))  # noqa: E731
    uni = standard_uniform()
    u = uni.data[0]
    base = _standard("logistic(0,1)", std, representation=Representation(
        uni, (log(u / (1 - u)),), "Z = log(U/(1-U)) with U ~ Uniform(0, 1), E[U^a (1-U)^b] = B(1+a, 1+b)"))
    return _location_scale("logistic", base, mu, s, std,
                           "exp(-z)/(s (1 + exp(-z))^2), z = (x - mu)/s; location mu, scale s",
                           lambda rng, v, n: rng.logistic(v["mu"], v["s"], size=n))


@register("gumbel", "location mu, scale sigma (maximum type)")
def gumbel() -> Model:
    mu, sigma = REAL.symbol("mu"), POSITIVE.symbol("sigma")
    std = lambda z: -z - exp(-z)  # noqa: E731
    ex = standard_exponential()
    w = ex.data[0]
    base = _standard("gumbel(0,1)", std, representation=Representation(
        ex, (-log(w),), "Z = -log W with W ~ Exp(1), E[W^s] = Gamma(1+s)"))
    return _location_scale("gumbel", base, mu, sigma, std,
                           "exp(-(z + exp(-z)))/sigma, z = (x - mu)/sigma; location mu, scale sigma (beta)",
                           lambda rng, v, n: rng.gumbel(v["mu"], v["sigma"], size=n))
