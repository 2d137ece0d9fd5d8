"""Regression models beyond the logistic: empirical Fisher and observed information on seeded
synthetic data against the derived (expected) Fisher information, d = 2 features, and a wrong
Fisher information refused. Literature targets at d = 1 are in tests/test_coverage_families.py;
here the d-feature forms (McCullagh & Nelder 1989, §2.5: W(eta) x x^T) are checked too."""
import pytest
import sympy as sp

from symfisher import get_model
from symfisher.derive import fisher_information
from symfisher.glm_data import empirical_vs_observed

CASES = {
    "poisson_regression": {"w_1": 0.4, "w_2": -0.3},
    "probit_regression": {"w_1": 0.8, "w_2": -0.5},
    "linear_regression": {"w_1": 1.0, "w_2": 2.0, "sigma": 0.7},
    "gamma_regression": {"w_1": 0.3, "w_2": -0.2, "nu": 2.5},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_empirical_and_observed_agree_with_expected_fisher(name):
    m = get_model(name, d=2)
    d = fisher_information(m)  # derived once, for both runs (empirical_vs_observed derives it when not given)
    assert d.result is not None, d.failures
    r = empirical_vs_observed(m, CASES[name], n=3000, seed=11, fisher=d.result)
    assert r.passed, [(c.name, c.value) for c in r.checks]
    # and a wrong information (twice the truth) is refused by the same data
    wrong = empirical_vs_observed(m, CASES[name], n=3000, seed=11, fisher=2 * d.result)
    assert not wrong.passed


@pytest.mark.parametrize("name", ["poisson_regression", "probit_regression"])
def test_linear_index_models_have_weight_times_outer_product(name):
    m = get_model(name, d=2)
    I = fisher_information(m).result
    x = sp.Matrix([m.symbol("x_1"), m.symbol("x_2")])
    eta = m.symbol("w_1") * x[0] + m.symbol("w_2") * x[1]
    if name == "poisson_regression":
        W = sp.exp(eta)
    else:
        Phi = (1 + sp.erf(eta / sp.sqrt(2))) / 2
        W = (sp.exp(-eta**2 / 2) / sp.sqrt(2 * sp.pi)) ** 2 / (Phi * (1 - Phi))
    diff = I - W * x * x.T  # erf and erfc forms: compared at points, to 30 digits
    for at in ({"w_1": 0.3, "w_2": -1.2, "x_1": 0.7, "x_2": 2.1}, {"w_1": -2.0, "w_2": 0.5, "x_1": 1.5, "x_2": -0.4}):
        sub = {m.symbol(k): sp.Rational(str(v)) for k, v in at.items()}
        assert all(abs(sp.N(e.xreplace(sub), 30)) < 1e-25 for e in diff)
    assert sp.simplify(I.det()) == 0  # one example informs only the index
