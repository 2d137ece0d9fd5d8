"""The structure registry and the structures found in a density (symfisher/derive/structures).

The exponential family is read off typed densities (catalog families typed as a user would, and
families that are not in the catalog); its Fisher information and KL divergence are compared with
the literature and with independent numeric witnesses (quadrature of the squared score and of the
log-ratio, symfisher.numeric and symfisher.witness). References: Lehmann & Casella (1998), Table
2.5.1; Forbes et al., *Statistical Distributions*, 4th ed. (2011) (Maxwell, Nakagami); Penny (2001)
for the gamma KL (a Nakagami X has X^2 ~ Gamma(m, rate m/W), and KL is invariant under x -> x^2).
"""
import ast
import importlib
import math
import pathlib
import re
import sys

import pytest
import sympy as sp
from sympy import log, loggamma, polygamma

from symfisher import derive_all, from_density
from symfisher.derive import model_domains
from symfisher.derive.kl import kl_divergence, kl_domains, kl_symbols
from symfisher.derive.structures import Structure, applicable, dispatch, find, register_structure, registered
from symfisher.domain_points import random_points
from symfisher.simplify import is_zero

ROOT = pathlib.Path(__file__).resolve().parents[1] / "symfisher"


# -- the registry ----------------------------------------------------------------------------
def test_registry_order_and_decline():
    names = [s.name for s in registered()]
    assert names.index("linear_index") < names.index("exponential_family") < names.index("catalog_identity")
    prios = [s.priority for s in registered()]
    assert prios == sorted(prios)

    class Probe(Structure):
        name = "probe_for_test"
        priority = 1  # tried before every other structure

        def find(self, model):
            return "seen" if model.params and model.params[0].name == "probe_t" else None

        def fisher(self, model, found, **_):
            return None  # declines: the next structure (the exponential family) answers

        def score(self, model, found, **_):
            from symfisher.derivation import Derivation
            return Derivation("score", "probe").with_result(found)

    from symfisher.derive import structures as S

    register_structure(Probe)
    try:
        m = from_density("probe_t*exp(-probe_t*x)", var="x in (0, oo)", params=["probe_t > 0"])
        assert [f.structure.name for f in applicable(m)][0] == "probe_for_test"
        assert dispatch("score", m).result == "seen"
        d = dispatch("fisher", m)  # the probe declined, the exponential family did not
        assert d.extras["structure"] == "exponential_family"
        assert d.result == sp.Matrix([[1 / m.symbol("probe_t") ** 2]])
        assert dispatch("no_such_hook", m) is None
    finally:
        S._REGISTRY[:] = [s for s in S._REGISTRY if s.name != "probe_for_test"]
        S._FOUND.clear()


def _derive_modules():
    return sorted(p for p in (ROOT / "derive").rglob("*.py"))


def _module_name(p: pathlib.Path) -> str:
    rel = p.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def test_derive_has_no_import_cycle():
    """The module-level imports inside symfisher.derive form no cycle (AST check), and every module
    imports on its own in a fresh state of the package."""
    graph = {}
    for p in _derive_modules():
        name = _module_name(p)
        pkg = name if p.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps = set()
        for node in ast.parse(p.read_text()).body:  # module level only: a function's import runs late
            if isinstance(node, ast.ImportFrom) and node.level:
                base = pkg.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    deps.add(full if any(_module_name(q) == full for q in _derive_modules()) else target)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        graph[name] = {d for d in deps if d.startswith("symfisher.derive") and d != name}
    state: dict = {}

    def visit(n, path):
        if state.get(n) == 1:
            raise AssertionError("import cycle: " + " -> ".join(path + [n]))
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in graph.get(n, ()):
            visit(d, path + [n])
        state[n] = 2

    for n in graph:
        visit(n, [])
    saved = {k: v for k, v in sys.modules.items() if k == "symfisher" or k.startswith("symfisher.")}
    try:
        for n in graph:
            for k in [k for k in sys.modules if k == "symfisher" or k.startswith("symfisher.")]:
                del sys.modules[k]
            importlib.import_module(n)
    finally:
        for k in [k for k in sys.modules if k == "symfisher" or k.startswith("symfisher.")]:
            del sys.modules[k]
        sys.modules.update(saved)


