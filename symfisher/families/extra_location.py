"""Location families whose shape is a parameter too: Student's t in three parameters, von Mises.

* ``student_t3`` — location mu (μ), scale sigma (σ), degrees of freedom nu (ν):
  Gamma((nu+1)/2) / (sqrt(nu pi) sigma Gamma(nu/2)) (1 + z^2/nu)^(-(nu+1)/2), z = (x - mu)/sigma.
  (The catalog's ``student_t`` is the location-only model with nu and sigma known.)
  Lange, Little & Taylor, *J. Amer. Statist. Assoc.* 84 (1989), appendix; gamlss.dist ``TF``.
* ``von_mises`` — mean direction mu (μ), concentration kappa (κ):
  exp(kappa cos(x - mu)) / (2 pi I_0(kappa)), x in (-pi, pi) (the circular normal law; the
  density is 2 pi-periodic, so one turn of the circle is the support whatever mu is).
  Mardia & Jupp, *Directional Statistics* (2000), §3.5.4 and §5.3.

Each is standardized, X = mu + sigma Z (resp. X = mu + Z on the circle), and the standard law
keeps its shape parameter as a known constant of the base, as the catalog's ``student_t`` does.
Hooks, because the general engine cannot yet integrate these kernels in closed form (say so
in any report): the t base takes its expectations through U = Z^2/(nu + Z^2) ~ Beta(1/2, nu/2)
(every even statistic of Z is a function of U, odd ones vanish), by the engine itself under
that Beta law's Mellin transform; the von Mises base through E[cos(Z)^k] = I_0^(k)(kappa)/I_0(kappa)
(the derivatives of E[exp(t cos Z)] = I_0(kappa + t)/I_0(kappa)), odd powers of sin(Z) vanishing.
"""
from __future__ import annotations

import sympy as sp
from sympy import cos, log, pi, sin

from ..domains import POSITIVE, REAL, IntervalSupport
from ..model import Model, PowerMoments, Representation
from . import register
from ._base import S_, T_, data_symbol

LINE = IntervalSupport(-sp.oo, sp.oo)
CIRCLE = IntervalSupport(-sp.pi, sp.pi)


def _parity(t, z):
    """+1 for an even statistic of z, -1 for an odd one, 0 for neither."""
    flipped = t.xreplace({z: -z})
    if sp.expand(flipped - t) == 0:
        return 1
    if sp.expand(flipped + t) == 0:
        return -1
    return 0


def t_shape_moments(z: sp.Symbol, nu: sp.Symbol):
    """E[t(Z)] under Student's t with ``nu`` degrees of freedom, for any statistic of Z.

    Odd statistics have mean 0; an even one is a function of ``U = Z^2/(nu + Z^2)``, and
    ``U ~ Beta(1/2, nu/2)``: ``E[U^s (1-U)^t] = B(1/2 + s, nu/2 + t)/B(1/2, nu/2)``.
    """
    from ..expectation import ExpectationError, expectation

    u = sp.Symbol("u", positive=True)
    beta_u = Model(
        "beta(1/2, nu/2)", (u,), (), -log(u) / 2 + (nu / 2 - 1) * log(1 - u) - log(sp.beta(sp.S.Half, nu / 2)),
        (IntervalSupport(0, 1),), domains=((nu, POSITIVE),), constants=(nu,),
        power_moments=PowerMoments((u, 1 - u), (S_, T_), sp.gamma(sp.S.Half + S_) * sp.gamma(nu / 2 + T_)
                                   * sp.gamma((nu + 1) / 2) / (sp.gamma(sp.S.Half) * sp.gamma(nu / 2)
                                                               * sp.gamma((nu + 1) / 2 + S_ + T_))),
    )
    # with v = 1 - U: z^2 = nu (1 - v)/v and nu + z^2 = nu/v, so every log splits (v > 0)
    v = sp.Symbol("v", positive=True)
    to_v = {z: sp.sqrt(nu * (1 - v) / v)}

    def moments(t):
        par = _parity(t, z)
        if par == -1:
            return sp.S.Zero
        if par == 0:
            return None
        tv = t.xreplace(to_v).replace(lambda e: isinstance(e, sp.log), lambda e: log(sp.cancel(sp.together(e.args[0]))))
        tv = sp.expand(sp.cancel(sp.expand_log(tv, force=True)))
        tu = sp.expand(tv.xreplace({v: 1 - u}))
        try:
            return expectation(tu, beta_u).value
        except ExpectationError:
            return None

    return moments


