"""A typed textbook density proves its normalization off its own log-kernel: Euler's integrals (and the
exponential and geometric series) in logs, every condition proven on the declared domains, the total's log
cancelling the density's constant as SymPy adds the terms. No integral, no sum, no ``check_normalization``;
and what is not such a kernel, or not provably one, still goes the long way and is still refused when it
does not normalize.

Each proof is checked against an independent numeric total (mpmath quadrature or a partial sum).
"""
import pytest
import sympy as sp

import symfisher as sf
import symfisher.usermodel as um
from symfisher.kernel_mass import log_total_mass
from symfisher.model import ModelError
from _witness import forbid, numeric_total

# density, var, params, consts, a parameter point
KERNELS = [
    ("exponential", "lam*exp(-lam*x)", "x in (0, oo)", ["lam > 0"], [], {"lam": 1.7}),
    ("exponential scale", "exp(-x/s)/s", "x in (0, oo)", ["s > 0"], [], {"s": 0.6}),
    ("shifted exponential", "lam*exp(-lam*(x-m))", "x in (m, oo)", ["lam > 0"], ["m > 0"], {"lam": 1.3, "m": 0.8}),
    ("gamma", "b**a*x**(a-1)*exp(-b*x)/gamma(a)", "x in (0, oo)", ["a > 0", "b > 0"], [], {"a": 2.5, "b": 0.7}),
    ("gamma scale", "x**(a-1)*exp(-x/s)/(gamma(a)*s**a)", "x in (0, oo)", ["a > 0", "s > 0"], [], {"a": 0.6, "s": 2.0}),
    ("weibull", "k/lam*(x/lam)**(k-1)*exp(-(x/lam)**k)", "x in (0, oo)", ["lam > 0", "k > 0"], [],
     {"lam": 1.4, "k": 1.8}),
    ("rayleigh", "x/sigma**2*exp(-x**2/(2*sigma**2))", "x in (0, oo)", ["sigma > 0"], [], {"sigma": 0.9}),
    ("inverse gamma", "b**a*x**(-a-1)*exp(-b/x)/gamma(a)", "x in (0, oo)", ["a > 0", "b > 0"], [], {"a": 3.0, "b": 2.0}),
    ("beta", "x**(a-1)*(1-x)**(b-1)/beta(a, b)", "x in (0, 1)", ["a > 0", "b > 0"], [], {"a": 2.2, "b": 3.1}),
    ("beta by gammas", "gamma(a+b)/(gamma(a)*gamma(b))*x**(a-1)*(1-x)**(b-1)", "x in (0, 1)", ["a > 0", "b > 0"], [],
     {"a": 1.5, "b": 2.5}),
    ("beta mean-precision", "x**(m*k-1)*(1-x)**((1-m)*k-1)/beta(m*k, (1-m)*k)", "x in (0, 1)", ["m in (0, 1)", "k > 0"],
     [], {"m": 0.3, "k": 5.0}),
    ("pareto", "alpha*xm**alpha/x**(alpha+1)", "x in (xm, oo)", ["alpha > 0"], ["xm > 0"], {"alpha": 2.5, "xm": 1.5}),
    ("normal", "exp(-(x-mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))", "x in R", ["mu real", "sigma > 0"], [],
     {"mu": 0.4, "sigma": 1.3}),
    ("normal variance", "exp(-(x-mu)**2/(2*v))/sqrt(2*pi*v)", "x in R", ["v > 0"], ["mu real"], {"v": 0.5, "mu": -1.0}),
    ("poisson", "lam**x*exp(-lam)/factorial(x)", "x in 0..oo", ["lam > 0"], [], {"lam": 3.3}),
    ("poisson natural", "exp(t*x-exp(t))/factorial(x)", "x in 0..oo", ["t real"], [], {"t": 0.4}),
    ("geometric", "p*(1-p)**(x-1)", "x in 1..oo", ["p in (0, 1)"], [], {"p": 0.35}),
    ("geometric mean", "(1/m)*(1-1/m)**(x-1)", "x in 1..oo", ["m in (1, oo)"], [], {"m": 2.5}),
]


@pytest.mark.parametrize("label, density, var, params, consts, point", KERNELS, ids=[k[0] for k in KERNELS])
def test_a_textbook_kernel_normalizes_by_its_log_kernel_with_no_integral(monkeypatch, label, density, var, params,
                                                                         consts, point):
    forbid(monkeypatch, f"{label}: no integral, sum or long normalization check should be attempted",
           (um, "check_normalization"), (um, "_normalizes_by_transform"), (sp, "integrate"), (sp, "summation"))
    m = sf.from_density(density, var=var, params=params, consts=consts)
    total = log_total_mass(m)
    assert total is not None and um._normalizes_by_kernel(m)
    # the proof is a closed form of the total: exp of it, at the point, is what quadrature finds
    sub = {s: point[s.name] for s in (*m.params, *m.constants)}
    assert abs(float(sp.exp(total).xreplace(sub).evalf(20)) - 1) < 1e-12
    assert abs(numeric_total(m, point) - 1) < 1e-8


