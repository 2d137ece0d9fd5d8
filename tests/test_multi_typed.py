"""The two catalog families a user could not type before: the bivariate normal mean (two data
variables) and the categorical law in the catalog's coordinates (a joint constraint p_1 + p_2 < 1).

Typed as a user would, each must derive every quantity its catalog entry derives, with the same
closed forms (proven equal by :func:`symfisher.simplify.is_zero`, as in tests/test_typed.py), in the
catalog's coordinates and in the natural ones; against the literature (Mardia, Kent & Bibby,
*Multivariate Analysis* (1979), §4.2: I(mu) = Sigma^-1, KL = (mu_1 - mu_2)^T Sigma^-1 (mu_1 - mu_2)/2;
Lehmann & Casella (1998) §2.6: the categorical I = diag(1/p) + 11^T/p_K, Jeffreys Dirichlet(1/2, ...));
and against independent floating-point witnesses (SciPy's dblquad over R^2, exact float sums).
"""
import json
import math

import pytest
import sympy as sp

import test_typed as T  # the comparison helpers of the typed twins (proven equality, log-gamma forms)
from symfisher import derive_all, from_density, get_model
from symfisher.cli import main
from symfisher.derive import model_domains
from symfisher.derive.kl import kl_domains
from symfisher.derive.regularity import check_normalization
from symfisher.model import ModelError
from symfisher.parsing import ParseError, parse_expression
from symfisher.domain_points import random_points

QUANTITIES = T.QUANTITIES

_MU = ("mu_1", "mu_2")
_NAT = ("(sigma_11*t_1 + sigma_12*t_2)", "(sigma_12*t_1 + sigma_22*t_2)")  # mu = Sigma t


def _mvn_text(m1="mu_1", m2="mu_2"):
    return (f"exp(-(sigma_22*(x_1-{m1})**2-2*sigma_12*(x_1-{m1})*(x_2-{m2})+sigma_11*(x_2-{m2})**2)"
            "/(2*(sigma_11*sigma_22-sigma_12**2)))/(2*pi*sqrt(sigma_11*sigma_22-sigma_12**2))")


_COV = ["sigma_11 > 0", "sigma_22 > 0", "sigma_12 real"]
_PD = ["sigma_12**2 < sigma_11*sigma_22"]
_CAT = "p_1**((x-2)*(x-3)/2)*p_2**(-(x-1)*(x-3))*(1-p_1-p_2)**((x-1)*(x-2)/2)"
_CAT_NAT = "exp(t_1*(x-2)*(x-3)/2+t_2*(-(x-1)*(x-3)))/(1+exp(t_1)+exp(t_2))"

# (catalog family, density, var, params, consts, constraints, catalog parameters of the typed ones or None)
TWINS = [
    ("mvn_mean", _mvn_text(), "x_1 in R, x_2 in R", ["mu_1 real", "mu_2 real"], _COV, _PD, None),
    ("mvn_mean", _mvn_text(*_NAT), ["x_1 in R", "x_2 in R"], ["t_1 real", "t_2 real"], _COV, _PD,
     lambda s: {"mu_1": s["sigma_11"] * s["t_1"] + s["sigma_12"] * s["t_2"],
                "mu_2": s["sigma_12"] * s["t_1"] + s["sigma_22"] * s["t_2"]}),
    ("categorical", _CAT, "x in {1, 2, 3}", ["p_1 in (0, 1)", "p_2 in (0, 1)"], [], ["p_1 + p_2 < 1"], None),
    ("categorical", _CAT_NAT, "x in {1, 2, 3}", ["t_1 real", "t_2 real"], [], [],
     lambda s: {"p_1": sp.exp(s["t_1"]) / (1 + sp.exp(s["t_1"]) + sp.exp(s["t_2"])),
                "p_2": sp.exp(s["t_2"]) / (1 + sp.exp(s["t_1"]) + sp.exp(s["t_2"]))}),
]
_IDS = ["mvn_mean-catalog", "mvn_mean-natural", "categorical-catalog", "categorical-natural"]

# Known gaps, each a failure step the typed twin still reports: in the natural coordinates the propriety of the
# categorical's Jeffreys prior exp(t_1/2 + t_2/2)/(1 + e^t_1 + e^t_2)^(3/2) over R^2 (its kernel does not factorize;
# the catalog decides it in its own coordinates, where the prior is Dirichlet(1/2, 1/2, 1/2)). The prior itself is derived.
KNOWN_GAPS = {("categorical-natural", "jeffreys propriety")}

