"""The multivariate and regression catalog families typed as a user would: several data variables
(``var`` lists), joint constraints (positive definiteness, the simplex of proportions or counts), known
features as constants, the probit's normal CDF written with ``erfc`` and with ``erf``. Each twin must
derive every quantity its catalog entry derives, with the same closed forms (proven equal by
:func:`symfisher.simplify.is_zero`, as in tests/test_typed.py), in the catalog's coordinates and in one
other common parameterization; a step the catalog fails (logistic regression's singular information)
the twin fails at the same step.

The Fisher information of each twin in the catalog's coordinates is also witnessed in floating point,
independently of every symbolic route: E[s s^T] by a quadrature rule or an exact sum over the support,
the density and the score (central differences) taken from the lambdified typed log-density alone.

Literature: Mardia, Kent & Bibby, *Multivariate Analysis* (1979), §4.2 (the Gaussian covariance);
Kotz, Balakrishnan & Johnson, *Continuous Multivariate Distributions* vol. 1 (2000), ch. 49 (Dirichlet);
Lehmann & Casella (1998), §2.6 (multinomial); McCullagh & Nelder, *Generalized Linear Models* (1989),
§4.3, §6.2, §8.3 (the regressions).

Cost: every model is derived once per module. The Dirichlet in log-concentrations (about 12 s alone)
runs only with ``SYMFISHER_SLOW=1``.
"""
import math
import os

import pytest
import sympy as sp

import test_multi_typed as MT  # the finite-support comparison (_same)
import test_typed as T  # the comparison helpers of the typed twins (proven equality, log-gamma forms, the catalog reports)
from symfisher import derive_all, from_density
from symfisher.derive import model_domains
from symfisher.derive.kl import kl_domains
from symfisher.derive.regularity import check_normalization
from symfisher.model import ModelError
from symfisher.parsing import ParseError

QUANTITIES = T.QUANTITIES
SLOW = os.environ.get("SYMFISHER_SLOW") == "1"

X2 = "x_1 in R, x_2 in R"
MU = ["mu_1 real", "mu_2 real"]
_MVN_COV = ("exp(-(sigma_22*(x_1-mu_1)**2-2*sigma_12*(x_1-mu_1)*(x_2-mu_2)+sigma_11*(x_2-mu_2)**2)"
            "/(2*(sigma_11*sigma_22-sigma_12**2)))/(2*pi*sqrt(sigma_11*sigma_22-sigma_12**2))")
_MVN_PREC = ("sqrt(lambda_11*lambda_22-lambda_12**2)/(2*pi)"
             "*exp(-(lambda_11*(x_1-mu_1)**2+2*lambda_12*(x_1-mu_1)*(x_2-mu_2)+lambda_22*(x_2-mu_2)**2)/2)")


def _bvn(s1, s2, r):
    return (f"exp(-((x_1-mu_1)**2/{s1}**2 - 2*{r}*(x_1-mu_1)*(x_2-mu_2)/({s1}*{s2}) + (x_2-mu_2)**2/{s2}**2)"
            f"/(2*(1-{r}**2)))/(2*pi*{s1}*{s2}*sqrt(1-{r}**2))")


def _dirichlet(a1, a2, a3):
    return (f"gamma({a1}+{a2}+{a3})/(gamma({a1})*gamma({a2})*gamma({a3}))"
            f"*x_1**({a1}-1)*x_2**({a2}-1)*(1-x_1-x_2)**({a3}-1)")


_COEF = "factorial(n)/(factorial(x_1)*factorial(x_2)*factorial(n-x_1-x_2))"
_SIMPLEX = "x_1 in (0, 1), x_2 in (0, 1)"
_COUNTS = ["x_1 in 0..n", "x_2 in 0..n"]
_ETA2 = "(w_1*x_1+w_2*x_2)"
_FEATURES = ["x_1 real"]
_TANH = "tanh(z)"

