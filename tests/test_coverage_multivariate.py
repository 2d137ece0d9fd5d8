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


# -- the catalog entries: literature targets (merged into tests/test_catalog.py's table) ---------------

def _unit(d, i, j):
    E = sp.zeros(d, d)
    E[i, j] = E[j, i] = 1
    return E


def _trace_information(m, M, deriv):
    """I_ij = ½ tr(M^{-1} dM_i M^{-1} dM_j) (Magnus & Neudecker §15.4), written with SymPy's own
    inverse: no code shared with the structure."""
    P = M.inv()
    Ds = [deriv(th) for th in m.params]
    k = len(Ds)
    return sp.Matrix(k, k, lambda i, j: sp.factor((P * Ds[i] * P * Ds[j]).trace() / 2))


def _mvn_cov_target(m):
    Sigma = m.meta_value("gaussian_covariance").matrix
    return _trace_information(m, Sigma, lambda th: Sigma.diff(th))


def _mvn_prec_target(m):
    # in the precision: ½ tr(Sigma dLambda_i Sigma dLambda_j), Sigma = Lambda^{-1}
    Lam = m.meta_value("gaussian_covariance").matrix
    return _trace_information(m, Lam, lambda th: Lam.diff(th))


def _dirichlet_target(m):
    a = m.params
    return sp.diag(*[sp.polygamma(1, ai) for ai in a]) - sp.polygamma(1, sp.Add(*a)) * sp.ones(len(a), len(a))


def _multinomial_target(m):
    ps, n = m.params, m.symbol("n")
    k = len(ps)
    return n * (sp.diag(*[1 / p for p in ps]) + sp.ones(k, k) / (1 - sp.Add(*ps)))


LITERATURE = {
    "mvn_covariance": _mvn_cov_target,
    "mvn_precision": _mvn_prec_target,
    "bivariate_normal_corr": lambda m: sp.Matrix([[(1 + m.symbol("rho") ** 2) / (1 - m.symbol("rho") ** 2) ** 2]]),
    "dirichlet": _dirichlet_target,
    "multinomial": _multinomial_target,
}
MULTIVARIATE = sorted(LITERATURE)


def test_the_multivariate_families_are_listed_under_multivariate(capsys):
    from symfisher.cli import main

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    block = out.split("# multivariate")[1].split("\n# ")[0]
    for name in MULTIVARIATE + ["mvn_mean"]:
        assert f"\n{name} " in block, name
    assert "[sizes d=2; change with --size]" in block and "[sizes K=3; change with --size]" in block


@pytest.mark.parametrize("name", MULTIVARIATE)
def test_catalog_family_fisher_and_no_failures(name, report):
    from symfisher import get_model
    from symfisher.derive import model_domains
    from symfisher.simplify import is_zero

    m = get_model(name)
    rep = report(name)
    I = rep.get("fisher")
    assert is_zero(I - LITERATURE[name](m), model_domains(m)) is True
    core = [f for f in rep.failures if f["step"] != "jeffreys propriety"]
    assert core == [], core
    for q in ("score", "hessian", "fisher", "cramer_rao", "kl", "kl_taylor", "jeffreys"):
        assert rep.get(q) is not None, (name, q)
    assert rep.derivations["kl_taylor"].extras["quadratic_is_fisher"] is True


# -- KL divergences: the literature closed forms, and a Monte Carlo mean of the log-ratio ---------------

def _gauss_kl(S1, S2, d):
    return ((S2.inv() * S1).trace() - d + sp.log(S2.det() / S1.det())) / 2


