"""The univariate catalog families added after tests/test_typed.py, each typed as a user would (its
textbook form), in the catalog's coordinates and in one other common parameterization, must derive what
the catalog derives, with the same closed forms (docs/specs.md: a typed density and a catalog family go
through one engine).

The comparison is tests/test_typed.py's (:func:`test_typed.assert_twin_agrees`: entry by entry in the
catalog's coordinates, through the transformation law in the other ones). A quantity the catalog itself
fails may fail for the twin too, but then at the same step; anything else the twin fails is a gap. Each
model is derived once per module. An independent witness: the typed Fisher information (and KL) at seeded
points against quadrature (or the exact sums on a count support) of the typed density itself
(test_typed_heldout's ``Witness``). Cases marked slow are collected only with ``SYMFISHER_SLOW=1``.
"""
from __future__ import annotations

import os

import pytest
import sympy as sp

from symfisher import derive_all, from_density
from symfisher.derive import model_domains
from symfisher.domain_points import random_points
from test_typed import QUANTITIES, _catalog, assert_twin_agrees
from test_typed_heldout import _close

# (catalog family, density as typed, variable, parameters, constants, catalog parameters as functions of
#  the typed symbols or None for the catalog's own coordinates, slow)
TWINS = [
    ("inverse_gamma", "b**a/gamma(a)*x**(-a-1)*exp(-b/x)", "x in (0, oo)", ["a > 0", "b > 0"], [], None, False),
    # 1/X ~ Gamma(a, scale t): the inverse gamma's scale b = 1/t
    ("inverse_gamma", "x**(-a-1)*exp(-1/(t*x))/(gamma(a)*t**a)", "x in (0, oo)", ["a > 0", "t > 0"], [],
     lambda s: {"a": s["a"], "b": 1 / s["t"]}, False),
    ("half_normal", "sqrt(2/pi)/sigma*exp(-x**2/(2*sigma**2))", "x in (0, oo)", ["sigma > 0"], [], None, False),
    ("half_normal", "sqrt(2/(pi*v))*exp(-x**2/(2*v))", "x in (0, oo)", ["v > 0"], [],
     lambda s: {"sigma": sp.sqrt(s["v"])}, False),
    ("maxwell", "sqrt(2/pi)*x**2*exp(-x**2/(2*a**2))/a**3", "x in (0, oo)", ["a > 0"], [], None, False),
    ("maxwell", "sqrt(2/pi)*x**2*exp(-x**2/(2*v))/v**(3/2)", "x in (0, oo)", ["v > 0"], [],
     lambda s: {"a": sp.sqrt(s["v"])}, False),
    ("nakagami", "2*m**m/(gamma(m)*omega**m)*x**(2*m-1)*exp(-m*x**2/omega)", "x in (0, oo)",
     ["m > 0", "omega > 0"], [], None, False),
    # the spread as the square of the root mean square s: omega = s^2
    ("nakagami", "2*m**m/(gamma(m)*s**(2*m))*x**(2*m-1)*exp(-m*x**2/s**2)", "x in (0, oo)", ["m > 0", "s > 0"], [],
     lambda s: {"m": s["m"], "omega": s["s"] ** 2}, False),
    ("chi_squared", "x**(k/2-1)*exp(-x/2)/(2**(k/2)*gamma(k/2))", "x in (0, oo)", ["k > 0"], [], None, False),
    # the gamma shape h = k/2 at rate 1/2
    ("chi_squared", "x**(h-1)*exp(-x/2)/(2**h*gamma(h))", "x in (0, oo)", ["h > 0"], [],
     lambda s: {"k": 2 * s["h"]}, False),
    ("chi", "x**(k-1)*exp(-x**2/2)/(2**(k/2-1)*gamma(k/2))", "x in (0, oo)", ["k > 0"], [], None, False),
    ("chi", "2*x**(2*h-1)*exp(-x**2/2)/(2**h*gamma(h))", "x in (0, oo)", ["h > 0"], [],
     lambda s: {"k": 2 * s["h"]}, False),
    ("gamma_mean", "(nu/mu)**nu*x**(nu-1)*exp(-nu*x/mu)/gamma(nu)", "x in (0, oo)", ["mu > 0", "nu > 0"], [],
     None, False),
    # the GLM's dispersion phi = 1/nu (McCullagh & Nelder, Generalized Linear Models, 2nd ed., §8.2)
    ("gamma_mean", "x**(1/phi-1)*exp(-x/(phi*mu))/(gamma(1/phi)*(phi*mu)**(1/phi))", "x in (0, oo)",
     ["mu > 0", "phi > 0"], [], lambda s: {"mu": s["mu"], "nu": 1 / s["phi"]}, False),
    ("levy", "sqrt(c/(2*pi))*exp(-c/(2*x))/x**(3/2)", "x in (0, oo)", ["c > 0"], [], None, False),
    # as the inverse gamma law of shape 1/2 and scale b = c/2
    ("levy", "sqrt(b/pi)*exp(-b/x)/x**(3/2)", "x in (0, oo)", ["b > 0"], [], lambda s: {"c": 2 * s["b"]}, False),
    ("frechet", "alpha/s*(x/s)**(-1-alpha)*exp(-(x/s)**(-alpha))", "x in (0, oo)", ["alpha > 0", "s > 0"], [],
     None, False),
    ("frechet", "alpha*r*(r*x)**(-1-alpha)*exp(-(r*x)**(-alpha))", "x in (0, oo)", ["alpha > 0", "r > 0"], [],
     lambda s: {"alpha": s["alpha"], "s": 1 / s["r"]}, False),
    ("beta_prime", "x**(a-1)*(1+x)**(-a-b)/beta(a, b)", "x in (0, oo)", ["a > 0", "b > 0"], [], None, False),
    # the beta's mean and precision carried over: a = m k, b = (1 - m) k
    ("beta_prime", "x**(m*k-1)*(1+x)**(-k)/beta(m*k, (1-m)*k)", "x in (0, oo)", ["m in (0, 1)", "k > 0"], [],
     lambda s: {"a": s["m"] * s["k"], "b": (1 - s["m"]) * s["k"]}, False),
    ("power_function", "alpha*x**(alpha-1)", "x in (0, 1)", ["alpha > 0"], [], None, False),
    ("power_function", "x**(1/t-1)/t", "x in (0, 1)", ["t > 0"], [], lambda s: {"alpha": 1 / s["t"]}, False),
    ("generalized_gamma", "p/a**d*x**(d-1)*exp(-(x/a)**p)/gamma(d/p)", "x in (0, oo)", ["a > 0", "d > 0", "p > 0"],
     [], None, False),
    ("generalized_gamma", "p*r**d*x**(d-1)*exp(-(r*x)**p)/gamma(d/p)", "x in (0, oo)", ["r > 0", "d > 0", "p > 0"],
     [], lambda s: {"a": 1 / s["r"], "d": s["d"], "p": s["p"]}, False),
    ("student_t3", "gamma((nu+1)/2)/(sqrt(nu*pi)*sigma*gamma(nu/2))*(1+((x-mu)/sigma)**2/nu)**(-(nu+1)/2)", "x in R",
     ["mu real", "sigma > 0", "nu > 0"], [], None, True),
    ("student_t3", "gamma((nu+1)/2)/(sqrt(nu*pi*v)*gamma(nu/2))*(1+(x-mu)**2/(nu*v))**(-(nu+1)/2)", "x in R",
     ["mu real", "v > 0", "nu > 0"], [], lambda s: {"mu": s["mu"], "sigma": sp.sqrt(s["v"]), "nu": s["nu"]}, True),
    ("von_mises", "exp(kappa*cos(x-mu))/(2*pi*besseli(0, kappa))", "x in (-pi, pi)", ["mu real", "kappa > 0"], [],
     None, False),
    # the concentration as an inverse variance, kappa = 1/s^2 (the wrapped normal's analogy)
    ("von_mises", "exp(cos(x-mu)/s**2)/(2*pi*besseli(0, 1/s**2))", "x in (-pi, pi)", ["mu real", "s > 0"], [],
     lambda s: {"mu": s["mu"], "kappa": 1 / s["s"] ** 2}, False),
    ("zero_truncated_poisson", "lam**x*exp(-lam)/(factorial(x)*(1-exp(-lam)))", "x in 1..oo", ["lam > 0"], [],
     None, False),
    # the log rate t = log lam
    ("zero_truncated_poisson", "exp(t*x - exp(t))/(factorial(x)*(1-exp(-exp(t))))", "x in 1..oo", ["t real"], [],
     lambda s: {"lam": sp.exp(s["t"])}, False),
    ("logarithmic", "-p**x/(x*log(1-p))", "x in 1..oo", ["p in (0, 1)"], [], None, False),
    # the natural parameter t = log p < 0
    ("logarithmic", "-exp(t*x)/(x*log(1-exp(t)))", "x in 1..oo", ["t < 0"], [], lambda s: {"p": sp.exp(s["t"])},
     False),
    ("negative_binomial2", "gamma(x+r)/(gamma(r)*factorial(x))*p**r*(1-p)**x", "x in 0..oo", ["r > 0", "p in (0, 1)"],
     [], None, False),
    # size and mean m, p = r/(r + m) (VGAM negbinomial; Lawless, Canad. J. Statist. 15 (1987))
    ("negative_binomial2", "gamma(x+r)/(gamma(r)*factorial(x))*(r/(r+m))**r*(m/(r+m))**x", "x in 0..oo",
     ["r > 0", "m > 0"], [], lambda s: {"r": s["r"], "p": s["r"] / (s["r"] + s["m"])}, True),
]