# (id, catalog family, density, var, params, consts, constraints, catalog parameters of the typed ones or None)
TWINS = [
    ("mvn_covariance-catalog", "mvn_covariance", _MVN_COV, X2, ["sigma_11 > 0", "sigma_12 real", "sigma_22 > 0"], MU,
     ["sigma_12**2 < sigma_11*sigma_22"], None),
    ("mvn_covariance-sd-corr", "mvn_covariance", _bvn("s_1", "s_2", "r"), X2, ["s_1 > 0", "s_2 > 0", "r in (-1, 1)"],
     MU, [], lambda s: {"sigma_11": s["s_1"] ** 2, "sigma_12": s["r"] * s["s_1"] * s["s_2"],
                        "sigma_22": s["s_2"] ** 2}),
    ("mvn_precision-catalog", "mvn_precision", _MVN_PREC, ["x_1 in R", "x_2 in R"],
     ["lambda_11 > 0", "lambda_12 real", "lambda_22 > 0"], MU, ["lambda_12**2 < lambda_11*lambda_22"], None),
    # the precision by its diagonal and the partial correlation q = -lambda_12/sqrt(lambda_11 lambda_22) (Lauritzen §5.2)
    ("mvn_precision-partial-corr", "mvn_precision",
     "sqrt(a*b*(1-q**2))/(2*pi)*exp(-(a*(x_1-mu_1)**2-2*q*sqrt(a*b)*(x_1-mu_1)*(x_2-mu_2)+b*(x_2-mu_2)**2)/2)", X2,
     ["a > 0", "b > 0", "q in (-1, 1)"], MU, [],
     lambda s: {"lambda_11": s["a"], "lambda_12": -s["q"] * sp.sqrt(s["a"] * s["b"]), "lambda_22": s["b"]}),
    ("bivariate_normal_corr-catalog", "bivariate_normal_corr", _bvn("sigma_1", "sigma_2", "rho"), X2,
     ["rho in (-1, 1)"], ["sigma_1 > 0", "sigma_2 > 0"] + MU, [], None),
    ("bivariate_normal_corr-fisher-z", "bivariate_normal_corr", _bvn("sigma_1", "sigma_2", _TANH), X2, ["z real"],
     ["sigma_1 > 0", "sigma_2 > 0"] + MU, [], lambda s: {"rho": sp.tanh(s["z"])}),
    ("dirichlet-catalog", "dirichlet", _dirichlet("alpha_1", "alpha_2", "alpha_3"), _SIMPLEX,
     ["alpha_1 > 0", "alpha_2 > 0", "alpha_3 > 0"], [], ["x_1 + x_2 < 1"], None),
    ("dirichlet-log-concentrations", "dirichlet", _dirichlet("exp(t_1)", "exp(t_2)", "exp(t_3)"), _SIMPLEX,
     ["t_1 real", "t_2 real", "t_3 real"], [], ["x_1 + x_2 < 1"],
     lambda s: {f"alpha_{k}": sp.exp(s[f"t_{k}"]) for k in (1, 2, 3)}),
    ("multinomial-catalog", "multinomial", _COEF + "*p_1**x_1*p_2**x_2*(1-p_1-p_2)**(n-x_1-x_2)", _COUNTS,
     ["p_1 in (0, 1)", "p_2 in (0, 1)"], ["n in 1..oo"], ["p_1 + p_2 < 1", "x_1 + x_2 <= n"], None),
    ("multinomial-natural", "multinomial", _COEF + "*exp(t_1*x_1+t_2*x_2)/(1+exp(t_1)+exp(t_2))**n", _COUNTS,
     ["t_1 real", "t_2 real"], ["n in 1..oo"], ["x_1 + x_2 <= n"],
     lambda s: {"p_1": sp.exp(s["t_1"]) / (1 + sp.exp(s["t_1"]) + sp.exp(s["t_2"])),
                "p_2": sp.exp(s["t_2"]) / (1 + sp.exp(s["t_1"]) + sp.exp(s["t_2"]))}),
    # (the regression twins' other form keeps the catalog's coordinates: the identity map, the transformation law checked)
    ("logistic_regression-catalog", "logistic_regression", f"exp(y*{_ETA2})/(1+exp({_ETA2}))", "y in {0, 1}",
     ["w_1 real", "w_2 real"], ["x_1 real", "x_2 real"], [], None),
    ("logistic_regression-sigmoid", "logistic_regression",
     f"(1/(1+exp(-{_ETA2})))**y*(1-1/(1+exp(-{_ETA2})))**(1-y)", "y in {0, 1}", ["w_1 real", "w_2 real"],
     ["x_1 real", "x_2 real"], [], lambda s: {"w_1": s["w_1"], "w_2": s["w_2"]}),
    ("poisson_regression-catalog", "poisson_regression", "exp(y*w_1*x_1 - exp(w_1*x_1))/factorial(y)", "y in 0..oo",
     ["w_1 real"], _FEATURES, [], None),
    ("poisson_regression-rate", "poisson_regression", "exp(w_1*x_1)**y*exp(-exp(w_1*x_1))/factorial(y)", "y in 0..oo",
     ["w_1 real"], _FEATURES, [], lambda s: {"w_1": s["w_1"]}),
    ("probit_regression-catalog", "probit_regression", "(erfc(-w_1*x_1/sqrt(2))/2)**y*(erfc(w_1*x_1/sqrt(2))/2)**(1-y)",
     "y in {0, 1}", ["w_1 real"], _FEATURES, [], None),
    ("probit_regression-erf", "probit_regression",
     "((1+erf(w_1*x_1/sqrt(2)))/2)**y*((1-erf(w_1*x_1/sqrt(2)))/2)**(1-y)", "y in {0, 1}", ["w_1 real"], _FEATURES, [],
     lambda s: {"w_1": s["w_1"]}),
    ("linear_regression-catalog", "linear_regression", "exp(-(y-w_1*x_1)**2/(2*sigma**2))/(sigma*sqrt(2*pi))", "y in R",
     ["w_1 real", "sigma > 0"], _FEATURES, [], None),
    ("linear_regression-variance", "linear_regression", "exp(-(y-w_1*x_1)**2/(2*v))/sqrt(2*pi*v)", "y in R",
     ["w_1 real", "v > 0"], _FEATURES, [], lambda s: {"w_1": s["w_1"], "sigma": sp.sqrt(s["v"])}),
    ("gamma_regression-catalog", "gamma_regression", "(nu/exp(w_1*x_1))**nu*y**(nu-1)*exp(-nu*y/exp(w_1*x_1))/gamma(nu)",
     "y in (0, oo)", ["w_1 real", "nu > 0"], _FEATURES, [], None),
    ("gamma_regression-scale", "gamma_regression",
     "y**(1/phi-1)*exp(-y/(phi*exp(w_1*x_1)))/(gamma(1/phi)*(phi*exp(w_1*x_1))**(1/phi))", "y in (0, oo)",
     ["w_1 real", "phi > 0"], _FEATURES, [], lambda s: {"w_1": s["w_1"], "nu": 1 / s["phi"]}),
]
_HEAVY = {"dirichlet-log-concentrations"}  # about 12 s: with SYMFISHER_SLOW=1 only
CASES = [t for t in TWINS if SLOW or t[0] not in _HEAVY]

