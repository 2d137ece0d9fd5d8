"""The families added for coverage: each Fisher information against the literature. The
independent numeric witness of each (quadrature, Monte Carlo, integrated KL) is the catalog-wide
``symfisher verify`` test in tests/test_numeric.py, which runs over every registered family.

``LITERATURE`` is merged into the catalog suite's table (tests/test_catalog.py), so every
family here also runs the catalog's checks (routes agree, E[s] = 0, positive definite, n I
additivity, Cramér–Rao). Sources, per family:

* inverse_gamma: Fisher is invariant under the data map x -> 1/x, so it is the gamma law's in
  (shape, rate): Lehmann & Casella (1998), Table 2.5.1; Wikipedia, "Inverse-gamma distribution".
* half_normal, maxwell, chi (scale a of a chi_k law): I(a) = 2k/a^2 (k = 1, 3); JKB vol. 1 §13.10, §18.9.
* nakagami: Cheng & Beaulieu, IEEE Trans. Commun. 49 (2001), eq. (5): diag(psi'(m) - 1/m, m/Omega^2).
* chi_squared, chi in the degrees of freedom: psi'(k/2)/4 (Gamma(k/2, 1/2); JKB vol. 1 §18).
* gamma_mean: gamlss.dist ``GA`` (Rigby & Stasinopoulos 2005): diag(nu/mu^2, psi'(nu) - 1/nu).
* levy: 1/(2 c^2) (Nolan 2020, §1.5; 1/X is Gamma(1/2, rate c/2)).
* frechet: the Weibull matrix mapped by lam = 1/s (Kotz & Nadarajah 2000, §2.4).
* power_function: 1/alpha^2 (Beta(alpha, 1)). beta_prime: the beta law's (the data map x/(1-x)).
* generalized_gamma: Hager & Bain, JASA 65 (1970), in k = d/p with Y = (X/a)^p ~ Gamma(k).
* student_t3: Lange, Little & Taylor, JASA 84 (1989), appendix B.
* von_mises: Mardia & Jupp (2000), §5.3: diag(kappa A(kappa), 1 - A/kappa - A^2), A = I_1/I_0.
* zero_truncated_poisson: Johnson, Kemp & Kotz (2005), §4.10.1 (VGAM ``pospoisson``).
* logarithmic: Johnson, Kemp & Kotz (2005), §7.1.6: Var(X)/p^2.
* poisson / probit / linear / gamma regression: McCullagh & Nelder, *Generalized Linear Models*
  (1989), §2.5 (the weight w(eta) x x^T) and §8.3 (the gamma dispersion block psi'(nu) - 1/nu).
"""
import pytest
import sympy as sp
from sympy import EulerGamma, besseli, exp, log, pi, polygamma

from symfisher import family_names, get_model
from symfisher.derive import model_domains
from symfisher.simplify import is_zero


def _s(m, name):
    return m.symbol(name)


def _tri(x):
    return polygamma(1, x)


def _gen_gamma(m):
    a, d, p = _s(m, "a"), _s(m, "d"), _s(m, "p")
    k = d / p
    psi, tri = polygamma(0, k), polygamma(1, k)
    return sp.Matrix([
        [d * p / a**2, 1 / a, -(k * psi + k + 1) / a],
        [1 / a, tri / p**2, -(k * tri + psi) / p**2],
        [-(k * psi + k + 1) / a, -(k * tri + psi) / p**2,
         (1 + 2 * psi + k * (psi**2 + 2 * psi + tri) + k**2 * tri) / p**2],
    ])


def _negative_binomial2(m):
    from symfisher.series import ProvenSum

    r, p, x = _s(m, "r"), _s(m, "p"), m.data[0]
    pmf = sp.binomial(x + r - 1, x) * p**r * (1 - p) ** x
    return sp.Matrix([[_tri(r) - ProvenSum(pmf * _tri(x + r), (x, 0, sp.oo)), -1 / p], [-1 / p, r / (p**2 * (1 - p))]])


def _student_t3(m):
    sigma, nu = _s(m, "sigma"), _s(m, "nu")
    return sp.Matrix([
        [(nu + 1) / ((nu + 3) * sigma**2), 0, 0],
        [0, 2 * nu / ((nu + 3) * sigma**2), -2 / (sigma * (nu + 1) * (nu + 3))],
        [0, -2 / (sigma * (nu + 1) * (nu + 3)),
         (_tri(nu / 2) - _tri((nu + 1) / 2)) / 4 - (nu + 5) / (2 * nu * (nu + 1) * (nu + 3))],
    ])


def _von_mises(m):
    k = _s(m, "kappa")
    A = besseli(1, k) / besseli(0, k)
    return sp.diag(k * A, 1 - A / k - A**2)


def _frechet(m):
    alpha, s = _s(m, "alpha"), _s(m, "s")
    g = 1 - EulerGamma
    return sp.Matrix([[(g**2 + pi**2 / 6) / alpha**2, g / s], [g / s, alpha**2 / s**2]])


def _beta_like(m):
    a, b = _s(m, "a"), _s(m, "b")
    return sp.Matrix([[_tri(a) - _tri(a + b), -_tri(a + b)], [-_tri(a + b), _tri(b) - _tri(a + b)]])


