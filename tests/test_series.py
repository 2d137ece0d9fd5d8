"""Exact series results (symfisher/series.py) and the negative binomial with both parameters unknown.

Literature: Lawless, *Canad. J. Statist.* 15 (1987), 209-225, and Johnson, Kemp & Kotz, *Univariate
Discrete Distributions*, 3rd ed. (2005), §5.8: for C(x + r - 1, x) p^r (1 - p)^x, x = 0, 1, ...,
I_pp = r/(p^2 (1 - p)), I_rp = -1/p (d/dp of the r-score log p - psi(r) + psi(x + r) is 1/p), and
I_rr = psi'(r) - E[psi'(X + r)], a series without closed form. The numeric witnesses below sum the mass
function in mpmath (its own log-gamma form, not the engine's summand) against the exact second
derivative and the outer product of the score.
"""
import json

import mpmath as mp
import pytest
import sympy as sp

from symfisher import get_model
from symfisher.derive.report import derive_all
from symfisher.series import ProvenSum, convergence_proof, has_series, numeric_sums

POINTS = [(1.7, 0.12), (0.4, 0.55), (6.0, 0.8)]


@pytest.fixture(scope="module")
def nb2():
    m = get_model("negative_binomial2")
    return m, derive_all(m, only=["fisher", "cramer_rao"])


def _pmf(r, p):
    return lambda k: mp.exp(mp.loggamma(k + r) - mp.loggamma(r) - mp.loggamma(k + 1) + r * mp.log(p) + k * mp.log(1 - p))


def test_closed_entries_match_the_literature(nb2):
    m, rep = nb2
    r, p = m.params
    I = rep.get("fisher")
    assert sp.simplify(I[1, 1] - r / (p**2 * (1 - p))) == 0
    assert sp.simplify(I[0, 1] + 1 / p) == 0 and I[0, 1] == I[1, 0]
    assert not has_series(I[0, 1]) and not has_series(I[1, 1])
    # the size entry is psi'(r) minus exactly one series of the mass function times psi'(x + r)
    rest = sp.expand(I[0, 0] - sp.polygamma(1, r))
    (s,) = rest.atoms(sp.Sum)
    x = m.data[0]
    assert s.limits == ((x, 0, sp.oo),) and sp.expand(rest + s) == 0
    pmf = sp.binomial(x + r - 1, x) * p**r * (1 - p) ** x
    assert sp.simplify(s.function - pmf * sp.polygamma(1, x + r)) == 0


@pytest.mark.parametrize("rv,pv", POINTS)
def test_series_entry_against_mpmath_summation(nb2, rv, pv):
    m, rep = nb2
    I = rep.get("fisher")
    r, p = m.params
    mp.mp.dps = 30
    f = _pmf(mp.mpf(rv), mp.mpf(pv))
    rr, pp = mp.mpf(rv), mp.mpf(pv)
    curvature = mp.nsum(lambda k: f(k) * (mp.psi(1, rr) - mp.psi(1, k + rr)), [0, mp.inf])
    outer = mp.nsum(lambda k: f(k) * (mp.log(pp) - mp.psi(0, rr) + mp.psi(0, k + rr)) ** 2, [0, mp.inf])
    cross = mp.nsum(lambda k: f(k) * (mp.log(pp) - mp.psi(0, rr) + mp.psi(0, k + rr)) * (rr / pp - k / (1 - pp)),
                    [0, mp.inf])
    sub = {r: sp.Float(rv, 30), p: sp.Float(pv, 30)}
    got = float(I[0, 0].xreplace(sub).evalf(25))  # the series' own term-by-term evaluation
    assert abs(got - float(curvature)) < 1e-12 * abs(float(curvature))
    assert abs(float(outer) - float(curvature)) < 1e-12 * abs(float(curvature))  # the two definitions agree
    assert abs(float(cross) - float(I[0, 1].xreplace(sub))) < 1e-12 * abs(float(cross))  # the sign of I_rp
    # the numeric witnesses' vectorized sum (double precision, log space) agrees too
    fn = sp.lambdify((r, p), numeric_sums(I[0, 0]), modules=["scipy", "numpy"])
    assert abs(float(fn(rv, pv)) - float(curvature)) < 1e-9 * abs(float(curvature))


def test_the_series_is_labelled_with_its_proof(nb2):
    m, rep = nb2
    d = rep.derivations["fisher"]
    reasons = [s.reason for s in d.steps]
    assert any("exact series (no closed form found; it converges by the ratio test" in t and "1 - p" in t
               for t in reasons)
    assert d.extras["routes_agree"] is True and not d.failures
    out = rep.to_json()
    assert out["series"] == ["fisher[0, 0]", "cramer_rao[0, 0]", "cramer_rao[0, 1]", "cramer_rao[1, 0]",
                             "cramer_rao[1, 1]"]
    # every entry is a string SymPy reads back with the listed names and the summation index
    names = {n: sp.Symbol(n) for n in out["params"] + out["data"]}
    back = sp.parse_expr(out["fisher"][0][0], local_dict={**names, "Sum": sp.Sum})
    assert isinstance(back.atoms(sp.Sum).pop(), sp.Sum)
    json.dumps(out)


