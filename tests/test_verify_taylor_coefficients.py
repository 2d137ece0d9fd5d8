"""The KL Taylor check's coefficients (derive/taylor.py ``_series_coefficients``): by differentiating at t = 0,
equal to SymPy's ``series`` where the formula is smooth there, and SymPy's ``series`` where it is 0/0."""
import sympy as sp

from symfisher import get_model
from symfisher.derive.kl import kl_divergence
from symfisher.derive.taylor import _series_coefficients, kl_taylor


def _by_series(f, t, order):
    ser = sp.expand(sp.series(f, t, 0, order + 1).removeO())
    return {k: ser.coeff(t, k) for k in range(order + 1)}


def test_coefficients_equal_the_series_of_the_bernoulli_kl():
    """Cover & Thomas (2006), (2.94): KL(p || q) = p log(p/q) + (1 - p) log((1 - p)/(1 - q)); along q = p + t d
    its quadratic coefficient is d^2/(2 p (1 - p)), half the Fisher information 1/(p (1 - p))."""
    p = sp.Symbol("p", positive=True)
    d = sp.Symbol("delta_p", real=True)
    t = sp.Symbol("t_", positive=True)
    q = p + t * d
    kl = p * sp.log(p / q) + (1 - p) * sp.log((1 - p) / (1 - q))
    got = _series_coefficients(kl, t, 3)
    want = _by_series(kl, t, 3)
    assert all(sp.simplify(got[k] - want[k]) == 0 for k in range(4))
    assert got[0] == 0 and sp.simplify(got[1]) == 0
    assert sp.simplify(got[2] - d**2 / (2 * p * (1 - p))) == 0
    # a numeric witness of the cubic coefficient: the third finite difference of the KL at t = 0
    at = {p: sp.Rational(3, 10), d: 1}
    f = sp.lambdify(t, kl.subs(at), "mpmath")
    import mpmath

    mpmath.mp.dps = 40
    third = mpmath.diff(f, 0, 3) / 6
    assert abs(float(third) - float(got[3].subs(at))) < 1e-12


def test_removable_singularity_falls_back_to_series():
    """(e^t - 1)/t is 0/0 at t = 0 as written: its coefficients come from SymPy's series (1, 1/2, 1/6, 1/24)."""
    t = sp.Symbol("t_", positive=True)
    got = _series_coefficients((sp.exp(t) - 1) / t, t, 3)
    assert got == {0: 1, 1: sp.Rational(1, 2), 2: sp.Rational(1, 6), 3: sp.Rational(1, 24)}


def test_the_taylor_check_runs_for_the_binomial():
    """The binomial's expansion is compared with the series of its registered KL (the step is shown)."""
    m = get_model("binomial")
    d = kl_taylor(m)
    assert d.result is not None and not d.failures
    assert any("Check: the Taylor series of the closed-form divergence" in s.statement for s in d.steps)
    assert kl_divergence(m).result is not None
