"""Building a typed model with a joint constraint or several data variables stays a proof on its cheap path.

* the sign of the density is proven under the joint constraints, read term by term off the log-density (each
  constraint's gap a positive symbol), so no density value is evaluated and NumPy is not imported;
* the constraint's satisfiability is shown by an exact point, not by drawing random ones;
* the normalization of a Gaussian law of several variables is Gauss's integral at t = 0, with P, its Sylvester
  minors and det P read once and shared with the joint transform, whose moments stay right.

Each test asserts the step that proved it, the refusal that must still happen, or a value against the literature
(Lehmann & Casella, *Theory of Point Estimation* (1998) §2.6 for the categorical; Mardia, Kent & Bibby,
*Multivariate Analysis* (1979) §4.2 for the normal mean) and an independent floating-point witness.
"""
import json
import math
import os
import subprocess
import sys

import pytest
import sympy as sp

from symfisher import fisher_information, from_density
from symfisher.derive.regularity import DomainMap, check_density_values, check_normalization
from symfisher.domain_points import exact_point
from symfisher.domains import Domain
from symfisher.joint import GAUSS_ND, joint_moment, joint_total_mass, real_on_constraints
from symfisher.model import ModelError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_CAT = "p_1**((x-2)*(x-3)/2)*p_2**(-(x-1)*(x-3))*(1-p_1-p_2)**((x-1)*(x-2)/2)"
_P12 = ["p_1 in (0, 1)", "p_2 in (0, 1)"]
_MVN = ("exp(-(sigma_22*(x_1-mu_1)**2-2*sigma_12*(x_1-mu_1)*(x_2-mu_2)+sigma_11*(x_2-mu_2)**2)"
        "/(2*(sigma_11*sigma_22-sigma_12**2)))/(2*pi*sqrt(sigma_11*sigma_22-sigma_12**2))")
_COV = ["sigma_11 > 0", "sigma_22 > 0", "sigma_12 real"]
_PD = ["sigma_12**2 < sigma_11*sigma_22"]
CONSTRAINT_STEP = "once each joint constraint's gap"


def _categorical(**kw):
    return from_density(_CAT, var="x in {1, 2, 3}", params=_P12, constraints=["p_1 + p_2 < 1"], **kw)


def _mvn(**kw):
    return from_density(_MVN, var="x_1 in R, x_2 in R", params=["mu_1 real", "mu_2 real"], consts=_COV,
                        constraints=_PD, **kw)


_BUILD = """
import json, sys
import symfisher as sf
kind = sys.argv[1]
if kind == "categorical":
    m = sf.from_density({cat!r}, var="x in {{1, 2, 3}}", params={p12!r}, constraints=["p_1 + p_2 < 1"])
else:
    m = sf.from_density({mvn!r}, var="x_1 in R, x_2 in R", params=["mu_1 real", "mu_2 real"], consts={cov!r},
                        constraints={pd!r})
print(json.dumps({{"numpy": "numpy" in sys.modules, "scipy": "scipy" in sys.modules}}))
""".format(cat=_CAT, p12=_P12, mvn=_MVN, cov=_COV, pd=_PD)


