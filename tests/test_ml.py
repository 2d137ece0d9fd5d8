"""Exercises 7, 8 and 10 from the derived logistic formulas, and X^T W X / n."""
import numpy as np
import pytest
import sympy as sp

from symfisher.ml import (empirical_fisher, empirical_vs_hessian, ewc_importance, ewc_penalty, fisher_on_data,
                          logistic_formulas, natural_gradient_step, observed_hessian, per_example_scores,
                          simulate_logistic)


def test_formulas_are_the_derived_ones():
    L = logistic_formulas(2)
    (w1, w2), (x1, x2) = L.weights, L.features
    sig = 1 / (1 + sp.exp(-(w1 * x1 + w2 * x2)))
    target = sig * (1 - sig) * sp.Matrix([x1, x2]) * sp.Matrix([[x1, x2]])
    assert sp.simplify(L.fisher - target) == sp.zeros(2, 2)
    assert sp.simplify(L.hessian + target) == sp.zeros(2, 2)


def test_exercise_7_empirical_fisher_vs_hessian():
    r = empirical_vs_hessian(n=300, weights=(0.8, -0.4), seed=0)
    assert r.X.shape == (300, 2) and r.passed
    assert r.gap > 1e-3  # nonzero Frobenius gap on finite data
    assert np.allclose(r.observed_hessian, r.xtwx, atol=1e-14)
    assert np.allclose(r.expected_empirical, r.observed_hessian, atol=1e-14)  # agree in expectation
    assert any("expectation" in n for n in r.derivation.notes)
    assert r.derivation.checks == r.checks and len(r.derivation.steps) >= 5
    # reproducible
    assert empirical_vs_hessian(300, (0.8, -0.4), 0).gap == r.gap


def test_fisher_equals_xtwx_over_n_on_data():
    X, y = simulate_logistic(500, (0.3, -1.2, 0.5), seed=7)
    w = np.array([0.3, -1.2, 0.5])
    p = 1 / (1 + np.exp(-X @ w))
    xtwx = X.T @ np.diag(p * (1 - p)) @ X / len(X)
    assert np.allclose(fisher_on_data(X, w), xtwx, rtol=1e-12, atol=1e-15)
    assert np.allclose(observed_hessian(X, y, w), xtwx, rtol=1e-12, atol=1e-15)
    g = per_example_scores(X, y, w)
    assert np.allclose(g, (y - p)[:, None] * X)
    assert np.allclose(empirical_fisher(X, y, w), ((y - p) ** 2 * X.T) @ X / len(X))


def test_exercise_8_ewc():
    MOVES = ((0.95, -0.65), (1.4, -0.1))
    r = ewc_importance(n=300, task_weights=(0.9, -0.7), seed=1, moves=MOVES)
    small, large = r.penalties
    assert large > small > 0 and r.passed
    assert np.all(r.fisher_diag > 0)
    assert ewc_penalty((0.95, -0.65), r.task_weights, r.fisher_diag) == pytest.approx(small)
    emp = ewc_importance(300, (0.9, -0.7), 1, MOVES, kind="empirical")
    assert emp.penalties[1] > emp.penalties[0]
    with pytest.raises(ValueError):
        ewc_importance(300, (0.9, -0.7), 1, MOVES, kind="nope")


def test_exercise_10_natural_gradient():
    r = natural_gradient_step((2.0, 2.0), np.diag([10.0, 0.5]), 0.1)
    assert np.allclose(r.natural, [-0.02, -0.4]) and np.allclose(r.plain, [-0.2, -0.2])
    assert r.damped.tolist() == [True, False] and r.amplified.tolist() == [False, True]
    assert r.passed
    assert r.derivation.result == sp.Matrix([sp.Rational(-1, 50), sp.Rational(-2, 5)])
    assert np.allclose(natural_gradient_step((2.0, 2.0), (10.0, 0.5), 0.1).natural, r.natural)
    with pytest.raises(ValueError):
        natural_gradient_step((1.0, 2.0), np.eye(3), 0.1)


def test_vectorized_over_rows_not_a_python_loop():
    """The rows are one array operation: the per-example scores of 100 000 rows equal the per-row
    formula on a sample of rows (how fast is measured in benchmarks/, not asserted here)."""
    X, y = simulate_logistic(100_000, (0.8, -0.4), seed=3)
    w = np.array((0.8, -0.4))
    F = empirical_fisher(X, y, w)
    p = 1 / (1 + np.exp(-X @ w))
    g = (y - p)[:, None] * X  # the Bernoulli score of each row, written out independently
    assert np.allclose(F, g.T @ g / len(y), rtol=1e-12, atol=1e-14)
    rows = np.random.default_rng(0).choice(len(y), 50, replace=False)
    for i in rows:
        gi = (y[i] - 1 / (1 + np.exp(-X[i] @ w))) * X[i]
        assert np.allclose(per_example_scores(X[i:i + 1], y[i:i + 1], w)[0], gi)


def test_ml_results_are_typed_fields_a_spec_addresses():
    """A spec's path reaches the numbers of an ML result (ewc.wstar[1], ewc.penalties[0]), not a copy."""
    from symfisher import sheets

    text = ('title = "EWC"\nquestion = "Q"\n[[derive]]\nquantity = "ewc"\nn = 50\nweights = [0.2, 1.1]\nseed = 5\n'
            'moves = [[0.3, 1.0], [1.2, -1.0]]\n'
            '[[check]]\nname = "penalty of the first move, against the formula with the diagonal Fisher"\n'
            'of = "ewc.penalties[0]"\ntarget = "0.5*({f0}*0.1**2 + {f1}*0.1**2)"\ntol = 1e-10\n')
    r = ewc_importance(n=50, task_weights=(0.2, 1.1), seed=5, moves=[[0.3, 1.0], [1.2, -1.0]])
    F = fisher_on_data(r.X, np.array([0.2, 1.1])).diagonal()
    spec = sheets.parse_spec(text.format(f0=repr(float(F[0])), f1=repr(float(F[1]))), "ewc.toml")
    checks = sheets.build_section(spec, figures=False).all_checks
    assert checks[-1].passed and len(checks) == len(r.checks) + 1
    ctx = sheets.adapter._run_part(spec, spec.parts[0], 0)[0]
    assert ctx.value("ewc.wstar").tolist() == [0.2, 1.1]