def test_no_name_branching():
    """Structure is found in the density: no family or model name decides a derivation."""
    files = list((ROOT / "derive").rglob("*.py")) + [ROOT / "expectation.py"]
    pattern = re.compile(r"\.name\s*==|family\s*==|\.family\s*in\b")
    bad = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in files
           for i, line in enumerate(p.read_text().splitlines(), 1)
           if pattern.search(line) and "structure.name" not in line and "s.name ==" not in line]
    assert not bad, bad


# -- the exponential family read off typed densities -----------------------------------------
def _syms(m, *names):
    return [m.symbol(n) for n in names]


def _tri(a):
    return polygamma(1, a)


def _gamma_kl(a1, b1, a2, b2):  # shape a, rate b (Penny 2001)
    return (a1 - a2) * polygamma(0, a1) - loggamma(a1) + loggamma(a2) + a2 * (log(b1) - log(b2)) + a1 * (b2 - b1) / b1


TYPED = [
    # name, density, var, params, consts, Fisher(m), KL(m, first, second) from the literature
    ("bernoulli", "p**x*(1 - p)**(1 - x)", "x in {0, 1}", ["p in (0, 1)"], [],
     lambda m: (lambda p: sp.Matrix([[1 / (p * (1 - p))]]))(*_syms(m, "p")),
     lambda m, a, b: a["p"] * log(a["p"] / b["p"]) + (1 - a["p"]) * log((1 - a["p"]) / (1 - b["p"]))),
    ("poisson", "lam**x*exp(-lam)/factorial(x)", "x in 0..oo", ["lam > 0"], [],
     lambda m: sp.Matrix([[1 / m.symbol("lam")]]),
     lambda m, a, b: a["lam"] * log(a["lam"] / b["lam"]) - a["lam"] + b["lam"]),
    ("gamma", "b**a*x**(a - 1)*exp(-b*x)/gamma(a)", "x in (0, oo)", ["a > 0", "b > 0"], [],
     lambda m: (lambda a, b: sp.Matrix([[_tri(a), -1 / b], [-1 / b, a / b**2]]))(*_syms(m, "a", "b")),
     lambda m, a, b: _gamma_kl(a["a"], a["b"], b["a"], b["b"])),
    ("beta", "x**(a - 1)*(1 - x)**(b - 1)/beta(a, b)", "x in (0, 1)", ["a > 0", "b > 0"], [],
     lambda m: (lambda a, b: sp.Matrix([[_tri(a) - _tri(a + b), -_tri(a + b)],
                                        [-_tri(a + b), _tri(b) - _tri(a + b)]]))(*_syms(m, "a", "b")),
     lambda m, a, b: (loggamma(b["a"]) + loggamma(b["b"]) - loggamma(b["a"] + b["b"])
                      - loggamma(a["a"]) - loggamma(a["b"]) + loggamma(a["a"] + a["b"])
                      + (a["a"] - b["a"]) * polygamma(0, a["a"]) + (a["b"] - b["b"]) * polygamma(0, a["b"])
                      + (b["a"] - a["a"] + b["b"] - a["b"]) * polygamma(0, a["a"] + a["b"]))),
    ("normal", "exp(-(x - mu)**2/(2*sigma**2))/(sqrt(2*pi)*sigma)", "x in R", ["mu real", "sigma > 0"], [],
     lambda m: (lambda s: sp.diag(1 / s**2, 2 / s**2))(m.symbol("sigma")),
     lambda m, a, b: log(b["sigma"] / a["sigma"]) + (a["sigma"] ** 2 + (a["mu"] - b["mu"]) ** 2) / (2 * b["sigma"] ** 2)
     - sp.S.Half),
    ("inverse_gaussian", "sqrt(lam/(2*pi*x**3))*exp(-lam*(x - mu)**2/(2*mu**2*x))", "x in (0, oo)",
     ["mu > 0", "lam > 0"], [],
     lambda m: (lambda mu, lam: sp.diag(lam / mu**3, 1 / (2 * lam**2)))(*_syms(m, "mu", "lam")),
     lambda m, a, b: (log(a["lam"] / b["lam"]) + b["lam"] / a["lam"] - 1) / 2
     + b["lam"] * (a["mu"] - b["mu"]) ** 2 / (2 * a["mu"] * b["mu"] ** 2)),
    # the log-normal in (mu, sigma): E[log(X)^k] from A, no integral of log(x)^3
    ("lognormal", "exp(-(log(x) - mu)**2/(2*sigma**2))/(x*sigma*sqrt(2*pi))", "x in (0, oo)",
     ["mu real", "sigma > 0"], [],
     lambda m: (lambda s: sp.diag(1 / s**2, 2 / s**2))(m.symbol("sigma")),
     lambda m, a, b: log(b["sigma"] / a["sigma"]) + (a["sigma"] ** 2 + (a["mu"] - b["mu"]) ** 2) / (2 * b["sigma"] ** 2)
     - sp.S.Half),
    # not in the catalog: Maxwell-Boltzmann with scale a (Forbes et al. 2011, ch. 31): I = 6/a^2
    ("maxwell", "sqrt(2/pi)*x**2*exp(-x**2/(2*a**2))/a**3", "x in (0, oo)", ["a > 0"], [],
     lambda m: sp.Matrix([[6 / m.symbol("a") ** 2]]),
     lambda m, a, b: 3 * log(b["a"] / a["a"]) + 3 * a["a"] ** 2 / (2 * b["a"] ** 2) - sp.Rational(3, 2)),
    # not in the catalog: von Mises with both parameters, a full family in (k sin mu, k cos mu) whose
    # natural parameters SymPy does not invert (the second-order identity gives Cov(T) J); with
    # A(k) = I_1(k)/I_0(k): I = diag(k A, 1 - A/k - A^2) (Mardia & Jupp 2000, §5.4), and
    # KL = A(k_1)(k_1 - k_2 cos(mu_1 - mu_2)) - log I_0(k_1) + log I_0(k_2) (Kitagawa & Rowley 2022)
    ("von_mises", "exp(k*cos(x - mu))/(2*pi*besseli(0, k))", "x in (-pi, pi)", ["mu real", "k > 0"], [],
     lambda m: (lambda k: (lambda A: sp.diag(k * A, 1 - A / k - A**2))(sp.besseli(1, k) / sp.besseli(0, k)))(
         m.symbol("k")),
     lambda m, a, b: sp.besseli(1, a["k"]) / sp.besseli(0, a["k"]) * (a["k"] - b["k"] * sp.cos(a["mu"] - b["mu"]))
     - log(sp.besseli(0, a["k"])) + log(sp.besseli(0, b["k"]))),
    # not in the catalog: Nakagami(m, W), both parameters (I_mm = psi'(m) - 1/m, I_WW = m/W^2)
    ("nakagami", "2*m**m/(gamma(m)*W**m)*x**(2*m - 1)*exp(-m*x**2/W)", "x in (0, oo)", ["m > 0", "W > 0"], [],
     lambda m: (lambda mm, W: sp.diag(_tri(mm) - 1 / mm, mm / W**2))(*_syms(m, "m", "W")),
     lambda m, a, b: _gamma_kl(a["m"], a["m"] / a["W"], b["m"], b["m"] / b["W"])),
]


