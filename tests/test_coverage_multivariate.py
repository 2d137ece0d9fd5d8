"""Multivariate structures in matrix form: the Gaussian covariance / precision, the correlation,
Dirichlet and the multinomial — each against its literature formula and an independent numeric
witness (Monte Carlo of s s^T with the score from ``sympy.diff``, or exact enumeration), and at
the sizes of the issue (d = 2..10, K up to 10), without timing assertions.

Sources: Magnus & Neudecker (1999) §15.4, I(vech Sigma) = ½ D^T (Sigma^{-1} ⊗ Sigma^{-1}) D with
D the duplication matrix; Kendall & Stuart vol. 2 §18 (I(rho) = (1 + rho^2)/(1 - rho^2)^2);
Minka, "Estimating a Dirichlet distribution" (2000), eq. (18); Lehmann & Casella (1998) §2.6
(multinomial, n (diag(1/p) + 1 1^T / p_K)).
"""
import itertools

import numpy as np
import pytest
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symfisher.derive.structures import applicable, dispatch
from symfisher.families.multivariate import (bivariate_normal_corr, dirichlet, multinomial, mvn_covariance,
                                             mvn_precision)


def _duplication_target(P: np.ndarray, pairs) -> np.ndarray:
    """½ D^T (P ⊗ P) D in the coordinates (i <= j): an independent (Kronecker) formula."""
    d = P.shape[0]
    D = np.zeros((d * d, len(pairs)))
    for col, (i, j) in enumerate(pairs):
        D[i * d + j, col] = D[j * d + i, col] = 1.0
    return 0.5 * D.T @ np.kron(P, P) @ D


def _pairs(d):
    return [(i, j) for i in range(d) for j in range(i, d)]


def _random_spd(d, rng):
    A = rng.uniform(-1, 1, size=(d, d))
    return A @ A.T / d + np.diag(rng.uniform(0.5, 1.5, size=d))


def _numeric(I, m, M: np.ndarray, inv_symbol=None):
    """I at the matrix M (its symbols from the model), opaque inverse entries from numpy."""
    d = M.shape[0]
    vals = {}
    for (i, j), s in zip(_pairs(d), m.params):
        vals[s] = M[i, j]
    if inv_symbol is not None:
        P = np.linalg.inv(M)
        for i in range(d):
            for j in range(d):
                vals[MatrixElement(sp.Inverse(inv_symbol), i, j)] = P[i, j]
    return np.array(I.xreplace({k: sp.Float(v) for k, v in vals.items()}).evalf(), dtype=float)


