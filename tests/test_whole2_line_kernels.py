"""The Laplace and Cauchy/Student kernels on the whole line prove their normalization off the log-kernel
(:func:`symfisher.usermodel._log_line_mass`): the integral over R is invariant under ``y = a x + b``, so the
location drops out and the standard kernel's mass is taken once -- ``int exp(k|y|) dy = 2/(-k)``,
``int (d + c y^2)^(-q) dy = d^(1/2-q) c^(-1/2) sqrt(pi) Gamma(q-1/2)/Gamma(q)`` (Gradshteyn & Ryzhik 3.251.2).
No integral, no representation search at build; each closed form is checked against mpmath quadrature,
and a density that does not normalize, a negative one, or one whose condition the domains do not prove,
is still left to the long route and refused there.
"""
import mpmath
import pytest
import sympy as sp

import symfisher as sf
import symfisher.usermodel as um
from symfisher.model import ModelError
from _witness import forbid, numeric_total

LINE = [
    ("laplace", "exp(-Abs(x-mu)/b)/(2*b)", ["mu real", "b > 0"], {"mu": 0.7, "b": 1.9}),
    ("laplace rate", "t*exp(-t*Abs(x-mu))/2", ["mu real", "t > 0"], {"mu": -1.2, "t": 0.6}),
    ("laplace, slope 3", "3*exp(-Abs(3*x-mu)/b)/(2*b)", ["mu real", "b > 0"], {"mu": 0.4, "b": 0.8}),
    ("cauchy", "sigma/(pi*((x-mu)**2+sigma**2))", ["mu real", "sigma > 0"], {"mu": 0.3, "sigma": 1.7}),
    ("cauchy rate", "t/(pi*(1+t**2*(x-mu)**2))", ["mu real", "t > 0"], {"mu": 2.0, "t": 0.5}),
    ("student t", "gamma((n+1)/2)/(sqrt(n*pi)*gamma(n/2))*(1+x**2/n)**(-(n+1)/2)", ["n > 0"], {"n": 3.5}),
]


def _mode(model, point: dict) -> float:
    """Where the line kernel turns (its location; the 3x kernel's at mu/3), a break for the quadrature."""
    return float(point.get("mu", 0)) / (3 if "3*x" in str(model.log_density) else 1)


@pytest.mark.parametrize("label, density, params, point", LINE, ids=[k[0] for k in LINE])
def test_a_line_kernel_normalizes_by_translation_with_no_integral(monkeypatch, label, density, params, point):
    forbid(monkeypatch, f"{label}: no integral, representation or long normalization check at build",
           (um, "check_normalization"), (um, "_normalizes_by_transform"), (um, "_representation"), (sp, "integrate"))
    m = sf.from_density(density, var="x in R", params=params)
    total = um._log_line_mass(m)
    assert total is not None and um._normalizes_by_kernel(m)
    sub = {s: point[s.name] for s in m.params}
    assert abs(float(sp.exp(total).xreplace(sub).evalf(20)) - 1) < 1e-12
    assert abs(numeric_total(m, point, breaks=[_mode(m, point)]) - 1) < 1e-8


def test_the_closed_form_is_the_total_of_a_line_density_that_does_not_normalize():
    # the Laplace kernel without its 1/2: total 2; Cauchy with sigma^2 in the numerator: total sigma
    m = sf.from_density("exp(-Abs(x-mu)/b)/b", var="x in R", params=["mu real", "b > 0"], check=False)
    assert sp.simplify(sp.exp(um._log_line_mass(m)) - 2) == 0
    assert not um._normalizes_by_kernel(m)
    assert abs(numeric_total(m, {"mu": 0.5, "b": 1.3}, breaks=[_mode(m, {"mu": 0.5, "b": 1.3})]) - 2) < 1e-8
    with pytest.raises(ModelError, match="does not normalize"):
        sf.from_density("exp(-Abs(x-mu)/b)/b", var="x in R", params=["mu real", "b > 0"])
    m = sf.from_density("sigma**2/(pi*((x-mu)**2+sigma**2))", var="x in R", params=["mu real", "sigma > 0"],
                        check=False)
    sigma = m.params[1]
    assert sp.simplify(sp.exp(um._log_line_mass(m)) - sigma) == 0
    assert abs(numeric_total(m, {"mu": 0.0, "sigma": 2.5}, breaks=[_mode(m, {"mu": 0.0, "sigma": 2.5})]) - 2.5) < 1e-8
    with pytest.raises(ModelError, match="does not normalize"):
        sf.from_density("sigma**2/(pi*((x-mu)**2+sigma**2))", var="x in R", params=["mu real", "sigma > 0"])


def test_a_condition_the_domains_do_not_prove_gives_no_line_proof():
    # t real: exp(-t|x|) does not integrate for t <= 0
    m = sf.from_density("t*exp(-t*Abs(x))/2", var="x in R", params=["t real"], check=False)
    assert um._log_line_mass(m) is None
    # q > 0 only: (1 + x^2)^(-q) integrates on R only for q > 1/2
    m = sf.from_density("gamma(q)/(sqrt(pi)*gamma(q-1/2))*(1+x**2)**(-q)", var="x in R", params=["q > 0"],
                        check=False)
    assert um._log_line_mass(m) is None
    # a declared constant location is a translation too (m > 0 is real)
    m = sf.from_density("t/(pi*(1+t**2*(x-m)**2))", var="x in R", params=["t > 0"], consts=["m > 0"], check=False)
    assert um._log_line_mass(m) == 0 or sp.simplify(um._log_line_mass(m)) == 0


def test_a_negative_line_density_is_still_refused():
    # -Laplace integrates to -1 and is negative: no translation proof (its log is not real), refused
    m = sf.from_density("-exp(-Abs(x-mu)/b)/(2*b)", var="x in R", params=["mu real", "b > 0"], check=False)
    assert not um._normalizes_by_kernel(m)
    with pytest.raises(ModelError):
        sf.from_density("-exp(-Abs(x-mu)/b)/(2*b)", var="x in R", params=["mu real", "b > 0"])


def test_the_typed_laplace_and_cauchy_fisher_information_match_the_literature():
    # Laplace(mu, b): diag(1/b^2, 1/b^2); Cauchy(mu, sigma): diag(1/(2 sigma^2), 1/(2 sigma^2))
    m = sf.from_density("exp(-Abs(x-mu)/b)/(2*b)", var="x in R", params=["mu real", "b > 0"])
    mu, b = m.params
    assert sp.simplify(sf.fisher_information(m).result - sp.diag(1 / b**2, 1 / b**2)) == sp.zeros(2, 2)
    m = sf.from_density("sigma/(pi*((x-mu)**2+sigma**2))", var="x in R", params=["mu real", "sigma > 0"])
    mu, s = m.params
    fi = sf.fisher_information(m).result
    assert sp.simplify(fi - sp.diag(1 / (2 * s**2), 1 / (2 * s**2))) == sp.zeros(2, 2)
    # numeric witness: E[score_sigma^2] by quadrature at sigma = 1.6
    sv = 1.6
    score = lambda x: -1 / sv + 2 * sv / (x**2 + sv**2)
    dens = lambda x: sv / (mpmath.pi * (x**2 + sv**2))
    assert abs(float(mpmath.quad(lambda x: score(x)**2 * dens(x), [-mpmath.inf, 0, mpmath.inf]))
               - 1 / (2 * sv**2)) < 1e-10
