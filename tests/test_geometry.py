"""Information geometry over the catalog: KL divergences (closed forms against an independent
numeric oracle), the KL Taylor expansion (quadratic term = ½ δᵀ I δ for every model), Jeffreys
priors (propriety, normalizers, named laws, invariance), the transformation law by two routes,
the natural gradient, and bad input through the command line.
"""
import math

import numpy as np
import pytest
import sympy as sp

from symfisher import family_names, get_model
from symfisher.derive import model_domains
from symfisher.derive.kl import KL_CLOSED_FORMS, kl_divergence, kl_domains, kl_symbols
from symfisher.simplify import is_zero, random_points

NAMES = family_names()

# the families whose KL has no elementary closed form (the derivation must fail, not guess)
NO_CLOSED_KL = {"student_t", "logistic"}


# -- an independent numeric oracle: quadrature or sums of f1 log(f1/f2) -----------------
def _numeric_kl(model, first: dict, second: dict, consts: dict) -> float:
    from scipy import integrate

    x = model.data[0]
    sup = model.support[0]
    ell = model.log_density.subs(consts)
    l1 = sp.lambdify(x, ell.subs(first), modules=["scipy", "numpy"])
    l2 = sp.lambdify(x, ell.subs(second), modules=["scipy", "numpy"])

    def term(v):
        with np.errstate(all="ignore"):
            a, b = float(np.real(l1(v))), float(np.real(l2(v)))
        return math.exp(a) * (a - b) if a > -700 else 0.0

    if sup.is_finite():
        return sum(term(float(v)) for v in sup.points())
    if type(sup).__name__ == "IntegerSupport":
        lo = int(sup.lo.subs(consts))
        hi = sup.hi.subs(consts)
        hi = 10**5 if hi == sp.oo else int(hi)
        total = 0.0
        for k in range(lo, hi + 1):
            t = term(float(k))
            total += t
            if k > lo + 50 and abs(t) < 1e-18:
                break
        return total
    lo, hi = (float(e.subs(consts)) for e in (sup.lo, sup.hi))
    pts = [p for p in (0.0, float(first.get(model.symbols.get("mu"), 0.0)),
                       float(second.get(model.symbols.get("mu"), 0.0))) if lo < p < hi]
    if math.isinf(lo) or math.isinf(hi):
        edges = sorted({lo, hi, *pts})
        return sum(integrate.quad(term, a, b, limit=200, epsabs=1e-12, epsrel=1e-10)[0] for a, b in zip(edges, edges[1:]))
    return integrate.quad(term, lo, hi, points=pts or None, limit=200, epsabs=1e-12, epsrel=1e-10)[0]


@pytest.fixture(scope="module")
def kl_of():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = kl_divergence(get_model(name))
        return cache[name]

    return get


def test_every_required_family_has_a_closed_kl():
    required = {"bernoulli", "binomial", "poisson", "geometric", "categorical", "exponential", "normal_mean",
                "normal_variance", "normal", "mvn_mean", "gamma", "beta", "laplace", "weibull", "lognormal",
                "rayleigh", "pareto", "inverse_gaussian"}
    assert required <= set(KL_CLOSED_FORMS)
    assert set(KL_CLOSED_FORMS) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_kl_closed_form_matches_numeric_oracle(name, kl_of):
    m = get_model(name)
    d = kl_of(name)
    if name in NO_CLOSED_KL:
        assert d.result is None and d.failures, f"{name}: expected a clear failure"
        assert "no closed form" in d.failures[-1].reason
        return
    assert d.result is not None, d.failures
    assert not d.failures, d.failures
    assert d.extras["routes_agree"] in (True, None)
    first, second = kl_symbols(m)
    doms = kl_domains(m)
    syms = sorted(set(first.values()) | set(second.values()) | set(m.constants), key=lambda s: s.name)
    for sub in random_points(syms, doms, n=3, seed=5):
        value = float(sp.re(d.result.evalf(30, subs=sub)))
        assert value >= -1e-12, f"{name}: KL negative at {sub}"
        if len(m.data) > 1:  # the multivariate normal: the generic route is the witness
            assert d.extras["routes_agree"] is True
            continue
        consts = {c: sub[c] for c in m.constants}
        oracle = _numeric_kl(m, {t: sub[first[t]] for t in m.params}, {t: sub[second[t]] for t in m.params}, consts)
        assert math.isclose(value, oracle, rel_tol=1e-6, abs_tol=1e-8), f"{name}: {value} != {oracle} at {sub}"


@pytest.mark.parametrize("name", NAMES)
def test_kl_vanishes_on_the_diagonal(name, kl_of):
    m = get_model(name)
    d = kl_of(name)
    if d.result is None:
        return
    first, second = kl_symbols(m)
    diag = d.result.subs({first[t]: t for t in m.params}).subs({second[t]: t for t in m.params})
    assert is_zero(diag, model_domains(m)) is True


def test_kl_closed_forms_from_the_literature(kl_of):
    m = get_model("bernoulli")
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    d = kl_of("bernoulli")
    target = p1 * sp.log(p1 / p2) + (1 - p1) * sp.log((1 - p1) / (1 - p2))
    assert str(d.result) == str(target)
    # the JSON contract: suffixes _1 and _2
    assert {s.name for s in kl_of("normal").result.free_symbols} == {"mu_1", "mu_2", "sigma_1", "sigma_2"}
    assert {s.name for s in kl_of("binomial").result.free_symbols} == {"n", "p_1", "p_2"}


# -- the KL Taylor expansion --------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_kl_taylor_quadratic_term_is_half_fisher(name, report):
    from symfisher.derive.taylor import delta_symbols

    m = get_model(name)
    rep = report(name)
    d = rep.derivations["kl_taylor"]
    assert d.result is not None, d.failures
    assert not d.failures, d.failures
    I = rep.get("fisher")
    delta = sp.Matrix(delta_symbols(m))
    target = (delta.T * I * delta)[0, 0] / 2
    diff = sp.simplify(sp.expand(d.extras["quadratic"] - target))
    assert diff == 0, f"{name}: quadratic term {d.extras['quadratic']} != {target}"
    js = rep.to_json()["kl_taylor"]
    assert js["order"] == 3 and js["quadratic"] and js["cubic"] is not None
    assert all(s.name.startswith("delta_") for s in d.extras["quadratic"].free_symbols - set(m.params) - set(m.constants))


def test_kl_taylor_cubic_terms_from_the_literature():
    from symfisher.derive.taylor import kl_taylor

    m = get_model("poisson")
    lam, dl = m.symbol("lam"), sp.Symbol("delta_lam", real=True)
    d = kl_taylor(m)
    assert sp.simplify(d.extras["cubic"] + dl**3 / (3 * lam**2)) == 0
    # the Laplace log-density has a kink in mu: the cubic term is not a polynomial (|delta_mu|^3)
    d = kl_taylor(get_model("laplace"))
    assert d.extras["cubic"].has(sp.Abs) and not d.failures