def test_the_log_kernel_closed_form_is_the_total_of_a_density_that_does_not_normalize():
    # Gamma(a + 1) where Gamma(a) belongs: the total is 1/a, and the kernel's log says log(1/a) exactly
    m = sf.from_density("b**a*x**(a-1)*exp(-b*x)/gamma(a+1)", var="x in (0, oo)", params=["a > 0", "b > 0"],
                        check=False)
    a = m.params[0]
    total = log_total_mass(m)
    assert sp.simplify(sp.exp(total) - 1 / a) == 0
    assert not um._normalizes_by_kernel(m)
    assert abs(numeric_total(m, {"a": 2.0, "b": 1.0}) - 0.5) < 1e-10
    with pytest.raises(ModelError, match="does not normalize"):
        sf.from_density("b**a*x**(a-1)*exp(-b*x)/gamma(a+1)", var="x in (0, oo)", params=["a > 0", "b > 0"])
    with pytest.raises(ModelError, match="does not normalize"):
        sf.from_density("2*lam**x*exp(-lam)/factorial(x)", var="x in 0..oo", params=["lam > 0"])


def test_a_condition_the_domains_do_not_prove_leaves_the_kernel_to_the_long_route():
    # t real: t exp(-t x) is no density for t < 0, and Euler's integral needs t > 0: no proof here
    m = sf.from_density("t*exp(-t*x)", var="x in (0, oo)", params=["t real"], check=False)
    assert log_total_mass(m) is None
    # p > -1 only: the power x^(p - 1) near 0 needs p > 0, which the domain does not give
    m = sf.from_density("p*x**(p-1)", var="x in (0, 1)", params=["p > -1"], check=False)
    assert log_total_mass(m) is None
    # the series of (-lam)^x/x! sums to 1, but its odd terms are negative: k = log(-lam) is not real
    m = sf.from_density("(-lam)**x*exp(lam)/factorial(x)", var="x in 0..oo", params=["lam > 0"], check=False)
    assert log_total_mass(m) is None
    with pytest.raises(ModelError):
        sf.from_density("(-lam)**x*exp(lam)/factorial(x)", var="x in 0..oo", params=["lam > 0"])


def test_a_complex_kernel_that_integrates_to_one_is_not_a_density_proven_so():
    # exp(-x^2/2 + i t x) exp(t^2/2)/sqrt(2 pi) integrates to 1 (Gauss's integral holds for complex b), but
    # it is no density: the kernel proof needs every coefficient real
    m = sf.from_density("exp(-x**2/2 + I*t*x)*exp(t**2/2)/sqrt(2*pi)", var="x in R", params=["t real"], check=False)
    assert log_total_mass(m) is None
    m = sf.from_density("exp(-(x - I*t)**2/2)/sqrt(2*pi)", var="x in R", params=["t real"], check=False)
    assert log_total_mass(m) is None


def test_kernels_off_the_list_are_not_read():
    for density, var, params in [
        ("exp(-Abs(x-mu))/2", "x in R", ["mu real"]),                       # Laplace: |x| is no polynomial
        ("1/(pi*(1+(x-mu)**2))", "x in R", ["mu real"]),                    # Cauchy: a log of a binomial
        ("exp(-(log(x)-mu)**2/2)/(x*sqrt(2*pi))", "x in (0, oo)", ["mu real"]),  # log-normal: log(x)^2
        ("a*(1+x)**(-a-1)", "x in (0, oo)", ["a > 0"]),                     # Lomax: the binomial base 1 + x
    ]:
        m = sf.from_density(density, var=var, params=params, check=False)
        assert log_total_mass(m) is None, density


def test_the_bounds_of_a_reciprocal():
    from symfisher.derive.signs import _bounds, _positive_on

    m = sp.Symbol("m", positive=True)
    assert _bounds(1 / m, {m: (sp.S.One, sp.oo, True, True)}) == (0, 1, True, True)
    assert _bounds(1 / m, {m: (sp.Integer(2), sp.Integer(5), False, True)}) == (sp.Rational(1, 5), sp.S.Half, True, False)
    assert _bounds(1 / m, {m: (sp.S.Zero, sp.S.One, True, True)}) == (1, sp.oo, True, True)
    assert _positive_on(1 - 1 / m, {m: (sp.S.One, sp.oo, True, True)})
    assert not _positive_on(1 - 1 / m, {m: (sp.S.Half, sp.oo, True, True)})
    assert _bounds(1 / (m - 1), {m: (sp.S.Zero, sp.oo, True, True)}) is None  # m - 1 changes sign