def _kl_target(m, first, second):
    name = m.name
    if name in ("mvn_covariance", "mvn_precision", "bivariate_normal_corr"):
        M = m.meta_value("gaussian_covariance").matrix
        M1, M2 = M.xreplace(first), M.xreplace(second)
        if name == "mvn_precision":
            M1, M2 = M1.inv(), M2.inv()
        return _gauss_kl(M1, M2, M.rows)  # Kullback (1959), ch. 9, with a shared mean
    if name == "dirichlet":  # Penny (2001) / Rauber et al. (2008)
        a = [first[s] for s in m.params]
        b = [second[s] for s in m.params]
        a0, b0 = sp.Add(*a), sp.Add(*b)
        return (sp.loggamma(a0) - sp.Add(*[sp.loggamma(v) for v in a]) - sp.loggamma(b0) + sp.Add(*[sp.loggamma(v) for v in b])
                + sp.Add(*[(u - v) * (sp.polygamma(0, u) - sp.polygamma(0, a0)) for u, v in zip(a, b)]))
    p = [first[s] for s in m.params]
    q = [second[s] for s in m.params]
    p, q = p + [1 - sp.Add(*p)], q + [1 - sp.Add(*q)]
    return m.symbol("n") * sp.Add(*[u * sp.log(u / v) for u, v in zip(p, q)])


_POINTS = {
    "mvn_covariance": ({"sigma_11": 1.5, "sigma_12": 0.4, "sigma_22": 0.8}, {"sigma_11": 1.0, "sigma_12": -0.2, "sigma_22": 1.3},
                       {"mu_1": 0.3, "mu_2": -0.5}),
    "mvn_precision": ({"lambda_11": 2.0, "lambda_12": -0.5, "lambda_22": 1.0}, {"lambda_11": 1.2, "lambda_12": 0.3, "lambda_22": 0.7},
                      {"mu_1": 0.0, "mu_2": 1.0}),
    "bivariate_normal_corr": ({"rho": 0.6}, {"rho": -0.3}, {"sigma_1": 1.3, "sigma_2": 0.7, "mu_1": 0.2, "mu_2": -1.0}),
    "dirichlet": ({"alpha_1": 1.5, "alpha_2": 2.5, "alpha_3": 4.0}, {"alpha_1": 0.8, "alpha_2": 3.0, "alpha_3": 2.0}, {}),
    "multinomial": ({"p_1": 0.2, "p_2": 0.5}, {"p_1": 0.35, "p_2": 0.25}, {"n": 6}),
}


@pytest.mark.parametrize("name", MULTIVARIATE)
def test_kl_is_the_literature_closed_form_and_the_mean_log_ratio(name, report):
    from symfisher import get_model
    from symfisher.derive.kl import kl_domains, kl_symbols
    from symfisher.simplify import is_zero

    m = get_model(name)
    kl = report(name).get("kl")
    first, second = kl_symbols(m)
    target = _kl_target(m, first, second)
    assert is_zero(kl - target, kl_domains(m)) is True, (kl, target)
    # the witness: the sample mean of log f(X; theta_1) - log f(X; theta_2) over draws from theta_1
    p1, p2, consts = _POINTS[name]
    sub = {first[m.symbol(k)]: v for k, v in p1.items()} | {second[m.symbol(k)]: v for k, v in p2.items()}
    sub |= {m.symbol(k): v for k, v in consts.items()}
    value = float(kl.xreplace({s: sp.Float(v) for s, v in sub.items()}))
    rng = np.random.default_rng(11)
    X = np.asarray(m.sampler(rng, {**p1, **consts}, 200_000), dtype=float)
    at = lambda p: {m.symbol(k): sp.Float(v) for k, v in {**p, **consts}.items()}  # noqa: E731
    ratio = (m.log_density.xreplace(at(p1)) - m.log_density.xreplace(at(p2)))
    f = sp.lambdify(m.data, sp.expand_log(ratio, force=True), ["scipy", "numpy"])
    r = np.broadcast_to(f(*X.T), (X.shape[0],))
    assert abs(r.mean() - value) < 5 * r.std() / np.sqrt(len(r)) + 1e-9, (r.mean(), value)


