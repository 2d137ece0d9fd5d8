"""Propriety of Jeffreys priors by the kernel's order at each end of the domain (symfisher.derive.propriety):
literature verdicts, the order test on textbook integrands, and numeric witnesses that do not use it."""
import math

import numpy as np
import pytest
import sympy as sp
from sympy import oo

from symfisher.derive.propriety import decide_propriety, end_order
from symfisher.derive.regularity import model_domains
from symfisher.derive.report import derive_all
from symfisher.families import get_model
from symfisher.witness import run_witnesses

# name -> (proper, normalizer, the divergent ends {(parameter, end)}), from the literature:
# Bernoulli and binomial: Beta(1/2, 1/2), normalizer B(1/2, 1/2) = pi (Jeffreys 1946; Robert, The Bayesian
# Choice, 2007, §3.5.3); Poisson: lam^(-1/2), integrable at 0, not at oo (ibid.); exponential rate: 1/lam,
# divergent at both ends; geometric: 1/(p sqrt(1 - p)), divergent at 0 (Yang & Berger, A catalog of
# noninformative priors, 1998); zero-truncated Poisson: ~ (2 lam)^(-1/2) at 0, ~ lam^(-1/2) at oo;
# logarithmic series: ~ 1/((1 - p) sqrt(-log(1 - p))) at p = 1, whose integral is 2 sqrt(-log(1 - p)) -> oo;
# bivariate normal correlation: sqrt(1 + rho^2)/(1 - rho^2) (Berger & Sun, Ann. Statist. 36, 2008), of order
# 1/(1 - |rho|) at both ends; chi-squared degrees of freedom: sqrt(psi'(k/2)) ~ 2/k at 0 and ~ sqrt(2/k) at oo
# (psi'(z) = 1/z^2 + psi'(z + 1), psi'(z) ~ 1/z: Abramowitz & Stegun 6.4.6, 6.4.12).
LITERATURE = {
    "bernoulli": (True, sp.pi, set()),
    "binomial": (True, sp.pi, set()),
    "poisson": (False, None, {("lam", "oo")}),
    "exponential": (False, None, {("lam", "0"), ("lam", "oo")}),
    "geometric": (False, None, {("p", "0")}),
    "zero_truncated_poisson": (False, None, {("lam", "oo")}),
    "logarithmic": (False, None, {("p", "1")}),
    "bivariate_normal_corr": (False, None, {("rho", "-1"), ("rho", "1")}),
    "chi_squared": (False, None, {("k", "0"), ("k", "oo")}),
}


@pytest.fixture(scope="module")
def reports():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = derive_all(get_model(name), only=("fisher", "jeffreys"))
        return cache[name]

    return get


@pytest.mark.parametrize("name", sorted(LITERATURE))
def test_literature_propriety_and_its_numeric_witness(name, reports):
    proper, normalizer, divergent = LITERATURE[name]
    rep = reports(name)
    d = rep.derivations["jeffreys"]
    assert not any(f.step.startswith("jeffreys") for f in d.failures), d.failures
    assert d.extras["proper"] is proper
    if normalizer is None:
        assert d.extras["normalizer"] is None
    else:
        assert sp.simplify(d.extras["normalizer"] - normalizer) == 0
    assert {(str(s), str(e)) for s, e in d.extras["divergent"]} == divergent
    # the witness integrates the prior numerically over nested truncations of the domain, no limits
    w = run_witnesses(get_model(name), rep, n_points=1, mc_samples=2000)
    rows = [c for c in w.checks if c.name.startswith("jeffreys propriety")]
    assert len(rows) == 1 and rows[0].passed, rows or w.skipped
    assert rows[0].target == float(proper)


def test_improper_priors_are_decided_without_integrals(reports):
    """The priors whose integrals ran 6 s each and failed: now decided by limits, and their steps show them."""
    for name in ("logarithmic", "zero_truncated_poisson"):
        d = reports(name).derivations["jeffreys"]
        proofs = [f for s in d.steps for f in s.forms if isinstance(f, sp.Eq) and isinstance(f.lhs, sp.Limit)]
        assert proofs and d.extras["proper"] is False


def test_dirichlet_jeffreys_prior_is_improper_near_alpha_zero():
    """psi'(a) ~ 1/a^2 as a -> 0, so pi(alpha) ~ sqrt(D(alpha_2, alpha_3))/alpha_1 with D the beta model's
    det I (Minka 2000 for the trigamma form): the slice in alpha_1 diverges for every (alpha_2, alpha_3), and
    the prior is improper by Tonelli."""
    from scipy.special import polygamma

    m = get_model("dirichlet")
    rep = derive_all(m, only=("fisher", "jeffreys"))
    d = rep.derivations["jeffreys"]
    assert d.extras["proper"] is False and not d.failures
    s, end = d.extras["divergent"][0]
    assert end == 0 and s in m.params
    assert any("open set" in st.statement for st in d.steps)
    # numerically: alpha_1 times the prior at alpha_1 = 1e-7 against sqrt(D) at (alpha_2, alpha_3) = (0.7, 2.5)
    a1, a2, a3 = m.params
    others = [p for p in m.params if p != s]
    import mpmath

    with mpmath.workdps(40):
        f = sp.lambdify((s, *others), s * d.result, modules="mpmath")
        near = float(f(mpmath.mpf("1e-7"), mpmath.mpf("0.7"), mpmath.mpf("2.5")))
    t2, t3 = polygamma(1, 0.7), polygamma(1, 2.5)
    D = t2 * t3 - polygamma(1, 3.2) * (t2 + t3)
    assert near == pytest.approx(math.sqrt(D), rel=1e-5)
    # and the witness: the slice integral grows without bound under nested truncations
    w = run_witnesses(m, rep, n_points=1, mc_samples=2000)
    rows = [c for c in w.checks if c.name.startswith("jeffreys improper: the slice")]
    assert len(rows) == 1 and rows[0].passed


