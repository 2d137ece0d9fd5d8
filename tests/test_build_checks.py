"""The model-building checks stay proofs on their cheaper paths: the sign of the density by interval bounds
of the declared domains, Euler's integrals read factor by factor, the kernel of a density as powers.

Each test asserts what the check proved (its step), the refusal it must still make, or a value against an
independent numeric integral.
"""
import math

import pytest
import sympy as sp

import symfisher as sf
from symfisher.derive.regularity import check_density_values, check_normalization
from symfisher.derive.signs import _bounds, _declared_ends, _positive_on
from symfisher.euler import euler_integral
from symfisher.expectation_routes import clean_density
from symfisher.model import ModelError

BOUNDS_STEP = "its log-density is real on the declared domain"


def _sign_step(model):
    return check_density_values(model).steps[0].statement


def test_bernoulli_sign_is_proven_by_the_bounds_of_its_domain():
    m = sf.from_density("p**x*(1-p)**(1-x)", var="x in {0, 1}", params=["p in (0, 1)"])
    assert BOUNDS_STEP in _sign_step(m)
    p = m.params[0]
    assert sp.simplify(sf.fisher_information(m).result[0, 0] - 1 / (p * (1 - p))) == 0


def test_negative_binomial_in_natural_coordinates_sums_to_one_by_its_series():
    # 1 - exp(t) > 0 for t < 0 by the bounds: the power series sum C(x + r - 1, x) q^x = (1 - q)^(-r) applies
    m = sf.from_density("binomial(x+r-1, x)*(1-exp(t))**r*exp(t*x)", var="x in 0..oo", params=["t in (-oo, 0)"],
                        consts=["r in 1..oo"])
    assert BOUNDS_STEP in _sign_step(m)
    d = check_normalization(m)
    assert any(s.statement == "The density integrates to one over the support." for s in d.steps)
    # independent witness: the partial sums at t = -0.7, r = 3
    t, r = -0.7, 3
    total = sum(math.comb(k + r - 1, k) * (1 - math.exp(t)) ** r * math.exp(t * k) for k in range(400))
    assert abs(total - 1) < 1e-12


def test_binomial_sign_uses_the_support_end():
    m = sf.from_density("binomial(n, x)*p**x*(1-p)**(n-x)", var="x in 0..n", params=["p in (0, 1)"],
                        consts=["n in 1..oo"])
    assert BOUNDS_STEP in _sign_step(m)


def test_a_density_negative_on_part_of_the_domain_is_still_refused():
    # f(0) = 1 - 2p < 0 for p > 1/2: the bounds of 1 - 2p on (0, 1) are (-1, 1), which proves nothing
    with pytest.raises(ModelError, match="negative"):
        sf.from_density("2*p*x + (1-2*p)*(1-x)", var="x in {0, 1}", params=["p in (0, 1)"])
    # p_1 + p_2 < 1 is no declared constraint: 1 - p_1 - p_2 is not positive on the box, and is refused
    cat = "(x-2)*(x-3)/2", "-(x-1)*(x-3)", "(x-1)*(x-2)/2"
    with pytest.raises(ModelError, match="negative"):
        sf.from_density(f"p_1**({cat[0]})*p_2**({cat[1]})*(1-p_1-p_2)**({cat[2]})", var="x in {1, 2, 3}",
                        params=["p_1 in (0, 1)", "p_2 in (0, 1)"])


def test_interval_bounds_are_exact_and_keep_open_ends():
    p, t = sp.Symbol("p", positive=True), sp.Symbol("t", negative=True)
    ends = {p: (sp.S.Zero, sp.S.One, True, True), t: (-sp.oo, sp.S.Zero, True, True)}
    assert _bounds(1 - p, ends) == (0, 1, True, True)
    assert _bounds(3 - 2 * p, ends) == (1, 3, True, True)
    assert _bounds(1 - sp.exp(t), ends) == (0, 1, True, True)
    assert _positive_on(1 - p, ends) and _positive_on(1 - sp.exp(t), ends)
    assert not _positive_on(1 - 2 * p, ends)
    # a closed end at 0 is not positive: 1 - q on [0, 1] has the closed lower end 0
    q = sp.Symbol("q", nonnegative=True)
    assert not _positive_on(1 - q, {q: (sp.S.Zero, sp.S.One, False, False)})
    assert _positive_on(1 - q, {q: (sp.S.Zero, sp.S.One, False, True)})


def test_declared_ends_of_a_support_with_a_symbolic_end():
    m = sf.from_density("binomial(n, x)*p**x*(1-p)**(n-x)", var="x in 0..n", params=["p in (0, 1)"],
                        consts=["n in 1..oo"], check=False)
    ends = _declared_ends(m)
    x, n = m.data[0], m.constants[0]
    assert ends["tops"] == ((x, n),) and ends[x][0] == 0


