"""Shared pieces of the catalog: symbols, standard base laws and kernel moment tables."""
from __future__ import annotations

import sympy as sp

from ..domains import POSITIVE, REAL, IntervalSupport
from ..model import MGF, Model, PowerMoments

S_ = sp.Symbol("s_", real=True)
T_ = sp.Symbol("t_", real=True)


def data_symbol(name: str, support) -> sp.Symbol:
    return sp.Symbol(name, **support.variable_assumptions())


def standard_exponential() -> Model:
    """W ~ Exp(1): E[W^s] = Gamma(1 + s)."""
    w = sp.Symbol("w", positive=True)
    return Model(
        "exponential(1)", (w,), (), -w, (IntervalSupport(0, sp.oo),),
        power_moments=PowerMoments((w,), (S_,), sp.gamma(1 + S_)),
    )


def standard_uniform() -> Model:
    """U ~ Uniform(0, 1): E[U^a (1 - U)^b] = B(1 + a, 1 + b)."""
    u = sp.Symbol("u", positive=True)
    return Model(
        "uniform(0,1)", (u,), (), sp.S.Zero, (IntervalSupport(0, 1),),
        power_moments=PowerMoments((u, 1 - u), (S_, T_), sp.gamma(1 + S_) * sp.gamma(1 + T_) / sp.gamma(2 + S_ + T_)),
    )


def standard_normal() -> Model:
    """Z ~ N(0, 1): E[exp(tZ)] = exp(t^2/2)."""
    z = sp.Symbol("z", real=True)
    return Model(
        "normal(0,1)", (z,), (), -z**2 / 2 - sp.log(2 * sp.pi) / 2, (IntervalSupport(-sp.oo, sp.oo),),
        mgf=MGF(T_, sp.exp(T_**2 / 2)),
    )


def monomial_powers(t, xs: tuple) -> dict | None:
    """``{x: k}`` when ``t = prod x^k`` is a monomial in the data ``xs`` (positive integer powers), else ``None``."""
    powers = dict.fromkeys(xs, 0)
    for f in sp.Mul.make_args(t):
        b, e = f.as_base_exp()
        if b not in powers or not (e.is_Integer and e > 0):
            return None
        powers[b] += int(e)
    return powers


def gaussian_moments(xs: tuple, mus: tuple, Sigma):
    """The moment table ``t -> E[t]`` of ``x ~ N_d(mu, Sigma)`` for monomials ``prod x_i^k_i``:
    differentiate the joint MGF ``exp(t^T mu + t^T Sigma t / 2)`` at ``t = 0`` (Mardia, Kent &
    Bibby 1979, §2.5); ``None`` for any other statistic. ``Sigma`` is an explicit matrix (its
    entries may be opaque ``(M^{-1})_ij``)."""
    d = len(xs)
    ts = sp.symbols(f"t_1:{d + 1}", real=True)
    tv = sp.Matrix(ts)
    mgf = sp.exp((tv.T * sp.Matrix(mus))[0, 0] + sp.Add(*[ts[i] * ts[j] * Sigma[i, j] for i in range(d) for j in range(d)]) / 2)

    def moments(t):
        powers = monomial_powers(t, xs)
        if powers is None:
            return None
        v = mgf
        for xi, ti in zip(xs, ts):
            if powers[xi]:
                v = sp.diff(v, ti, powers[xi])
        return sp.expand(v.subs({ti: 0 for ti in ts}))

    return moments


def t_kernel_moments(z: sp.Symbol, nu):
    """E[z^a / (z^2 + nu)^m] under Student's t with ``nu`` degrees of freedom.

    ``E[z^(2j) (1 + z^2/nu)^(-m)] = nu^j B(j + 1/2, nu/2 + m - j) / B(1/2, nu/2)``
    (a Beta integral after ``z^2/nu = u/(1-u)``); odd powers vanish by symmetry.

    Kept as a declared hook because it is faster than the general route (the engine finds the same values
    in the density itself, from the even law's transform in ``|z|`` and ``nu + z^2``; the two are compared
    statistic by statistic in tests/test_kernels_student_logistic.py).
    """

    nu = sp.S(nu)

    def moments(t):
        t = sp.factor(sp.cancel(t))
        num, den = sp.fraction(t)
        c_den, rest = sp.factor_terms(den).as_coeff_Mul()
        m = 0
        if rest != 1:
            b, e = rest.as_base_exp()
            if sp.expand(b - (z**2 + nu)) != 0 or not (e.is_Integer and e > 0):
                return None
            m = int(e)
        if not num.is_polynomial(z):
            return None
        total = sp.S.Zero
        for (a,), c in sp.Poly(num, z).terms():
            if a % 2:
                continue
            j = a // 2
            total += c * nu**j * sp.beta(sp.Rational(2 * j + 1, 2), nu / 2 + m - j) / sp.beta(sp.S.Half, nu / 2) / nu**m
        return sp.expand_func(sp.gammasimp(sp.expand_func(total / c_den)))

    return moments


def symmetric_abs_moments(z: sp.Symbol, abs_moment, density_at_zero):
    """Moments of a law symmetric about 0 from its absolute moments ``E|Z|^p = abs_moment(p)``.

    A statistic ``|z|^a sign(z)^c z^k`` is ``|z|^(a+k) sign(z)^(c+k)``: it has mean 0 when the
    power of the sign is odd (symmetry) and ``E|Z|^(a+k)`` when it is even. ``DiracDelta(c z)``
    has mean ``f(0)/|c|``.
    """

    def moments(t):
        coeff, factors = sp.S.One, []
        for f in sp.Mul.make_args(t):
            if f.free_symbols & {z}:
                factors.append(f)
            else:
                coeff *= f
        if len(factors) == 1 and isinstance(factors[0], sp.DiracDelta) and len(factors[0].args) == 1:
            c = sp.cancel(factors[0].args[0] / z)
            if c.free_symbols & {z} or c == 0:
                return None
            return coeff * density_at_zero / sp.Abs(c)
        p = sgn = 0
        for f in factors:
            b, e = f.as_base_exp()
            if not (e.is_Integer and e > 0):
                return None
            e = int(e)
            if b == z:
                p, sgn = p + e, sgn + e
            elif b == sp.Abs(z):
                p += e
            elif b == sp.sign(z):
                sgn += e
            else:
                return None
        return sp.S.Zero if sgn % 2 else coeff * abs_moment(p)

    return moments