# Compared by the numeric witness only: negative_binomial2's KL, where the catalog finishes it, is a series
# with log C(x + r - 1, x) inside, the twin's has log Gamma(r) outside; they differ by
# (log Gamma(r_2) - log Gamma(r_1)) (1 - sum of the mass function), zero only by the law's total mass, which
# the symbolic comparison does not sum. In (r, m) (slow) the Jeffreys ratio's derivative holds two forms of the
# series that the comparison does not bring to one: not compared (a gap of this test, not of the engine)
NUMERIC_ONLY = {"negative_binomial2-catalog": ("kl",), "negative_binomial2-other": ("kl", "jeffreys")}

SLOW = bool(os.environ.get("SYMFISHER_SLOW"))
CASES = [t for t in TWINS if SLOW or not t[6]]


def _id(t):
    return f"{t[0]}-{'catalog' if t[5] is None else 'other'}"


_TYPED: dict = {}


def _typed(entry):
    """(model, its report), derived once per module."""
    key = _id(entry)
    if key not in _TYPED:
        _, dens, var, params, consts, _, _ = entry
        m = from_density(dens, var=var, params=params, consts=consts)
        _TYPED[key] = (m, derive_all(m, only=QUANTITIES))
    return _TYPED[key]


def _failed_steps(rep, q):
    d = rep.derivations.get(q)
    return sorted({f.step for f in d.failures}) if d is not None else []