def test_kl_beyond_d_3_in_matrix_form_at_d_4():
    """Beyond d = 3 the KL is written with the opaque (Sigma_2^{-1})_ij and det Sigma_k: evaluated
    at two positive definite matrices it is ½[tr(S2^{-1} S1) - d + log det S2/det S1]."""
    from symfisher.derive.kl import kl_divergence
    from symfisher.numeric import NumericFunction

    m = mvn_covariance(4)
    d = kl_divergence(m)
    assert d.result is not None and not d.failures
    rng = np.random.default_rng(4)
    S1, S2 = _random_spd(4, rng), _random_spd(4, rng)
    from symfisher.derive.kl import kl_symbols

    first, second = kl_symbols(m)
    vals = {}
    for (i, j), s in zip(_pairs(4), m.params):
        vals[first[s]], vals[second[s]] = S1[i, j], S2[i, j]
    names = sorted(vals, key=str)
    got = float(NumericFunction.build(d.result, names).at({s.name: v for s, v in vals.items()}))
    want = 0.5 * (np.trace(np.linalg.solve(S2, S1)) - 4 + np.log(np.linalg.det(S2) / np.linalg.det(S1)))
    assert abs(got - want) < 1e-9


# -- beyond d = 3: score and Hessian by the structure against finite differences ---------------------------

def test_score_and_hessian_at_d_4_match_finite_differences():
    """The opaque inverse cannot be differentiated by SymPy; the structure's score and Hessian are
    checked against central differences of the explicit log-density, det and inverse by NumPy."""
    from symfisher.derive.fisher import hessian, score
    from symfisher.numeric import NumericFunction

    d = 4
    m = mvn_covariance(d)
    s, H = score(m).result, hessian(m).result
    rng = np.random.default_rng(2)
    S = _random_spd(d, rng)
    x, mu = rng.normal(size=d), rng.normal(size=d)
    pairs = _pairs(d)

    def logf(theta):
        M = np.zeros((d, d))
        for (i, j), v in zip(pairs, theta):
            M[i, j] = M[j, i] = v
        r = x - mu
        return -0.5 * (np.log(np.linalg.det(M)) + r @ np.linalg.solve(M, r)) - d / 2 * np.log(2 * np.pi)

    theta = np.array([S[i, j] for i, j in pairs])
    vals = {**{p: v for p, v in zip(m.params, theta)}, **{xi: v for xi, v in zip(m.data, x)},
            **{mi: v for mi, v in zip(m.constants, mu)}}

    def ev(e):
        return float(NumericFunction.build(e, list(vals)).at({s.name: v for s, v in vals.items()}))

    h = 1e-5
    for i in range(len(theta)):
        ei = np.eye(len(theta))[i] * h
        fd = (logf(theta + ei) - logf(theta - ei)) / (2 * h)
        assert abs(ev(s[i]) - fd) < 1e-6 * max(1, abs(fd)), i
    for i, j in [(0, 0), (1, 4), (3, 9), (5, 7)]:
        ei, ej = np.eye(len(theta))[i] * h * 10, np.eye(len(theta))[j] * h * 10
        fd = (logf(theta + ei + ej) - logf(theta + ei - ej) - logf(theta - ei + ej) + logf(theta - ei - ej)) / (4 * h * h * 100)
        assert abs(ev(H[i, j]) - fd) < 1e-4 * max(1, abs(fd)), (i, j)


# -- Jeffreys priors -------------------------------------------------------------------------------------

def test_jeffreys_priors(report):
    from symfisher import get_model

    m = get_model("mvn_covariance")
    jd = report("mvn_covariance").derivations["jeffreys"]
    Sigma = m.meta_value("gaussian_covariance").matrix
    # det(Sigma)^(-(d+1)/2) (Box & Tiao 1973, §8.2), improper
    assert sp.simplify(jd.result / Sigma.det() ** sp.Rational(-3, 2)) == 1 and jd.extras["proper"] is False
    # independently: sqrt(det I) of the literature matrix is a constant times it
    ratio = sp.sqrt(sp.factor(_mvn_cov_target(m).det())) / jd.result
    assert sp.simplify(ratio**2) == sp.Rational(1, 4)  # det I = det(Sigma)^(-3) / 4
    mm = get_model("multinomial")
    jm = report("multinomial").derivations["jeffreys"]
    p1, p2 = mm.params
    assert sp.simplify(jm.result * sp.sqrt(p1 * p2 * (1 - p1 - p2))) == 1
    assert jm.extras["proper"] is True and jm.extras["named"] == "Dirichlet(1/2, 1/2, 1/2)"
    assert sp.simplify(jm.extras["normalizer"] - 2 * sp.pi) == 0  # Gamma(1/2)^3 / Gamma(3/2)
    rho = get_model("bivariate_normal_corr").symbol("rho")
    jb = report("bivariate_normal_corr").derivations["jeffreys"]
    assert sp.simplify(jb.result - sp.sqrt(1 + rho**2) / (1 - rho**2)) == 0  # positive on (-1, 1)
    # of order 1/(1 - |rho|) at both ends: improper (decided by the order test, no integral)
    assert jb.extras["proper"] is False and {str(e) for _, e in jb.extras["divergent"]} == {"-1", "1"}


