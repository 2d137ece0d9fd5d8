"""What ``verify --all`` no longer pays for, asserted by what the code does (which route ran, what was not
attempted), never by a clock.

Literature: the negative binomial's log-likelihood in its size r holds log Gamma(x + r) (Lawless, Canad. J.
Statist. 15 (1987), 209-225); E[log Gamma(X + c)] under it, the KL's statistic, has no closed form.
"""
import pytest
import sympy as sp

from symfisher import derive_all, get_model


def test_the_kl_with_a_log_gamma_of_the_data_and_the_second_size_is_kept_as_its_exact_series():
    """E[log Gamma(X + r_2)] has no closed form, but the KL is still derived: the exact series, its convergence
    proven by the ratio test (listed under "series"), and its value the direct sum of p_1 log(p_1/p_2)."""
    import mpmath

    m = get_model("negative_binomial2")
    rep = derive_all(m, only=("kl",))
    js = rep.to_json()
    assert js["kl"] is not None and "kl" in js["series"], js["failures"]
    d = rep.derivations["kl"]
    f, s = d.extras["first"], d.extras["second"]
    r, p = m.params
    pt = {f[r]: sp.Rational(3, 2), f[p]: sp.Rational(2, 5), s[r]: sp.Rational(5, 2), s[p]: sp.Rational(3, 5)}

    def pmf(x, rr, pp):
        return mpmath.exp(mpmath.loggamma(x + rr) - mpmath.loggamma(rr) - mpmath.loggamma(x + 1)) * pp ** rr * (1 - pp) ** x

    r1, p1, r2, p2 = (mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in (pt[f[r]], pt[f[p]], pt[s[r]], pt[s[p]]))
    want = mpmath.nsum(lambda x: pmf(x, r1, p1) * mpmath.log(pmf(x, r1, p1) / pmf(x, r2, p2)), [0, mpmath.inf])
    got = d.result.xreplace(pt)
    assert abs(complex(sp.N(got, 30)) - complex(want)) < 1e-10


def test_a_log_gamma_with_a_known_size_is_still_derived():
    # r known: log Gamma(x + r) cancels in the log-ratio, and the KL is the closed form of the p-family
    # (r log(p_1/p_2) + r (1 - p_1)/p_1 log((1 - p_1)/(1 - p_2)), Kullback 1959)
    m = get_model("negative_binomial")
    rep = derive_all(m, only=("kl",))
    d = rep.derivations["kl"]
    assert d.result is not None, rep.failures
    f, s = d.extras["first"], d.extras["second"]
    (p,), (r,) = m.params, [c for c in m.constants]
    p1, p2 = f[p], s[p]
    want = r * sp.log(p1 / p2) + r * (1 - p1) / p1 * sp.log((1 - p1) / (1 - p2))
    pts = [{p1: sp.Rational(1, 3), p2: sp.Rational(3, 5), r: 4}, {p1: sp.Rational(7, 10), p2: sp.Rational(1, 5), r: 2}]
    for pt in pts:
        assert abs(float((d.result - want).xreplace(pt))) < 1e-12


def test_a_jeffreys_panel_where_floating_point_cancels_is_integrated_at_30_digits():
    """The zero-truncated Poisson's prior sqrt(e^l - 1 - l) e^(l/2)/(sqrt(l) (e^l - 1)) (its Jeffreys prior,
    sqrt of the Fisher information) is 0 or noise in floating point below l ~ 1e-8: the propriety witness's
    truncated integrals take such a panel at 30 digits, so its shell is the true one (~ sqrt(2 l) near 0),
    and a panel where floating point is right stays in floating point."""
    import math

    import mpmath
    from scipy.integrate import quad

    from symfisher.numeric import NumericFunction
    from symfisher.witness import _panel_function, _robust_along

    m = get_model("zero_truncated_poisson")
    (lam,) = m.params
    prior = sp.sqrt(sp.exp(lam) - 1 - lam) * sp.exp(lam / 2) / (sp.sqrt(lam) * (sp.exp(lam) - 1))
    J = NumericFunction.build(prior, ("lam",))
    f = _robust_along(J, prior, "lam", {"lam": 1.0})
    assert f.plain(1e-10) == 0.0 or abs(f.plain(1e-10) * math.sqrt(2e-10) - 1) > 1e-3  # what floating point gives
    g = _panel_function(f, 1e-12, 1e-9)
    assert g is f.exact
    got = quad(g, 1e-12, 1e-9, epsabs=0, epsrel=1e-9, limit=200)[0]
    with mpmath.workdps(40):
        h = lambda t: mpmath.sqrt(mpmath.expm1(t) - t) * mpmath.exp(t / 2) / (mpmath.sqrt(t) * mpmath.expm1(t))
        want = float(mpmath.quad(h, [1e-12, 1e-11, 1e-10, 1e-9]))
    assert abs(got - want) <= 1e-7 * want
    assert _panel_function(f, 0.5, 2.0) is f  # no cancellation there: floating point