@pytest.fixture(scope="module")
def typed():
    cache = {}

    def get(name):
        if name not in cache:
            spec = next(t for t in TYPED if t[0] == name)
            cache[name] = from_density(spec[1], var=spec[2], params=spec[3], consts=spec[4], name=f"typed {name}")
        return cache[name]

    return get


# every typed exponential family here is derived by the structure's own routes (von Mises in (mu, k) too, since
# the natural inverse is used only when theta(eta(theta)) = theta cancels symbolically: its Bessel entries
# are no longer simplified after a sampled inverse)
@pytest.mark.parametrize("spec", TYPED, ids=[t[0] for t in TYPED])
def test_expfam_split_fisher_and_kl(spec, typed):
    from symfisher.numeric import expect_numeric, param_points
    from symfisher.witness import integrated_kl

    name, _, _, _, _, fisher_of, kl_of = spec
    m = typed(name)
    ef = find(m, "exponential_family")
    assert ef is not None, f"{name}: no exponential family found"
    # the split reproduces log f exactly (at two data points, exactly)
    x = m.data[0]
    rebuilt = sum(e * t for e, t in zip(ef.eta, ef.T)) + ef.h - ef.A
    for sub in random_points(list(m.params), model_domains(m), n=2, seed=7):
        for xv in ((0, 1) if name == "bernoulli" else (sp.Rational(1, 3), sp.Rational(1, 2)) if name == "beta"
                   else (2, 5) if name == "poisson" else (sp.Rational(7, 5), 3)):
            gap = (rebuilt - m.log_density).subs(sub).subs(x, xv)
            assert abs(complex(gap.evalf(30))) < 1e-20
    rep = derive_all(m, only=["fisher", "kl", "kl_taylor", "jeffreys"])
    fd = rep.derivations["fisher"]
    assert fd.extras.get("structure") == "exponential_family" and fd.extras["routes_agree"] is True
    assert any("exponential family" in s.statement for s in fd.steps)
    I = rep.get("fisher")
    target = fisher_of(m)
    assert is_zero(I - target, model_domains(m)) is True, (name, I)
    # KL: literature closed form, and the route is the derived one, shown as steps
    kd = rep.derivations["kl"]
    assert kd.result is not None and not kd.failures, kd.failures
    assert kd.extras["route"] == "derived" and rep.to_json()["kl_route"] == "derived"
    first, second = kl_symbols(m)
    a = {th.name: first[th] for th in m.params}
    b = {th.name: second[th] for th in m.params}
    # a generous wall-clock limit: the numeric zero test of log B vs log Gamma takes about 1 s of CPU, 3.5 s wall
    # at load 8, past is_zero's default 4 s on a shared machine (the verdict is the same, only not cut short)
    assert is_zero(kd.result - kl_of(m, a, b), kl_domains(m), limit=30.0) is True, (name, kd.result)
    assert rep.derivations["kl_taylor"].extras["quadratic_is_fisher"] is True
    # independent witnesses: quadrature of the squared score and of the log-ratio
    score = [sp.diff(m.log_density, th) for th in m.params]
    for v in param_points(m, n=2, seed=11):
        vals = {s: v[s.name] for s in m.params}
        for i in range(m.dim):
            for j in range(i, m.dim):
                num = expect_numeric(m, score[i] * score[j], v)
                sym = float(I[i, j].subs(vals))
                assert math.isclose(num, sym, rel_tol=1e-6, abs_tol=1e-9), (name, i, j, num, sym)
        w = {k: (val * 1.3 + 0.05 if m.symbol(k).is_positive else val + 0.4) for k, val in v.items()}
        if name == "bernoulli":
            w["p"] = min(0.9, v["p"] * 1.3)
        num = float(integrated_kl(m, v, [w])[0])
        sub = {**{first[th]: v[th.name] for th in m.params}, **{second[th]: w[th.name] for th in m.params}}
        sym = float(sp.re(kd.result.evalf(30, subs=sub)))
        assert math.isclose(num, sym, rel_tol=1e-6, abs_tol=1e-9), (name, num, sym)