def test_cramer_rao_is_the_inverse(nb2):
    m, rep = nb2
    I, C = rep.get("fisher"), rep.get("cramer_rao")
    from symfisher.simplify import cancels

    assert all(cancels(e) for e in C * I - sp.eye(2))


def test_unproven_series_are_refused():
    k = sp.Symbol("k", integer=True, nonnegative=True)
    q = sp.Symbol("q", positive=True)
    assert convergence_proof(1 / (k + 1), k, 0, {}) is None  # diverges
    assert convergence_proof(1 / (k + 1) ** 2, k, 0, {}) is None  # converges, but the ratio test cannot tell
    assert convergence_proof(q**k / (k + 1), k, 0, {}) is None  # q > 1 allowed: diverges there
    assert convergence_proof(sp.Rational(1, 2) ** k * sp.polygamma(1, k + 1), k, 0, {}) is not None


def test_series_renders_as_a_sum(nb2):
    from symfisher.render.latex import latex_of

    m, rep = nb2
    tex = latex_of(rep.get("fisher")[0, 0])
    assert r"\sum_{x=0}^{\infty}" in tex and r"\psi'" in tex
    assert str(rep.get("fisher")[0, 0]).count("Sum(") == 1


def test_check_against_a_series_entry(nb2):
    from symfisher.check import check_answer

    m, rep = nb2
    r, p = m.params
    x = m.data[0]
    assert check_answer(m, "fisher[1,1]", "r/(p**2*(1-p))").proved is True
    wrong = check_answer(m, "fisher[0,0]", "polygamma(1, r)")
    assert not wrong.equal
    # the same series with its index shifted by one: equal, but not by a proof SymPy finds
    pmf = sp.binomial(x + r - 1, x) * p**r * (1 - p) ** x
    shifted = sp.polygamma(1, r) - ProvenSum((pmf * sp.polygamma(1, x + r)).subs(x, x - 1), (x, 1, sp.oo))
    v = check_answer(m, "fisher[0,0]", shifted)
    # never "equal: proven" without a proof: SymPy does not reduce the difference, and near the domain's
    # edges (p -> 0) the series cannot be summed within a point's limit, so the domain is not covered
    assert v.proved is not True
    assert v.equal is False and "not shown equal" in v.message and "could not be evaluated" in v.message


def test_typed_twin_derives_the_same_series():
    """Typed first: the user's log-gamma form goes through the same engine and gives the same information
    (the series summed at a point against the catalog's)."""
    from symfisher import from_logpdf

    m = from_logpdf("loggamma(x+r) - loggamma(r) - loggamma(x+1) + r*log(p) + x*log(1-p)", "x in 0..oo",
                    ["r > 0", "p in (0,1)"])
    rep = derive_all(m, only=["fisher"])
    d = rep.derivations["fisher"]
    assert d.extras["routes_agree"] is True and not d.failures
    I = rep.get("fisher")
    r, p = m.params
    assert sp.simplify(I[0, 1] + 1 / p) == 0 and sp.simplify(I[1, 1] - r / (p**2 * (1 - p))) == 0
    assert has_series(I[0, 0]) and rep.to_json()["series"] == ["fisher[0, 0]"]
    mp.mp.dps = 30
    f = _pmf(mp.mpf("1.7"), mp.mpf("0.12"))
    target = mp.nsum(lambda k: f(k) * (mp.psi(1, mp.mpf("1.7")) - mp.psi(1, k + mp.mpf("1.7"))), [0, mp.inf])
    got = I[0, 0].xreplace({r: sp.Rational(17, 10), p: sp.Rational(12, 100)}).evalf(25)
    assert abs(float(got) - float(target)) < 1e-12 * float(target)


def test_series_fields_names_every_series_entry():
    from symfisher.series import series_fields

    out = {"model": "m", "params": ["r", "p"], "score": ["Sum(x, (x, 0, oo))"],  # never an expectation
           "fisher": [["polygamma(1, r) - Sum(p**x, (x, 0, oo))", "-1/p"], ["-1/p", "r"]],
           "cramer_rao": None, "kl": "log(p_1/p_2)",
           "kl_taylor": {"order": 3, "quadratic": "delta_r**2*Sum(p**x, (x, 0, oo))/2", "cubic": "0"},
           "jeffreys": {"prior": "sqrt(Sum(p**x, (x, 0, oo)))", "proper": None}}
    assert series_fields(out) == ["fisher[0, 0]", "kl_taylor.quadratic", "jeffreys.prior"]


def test_list_shows_the_family(capsys):
    from symfisher.cli import main

    assert main(["list"]) == 0
    line = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("negative_binomial2 ")]
    assert line and "(r, p)" in line[0] and "x in 0..oo" in line[0]


