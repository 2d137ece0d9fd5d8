"""The exponential family's Fisher information in the model's own coordinates, and the linear index found
in a typed density (symfisher/derive/structures/expfam.py, linear_index.py).

* Route 1 is ``J^T (d E[T] / d theta)`` (the second-order identity: no inverse of the natural parameters),
  route 2 ``Hess A - sum_i E[T_i] Hess eta_i``; their agreement is a proof (``cancels`` with the exps read as
  generators ``y = e^t``), never a numeric sample, on the softmax (categorical in natural coordinates) and the
  logistic law. Literature: the categorical's Fisher information in its natural coordinates is the covariance
  of the indicators, ``diag(pi) - pi pi^T`` with ``pi = softmax`` (Lehmann & Casella 1998, §1.5, Theorem 5.8 of
  ch. 1: Cov(T) = Hess A); checked also by exact sums over the support.
* A typed logistic regression (both ways users type it) is found to depend on its weights only through
  ``eta = w.x``: its Fisher information is ``sigma(eta)(1 - sigma(eta)) x x^T`` (McCullagh & Nelder 1989, §2.5,
  ``X^T W X``), checked by the exact sum of the squared score over y in {0, 1}.
"""
import math

import pytest
import sympy as sp

from symfisher import fisher_information, from_density
from symfisher.derive import model_domains
from symfisher.derive.structures import applicable, find
from symfisher.derive.structures._expfam_forms import _exps_as_generators, _joined_exps
from symfisher.derive.structures.linear_index import found_index
from symfisher.simplify import is_zero

_IND = "(x-2)*(x-3)/2", "-(x-1)*(x-3)", "(x-1)*(x-2)/2"  # indicators of x = 1, 2, 3 on {1, 2, 3}
SIGMOID_EXP = "exp(y*(w_1*x_1+w_2*x_2))/(1+exp(w_1*x_1+w_2*x_2))"
SIGMOID_FORM = "(1/(1+exp(-(w_1*x_1+w_2*x_2))))**y*(1-1/(1+exp(-(w_1*x_1+w_2*x_2))))**(1-y)"


def _exact_outer(m, values):
    """E[s s^T] by the exact sum over a finite support, in floats (independent of the derivation)."""
    x = m.data[0]
    score = [sp.diff(m.log_density, th) for th in m.params]
    dens = sp.exp(m.log_density)
    sub = {m.symbol(k): v for k, v in values.items()}
    out = [[0.0] * m.dim for _ in range(m.dim)]
    for pt in m.support[0].points():
        f = float(dens.subs(sub).subs(x, pt))
        s = [float(si.subs(sub).subs(x, pt)) for si in score]
        for i in range(m.dim):
            for j in range(m.dim):
                out[i][j] += f * s[i] * s[j]
    return out


def test_categorical_in_natural_coordinates_routes_proven_and_softmax_covariance():
    m = from_density(f"exp(t_1*{_IND[0]}+t_2*({_IND[1]}))/(1+exp(t_1)+exp(t_2))", var="x in {1, 2, 3}",
                     params=["t_1 real", "t_2 real"])
    d = fisher_information(m)
    assert d.extras["structure"] == "exponential_family" and d.extras["routes_agree"] is True
    assert any(s.statement == "The two routes agree." for s in d.steps)  # proven, not the numeric label
    assert any("second-order identity" in s.reason for s in d.steps)  # no natural inverse was needed
    t1, t2 = m.symbol("t_1"), m.symbol("t_2")
    Z = 1 + sp.exp(t1) + sp.exp(t2)
    pi = sp.Matrix([sp.exp(t1) / Z, sp.exp(t2) / Z])
    target = sp.diag(*pi) - pi * pi.T
    assert is_zero(d.result - target, model_domains(m)) is True
    for values in ({"t_1": 0.3, "t_2": -1.1}, {"t_1": -2.0, "t_2": 0.7}):
        num = _exact_outer(m, values)
        sub = {t1: values["t_1"], t2: values["t_2"]}
        for i in range(2):
            for j in range(2):
                assert math.isclose(num[i][j], float(d.result[i, j].subs(sub)), rel_tol=1e-12)


