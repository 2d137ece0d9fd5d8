"""A density on a finite support of numbers is proven a probability law term by term
(:func:`symfisher.usermodel._normalizes_by_finite_sum`): at each point its log is real on the declared
domains (so each value is positive: a sum of 1 alone does not prove the values non-negative) and the values
add up to 1 exactly. No sum, no ``check_normalization``, no point of the parameters evaluated; a law whose
values add to 1 but can be negative, or that does not add to 1, still goes the long way and is refused.
"""
import pytest
import sympy as sp

import symfisher as sf
import symfisher.usermodel as um
from symfisher.model import ModelError
from _witness import forbid

FINITE = [
    ("bernoulli", "p**x*(1-p)**(1-x)", "x in {0, 1}", ["p in (0, 1)"], {"p": sp.Rational(3, 10)}),
    ("bernoulli natural", "exp(t*x)/(1+exp(t))", "x in {0, 1}", ["t real"], {"t": sp.Rational(-7, 5)}),
    ("three points", "p**(x*(x-1)/2)*(1-p)**(x*(2-x))*(p*(1-p))**((x-1)*(x-2)/2)/(1+p*(1-p))",
     "x in {0, 1, 2}", ["p in (0, 1)"], {"p": sp.Rational(2, 5)}),
]


@pytest.mark.parametrize("label, density, var, params, point", FINITE, ids=[k[0] for k in FINITE])
def test_a_finite_law_normalizes_term_by_term_with_no_sum(monkeypatch, label, density, var, params, point):
    forbid(monkeypatch, f"{label}: no sum or long normalization check should be attempted",
           (um, "check_normalization"), (um, "_normalizes_by_transform"), (sp, "summation"))
    m = sf.from_density(density, var=var, params=params)
    assert um._normalizes_by_finite_sum(m)
    # independent witness: the values at an exact parameter point are positive and add up to 1
    x = m.data[0]
    sub = {s: point[s.name] for s in m.params}
    values = [sp.exp(m.log_density.xreplace({x: v}).xreplace(sub)) for v in m.support[0].points()]
    assert all(val.is_positive for val in values)
    assert sp.nsimplify(sp.N(sp.Add(*values), 30)) == 1


def test_values_that_add_to_one_but_can_be_negative_are_refused():
    # (1 - 2p)^x (2p)^(1 - x) on {0, 1}: 2p + 1 - 2p = 1, but the value at 1 is negative for p > 1/2
    text, var, params = "(1-2*p)**x*(2*p)**(1-x)", "x in {0, 1}", ["p in (0, 1)"]
    m = sf.from_density(text, var=var, params=params, check=False)
    total = sum(sp.exp(m.log_density.xreplace({m.data[0]: v})) for v in (0, 1))
    assert sp.simplify(total - 1) == 0
    assert not um._normalizes_by_finite_sum(m)
    with pytest.raises(ModelError):
        sf.from_density(text, var=var, params=params)


def test_a_finite_law_that_does_not_add_to_one_is_refused():
    text, var, params = "p**x*(1-p)**(2-x)", "x in {0, 1}", ["p in (0, 1)"]
    m = sf.from_density(text, var=var, params=params, check=False)
    assert not um._normalizes_by_finite_sum(m)
    with pytest.raises(ModelError, match="does not normalize"):
        sf.from_density(text, var=var, params=params)


def test_a_parameter_the_domain_does_not_bound_gives_no_term_by_term_proof():
    # p real: log(1 - p) is not proven real, so the values are not proven positive
    m = sf.from_density("p**x*(1-p)**(1-x)", var="x in {0, 1}", params=["p real"], check=False)
    assert not um._normalizes_by_finite_sum(m)


def test_the_typed_bernoulli_fisher_information_is_the_literature_value():
    m = sf.from_density("p**x*(1-p)**(1-x)", var="x in {0, 1}", params=["p in (0, 1)"])
    p, = m.params
    fi = sf.fisher_information(m).result
    assert sp.simplify(fi[0, 0] - 1 / (p * (1 - p))) == 0
    # witness: E[score^2] at p = 1/4 by the two-point sum
    pv = sp.Rational(1, 4)
    score = {0: -1 / (1 - pv), 1: 1 / pv}
    assert (1 - pv) * score[0]**2 + pv * score[1]**2 == fi[0, 0].subs(p, pv)