_MODELS: dict = {}


def _typed(i):
    if i not in _MODELS:
        name, dens, var, params, consts, cons, _ = TWINS[i]
        _MODELS[i] = from_density(dens, var=var, params=params, consts=consts, constraints=cons)
    return _MODELS[i]


_REPORTS: dict = {}


def _report(i):
    if i not in _REPORTS:
        _REPORTS[i] = derive_all(_typed(i), only=QUANTITIES)
    return _REPORTS[i]


def _same(a, b, m, doms):
    """Proven equal; a quantity of the data on a finite support as a function there (the typed
    indicators ``(x - 2)(x - 3)/2`` and the catalog's ``KroneckerDelta(1, x)`` agree on {1, 2, 3} only)."""
    a, b = sp.Matrix(a) if isinstance(a, sp.MatrixBase) else a, sp.Matrix(b) if isinstance(b, sp.MatrixBase) else b
    if len(m.data) == 1 and m.support[0].is_finite() and (a.has(m.data[0]) or b.has(m.data[0])):
        x = m.data[0]
        return all(T._compare(a.subs(x, v), b.subs(x, v), doms) is True for v in m.support[0].points())
    return T._compare(a, b, doms) is True


@pytest.mark.parametrize("i", range(len(TWINS)), ids=_IDS)
def test_typed_twin_derives_what_the_catalog_derives(i):
    name, mapping = TWINS[i][0], TWINS[i][6]
    m, rep, cat_rep = _typed(i), _report(i), T._catalog(name)
    cat = cat_rep.model
    derived_by_catalog = [q for q in QUANTITIES if cat_rep.get(q) is not None]
    assert set(derived_by_catalog) == set(QUANTITIES)
    missing = [q for q in derived_by_catalog if rep.get(q) is None]
    failed = {f["step"] if isinstance(f, dict) else f.step for f in rep.failures}
    assert not missing and failed <= {q for k, q in KNOWN_GAPS if k == _IDS[i]}, (missing, rep.failures)
    doms = model_domains(m)
    if mapping is None:
        for q in ("score", "hessian", "fisher", "cramer_rao", "jeffreys"):
            want = T._by_name(cat_rep.get(q), cat, m)
            assert _same(rep.get(q), want, m, doms), (q, rep.get(q), want)
        cf, cs = cat_rep.derivations["kl"].extras["first"], cat_rep.derivations["kl"].extras["second"]
        tf, ts = rep.derivations["kl"].extras["first"], rep.derivations["kl"].extras["second"]
        sub = {v: w for d1, d2 in ((cf, tf), (cs, ts)) for k, v in d1.items() for kk, w in d2.items()
               if kk.name == k.name}
        want = T._by_name(cat_rep.get("kl"), cat, m).xreplace(sub)
        assert T._compare(rep.get("kl"), want, kl_domains(m)) is True, (rep.get("kl"), want)
        want = T._by_name(cat_rep.derivations["kl_taylor"].extras["quadratic"], cat, m)
        assert T._compare(rep.derivations["kl_taylor"].extras["quadratic"], want, doms) is True
        return
    # other coordinates psi, theta = phi(psi): the transformation law with J = d theta / d psi
    s = m.symbols
    phi = mapping(s)
    theta = [phi[th.name] for th in cat.params]
    J = sp.Matrix([[sp.diff(t, p) for p in m.params] for t in theta])
    sub = {T._by_name(th, cat, m): v for th, v in zip(cat.params, theta)}
    at = lambda e: T._by_name(e, cat, m).xreplace(sub)  # noqa: E731
    assert _same(sp.Matrix(rep.get("score")), J.T * sp.Matrix([at(e) for e in cat_rep.get("score")]), m, doms)
    fisher_want = sp.simplify(J.T * at(cat_rep.get("fisher")) * J)
    assert T._compare(rep.get("fisher"), fisher_want, doms) is True, (rep.get("fisher"), fisher_want)
    assert T._compare(rep.get("cramer_rao"), fisher_want.inv(), doms) is True
    ell = at(cat.log_density)
    assert _same(rep.get("hessian"), sp.Matrix(2, 2, lambda a, b: sp.diff(ell, m.params[a], m.params[b])), m, doms)
    cf, cs = cat_rep.derivations["kl"].extras["first"], cat_rep.derivations["kl"].extras["second"]
    tf, ts = rep.derivations["kl"].extras["first"], rep.derivations["kl"].extras["second"]
    subs = {}
    for d_cat, d_typ in ((cf, tf), (cs, ts)):
        to_typ = {p: d_typ[p] for p in m.params}
        for th, val in zip(cat.params, theta):
            subs[T._by_name(d_cat[th], cat, m)] = val.xreplace(to_typ)
    want = T._by_name(cat_rep.get("kl"), cat, m).xreplace(subs)
    assert T._compare(rep.get("kl"), want, kl_domains(m)) is True, (rep.get("kl"), want)
    ratio = rep.get("jeffreys") ** 2 / sp.simplify(fisher_want.det())  # sqrt(det I) |det J|: a constant ratio
    for p in m.params:
        assert T._compare(sp.diff(ratio, p), sp.S.Zero, doms) is True