LITERATURE = {
    "inverse_gamma": lambda m: (lambda a, b: sp.Matrix([[_tri(a), -1 / b], [-1 / b, a / b**2]]))(_s(m, "a"), _s(m, "b")),
    "half_normal": lambda m: sp.Matrix([[2 / _s(m, "sigma") ** 2]]),
    "maxwell": lambda m: sp.Matrix([[6 / _s(m, "a") ** 2]]),
    "nakagami": lambda m: sp.diag(_tri(_s(m, "m")) - 1 / _s(m, "m"), _s(m, "m") / _s(m, "omega") ** 2),
    "chi_squared": lambda m: sp.Matrix([[_tri(_s(m, "k") / 2) / 4]]),
    "chi": lambda m: sp.Matrix([[_tri(_s(m, "k") / 2) / 4]]),
    "gamma_mean": lambda m: sp.diag(_s(m, "nu") / _s(m, "mu") ** 2, _tri(_s(m, "nu")) - 1 / _s(m, "nu")),
    "levy": lambda m: sp.Matrix([[1 / (2 * _s(m, "c") ** 2)]]),
    "frechet": _frechet,
    "power_function": lambda m: sp.Matrix([[1 / _s(m, "alpha") ** 2]]),
    "beta_prime": _beta_like,
    "generalized_gamma": _gen_gamma,
    "student_t3": _student_t3,
    "von_mises": _von_mises,
    "zero_truncated_poisson": lambda m: (lambda lam: sp.Matrix([[
        1 / (lam * (1 - exp(-lam))) - exp(-lam) / (1 - exp(-lam)) ** 2]]))(_s(m, "lam")),
    "logarithmic": lambda m: (lambda p: sp.Matrix([[
        -(p + log(1 - p)) / (p * (1 - p) ** 2 * log(1 - p) ** 2)]]))(_s(m, "p")),
    # negative_binomial2 (helper nbseries): Lawless, Canad. J. Statist. 15 (1987), in (r, p): I_rr is the series
    # psi'(r) - sum_x P(X = x) psi'(x + r) (no closed form), I_rp = -1/p, I_pp = r/(p^2 (1 - p))
    "negative_binomial2": _negative_binomial2,
    # regressions at the default d = 1 (McCullagh & Nelder 1989: the GLM weight times x x^T)
    "poisson_regression": lambda m: sp.Matrix([[_s(m, "x_1") ** 2 * exp(_s(m, "w_1") * _s(m, "x_1"))]]),
    "probit_regression": lambda m: (lambda e, x: sp.Matrix([[
        (exp(-e**2 / 2) / sp.sqrt(2 * pi)) ** 2 * x**2
        / ((1 + sp.erf(e / sp.sqrt(2))) / 2 * (1 - (1 + sp.erf(e / sp.sqrt(2))) / 2))]]))(
        _s(m, "w_1") * _s(m, "x_1"), _s(m, "x_1")),
    "linear_regression": lambda m: sp.diag(_s(m, "x_1") ** 2 / _s(m, "sigma") ** 2, 2 / _s(m, "sigma") ** 2),
    "gamma_regression": lambda m: sp.diag(_s(m, "nu") * _s(m, "x_1") ** 2, _tri(_s(m, "nu")) - 1 / _s(m, "nu")),
}

# the KL divergence of two members has no elementary closed form (it must fail clearly)
NO_CLOSED_KL = {"student_t3"}
# negative_binomial2: E[log Gamma(X + r_2)] under r_1 has no closed form. Whether SymPy's summation of it
# finishes within the KL's time limit (then the KL is the exact series, symfisher/series.py) depends on the
# machine's load, so either outcome is accepted: a clear failure, or a series equal to the numeric oracle
KL_SERIES_OR_FAILURE = {"negative_binomial2"}

NEW = sorted(LITERATURE)


def test_at_least_forty_families_of_every_kind():
    from symfisher.families.kinds import family_kind

    names = family_names()
    assert len(names) >= 40
    assert set(NEW) <= set(names)
    kinds = {family_kind(get_model(n)) for n in names}
    assert {"discrete", "continuous", "regression"} <= kinds
    # one-, two- and three-parameter families, bounded and unbounded supports
    dims = {get_model(n).dim for n in NEW}
    assert {1, 2, 3} <= dims
    supports = {str(get_model(n).support[0]) for n in NEW}
    assert {"(0, 1)", "(0, oo)", "R", "(-pi, pi)", "1..oo"} <= supports, supports


@pytest.mark.parametrize("name", NEW)
def test_new_family_fisher_matches_literature(name, report):
    m = get_model(name)
    I = report(name).get("fisher")
    assert I is not None, report(name).failures
    target = LITERATURE[name](m)
    assert is_zero(I - target, model_domains(m)) is True, f"{name}: {I} != {target}"


def test_literature_target_is_not_the_derivation_itself():
    """The witnesses can fail: a wrong target (off by a factor) is refused for a few families."""
    for name in ("student_t3", "generalized_gamma", "von_mises"):
        m = get_model(name)
        wrong = LITERATURE[name](m).copy()
        wrong[0, 0] *= 2
        assert is_zero(wrong - LITERATURE[name](m), model_domains(m)) is False


def test_student_t3_location_block_is_the_known_nu_family(report):
    """Nested model: with nu and sigma fixed, the mu entry is the catalog's location-only t."""
    m3, m1 = get_model("student_t3"), get_model("student_t")
    sub = {m3.symbol(n): m1.symbol(n) for n in ("mu", "sigma", "nu")}
    assert sp.simplify(report("student_t3").get("fisher")[0, 0].xreplace(sub) - report("student_t").get("fisher")[0, 0]) == 0
