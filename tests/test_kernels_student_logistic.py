"""The kernels behind the typed Student t and logistic laws: found in the density, checked against the
literature and against quadrature.

* Student t, ``nu`` known: the base law has a power-law tail (no MGF), so its transform is the joint one
  in ``|z|`` and ``nu + z^2``, ``E[|Z|^s (nu + Z^2)^t]`` (one Euler integral after ``u = z^2/(nu + z^2)``);
  ``nu/(nu + Z^2) ~ Beta(nu/2, 1/2)`` (Johnson, Kotz & Balakrishnan, *Continuous Univariate
  Distributions* vol. 2, 2nd ed., ch. 28; Lange, Little & Taylor, JASA 84 (1989) 881-896, whose
  Fisher information of the location-scale t is (nu+1)/((nu+3) sigma^2) and 2 nu/((nu+3) sigma^2)) gives
  ``E[1/(nu + Z^2)] = 1/(nu + 1)``, ``E[1/(nu + Z^2)^2] = (nu + 2)/(nu (nu + 1)(nu + 3))`` and
  ``E[log(1 + Z^2/nu)] = psi((nu + 1)/2) - psi(nu/2)``.
* logistic: the standardized typed density becomes ``W = exp(-Z)`` with density ``(1 + w)^(-2)`` on
  ``(0, oo)`` (a beta-prime(1, 1) law), whose transform ``E[W^s (1 + W)^t] = B(1 + s, 1 - s - t)`` answers
  every statistic of the score, once the expanded ones (``1/(w^2 + 2 w + 1)``) are read through their
  factors; ``E[1/(1 + W)^2] = 1/3`` (``1/(1 + W) ~ Uniform(0, 1)``), and the Fisher information of the
  logistic scale is (pi^2 + 3)/(9 s^2) (Johnson, Kotz & Balakrishnan, vol. 2, ch. 23).

The catalog's ``student_t`` and ``cauchy`` keep their moment table (faster than finding the transform): it
is compared here with the general derivation, statistic by statistic.
"""
import importlib

import pytest
import sympy as sp

from symfisher import from_density, get_model

E = importlib.import_module("symfisher.expectation")

STUDENT = "gamma((nu+1)/2)/(sqrt(nu*pi)*sigma*gamma(nu/2))*(1+(x-mu)**2/(nu*sigma**2))**(-(nu+1)/2)"
LOGISTIC = "exp(-(x-mu)/s)/(s*(1+exp(-(x-mu)/s))**2)"
FOUND = "Mellin transform (found once for the law)"


def _quad(f, lo, hi):
    from scipy import integrate

    if lo == -float("inf") and hi == float("inf"):
        return sum(integrate.quad(f, a, b, limit=200)[0] for a, b in ((-float("inf"), 0), (0, float("inf"))))
    return integrate.quad(f, lo, hi, limit=200)[0]


def _typed_t_base():
    m = from_density(STUDENT, var="x in R", params=["mu real", "sigma > 0"], consts=["nu > 0"])
    assert m.representation is not None
    return m.representation.base


def test_typed_student_base_has_the_even_joint_transform():
    base = _typed_t_base()
    z = base.data[0]
    E.clear_cache()
    hook, conds = E._transform(base, None)
    assert hook.bases[0] == sp.Abs(z) and sp.expand(hook.bases[1] - (base.symbol("nu") + z**2)) == 0
    # at s = t = 0 the transform is the total mass
    assert sp.simplify(sp.gammasimp(hook.value.xreplace({e: 0 for e in hook.exponents}))) == 1


@pytest.mark.parametrize("stat, literature", [
    (lambda z, nu: 1 / (nu + z**2), lambda nu: 1 / (nu + 1)),
    (lambda z, nu: 1 / (nu**2 + 2 * nu * z**2 + z**4), lambda nu: (nu + 2) / (nu * (nu + 1) * (nu + 3))),
    (lambda z, nu: z**2 / (nu + z**2)**2, lambda nu: 1 / ((nu + 1) * (nu + 3))),
    (lambda z, nu: sp.log(nu + z**2), lambda nu: sp.log(nu) + sp.digamma((nu + 1) / 2) - sp.digamma(nu / 2)),
])
def test_typed_student_statistics_from_the_transform(stat, literature):
    """Each statistic of the t score comes from the law's transform (no integral of the statistic), equals the
    literature value (the Beta law of nu/(nu + Z^2)) and quadrature at nu = 3.7."""
    base = _typed_t_base()
    z, nu = base.data[0], base.symbol("nu")
    E.clear_cache()
    t = stat(z, nu)
    sv = E._statistic_value(t, base, None, brute=False)
    assert sv is not None and sv.source == FOUND, sv
    assert sp.simplify(sp.expand_func(sv.value - literature(nu))) == 0
    at = {nu: sp.Rational(37, 10)}
    dens = sp.lambdify(z, sp.exp(base.log_density.subs(at)), "math")
    g = sp.lambdify(z, t.subs(at), "math")
    num = _quad(lambda u: g(u) * dens(u), -float("inf"), float("inf"))
    assert abs(float(sv.value.subs(at)) - num) < 1e-8