# Known gaps, each a failure step the twin reports and its catalog entry does not: in the natural coordinates the
# propriety of the multinomial's Jeffreys prior over R^2 (its kernel exp(t_1/2 + t_2/2)/(1 + e^t_1 + e^t_2)^(3/2)
# does not factorize; the catalog decides it in its own coordinates, where it is Dirichlet(1/2, 1/2, 1/2)), as for
# the categorical in tests/test_multi_typed.py. The prior itself is derived and compared.
KNOWN_GAPS = {("multinomial-natural", "jeffreys propriety")}

_MODELS: dict = {}
_REPORTS: dict = {}


def _typed(entry):
    key = entry[0]
    if key not in _MODELS:
        _, _, dens, var, params, consts, cons, _ = entry
        _MODELS[key] = from_density(dens, var=var, params=params, consts=consts, constraints=cons)
    return _MODELS[key]


def _report(entry):
    if entry[0] not in _REPORTS:
        _REPORTS[entry[0]] = derive_all(_typed(entry), only=QUANTITIES)
    return _REPORTS[entry[0]]


def _steps(rep) -> set:
    return {f["step"] if isinstance(f, dict) else f.step for f in rep.failures}


def _kl_want(cat_rep, rep, cat, m, theta=None):
    """The catalog's KL divergence in the twin's KL symbols (through ``theta = phi(psi)`` in other coordinates)."""
    cf, cs = cat_rep.derivations["kl"].extras["first"], cat_rep.derivations["kl"].extras["second"]
    tf, ts = rep.derivations["kl"].extras["first"], rep.derivations["kl"].extras["second"]
    want = T._by_name(cat_rep.get("kl"), cat, m)
    if theta is None:
        sub = {v: w for d1, d2 in ((cf, tf), (cs, ts)) for k, v in d1.items() for kk, w in d2.items()
               if kk.name == k.name}
        return want.xreplace(sub)
    subs = {}
    for d_cat, d_typ in ((cf, tf), (cs, ts)):
        to_typ = {p: d_typ[p] for p in m.params}
        for th, val in zip(cat.params, theta):
            subs[T._by_name(d_cat[th], cat, m)] = val.xreplace(to_typ)
    return want.xreplace(subs)