@pytest.mark.parametrize("kind", ["categorical", "mvn"])
def test_building_a_constrained_typed_model_imports_neither_numpy_nor_scipy(kind):
    """The sign and normalization proofs evaluate no density value: a fresh process builds the model (every build
    check on) without importing NumPy or SciPy."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", _BUILD, kind], capture_output=True, text=True, env=env,
                         timeout=300, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"numpy": False, "scipy": False}, out.stderr


def test_constrained_categorical_sign_is_proven_and_its_fisher_is_the_literature():
    m = _categorical()
    d = check_density_values(m)
    assert CONSTRAINT_STEP in d.steps[0].statement and "numeric" not in d.steps[0].statement
    assert real_on_constraints(m) is True
    p1, p2 = m.params
    p3 = 1 - p1 - p2
    want = sp.Matrix([[1 / p1 + 1 / p3, 1 / p3], [1 / p3, 1 / p2 + 1 / p3]])  # diag(1/p) + 11^T/p_3
    got = fisher_information(m).result
    assert (got - want).applyfunc(sp.cancel) == sp.zeros(2, 2)
    # witness: the score by central differences of the float log-probabilities, summed exactly over x = 1, 2, 3
    for v1, v2 in ((0.2, 0.3), (0.05, 0.9), (0.6, 0.35)):
        def logp(k, a, b):
            return math.log((a, b, 1 - a - b)[k - 1])

        h = 1e-6
        score = {k: ((logp(k, v1 + h, v2) - logp(k, v1 - h, v2)) / (2 * h),
                     (logp(k, v1, v2 + h) - logp(k, v1, v2 - h)) / (2 * h)) for k in (1, 2, 3)}
        for i in range(2):
            for j in range(2):
                num = sum(math.exp(logp(k, v1, v2)) * score[k][i] * score[k][j] for k in (1, 2, 3))
                val = float(got[i, j].subs({p1: v1, p2: v2}))
                assert math.isclose(val, num, rel_tol=1e-6), (i, j, val, num)


def test_negative_densities_under_a_constraint_are_still_refused():
    """f(1) = p_1 - p_2 sums to one with f(2) = 2 p_2 and f(3) = 1 - p_1 - p_2, and is negative where p_1 < p_2
    inside p_1 + p_2 < 1: no sign proof, the numeric probe finds the point and refuses it."""
    text = "(p_1-p_2)*(x-2)*(x-3)/2 - 2*p_2*(x-1)*(x-3) + (1-p_1-p_2)*(x-1)*(x-2)/2"
    with pytest.raises(ModelError, match="negative"):
        from_density(text, var="x in {1, 2, 3}", params=_P12, constraints=["p_1 + p_2 < 1"])
    # the same law with a gap that is negative where the constraint holds: (p_1 + p_2 - 1) is no positive gap
    bad = _CAT.replace("(1-p_1-p_2)", "(p_1+p_2-1)")
    with pytest.raises(ModelError, match="not real|negative"):
        from_density(bad, var="x in {1, 2, 3}", params=_P12, constraints=["p_1 + p_2 < 1"])
    # a bivariate normal times (1 + sigma_12 (x_1 - mu_1)): total one, negative far out when sigma_12 != 0
    tilted = f"(1+sigma_12*(x_1-mu_1))*{_MVN}"
    with pytest.raises(ModelError, match="negative"):
        from_density(tilted, var="x_1 in R, x_2 in R", params=["mu_1 real", "mu_2 real"], consts=_COV,
                     constraints=_PD)


def test_a_constraint_is_shown_satisfiable_by_an_exact_point_and_refused_when_it_is_not():
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    doms = DomainMap({p1: Domain.interval(0, 1), p2: Domain.interval(0, 1)})
    doms.constraints = (p1 + p2 < 1,)
    pt = exact_point([p1, p2], doms)
    assert pt and all(v.is_Rational for v in pt.values())
    assert (p1 + p2 < 1).xreplace(pt) is sp.true
    assert all(Domain.interval(0, 1).contains(v) for v in pt.values())
    doms.constraints = (p1 + p2 > 2,)
    assert exact_point([p1, p2], doms) is None
    with pytest.raises(ModelError, match="leave \\(almost\\) no point"):
        from_density(_CAT, var="x in {1, 2, 3}", params=_P12, constraints=["p_1 + p_2 > 2"])


def test_gaussian_normalization_is_gauss_integral_and_the_transform_still_gives_the_moments():
    m = _mvn()
    total, how = joint_total_mass(m)
    assert total == 1 and how == GAUSS_ND
    assert any("Gauss's integral" in st.reason for st in check_normalization(m).steps)
    mu1, mu2 = m.params
    s11, s12, s22 = (m.symbols[n] for n in ("sigma_11", "sigma_12", "sigma_22"))
    x1, x2 = m.data
    # E[X_1 X_2] = sigma_12 + mu_1 mu_2, E[X_2^2] = sigma_22 + mu_2^2 (Mardia, Kent & Bibby §2.2)
    assert sp.cancel(joint_moment(x1 * x2, m) - (s12 + mu1 * mu2)) == 0
    assert sp.cancel(joint_moment(x2**2, m) - (s22 + mu2**2)) == 0
    # I(mu) = Sigma^-1; witness: minus the float Hessian of the log-density in mu by central differences
    want = sp.Matrix([[s11, s12], [s12, s22]]).inv()
    got = fisher_information(m).result
    assert (got - want).applyfunc(sp.cancel) == sp.zeros(2, 2)
    pt = {s11: 1.4, s22: 0.7, s12: -0.3, x1: 0.25, x2: -1.1}
    logf = sp.lambdify((mu1, mu2), m.log_density.subs(pt), modules="math")
    a, b, h = 0.4, -0.2, 1e-4
    hess = [[(logf(a + h, b) - 2 * logf(a, b) + logf(a - h, b)) / h**2,
             (logf(a + h, b + h) - logf(a + h, b - h) - logf(a - h, b + h) + logf(a - h, b - h)) / (4 * h**2)],
            [None, (logf(a, b + h) - 2 * logf(a, b) + logf(a, b - h)) / h**2]]
    hess[1][0] = hess[0][1]
    for i in range(2):
        for j in range(2):
            assert math.isclose(-hess[i][j], float(got[i, j].subs(pt)), rel_tol=1e-5), (i, j)
    # twice the density is refused on the closed-form total
    with pytest.raises(ModelError, match="does not normalize"):
        from_density(_MVN.replace("(2*pi*", "(pi*"), var="x_1 in R, x_2 in R", params=["mu_1 real", "mu_2 real"],
                     consts=_COV, constraints=_PD)


_BVN5 = ("exp(-((x_1-m_1)**2/s_1**2 - 2*r*(x_1-m_1)*(x_2-m_2)/(s_1*s_2) + (x_2-m_2)**2/s_2**2)/(2*(1-r**2)))"
         "/(2*pi*s_1*s_2*sqrt(1-r**2))")
_BVN5_PARAMS = ["m_1 real", "m_2 real", "s_1 > 0", "s_2 > 0", "r in (-1, 1)"]


@pytest.mark.parametrize("which", ["mvn_mean", "bvn5"])
def test_sylvester_conditions_are_proven_not_sampled(which, monkeypatch):
    """P positive definite and det P > 0 are proven: under the constraint's gap (sigma_11 sigma_22 - sigma_12^2 > 0)
    or through the map onto the declared domain (1 - r^2 = 4u/(1 + u)^2 for r = -1 + 2u/(1 + u)); no condition is
    decided by evaluating it at points (that helper is made to fail here)."""
    import symfisher.joint as J

    m = _mvn(check=False) if which == "mvn_mean" else \
        from_density(_BVN5, var="x_1 in R, x_2 in R", params=_BVN5_PARAMS, check=False)

    def sampled(cond, model):
        raise AssertionError(f"decided by points: {cond}")

    monkeypatch.setattr(J, "_condition_value", sampled)
    assert J.joint_total_mass(m) == (1, GAUSS_ND)


def test_bivariate_normal_in_five_parameters_builds_without_numpy_and_refuses_twice_its_density():
    env = dict(os.environ, PYTHONPATH=ROOT)
    code = ("import sys, symfisher as sf\n"
            f"m = sf.from_density({_BVN5!r}, var='x_1 in R, x_2 in R', params={_BVN5_PARAMS!r})\n"
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr
    # twice the density is refused on the closed-form total (the proof route, not quadrature)
    with pytest.raises(ModelError, match="does not normalize"):
        from_density(_BVN5.replace("/(2*pi*", "/(pi*"), var="x_1 in R, x_2 in R", params=_BVN5_PARAMS)


_CARDIOID = "(1+a*cos(x))/(2*pi)"  # the cardioid law on the circle: non-negative for |a| <= 1, no sign proof


def test_the_numeric_sign_probe_of_one_variable_imports_no_numpy():
    """Where no sign proof applies, the probe evaluates the density in mpmath's arithmetic: the cardioid law
    builds with its numeric-evidence step, and the same law on a domain where it goes negative is refused at
    the point, both in a fresh process that never imports NumPy."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    code = ("import sys, symfisher as sf\n"
            "from symfisher.derive.regularity import check_density_values\n"
            f"m = sf.from_density({_CARDIOID!r}, var='x in (-pi, pi)', params=['a in (0, 1)'])\n"
            "print(check_density_values(m).steps[0].statement)\n"
            "try:\n"
            f"    sf.from_density({_CARDIOID!r}, var='x in (-pi, pi)', params=['a in (0, 2)'])\n"
            "except sf.ModelError as e:\n"
            "    print(e)\n"
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300, check=True)
    step, refusal, numpy = out.stdout.strip().splitlines()[-3:]
    assert "at points spread over the whole parameter domain" in step and "numeric evidence" in step
    assert "negative at x = -3.14159 with a = 1.5" in refusal  # 1 - 1.5 < 0 at x = -pi
    assert numpy == "False", out.stderr