def von_mises_moments(z: sp.Symbol, kappa: sp.Symbol):
    """E[t(Z)] under von Mises(0, kappa) for polynomials in cos Z and sin Z (after expanding
    trigonometric sums): ``E[cos^k Z] = I_0^(k)(kappa)/I_0(kappa)``, odd powers of sin Z have
    mean 0, and ``sin^2 = 1 - cos^2``."""
    c = sp.Symbol("c_", real=True)

    def cos_moment(k):
        return sp.diff(sp.besseli(0, kappa), kappa, k) / sp.besseli(0, kappa)

    def moments(t):
        e = sp.expand(sp.expand_trig(sp.expand(t, trig=True)))
        total = sp.S.Zero
        for term in sp.Add.make_args(e):
            coeff, kc, ks = sp.S.One, 0, 0
            for f in sp.Mul.make_args(term):
                b, p = f.as_base_exp()
                if not f.has(z):
                    coeff *= f
                elif b == cos(z) and p.is_Integer and p > 0:
                    kc += int(p)
                elif b == sin(z) and p.is_Integer and p > 0:
                    ks += int(p)
                else:
                    return None
            if ks % 2:
                continue
            poly = sp.expand(c**kc * (1 - c**2) ** (ks // 2))
            total += coeff * sp.Add(*[a * cos_moment(int(m)) for (m,), a in sp.Poly(poly, c).terms()])
        return sp.expand(total)

    return moments


@register("student_t3", "location mu, scale sigma, degrees of freedom nu")
def student_t3() -> Model:
    x = data_symbol("x", LINE)
    mu, sigma, nu = REAL.symbol("mu"), POSITIVE.symbol("sigma"), POSITIVE.symbol("nu")
    z = sp.Symbol("z", real=True)

    def std(w):
        return (sp.loggamma((nu + 1) / 2) - sp.loggamma(nu / 2) - log(nu * pi) / 2
                - (nu + 1) / 2 * log(1 + w**2 / nu))

    base = Model("t(nu)", (z,), (), std(z), (LINE,), domains=((nu, POSITIVE),), constants=(nu,),
                 moments=t_shape_moments(z, nu))
    return Model(
        "student_t3", (x,), (mu, sigma, nu), std((x - mu) / sigma) - log(sigma), (LINE,),
        domains=((mu, REAL), (sigma, POSITIVE), (nu, POSITIVE)), family="student_t3",
        parameterization="Gamma((nu+1)/2)/(sqrt(nu pi) sigma Gamma(nu/2)) (1 + z^2/nu)^(-(nu+1)/2), "
                         "z = (x - mu)/sigma; location mu, scale sigma, degrees of freedom nu",
        representation=Representation(base, (mu + sigma * z,), "X = mu + sigma Z with Z ~ t(nu)"),
        sampler=lambda rng, v, n: v["mu"] + v["sigma"] * rng.standard_t(v["nu"], size=n),
    )


@register("von_mises", "mean direction mu, concentration kappa (circular)")
def von_mises() -> Model:
    x = data_symbol("x", CIRCLE)
    mu, kappa = REAL.symbol("mu"), POSITIVE.symbol("kappa")
    z = sp.Symbol("z", real=True)
    norm = log(2 * pi) + log(sp.besseli(0, kappa))
    base = Model("von_mises(0, kappa)", (z,), (), kappa * cos(z) - norm, (CIRCLE,),
                 domains=((kappa, POSITIVE),), constants=(kappa,), moments=von_mises_moments(z, kappa))

    def sampler(rng, v, n):
        import numpy as np

        w = rng.vonmises(v["mu"], v["kappa"], size=n)
        return np.mod(w + np.pi, 2 * np.pi) - np.pi  # onto the declared turn (-pi, pi)

    return Model(
        "von_mises", (x,), (mu, kappa), kappa * cos(x - mu) - norm, (CIRCLE,),
        domains=((mu, REAL), (kappa, POSITIVE)), family="von_mises",
        parameterization="exp(kappa cos(x - mu)) / (2 pi I_0(kappa)), mean direction mu, concentration kappa",
        representation=Representation(base, (mu + z,), "X = mu + Z (mod 2 pi) with Z ~ von Mises(0, kappa)"),
        sampler=sampler,
    )