def _kl_forms(e):
    """A KL divergence in one normal form for the comparison: ``erfc = 1 - erf``, hyperbolic functions in ``exp``,
    the logarithms split (factored, then ``expand_log(force=True)``: every logarithm of a KL divergence here has a positive argument,
    a ratio of densities or of normalizers) and ``log Gamma`` as ``loggamma`` (:func:`test_typed._loggammas`)."""
    e = e.replace(lambda t: isinstance(t, sp.erfc), lambda t: 1 - sp.erf(t.args[0]))
    e = e.rewrite(sp.exp) if e.has(sp.tanh, sp.cosh, sp.sinh) else e
    e = e.replace(lambda t: isinstance(t, sp.log), lambda t: sp.log(sp.factor(t.args[0])))  # log(u/2 + 1/2)
    return T._loggammas(sp.expand_log(e, force=True))


def _same_kl(a, b, m) -> bool:
    return T._compare(a, b, kl_domains(m)) is True or T._compare(_kl_forms(a), _kl_forms(b), kl_domains(m)) is True


def _constant_ratio(a, b, m, doms) -> bool:
    """``a / b`` is free of every parameter (a prior is defined up to a positive constant)."""
    ratio = a / b
    return all(T._compare(sp.diff(ratio, p), sp.S.Zero, doms) is True for p in m.params)


@pytest.mark.parametrize("entry", CASES, ids=[t[0] for t in CASES])
def test_typed_twin_derives_what_the_catalog_derives(entry):
    key, name, mapping = entry[0], entry[1], entry[7]
    m, rep, cat_rep = _typed(entry), _report(entry), T._catalog(name)
    cat = cat_rep.model
    derived = [q for q in QUANTITIES if cat_rep.get(q) is not None]
    # the same failures as the catalog's (logistic regression: no bound and no prior from a rank-one information)
    gaps = {q for k, q in KNOWN_GAPS if k == key}
    assert _steps(rep) - gaps == _steps(cat_rep), (rep.failures, cat_rep.failures)
    assert [q for q in QUANTITIES if rep.get(q) is not None] == derived, rep.failures
    doms = model_domains(m)
    if mapping is None:
        for q in ("score", "hessian", "fisher", "cramer_rao"):
            if q in derived:
                want = T._by_name(cat_rep.get(q), cat, m)
                assert MT._same(rep.get(q), want, m, doms), (q, rep.get(q), want)
        if "jeffreys" in derived:
            want = T._by_name(cat_rep.get("jeffreys"), cat, m)
            assert _constant_ratio(rep.get("jeffreys"), want, m, doms), (rep.get("jeffreys"), want)
            for k in ("proper", "named"):
                assert rep.derivations["jeffreys"].extras.get(k) == cat_rep.derivations["jeffreys"].extras.get(k), k
        want = _kl_want(cat_rep, rep, cat, m)
        assert _same_kl(rep.get("kl"), want, m), (rep.get("kl"), want)
        want = T._by_name(cat_rep.derivations["kl_taylor"].extras["quadratic"], cat, m)
        assert T._compare(rep.derivations["kl_taylor"].extras["quadratic"], want, doms) is True
        return
    # other coordinates psi, theta = phi(psi): the transformation law with J = d theta / d psi
    s = m.symbols
    phi = mapping(s)
    theta = [phi[th.name] for th in cat.params]
    k = len(m.params)
    J = sp.Matrix([[sp.diff(t, p) for p in m.params] for t in theta])
    sub = {T._by_name(th, cat, m): v for th, v in zip(cat.params, theta)}
    at = lambda e: T._by_name(e, cat, m).xreplace(sub)  # noqa: E731
    assert MT._same(sp.Matrix(rep.get("score")), J.T * sp.Matrix([at(e) for e in cat_rep.get("score")]), m, doms)
    fisher_want = J.T * at(cat_rep.get("fisher")) * J
    assert T._compare(rep.get("fisher"), fisher_want, doms) is True, (rep.get("fisher"), fisher_want)
    if "cramer_rao" in derived:
        assert T._compare(rep.get("cramer_rao"), J.inv() * at(cat_rep.get("cramer_rao")) * J.inv().T, doms) is True
    ell = at(cat.log_density)
    hess = sp.Matrix(k, k, lambda a, b: sp.diff(ell, m.params[a], m.params[b]))
    assert MT._same(rep.get("hessian"), hess, m, doms)
    want = _kl_want(cat_rep, rep, cat, m, theta)
    assert _same_kl(rep.get("kl"), want, m), (rep.get("kl"), want)
    from symfisher.derive.taylor import delta_symbols

    d = sp.Matrix(delta_symbols(m))
    assert T._compare(rep.derivations["kl_taylor"].extras["quadratic"], (d.T * fisher_want * d)[0, 0] / 2, doms) is True
    if "jeffreys" in derived:  # sqrt(det I_psi) = sqrt(det I_theta) |det J|: a constant ratio
        want = at(cat_rep.get("jeffreys")) * sp.Abs(J.det())
        assert _constant_ratio(rep.get("jeffreys") ** 2, want**2, m, doms), (rep.get("jeffreys"), want)


