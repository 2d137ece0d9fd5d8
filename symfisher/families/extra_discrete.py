"""More discrete families, declared thin: the mass function, the domains and the names.

* ``zero_truncated_poisson`` — rate lam (λ): lam^x e^(-lam) / (x! (1 - e^(-lam))), x = 1, 2, ...
  (a Poisson count conditioned to be positive). Johnson, Kemp & Kotz, *Univariate Discrete
  Distributions*, 3rd ed. (2005), §4.10.1; VGAM ``pospoisson``.
* ``logarithmic`` — parameter p: -p^x / (x log(1 - p)), x = 1, 2, ..., 0 < p < 1 (the log-series law
  of Fisher, Corbet & Williams, 1943). Johnson, Kemp & Kotz (2005), §7.1; VGAM ``logff``.
* ``negative_binomial2`` — the negative binomial with both parameters unknown: size r > 0 (a
  positive real, not only a count) and success probability p in (0, 1):
  C(x + r - 1, x) p^r (1 - p)^x = Gamma(x + r)/(Gamma(r) x!) p^r (1 - p)^x, x = 0, 1, ... (the
  failures before the r-th success, for an integer r). Its information in the size,
  I_rr = psi'(r) - E[psi'(X + r)], is an infinite series with no closed form: the engine gives it as
  the exact series with its convergence proven (symfisher/series.py); I_rp = -1/p and
  I_pp = r/(p^2 (1 - p)) are closed. Lawless, *Canad. J. Statist.* 15 (1987), 209-225 (in the mean
  parameterization); Johnson, Kemp & Kotz (2005), ch. 5; VGAM ``negbinomial`` (mean and size).

Not in the catalog: the zeta (Zipf) law: its information zeta''(s)/zeta(s) - (zeta'(s)/zeta(s))^2 is derived, but the
numeric witnesses cannot evaluate a derivative of zeta yet; nor the Borel law (I = 1/(mu (1 - mu)) is
derived, but SymPy turns log(x!) into log(gamma(x + 1)), which overflows past x = 170 in the
numeric KL oracle, and the heavy tail near mu = 1 is then cut short).
"""
from __future__ import annotations

import sympy as sp
from sympy import exp, log

from ..domains import POSITIVE, UNIT, IntegerSupport
from ..model import Model
from . import register
from ._base import data_symbol


@register("zero_truncated_poisson", "positive counts with rate lam")
def zero_truncated_poisson() -> Model:
    sup = IntegerSupport(1, sp.oo)
    x, lam = data_symbol("x", sup), POSITIVE.symbol("lam")
    return Model(
        "zero_truncated_poisson", (x,), (lam,), x * log(lam) - lam - log(sp.factorial(x)) - log(1 - exp(-lam)), (sup,),
        domains=((lam, POSITIVE),), family="zero_truncated_poisson",
        parameterization="lam^x exp(-lam) / (x! (1 - exp(-lam))), x = 1, 2, ..., rate lam > 0",
        sampler=_ztp_sampler,
    )


def _ztp_sampler(rng, v, n):
    import numpy as np

    lam = v["lam"]
    # the Poisson conditioned on x >= 1, by rejection: the zeros are drawn again until none is left (exact;
    # NumPy's own Poisson sampler, where SciPy's inverse CDF costs its import, ~0.5 s, in a fresh worker)
    x = rng.poisson(lam, size=n)
    zero = x == 0
    while zero.any():
        x[zero] = rng.poisson(lam, size=int(zero.sum()))
        zero = x == 0
    return x.astype(float)


@register("logarithmic", "log-series counts, parameter p")
def logarithmic() -> Model:
    sup = IntegerSupport(1, sp.oo)
    x, p = data_symbol("x", sup), UNIT.symbol("p")
    return Model(
        "logarithmic", (x,), (p,), x * log(p) - log(x) - log(-log(1 - p)), (sup,),
        domains=((p, UNIT),), family="logarithmic",
        parameterization="-p^x / (x log(1 - p)), x = 1, 2, ..., 0 < p < 1",
        sampler=lambda rng, v, n: rng.logseries(v["p"], size=n),
    )


@register("negative_binomial2", "failures before the r-th success, size r and probability p both unknown")
def negative_binomial2() -> Model:
    sup = IntegerSupport(0, sp.oo)
    x, r, p = data_symbol("x", sup), POSITIVE.symbol("r"), UNIT.symbol("p")
    return Model(
        "negative_binomial2", (x,), (r, p),
        log(sp.binomial(x + r - 1, x)) + r * log(p) + x * log(1 - p), (sup,),
        domains=((r, POSITIVE), (p, UNIT)), family="negative_binomial2",
        parameterization="C(x + r - 1, x) p^r (1-p)^x, x = 0, 1, ..., size r > 0 and probability p both unknown",
        # NumPy's sampler takes a real size n > 0 with this very mass function
        sampler=lambda rng, v, n: rng.negative_binomial(v["r"], v["p"], size=n),
    )
