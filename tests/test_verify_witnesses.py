"""Witnesses where the symbolic route's expressions are opaque or the tail is heavy: the Gaussian covariance
beyond d = 3 (numeric derivatives of the lambdified log-density) and the log-Cauchy (quadrature in log x)."""
import numpy as np
import pytest
import sympy as sp

from symfisher.derive.report import derive_all
from symfisher.families import get_model
from symfisher.numeric import _StepHessian, _StepScore, model_functions, param_points
from symfisher.witness import log_scale_model, run_witnesses


def test_complex_step_score_and_hessian_match_sympy_diff():
    """At d = 3 sympy.diff sees every parameter; the numeric derivatives of the same lambdified log-density
    agree with it (score to rounding, Hessian to the finite-difference error)."""
    m = get_model("mvn_covariance", d=3)
    mf = model_functions(m)
    v = param_points(m, 1)[0]
    rng = np.random.default_rng(3)
    xs = [rng.normal(size=7) for _ in m.data]
    theta = [v[n] for n in mf.score.args[len(m.data):]]
    S = _StepScore(mf.logpdf, len(m.data), m.dim)(*xs, *theta)
    H = _StepHessian(mf.logpdf, len(m.data), m.dim)(*xs, *theta)
    assert np.allclose(S, mf.score(*xs, *theta), rtol=1e-11, atol=1e-11)
    assert np.allclose(H, mf.hessian(*xs, *theta), rtol=1e-7, atol=1e-8)


def test_mvn_covariance_d4_witnesses_pass():
    """Beyond d = 3 Sigma^{-1} is opaque: the witnesses differentiate numerically, every check passes, and a
    wrong Fisher matrix (twice the right one) fails them."""
    m = get_model("mvn_covariance", d=4)
    rep = derive_all(m, only=("fisher", "kl", "jeffreys"))
    assert rep.get("fisher") is not None
    w = run_witnesses(m, rep, n_points=1, mc_samples=20000)
    quad = [c for c in w.checks if "E[s s^T] (quadrature)" in c.name]
    assert len(quad) == m.dim * (m.dim + 1) // 2 and w.passed, [c.name for c in w.checks if not c.passed][:3]
    # the points are inside the cone: Sigma positive definite
    form = m.meta_value("gaussian_covariance")
    for p in param_points(m, 2):
        M = np.array(form.matrix.subs({s: p[s.name] for s in m.params}).evalf(), dtype=float)
        assert np.all(np.linalg.eigvalsh(M) > 0)
    wrong = run_witnesses(m, fisher=2 * rep.get("fisher"), n_points=1, mc_samples=20000)
    assert not wrong.passed


def test_log_cauchy_witnesses_integrate_in_log_x():
    """f(x) = 1/(pi x sigma (1 + ((log x - mu)/sigma)^2)) on (0, oo): its mass beyond x = 1e308 is lost in
    floating point (about sigma/(709 pi)); in y = log x it is a Cauchy law, and every witness passes.
    Literature: I = diag(1, 1)/(2 sigma^2), that of the Cauchy location-scale family."""
    from symfisher import from_density

    m = from_density("1/(pi*x*sigma*(1 + ((log(x) - mu)/sigma)**2))", "x in (0, oo)", ["mu real", "sigma > 0"])
    rep = derive_all(m, only=("fisher", "kl", "kl_taylor", "jeffreys"))
    mu, sigma = m.params
    assert sp.simplify(rep.get("fisher") - sp.eye(2) / (2 * sigma**2)) == sp.zeros(2, 2)
    w = run_witnesses(m, rep, n_points=2, mc_samples=2000)
    assert w.passed, [c.name for c in w.checks if not c.passed][:3]
    assert any(what.startswith("quadrature in x") for what, _ in w.skipped)
    y = log_scale_model(m)
    assert y is not None and y.support[0].lo == -sp.oo


def test_log_scale_model_leaves_light_tails_alone():
    """The gamma's mass comes out 1 in x: its witnesses stay in x (no note), and its log-scale model has the
    same score (the Jacobian term is free of the parameters)."""
    m = get_model("gamma")
    rep = derive_all(m, only=("fisher",))
    w = run_witnesses(m, rep, n_points=1, mc_samples=2000)
    assert w.passed and not any(what.startswith("quadrature in") for what, _ in w.skipped)
    y = log_scale_model(m)
    x, yv = m.data[0], y.data[0]
    a, b = m.params
    gap = [sp.diff(y.log_density, p) - sp.diff(m.log_density, p).subs(x, sp.exp(yv)) for p in m.params]
    assert all(sp.simplify(g) == 0 for g in gap)