@pytest.mark.parametrize("text, var, params", [
    (_CARDIOID, "x in (-pi, pi)", ["a in (0, 2)"]),
    ("exp(-x**2/2)*(1+a*x**3)/sqrt(2*pi)", "x in R", ["a real"]),
    ("binomial(n, x)*p**x*(1-p)**(n-x)*(1+c*(x-n*p))", "x in 0..n", ["p in (0, 1)"]),
    ("exp(k*cos(x))/(2*pi*besseli(0, k))", "x in (-pi, pi)", ["k > 0"]),
])
def test_mpmath_density_values_agree_with_numpy_and_scipy(text, var, params):
    """Two independent evaluators of the probe: mpmath's scalar arithmetic and NumPy/SciPy's vectorized one give
    the same complex density values at every probe point (signs and imaginary parts included)."""
    from symfisher.derive import probe as P
    from symfisher.derive import regularity as R

    consts = ["n in 1..oo", "c in (-1, 1)"] if "binomial" in text else []
    m = from_density(text, var=var, params=params, consts=consts, check=False)
    syms = sorted(set(m.params) | set(m.constants), key=lambda s: s.name)
    fn = P._scalar_log_density(m, syms)
    assert fn is not None
    compared = 0
    for sub in R._probe_points(m):
        xs = P._support_probes(m.support[0], sub)
        mine = P._scalar_density_values(fn, xs, [sub[s] for s in syms])
        theirs = [complex(v) for v in P._density_values(m, syms, xs, sub)]
        for a, b in zip(mine, theirs):
            if math.isfinite(abs(b)) and abs(b) < 1e300:
                assert abs(a - b) <= 1e-9 * max(1.0, abs(b)), (sub, a, b)
                compared += 1
    assert compared > 20