def test_dirichlet_log_moments_by_monte_carlo():
    """The declared Mellin transform gives E[log x_k] = psi(alpha_k) - psi(alpha_0): a witness."""
    from symfisher.expectation import expectation

    m = dirichlet(3)
    vals = {"alpha_1": 0.7, "alpha_2": 2.0, "alpha_3": 3.5}
    X = m.sampler(np.random.default_rng(5), vals, 400_000)
    sub = {m.symbol(k): sp.Float(v) for k, v in vals.items()}
    for t, sample in ((sp.log(m.data[0]), np.log(X[:, 0])), (sp.log(1 - m.data[0] - m.data[1]), np.log(1 - X.sum(axis=1)))):
        v = float(expectation(t, m).value.xreplace(sub))
        assert abs(sample.mean() - v) < 5 * sample.std() / np.sqrt(len(sample))


def test_multinomial_moment_table_by_enumeration():
    """E[x_1^2 x_2] from the factorial moments against the exact sum over all count vectors."""
    from math import factorial

    m = multinomial(3)
    n, (p1, p2) = 5, (sp.Rational(1, 5), sp.Rational(1, 2))
    v = m.moments(m.data[0] ** 2 * m.data[1]).xreplace({m.symbol("n"): n, m.params[0]: p1, m.params[1]: p2})
    exact = sum(sp.Rational(factorial(n), factorial(a) * factorial(b) * factorial(n - a - b)) * p1**a * p2**b
                * (1 - p1 - p2) ** (n - a - b) * a**2 * b for a in range(n + 1) for b in range(n + 1 - a))
    assert v == exact


def test_beyond_d_3_jeffreys_is_the_determinant_power_and_the_taylor_expansion_is_in_matrix_form():
    from symfisher.derive.report import derive_all

    m = mvn_covariance(4)
    rep = derive_all(m, only=["jeffreys", "kl_taylor"])
    S = m.meta_value("gaussian_covariance").symbol
    assert rep.get("jeffreys") == sp.Determinant(S) ** sp.Rational(-5, 2)  # det(Sigma)^(-(d+1)/2)
    assert rep.derivations["jeffreys"].extras["proper"] is False
    assert rep.failures == []
    td = rep.derivations["kl_taylor"]
    assert td.extras["quadratic_is_fisher"] is True and td.extras["cubic"].has(sp.Inverse)  # the opaque entries


# -- the Cramér–Rao bound in the distinct entries: the covariance of a Wishart matrix ----------------------

@pytest.mark.parametrize("make, d", [(mvn_covariance, 2), (mvn_covariance, 3), (mvn_covariance, 5),
                                     (mvn_precision, 3), (mvn_precision, 4)])
