"""The exponential family's cheaper exact steps (symfisher/derive/structures/expfam.py, model.py).

* Natural parameters linear in theta (``J`` a matrix of numbers): both Fisher routes are ``Hess A`` exactly
  (``J^T J^{-T} = 1`` in rationals, ``Hess eta = 0``), so their agreement is stated with that reason and no
  cancellation; elsewhere the agreement is still the cancellation ("their difference simplifies to zero").
* Rational entries are tidied to ``factor``'s form, computed in the fraction field of the parameters; the
  mean ``E[T] = J^{-T} grad A`` is solved in that field.
* Two statistics' coefficients shown to have a parameter-dependent ratio at two inner points are not merged
  (and not cancelled); a ratio free of the parameters (``mu/v`` over ``-1/(2v)`` with ``mu`` known) still is.
* ``Model.density`` is built once per model and carried by ``with_`` while the log-density is the same one.

Literature: Bernoulli ``1/(p(1 - p))``, Poisson in its natural parameter ``e^t`` (Lehmann & Casella 1998,
§2.5 and Table 2.5.1 / Theorem 1.5.10: ``I = A''`` in natural coordinates), categorical with free
``p_1, p_2`` and ``p_3 = 1 - p_1 - p_2``: ``diag(1/p_1, 1/p_2) + 1/p_3 1 1^T`` (Lehmann & Casella, §2.6,
Example 6.3). Each is also checked against an independent numeric witness: the exact (or truncated) sum of
``f s s^T`` over the support in floats, with ``sympy.diff`` of the log-density as typed.
"""
import math

import pytest
import sympy as sp

from symfisher import fisher_information, from_density
from symfisher.derive import model_domains
from symfisher.derive.structures import find
from symfisher.derive.structures import _expfam_forms as F
from symfisher.derive.structures import expfam as E
from symfisher.simplify import is_zero

_IND = "(x-2)*(x-3)/2", "-(x-1)*(x-3)", "(x-1)*(x-2)/2"  # indicators of x = 1, 2, 3 on {1, 2, 3}
_LINEAR_REASON = "matrix of numbers"


def _witness(m, values, points):
    """E[s s^T] as a float sum of f s s^T over ``points`` (sympy.diff of the typed log-density)."""
    x = m.data[0]
    sub = {m.symbol(k): v for k, v in values.items()}
    score = [sp.lambdify(x, sp.diff(m.log_density, th).subs(sub), "math") for th in m.params]
    dens = sp.lambdify(x, sp.exp(m.log_density).subs(sub), "math")
    out = [[0.0] * m.dim for _ in range(m.dim)]
    for pt in points:
        f, s = dens(pt), [g(pt) for g in score]
        for i in range(m.dim):
            for j in range(m.dim):
                out[i][j] += f * s[i] * s[j]
    return out


def _agreement(d):
    steps = [s for s in d.steps if s.statement == "The two routes agree."]
    assert len(steps) == 1, [s.statement for s in d.steps]  # proven, never the numeric label
    return steps[0].reason


def test_bernoulli_routes_cancel_and_literature_value():
    m = from_density("p**x*(1-p)**(1-x)", var="x in {0, 1}", params=["p in (0, 1)"])
    d = fisher_information(m)
    p = m.symbol("p")
    assert d.extras["structure"] == "exponential_family" and d.extras["routes_agree"] is True
    assert not E._linear_natural(find(m, "exponential_family").J)  # eta = log(p/(1 - p)) is not linear
    assert _agreement(d) == "their difference simplifies to zero"
    assert d.result == sp.Matrix([[1 / (p * (1 - p))]])  # the textbook form, as the sheets show it
    for v in (0.2, 0.65):
        assert math.isclose(_witness(m, {"p": v}, (0, 1))[0][0], 1 / (v * (1 - v)), rel_tol=1e-12)


