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
    # each series is proven by the ratio test on a dominating one (|log binomial(x + r - 1, x)| grows at most
    # like x), not by SymPy's limit of a ratio of logarithms
    proof = " ".join(st.reason for st in d.steps if "exact series" in st.reason)
    assert "converges by the ratio test on a dominating series" in proof and "C x |rest|" in proof, proof
    assert "log(binomial(r + x - 1, x))" in proof and "tends to 1 - p as x -> oo" in proof, proof


def test_a_log_gamma_of_the_index_is_summed_once_not_again_simplified(monkeypatch):
    """E[log binomial(X + r - 1, X)] under the negative binomial: one summation attempt (SymPy returns the sum
    unevaluated), no second one of the simplified summand; the statistic is then the exact series."""
    import importlib

    from symfisher.expectation_base import _CACHE
    from symfisher.series import ProvenSum, log_gamma_of_index

    routes = importlib.import_module("symfisher.expectation_routes")
    m = get_model("negative_binomial2")
    x = m.data[0]
    r, p = m.params
    calls = []
    real = sp.summation
    monkeypatch.setattr(sp, "summation", lambda f, *a, **k: calls.append(f) or real(f, *a, **k))
    _CACHE.clear()
    v = routes._integrate(sp.log(sp.binomial(x + r - 1, x)), m, 20.0)
    _CACHE.clear()
    assert len(calls) == 1 and log_gamma_of_index(calls[0], x), calls
    (s,) = v.atoms(sp.Sum)
    assert isinstance(s, ProvenSum)
    # its value at r = 3/2, p = 2/5 against mpmath's sum of the mass function times log C(x + r - 1, x)
    import mpmath

    rr, pp = mpmath.mpf(3) / 2, mpmath.mpf(2) / 5
    want = mpmath.nsum(lambda k: mpmath.binomial(k + rr - 1, k) * pp**rr * (1 - pp) ** k
                       * mpmath.log(mpmath.binomial(k + rr - 1, k)), [0, mpmath.inf])
    got = v.xreplace({r: sp.Rational(3, 2), p: sp.Rational(2, 5)})
    assert abs(complex(sp.N(got, 30)) - complex(want)) < 1e-12
    # a polygamma of the index is no log-Gamma of it: its simplified retry stays
    assert not log_gamma_of_index(sp.polygamma(1, x + r) * p**x, x)
    assert log_gamma_of_index(sp.loggamma(x + r) * p**x, x) and log_gamma_of_index(sp.log(sp.factorial(x)) * p**x, x)


def test_logs_in_a_summand_are_dominated_by_powers_of_the_index():
    """log h(n) with h(n + 1)/h(n) rational grows at most like n (a finite nonzero limit: binomials, powers)
    or n^2 (log n!, whose ratio n + 1 grows): the ratio test on n^k times the rest proves convergence; a rest
    whose ratio tends to 1 proves nothing."""
    from symfisher.series import _N, _linear_logs, convergence_proof

    k = sp.Symbol("k", integer=True, nonnegative=True)
    q = sp.Symbol("q", positive=True)
    r = sp.Symbol("r", positive=True)
    n = _N
    assert _linear_logs(sp.log(sp.binomial(n + r - 1, n)) * q**n)[1] == 1
    assert _linear_logs(sp.log(sp.factorial(n)) ** 2 * q**n)[1] == 4
    assert _linear_logs(sp.log(n + 1) * q**n) == ([], 0)  # not a product of powers and Gammas: not read
    half = sp.Rational(1, 2)
    proof = convergence_proof(half**k * sp.log(sp.factorial(k)), k, 0, {})
    assert proof is not None and "C k**2 |rest|" in proof and "tends to 1/2" in proof
    assert convergence_proof(sp.log(sp.binomial(k + r - 1, k)) / (k + 1) ** 2, k, 0, {}) is None  # rest ratio -> 1
    assert convergence_proof(q**k * sp.log(sp.factorial(k)), k, 0, {}) is None  # q > 1 allowed: not proven
    # the series' value: sum_k 2^-k log k! against mpmath
    import mpmath

    from symfisher.series import ProvenSum

    s = ProvenSum(half**k * sp.log(sp.factorial(k)), (k, 0, sp.oo))
    want = mpmath.nsum(lambda j: mpmath.mpf(2) ** -j * mpmath.log(mpmath.factorial(j)), [0, mpmath.inf])
    assert abs(float(s.evalf(20)) - float(want)) < 1e-14