# -- an independent witness of the Fisher information: quadrature or exact sums over the support -----------
def _gl(n, lo, hi):
    import numpy as np

    u, w = np.polynomial.legendre.leggauss(n)
    return (hi - lo) / 2 * u + (hi + lo) / 2, (hi - lo) / 2 * w


def _rule(kind, v):
    """Nodes (one array per data variable) and weights of a rule for E[g] = sum w g f over the support."""
    import itertools

    import numpy as np

    if kind == "plane":  # the typed bivariate normal: a tensor Gauss–Legendre rule on mu +- 11 sd
        sd = v["sd"]
        a, wa = _gl(160, v["mu_1"] - 11 * sd[0], v["mu_1"] + 11 * sd[0])
        b, wb = _gl(160, v["mu_2"] - 11 * sd[1], v["mu_2"] + 11 * sd[1])
        A, B = np.meshgrid(a, b, indexing="ij")
        return (A.ravel(), B.ravel()), np.outer(wa, wb).ravel()
    if kind == "simplex":  # x_1 = u, x_2 = (1 - u) t on (0, 1)^2, Jacobian 1 - u
        u, wu = _gl(120, 0.0, 1.0)
        U, Tt = np.meshgrid(u, u, indexing="ij")
        return (U.ravel(), ((1 - U) * Tt).ravel()), (np.outer(wu, wu) * (1 - U)).ravel()
    if kind == "counts":  # every cell of x_1 + x_2 <= n
        pts = [(a, b) for a, b in itertools.product(range(v["n"] + 1), repeat=2) if a + b <= v["n"]]
        return (np.array([p[0] for p in pts], float), np.array([p[1] for p in pts], float)), np.ones(len(pts))
    if kind == "binary":
        return (np.array([0.0, 1.0]),), np.ones(2)
    if kind == "counts1":
        return (np.arange(0.0, 120.0),), np.ones(120)
    if kind == "line":
        y, w = _gl(400, -40.0, 40.0)
        return (y,), w
    if kind == "halfline":  # y = e^u
        u, w = _gl(600, -40.0, 6.0)
        return (np.exp(u),), w * np.exp(u)
    raise AssertionError(kind)


# (id, rule, parameter and constant values)
WITNESS = [
    ("mvn_covariance-catalog", "plane", {"sigma_11": 1.3, "sigma_12": 0.4, "sigma_22": 0.8, "mu_1": 0.2, "mu_2": -0.5,
                                         "sd": (1.3**0.5, 0.8**0.5)}),
    ("mvn_precision-catalog", "plane", {"lambda_11": 1.1, "lambda_12": -0.35, "lambda_22": 0.7, "mu_1": -0.3, "mu_2": 0.4,
                                        "sd": (1.4, 1.7)}),
    ("bivariate_normal_corr-catalog", "plane", {"rho": -0.55, "sigma_1": 0.9, "sigma_2": 1.6, "mu_1": 0.1, "mu_2": 0.3,
                                                "sd": (0.9, 1.6)}),
    ("dirichlet-catalog", "simplex", {"alpha_1": 2.5, "alpha_2": 3.25, "alpha_3": 4.0}),
    ("multinomial-catalog", "counts", {"p_1": 0.2, "p_2": 0.45, "n": 5}),
    ("logistic_regression-catalog", "binary", {"w_1": 0.7, "w_2": -1.2, "x_1": 1.5, "x_2": 0.4}),
    ("poisson_regression-catalog", "counts1", {"w_1": 0.6, "x_1": 2.1}),
    ("probit_regression-catalog", "binary", {"w_1": -0.8, "x_1": 1.3}),
    ("linear_regression-catalog", "line", {"w_1": 0.9, "sigma": 1.7, "x_1": -1.4}),
    ("gamma_regression-catalog", "halfline", {"w_1": 0.5, "nu": 2.5, "x_1": 1.2}),
]


