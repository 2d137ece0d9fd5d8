"""Normal families.

* ``normal_mean`` — N(mu, sigma^2) with sigma known; parameter mu.
* ``normal_variance`` — N(mu, v) with mu known; parameter the variance v = sigma^2.
* ``normal`` — N(mu, sigma^2), parameters mu and the standard deviation sigma.
* ``mvn_mean`` — N_d(mu, Sigma) in d dimensions with a known symbolic covariance
  Sigma = (sigma_ij) (symmetric, positive definite); parameters mu_1..mu_d.
"""
from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy import log

from ..domains import POSITIVE, REAL, IntervalSupport
from ..model import GaussianMean, Model, Representation
from . import register
from ._base import data_symbol, gaussian_moments, standard_normal

LINE = IntervalSupport(-sp.oo, sp.oo)


def _normal_logpdf(x, mu, var):
    return -log(2 * sp.pi * var) / 2 - (x - mu) ** 2 / (2 * var)


def _standardized(mu, scale, scale_text: str) -> Representation:
    """X = mu + scale Z with Z ~ N(0, 1): every expectation becomes a polynomial in Z, from Z's MGF
    exp(t^2/2) (the family declares no MGF of its own: the representation answers first)."""
    base = standard_normal()
    return Representation(base, (mu + scale * base.data[0],), f"X = mu + {scale_text} Z with Z ~ N(0, 1)")


@register("normal_mean", "N(mu, sigma^2), sigma known")
def normal_mean() -> Model:
    x, mu, sigma = data_symbol("x", LINE), REAL.symbol("mu"), POSITIVE.symbol("sigma")
    return Model(
        "normal_mean", (x,), (mu,), _normal_logpdf(x, mu, sigma**2), (LINE,),
        domains=((mu, REAL), (sigma, POSITIVE)), constants=(sigma,), family="normal_mean",
        parameterization="N(mu, sigma^2), mean mu, standard deviation sigma known",
        representation=_standardized(mu, sigma, "sigma"),
        sampler=lambda rng, v, n: rng.normal(v["mu"], v["sigma"], size=n),
    )


@register("normal_variance", "N(mu, v), mu known, variance v")
def normal_variance() -> Model:
    x, mu, v = data_symbol("x", LINE), REAL.symbol("mu"), POSITIVE.symbol("v")
    return Model(
        "normal_variance", (x,), (v,), _normal_logpdf(x, mu, v), (LINE,),
        domains=((v, POSITIVE), (mu, REAL)), constants=(mu,), family="normal_variance",
        parameterization="N(mu, v), variance v = sigma^2, mean mu known",
        representation=_standardized(mu, sp.sqrt(v), "sqrt(v)"),
        sampler=lambda rng, vals, n: rng.normal(vals["mu"], vals["v"] ** 0.5, size=n),
    )


@register("normal", "N(mu, sigma^2), mean and standard deviation")
def normal() -> Model:
    x, mu, sigma = data_symbol("x", LINE), REAL.symbol("mu"), POSITIVE.symbol("sigma")
    return Model(
        "normal", (x,), (mu, sigma), _normal_logpdf(x, mu, sigma**2), (LINE,),
        domains=((mu, REAL), (sigma, POSITIVE)), family="normal",
        parameterization="N(mu, sigma^2), mean mu, standard deviation sigma",
        representation=_standardized(mu, sigma, "sigma"),
        sampler=lambda rng, v, n: rng.normal(v["mu"], v["sigma"], size=n),
    )


def covariance_symbols(d: int):
    """The symmetric matrix (sigma_ij) with sigma_ii > 0 and sigma_ij real, and its entries."""
    entries = {}
    doms = []
    for i in range(1, d + 1):
        for j in range(i, d + 1):
            dom = POSITIVE if i == j else REAL
            s = dom.symbol(f"sigma_{i}{j}" if d < 10 else f"sigma_{i}_{j}")
            entries[(i, j)] = entries[(j, i)] = s
            doms.append((s, dom))
    return sp.Matrix(d, d, lambda i, j: entries[(i + 1, j + 1)]), tuple(doms)


@register("mvn_mean", "N_d(mu, Sigma), Sigma known (symbolic), mean vector mu")
def mvn_mean(d: int = 2) -> Model:
    if d < 1:
        raise ValueError(f"mvn_mean needs d >= 1, got d = {d}")
    xs = tuple(data_symbol(f"x_{i}", LINE) for i in range(1, d + 1))
    mus = tuple(REAL.symbol(f"mu_{i}") for i in range(1, d + 1))
    Sigma, cov_domains = covariance_symbols(d)
    S = sp.MatrixSymbol("Sigma", d, d)
    if d <= 3:
        P = Sigma.inv()  # written out: cofactors of a small matrix
    else:
        # beyond d = 3 the entries of Sigma^{-1} are not written out (cofactor expansions grow like d!):
        # they stay the opaque (Sigma^{-1})_ij, and the derivations work in matrix algebra
        Pinv = sp.Inverse(S)
        P = sp.Matrix(d, d, lambda i, j: MatrixElement(Pinv, min(i, j), max(i, j)))
    gauss = GaussianMean(sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("mu", d, 1), S, xs, mus, Sigma, P)
    logf = gauss.log_density()
    moments = gaussian_moments(xs, mus, Sigma)  # E[prod x_i^k_i] from the joint MGF

    def sampler(rng, v, n):
        import numpy as np

        mean = np.array([v[m.name] for m in mus])
        cov = np.array([[float(Sigma[i, j].subs({s: v[s.name] for s, _ in cov_domains})) for j in range(d)] for i in range(d)])
        return rng.multivariate_normal(mean, cov, size=n)

    # positive definiteness by leading minors while they are small; beyond d = 3 the covariance
    # entries are drawn together as a random positive definite matrix
    constraints = tuple(Sigma[:k, :k].det() > 0 for k in range(2, min(d, 3) + 1))
    cov_syms = tuple(s for s, _ in cov_domains)

    def draw_covariance(rng):
        import numpy as np

        A = rng.uniform(-1.0, 1.0, size=(d, d))
        C = A @ A.T / d + np.diag(rng.uniform(0.5, 1.5, size=d))
        return [C[i, j] for i in range(d) for j in range(i, d)]  # the order of covariance_symbols

    joint = (((cov_syms, draw_covariance),) if d > 3 else ())
    return Model(
        "mvn_mean", xs, mus, logf, (LINE,) * d,
        domains=tuple((m, REAL) for m in mus) + cov_domains,
        constants=tuple(s for s, _ in cov_domains), family="mvn_mean",
        parameterization=f"N_{d}(mu, Sigma), Sigma = (sigma_ij) known, symmetric positive definite",
        moments=moments, sampler=sampler,
        meta=(("constraints", constraints), ("d", d), ("covariance", Sigma), ("gaussian", gauss),
              ("joint_samplers", joint)),
    )
