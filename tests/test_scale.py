"""Structure instead of entries: the linear index (logistic regression) and the Gaussian
mean in matrix form scale with the dimension. Times are measured in benchmarks/bench_scale.py;
here the results at a large d are checked against the literature at seeded points."""
import random

import pytest
import sympy as sp

from symfisher.derive.fisher import fisher_information, hessian, score
from symfisher.derive.reparam import coordinate_change, reparameterize
from symfisher.derive.structure import index_model, linear_index
from symfisher.families import get_model


def _sigmoid(t):
    return 1 / (1 + sp.exp(-t))


@pytest.mark.parametrize("d", [1, 3, 30])
def test_logistic_regression_fisher_is_sigma_one_minus_sigma_x_xT(d):
    m = get_model("logistic_regression", d=d)
    ix = linear_index(m)
    assert ix is not None
    fd = fisher_information(m)
    assert fd.extras["routes_agree"] is True and not fd.failures
    I = fd.result
    rng = random.Random(d)
    sub = {s: sp.Rational(rng.randint(-15, 15), 10) for s in m.params + m.constants}
    eta = sum(sub[w] * sub[x] for w, x in zip(m.params, m.constants))
    x = sp.Matrix([sub[c] for c in m.constants])
    want = _sigmoid(eta) * (1 - _sigmoid(eta)) * x * x.T  # McCullagh & Nelder: X^T W X for one row
    assert max(abs(sp.N(e)) for e in I.xreplace(sub) - want) < 1e-12
    # both routes were lifted from the index model, each equal to the result
    for M in (fd.extras["outer"], fd.extras["curvature"]):
        assert max(abs(sp.N(e)) for e in M.xreplace(sub) - want) < 1e-12


def test_index_derivation_matches_the_entrywise_one():
    """The chain rule through the index gives what differentiating entry by entry gives."""
    m = get_model("logistic_regression", d=3)
    entrywise = sp.Matrix([sp.diff(m.log_density, w) for w in m.params])
    s = score(m).extras["raw"]
    H = hessian(m).extras["raw"]
    pts = random.Random(7)
    sub = {v: sp.Rational(pts.randint(-9, 9), 7) for v in m.params + m.constants}
    for y in (0, 1):
        sy = {**sub, m.data[0]: y}
        assert max(abs(sp.N(e)) for e in (s - entrywise).xreplace(sy)) < 1e-12
        H_direct = sp.Matrix(3, 3, lambda i, j: sp.diff(entrywise[i], m.params[j]))
        assert max(abs(sp.N(e)) for e in (H - H_direct).xreplace(sy)) < 1e-12


def test_index_model_is_the_bernoulli_in_the_logit():
    m = get_model("logistic_regression", d=2)
    red = index_model(m, linear_index(m))
    I_eta = fisher_information(red).result[0, 0]
    e = red.params[0]
    assert sp.simplify(I_eta - _sigmoid(e) * (1 - _sigmoid(e))) == 0


def test_a_changed_log_density_is_not_taken_for_an_index_model():
    m = get_model("logistic_regression", d=2)
    w1, w2 = m.params
    u = sp.Symbol("u")
    # w_1 = log u: the declared index no longer produces the log-density, so the generic route runs
    rm = reparameterize(m, coordinate_change(m, {w1: sp.log(u)}))
    assert linear_index(rm) is None
    assert linear_index(m.with_(log_density=m.log_density + w1 ** 2)) is None