@pytest.mark.parametrize("key,kind,values", WITNESS, ids=[w[0] for w in WITNESS])
def test_typed_fisher_numeric_witness(key, kind, values):
    """E[s s^T] in floating point: the density and the central-difference score of the lambdified typed
    log-density, summed with a quadrature rule (or exactly) over the support; the rule's total mass is 1 too."""
    import numpy as np

    entry = next(t for t in TWINS if t[0] == key)
    m, rep = _typed(entry), _report(entry)
    params = list(m.params)
    consts = {c: values[c.name] for c in m.constants}
    ell = sp.lambdify(list(m.data) + params, m.log_density.xreplace(consts), modules=["scipy", "numpy"])
    nodes, w = _rule(kind, {**values, **{"n": values.get("n", 0)}})
    theta = [values[p.name] for p in params]
    with np.errstate(all="ignore"):
        f = np.exp(ell(*nodes, *theta))
        h = 1e-5
        score = []
        for i in range(len(params)):
            up, dn = list(theta), list(theta)
            up[i] += h
            dn[i] -= h
            score.append((ell(*nodes, *up) - ell(*nodes, *dn)) / (2 * h))
    f = np.where(np.isfinite(f), f, 0.0)
    assert abs(float(np.sum(w * f)) - 1) < 1e-8, float(np.sum(w * f))
    point = {p: values[p.name] for p in params} | consts
    got = sp.Matrix(rep.get("fisher")).xreplace({k: sp.Float(v, 20) for k, v in point.items()})
    for i in range(len(params)):
        for j in range(len(params)):
            num = float(np.sum(np.where(f > 0, w * f * score[i] * score[j], 0.0)))
            want = float(got[i, j].evalf(15))
            assert abs(num - want) <= 1e-6 * (1 + abs(want)), (key, i, j, num, want)


# -- the declarations that make these typeable ----------------------------------------------------------------
def test_simplex_normalization_is_proven_and_a_wrong_density_refused():
    """The typed Dirichlet and multinomial: their totals over x_1 + x_2 < 1 and x_1 + x_2 <= n are proven 1 by
    Dirichlet's integral and the multinomial theorem read off the log-density (no cubature, no family name);
    a density off by a factor is refused on the closed-form total."""
    from symfisher.joint import DIRICHLET, MULTINOMIAL

    dirichlet = next(t for t in TWINS if t[0] == "dirichlet-catalog")
    multinomial = next(t for t in TWINS if t[0] == "multinomial-catalog")
    assert any(st.reason == DIRICHLET and "integrates to one" in st.statement
               for st in check_normalization(_typed(dirichlet)).steps)
    assert any(st.reason == MULTINOMIAL and "sums to one" in st.statement
               for st in check_normalization(_typed(multinomial)).steps)
    _, _, dens, var, params, consts, cons, _ = dirichlet
    with pytest.raises(ModelError, match="does not normalize"):
        from_density("2*" + dens, var=var, params=params, consts=consts, constraints=cons)
    _, _, dens, var, params, consts, cons, _ = multinomial
    with pytest.raises(ModelError, match="does not normalize"):
        from_density(dens.replace("factorial(n)/", "factorial(n + 1)/"), var=var, params=params, consts=consts,
                     constraints=cons)