def test_mvn_typed_matches_the_literature():
    """I(mu) = Sigma^-1, CRB = Sigma, KL = (mu_1 - mu_2)^T Sigma^-1 (mu_1 - mu_2)/2, flat Jeffreys prior."""
    m, rep = _typed(0), _report(0)
    s = m.symbols
    Sigma = sp.Matrix([[s["sigma_11"], s["sigma_12"]], [s["sigma_12"], s["sigma_22"]]])
    doms = model_domains(m)
    assert T._compare(rep.get("fisher"), Sigma.inv(), doms) is True
    assert T._compare(rep.get("cramer_rao"), Sigma, doms) is True
    first, second = rep.derivations["kl"].extras["first"], rep.derivations["kl"].extras["second"]
    dm = sp.Matrix([first[s[n]] - second[s[n]] for n in _MU])
    assert T._compare(rep.get("kl"), (dm.T * Sigma.inv() * dm)[0, 0] / 2, kl_domains(m)) is True
    assert rep.get("jeffreys") == 1
    assert rep.derivations["kl_taylor"].extras["cubic"] == 0


def _dblquad_mean(fn, m, pt):
    """E[fn(x_1, x_2)] under the typed density at the parameter point, by SciPy's dblquad over R^2
    (the density lambdified from its text, nothing symbolic integrated)."""
    import numpy as np
    from scipy.integrate import dblquad

    f = sp.lambdify(m.data, m.density.xreplace(pt), "numpy")
    mu = [float(pt[m.symbols[n]]) for n in _MU] if "mu_1" in m.symbols else [0.0, 0.0]
    w = 12.0  # the density is below e^-30 outside mu +- 12 sd for the sampled covariances
    val, _ = dblquad(lambda b, a: fn(a, b) * f(a, b), mu[0] - w, mu[0] + w, mu[1] - w, mu[1] + w,
                     epsabs=1e-11, epsrel=1e-10)
    assert np.isfinite(val)
    return val


def test_mvn_typed_numeric_witness_by_dblquad():
    """Fisher entries E[s_i s_j] and the KL divergence E_1[log f_1 - log f_2] by quadrature over R^2
    at seeded points of the domain (the constraint kept): agree with the closed forms to 1e-7."""
    m, rep = _typed(0), _report(0)
    doms = model_domains(m)
    syms = sorted(m.params + m.constants, key=lambda t: t.name)
    score = [sp.lambdify(m.data, e) for e in rep.get("score")]
    for pt in random_points(syms, doms, n=2, seed=41):
        exact = {k: sp.Rational(str(round(float(v), 4))) for k, v in pt.items()}
        assert all(bool(c.xreplace(exact)) for c in doms.constraints)
        for i in range(2):
            for j in range(i, 2):
                si = sp.lambdify(m.data, rep.get("score")[i].xreplace(exact))
                sj = sp.lambdify(m.data, rep.get("score")[j].xreplace(exact))
                got = _dblquad_mean(lambda a, b: si(a, b) * sj(a, b), m, exact)
                want = float(rep.get("fisher")[i, j].xreplace(exact))
                assert abs(got - want) <= 1e-7 * (1 + abs(want)), (i, j, got, want)
    assert len(score) == 2
    # KL between two points with one covariance
    first, second = rep.derivations["kl"].extras["first"], rep.derivations["kl"].extras["second"]
    p1 = {m.symbols["mu_1"]: sp.Rational(1, 3), m.symbols["mu_2"]: sp.Rational(-1, 2)}
    p2 = {m.symbols["mu_1"]: sp.Rational(-2, 5), m.symbols["mu_2"]: sp.Rational(3, 4)}
    cov = {m.symbols["sigma_11"]: sp.Rational(3, 2), m.symbols["sigma_22"]: sp.Rational(6, 5),
           m.symbols["sigma_12"]: sp.Rational(-2, 5)}
    ratio = (m.log_density.xreplace({**p1, **cov}) - m.log_density.xreplace({**p2, **cov}))
    lr = sp.lambdify(m.data, ratio)
    got = _dblquad_mean(lambda a, b: lr(a, b), m, {**p1, **cov})
    kl_sub = {first[k]: v for k, v in p1.items()} | {second[k]: v for k, v in p2.items()} | cov
    want = float(rep.get("kl").xreplace(kl_sub))
    assert abs(got - want) <= 1e-7 * (1 + want), (got, want)