# -- the series zero test (series.zero_test): the Fisher routes' agreement for entries with series ------
def test_routes_agreement_of_the_series_entries_is_numeric_evidence(nb2):
    """E[s s^T] and -E[H] hold different series (psi(x + r)^2 against psi'(x + r)): their agreement is an
    identity SymPy does not prove, so it is evidence at seeded points, labelled so, never "equal"."""
    from symfisher.derive.regularity import model_domains
    from symfisher.series import zero_test

    m, rep = nb2
    d = rep.derivations["fisher"]
    A, B = d.extras["outer"], d.extras["curvature"]
    assert has_series(A - B) and d.extras["routes_agree"] is True
    assert any("agree numerically" in s.statement for s in d.steps)
    assert zero_test(A - B, model_domains(m)) == (True, False)


def test_zero_test_finds_a_difference_in_a_series(nb2):
    """A series whose summand differs by 1e-7/(x + 1) from the curvature route's is not zero: one point is a
    counterexample."""
    from symfisher.derive.regularity import model_domains
    from symfisher.series import zero_test

    m, rep = nb2
    d = rep.derivations["fisher"]
    A, B = d.extras["outer"], d.extras["curvature"]
    (s,) = B[0, 0].atoms(sp.Sum)
    x = s.limits[0][0]
    moved = ProvenSum(s.function * (1 + sp.Rational(1, 10**7) / (x + 1)), s.limits)
    assert zero_test(A - B.xreplace({s: moved}), model_domains(m)) == (False, False)


def test_zero_test_proves_equal_summands_without_summing():
    """Two series whose summands are one function written two ways (different index names): proven zero
    from the summands, no point drawn (domains empty: a numeric test could not draw ``q``'s points from
    a domain, and the verdict is a proof)."""
    from symfisher.series import _termwise_zero, zero_test

    k = sp.Symbol("k", integer=True, nonnegative=True)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    q = sp.Symbol("q", positive=True)
    a = ProvenSum(q**k * (k + 1) ** 2 / sp.factorial(k), (k, 0, sp.oo))
    b = ProvenSum(q**j * (j**2 + 2 * j + 1) / sp.factorial(j), (j, 0, sp.oo))
    assert _termwise_zero(3 * a - 3 * b) and zero_test(3 * a - 3 * b, {}) == (True, True)
    assert not _termwise_zero(3 * a - 3 * b + q)  # the rest does not cancel
    assert not _termwise_zero(a * b - 2 * a)  # not linear in the sums
    # sum_k q^k (k + 1)^2/k! = e^q (q^2 + 3 q + 1): off by 10^-8, the numeric test finds it
    assert zero_test(a - sp.exp(q) * (q**2 + 3 * q + 1) - sp.Rational(1, 10**8), {})[0] is False
    assert zero_test(a - sp.exp(q) * (q**2 + 3 * q + 1), {}) == (True, False)


def test_ratio_test_by_factors_equals_the_whole_ratio():
    """The product of the factors' ratio limits is the whole ratio's limit (the product rule of limits), and a
    factor is computed once whatever its parameter is called (r and r_2 share the computation)."""
    from symfisher.series import _N, _canonical_ratio_limit, _product_of_limits, _ratio_limit

    r = sp.Symbol("r", positive=True)
    r2 = sp.Symbol("r_2", positive=True)
    p = sp.Symbol("p", positive=True)
    n = _N
    # (a polygamma factor: a logarithm's growth is read off without a limit, series._linear_logs)
    a = (1 - p) ** n * sp.binomial(n + r - 1, n) * sp.polygamma(1, n + r2)
    assert sp.simplify(_product_of_limits(a) - (1 - p)) == 0
    assert sp.simplify(_ratio_limit((1 - p) ** n * sp.binomial(n + r - 1, n)) - (1 - p)) == 0
    before = _canonical_ratio_limit.cache_info().hits
    _product_of_limits((1 - p) ** n * sp.polygamma(1, n + r))
    assert _canonical_ratio_limit.cache_info().hits > before
    # a factor without a finite ratio limit (n! grows faster than any geometric): no product rule
    assert _product_of_limits(sp.factorial(n) * p**n) is None


def test_a_timed_out_factor_limit_is_not_remembered():
    """A ratio test cut short by its time limit leaves no cached verdict: the same factor is decided later."""
    from symfisher.limits import StepTimeout, time_limit
    from symfisher.series import _N, _canonical_ratio_limit, _factor_ratio_limit

    r = sp.Symbol("r_9", positive=True)
    f = sp.polygamma(2, _N + r) * (_N + 3)  # a factor no other test uses (its canonical form)
    _canonical_ratio_limit.cache_clear()
    with pytest.raises(StepTimeout):
        with time_limit(1e-6, "the ratio test"):
            _factor_ratio_limit(f)
    assert _factor_ratio_limit(f) == 1