@pytest.mark.parametrize("density, var, params, point", [
    ("exp(-(x-mu)**2/(2*phi*mu**2*x))/sqrt(2*pi*phi*x**3)", "x in (0, oo)", ["mu > 0", "phi > 0"],
     {"mu": 1.3, "phi": 0.7}),
    ("b**a*x**(a-1)*exp(-b*x)/gamma(a)", "x in (0, oo)", ["a > 0", "b > 0"], {"a": 2.5, "b": 0.8}),
    ("alpha*xm**alpha/x**(alpha+1)", "x in (xm, oo)", ["alpha > 0"], {"alpha": 2.2}),
])
def test_euler_integral_of_the_kernel_read_factor_by_factor(density, var, params, point):
    """The kernel's integral by Euler's integrals, against numerical quadrature (and it is 1: a density)."""
    from scipy.integrate import quad

    consts = ["xm > 0"] if "xm" in density else []
    m = sf.from_density(density, var=var, params=params, consts=consts, check=False)
    x, sup = m.data[0], m.support[0]
    kernel = clean_density(m.log_density)
    value, _ = euler_integral(kernel, x, sup.lo, sup.hi)
    sub = {s: sp.Float(point.get(s.name, 1.5)) for s in m.params + m.constants}
    lo = float(sup.lo.subs(sub))
    fx = sp.lambdify(x, kernel.subs(sub), "math")
    numeric = quad(fx, lo, math.inf, limit=200)[0]
    assert abs(float(value.subs(sub)) - numeric) < 1e-8
    assert abs(numeric - 1) < 1e-8


def test_clean_density_writes_logs_as_powers():
    z = sp.Symbol("z", real=True)
    a, x = sp.Symbol("a", positive=True), sp.Symbol("x", positive=True)
    assert clean_density((a - 1) * sp.log(x) - x) == x ** a * sp.exp(-x) / x
    # (1 - x)**(-a) is written (1/(1 - x))**a, the form the unit-interval kernel reads
    assert clean_density(-a * sp.log(1 - x)) == (1 / (1 - x)) ** a
    assert clean_density(-z ** 2 / 2 + sp.log(2 + z ** 2)) == (z ** 2 + 2) * sp.exp(-z ** 2 / 2)
    assert clean_density(-x ** a * sp.log(x)) == x ** (-x ** a)
    # a power of a log is no power of x: it stays an exponential
    assert clean_density(sp.log(x) ** 2) == sp.exp(sp.log(x) ** 2)


# -- the representation X = T(W) is searched for on its first read ---------------------------------------
def _raw_representation(model):
    from symfisher.model import _DeferredField

    return _DeferredField.raw(model, "representation")


def test_an_exponential_family_on_the_half_line_derives_without_a_representation_search():
    from symfisher.model import Deferred

    m = sf.from_density("b**a*x**(a-1)*exp(-b*x)/gamma(a)", var="x in (0, oo)", params=["a > 0", "b > 0"])
    a, b = m.params
    I = sf.fisher_information(m).result
    assert sp.simplify(I - sp.Matrix([[sp.polygamma(1, a), -1 / b], [-1 / b, a / b**2]])) == sp.zeros(2, 2)
    assert type(_raw_representation(m)) is Deferred  # never asked for: never searched
    # asked for, it is found (and confirmed symbolically, as when the model was built eagerly)
    assert m.representation is not None and "scale" in m.representation.explanation
    assert m.representation.base.params == ()


def test_a_law_whose_moments_need_its_representation_finds_it_on_first_read():
    m = sf.from_density("k/lam*(x/lam)**(k-1)*exp(-(x/lam)**k)", var="x in (0, oo)", params=["lam > 0", "k > 0"])
    lam, k = m.params
    d = sf.fisher_information(m)
    g = sp.EulerGamma
    expected = sp.Matrix([[k**2 / lam**2, (g - 1) / lam], [(g - 1) / lam, ((1 - g)**2 + sp.pi**2 / 6) / k**2]])
    assert sp.simplify(d.result - expected) == sp.zeros(2, 2)
    assert m.representation is not None and "acts as a power" in m.representation.explanation
    assert any("Standardize" in s.statement for s in d.steps)


def test_a_deferred_representation_is_carried_by_with_and_found_before_pickling():
    import pickle

    from symfisher.model import Deferred

    m = sf.from_density("lam*exp(-lam*x)", var="x in (0, oo)", params=["lam > 0"])
    m2 = m.with_(name="renamed")
    assert type(_raw_representation(m2)) is Deferred and _raw_representation(m2) is _raw_representation(m)
    back = pickle.loads(pickle.dumps(m2))
    assert back.representation is not None and back.representation.explanation == m.representation.explanation
    assert back == m2


def test_on_the_whole_line_the_representation_is_found_with_the_model():
    # a location family whose kernel is neither Gauss's nor a translated Laplace/Cauchy one (the logistic):
    # the base law's integral is its normalization proof
    m = sf.from_density("exp(-(x-mu)/s)/(s*(1+exp(-(x-mu)/s))**2)", var="x in R", params=["mu real", "s > 0"])
    rep = _raw_representation(m)
    assert rep is not None and "location" in rep.explanation and "scale" in rep.explanation
    # (whole2) the Laplace kernel is proven by the translation off its log-kernel: the search waits to be asked
    from symfisher.model import Deferred

    m = sf.from_density("exp(-Abs(x-mu)/b)/(2*b)", var="x in R", params=["mu real", "b > 0"])
    assert type(_raw_representation(m)) is Deferred
    assert "location" in m.representation.explanation and "scale" in m.representation.explanation


def test_a_gaussian_kernel_normalizes_by_its_own_log_kernel_and_defers_the_representation():
    from symfisher.kernel_mass import log_total_mass
    from symfisher.model import Deferred

    m = sf.from_density("exp(-(x-mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))", var="x in R",
                        params=["mu real", "sigma > 0"])
    assert sp.expand(log_total_mass(m)) == 0  # log of Gauss's integral cancels the density's constant
    assert type(_raw_representation(m)) is Deferred
    mu, sigma = m.params
    assert sp.simplify(sf.fisher_information(m).result - sp.diag(1 / sigma**2, 2 / sigma**2)) == sp.zeros(2, 2)
    assert m.representation is not None and "location" in m.representation.explanation