def test_categorical_typed_matches_the_literature_and_exact_float_sums():
    """I = diag(1/p_1, 1/p_2) + 11^T/p_3 and the Jeffreys prior Dirichlet(1/2, 1/2, 1/2)'s kernel; the
    Fisher entries also as float sums over x = 1, 2, 3 of p(x) s_i(x) s_j(x) (no symbolic route)."""
    m, rep = _typed(2), _report(2)
    p1, p2 = m.params
    p3 = 1 - p1 - p2
    want = sp.Matrix([[1 / p1 + 1 / p3, 1 / p3], [1 / p3, 1 / p2 + 1 / p3]])
    doms = model_domains(m)
    assert T._compare(rep.get("fisher"), want, doms) is True
    assert T._compare(rep.get("jeffreys"), 1 / sp.sqrt(p1 * p2 * p3), doms) is True
    x = m.data[0]
    for v1, v2 in ((0.2, 0.3), (0.05, 0.9), (0.6, 0.35)):
        probs = {1: v1, 2: v2, 3: 1 - v1 - v2}
        dlog = {1: (1 / v1, 0.0), 2: (0.0, 1 / v2), 3: (-1 / probs[3], -1 / probs[3])}
        for i in range(2):
            for j in range(2):
                exact = sum(probs[k] * dlog[k][i] * dlog[k][j] for k in (1, 2, 3))
                got = float(rep.get("fisher")[i, j].subs({p1: v1, p2: v2}))
                assert math.isclose(got, exact, rel_tol=1e-12), (i, j, got, exact)
                s_i = float(rep.get("score")[i].subs({p1: v1, p2: v2, x: 3}))
                assert math.isclose(s_i, dlog[3][i], rel_tol=1e-12)


def test_categorical_without_the_constraint_is_still_refused():
    """p_3 = 1 - p_1 - p_2 is negative on part of (0, 1)^2: without the constraint the density is none there."""
    with pytest.raises(ModelError, match="negative"):
        from_density(_CAT, var="x in {1, 2, 3}", params=["p_1 in (0, 1)", "p_2 in (0, 1)"])


def test_mvn_normalization_is_proven_by_iterated_integrals_and_refusals():
    m = _typed(0)
    d = check_normalization(m)
    assert any("integrates to one" in st.statement and "Gauss's integral" in st.reason for st in d.steps)
    assert not any("numeric" in st.statement.lower() and "integrates" in st.statement for st in d.steps)
    # the catalog family is proven the same way (one engine), no longer taken from its definition
    assert any("Gauss's integral" in st.reason for st in check_normalization(get_model("mvn_mean")).steps)
    # twice the density: refused on the closed-form total
    with pytest.raises(ModelError, match="does not normalize"):
        from_density(_mvn_text().replace("(2*pi*", "(pi*"), var="x_1 in R, x_2 in R",
                     params=["mu_1 real", "mu_2 real"], consts=_COV, constraints=_PD)
    # without positive definiteness the density is not real somewhere in the declared domain
    with pytest.raises(ModelError, match="not real"):
        from_density(_mvn_text(), var="x_1 in R, x_2 in R", params=["mu_1 real", "mu_2 real"], consts=_COV)