def test_cramer_rao_in_the_entries_is_the_wishart_covariance(make, d):
    """I^{-1} for vech(M): C_(ij),(kl) = m_ik m_jl + m_il m_jk (Muirhead, *Aspects of Multivariate
    Statistical Theory* (1982), §3.2, with n = 1; Magnus & Neudecker Thm 3.13), derived beyond
    d = 3 without the opaque inverse; the witness is NumPy's inverse of the duplication-matrix
    formula ½ D^T (P ⊗ P) D at a random positive definite matrix."""
    from symfisher.derive.fisher import cramer_rao

    m = make(d)
    der = cramer_rao(m, dispatch("fisher", m).result)
    assert not der.failures and der.extras.get("structure") == "gaussian_covariance"
    C = der.result
    assert not C.has(sp.Inverse)  # polynomial in the entries of M
    form = m.meta_value("gaussian_covariance")
    M = _random_spd(d, np.random.default_rng(20 + d))
    pairs = _pairs(d)
    got = np.array(C.xreplace({form.matrix[i, j]: sp.Float(M[i, j]) for i, j in pairs}).evalf(), dtype=float)
    # the information in the entries of M has P = M^{-1} in the covariance and P = M^{-1} = Sigma in the precision
    want = np.linalg.inv(_duplication_target(np.linalg.inv(M), pairs))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    a, b = pairs.index((0, 0)), pairs.index((0, 1))
    s = form.matrix
    assert sp.expand(C[a, a] - 2 * s[0, 0] ** 2) == 0 and sp.expand(C[a, b] - 2 * s[0, 0] * s[0, 1]) == 0


def test_the_correlation_bound_is_the_generic_inverse():
    """rho is not an entry of Sigma: the structure declines and the generic route inverts the 1 x 1 I."""
    from symfisher.derive.fisher import cramer_rao

    m = bivariate_normal_corr()
    rho = m.symbol("rho")
    der = cramer_rao(m, dispatch("fisher", m).result)
    assert der.extras.get("structure") is None
    assert sp.cancel(der.result[0, 0] - (1 - rho**2) ** 2 / (1 + rho**2)) == 0


# -- the KL Taylor expansion from the closed form in matrix form, against mpmath's Taylor coefficients -------

def _mp_kl_coefficients(M, Dl, kind, order=3):
    """Taylor coefficients in t of KL(N(0, Sigma) || N(0, Sigma_t)) at t = 0, M_t = M + t Dl, by mpmath's
    numerical differentiation at 40 digits of the closed form in mpmath matrices: no series, no SymPy."""
    import mpmath as mp

    with mp.workdps(40):
        M0 = mp.matrix(M.tolist())
        D0 = mp.matrix(Dl.tolist())
        d = M0.rows

        def kl(t):
            Mt = M0 + t * D0
            S1, S2 = (M0, Mt) if kind == "covariance" else (mp.inverse(M0), mp.inverse(Mt))
            tr = sum((mp.inverse(S2) * S1)[i, i] for i in range(d))
            return (tr - d + mp.log(mp.det(S2) / mp.det(S1))) / 2

        return [float(c) for c in mp.taylor(kl, 0, order)]


@pytest.mark.parametrize("make, d", [(mvn_covariance, 2), (mvn_covariance, 3), (mvn_covariance, 4),
                                     (mvn_precision, 3), (mvn_precision, 5), (bivariate_normal_corr, 2)])
def test_kl_taylor_in_matrix_form_matches_the_series_of_the_closed_form(make, d):
    """KL(P_theta || P_theta+delta) = sum_k c_k tr((M^{-1} Delta)^k), c_2 = 1/4 and c_3 = -1/3 in Sigma,
    -1/6 in Lambda (the univariate case: KL(N(0, v) || N(0, v + e)) = e^2/(4 v^2) - e^3/(3 v^3) + ...),
    derived by the structure at every d (beyond d = 3 with the opaque inverse), the quadratic term half
    the Fisher information; the witness is the Taylor series of the closed form computed by mpmath."""
    from symfisher.derive.taylor import kl_taylor

    m = make(d) if make is not bivariate_normal_corr else make()
    der = kl_taylor(m, fisher=dispatch("fisher", m).result)
    assert not der.failures and der.extras["structure"] == "gaussian_covariance"
    assert der.extras["quadratic_is_fisher"] is True and der.extras["terms"][1] == 0
    form = m.meta_value("gaussian_covariance")
    rng = np.random.default_rng(30 + d)
    if make is bivariate_normal_corr:
        vals = {m.symbol("rho"): 0.35, m.symbol("sigma_1"): 1.3, m.symbol("sigma_2"): 0.6}
        dvals = {der.extras["delta"][0]: 0.8}
    else:
        S = _random_spd(d, rng)
        vals = {form.matrix[i, j]: S[i, j] for i, j in _pairs(d)}
        dvals = dict(zip(der.extras["delta"], rng.uniform(-1, 1, size=len(m.params))))
    Mn = np.array(form.matrix.xreplace({k: sp.Float(v) for k, v in vals.items()}).evalf(), dtype=float)
    Dn = np.array(sum((form.matrix.diff(th) * dvals[dl] for th, dl in zip(m.params, der.extras["delta"])),
                      sp.zeros(d, d)).xreplace({k: sp.Float(v) for k, v in vals.items()}).evalf(), dtype=float)
    sub = {k: sp.Float(v) for k, v in {**vals, **dvals}.items()}
    if d > 3:
        P = np.linalg.inv(Mn)
        sub |= {MatrixElement(sp.Inverse(form.symbol), i, j): sp.Float(P[i, j]) for i in range(d) for j in range(d)}
    want = _mp_kl_coefficients(Mn, Dn, form.kind)
    for k in (2, 3):
        got = float(der.extras["terms"][k].xreplace(sub).evalf())
        assert abs(got - want[k]) < 1e-8 * max(1.0, abs(want[k])), (k, got, want[k])