@pytest.mark.parametrize("d", [2, 3, 4, 6, 10])
def test_mvn_covariance_matches_the_duplication_formula(d):
    m = mvn_covariance(d)
    assert [f.structure.name for f in applicable(m)] == ["gaussian_covariance"]
    der = dispatch("fisher", m)
    assert der.extras["routes_agree"] is True and not der.failures
    I = der.result
    assert I.shape == (d * (d + 1) // 2,) * 2
    M = _random_spd(d, np.random.default_rng(d))
    got = _numeric(I, m, M, m.meta_value("gaussian_covariance").symbol if d > 3 else None)
    np.testing.assert_allclose(got, _duplication_target(np.linalg.inv(M), _pairs(d)), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("d", [2, 3, 5])
def test_mvn_precision_matches_the_duplication_formula(d):
    m = mvn_precision(d)
    I = dispatch("fisher", m).result
    L = _random_spd(d, np.random.default_rng(10 + d))
    got = _numeric(I, m, L, m.meta_value("gaussian_covariance").symbol if d > 3 else None)
    # in the precision: ½ D^T (Sigma ⊗ Sigma) D with Sigma = Lambda^{-1}
    np.testing.assert_allclose(got, _duplication_target(np.linalg.inv(L), _pairs(d)), rtol=1e-9, atol=1e-12)


def test_correlation_information_is_the_textbook_one():
    m = bivariate_normal_corr()
    rho = m.symbol("rho")
    I = dispatch("fisher", m).result
    assert sp.cancel(I[0, 0] - (1 + rho**2) / (1 - rho**2) ** 2) == 0


def _monte_carlo_outer(m, values: dict, n=200_000, seed=7):
    """Mean of s s^T over draws from the sampler, the score by sympy.diff of the log-density."""
    rng = np.random.default_rng(seed)
    X = np.asarray(m.sampler(rng, {s.name: v for s, v in values.items()}, n), dtype=float)
    sub = {s: sp.Float(v) for s, v in values.items()}
    score = [sp.lambdify(m.data, sp.diff(m.log_density, th).xreplace(sub).evalf(), ["scipy", "numpy"]) for th in m.params]
    S = np.stack([np.broadcast_to(f(*X.T), (n,)) for f in score], axis=1)
    return S.T @ S / n, S


@pytest.mark.parametrize("make, values", [
    (bivariate_normal_corr, {"rho": 0.6, "sigma_1": 1.3, "sigma_2": 0.7, "mu_1": 0.2, "mu_2": -1.0}),
    (lambda: mvn_covariance(2), {"sigma_11": 1.5, "sigma_12": 0.4, "sigma_22": 0.8, "mu_1": 0.0, "mu_2": 1.0}),
    (lambda: mvn_precision(2), {"lambda_11": 2.0, "lambda_12": -0.5, "lambda_22": 1.0, "mu_1": 0.0, "mu_2": 0.0}),
    (lambda: dirichlet(3), {"alpha_1": 1.5, "alpha_2": 2.5, "alpha_3": 4.0}),
])
def test_gaussian_and_dirichlet_information_by_monte_carlo(make, values):
    m = make()
    vals = {m.symbols[k]: v for k, v in values.items()}
    I = np.array(dispatch("fisher", m).result.xreplace({s: sp.Float(v) for s, v in vals.items()}).evalf(), dtype=float)
    mc, S = _monte_carlo_outer(m, vals)
    se = (S[:, :, None] * S[:, None, :]).std(axis=0) / np.sqrt(S.shape[0])
    assert np.all(np.abs(mc - I) < 5 * se + 1e-9), (mc, I)


@pytest.mark.parametrize("K", [2, 3, 5, 10])
def test_dirichlet_trigamma_structure(K):
    m = dirichlet(K)
    # the data-free Hessian is found (K = 2 is also an exponential family read off the density)
    assert "data_free_hessian" in [f.structure.name for f in applicable(m)]
    der = dispatch("fisher", m)
    a = m.params
    a0 = sp.Add(*a)
    target = sp.diag(*[sp.polygamma(1, ai) for ai in a]) - sp.polygamma(1, a0) * sp.ones(K, K)
    assert (der.result - target).applyfunc(sp.expand).is_zero_matrix
    assert der.extras["routes_agree"] is True


@pytest.mark.parametrize("K", [2, 3, 6, 10])
def test_multinomial_information(K):
    m = multinomial(K)
    der = dispatch("fisher", m)
    assert der.extras["routes_agree"] is True and not der.failures
    ps, n = m.params, m.symbol("n")
    pK = 1 - sp.Add(*ps)
    target = n * (sp.diag(*[1 / p for p in ps]) + sp.ones(K - 1, K - 1) / pK)
    assert all(sp.cancel(der.result[i, j] - target[i, j]) == 0 for i in range(K - 1) for j in range(K - 1))


def test_multinomial_by_exact_enumeration():
    """E[s s^T] summed over every count vector of n = 4 trials in K = 3 cells."""
    m = multinomial(3)
    vals = {m.symbol("p_1"): sp.Rational(1, 5), m.symbol("p_2"): sp.Rational(1, 2), m.symbol("n"): 4}
    score = [sp.diff(m.log_density, th) for th in m.params]
    f = sp.exp(m.log_density)
    total = sp.zeros(2, 2)
    for x1, x2 in itertools.product(range(5), repeat=2):
        if x1 + x2 > 4:
            continue
        at = {**vals, m.data[0]: x1, m.data[1]: x2}
        s = sp.Matrix([sp.nsimplify(e.subs(at)) for e in score])
        total += f.subs(at) * s * s.T
    I = dispatch("fisher", m).result.subs(vals)
    assert (total.applyfunc(sp.nsimplify) - I).applyfunc(sp.simplify).is_zero_matrix


def test_a_form_that_does_not_describe_the_density_is_ignored():
    m = mvn_covariance(2)
    edited = m.with_(log_density=m.log_density + m.params[0])  # no longer the declared Gaussian
    assert "gaussian_covariance" not in [f.structure.name for f in applicable(edited)]
    mm = multinomial(3)
    assert "multinomial_counts" not in [f.structure.name for f in applicable(mm.with_(log_density=2 * mm.log_density))]