def test_several_variables_declared_three_ways_are_one_model():
    args = dict(params=["mu_1 real", "mu_2 real"], consts=_COV, constraints=_PD, check=False)
    a = from_density(_mvn_text(), var="x_1 in R, x_2 in R", **args)
    b = from_density(_mvn_text(), var=["x_1 in R", "x_2 in R"], **args)
    c = from_density(_mvn_text(), var=["x_1 in R, x_2 in R"], **args)
    assert a.key() == b.key() == c.key()
    assert [x.name for x in a.data] == ["x_1", "x_2"] and len(a.support) == 2
    with pytest.raises(ModelError, match="declared twice"):
        from_density(_mvn_text(), var="x_1 in R, x_1 in R", **args)


BAD_CONSTRAINTS = [
    ("p_1 + p_2 <= 1", "strict"),
    ("p_1 + p_2", "expected a relation"),
    ("x < 1", "data variable"),
    ("p_1 + p_2 < 1; __import__('os')", "cannot parse"),
    ("q < 1", "unknown name"),
    ("1 < 2", "no parameter"),
    ("p_1 + p_2 > 3", "no point"),
    ("p_1 == p_2", "no constraint"),
]


@pytest.mark.parametrize("text,fragment", BAD_CONSTRAINTS)
def test_bad_constraint_is_one_line_and_exit_2(text, fragment, capsys):
    argv = ["derive", "--density", _CAT, "--var", "x in {1, 2, 3}", "--param", "p_1 in (0, 1)",
            "--param", "p_2 in (0, 1)", "--constraint", text, "--only", "fisher"]
    assert main(argv) == 2
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert err.startswith("symfisher: error:") and "\n" not in err, err
    assert fragment in err, err
    assert cap.out == ""


def test_constraint_is_parsed_safely_into_relations():
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    from symfisher.parsing import parse_constraint

    assert parse_constraint("p_1 + p_2 < 1", {"p_1": p1, "p_2": p2}) == (sp.StrictLessThan(p1 + p2, 1),)
    assert parse_constraint("1 > p_1 + p_2", {"p_1": p1, "p_2": p2}) == (sp.StrictGreaterThan(1, p1 + p2),)
    with pytest.raises(ParseError):
        parse_constraint("p_1.__class__ < 1", {"p_1": p1})