# -- the multinomial in its free probabilities: bound, divergence, expansion and prior from the counts' means --

def _enumerated_fisher(m, n, probs):
    """E[s s^T] summed exactly over every count vector of n trials (floats; the score by sympy.diff)."""
    K = len(m.data) + 1
    sub = {m.symbol("n"): n, **{p: v for p, v in zip(m.params, probs)}}
    score = sp.lambdify(m.data, [sp.diff(m.log_density, th).xreplace(sub) for th in m.params], "math")
    f = sp.lambdify(m.data, sp.exp(m.log_density.xreplace(sub)), ["scipy", "math"])
    total = np.zeros((K - 1, K - 1))
    for xs in itertools.product(range(n + 1), repeat=K - 1):
        if sum(xs) <= n:
            s = np.array(score(*xs), dtype=float)
            total += float(f(*xs)) * np.outer(s, s)
    return total


@pytest.mark.parametrize("K", [3, 4])
def test_multinomial_cramer_rao_is_the_frequency_covariance(K):
    """I^{-1} = (diag p - p p^T)/n (Agresti 2002, §14.1: the covariance of the cell frequencies), against
    NumPy's inverse of the information summed over every count vector."""
    from symfisher.derive.fisher import cramer_rao

    m = multinomial(K)
    der = cramer_rao(m, dispatch("fisher", m).result)
    assert not der.failures and der.extras.get("structure") == "multinomial_counts"
    ps, n = m.params, m.symbol("n")
    target = (sp.diag(*ps) - sp.Matrix(ps) * sp.Matrix(ps).T) / n
    assert (der.result - target).applyfunc(sp.expand).is_zero_matrix
    probs = [0.15 + 0.1 * k for k in range(K - 1)]
    want = np.linalg.inv(_enumerated_fisher(m, 4, probs))
    got = np.array(der.result.xreplace({n: 4, **dict(zip(ps, probs))}).evalf(), dtype=float)
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_multinomial_kl_and_expected_score_at_k_6_by_enumeration():
    """KL = n sum p_k log(p_k/q_k) (Kullback 1959) at K = 6, and E[s] = 0 from sum p_k = 1; the witness is the
    exact mean of the log-ratio over every count vector of n = 3 trials."""
    from math import factorial

    from symfisher.derive.kl import kl_divergence, kl_symbols
    from symfisher.derive.fisher import score

    m = multinomial(6)
    es = dispatch("expected_score", m, score_vector=score(m, textbook=False).extras["raw"])
    assert es.result is True and not es.failures
    kl = kl_divergence(m)
    assert not kl.failures
    first, second = kl_symbols(m)
    p = [first[s] for s in m.params]
    q = [second[s] for s in m.params]
    p, q = p + [1 - sp.Add(*p)], q + [1 - sp.Add(*q)]
    assert sp.expand(kl.result - m.symbol("n") * sp.Add(*[a * sp.log(a / b) for a, b in zip(p, q)])) == 0
    pv, qv = [0.1, 0.2, 0.05, 0.3, 0.15, 0.2], [0.25, 0.1, 0.2, 0.1, 0.15, 0.2]
    n = 3
    exact = 0.0
    for xs in itertools.product(range(n + 1), repeat=6):
        if sum(xs) == n:
            prob = factorial(n) / np.prod([factorial(x) for x in xs]) * np.prod([a**x for a, x in zip(pv, xs)])
            exact += prob * sum(x * np.log(a / b) for x, a, b in zip(xs, pv, qv))
    sub = {m.symbol("n"): n, **{first[s]: v for s, v in zip(m.params, pv)}, **{second[s]: v for s, v in zip(m.params, qv)}}
    assert abs(float(kl.result.xreplace(sub)) - exact) < 1e-12