def test_verify_compares_a_structures_kl_with_the_registered_form_before_tidying_it(monkeypatch):
    """Without steps shown (verify), the exponential family's KL is proven equal to the registered form
    untidied: nothing is tidied, and the result and the agreement are those of derive (the registered
    textbook form: Penny 2001 for the gamma law), checked against a quadrature of the log-ratio."""
    import importlib

    from scipy.integrate import quad
    from scipy.stats import gamma as gamma_law

    from symfisher.derive.kl import kl_divergence

    ef = importlib.import_module("symfisher.derive.structures.expfam")
    m = get_model("gamma")
    shown = kl_divergence(m)
    calls = []
    real = ef.tidy
    monkeypatch.setattr(ef, "tidy", lambda *a, **k: calls.append(a) or real(*a, **k))
    quiet = kl_divergence(m, shown=False)
    assert not calls
    assert quiet.result == shown.result and quiet.extras["routes_agree"] is True is shown.extras["routes_agree"]
    assert quiet.extras["route"] == "derived"
    f, s = quiet.extras["first"], quiet.extras["second"]
    a, b = m.params
    pt = {f[a]: 2.5, f[b]: 1.5, s[a]: 1.2, s[b]: 0.7}
    p1, p2 = gamma_law(2.5, scale=1 / 1.5), gamma_law(1.2, scale=1 / 0.7)
    want = quad(lambda t: p1.pdf(t) * (p1.logpdf(t) - p2.logpdf(t)), 0, float("inf"))[0]
    assert abs(float(quiet.result.subs(pt)) - want) < 1e-9


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


def test_an_ends_order_is_guessed_numerically_and_proven_by_one_limit(monkeypatch):
    """The logarithmic law's Jeffreys kernel sqrt(-(p + log(1 - p)))/(sqrt(p) (1 - p) |log(1 - p)|): of order
    t^(-1/2) at p = 0 (proven: t^(1/2) times it tends to 1/sqrt(2)) and 1/(t sqrt(log(1/t))) at p = 1 (t log(1/t)^(1/2)
    times it has a positive limit, so p = 1 and q = -1/2 at once): improper, with no limit of log h / log(1/t) taken.
    A guess its limit does not confirm (t^(-1/2) log(1/t): t^(1/2) times it is infinite) is no order."""
    import importlib

    pr = importlib.import_module("symfisher.derive.propriety")
    asked = []
    real = pr._limit
    monkeypatch.setattr(pr, "_limit", lambda e, what: asked.append(what) or real(e, what))
    rep = derive_all(get_model("logarithmic"), only=("jeffreys",))
    assert rep.to_json()["jeffreys"]["proper"] is False
    d = rep.derivations["jeffreys"]
    statements = " ".join(s.statement for s in d.steps)
    assert "of order t^(-1/2) with 1/2 < 1" in statements and "1/(t log(1/t)), whose integral diverges" in statements
    assert asked and not any("of the order" in w or "of the logarithmic order" in w for w in asked), asked
    T = pr.T
    assert pr._proven_order(sp.sqrt(-T - sp.log(1 - T)) / (sp.sqrt(T) * (1 - T) * -sp.log(1 - T)), T, "x") == sp.S.Half
    assert pr._proven_order(T ** sp.Rational(-1, 2) * sp.log(1 / T), T, "x") is None
    # the kernel's order against numbers: t^(1/2) h(t) -> 1/sqrt(2) at t = 1e-12 (mpmath, 50 digits)
    import mpmath

    with mpmath.workdps(50):
        t = mpmath.mpf(10) ** -12
        v = mpmath.sqrt(t) * mpmath.sqrt(-t - mpmath.log(1 - t)) / (mpmath.sqrt(t) * (1 - t) * -mpmath.log(1 - t))
    assert abs(float(v) - 2 ** -0.5) < 1e-6


def test_a_linear_index_models_score_and_hessian_are_not_tidied_when_not_shown(monkeypatch):
    """Probit regression under verify (score and Hessian needed, not shown): the index model's score and Hessian
    are not tidied; asked for, they are. The Fisher information is the same either way: x^2 phi(w x)^2 /
    (Phi(w x)(1 - Phi(w x))) (McCullagh & Nelder 1989, section 4.3), checked at a point."""
    import symfisher.derive.fisher as F

    calls = []
    real = F.tidy
    monkeypatch.setattr(F, "tidy", lambda *a, **k: calls.append(a) or real(*a, **k))
    m = get_model("probit_regression")
    rep = derive_all(m, only=("fisher",))  # what verify asks: the score and Hessian needed, not shown
    quiet = len(calls)
    shown = derive_all(m, only=("score", "hessian", "fisher"))
    assert quiet == 0 and len(calls) > 0, (quiet, len(calls))
    (w,), (x,) = m.params, m.constants
    z = w * x
    phi = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    Phi = (1 + sp.erf(z / sp.sqrt(2))) / 2
    want = x**2 * phi**2 / (Phi * (1 - Phi))
    pt = {w: sp.Rational(3, 5), x: sp.Rational(-7, 4)}
    for r in (rep, shown):
        assert abs(float((r.get("fisher")[0, 0] - want).xreplace(pt).evalf(30))) < 1e-12