def test_cli_several_vars_and_a_constraint(capsys):
    """`--var` repeated and `--constraint`, through the CLI contract: the JSON lists both data variables."""
    argv = ["derive", "--density", _mvn_text(), "--var", "x_1 in R", "--var", "x_2 in R", "--param", "mu_1 real",
            "--param", "mu_2 real", *sum((["--const", c] for c in _COV), []), "--constraint", _PD[0],
            "--json", "--only", "fisher,kl"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["data"] == ["x_1", "x_2"] and out["failures"] == [] and out["fisher_routes_agree"] is True
    s = {n: sp.Symbol(n) for n in ("sigma_11", "sigma_12", "sigma_22")}
    det = s["sigma_11"] * s["sigma_22"] - s["sigma_12"] ** 2
    got = sp.Matrix([[parse_expression(e, s) for e in row] for row in out["fisher"]])
    assert sp.simplify(got - sp.Matrix([[s["sigma_22"], -s["sigma_12"]], [-s["sigma_12"], s["sigma_11"]]]) / det) \
        == sp.zeros(2, 2)
    assert main(["derive", "--density", _CAT, "--var", "x in {1, 2, 3}", "--param", "p_1 in (0, 1)",
                 "--param", "p_2 in (0, 1)", "--constraint", "p_1 + p_2 < 1", "--json", "--only", "jeffreys"]) == 0
    j = json.loads(capsys.readouterr().out)["jeffreys"]
    assert j["proper"] is True and j["normalizer"] == "2*pi"


def test_fubini_route_two_independent_exponentials():
    """Off the whole space (two half-lines) the transform is taken one variable at a time by Euler's
    integrals: the normalization is proven, I = diag(1/a^2, 1/b^2) and the KL is the sum of the two
    exponential KLs, log(a_1/a_2) + a_2/a_1 - 1 (+ the same in b) (Cover & Thomas, *Elements of Information
    Theory*, 2nd ed. (2006), §8.6 and Example 11.8.1 on sums over independent components)."""
    from symfisher.joint import FUBINI, joint_transform

    m = from_density("a*b*exp(-a*x_1 - b*x_2)", var="x_1 in (0, oo), x_2 in (0, oo)", params=["a > 0", "b > 0"])
    assert joint_transform(m)[2] == FUBINI
    assert any(FUBINI == st.reason for st in check_normalization(m).steps)
    rep = derive_all(m, only=("fisher", "kl"))
    a, b = m.params
    assert not rep.failures, rep.failures
    assert T._compare(rep.get("fisher"), sp.diag(1 / a**2, 1 / b**2), model_domains(m)) is True
    f, s = rep.derivations["kl"].extras["first"], rep.derivations["kl"].extras["second"]
    want = sum(sp.log(f[p] / s[p]) + s[p] / f[p] - 1 for p in (a, b))
    assert T._compare(rep.get("kl"), want, kl_domains(m)) is True
    # a density off by a factor is refused on the closed-form total
    with pytest.raises(ModelError, match="does not normalize"):
        from_density("2*a*b*exp(-a*x_1 - b*x_2)", var="x_1 in (0, oo), x_2 in (0, oo)", params=["a > 0", "b > 0"])


def test_product_of_finite_supports_is_summed_exactly():
    """Two independent Bernoulli variables typed as one density on {0, 1}^2: every expectation is an exact
    sum over the four points; I = diag(1/(p(1-p)), 1/(q(1-q))), the KL is the sum of the Bernoulli KLs and the
    Jeffreys prior the product of two Beta(1/2, 1/2) kernels; float sums over the grid witness the Fisher entries."""
    from symfisher.joint import GRID

    m = from_density("p**x_1*(1-p)**(1-x_1)*q**x_2*(1-q)**(1-x_2)", var="x_1 in {0, 1}, x_2 in {0, 1}",
                     params=["p in (0, 1)", "q in (0, 1)"])
    assert any(st.reason == GRID for st in check_normalization(m).steps)
    rep = derive_all(m, only=("fisher", "kl", "jeffreys"))
    assert not rep.failures, rep.failures
    p, q = m.params
    doms = model_domains(m)
    assert T._compare(rep.get("fisher"), sp.diag(1 / (p * (1 - p)), 1 / (q * (1 - q))), doms) is True
    f, s = rep.derivations["kl"].extras["first"], rep.derivations["kl"].extras["second"]
    want = sum(f[r] * sp.log(f[r] / s[r]) + (1 - f[r]) * sp.log((1 - f[r]) / (1 - s[r])) for r in (p, q))
    assert T._compare(rep.get("kl"), want, kl_domains(m)) is True
    assert T._compare(rep.get("jeffreys"), 1 / sp.sqrt(p * (1 - p) * q * (1 - q)), doms) is True
    for vp, vq in ((0.3, 0.6), (0.85, 0.1)):
        def lp(a, b, u, v):
            return a * math.log(u) + (1 - a) * math.log(1 - u) + b * math.log(v) + (1 - b) * math.log(1 - v)
        h = 1e-6
        grid = [(a, b) for a in (0, 1) for b in (0, 1)]
        score = {g: ((lp(*g, vp + h, vq) - lp(*g, vp - h, vq)) / (2 * h), (lp(*g, vp, vq + h) - lp(*g, vp, vq - h)) / (2 * h))
                 for g in grid}
        for i in range(2):
            for j in range(2):
                exact = sum(math.exp(lp(*g, vp, vq)) * score[g][i] * score[g][j] for g in grid)
                got = float(rep.get("fisher")[i, j].subs({p: vp, q: vq}))
                assert abs(got - exact) <= 1e-6 * (1 + abs(exact)), (i, j, got, exact)
    with pytest.raises(ModelError, match="does not normalize"):
        from_density("p**x_1*(1-p)**(1-x_1)*q**x_2", var="x_1 in {0, 1}, x_2 in {0, 1}",
                     params=["p in (0, 1)", "q in (0, 1)"])


_BVN5 = ("exp(-((x_1-m_1)**2/s_1**2 - 2*r*(x_1-m_1)*(x_2-m_2)/(s_1*s_2) + (x_2-m_2)**2/s_2**2)/(2*(1-r**2)))"
         "/(2*pi*s_1*s_2*sqrt(1-r**2))")


def test_bivariate_normal_in_five_parameters_matches_the_literature():
    """Not in the catalog: the bivariate normal in (mu_1, mu_2, sigma_1, sigma_2, rho), whose x-Hessian depends
    on the parameters. Its Fisher information (Berger & Sun, "Objective priors for the bivariate normal model",
    Ann. Statist. 36 (2008), §2) and Jeffreys prior 1/(sigma_1^2 sigma_2^2 (1 - rho^2)^2) (ibid.), from the
    fourth moments of the joint moment-generating function; the rho entry witnessed by dblquad."""
    m = from_density(_BVN5, var="x_1 in R, x_2 in R", params=["m_1 real", "m_2 real", "s_1 > 0", "s_2 > 0",
                                                               "r in (-1, 1)"])
    rep = derive_all(m, only=("fisher", "jeffreys"))
    assert not rep.failures, rep.failures
    m1, m2, s1, s2, r = m.params
    c = 1 - r**2
    want = sp.Matrix([
        [1 / (s1**2 * c), -r / (s1 * s2 * c), 0, 0, 0],
        [-r / (s1 * s2 * c), 1 / (s2**2 * c), 0, 0, 0],
        [0, 0, (2 - r**2) / (s1**2 * c), -r**2 / (s1 * s2 * c), -r / (s1 * c)],
        [0, 0, -r**2 / (s1 * s2 * c), (2 - r**2) / (s2**2 * c), -r / (s2 * c)],
        [0, 0, -r / (s1 * c), -r / (s2 * c), (1 + r**2) / c**2]])
    doms = model_domains(m)
    assert T._compare(rep.get("fisher"), want, doms) is True
    ratio = rep.get("jeffreys") * s1**2 * s2**2 * c**2  # proportional: a constant ratio
    assert all(T._compare(sp.diff(ratio, p), sp.S.Zero, doms) is True for p in m.params)
    # E[(d/dr log f)^2] at one point by quadrature over R^2 (the density and its r-derivative lambdified)
    from scipy.integrate import dblquad

    pt = {m1: 0.3, m2: -0.2, s1: 1.3, s2: 0.8, r: 0.45}
    f = sp.lambdify(m.data, m.density.subs(pt))
    sr = sp.lambdify(m.data, sp.diff(m.log_density, r).subs(pt))
    val, _ = dblquad(lambda b, a: sr(a, b) ** 2 * f(a, b), -12, 12, -12, 12, epsabs=1e-11, epsrel=1e-10)
    assert abs(val - float(want[4, 4].subs(pt))) <= 1e-7, val


def test_verify_witnesses_a_typed_density_on_the_plane(capsys):
    """`symfisher verify` on the typed bivariate normal: the quadrature witnesses run (a Gauss–Hermite rule about
    the numerically found mode, no declared Gaussian) and pass; on a product of logistic densities the same rule
    does not integrate the density to one, and is refused rather than used."""
    from symfisher.numeric import NumericUnavailable, _laplace_rule

    argv = ["verify", "--density", _mvn_text(), "--var", "x_1 in R, x_2 in R", "--param", "mu_1 real",
            "--param", "mu_2 real", *sum((["--const", c] for c in _COV), []), "--constraint", _PD[0]]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "PASS  fisher[mu_1,mu_2]: E[s s^T] (quadrature)" in out and "kl closed form vs quadrature" in out
    assert "several data variables" not in out and "FAIL" not in out
    m = from_density("exp(-(x_1-a))/(1+exp(-(x_1-a)))**2*exp(-x_2)/(1+exp(-x_2))**2", var="x_1 in R, x_2 in R",
                     params=["a real"], check=False)
    with pytest.raises(NumericUnavailable, match="does not integrate"):
        _laplace_rule(m, {"a": 0.4})


def test_sheet_spec_takes_constraints(tmp_path, capsys):
    """A spec's `[model]` table takes `constraints = [...]` like `--constraint`; a bad one is the spec's
    one-line error, exit 2, nothing written."""
    spec = tmp_path / "cat.toml"
    body = ('title = "Typed categorical"\nquestion = "q"\nexplanation = "e"\ntakeaway = "t"\n\n[model]\n'
            f'density = "{_CAT}"\nvar = "x in {{1, 2, 3}}"\nparams = ["p_1 in (0, 1)", "p_2 in (0, 1)"]\n'
            'constraints = ["p_1 + p_2 < 1"]\n\n[[derive]]\nquantity = "fisher"\n')
    spec.write_text(body)
    assert main(["sheet", str(spec), "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    capsys.readouterr()
    spec.write_text(body.replace("p_1 + p_2 < 1", "p_1 + p_2 <= 1"))
    out = tmp_path / "bad"
    assert main(["sheet", str(spec), "--out", str(out), "--format", "json"]) == 2
    err = capsys.readouterr().err.strip()
    assert "strict" in err and "\n" not in err and not out.exists()