def test_odd_statistics_of_the_t_are_zero_by_symmetry_not_by_identities():
    base = _typed_t_base()
    z, nu = base.data[0], base.symbol("nu")
    E.clear_cache()
    sv = E._statistic_value(z / (nu + z**2)**2, base, None, brute=False)
    assert sv.value == 0 and sv.source.startswith("symmetry")
    assert ("identities", base.key()) not in E._CACHE  # the linear system of the score identities was not solved


@pytest.mark.parametrize("name, nu", [("student_t", None), ("cauchy", 1)])
def test_catalog_t_moment_table_agrees_with_the_general_transform(name, nu):
    """The moment table the catalog keeps for the t kernel against the transform found in the same density."""
    base = get_model(name).representation.base
    assert base.moments is not None
    z = base.data[0]
    nu = base.symbol("nu") if nu is None else sp.S(nu)
    bare = base.with_(moments=None)
    E.clear_cache()
    for t in (1 / (nu + z**2), (nu + z**2)**-2, z**2 / (nu + z**2)**2, z**4 / (nu + z**2)**3):
        table = base.moments(t)
        general = E._statistic_value(t, bare, None, brute=False)
        assert general is not None and general.source == FOUND, t
        assert sp.simplify(sp.expand_func(table - general.value)) == 0, t


def _typed_logistic_base():
    m = from_density(LOGISTIC, var="x in R", params=["mu real", "s > 0"])
    assert m.representation is not None
    return m.representation.base


@pytest.mark.parametrize("stat, literature", [
    (lambda w: 1 / (w + 1), sp.S.Half),
    (lambda w: 1 / (w**2 + 2 * w + 1), sp.Rational(1, 3)),          # expanded, as the score's square gives it
    (lambda w: sp.log(w) / (w**2 + 2 * w + 1), -sp.S.Half),
    (lambda w: sp.log(w)**2, sp.pi**2 / 3),                          # Var Z of the standard logistic
    (lambda w: sp.log(w)**2 / (w**2 + 2 * w + 1), sp.pi**2 / 9 + sp.Rational(1, 3)),
])
def test_typed_logistic_statistics_from_the_transform(stat, literature):
    """W = exp(-Z), density (1 + w)^(-2): every statistic from the joint transform in w and 1 + w, no CDF
    representation and no integral (integrate=False), equal to the literature value and to quadrature.
    E[log(W)^2 (1 + W)^(-2)] = E[Z^2 U^2] with U = 1/(1 + W) ~ Uniform(0, 1), Z = log(U/(1 - U))."""
    base = _typed_logistic_base()
    w = base.data[0]
    E.clear_cache()
    t = stat(w)
    ex = E.expectation(t, base, integrate=False)
    assert all(sv.source == FOUND for sv in ex.statistics), ex.statistics
    assert sp.simplify(ex.value - literature) == 0, ex.value
    dens = sp.lambdify(w, sp.exp(base.log_density), "math")
    g = sp.lambdify(w, t, "math")
    assert abs(float(ex.value) - _quad(lambda u: g(u) * dens(u), 0, float("inf"))) < 1e-8


def test_typed_logistic_fisher_is_the_literature_matrix():
    from symfisher import fisher_information

    m = from_density(LOGISTIC, var="x in R", params=["mu real", "s > 0"])
    s = m.symbol("s")
    F = fisher_information(m).result
    assert sp.simplify(F - sp.diag(1 / (3 * s**2), (sp.pi**2 + 3) / (9 * s**2))) == sp.zeros(2, 2)


def test_expanded_powers_are_matched_through_their_factors():
    from symfisher.expectation_hooks import _match_power_moments
    from symfisher.model import PowerMoments

    w = sp.Symbol("w", positive=True)
    a, b = sp.symbols("a b", real=True)
    pm = PowerMoments((w, 1 + w), (a, b), sp.gamma(1 + a) * sp.gamma(1 - a - b) / sp.gamma(2 - b))
    assert _match_power_moments(1 / (w**2 + 2 * w + 1), pm) == pm.value.xreplace({a: 0, b: -2})
    assert _match_power_moments(w / (w**3 + 3 * w**2 + 3 * w + 1), pm) == pm.value.xreplace({a: 1, b: -3})
    assert _match_power_moments(1 / (w**2 + 1), pm) is None  # not a power of a base