def test_expfam_declines_what_is_not_one():
    m = from_density("exp(-(x - m)/s - exp(-(x - m)/s))/s", var="x in R", params=["m real", "s > 0"])
    assert find(m, "exponential_family") is None  # exp(x/s): data and parameter in one factor
    # a curved family (normal with known coefficient of variation) is left to the generic route
    c = from_density("exp(-(x - t)**2/(2*t**2))/(sqrt(2*pi)*t)", var="x in R", params=["t > 0"])
    assert find(c, "exponential_family") is None


# -- KL: derived, registered as a cross-check ----------------------------------------------------
def test_kl_route_in_json_and_steps(monkeypatch):
    from symfisher import get_model
    from symfisher.derive import kl as kl_module
    from symfisher.expectation import ExpectationError

    rep = derive_all(get_model("gamma"), only=["kl"])
    js = rep.to_json()
    assert js["kl_route"] == "derived"
    assert any("registered closed form" in s.statement and "equals" in s.statement for s in rep.derivations["kl"].steps)
    # the Cauchy law's E[log q(X)] by residues: derived, and proven equal to Chyzak & Nielsen's form
    cauchy = derive_all(get_model("cauchy"), only=["kl"])
    assert cauchy.to_json()["kl_route"] == "derived" and cauchy.derivations["kl"].extras["routes_agree"] is True
    # where no route derives it, the registered form is the answer and says so

    def no_route(model, limit=None, integrate=True):
        raise ExpectationError("E[log q]", "no route (simulated)")

    monkeypatch.setattr(kl_module, "generic_kl", no_route)
    cauchy = derive_all(get_model("cauchy"), only=["kl"])
    assert cauchy.to_json()["kl_route"] == "registered"
    assert any("not derived here" in s.statement for s in cauchy.derivations["kl"].steps)
    assert derive_all(get_model("gamma"), only=["fisher"]).to_json()["kl_route"] is None