def test_multinomial_kl_taylor_and_jeffreys_at_k_10():
    """At K = 10: the cubic term -n sum_k delta_k^3/(3 p_k^2) (delta_K = -sum delta; the series of
    n sum p_k log(p_k/(p_k + delta_k))), from E[d^alpha log f] = n sum_k p_k d^alpha log p_k; the Jeffreys prior
    Dirichlet(1/2, ..., 1/2) with det I = n^9/(p_1 ... p_10) (matrix determinant lemma), its normalizer
    Gamma(1/2)^10/Gamma(5) = pi^5/24; witnesses: mpmath's Taylor coefficients of the closed form and NumPy's
    determinant of the literature matrix."""
    import mpmath as mp

    from symfisher.derive.report import derive_all

    m = multinomial(10)
    rep = derive_all(m, only=["kl_taylor", "jeffreys"])
    assert rep.failures == []
    td, jd = rep.derivations["kl_taylor"], rep.derivations["jeffreys"]
    assert td.extras["quadratic_is_fisher"] is True
    ps, n, delta = m.params, m.symbol("n"), td.extras["delta"]
    dK = -sp.Add(*delta)
    cubic = -n * (sp.Add(*[dl**3 / p**2 for dl, p in zip(delta, ps)]) + dK**3 / (1 - sp.Add(*ps)) ** 2) / 3
    # equal as rational functions: exact values at random rational points (a cancellation in 19 symbols is slow)
    rng = np.random.default_rng(10)
    for _ in range(3):
        pr = [sp.Rational(int(v), 1000) for v in rng.integers(10, 100, size=9)]
        at = {n: 5, **dict(zip(ps, pr)), **{dl: sp.Rational(int(v), 97) for dl, v in zip(delta, rng.integers(-9, 9, size=9))}}
        assert td.extras["cubic"].xreplace(at) == cubic.xreplace(at)
    pv = [0.05 + 0.01 * k for k in range(9)]
    dv = [0.01 * (-1) ** k for k in range(9)]
    with mp.workdps(30):
        full_p, full_d = pv + [1 - sum(pv)], dv + [-sum(dv)]
        coeffs = mp.taylor(lambda t: 7 * sum(a * mp.log(a / (a + t * b)) for a, b in zip(full_p, full_d)), 0, 3)
    sub = {n: 7, **dict(zip(ps, pv)), **dict(zip(delta, dv))}
    assert abs(float(td.extras["cubic"].xreplace(sub)) - float(coeffs[3])) < 1e-10
    assert jd.extras["proper"] is True and jd.extras["named"] == "Dirichlet(" + ", ".join(["1/2"] * 10) + ")"
    assert sp.simplify(jd.extras["normalizer"] - sp.pi**5 / 24) == 0
    assert sp.simplify(jd.result * sp.sqrt(sp.Mul(*ps) * (1 - sp.Add(*ps)))) == 1
    I = _multinomial_target(m).xreplace({n: 7, **dict(zip(ps, pv))})
    det = np.linalg.det(np.array(I.evalf(), dtype=float))
    assert abs(float(jd.extras["sqrt_det"].xreplace({n: 7, **dict(zip(ps, pv))})) - np.sqrt(det)) < 1e-9 * np.sqrt(det)