def test_beta_jeffreys_prior_is_improper_at_large_shape(reports):
    """a psi'(a) -> 1 and a^2 (psi'(a) - psi'(a + b)) -> b (A&S 6.4.12): pi(a, b) ~ sqrt(b psi'(b) - 1)/a."""
    from scipy.special import polygamma

    m = get_model("beta")
    d = reports("beta").derivations["jeffreys"]
    assert d.extras["proper"] is False
    a, b = m.params
    assert (a, oo) in d.extras["divergent"]
    import mpmath

    with mpmath.workdps(40):  # the kernel's terms cancel to 1/a^2: mpmath at 40 digits, not SymPy's evalf
        far = float(sp.lambdify((a, b), a * d.result, modules="mpmath")(mpmath.mpf(10) ** 7, mpmath.mpf(1.5)))
    assert far == pytest.approx(math.sqrt(1.5 * polygamma(1, 1.5) - 1), rel=1e-5)


t = sp.Symbol("t", positive=True)
s = sp.Symbol("s", positive=True)

# integrand, end, upper end?, converges (textbook comparison integrals)
TEXTBOOK = [
    (1 / sp.sqrt(t), 0, False, True),
    (1 / t, 0, False, False),
    (1 / (t * sp.log(1 / t) ** 2), 0, False, True),
    (1 / (t * sp.sqrt(sp.log(1 / t))), 0, False, False),
    (1 / (t * sp.log(1 / t)), 0, False, False),
    (1 / (1 - t) ** sp.Rational(3, 4), 1, True, True),
    (1 / s**2, oo, True, True),
    (1 / s, oo, True, False),
    (1 / sp.sqrt(s), oo, True, False),
    (sp.exp(-s), oo, True, True),
    (1 / (s * sp.log(s) ** 2), oo, True, True),
    (s ** sp.Rational(-3, 2), oo, True, True),
]


@pytest.mark.parametrize("f,end,upper,converges", TEXTBOOK, ids=[str(c[0]) for c in TEXTBOOK])
def test_order_test_on_textbook_integrands(f, end, upper, converges):
    var = t if f.has(t) else s
    e = end_order(f, var, sp.sympify(end), upper)
    assert e.converges is converges, e.why
    assert isinstance(e.proof, sp.Eq)
    # the proof is a limit that SymPy evaluates to the value it states
    assert sp.limit(e.proof.lhs.args[0], e.proof.lhs.args[1], 0, "+") == e.proof.rhs


def test_undecided_stays_undecided():
    """A kernel with a covariate of unknown sign: no order is proven, and nothing is guessed."""
    m = get_model("poisson_regression")
    rep = derive_all(m, only=("fisher", "jeffreys"))
    d = rep.derivations["jeffreys"]
    assert d.extras["proper"] is None and any(f.step == "jeffreys propriety" for f in d.failures)
    verdict = decide_propriety(d.result, m.params, model_domains(m))
    assert verdict.proper is None and verdict.reason


def test_truncated_integrals_are_finite_where_floating_point_cancels():
    """e^lam - 1 - lam near 0 and e^lam at lam = 1e12 are evaluated with mpmath, so the witness sees numbers."""
    from symfisher.numeric import NumericFunction
    from symfisher.witness import _truncated_integrals

    m = get_model("zero_truncated_poisson")
    rep = derive_all(m, only=("fisher", "jeffreys"))
    prior = rep.get("jeffreys")
    J = NumericFunction.build(prior, tuple(p.name for p in m.params))
    vals = _truncated_integrals(m, J, {"lam": 1.0}, prior=prior)
    assert all(np.isfinite(vals))
    # ~ 2 sqrt(lam) at the upper cut 1/eps: the integral grows like eps^(-1/2)
    assert vals[-1] / vals[-2] == pytest.approx(math.sqrt(1e3), rel=0.05)


def test_categorical_prior_takes_the_dirichlet_integral_without_integrating(monkeypatch):
    """The categorical law's Jeffreys kernel is Dirichlet(1/2, 1/2, 1/2) (Jeffreys 1946; Yang & Berger 1998):
    its normalizer Gamma(1/2)^3/Gamma(3/2) = 2 pi comes from the Dirichlet integral, and the integral over the
    simplex is not attempted; a numeric witness: the kernel's mass over the simplex by 2-D quadrature is 2 pi."""
    from scipy.integrate import dblquad

    import symfisher.derive.jeffreys as J

    def refuse(*_a, **_k):
        raise AssertionError("the simplex integral was attempted")

    monkeypatch.setattr(J, "_simplex_integral", refuse)
    m = get_model("categorical")
    d = derive_all(m, only=["jeffreys"]).derivations["jeffreys"]
    assert d.extras["proper"] is True and d.extras["named"] == "Dirichlet(1/2, 1/2, 1/2)"
    assert sp.simplify(d.extras["normalizer"] - 2 * sp.pi) == 0
    assert any("Dirichlet integral" in s.statement for s in d.steps)
    # the kernel's integrable end singularities are left to QUADPACK's extrapolation
    f = sp.lambdify(m.params, d.result)
    mass, _ = dblquad(lambda p2, p1: f(p1, p2), 0, 1, 0, lambda p1: 1 - p1, epsabs=1e-7)
    assert abs(mass - 2 * math.pi) < 1e-4