def test_kl_fails_fast_without_a_closed_form():
    """The generic attempt that used to time out (16 s) is not made: the failure says so. How fast is
    measured in benchmarks/, never asserted here (timings are noise on a shared machine)."""
    from symfisher import get_model

    for name in ("student_t", "logistic"):
        d = kl_divergence(get_model(name))
        assert d.result is None and "no closed form" in d.failures[-1].reason
        assert "not attempted" in d.failures[-1].reason


# -- identity with a catalog family -------------------------------------------------------------
def test_catalog_identity_gamma_in_shape_scale():
    """A gamma typed in shape k and scale t is the catalog gamma with a = k, b = 1/t; through the
    transformation law its Fisher information is [[psi'(k), 1/t], [1/t, k/t^2]] (Lehmann & Casella
    1998, Table 2.5.1, in the scale parameterization), checked by quadrature of the squared score."""
    from symfisher import get_model
    from symfisher.derive.structures.catalog_identity import CatalogIdentityStructure
    from symfisher.numeric import expect_numeric, param_points

    m = from_density("x**(k - 1)*exp(-x/t)/(gamma(k)*t**k)", var="x in (0, oo)", params=["k > 0", "t > 0"])
    k, t = m.symbol("k"), m.symbol("t")
    ci = find(m, "catalog_identity")
    assert ci is not None and ci.base.family == "gamma"
    a, b = ci.base.params
    assert ci.phi == {a: k, b: 1 / t}
    d = CatalogIdentityStructure().fisher(m, ci)  # the exponential family answers first under dispatch
    assert "catalog's gamma family" in d.steps[0].statement and d.extras["routes_agree"] is True
    target = sp.Matrix([[polygamma(1, k), 1 / t], [1 / t, k / t**2]])
    assert is_zero(d.result - target, model_domains(m)) is True
    score = [sp.diff(m.log_density, th) for th in m.params]
    for v in param_points(m, n=2, seed=3):
        for i in range(2):
            for j in range(i, 2):
                num = expect_numeric(m, score[i] * score[j], v)
                assert math.isclose(num, float(d.result[i, j].subs({k: v["k"], t: v["t"]})), rel_tol=1e-6)
    # the catalog family itself is never identified with itself
    assert find(get_model("gamma"), "catalog_identity") is None