@pytest.mark.parametrize("density,var,params,points", [
    ("exp(t*x)/(1+exp(t))", "x in {0, 1}", ["t real"], (0, 1)),
    ("exp(t*x-exp(t))/factorial(x)", "x in 0..oo", ["t real"], range(60)),
])
def test_linear_natural_parameter_agreement_is_exact(density, var, params, points):
    m = from_density(density, var=var, params=params)
    d = fisher_information(m)
    ef = find(m, "exponential_family")
    assert ef.J == sp.Matrix([[1]]) and E._linear_natural(ef.J)
    assert d.extras["routes_agree"] is True and _LINEAR_REASON in _agreement(d)
    t = m.symbol("t")
    literature = sp.exp(t) / (1 + sp.exp(t)) ** 2 if "1+exp" in density else sp.exp(t)
    assert is_zero(d.result[0, 0] - literature, model_domains(m)) is True
    for v in (-0.7, 0.4):
        num = _witness(m, {"t": v}, points)[0][0]
        assert math.isclose(num, float(literature.subs(t, v)), rel_tol=1e-10)


def test_categorical_natural_agreement_exact_with_a_matrix_of_numbers():
    m = from_density(f"exp(t_1*{_IND[0]}+t_2*({_IND[1]}))/(1+exp(t_1)+exp(t_2))", var="x in {1, 2, 3}",
                     params=["t_1 real", "t_2 real"])
    ef = find(m, "exponential_family")
    assert all(e.is_Rational for e in ef.J) and ef.J != sp.eye(2)  # linear, but not the identity
    d = fisher_information(m)
    assert d.extras["routes_agree"] is True and _LINEAR_REASON in _agreement(d)
    t1, t2 = m.symbol("t_1"), m.symbol("t_2")
    Z = 1 + sp.exp(t1) + sp.exp(t2)
    pi = sp.Matrix([sp.exp(t1) / Z, sp.exp(t2) / Z])
    assert is_zero(d.result - (sp.diag(*pi) - pi * pi.T), model_domains(m)) is True
    values = {"t_1": 0.3, "t_2": -1.1}
    num = _witness(m, values, (1, 2, 3))
    exact = d.result.subs({t1: 0.3, t2: -1.1})
    for i in range(2):
        for j in range(2):
            assert math.isclose(num[i][j], float(exact[i, j]), rel_tol=1e-10)


def test_categorical_constrained_mean_solved_in_the_field_and_literature_value():
    m = from_density(f"p_1**({_IND[0]})*p_2**({_IND[1]})*(1-p_1-p_2)**({_IND[2]})", var="x in {1, 2, 3}",
                     params=["p_1 in (0, 1)", "p_2 in (0, 1)"], constraints=["p_1 + p_2 < 1"])
    d = fisher_information(m)
    assert d.extras["structure"] == "exponential_family" and d.extras["routes_agree"] is True
    assert _agreement(d) == "their difference simplifies to zero"
    p1, p2 = m.symbol("p_1"), m.symbol("p_2")
    ef = find(m, "exponential_family")
    # E[T] in lowest terms: polynomials in p_1, p_2 (the statistics are x and x^2 after the reduction)
    assert all(sp.fraction(sp.together(e))[1].is_number for e in ef.mean())
    literature = sp.diag(1 / p1, 1 / p2) + sp.ones(2, 2) / (1 - p1 - p2)
    assert is_zero(d.result - literature, model_domains(m)) is True
    values = {"p_1": 0.2, "p_2": 0.35}
    num = _witness(m, values, (1, 2, 3))
    exact = literature.subs({p1: 0.2, p2: 0.35})
    for i in range(2):
        for j in range(2):
            assert math.isclose(num[i][j], float(exact[i, j]), rel_tol=1e-10)


