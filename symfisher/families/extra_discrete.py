"""More discrete families, declared thin: the mass function, the domains and the names.

* ``zero_truncated_poisson`` — rate lam (λ): lam^x e^(-lam) / (x! (1 - e^(-lam))), x = 1, 2, ...
  (a Poisson count conditioned to be positive). Johnson, Kemp & Kotz, *Univariate Discrete
  Distributions*, 3rd ed. (2005), §4.10.1; VGAM ``pospoisson``.
* ``logarithmic`` — parameter p: -p^x / (x log(1 - p)), x = 1, 2, ..., 0 < p < 1 (the log-series law
  of Fisher, Corbet & Williams, 1943). Johnson, Kemp & Kotz (2005), §7.1; VGAM ``logff``.

Not in the catalog: the negative binomial with both the mean and the size unknown, whose
information in the size is the series psi'(r) - E[psi'(X + r)] - mu/(r (r + mu)) with no closed
form (Lawless, *Canad. J. Statist.* 15, 1987); ``symfisher derive --at`` gives it at a point.
Nor the zeta (Zipf) law: its information zeta''(s)/zeta(s) - (zeta'(s)/zeta(s))^2 is derived, but the
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
    # inverse CDF of the Poisson restricted to (P(0), 1]
    from scipy import stats

    p0 = np.exp(-lam)
    u = p0 + (1 - p0) * rng.uniform(size=n)
    return np.maximum(stats.poisson.ppf(u, lam), 1)


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