def test_data_constraints_are_declared_and_checked():
    """A constraint relating two or more data variables bounds the joint support (non-strict allowed there); one on a
    single data variable belongs in --var, one with a parameter would move the support."""
    _, _, dens, var, params, consts, _, _ = next(t for t in TWINS if t[0] == "dirichlet-catalog")
    m = from_density(dens, var=var, params=params, constraints=["x_1 + x_2 < 1"], check=False)
    assert [str(c) for c in m.meta_value("data_constraints")] == ["x_1 + x_2 < 1"]
    assert m.meta_value("constraints", ()) == ()
    with pytest.raises(ParseError, match="data variable"):
        from_density(dens, var=var, params=params, constraints=["x_1 < 1/2"], check=False)
    with pytest.raises(ModelError, match="support would depend"):
        from_density(dens, var=var, params=params, constraints=["x_1 + x_2 < alpha_1"], check=False)
    with pytest.raises(ParseError, match="strict"):  # on the parameters a constraint stays strict
        from_density(dens, var=var, params=params, constraints=["x_1 + x_2 < 1", "alpha_1 <= alpha_2"], check=False)


def test_typed_gaussian_found_as_a_covariance_structure():
    """The typed bivariate normals are read as the Gaussian-covariance structure (the matrix of the quadratic form,
    the mean known): the covariance where its entries are polynomials, the precision where the precision's are."""
    from symfisher.derive.structures import applicable

    kinds = {}
    for key in ("mvn_covariance-catalog", "mvn_precision-catalog", "bivariate_normal_corr-catalog",
                "mvn_covariance-sd-corr"):
        found = [f for f in applicable(_typed(next(t for t in TWINS if t[0] == key)))
                 if f.structure.name == "gaussian_covariance"]
        assert found, key
        kinds[key] = found[0].value.kind
    assert kinds == {"mvn_covariance-catalog": "covariance", "mvn_precision-catalog": "precision",
                     "bivariate_normal_corr-catalog": "covariance", "mvn_covariance-sd-corr": "covariance"}
    m = _typed(TWINS[0])
    s = m.symbols
    det = s["sigma_11"] * s["sigma_22"] - s["sigma_12"] ** 2
    assert T._compare(_report(TWINS[0]).get("jeffreys"), det ** sp.Rational(-3, 2), model_domains(m)) is True
    assert _report(TWINS[0]).derivations["jeffreys"].extras["proper"] is False


def test_literature_values():
    """Against the literature directly: the correlation's I(rho) = (1 + rho^2)/(1 - rho^2)^2 (Kendall & Stuart §18),
    the Dirichlet's I = diag(psi'(alpha_k)) - psi'(alpha_0) 1 1^T (KBJ ch. 49), the probit's
    phi(eta)^2/(Phi(eta)(1 - Phi(eta))) x^2 (McCullagh & Nelder §4.3), the gamma regression's
    diag(nu x^2, psi'(nu) - 1/nu) (ibid. §8.3)."""
    e = next(t for t in TWINS if t[0] == "bivariate_normal_corr-catalog")
    m = _typed(e)
    rho = m.symbols["rho"]
    assert T._compare(_report(e).get("fisher")[0, 0], (1 + rho**2) / (1 - rho**2) ** 2, model_domains(m)) is True
    e = next(t for t in TWINS if t[0] == "dirichlet-catalog")
    m = _typed(e)
    a = m.params
    want = sp.diag(*[sp.polygamma(1, ak) for ak in a]) - sp.polygamma(1, sp.Add(*a)) * sp.ones(3, 3)
    assert T._compare(_report(e).get("fisher"), want, model_domains(m)) is True
    e = next(t for t in TWINS if t[0] == "probit_regression-catalog")
    m = _typed(e)
    w, x = m.symbols["w_1"], m.symbols["x_1"]
    eta = w * x
    Phi = (1 + sp.erf(eta / sp.sqrt(2))) / 2
    want = sp.exp(-eta**2) / (2 * sp.pi) / (Phi * (1 - Phi)) * x**2
    got = _report(e).get("fisher")[0, 0]
    for v in (-2.5, -0.3, 0.8, 3.1):
        pt = {w: sp.Float(v, 30), x: sp.Rational(7, 5)}
        assert math.isclose(float(got.evalf(30, subs=pt)), float(want.evalf(30, subs=pt)), rel_tol=1e-12)
    e = next(t for t in TWINS if t[0] == "gamma_regression-catalog")
    m = _typed(e)
    nu, x = m.symbols["nu"], m.symbols["x_1"]
    want = sp.diag(nu * x**2, sp.polygamma(1, nu) - 1 / nu)
    assert T._compare(_report(e).get("fisher"), want, model_domains(m)) is True