def test_score_identities_skip_the_exact_solve_only_where_it_determines_nothing(monkeypatch):
    """The t law's identities in nu (2 equations, 5 unknown expectations) determine none of them: a numeric
    filter says so and linsolve (a second on polygamma coefficients) is not run; the exact solve agrees. Where the
    identities do determine expectations (the gamma law's E[X] and E[log X] in its shape and rate), they are still
    solved exactly."""
    import importlib

    from symfisher.expectation_base import _CACHE

    routes = importlib.import_module("symfisher.expectation_routes")
    base = get_model("student_t").representation.base
    calls = []
    real = sp.linsolve
    monkeypatch.setattr(sp, "linsolve", lambda *a, **k: calls.append(a) or real(*a, **k))
    _CACHE.clear()
    assert routes._score_identities(base, 10.0) == {} and not calls
    monkeypatch.setattr(routes, "_nothing_determined", lambda *a: False)
    _CACHE.clear()
    assert routes._score_identities(base, 10.0) == {} and calls  # the exact solve: nothing determined either
    monkeypatch.undo()
    _CACHE.clear()
    m = get_model("gamma")
    x = m.data[0]
    a, b = m.params
    found = routes._score_identities(m, 10.0)
    assert sp.simplify(found[x] - a / b) == 0 and sp.simplify(found[sp.log(x)] - (sp.polygamma(0, a) - sp.log(b))) == 0
    _CACHE.clear()


def test_verify_all_schedules_by_the_last_run_then_by_a_guess(tmp_path, monkeypatch):
    from symfisher.commands import verify as V

    monkeypatch.setenv("SYMFISHER_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SYMFISHER_NO_CACHE", raising=False)
    names = ["poisson", "negative_binomial2", "student_t3", "bernoulli"]
    # no previous run: the guess puts the three-parameter t and the series model before the one-parameter laws
    guess = sorted(names, key=V._cost, reverse=True)
    assert set(guess[:2]) == {"negative_binomial2", "student_t3"}, guess
    assert V._read_timings() == {}
    V._write_timings({"poisson": 9.0, "bernoulli": 0.1, "student_t3": 3.0, "negative_binomial2": 2.0})
    timings = V._read_timings()
    assert timings["poisson"] == 9.0
    assert sorted(names, key=lambda n: V._cost(n, timings), reverse=True) == \
        ["poisson", "student_t3", "negative_binomial2", "bernoulli"]
    # a model the last run did not see goes first: its cost is unknown
    assert V._cost("gamma", timings) > V._cost("poisson", timings)
    # the cache off: the hint is neither read nor written
    monkeypatch.setenv("SYMFISHER_NO_CACHE", "1")
    assert V._read_timings() == {}
    (tmp_path / V._TIMINGS).write_text("not json")
    monkeypatch.delenv("SYMFISHER_NO_CACHE")
    assert V._read_timings() == {}


def test_value_at_sums_an_exact_series_once_at_a_point():
    """series.value_at (the Jeffreys one-radical sign check) against mpmath's own sum of the negative binomial's
    E[psi'(X + r)] (the series of its information in r, Lawless 1987)."""
    import mpmath

    from symfisher.series import ProvenSum, value_at

    r, p = sp.symbols("r p", positive=True)
    x = sp.Symbol("x", integer=True, nonnegative=True)
    s = ProvenSum(sp.binomial(x + r - 1, x) * p**r * (1 - p) ** x * sp.polygamma(1, x + r), (x, 0, sp.oo))
    expr = sp.sqrt(sp.polygamma(1, r) - s) / p
    pt = {r: sp.Rational(17, 10), p: sp.Rational(3, 10)}
    got = value_at(expr, pt)
    with mpmath.workdps(30):
        rr, pp = mpmath.mpf(17) / 10, mpmath.mpf(3) / 10
        tail = mpmath.nsum(lambda k: mpmath.binomial(k + rr - 1, k) * pp**rr * (1 - pp) ** k * mpmath.psi(1, k + rr),
                           [0, mpmath.inf])
        want = float(mpmath.sqrt(mpmath.psi(1, rr) - tail) / pp)
    assert abs(got.imag) < 1e-15 and abs(got.real - want) <= 1e-12 * want
    assert value_at(sp.exp(r) * p, pt) == pytest.approx(float(sp.exp(sp.Rational(17, 10)) * sp.Rational(3, 10)))


def test_the_linear_index_kl_taylor_reuses_the_index_models_fisher(monkeypatch):
    """Probit regression: I(eta) of the index model is derived once (by the Fisher quantity) and the KL Taylor
    check reuses it; the quadratic term is still half of I(w) = x^2 phi(w x)^2/(Phi(w x)(1 - Phi(w x))) (the
    probit GLM's information, McCullagh & Nelder 1989, section 4.3), checked at a point."""
    import importlib

    li = importlib.import_module("symfisher.derive.structures.linear_index")
    calls = []
    real = li.fisher_information
    monkeypatch.setattr(li, "fisher_information", lambda *a, **k: calls.append(a) or real(*a, **k))
    import symfisher.derive.fisher as F  # what kl_taylor imports, lazily, when it is given no Fisher matrix

    inner = []
    real_f = F.fisher_information
    monkeypatch.setattr(F, "fisher_information", lambda *a, **k: inner.append(a) or real_f(*a, **k))
    m = get_model("probit_regression")
    rep = derive_all(m, only=("fisher", "kl_taylor"))
    assert len(calls) == 1 and not inner, (len(calls), len(inner))
    d = rep.derivations["kl_taylor"]
    assert d.extras["quadratic_is_fisher"] is True
    (w,), (x,) = m.params, m.constants
    dw = d.extras["delta"][0]
    z = w * x
    phi = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    Phi = (1 + sp.erf(z / sp.sqrt(2))) / 2
    want = dw**2 * x**2 * phi**2 / (Phi * (1 - Phi)) / 2
    pt = {w: sp.Rational(7, 10), x: sp.Rational(-13, 10), dw: sp.Rational(1, 3)}
    assert abs(float((d.extras["quadratic"] - want).xreplace(pt).evalf(30))) < 1e-12