def test_catalog_identity_carries_fisher_and_kl_of_a_typed_weibull():
    """A Weibull typed with renamed parameters is not an exponential family; it derives through the
    catalog's Weibull: Fisher (Johnson, Kotz & Balakrishnan 1994, ch. 21) and the KL of Bauckhage
    (2013), against quadrature of the log-ratio."""
    from symfisher.witness import integrated_kl

    from symfisher.derive.structures.catalog_identity import CatalogIdentityStructure

    m = from_density("(c/s)*(x/s)**(c - 1)*exp(-(x/s)**c)", var="x in (0, oo)", params=["s > 0", "c > 0"])
    s, c = m.symbol("s"), m.symbol("c")
    assert find(m, "exponential_family") is None
    ci = find(m, "catalog_identity")
    assert ci is not None and ci.base.family == "weibull"
    # the density standardizes (X = s W^(1/c)), so under dispatch its Fisher information comes from the
    # moments of W without searching the catalog; the identity's own derivation must give the same matrix
    fd = CatalogIdentityStructure().fisher(m, ci)
    assert fd.extras["structure"] == "catalog_identity" and fd.extras["routes_agree"] is True
    rep = derive_all(m, only=["fisher", "kl"])
    assert rep.derivations["fisher"].extras.get("structure") != "catalog_identity"
    g = sp.EulerGamma
    target = sp.Matrix([[c**2 / s**2, (g - 1) / s], [(g - 1) / s, ((1 - g) ** 2 + sp.pi**2 / 6) / c**2]])
    assert is_zero(fd.result - target, model_domains(m)) is True
    assert is_zero(rep.get("fisher") - target, model_domains(m)) is True
    assert rep.to_json()["kl_route"] == "derived"
    kd = rep.derivations["kl"]
    assert any("does not depend on the coordinates" in st.statement for st in kd.steps)
    first, second = kl_symbols(m)
    for v1, v2 in (({"s": 1.3, "c": 0.8}, {"s": 0.7, "c": 1.9}), ({"s": 2.0, "c": 2.5}, {"s": 1.1, "c": 1.2})):
        num = float(integrated_kl(m, v1, [v2])[0])
        sub = {**{first[th]: v1[th.name] for th in m.params}, **{second[th]: v2[th.name] for th in m.params}}
        assert math.isclose(num, float(kd.result.evalf(30, subs=sub)), rel_tol=1e-6)


def test_catalog_identity_is_cheap_when_nothing_matches(monkeypatch):
    """Nothing matches the Lomax density, and finding that out integrates nothing (its cost is
    measured in benchmarks/, not asserted here)."""
    import sympy

    m = from_density("alpha/lam*(1 + x/lam)**(-(alpha + 1))", var="x in (0, oo)", params=["alpha > 0", "lam > 0"])

    def no_integral(*args, **kwargs):
        raise AssertionError("the catalog identity integrated something")

    monkeypatch.setattr(sympy, "integrate", no_integral)
    monkeypatch.setattr(sympy, "summation", no_integral)
    assert find(m, "catalog_identity") is None


EXPFAM_CATALOG = ["bernoulli", "binomial", "poisson", "geometric", "negative_binomial", "categorical", "exponential",
                  "gamma", "beta", "lognormal", "rayleigh", "pareto", "inverse_gaussian", "normal", "normal_mean",
                  "normal_variance"]


@pytest.mark.parametrize("name", EXPFAM_CATALOG)
def test_catalog_exponential_families_go_through_the_structure(name, report):
    """The catalog's exponential families are found as such in their density (no declaration says
    so) and their Fisher information comes from A; a Weibull with a known shape is one too."""
    from symfisher import get_model

    m = get_model(name)
    assert find(m, "exponential_family") is not None
    d = report(name).derivations["fisher"]
    assert d.extras["structure"] == "exponential_family" and d.extras["routes_agree"] is True
    assert report(name).derivations["kl"].extras["route"] == "derived"


def test_weibull_with_known_shape_is_an_exponential_family():
    m = from_density("(k/l)*(x/l)**(k - 1)*exp(-(x/l)**k)", var="x in (0, oo)", params=["l > 0"], consts=["k > 0"])
    ef = find(m, "exponential_family")
    x, k, l = m.data[0], m.symbol("k"), m.symbol("l")
    assert ef is not None and ef.T == (x**k,)
    I = derive_all(m, only=["fisher"]).get("fisher")
    assert is_zero(I - sp.Matrix([[k**2 / l**2]]), model_domains(m)) is True  # Johnson, Kotz & Balakrishnan, ch. 21