@pytest.mark.parametrize("entry", CASES, ids=_id)
def test_typed_twin_derives_what_the_catalog_derives(entry):
    m, rep = _typed(entry)
    cat_rep = _catalog(entry[0])
    for q in QUANTITIES:
        if cat_rep.get(q) is not None:
            assert rep.get(q) is not None, (q, rep.failures)
        elif rep.get(q) is None:  # the catalog's own failure: the twin fails the same step
            assert _failed_steps(rep, q) == _failed_steps(cat_rep, q), (q, rep.failures, cat_rep.failures)
    assert_twin_agrees(m, rep, cat_rep, entry[5], numeric_only=NUMERIC_ONLY.get(_id(entry), ()))


def _witness(entry, m):
    """test_typed_heldout's witness (quadrature or exact sums of the typed density as SymPy's parser reads
    the text, ``sympy.diff`` for the score), on the model's support."""
    from test_typed_heldout import Witness

    inf = float("inf")
    sup = m.support[0]
    if type(sup).__name__ == "IntegerSupport":
        kind = ("count", int(sup.lo), None)
    else:
        kind = ("line",) + tuple(inf if v == sp.oo else -inf if v == -sp.oo else float(v) for v in (sup.lo, sup.hi))
    return Witness((_id(entry), *entry[1:5], kind))


@pytest.mark.parametrize("entry", CASES, ids=_id)
def test_typed_numeric_witness(entry):
    """The typed Fisher information at seeded points against E[s s^T] by quadrature (or the exact sums) of the
    typed density, and the typed KL, where derived, against E_1[log f_1 - log f_2] (the KL of
    negative_binomial2, which the catalog may not finish in its budget, so only this checks it)."""
    m, rep = _typed(entry)
    w = _witness(entry, m)
    syms = sorted(m.params + m.constants, key=lambda t: t.name)
    pts = random_points(syms, model_domains(m), n=2, seed=37)
    for pt in pts:
        vals = {k.name: float(v) for k, v in pt.items()}
        want = w.fisher(vals)
        got = sp.Matrix(rep.get("fisher")).evalf(15, subs=pt)
        for i in range(got.rows):
            for j in range(got.cols):
                assert _close(complex(got[i, j]).real, want[i][j]), (entry[0], vals, i, j, got[i, j], want[i][j])
    if rep.get("kl") is not None:
        first, second = rep.derivations["kl"].extras["first"], rep.derivations["kl"].extras["second"]
        a, b = ({k.name: float(v) for k, v in pt.items()} for pt in pts)
        at = {first[p]: a[p.name] for p in m.params} | {second[p]: b[p.name] for p in m.params}
        got = complex(sp.N(rep.get("kl").xreplace(at), 15)).real
        assert _close(got, w.kl(a, b)), (entry[0], a, b, got)
