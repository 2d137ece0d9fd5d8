"""Per-example regression models beyond the logistic: one response y given d known features.

Each declares its linear predictor ``eta = w_1 x_1 + ... + w_d x_d`` (``meta["eta"]``); where the
weights are the only parameters it is a :class:`~symfisher.model.LinearIndex` (the chain rule
``I = a a^T I_eta``), where a dispersion is estimated too the generic engine derives the block.
The information is conditional on the features. The default size is d = 1 (one feature), where
the information is nonsingular; with d > 1 features one example informs only the index, so the
weight block has rank one (use ``--size d=3``).

* ``poisson_regression`` — counts, log link: y ~ Poisson(exp(eta)); I = exp(eta) x x^T.
  McCullagh & Nelder, *Generalized Linear Models* (1989), §6.2.
* ``probit_regression`` — y in {0, 1}, P(y = 1 | x) = Phi(eta) (standard normal CDF);
  I = phi(eta)^2/(Phi(eta)(1 - Phi(eta))) x x^T. McCullagh & Nelder (1989), §4.3.
* ``linear_regression`` — y ~ N(eta, sigma^2) with the noise scale sigma (σ) unknown:
  I = diag(x x^T/sigma^2, 2/sigma^2). Greene, *Econometric Analysis* (2012), §14.9.
* ``gamma_regression`` — y ~ Gamma with mean exp(eta) (log link) and shape nu (ν, the inverse
  dispersion): I = diag(nu x x^T, psi'(nu) - 1/nu). McCullagh & Nelder (1989), §8.3.
"""
from __future__ import annotations

import sympy as sp
from sympy import exp, log

from ..domains import POSITIVE, REAL, FiniteSupport, IntegerSupport, IntervalSupport
from ..model import LinearIndex, Model
from . import register
from ._base import data_symbol


def _features(d: int, what: str):
    if d < 1:
        raise ValueError(f"{what} needs d >= 1, got d = {d}")
    ws = tuple(REAL.symbol(f"w_{i}") for i in range(1, d + 1))
    xs = tuple(REAL.symbol(f"x_{i}") for i in range(1, d + 1))
    return ws, xs, sp.Add(*[w * x for w, x in zip(ws, xs)])


def _eta_value(ws, xs, v):
    return sum(v[w.name] * v[x.name] for w, x in zip(ws, xs))


def _regression(name, y, ws, xs, eta, logf, sup, parameterization, sampler, extra=(), index=None):
    meta = (("d", len(ws)), ("eta", eta)) + ((("index", index),) if index is not None else ())
    return Model(
        name, (y,), ws + tuple(s for s, _ in extra), logf, (sup,),
        domains=tuple((w, REAL) for w in ws) + tuple(extra) + tuple((x, REAL) for x in xs), constants=xs,
        family=name, parameterization=parameterization, sampler=sampler, meta=meta,
    )


@register("poisson_regression", "counts y given d known features, log link, weights w")
def poisson_regression(d: int = 1) -> Model:
    ws, xs, eta = _features(d, "poisson_regression")
    sup = IntegerSupport(0, sp.oo)
    y, e = data_symbol("y", sup), REAL.symbol("eta")
    g = y * e - exp(e) - log(sp.factorial(y))

    def sampler(rng, v, n):
        import numpy as np

        return rng.poisson(np.exp(_eta_value(ws, xs, v)), size=n)

    return _regression("poisson_regression", y, ws, xs, eta, g.xreplace({e: eta}), sup,
                       f"y ~ Poisson(exp(w_1 x_1 + ... + w_{d} x_{d})), features known", sampler,
                       index=LinearIndex(e, g, eta, REAL))


def std_normal_cdf(e):
    """Phi(e) = erfc(-e/sqrt(2))/2: with erfc, 1 - Phi(e) = erfc(e/sqrt(2))/2 keeps its digits in
    the tails (1 - (1 + erf)/2 loses them all beyond e = 8 in floating point)."""
    return sp.erfc(-e / sp.sqrt(2)) / 2


@register("probit_regression", "label y in {0,1} given d known features, P(y=1) = Phi(w.x)")
def probit_regression(d: int = 1) -> Model:
    ws, xs, eta = _features(d, "probit_regression")
    sup = FiniteSupport((0, 1))
    y, e = data_symbol("y", sup), REAL.symbol("eta")
    g = y * log(std_normal_cdf(e)) + (1 - y) * log(std_normal_cdf(-e))  # 1 - Phi(e) = Phi(-e)

    def sampler(rng, v, n):
        from scipy.special import ndtr

        return rng.binomial(1, ndtr(_eta_value(ws, xs, v)), size=n)

    return _regression("probit_regression", y, ws, xs, eta, g.xreplace({e: eta}), sup,
                       f"P(y = 1 | x) = Phi(w_1 x_1 + ... + w_{d} x_{d}), Phi the standard normal CDF", sampler,
                       index=LinearIndex(e, g, eta, REAL))


@register("linear_regression", "y ~ N(w.x, sigma^2) given d known features, noise scale sigma unknown")
def linear_regression(d: int = 1) -> Model:
    ws, xs, eta = _features(d, "linear_regression")
    sup = IntervalSupport(-sp.oo, sp.oo)
    y, sigma = data_symbol("y", sup), POSITIVE.symbol("sigma")
    logf = -log(sigma) - log(2 * sp.pi) / 2 - (y - eta) ** 2 / (2 * sigma**2)

    def sampler(rng, v, n):
        return rng.normal(_eta_value(ws, xs, v), v["sigma"], size=n)

    return _regression("linear_regression", y, ws, xs, eta, logf, sup,
                       f"y ~ N(w_1 x_1 + ... + w_{d} x_{d}, sigma^2), features known, sigma unknown", sampler,
                       extra=((sigma, POSITIVE),))


@register("gamma_regression", "y ~ Gamma(mean exp(w.x), shape nu) given d known features")
def gamma_regression(d: int = 1) -> Model:
    ws, xs, eta = _features(d, "gamma_regression")
    sup = IntervalSupport(0, sp.oo)
    y, nu = data_symbol("y", sup), POSITIVE.symbol("nu")
    logf = nu * log(nu) - nu * eta - sp.loggamma(nu) + (nu - 1) * log(y) - nu * y * exp(-eta)

    def sampler(rng, v, n):
        import numpy as np

        return rng.gamma(v["nu"], np.exp(_eta_value(ws, xs, v)) / v["nu"], size=n)

    return _regression("gamma_regression", y, ws, xs, eta, logf, sup,
                       f"y ~ Gamma(mean exp(w_1 x_1 + ... + w_{d} x_{d}), shape nu), log link, features known",
                       sampler, extra=((nu, POSITIVE),))