# -- statistics of |x - mu| under a law symmetric about its location ----------------------------
def test_symmetric_abs_sign_statistics_of_typed_laplace_and_no_mean_claimed_for_cauchy():
    from scipy import integrate

    from symfisher import expectation
    from symfisher.derive import fisher_information

    # typed Laplace: E[sign^2] = 1, E[|z| sign z] = 0, E[DiracDelta(b z)] = f(0)/b, Fisher diag(1/b^2)
    # (Forbes et al. 2011, ch. 24); each cheap value against quadrature of the base law's density
    m = from_density("exp(-Abs(x - mu)/b)/(2*b)", var="x in R", params=["mu real", "b > 0"])
    base = m.representation.base
    z = base.data[0]
    b = [s for s in m.params if s.name == "b"][0]
    f0 = lambda t: math.exp(-abs(t)) / 2  # noqa: E731  the standard Laplace density, written independently
    checks = {sp.sign(z) ** 2: 1.0, sp.Abs(z) * sp.sign(z): 0.0, sp.sign(z): 0.0,
              sp.Abs(z) ** 2 * sp.sign(z) ** 3: 0.0, sp.Abs(z) * z: 0.0, z * sp.sign(z): 1.0}
    for t, want in checks.items():
        v = expectation(t, base).value
        tf = sp.lambdify(z, t, "math")
        quad = sum(integrate.quad(lambda u: tf(u) * f0(u), lo, hi)[0] for lo, hi in ((-60, 0), (0, 60)))
        assert abs(float(v) - want) < 1e-12 and abs(quad - want) < 1e-8, (t, v, quad)
    assert sp.simplify(expectation(sp.DiracDelta(b * z), base).value - 1 / (2 * b)) == 0
    I = fisher_information(m)
    assert I.extras["routes_agree"] is True
    assert sp.simplify(I.result - sp.diag(1 / b**2, 1 / b**2)) == sp.zeros(2, 2)
    # typed Cauchy: z |z| sign(z)... is odd, but E|z|^2 is infinite, so symmetry must not answer E[z |z|]
    c = from_density("1/(pi*sigma*(1 + ((x - mu)/sigma)**2))", var="x in R", params=["mu real", "sigma > 0"])
    cb = c.representation.base
    w = cb.data[0]
    mod = sys.modules["symfisher.expectation"]
    assert mod._symmetric_abs_sign(w * sp.Abs(w), cb, 5.0) is None
    assert mod._symmetric_abs_sign(sp.sign(w), cb, 5.0)[0] == 0  # bounded and odd: mean 0


# -- Euler's integrals: the generalized inverse Gaussian kernel at a half-integer order ---------------
def test_inverse_gaussian_kernel_normalizes_and_gives_its_moments_against_quadrature():
    from scipy import integrate

    from symfisher.euler import euler_integral

    x = sp.Symbol("x", positive=True)
    lam, mu = sp.symbols("lam mu", positive=True)
    f = sp.sqrt(lam / (2 * sp.pi)) * x ** sp.Rational(-3, 2) * sp.exp(-lam * (x - mu) ** 2 / (2 * mu**2 * x))
    f = sp.expand(sp.powsimp(f, combine="exp"))  # the kernel x^(-3/2) exp(-a x - b/x) times constants
    # E[1] = 1, E[X] = mu, E[1/X] = 1/mu + 1/lam (Chhikara & Folks, The Inverse Gaussian Distribution, 1989, 2.3)
    want = {sp.S.One: sp.S.One, x: mu, 1 / x: 1 / mu + 1 / lam}
    pt = {lam: sp.Rational(7, 4), mu: sp.Rational(5, 3)}
    for t, lit in want.items():
        value, conds = euler_integral(sp.expand(t * f), x, 0, sp.oo)
        assert all(c is sp.true or c is True for c in (sp.S(c).xreplace(pt) for c in conds))
        assert sp.simplify(value - lit) == 0, (t, value)
        g = sp.lambdify(x, (t * f).xreplace(pt), "math")
        quad = integrate.quad(g, 0, sp.oo)[0]
        assert abs(quad - float(lit.xreplace(pt))) < 1e-8, (t, quad)
    # a symbolic order (the transform's exponent) is declined rather than left as besselk
    s = sp.Symbol("s", real=True)
    assert euler_integral(sp.expand(x**s * f), x, 0, sp.oo) is None
    # the typed inverse Gaussian is proven normalized by it, and derives the literature Fisher diag(lam/mu^3, 1/(2 lam^2))
    m = from_density("sqrt(lam/(2*pi*x**3))*exp(-lam*(x-mu)**2/(2*mu**2*x))", var="x in (0, oo)",
                     params=["mu > 0", "lam > 0"])
    from symfisher.derive import fisher_information

    I = fisher_information(m).result
    mu_, lam_ = m.params
    assert sp.simplify(I - sp.diag(lam_ / mu_**3, 1 / (2 * lam_**2))) == sp.zeros(2, 2)