@pytest.mark.parametrize("density", [SIGMOID_EXP, SIGMOID_FORM], ids=["exp-form", "sigmoid-form"])
def test_typed_logistic_regression_is_found_as_a_linear_index(density):
    m = from_density(density, var="y in {0, 1}", params=["w_1 real", "w_2 real"], consts=["x_1 real", "x_2 real"])
    names = [f.structure.name for f in applicable(m)]
    assert names[0] == "linear_index" and "catalog_identity" not in names  # no catalog search
    ix = find(m, "linear_index").ix
    w1, w2, x1, x2 = (m.symbol(n) for n in ("w_1", "w_2", "x_1", "x_2"))
    assert sp.expand(ix.eta - (w1 * x1 + w2 * x2)) == 0
    d = fisher_information(m)
    assert d.extras["routes_agree"] is True
    assert any("only through the linear index" in s.statement for s in d.steps)
    eta = w1 * x1 + w2 * x2
    sig = 1 / (1 + sp.exp(-eta))
    x = sp.Matrix([x1, x2])
    assert is_zero(d.result - sig * (1 - sig) * x * x.T, model_domains(m)) is True
    values = {"w_1": 0.4, "w_2": -1.3, "x_1": 1.7, "x_2": 0.6}
    num = _exact_outer(m, values)
    sub = {m.symbol(k): v for k, v in values.items()}
    for i in range(2):
        for j in range(2):
            assert math.isclose(num[i][j], float(d.result[i, j].subs(sub)), rel_tol=1e-12)


def test_a_linear_index_is_not_found_where_there_is_none():
    # a weight outside the index
    m = from_density("exp(y*(w_1*x_1+w_2*x_2) - w_1**2*y)/(1+exp(w_1*x_1+w_2*x_2 - w_1**2))", var="y in {0, 1}",
                     params=["w_1 real", "w_2 real"], consts=["x_1 real", "x_2 real"])
    assert found_index(m) is None
    # a weight that does not range over the whole line: the index's own domain would not be the line
    m = from_density(SIGMOID_EXP, var="y in {0, 1}", params=["w_1 > 0", "w_2 real"], consts=["x_1 real", "x_2 real"])
    assert found_index(m) is None
    # one parameter: nothing to reduce
    m = from_density("exp(y*w*x_1)/(1+exp(w*x_1))", var="y in {0, 1}", params=["w real"], consts=["x_1 real"])
    assert found_index(m) is None


def test_exps_as_generators_is_exact():
    a, b, c = sp.symbols("a b c", real=True)
    e = (sp.exp(a + 2 * b) + 3 * sp.exp(-a / 2)) / (1 + sp.exp(b - c) + sp.exp(a * c)) - sp.exp(1 + a)
    small, back = _exps_as_generators(e)
    assert not small.has(sp.exp(a)) and back  # the exps of the parameters are generators now
    again = _joined_exps(small.xreplace(back))
    for v in ({a: 0.3, b: -0.7, c: 1.1}, {a: -1.9, b: 0.2, c: -0.4}):
        assert math.isclose(float(e.subs(v)), float(again.subs(v)), rel_tol=1e-13)
    # nothing to do without exps
    assert _exps_as_generators(a + b) == (a + b, {})


def test_log_ratio_natural_parameters_have_a_closed_inverse():
    """The catalog categorical's eta_i = log(p_i / (1 - p_1 - p_2)) is inverted by the softmax, confirmed
    theta(eta(theta)) = theta, without SymPy's solve; E[s] = 0 then follows in natural coordinates."""
    from symfisher import get_model
    from symfisher.derive.structures import dispatch
    from symfisher.derive.structures.expfam import _log_ratio_inverses

    m = get_model("categorical")
    ef = find(m, "exponential_family")
    es = tuple(sp.Dummy(f"e{i}") for i in range(2))
    assert len(_log_ratio_inverses(es, ef.eta, m.params)) == 1
    es, theta = ef.natural()
    back = dict(zip(es, ef.eta))
    for th, t in zip(m.params, theta):
        assert sp.cancel(t.xreplace(back) - th) == 0
    assert is_zero(sp.Matrix(theta) - sp.Matrix([sp.exp(es[0]), sp.exp(es[1])]) / (1 + sp.exp(es[0]) + sp.exp(es[1])),
                   {}) is True
    es_d = dispatch("expected_score", m)
    assert es_d.result is True and not es_d.failures
    # not a log-ratio with one shared affine denominator: no candidate
    a, b = sp.symbols("a b", positive=True)
    assert _log_ratio_inverses(es, (sp.log(a) - sp.log(1 - a), sp.log(b) - sp.log(2 - b)), (a, b)) == []