def test_field_factor_is_factors_form():
    p, q = sp.symbols("p q", positive=True)
    mu = sp.Symbol("mu", real=True)
    r = 1 - p - q
    for e in (1 / (1 - p) + 1 / p, -p * ((1 - p) ** -2 - 1 / p ** 2) + (1 - p) ** -2, (2 * p - 2) / (4 * p ** 2 - 4),
              2 * p + 4, (p - q) ** 3 / (p + q) ** 2, mu / p - 2, (3 * mu / 2 - p + 1) / (p * (1 - p)),
              -(-1 / (2 * r ** 2) - 1 / (2 * p ** 2)) * (-8 * p - 5 * q + 9) - (sp.Rational(3, 2) / r ** 2) * (3 - q),
              sp.pi * p / (1 + p) + 1):  # (the last: pi is no element of QQ(p): factor itself)
        assert F._field_factor(e) == sp.factor(e)
        assert sp.cancel(F._field_factor(e) - e) == 0


def test_rational_tidy_keeps_a_small_input_that_is_shorter():
    p = sp.Symbol("p", positive=True)
    assert F._rational_tidy(1 / (1 - p) + 1 / p) == 1 / (p * (1 - p))
    e = 1 + 1 / (1 - p) + 1 / p  # its factored form (p^2 - p - 1)/(p (p - 1)) is longer
    assert F._rational_tidy(e) == e


def test_rational_tidy_ranks_the_lowest_terms_form_too():
    mu, s = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    e = s ** 5 * (1 / s ** 3 - mu ** 2 / s ** 5)  # E[T] of the normal law in (mu known, sigma), as solved
    assert sp.factor(e).is_Mul  # factoring splits the difference of squares, -(mu - sigma)(mu + sigma) ...
    assert F._rational_tidy(e) == s ** 2 - mu ** 2  # ... which the textbook (and tidy) keep whole
    n = from_density("exp(-(x-mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))", var="x in R", params=["sigma > 0"],
                     consts=["mu real"])
    assert find(n, "exponential_family").mean()[0] == n.symbol("sigma") ** 2 - n.symbol("mu") ** 2


def test_symmetric_matrix_tidied_on_and_above_the_diagonal(monkeypatch):
    p, q = sp.symbols("p q", positive=True)
    M = sp.Matrix([[1 / p + 1 / (1 - p - q), 1 / (1 - p - q)], [1 / (1 - p - q), 1 / q + 1 / (1 - p - q)]])
    seen = []
    real = F._tidy_entry
    monkeypatch.setattr(F, "_TIDIED", {})
    monkeypatch.setattr(F, "_tidy_entry", lambda e: seen.append(e) or real(e))
    out = F._tidy(M)
    assert len(seen) == 3 and out[0, 1] == out[1, 0]
    assert all(sp.cancel(a - b) == 0 for a, b in zip(out, M))


def test_proportional_coefficients_still_merge_and_others_are_certified_apart():
    m = from_density("exp(-(x-mu)**2/(2*v))/sqrt(2*pi*v)", var="x in R", params=["v > 0"], consts=["mu real"])
    ef = find(m, "exponential_family")
    x, mu, v = m.symbol("x"), m.symbol("mu"), m.symbol("v")
    assert ef.T == (x ** 2 - 2 * mu * x,) and ef.eta == (-1 / (2 * v),)  # mu/v over -1/(2v) is -2 mu: merged
    assert not E._ratio_varies(mu / v, -1 / (2 * v), m)
    n = from_density("exp(-(x-mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))", var="x in R",
                     params=["mu real", "sigma > 0"])
    mu, s = n.symbol("mu"), n.symbol("sigma")
    assert E._ratio_varies(mu / s ** 2, -1 / (2 * s ** 2), n)  # -2 mu depends on a parameter
    assert len(find(n, "exponential_family").T) == 2


def test_density_built_once_and_carried_while_the_log_density_is_the_same():
    m = from_density("p**x*(1-p)**(1-x)", var="x in {0, 1}", params=["p in (0, 1)"])
    f = m.density
    assert m.density is f and f.subs(m.symbol("x"), 1) == m.symbol("p")
    assert m.with_(name="renamed").density is f
    other = m.with_(log_density=2 * m.log_density)
    assert other.density is not f and sp.simplify(other.density - f ** 2) == 0
